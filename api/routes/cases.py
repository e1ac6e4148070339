"""Case lists: formations (teams, panels, consortia) newest first, and organisations by name.

``GET /v1/formations`` pages through every saved formation with its request's title, the
enterprise, the status and the member count, filtered by kind, status, creation date and
text. ``GET /v1/organisations`` finds enterprises, universities, institutes and societies by
their Chinese or English name (or id) for type-ahead pickers, so staff never type an id.
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import DriverDep, ReadKey, SettingsDep
from api.errors import ProblemError
from api.pagination import Cursor, Limit, decode_cursor
from api.schemas import Page
from graph_schema import cases as C

router = APIRouter(prefix="/v1", tags=["formation"])

FormationKindQ = Literal["team", "panel", "consortium"]
StatusQ = Literal["proposed", "confirmed", "declined"]
OrganisationKindQ = Literal["enterprise", "university", "institute", "society", "national_society"]


class FormationSummary(BaseModel):
    id: str = Field(description="Team, panel or consortium id.")
    kind: FormationKindQ = Field(description="`team`, `panel` or `consortium`.")
    status: str | None = Field(description="`proposed`, `confirmed` or `declined`.")
    created_at: str | None = Field(description="When it was proposed (ISO 8601).")
    title: str = Field(description="The demand's or topic's title, or the consortium's theme.")
    request_id: str | None = Field(description="The demand or topic id (null for consortia).")
    enterprise_id: str | None = Field(description="The enterprise of a team's demand.")
    enterprise_name: str | None = Field(description="Its name.")
    enterprise_name_en: str | None = Field(description="Its English name, where known.")
    issuer: str | None = Field(description="Who issued a panel's topic.")
    members: int = Field(description="Members (scientists, or organisations of a consortium).")


class OrganisationPublic(BaseModel):
    id: str = Field(description="Organisation or society id (use it in requests).")
    name: str = Field(description="Chinese name.", examples=["重庆大学"])
    name_en: str | None = Field(description="English name, where known.")
    kind: OrganisationKindQ = Field(description="What it is.")
    district_name: str | None = Field(description="Its district, where known.")


class OrganisationsPublic(BaseModel):
    data: list[OrganisationPublic] = Field(description="Best matches first.")
    count: int = Field(description="Number of matches returned.")


def _cursor(row: C.FormationRow) -> str:
    return base64.urlsafe_b64encode(f"v1:{row.created_ms}|{row.id}".encode()).decode()


def _after(cursor: str) -> tuple[int, str]:
    ms, sep, last = decode_cursor(cursor).partition("|")
    if not sep or not ms.lstrip("-").isdigit() or not last:
        raise ProblemError(
            "validation-error",
            "cursor is not valid",
            errors=[{"field": "query.cursor", "message": "not a cursor of this list"}],
        )
    return int(ms), last


def _ms(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp() * 1000)


@router.get(
    "/formations",
    response_model=Page[FormationSummary],
    summary="List teams, panels and consortia, newest first (cursor pagination)",
)
def list_formations(
    driver: DriverDep,
    settings: SettingsDep,
    _: ReadKey,
    kind: Annotated[FormationKindQ | None, Query(description="Only this kind.")] = None,
    status: Annotated[StatusQ | None, Query(description="Only this status.")] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Text in the title, enterprise name or issuer."),
    ] = None,
    since: Annotated[date | None, Query(description="Proposed on or after this day (UTC).")] = None,
    until: Annotated[
        date | None, Query(description="Proposed on or before this day (UTC).")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[FormationSummary]:
    if since and until and since > until:
        raise ProblemError(
            "validation-error",
            "since is after until",
            errors=[{"field": "query.since", "message": "must not be after until"}],
        )
    rows = C.page_formations(
        driver,
        kinds=[kind] if kind else ("team", "panel", "consortium"),
        status=status,
        q=q,
        since_ms=_ms(since) if since else None,
        until_ms=_ms(until + timedelta(days=1)) if until else None,
        after=_after(cursor) if cursor else None,
        limit=limit + 1,
        database=settings.neo4j_database,
    )
    page = rows[:limit]
    more = len(rows) > limit and bool(page)
    return Page[FormationSummary](
        data=[
            FormationSummary.model_validate({k: v for k, v in vars(r).items() if k != "created_ms"})
            for r in page
        ],
        count=len(page),
        next_cursor=_cursor(page[-1]) if more else None,
    )


@router.get(
    "/organisations",
    response_model=OrganisationsPublic,
    summary="Find organisations and societies by name (type-ahead)",
)
def find_organisations(
    driver: DriverDep,
    settings: SettingsDep,
    _: ReadKey,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            description="Part of the Chinese or English name, or the exact id.",
        ),
    ],
    kind: Annotated[OrganisationKindQ | None, Query(description="Only this kind.")] = None,
    limit: Annotated[int, Query(ge=1, le=50, description="At most this many.")] = 10,
) -> OrganisationsPublic:
    rows = C.search_organisations(
        driver,
        q,
        kinds=[kind] if kind else C.ORGANISATION_KINDS,
        limit=limit,
        database=settings.neo4j_database,
    )
    return OrganisationsPublic(
        data=[OrganisationPublic.model_validate(vars(r)) for r in rows], count=len(rows)
    )
