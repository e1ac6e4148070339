"""Demands → teams, topics → panels, themes → consortia; their life cycle; batch assignment."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from api.deps import DriverDep, MatcherDep, ReadKey, SettingsDep, WriteKey
from api.errors import ProblemError
from api.idempotency import idempotent
from api.schemas import (
    AssignmentCreate,
    ConsortiumCreate,
    DemandCreate,
    FeedbackCreate,
    FormationCreated,
    SwapRequest,
    TeamOptions,
    TopicCreate,
)
from graph_schema.loaders import load_records
from matcher.formation import FormationService
from matcher.retrieval import ExpertMatcher

router = APIRouter(prefix="/v1", tags=["formation"])


def _json(obj: Any) -> dict[str, Any]:
    data: dict[str, Any] = jsonable_encoder(obj)
    return data


def service(driver: Any, matcher: ExpertMatcher, database: str) -> FormationService:
    return FormationService(driver, matcher.embedder, database=database, matcher=matcher)


def _write_record(driver: Any, kind: str, record: dict[str, Any], database: str) -> None:
    """Create the demand/topic through the importer's validation; rejects become 422."""
    _, rejects = load_records(driver, kind, [(0, record)], source="api", database=database)
    if rejects:
        raise ProblemError(
            "validation-error",
            "; ".join(f"{r.field or 'body'}: {r.reason}" for r in rejects),
            errors=[{"field": r.field or "body", "message": r.reason} for r in rejects],
        )


@router.post(
    "/demands",
    status_code=201,
    response_model=FormationCreated,
    summary="Post a demand; get a proposed expert service team",
)
def create_demand(
    request: Request,
    body: DemandCreate,
    driver: DriverDep,
    matcher: MatcherDep,
    settings: SettingsDep,
    key: WriteKey,
) -> JSONResponse:
    """Stores the demand, proposes a team that covers every skill, respects conflicts of
    interest, load, seniority and the institution cap, and saves it as `proposed`."""

    def create() -> tuple[int, FormationCreated]:
        demand_id = body.id or f"dem-{uuid.uuid4().hex[:10]}"
        record = {
            "id": demand_id,
            "title": body.title,
            "text": body.text,
            "enterprise": body.enterprise_id,
            "district": body.district,
            "disciplines": body.disciplines,
            "skills": body.skills,
        }
        _write_record(
            driver,
            "demands",
            {k: v for k, v in record.items() if v not in (None, [])},
            settings.neo4j_database,
        )
        svc = service(driver, matcher, settings.neo4j_database)
        return 201, _team(svc, demand_id, body.team)

    return idempotent(
        request, driver, key, body.model_dump(), create, database=settings.neo4j_database
    )


@router.post(
    "/demands/{demand_id}/teams",
    status_code=201,
    response_model=FormationCreated,
    summary="Re-solve the team of a demand (after edits, locks or exclusions)",
)
def resolve_team(
    demand_id: str,
    body: DemandCreate | None,
    driver: DriverDep,
    matcher: MatcherDep,
    settings: SettingsDep,
    _: WriteKey,
) -> FormationCreated:
    """The demand's stored text and enterprise are used; only `team` options of the body count."""
    opts = body.team if body else TeamOptions()
    return _team(service(driver, matcher, settings.neo4j_database), demand_id, opts)


def _team(svc: FormationService, demand_id: str, opts: TeamOptions) -> FormationCreated:
    """Propose a team for a stored demand with staff's options, and save it as proposed."""
    proposal = svc.propose_team(
        demand_id,
        skills=opts.skills or None,
        k_min=opts.k_min,
        k_max=opts.k_max,
        solver=opts.solver,
        locked=opts.locked,
        excluded=opts.excluded,
        min_senior=opts.min_senior,
        max_per_institution=opts.max_per_institution,
        use_locality=opts.use_locality,
    )
    team_id = svc.save_team(proposal)
    return FormationCreated(
        request_id=demand_id, formation_id=team_id, proposal=jsonable_encoder(proposal.to_dict())
    )


@router.post(
    "/teams/{team_id}/swap",
    summary="Replacement options for one member (or apply one), the rest fixed",
)
def swap(
    team_id: str,
    body: SwapRequest,
    driver: DriverDep,
    matcher: MatcherDep,
    settings: SettingsDep,
    _: WriteKey,
) -> dict[str, Any]:
    """Never proposes a replacement that breaks a hard constraint."""
    svc = service(driver, matcher, settings.neo4j_database)
    if body.add:
        svc.apply_swap(team_id, body.remove, body.add)
        return {
            "team_id": team_id,
            "applied": {"removed": body.remove, "added": body.add},
            "team": jsonable_encoder(asdict(svc.get(team_id))),
        }
    return _json(svc.swap_member(team_id, body.remove, n=body.n).to_dict())


