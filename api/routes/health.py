"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.deps import DriverDep, SettingsDep
from graph_schema import GraphError, pending_migrations
from graph_schema.vectors import read_state

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    """Always 200 while the process serves requests."""
    return {"status": "ok"}


@router.get("/readyz", summary="Ready to serve: Neo4j reachable, schema current, model loaded")
def readyz(request: Request, driver: DriverDep, settings: SettingsDep) -> JSONResponse:
    """200 when every check passes, else 503 with the failing checks."""
    checks: dict[str, Any] = {}
    try:
        driver.verify_connectivity()
        checks["neo4j"] = "ok"
        pending = pending_migrations(driver, database=settings.neo4j_database)
        checks["migrations"] = "ok" if not pending else f"pending: {[m.version for m in pending]}"
        matcher = request.app.state.matcher
        if matcher is None or matcher.embedder is None:
            checks["model"] = "loading"
        else:
            state = read_state(driver, database=settings.neo4j_database)
            fp = matcher.embedder.fingerprint()
            checks["model"] = (
                "ok"
                if state and state.fingerprint == fp
                else (
                    f"vectors are of {state.fingerprint if state else 'no model'}, model is {fp}: run kexie embed"
                )
            )
    except (GraphError, OSError, Exception) as exc:  # any failure here means "not ready"
        checks.setdefault("neo4j", f"unreachable: {type(exc).__name__}")
    ready = (
        all(v == "ok" for v in checks.values())
        and {"neo4j", "migrations", "model"} <= checks.keys()
    )
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
        headers={} if ready else {"Retry-After": "5"},
    )
