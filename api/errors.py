"""RFC 9457 problem details: every error the API answers is ``application/problem+json``.

Each problem has a stable ``type`` (``/problems/<slug>``, documented at that path), a
``title``, the HTTP ``status``, a ``detail`` for this occurrence, and extension members:
``errors`` (validation: each with the field path), ``reasons`` and ``advice`` (infeasible).
"""

from __future__ import annotations

import logging
from typing import Any, Final

import neo4j
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.messages import code_of
from graph_schema.errors import ConflictError, GraphUnavailableError, NotFoundError
from matcher.errors import (
    EmbeddingError,
    EmbeddingsStaleError,
    InfeasibleError,
    InvalidProblemError,
    MatchValidationError,
)

__all__ = ["PROBLEMS", "problem", "ProblemError", "install_handlers"]

logger = logging.getLogger(__name__)

#: slug -> (status, title, what it means)
PROBLEMS: Final[dict[str, tuple[int, str, str]]] = {
    "validation-error": (
        422,
        "The request is not valid",
        "A field is missing, malformed or out of range; `errors` names each field.",
    ),
    "infeasible": (
        422,
        "The constraints cannot all be met",
        "`reasons` say which constraint fails and why; `advice` says what to relax.",
    ),
    "unauthorized": (
        401,
        "Missing or invalid API key",
        "Send a valid key in `X-API-Key` or `Authorization: Bearer`.",
    ),
    "forbidden": (
        403,
        "The API key lacks a scope",
        "The key is valid but its scopes do not allow this operation.",
    ),
    "not-found": (404, "Not found", "The resource does not exist."),
    "conflict": (
        409,
        "Conflict",
        "The request conflicts with the current state: an id that exists on create, a status "
        "move the formation's state machine does not allow, an Idempotency-Key reused with "
        "another body or still in progress (retry after `Retry-After` seconds).",
    ),
    "payload-too-large": (
        413,
        "Request too large",
        "The body exceeds the size limit of this endpoint.",
    ),
    "rate-limited": (
        429,
        "Too many requests",
        "The key's rate limit is exhausted; retry after `Retry-After` seconds.",
    ),
    "graph-unavailable": (
        503,
        "The graph database is unavailable",
        "Neo4j cannot be reached; retry after `Retry-After` seconds.",
    ),
    "model-unavailable": (
        503,
        "The embedding model is not ready",
        "The model is loading, failed, or the graph's vectors are stale.",
    ),
    "internal": (500, "Internal error", "An unexpected error; it has been logged."),
    "http-error": (400, "HTTP error", "A protocol-level error."),
}


class ProblemError(Exception):
    """Raise in a route or dependency to answer with a problem."""

    def __init__(
        self, slug: str, detail: str = "", *, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail or slug)
        self.slug = slug
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def problem(
    slug: str,
    detail: str = "",
    *,
    status: int | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    code, title, _ = PROBLEMS[slug]
    body = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status or code,
        "detail": detail,
        **extra,
    }
    return JSONResponse(
        body, status_code=status or code, headers=headers, media_type="application/problem+json"
    )


def _loc(loc: tuple[Any, ...] | list[Any]) -> str:
    # A key of the request (an unknown field) may be unencodable text: escape it so the
    # problem can still be sent.
    path = ".".join(str(p) for p in loc if p not in ("body",)) or "body"
    return path.encode("utf-8", "backslashreplace").decode()


def install_handlers(app: FastAPI) -> None:
    """Map every exception to a problem; nothing escapes as a bare 500 page."""

    @app.exception_handler(ProblemError)
    async def _problem(_: Request, exc: ProblemError) -> JSONResponse:
        return problem(exc.slug, exc.detail, headers=exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _loc(e["loc"]), "message": e["msg"], "type": e["type"]} for e in exc.errors()
        ]
        return problem(
            "validation-error",
            "; ".join(f"{e['field']}: {e['message']}" for e in errors),
            errors=errors,
        )

    @app.exception_handler(MatchValidationError)
    async def _match_validation(_: Request, exc: MatchValidationError) -> JSONResponse:
        errors = [
            {"field": _loc(e.get("loc", [])), "message": str(e.get("msg"))}
            if isinstance(e, dict)
            else {"field": "body", "message": str(e)}
            for e in exc.errors
        ]
        return problem("validation-error", str(exc), errors=errors)

    @app.exception_handler(InfeasibleError)
    async def _infeasible(_: Request, exc: InfeasibleError) -> JSONResponse:
        return problem(
            "infeasible",
            str(exc),
            reasons=[str(r) for r in exc.reasons],
            reasons_codes=[code_of(r) for r in exc.reasons],
            advice=exc.advice,
            advice_codes=[code_of(a) for a in exc.advice_items],
        )

    @app.exception_handler(InvalidProblemError)
    async def _invalid(_: Request, exc: InvalidProblemError) -> JSONResponse:
        return problem(
            "validation-error", str(exc), errors=[{"field": "body", "message": str(exc)}]
        )

    @app.exception_handler(NotFoundError)
    async def _not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return problem("not-found", str(exc))

    @app.exception_handler(ConflictError)
    async def _conflict(_: Request, exc: ConflictError) -> JSONResponse:
        return problem("conflict", str(exc))

    @app.exception_handler(GraphUnavailableError)
    async def _graph_down(_: Request, exc: GraphUnavailableError) -> JSONResponse:
        return problem(
            "graph-unavailable", "Neo4j is unreachable; retry shortly", headers={"Retry-After": "5"}
        )

    async def _driver_down(_: Request, exc: Exception) -> JSONResponse:
        return problem(
            "graph-unavailable", "Neo4j is unreachable; retry shortly", headers={"Retry-After": "5"}
        )

    # Registered by class (not only in the catch-all below): Starlette re-raises what the
    # catch-all handles, and uvicorn then closes the keep-alive connection under the client.
    # DatabaseUnavailable: the server answers but its database is stopping or starting.
    for exc_class in (
        neo4j.exceptions.ServiceUnavailable,
        neo4j.exceptions.SessionExpired,
        neo4j.exceptions.DatabaseUnavailable,
    ):
        app.add_exception_handler(exc_class, _driver_down)

    @app.exception_handler(EmbeddingsStaleError)
    async def _stale(_: Request, exc: EmbeddingsStaleError) -> JSONResponse:
        return problem("model-unavailable", str(exc), headers={"Retry-After": "60"})

    @app.exception_handler(EmbeddingError)
    async def _model(_: Request, exc: EmbeddingError) -> JSONResponse:
        return problem("model-unavailable", str(exc), headers={"Retry-After": "60"})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {
            401: "unauthorized",
            403: "forbidden",
            404: "not-found",
            409: "conflict",
            413: "payload-too-large",
            429: "rate-limited",
        }.get(exc.status_code, "http-error")
        return problem(
            slug, str(exc.detail), status=exc.status_code, headers=dict(exc.headers or {})
        )

    @app.exception_handler(Exception)
    async def _internal(_: Request, exc: Exception) -> JSONResponse:
        import neo4j

        # DatabaseUnavailable: the server answers but its database is stopping or starting.
        if isinstance(
            exc,
            (
                neo4j.exceptions.ServiceUnavailable,
                neo4j.exceptions.SessionExpired,
                neo4j.exceptions.DatabaseUnavailable,
            ),
        ):
            return problem(
                "graph-unavailable",
                "Neo4j is unreachable; retry shortly",
                headers={"Retry-After": "5"},
            )
        logger.exception("Unhandled error")
        return problem("internal", "unexpected error; see the server log")
