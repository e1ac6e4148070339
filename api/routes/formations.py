"""Demands → teams, topics → panels, themes → consortia; their life cycle; batch assignment.

A create (``POST /v1/demands``, ``/v1/topics``) is all or nothing from the client's view: the
record is validated first (nothing written on a 422), its id is claimed atomically (an existing
id is a 409, never an overwrite), and when its first formation then fails the demand or topic
is deleted again before the error is answered.

Formations move along :data:`graph_schema.formation_queries.TRANSITIONS` (proposed → confirmed or
declined, confirmed → declined; declined is final); any other move is a 409. Each route of
``/v1/teams``, ``/v1/panels`` and ``/v1/consortia`` accepts only ids of its own kind (404).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response

from api.deps import DriverDep, MatcherDep, ReadKey, SettingsDep, WriteKey
from api.errors import ProblemError
from api.export import XLSX_MEDIA_TYPE, SheetLang, workbook_bytes
from api.formation_view import formation_json, labels_for, meeting_sheet, remember
from api.idempotency import IDEMPOTENCY_DOC, idempotent
from api.messages import with_codes
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
    NamePublic,
    Page,
    SwapRequest,
    TeamOptions,
    TeamResolve,
    TopicCreate,
    TopicDetail,
    TopicSummary,
)
from graph_schema import cases as C
from graph_schema.apikeys import ApiKey
from graph_schema.errors import AlreadyExistsError, GraphError
from graph_schema.formation_queries import (
    FormationKind,
    claim_request,
    discard_request,
    load_demand,
    load_topic,
    request_formations,
)
from graph_schema.loaders import load_records
from matcher.formation import FormationService
from matcher.retrieval import ExpertMatcher

router = APIRouter(prefix="/v1", tags=["formation"])

logger = logging.getLogger(__name__)


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/problem+json": {}}}


_CREATE_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    409: _problem(
        "`/problems/conflict`: the id exists (a create never overwrites; re-solve with "
        "`POST /v1/demands/{id}/teams`), or the Idempotency-Key was used with another body, or "
        "a request with it is still in progress (`Retry-After`)."
    ),
    422: _problem(
        "`/problems/validation-error` or `/problems/infeasible`; nothing was stored and the "
        "Idempotency-Key is released."
    ),
}
_MOVE_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    404: _problem("`/problems/not-found`: no formation of this route's kind has this id."),
    409: _problem("`/problems/conflict`: the move is not allowed from the current status."),
}
_STATES_DOC: Final = (
    "Status moves: `proposed` → `confirmed` or `declined`; `confirmed` → `declined` (called "
    "off). `declined` is final (its members' load is freed); propose a new one instead. Moving to "
    "the status it already has changes nothing and answers 200; any other move is a 409."
)


#: Text search of the list endpoints.
SearchText = Annotated[
    str | None, Query(max_length=200, description="Text to look for (case-insensitive).")
]
#: Status filter of the demand and topic lists.
RequestStatus = Annotated[
    Literal["open", "proposed", "confirmed", "declined"] | None,
    Query(description="Only those with a team/panel of this status; `open`: none yet."),
]


def _created(
    driver: Any, kind: str, request_id: str, formation_id: str, proposal: Any, database: str
) -> FormationCreated:
    """The answer to a create, after keeping the proposal on the saved formation."""
    data = _json(proposal.to_dict())
    remember(driver, formation_id, data, database)
    return FormationCreated(
        request_id=request_id,
        formation_id=formation_id,
        proposal=data,
        labels={
            k: NamePublic.model_validate(v)
            for k, v in labels_for(driver, kind, data, database).items()
        },
    )


def _json(obj: Any) -> dict[str, Any]:
    """JSON-ready, with the codes of the matcher's sentences beside them (api/messages.py)."""
    data: dict[str, Any] = jsonable_encoder(with_codes(jsonable_encoder(obj)))
    return data


def service(driver: Any, matcher: ExpertMatcher, database: str) -> FormationService:
    return FormationService(driver, matcher.embedder, database=database, matcher=matcher)


def _write_record(
    driver: Any, kind: str, record: dict[str, Any], database: str, *, dry_run: bool = False
) -> None:
    """Write the demand/topic through the importer's validation; rejects become 422.

    With ``dry_run`` the record is validated and its references checked, nothing is written.
    """
    _, rejects = load_records(
        driver, kind, [(0, record)], source="api", database=database, dry_run=dry_run
    )
    if rejects:
        raise ProblemError(
            "validation-error",
            "; ".join(f"{r.field or 'body'}: {r.reason}" for r in rejects),
            errors=[{"field": r.field or "body", "message": r.reason} for r in rejects],
        )


