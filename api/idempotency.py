"""``Idempotency-Key`` for POSTs that create things.

Protocol (per API key and Idempotency-Key, kept in the graph so it holds across API workers):

1. **Claim** the key before any work: a ``KexieIdempotency`` node is CREATEd with the hash of
   the request body and state ``in_progress``; a uniqueness constraint makes the CREATE fail
   for every concurrent caller but one.
2. The holder does the work. A 2xx/3xx answer is **stored** on the node (state ``done``); a
   4xx/5xx answer or an exception **releases** the claim (the node is deleted), so that a retry
   runs again — the create itself left nothing behind (see the formation routes).
3. Another request with the key:

   - same body, work done: the stored answer, with ``Idempotent-Replayed: true``;
   - same body, work in progress: waits up to :data:`WAIT_S` for it to finish and replays it,
     else 409 ``/problems/conflict`` ("in progress") with ``Retry-After``; never a second run;
   - another body: 409 ``/problems/conflict``.

A claim whose holder died is taken over after its lease (``CLAIM_LEASE_S``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any, Final

import neo4j
from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from api.errors import ProblemError
from graph_schema.apikeys import (
    ApiKey,
    IdempotencyClaim,
    IdempotencyInProgress,
    IdempotencyRecord,
    claim_idempotency,
    finish_idempotency,
    read_idempotency,
    release_idempotency,
)

__all__ = ["idempotent", "IDEMPOTENCY_DOC", "WAIT_S"]

logger = logging.getLogger(__name__)

MAX_KEY: Final = 200
#: How long a second request waits for the first to finish before answering 409.
WAIT_S: Final = 5.0
_POLL_S: Final = 0.2
#: ``Retry-After`` of the 409 "in progress".
RETRY_AFTER_S: Final = 1

#: For route descriptions in the OpenAPI document.
IDEMPOTENCY_DOC: Final = (
    "Send an `Idempotency-Key` header (1-200 characters) to make retries safe: the key is "
    "claimed in the graph before any work, so of concurrent requests with the same key and body "
    "only one does the work. Once it has answered 2xx the answer is replayed "
    "(`Idempotent-Replayed: true`); while it is still running a second request waits up to "
    f"{WAIT_S:g} s, then gets 409 `/problems/conflict` (in progress) with `Retry-After`. A "
    "failed request (4xx/5xx) releases the key, so it can be retried. The same key with "
    "another body is a 409."
)


def _in_progress() -> ProblemError:
    # The first request's own running time is unknown (its lease is only an upper bound), so the
    # client is told to come back soon: the retry replays the answer once it is stored.
    return ProblemError(
        "conflict",
        "a request with this Idempotency-Key is still in progress; retry after "
        f"{RETRY_AFTER_S} s to get its answer",
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def _replay(previous: IdempotencyRecord) -> JSONResponse:
    return JSONResponse(
        previous.body, status_code=previous.status, headers={"Idempotent-Replayed": "true"}
    )


def _other_body() -> ProblemError:
    return ProblemError("conflict", "this Idempotency-Key was used with a different request body")


def idempotent(
    request: Request,
    driver: neo4j.Driver,
    key: ApiKey,
    body: Any,
    create: Callable[[], tuple[int, Any]],
    *,
    database: str | None = None,
) -> JSONResponse:
    """Run ``create`` at most once per Idempotency-Key; return its (possibly replayed) answer.

    Raises:
        ProblemError: a bad key (422), the key used with another body or still in progress (409).
            Whatever ``create`` raises is re-raised after the key is released.
    """
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
    held = claim_idempotency(driver, key.id, idem, digest, database=database)
    deadline = time.monotonic() + WAIT_S
    while isinstance(held, IdempotencyInProgress):
        if held.request_hash != digest:
            raise _other_body()
        if time.monotonic() >= deadline:
            raise _in_progress()
        time.sleep(_POLL_S)
        now = read_idempotency(driver, key.id, idem, database=database)
        # Released by a failed first request: claim it and run this one.
        held = now or claim_idempotency(driver, key.id, idem, digest, database=database)
    if isinstance(held, IdempotencyRecord):
        if held.request_hash != digest:
            raise _other_body()
        return _replay(held)
    return _run(driver, key, idem, held, create, database)


def _run(
    driver: neo4j.Driver,
    key: ApiKey,
    idem: str,
    claim: IdempotencyClaim,
    create: Callable[[], tuple[int, Any]],
    database: str | None,
) -> JSONResponse:
    try:
        status, payload = create()
    except BaseException:
        release_idempotency(driver, key.id, idem, claim, database=database)
        raise
    encoded = jsonable_encoder(payload)
    if status >= 400:
        release_idempotency(driver, key.id, idem, claim, database=database)
    elif not finish_idempotency(driver, key.id, idem, claim, status, encoded, database=database):
        logger.warning(
            "Idempotency-Key claim of key %s expired before its answer was stored", key.id
        )
    return JSONResponse(encoded, status_code=status)
