"""The OpenAPI document, completed: every error an operation can answer is documented as an
``application/problem+json`` response, with the headers it carries.

FastAPI documents only 200 and its own 422 (as ``application/json``); our handlers answer
problems (:mod:`api.errors`). Which statuses an operation can answer follows from what it is:
any ``/v1`` operation needs a key (401, 403, 429) and the graph (503); one with a body can be
too large (413) or malformed (400); one that names a resource (in its path, or a demand or
society in its query or body) can miss it (404); a creation
or a state change can conflict (409).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.errors import PROBLEMS
from api.schemas import Problem

__all__ = ["document_problems"]

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "string"},
    }
}
_WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "description": 'The authentication scheme: `Bearer realm="kexie"`.',
        "schema": {"type": "string"},
    }
}
#: Statuses whose problems carry a header, and the header.
_HEADERS: dict[int, dict[str, Any]] = {401: _WWW_AUTHENTICATE, 429: _RETRY_AFTER, 503: _RETRY_AFTER}
#: Tags of operations that create or change state (Idempotency-Key reuse, a move not allowed).
_CHANGING_TAGS = frozenset({"formation", "sync"})
#: Tags of operations whose query or body names graph objects (a society, a demand) that may
#: not exist.
_NAMING_TAGS = _CHANGING_TAGS | {"analytics"}


def _titles() -> dict[int, str]:
    titles: dict[int, list[str]] = {}
    for slug, (status, title, _) in PROBLEMS.items():
        titles.setdefault(status, []).append(f"{title} (`/problems/{slug}`)")
    return {status: "; ".join(ts) for status, ts in titles.items()}


def _statuses(path: str, method: str, op: dict[str, Any]) -> set[int]:
    statuses = {422} if "422" in op.get("responses", {}) else set()
    if path == "/readyz":
        statuses.add(503)
    if not path.startswith("/v1/"):
        return statuses
    statuses |= {422, 503}
    if op.get("security"):
        statuses |= {401, 403, 429}
    if "requestBody" in op:
        statuses |= {400, 413}
    tags = set(op.get("tags", []))
    changing = bool(_CHANGING_TAGS & tags)
    if "{" in path or _NAMING_TAGS & tags:
        statuses.add(404)
    if changing and method == "post":
        statuses.add(409)
    return statuses


def _complete(spec: dict[str, Any]) -> dict[str, Any]:
    titles = _titles()
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            responses = op.setdefault("responses", {})
            for status in sorted(_statuses(path, method, op)):
                response: dict[str, Any] = {
                    "description": titles[status],
                    "content": {"application/problem+json": {"schema": _PROBLEM_REF}},
                }
                if status in _HEADERS:
                    response["headers"] = _HEADERS[status]
                responses[str(status)] = response
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    text = json.dumps(spec["paths"])
    for unused in ("HTTPValidationError", "ValidationError"):
        if f"#/components/schemas/{unused}" not in text:
            schemas.pop(unused, None)
    return spec


def document_problems(app: FastAPI) -> None:
    """Make ``app.openapi()`` document the problem responses (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _complete(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    openapi_version=app.openapi_version,
                    description=app.description,
                    routes=app.routes,
                    tags=app.openapi_tags,
                    servers=app.servers,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
