"""Sync from the platform: bulk upsert of records through the same validation as file import."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from api.deps import DriverDep, SettingsDep, WriteKey
from api.errors import ProblemError
from api.idempotency import idempotent
from api.schemas import SyncReject, SyncRequest, SyncResult
from graph_schema.loaders import load_records
from graph_schema.models import RECORD_KINDS

router = APIRouter(prefix="/v1/sync", tags=["sync"])

KINDS = [k.stem for k in RECORD_KINDS]


@router.post(
    "/{kind}",
    response_model=SyncResult,
    summary="Upsert records of one kind (scientists, publications, memberships, …)",
    responses={200: {"description": "Per record: accepted or rejected, and why."}},
)
def sync_records(
    request: Request,
    body: SyncRequest,
    driver: DriverDep,
    settings: SettingsDep,
    key: WriteKey,
    kind: str = Path(description=f"Record kind: one of {', '.join(KINDS)}."),
) -> JSONResponse:
    """Same validation, reference checks and MERGE semantics as `kexie import`: re-sending a
    record changes nothing; each rejected record is named by its index with the field and
    reason; a failed batch writes nothing."""
    if kind not in KINDS:
        raise ProblemError("not-found", f"unknown record kind {kind!r}; one of {', '.join(KINDS)}")

    def create() -> tuple[int, SyncResult]:
        report, rejects = load_records(
            driver,
            kind,
            ((i, r) for i, r in enumerate(body.records)),
            source="api",
            database=settings.neo4j_database,
            dry_run=body.dry_run,
        )
        return 200, SyncResult(
            kind=kind,
            received=report.read,
            accepted=report.loaded,
            rejected=report.rejected,
            rejects=[
                SyncReject(index=r.line, field=r.field, reason=r.reason, key=r.key) for r in rejects
            ],
            created=report.nodes_created + report.relationships_created,
            dry_run=body.dry_run,
        )

    return idempotent(
        request,
        driver,
        key,
        {"kind": kind, **body.model_dump()},
        create,
        database=settings.neo4j_database,
    )