def _create_request(
    driver: Any,
    kind: Literal["demand", "topic"],
    record: dict[str, Any],
    database: str,
    formation: Callable[[], FormationCreated],
) -> tuple[int, FormationCreated]:
    """Store a new demand or topic and its first formation, all or nothing.

    Raises:
        ProblemError: the record is invalid (422, nothing written).
        ProblemError: the id is taken (409, nothing changed).
        Whatever ``formation`` raises, after the new demand or topic has been deleted again.
    """
    record = {k: v for k, v in record.items() if v not in (None, [])}
    _write_record(driver, f"{kind}s", record, database, dry_run=True)
    try:
        claim_request(driver, kind, record["id"], database=database)
    except AlreadyExistsError as exc:
        again = " (re-solve with `POST /v1/demands/{id}/teams`)" if kind == "demand" else ""
        raise ProblemError(
            "conflict", f"{exc}; a create never overwrites an existing {kind}{again}"
        ) from exc
    try:
        _write_record(driver, f"{kind}s", record, database)
        return 201, formation()
    except BaseException:
        try:
            discard_request(driver, kind, record["id"], database=database)
        except GraphError:
            logger.exception("Could not delete %s %s after its create failed", kind, record["id"])
        raise


@router.get(
    "/demands", response_model=Page[DemandSummary], summary="List demands (cursor pagination)"
)
def list_demands(
    driver: DriverDep,
    settings: SettingsDep,
    _: ReadKey,
    limit: Limit = 50,
    cursor: Cursor = None,
    q: SearchText = None,
    status: RequestStatus = None,
) -> Page[DemandSummary]:
    """Demands by id, each with its enterprise and the teams proposed for it; `q` searches the
    title, text and enterprise name, `status` keeps demands with a team of that status
    (`open`: no team yet)."""
    after = decode_cursor(cursor) if cursor else ""
    rows = C.page_requests(
        driver,
        "demand",
        after=after,
        q=q,
        status=status,
        limit=limit + 1,
        database=settings.neo4j_database,
    )
    return keyset_page([DemandSummary.model_validate(r) for r in rows], limit, lambda x: x.id)


@router.get("/demands/{demand_id}", response_model=DemandDetail, summary="One demand and its teams")
def read_demand(
    demand_id: str, driver: DriverDep, settings: SettingsDep, _: ReadKey
) -> DemandDetail:
    d = load_demand(driver, demand_id, database=settings.neo4j_database)
    teams = request_formations(driver, demand_id, database=settings.neo4j_database)
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
    driver: DriverDep,
    settings: SettingsDep,
    _: ReadKey,
    limit: Limit = 50,
    cursor: Cursor = None,
    q: SearchText = None,
    status: RequestStatus = None,
) -> Page[TopicSummary]:
    """Government topics by id, each with the panels proposed for it; `q` searches the title,
    text and issuer, `status` keeps topics with a panel of that status (`open`: none yet)."""
    after = decode_cursor(cursor) if cursor else ""
    rows = C.page_requests(
        driver,
        "topic",
        after=after,
        q=q,
        status=status,
        limit=limit + 1,
        database=settings.neo4j_database,
    )
    return keyset_page([TopicSummary.model_validate(r) for r in rows], limit, lambda x: x.id)


@router.get("/topics/{topic_id}", response_model=TopicDetail, summary="One topic and its panels")
def read_topic(topic_id: str, driver: DriverDep, settings: SettingsDep, _: ReadKey) -> TopicDetail:
    t = load_topic(driver, topic_id, database=settings.neo4j_database)
    panels = request_formations(driver, topic_id, database=settings.neo4j_database)
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
    responses=_CREATE_RESPONSES,
    description=(
        "Stores the demand, proposes a team that covers every skill, respects conflicts of "
        "interest, load, seniority and the institution cap, and saves it as `proposed`.\n\n"
        "All or nothing: when the team cannot be formed (422) the demand is not stored either. "
        "An `id` that exists is a 409 (never an overwrite); re-solve an existing demand's team "
        "with `POST /v1/demands/{id}/teams`.\n\n" + IDEMPOTENCY_DOC
    ),
)
def create_demand(
    request: Request,
    body: DemandCreate,
    driver: DriverDep,
    matcher: MatcherDep,
    settings: SettingsDep,
    key: WriteKey,
) -> JSONResponse:
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
        svc = service(driver, matcher, settings.neo4j_database)
        return _create_request(
            driver,
            "demand",
            record,
            settings.neo4j_database,
            lambda: _team(svc, demand_id, body.team, settings.neo4j_database),
        )

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
    svc = service(driver, matcher, settings.neo4j_database)
    return _team(svc, demand_id, opts, settings.neo4j_database)


