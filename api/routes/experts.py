"""Experts: search by text, rank a shortlist, read one expert, list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import DriverDep, MatcherDep, ReadKey, SettingsDep
from api.pagination import Cursor, Limit, decode_cursor, keyset_page
from api.schemas import ExpertPublic, ExpertRank, ExpertSearch, ExpertsPublic, Page
from graph_schema.apikeys import ApiKey
from graph_schema.errors import NotFoundError
from graph_schema.search import expert_profile, list_scientists
from matcher.types import ExpertResult

router = APIRouter(prefix="/v1/experts", tags=["experts"])

#: Personal data shown only to keys with the ``contact`` scope.
CONTACT_FIELDS = ("email", "phone", "orcid")


def to_public(result: ExpertResult, key: ApiKey) -> ExpertPublic:
    # Read from the dataclasses' attributes: dataclasses.asdict deep-copied every explanation
    # first (10 results at size 100: 4.05 → 0.72 ms p50 for the response, the ``public`` phase
    # of benchmarks/search_phases.py; tests/unit/test_public_results.py holds the JSON equal).
    public = ExpertPublic.model_validate(result, from_attributes=True)
    if not key.allows("contact"):
        public.contact = None
    return public


def _publish(results: list[ExpertResult], key: ApiKey) -> ExpertsPublic:
    return ExpertsPublic(
        data=[to_public(r, key) for r in results],
        count=len(results),
        low_confidence=all(r.explanation.low_confidence for r in results),
    )


@router.post("/search", response_model=ExpertsPublic, summary="Find experts for a text")
def search_experts(body: ExpertSearch, matcher: MatcherDep, key: ReadKey) -> ExpertsPublic:
    """Hybrid retrieval (embeddings + CJK fulltext + disciplines + graph); each result explained."""
    results = matcher.rank_experts(
        body.text,
        filters=body.filters,
        k=body.k,
        disciplines=body.disciplines or None,
        mode=body.mode,
    )
    return _publish(results, key)


@router.post("/rank", response_model=ExpertsPublic, summary="Score a given list of candidates")
def rank_candidates(body: ExpertRank, matcher: MatcherDep, key: ReadKey) -> ExpertsPublic:
    """Every candidate comes back, scored; those failing a filter have `eligible=false`."""
    results = matcher.rank_experts(
        body.text,
        candidates=body.candidates,
        filters=body.filters,
        disciplines=body.disciplines or None,
    )
    return _publish(results, key)


@router.get("", response_model=Page[dict[str, Any]], summary="List scientists (cursor pagination)")
def list_experts(
    driver: DriverDep,
    settings: SettingsDep,
    _: ReadKey,
    limit: Limit = 50,
    cursor: Cursor = None,
    name: Annotated[
        str | None, Query(max_length=100, description="Part of the name (Chinese or English).")
    ] = None,
) -> Page[dict[str, Any]]:
    after = decode_cursor(cursor) if cursor else ""
    rows = list_scientists(
        driver, after=after, limit=limit + 1, name=name, database=settings.neo4j_database
    )
    return keyset_page(rows, limit, lambda r: str(r["id"]))


@router.get(
    "/{scientist_id}", summary="One expert with evidence, societies, affiliations and co-authors"
)
def read_expert(
    scientist_id: str, driver: DriverDep, settings: SettingsDep, key: ReadKey
) -> dict[str, Any]:
    profile = expert_profile(driver, scientist_id, database=settings.neo4j_database)
    if profile is None:
        raise NotFoundError("scientist", scientist_id)
    if not key.allows("contact"):
        for f in CONTACT_FIELDS:
            profile["scientist"].pop(f, None)
    return profile
