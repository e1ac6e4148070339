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
from api.pagination import Cursor, Limit, decode_cursor, keyset_page
from api.schemas import (
    AssignmentCreate,
    ConsortiumCreate,
    DemandCreate,
    DemandDetail,
    DemandSummary,
    Discipline,
    FeedbackCreate,
    FormationCreated,
    FormationRef,
    Page,
    SwapRequest,
    TeamOptions,
    TeamResolve,
    TopicCreate,
    TopicDetail,
    TopicSummary,
)
from graph_schema import formation as F
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


@router.get(
    "/demands", response_model=Page[DemandSummary], summary="List demands (cursor pagination)"
)
def list_demands(
    driver: DriverDep, settings: SettingsDep, _: ReadKey, limit: Limit = 50, cursor: Cursor = None
) -> Page[DemandSummary]:
    """Demands by id, each with its enterprise and the teams proposed for it."""
    after = decode_cursor(cursor) if cursor else ""
    rows = F.page_requests(
        driver, "demand", after=after, limit=limit + 1, database=settings.neo4j_database
    )
    return keyset_page([DemandSummary.model_validate(r) for r in rows], limit, lambda x: x.id)


@router.get("/demands/{demand_id}", response_model=DemandDetail, summary="One demand and its teams")
def read_demand(
    demand_id: str, driver: DriverDep, settings: SettingsDep, _: ReadKey
) -> DemandDetail:
    d = F.load_demand(driver, demand_id, database=settings.neo4j_database)
    teams = F.request_formations(driver, demand_id, database=settings.neo4j_database)
    return DemandDetail(
        id=d.id,
        title=d.title,
        text=d.text,
        skills=list(d.skills),
        disciplines=[Discipline(code=c, name=n) for c, n in d.disciplines],
        enterprise_id=d.enterprise_id,
        enterprise_name=d.enterprise_name,
        district=d.district,
        district_name=d.district_name,
        teams=[FormationRef.model_validate(t) for t in teams],
    )


@router.get("/topics", response_model=Page[TopicSummary], summary="List topics (cursor pagination)")
def list_topics(
    driver: DriverDep, settings: SettingsDep, _: ReadKey, limit: Limit = 50, cursor: Cursor = None
) -> Page[TopicSummary]:
    """Government topics by id, each with the panels proposed for it."""
    after = decode_cursor(cursor) if cursor else ""
    rows = F.page_requests(
        driver, "topic", after=after, limit=limit + 1, database=settings.neo4j_database
    )
    return keyset_page([TopicSummary.model_validate(r) for r in rows], limit, lambda x: x.id)


@router.get("/topics/{topic_id}", response_model=TopicDetail, summary="One topic and its panels")
def read_topic(topic_id: str, driver: DriverDep, settings: SettingsDep, _: ReadKey) -> TopicDetail:
    t = F.load_topic(driver, topic_id, database=settings.neo4j_database)
    panels = F.request_formations(driver, topic_id, database=settings.neo4j_database)
    return TopicDetail(
        id=t.id,
        title=t.title,
        text=t.text,
        issuer=t.issuer,
        disciplines=[Discipline(code=c, name=n) for c, n in t.disciplines],
        panels=[FormationRef.model_validate(p) for p in panels],
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
    body: TeamResolve | None,
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