def _team(
    svc: FormationService, demand_id: str, opts: TeamOptions, database: str
) -> FormationCreated:
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
        pool_size=opts.pool_size,
    )
    team_id = svc.save_team(proposal)
    return _created(svc.driver, "team", demand_id, team_id, proposal, database)


@router.post(
    "/teams/{team_id}/swap",
    summary="Replacement options for one member (or apply one), the rest fixed",
    responses={404: _MOVE_RESPONSES[404]},
)
def swap(
    team_id: str,
    body: SwapRequest,
    driver: DriverDep,
    matcher: MatcherDep,
    settings: SettingsDep,
    key: WriteKey,
) -> dict[str, Any]:
    """Never proposes a replacement that breaks a hard constraint."""
    svc = service(driver, matcher, settings.neo4j_database)
    if body.add:
        svc.apply_swap(team_id, body.remove, body.add)
        return {
            "team_id": team_id,
            "applied": {"removed": body.remove, "added": body.add},
            "team": _view(svc, team_id, "team", key, settings.neo4j_database),
        }
    return _json(svc.swap_member(team_id, body.remove, n=body.n).to_dict())


@router.post(
    "/topics",
    status_code=201,
    response_model=FormationCreated,
    summary="Post a government topic; get a proposed think-tank panel",
    responses=_CREATE_RESPONSES,
    description=(
        "Stores the topic and proposes a panel under explicit quotas (seniority, young "
        "scientists, enterprise and academic voices, disciplines, institution cap), with "
        "diversity and rotation.\n\nAll or nothing: when the panel cannot be formed (422) the "
        "topic is not stored either. An `id` that exists is a 409 (never an overwrite).\n\n"
        + IDEMPOTENCY_DOC
    ),
)
def create_topic(
    request: Request,
    body: TopicCreate,
    driver: DriverDep,
    matcher: MatcherDep,
    settings: SettingsDep,
    key: WriteKey,
) -> JSONResponse:
    def create() -> tuple[int, FormationCreated]:
        topic_id = body.id or f"top-{uuid.uuid4().hex[:10]}"
        record = {
            "id": topic_id,
            "title": body.title,
            "text": body.text,
            "issuer": body.issuer,
            "disciplines": body.disciplines,
        }
        return _create_request(
            driver, "topic", record, settings.neo4j_database, lambda: panel(topic_id)
        )

    def panel(topic_id: str) -> FormationCreated:
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
        return _created(driver, "panel", topic_id, panel_id, proposal, settings.neo4j_database)

    return idempotent(
        request, driver, key, body.model_dump(), create, database=settings.neo4j_database
    )


