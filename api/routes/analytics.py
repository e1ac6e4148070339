"""Policy analytics: district coverage, branch / liaison-office suggestions, national counterparts.

Definitions and thresholds: docs/analytics.md.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from api.deps import DriverDep, ReadKey, SettingsDep
from api.messages import with_codes
from matcher.analytics import PresenceThresholds
from matcher.analytics_service import (
    counterpart_suggestions,
    district_coverage,
    presence_suggestions,
)

router = APIRouter(prefix="/v1/analytics", tags=["analytics"])


class AnalyticsReport(BaseModel):
    """An analytics report; its fields are documented in docs/analytics.md."""

    kind: str = Field(description="districts, presence or counterparts.")
    report: dict[str, Any] = Field(description="The report, as documented in docs/analytics.md.")


@router.get(
    "/districts",
    response_model=AnalyticsReport,
    summary="Societies per district vs the target (policy item 3)",
)
def districts(
    driver: DriverDep,
    settings: SettingsDep,
    _: ReadKey,
    target: Annotated[int, Query(ge=1, le=1000, description="Societies wanted per district.")] = 20,
) -> AnalyticsReport:
    report = district_coverage(driver, target=target, database=settings.neo4j_database)
    data = jsonable_encoder(with_codes(jsonable_encoder(asdict(report))))
    # Per district, not the average: presences_needed only says how far the *average* is from
    # exceeding the target, and is 0 while many districts are still short.
    data["short_districts"] = len(report.short_districts)
    data["total_shortfall"] = report.total_shortfall
    return AnalyticsReport(kind="districts", report=data)


@router.get(
    "/presence",
    response_model=AnalyticsReport,
    summary="Where societies should open branches or liaison offices",
)
def presence(
    driver: DriverDep,
    settings: SettingsDep,
    _: ReadKey,
    society: Annotated[str | None, Query(description="Only this society id.")] = None,
    branch_threshold: Annotated[
        int, Query(ge=1, description="Field scientists in a district that justify a branch.")
    ] = 30,
    liaison_threshold: Annotated[
        int, Query(ge=1, description="Field scientists that justify a liaison office.")
    ] = 5,
    target: Annotated[int, Query(ge=1, le=1000, description="Societies wanted per district.")] = 20,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many suggestions.")] = 100,
) -> AnalyticsReport:
    report = presence_suggestions(
        driver,
        society=society,
        thresholds=PresenceThresholds(branch=branch_threshold, liaison=liaison_threshold),
        target=target,
        database=settings.neo4j_database,
    )
    data = jsonable_encoder(with_codes(jsonable_encoder(asdict(report))))
    if isinstance(data.get("suggestions"), list):
        data["suggestions"] = data["suggestions"][:limit]
    return AnalyticsReport(kind="presence", report=data)


@router.get(
    "/counterparts",
    response_model=AnalyticsReport,
    summary="Local societies without a national counterpart, and pairings",
)
def counterparts(
    request: Request,
    driver: DriverDep,
    settings: SettingsDep,
    _: ReadKey,
    top_k: Annotated[int, Query(ge=1, le=20, description="Candidates per society.")] = 3,
) -> AnalyticsReport:
    matcher = request.app.state.matcher
    embedder = matcher.embedder if matcher is not None else None
    report = counterpart_suggestions(
        driver, embedder, top_k=top_k, database=settings.neo4j_database
    )
    return AnalyticsReport(
        kind="counterparts", report=jsonable_encoder(with_codes(jsonable_encoder(asdict(report))))
    )
