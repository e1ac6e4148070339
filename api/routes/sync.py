"""Sync from the platform: bulk upsert of records through the same validation as file import."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from api.deps import DriverDep, SettingsDep, WriteKey
from api.errors import ProblemError
from api.idempotency import idempotent
from api.schemas import SyncRecordResult, SyncReject, SyncRequest, SyncResult
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
    """Same validation, reference checks and semantics as `kexie import`.

    - **Patch semantics**: a field left out of a record leaves the stored value alone; `null`
      (or `""`, `[]`) clears it. A scientist's `institution` becomes their one current
      affiliation (the former ones are kept, not current); a publication's `contributors`
      are replaced only when given; a demand has one posting `enterprise`.
    - **Per-record answers** (`records`): each record `created`, `changed` (with the fields),
      `unchanged` or `rejected` (field and reason). Re-sending a record changes nothing.
    - **Atomicity**: records are validated one by one; the valid ones are written in
      transactions of up to 1,000 and a failed transaction writes none of its records (they
      come back rejected, with the reason). A request is never answered 500 after a write:
      if Neo4j fails part-way, the records of the transactions that committed are answered
      as written and the rest as rejected.
    - `dry_run`: everything is checked as if written, nothing is."""
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
            keep_outcomes=True,
        )
        answers = [
            SyncRecordResult(index=o.line, key=o.key, outcome=o.outcome, changed=list(o.changed))  # type: ignore[arg-type]
            for o in report.outcomes
        ] + [
            SyncRecordResult(
                index=r.line, key=r.key, outcome="rejected", field=r.field, reason=r.reason
            )
            for r in rejects
        ]
        return 200, SyncResult(
            kind=kind,
            received=report.read,
            accepted=report.loaded,
            rejected=report.rejected,
            rejects=[
                SyncReject(index=r.line, field=r.field, reason=r.reason, key=r.key) for r in rejects
            ],
            created=report.nodes_created + report.relationships_created,
            records=sorted(answers, key=lambda a: a.index),
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