@router.post(
    "/consortia",
    status_code=201,
    response_model=FormationCreated,
    summary="Propose a cross-disciplinary consortium for a theme",
    responses={409: _CREATE_RESPONSES[409]},
    description=(
        "Industry + university + research organisations that together cover the theme's "
        "disciplines, preferring existing ties; each member's contribution explained.\n\n"
        + IDEMPOTENCY_DOC
    ),
)
def create_consortium(
    request: Request,
    body: ConsortiumCreate,
    driver: DriverDep,
    matcher: MatcherDep,
    settings: SettingsDep,
    key: WriteKey,
) -> JSONResponse:
    def create() -> tuple[int, FormationCreated]:
        svc = service(driver, matcher, settings.neo4j_database)
        proposal = svc.propose_consortium(
            body.theme,
            disciplines=body.disciplines or None,
            max_size=body.max_size,
            min_size=min(body.min_size, body.max_size),
        )
        cid = svc.save_consortium(proposal)
        return 201, _created(
            driver, "consortium", body.theme, cid, proposal, settings.neo4j_database
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


def _add_formation_routes(kind: FormationKind, plural: str) -> None:
    """GET, confirm, decline and feedback for one kind; ids of other kinds are 404 here."""

    def read_formation(
        formation_id: str,
        driver: DriverDep,
        matcher: MatcherDep,
        settings: SettingsDep,
        key: ReadKey,
    ) -> dict[str, Any]:
        svc = service(driver, matcher, settings.neo4j_database)
        return _view(svc, formation_id, kind, key, settings.neo4j_database)

    def export_xlsx(
        formation_id: str,
        driver: DriverDep,
        matcher: MatcherDep,
        settings: SettingsDep,
        key: ReadKey,
        lang: Annotated[
            SheetLang, Query(description="Language of the sheet: `zh` (default) or `en`.")
        ] = "zh",
    ) -> Response:
        svc = service(driver, matcher, settings.neo4j_database)
        rec = svc.get(formation_id, kind=kind)
        sheet = meeting_sheet(driver, rec, key, lang, settings.neo4j_database)
        data = workbook_bytes(sheet, sheet_title=formation_id)
        return Response(
            data,
            media_type=XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{formation_id}.xlsx"'},
        )

    def confirm(
        formation_id: str,
        driver: DriverDep,
        matcher: MatcherDep,
        settings: SettingsDep,
        key: WriteKey,
    ) -> dict[str, Any]:
        svc = service(driver, matcher, settings.neo4j_database)
        svc.confirm(formation_id, kind=kind)
        return _view(svc, formation_id, kind, key, settings.neo4j_database)

    def decline(
        formation_id: str,
        driver: DriverDep,
        matcher: MatcherDep,
        settings: SettingsDep,
        key: WriteKey,
    ) -> dict[str, Any]:
        svc = service(driver, matcher, settings.neo4j_database)
        svc.decline(formation_id, kind=kind)
        return _view(svc, formation_id, kind, key, settings.neo4j_database)

    def feedback(
        formation_id: str,
        body: FeedbackCreate,
        driver: DriverDep,
        matcher: MatcherDep,
        settings: SettingsDep,
        key: WriteKey,
    ) -> dict[str, Any]:
        svc = service(driver, matcher, settings.neo4j_database)
        svc.feedback(
            formation_id,
            body.member,
            accepted=body.accepted,
            rating=body.rating,
            comment=body.comment,
            kind=kind,
        )
        return _view(svc, formation_id, kind, key, settings.neo4j_database)

    not_found: dict[int | str, dict[str, Any]] = {404: _MOVE_RESPONSES[404]}
    router.add_api_route(
        f"/{plural}/{{formation_id}}",
        read_formation,
        methods=["GET"],
        summary=f"A saved {kind}",
        description=(
            f"A saved {kind} with its members, status and feedback; `proposal` is the proposal "
            "it was saved from, with every reason (null when its members changed since), "
            "`request` the demand, topic or theme, `labels` display names (`name`, `name_en`) "
            "of the ids and codes it refers to, `members_info` each member's title and "
            "institution (email and phone only for keys with the `contact` scope)."
        ),
        responses=not_found,
        name=f"read_{kind}",
    )
    router.add_api_route(
        f"/{plural}/{{formation_id}}/export.xlsx",
        export_xlsx,
        methods=["GET"],
        summary=f"A saved {kind} as an Excel meeting sheet",
        description=(
            "The request, date, status and every member with title, institution and the "
            "reasons, as .xlsx; contact columns only for keys with the `contact` scope. Text "
            "is never written as a formula."
        ),
        responses=not_found | {200: {"content": {XLSX_MEDIA_TYPE: {}}}},
        response_class=Response,
        name=f"export_{kind}",
    )
    router.add_api_route(
        f"/{plural}/{{formation_id}}/confirm",
        confirm,
        methods=["POST"],
        summary=f"Confirm a {kind}",
        description=f"Staff confirm the proposed {kind}.\n\n{_STATES_DOC}",
        responses=_MOVE_RESPONSES,
        name=f"confirm_{kind}",
    )
    router.add_api_route(
        f"/{plural}/{{formation_id}}/decline",
        decline,
        methods=["POST"],
        summary=f"Decline a {kind}",
        description=f"Staff decline the {kind}; its members' load is freed.\n\n{_STATES_DOC}",
        responses=_MOVE_RESPONSES,
        name=f"decline_{kind}",
    )
    router.add_api_route(
        f"/{plural}/{{formation_id}}/feedback",
        feedback,
        methods=["POST"],
        summary=f"Feedback on a {kind} member",
        description=(
            "Feedback enters later rankings: a decline keeps the expert off later teams for the "
            "same demand; ratings shift the expert's graph prior."
        ),
        responses=not_found,
        name=f"feedback_{kind}",
    )


def _view(
    svc: FormationService, formation_id: str, kind: FormationKind, key: ApiKey, database: str
) -> dict[str, Any]:
    return formation_json(svc.driver, svc.get(formation_id, kind=kind), key, database)


_KINDS: Final[tuple[tuple[FormationKind, str], ...]] = (
    ("team", "teams"),
    ("panel", "panels"),
    ("consortium", "consortia"),
)
for _kind, _plural in _KINDS:
    _add_formation_routes(_kind, _plural)
