"""``Idempotency-Key`` for POSTs that create things.

The first response to a key (per API key) is stored in the graph with a hash of the request
body; a retry with the same key and body gets the stored response again (with
``Idempotent-Replayed: true``) and nothing is created twice; the same key with another body is
a 409 conflict. Stored in the graph, so it holds across API workers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import neo4j
from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from api.errors import ProblemError
from graph_schema.apikeys import ApiKey, IdempotencyRecord, read_idempotency, write_idempotency

__all__ = ["idempotent"]

MAX_KEY = 200


def idempotent(
    request: Request,
    driver: neo4j.Driver,
    key: ApiKey,
    body: Any,
    create: Callable[[], tuple[int, Any]],
    *,
    database: str | None = None,
) -> JSONResponse:
    """Run ``create`` once per Idempotency-Key; returns the (possibly replayed) response."""
    idem = request.headers.get("idempotency-key")
    if idem is None:
        status, payload = create()
        return JSONResponse(jsonable_encoder(payload), status_code=status)
    if not idem or len(idem) > MAX_KEY:
        raise ProblemError(
            "validation-error",
            f"Idempotency-Key must be 1-{MAX_KEY} characters",
            errors=[{"field": "header.Idempotency-Key", "message": "bad length"}],
        )
    digest = hashlib.sha256(
        json.dumps(jsonable_encoder(body), sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    previous = read_idempotency(driver, key.id, idem, database=database)
    if previous is not None:
        if previous.request_hash != digest:
            raise ProblemError(
                "conflict", "this Idempotency-Key was used with a different request body"
            )
        return JSONResponse(
            previous.body, status_code=previous.status, headers={"Idempotent-Replayed": "true"}
        )
    status, payload = create()
    encoded = jsonable_encoder(payload)
    if status < 500:
        write_idempotency(
            driver, key.id, idem, IdempotencyRecord(digest, status, encoded), database=database
        )
    return JSONResponse(encoded, status_code=status)