@router.post(
    "/topics",
    status_code=201,
    response_model=FormationCreated,
    summary="Post a government topic; get a proposed think-tank panel",
)
def create_topic(
    request: Request,
    body: TopicCreate,
    driver: DriverDep,
    matcher: MatcherDep,
    settings: SettingsDep,
    key: WriteKey,
) -> JSONResponse:
    """Stores the topic and proposes a panel under explicit quotas (seniority, young scientists,
    enterprise and academic voices, disciplines, institution cap), with diversity and rotation."""

    def create() -> tuple[int, FormationCreated]:
        topic_id = body.id or f"top-{uuid.uuid4().hex[:10]}"
        record = {
            "id": topic_id,
            "title": body.title,
            "text": body.text,
            "issuer": body.issuer,
            "disciplines": body.disciplines,
        }
        _write_record(
            driver,
            "topics",
            {k: v for k, v in record.items() if v not in (None, [])},
            settings.neo4j_database,
        )
        svc = service(driver, matcher, settings.neo4j_database)
        p = body.panel
        proposal = svc.propose_panel(
            topic_id,
            size=p.size,
            quota_counts=p.quota_counts or None,
            young_age_max=p.young_age_max,
            locked=p.locked,
            excluded=p.excluded,
            conflict_with=p.conflict_with,
            max_prior_share=p.max_prior_share,
            lottery_q=p.lottery_q,
            seed=p.seed,
            relax=p.relax,
        )
        panel_id = svc.save_panel(proposal)
        return 201, FormationCreated(
            request_id=topic_id,
            formation_id=panel_id,
            proposal=jsonable_encoder(proposal.to_dict()),
        )

    return idempotent(
        request, driver, key, body.model_dump(), create, database=settings.neo4j_database
    )


@router.post(
    "/consortia",
    status_code=201,
    response_model=FormationCreated,
    summary="Propose a cross-disciplinary consortium for a theme",
)
def create_consortium(
    request: Request,
    body: ConsortiumCreate,
    driver: DriverDep,
    matcher: MatcherDep,
    settings: SettingsDep,
    key: WriteKey,
) -> JSONResponse:
    """Industry + university + research organisations that together cover the theme's
    disciplines, preferring existing ties; each member's contribution explained."""

    def create() -> tuple[int, FormationCreated]:
        svc = service(driver, matcher, settings.neo4j_database)
        proposal = svc.propose_consortium(
            body.theme,
            disciplines=body.disciplines or None,
            max_size=body.max_size,
            min_size=min(body.min_size, body.max_size),
        )
        cid = svc.save_consortium(proposal)
        return 201, FormationCreated(
            request_id=body.theme, formation_id=cid, proposal=jsonable_encoder(proposal.to_dict())
        )

    return idempotent(
        request, driver, key, body.model_dump(), create, database=settings.neo4j_database
    )


@router.post(
    "/assignments", summary="Staff many demands at once: global optimum vs one-by-one greedy"
)
def assign(
    body: AssignmentCreate,
    driver: DriverDep,
    matcher: MatcherDep,
    settings: SettingsDep,
    _: WriteKey,
) -> dict[str, Any]:
    svc = service(driver, matcher, settings.neo4j_database)
    result = svc.assign_batch(
        body.demand_ids, team_min=body.team_min, team_max=max(body.team_min, body.team_max)
    )
    return _json(result.to_dict())


def read_formation(
    formation_id: str, driver: DriverDep, matcher: MatcherDep, settings: SettingsDep, _: ReadKey
) -> dict[str, Any]:
    """A saved proposal with its members, status and feedback."""
    return _json(asdict(service(driver, matcher, settings.neo4j_database).get(formation_id)))


def confirm(
    formation_id: str, driver: DriverDep, matcher: MatcherDep, settings: SettingsDep, _: WriteKey
) -> dict[str, Any]:
    """Staff confirm the proposal."""
    svc = service(driver, matcher, settings.neo4j_database)
    svc.confirm(formation_id)
    return _json(asdict(svc.get(formation_id)))


def decline(
    formation_id: str, driver: DriverDep, matcher: MatcherDep, settings: SettingsDep, _: WriteKey
) -> dict[str, Any]:
    """Staff decline the proposal; its members' load is freed."""
    svc = service(driver, matcher, settings.neo4j_database)
    svc.decline(formation_id)
    return _json(asdict(svc.get(formation_id)))


def feedback(
    formation_id: str,
    body: FeedbackCreate,
    driver: DriverDep,
    matcher: MatcherDep,
    settings: SettingsDep,
    _: WriteKey,
) -> dict[str, Any]:
    """Feedback enters later rankings: a decline keeps the expert off later teams for the same
    demand; ratings shift the expert's graph prior."""
    svc = service(driver, matcher, settings.neo4j_database)
    svc.feedback(
        formation_id, body.member, accepted=body.accepted, rating=body.rating, comment=body.comment
    )
    return _json(asdict(svc.get(formation_id)))


for _kind, _noun in (("teams", "team"), ("panels", "panel"), ("consortia", "consortium")):
    router.add_api_route(
        f"/{_kind}/{{formation_id}}",
        read_formation,
        methods=["GET"],
        summary=f"A saved {_noun}",
        name=f"read_{_noun}",
    )
    router.add_api_route(
        f"/{_kind}/{{formation_id}}/confirm",
        confirm,
        methods=["POST"],
        summary=f"Confirm a {_noun}",
        name=f"confirm_{_noun}",
    )
    router.add_api_route(
        f"/{_kind}/{{formation_id}}/decline",
        decline,
        methods=["POST"],
        summary=f"Decline a {_noun}",
        name=f"decline_{_noun}",
    )
    router.add_api_route(
        f"/{_kind}/{{formation_id}}/feedback",
        feedback,
        methods=["POST"],
        summary=f"Feedback on a {_noun} member",
        name=f"feedback_{_noun}",
    )
