"""Evaluation panels for one item and review rounds (成果评价, 科技奖励推荐, 标准评审).

``POST /v1/evaluations/{id}/panel`` proposes (and by default saves) an independent panel for
an evaluation item: the item's round policy excludes applicants, recent co-authors, recent
colleagues, recent co-members of teams or panels and declared conflicts, each with its
evidence. The saved panel is a ``/v1/panels/{id}`` formation (confirm, decline, feedback as
any panel); swapping a member is a re-solve with ``locked`` and ``excluded``.

``POST /v1/rounds/{id}/assign`` assigns every item of a round its reviewers (exact, fair,
maxmin or greedy) and stores the assignment. Both store an audit record
(``GET /v1/audits/{id}``). Request models live here, next to their only routes.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, ConfigDict, Field

from api.deps import DriverDep, MatcherDep, ReadKey, SettingsDep, WriteKey
from api.messages import with_codes
from api.schemas import RequestModel
from graph_schema import review_queries as RQ
from matcher.review import ReviewService

router = APIRouter(prefix="/v1", tags=["review"])


class EvaluationPanelCreate(RequestModel):
    """Options of an evaluation panel (quotas as think-tank panels)."""

    model_config = ConfigDict(extra="forbid")

    size: int = Field(default=5, ge=1, le=30, description="Reviewers on the panel.")
    quota_counts: dict[str, int] = Field(
        default={},
        description="Override counts of senior, young, enterprise, academic, disciplines, "
        "per_institution.",
    )
    no_quotas: bool = Field(default=False, description="Relevance and independence only.")
    young_age_max: int = Field(default=45, ge=20, le=80, description="Young: at most this age.")
    pool_size: int = Field(
        default=40, ge=5, le=300, description="Best-matching experts the panel is chosen from."
    )
    locked: list[str] = Field(
        default=[], max_length=30, description="Scientist ids that must be on the panel."
    )
    excluded: list[str] = Field(
        default=[], max_length=1000, description="Scientist ids staff leave out."
    )
    relax: bool = Field(
        default=False,
        description="Lower conflicting quotas to what the pool allows instead of answering 422.",
    )
    save: bool = Field(default=True, description="Save the panel (status `proposed`) and audit it.")


class RoundAssign(RequestModel):
    """Options of a round's assignment (defaults: the round's own k and L)."""

    model_config = ConfigDict(extra="forbid")

    solver: Literal["exact", "fair", "maxmin", "greedy"] = Field(
        default="exact",
        description="`exact`: most total relevance (HiGHS); `fair`: the highest relevance floor "
        "every pair keeps, then most total; `maxmin`: the worst item's mean as high as possible "
        "(small rounds); `greedy`: the baseline.",
    )
    k: int | None = Field(default=None, ge=1, le=50, description="Reviewers per item (round's).")
    max_load: int | None = Field(
        default=None, ge=1, le=1000, description="Items per reviewer at most (round's L)."
    )
    per_item: int | None = Field(
        default=None, ge=1, le=200, description="Candidate reviewers considered per item."
    )
    save: bool = Field(default=True, description="Save the assignment and its audit record.")


class ReviewResult(BaseModel):
    """A proposal, and the id it was saved under (a panel id or an assignment id)."""

    id: str = Field(description="The evaluation item or round.")
    saved_as: str | None = Field(description="The saved panel or assignment id (none: not saved).")
    proposal: dict[str, Any] = Field(
        description="The panel or assignment with its reasons, exclusions and audit."
    )


def _coded(proposal: dict[str, Any]) -> dict[str, Any]:
    """JSON of a proposal with ``<field>_code(s)`` beside its coded sentences (checks' details,
    exclusion reasons, disclosed ties), so pages render them in Chinese or English."""
    out: dict[str, Any] = jsonable_encoder(with_codes(jsonable_encoder(proposal)))
    return out


def _svc(driver: Any, matcher: Any, database: str) -> ReviewService:
    return ReviewService(driver, matcher.embedder, database=database, matcher=matcher)


@router.post(
    "/evaluations/{item_id}/panel",
    response_model=ReviewResult,
    summary="An independent evaluation panel for an item (award nomination, achievement…)",
    responses={404: {"description": "no such item"}, 422: {"description": "infeasible"}},
)
def evaluation_panel(
    item_id: str,
    body: EvaluationPanelCreate,
    driver: DriverDep,
    matcher: MatcherDep,
    settings: SettingsDep,
    _: WriteKey,
) -> ReviewResult:
    """Relevance to the item, the panel quotas, and independence as a hard constraint; the
    answer lists who was excluded and why, and what seated members disclose."""
    svc = _svc(driver, matcher, settings.neo4j_database)
    proposal = svc.propose_panel(
        item_id,
        size=body.size,
        quotas=() if body.no_quotas else None,
        quota_counts=body.quota_counts or None,
        young_age_max=body.young_age_max,
        pool_size=body.pool_size,
        locked=body.locked,
        excluded=body.excluded,
        relax=body.relax,
    )
    saved = svc.save_panel(proposal) if body.save else None
    return ReviewResult(id=item_id, saved_as=saved, proposal=_coded(proposal.to_dict()))


@router.get("/evaluations/{item_id}", summary="An evaluation item with its panels")
def read_item(item_id: str, driver: DriverDep, settings: SettingsDep, _: ReadKey) -> dict[str, Any]:
    db = settings.neo4j_database
    item = RQ.load_item(driver, item_id, database=db)
    return {**asdict(item), "panels": RQ.item_panels(driver, item_id, database=db)}


@router.post(
    "/rounds/{round_id}/assign",
    response_model=ReviewResult,
    summary="Assign every item of a review round its reviewers",
    responses={404: {"description": "no such round"}, 422: {"description": "infeasible"}},
)
def assign_round(
    round_id: str,
    body: RoundAssign,
    driver: DriverDep,
    matcher: MatcherDep,
    settings: SettingsDep,
    _: WriteKey,
) -> ReviewResult:
    """Every item k reviewers, each reviewer at most L items, no conflicts; maximum total
    relevance (``exact``), or the worst-served first (``fair``, ``maxmin``); ``greedy`` is the
    baseline, and its figures come back beside the others'. A round that cannot be assigned is
    a 422 that says by how much."""
    svc = _svc(driver, matcher, settings.neo4j_database)
    proposal = svc.assign_round(
        round_id, solver=body.solver, k=body.k, max_load=body.max_load, per_item=body.per_item
    )
    saved = svc.save_round(proposal) if body.save else None
    return ReviewResult(id=round_id, saved_as=saved, proposal=_coded(proposal.to_dict()))


@router.get("/rounds", summary="Review rounds")
def list_rounds(driver: DriverDep, settings: SettingsDep, _: ReadKey) -> list[dict[str, Any]]:
    return RQ.list_rounds(driver, database=settings.neo4j_database)


@router.get("/rounds/{round_id}", summary="A review round, its items and stored assignment")
def read_round(
    round_id: str, driver: DriverDep, settings: SettingsDep, _: ReadKey
) -> dict[str, Any]:
    db = settings.neo4j_database
    info = RQ.load_round(driver, round_id, database=db)
    return {
        **asdict(info),
        "items": [asdict(i) for i in RQ.round_items(driver, round_id, database=db)],
        "assignment": RQ.round_assignment(driver, round_id, database=db),
    }


@router.get("/audits/{target_id}", summary="Audit records of an evaluation panel or a round")
def read_audits(
    target_id: str, driver: DriverDep, settings: SettingsDep, _: ReadKey
) -> list[dict[str, Any]]:
    return [asdict(a) for a in RQ.audits_for(driver, target_id, database=settings.neo4j_database)]
