"""API keys and idempotency records, kept in the graph so API workers stay stateless.

A key is shown once as ``kx_<id>_<secret>``; only ``sha256(secret)`` is stored. Lookup is by id,
then a constant-time comparison of the hash.

An Idempotency-Key is claimed before its request runs: ``claim_idempotency`` CREATEs one
``KexieIdempotency`` node per (API key, Idempotency-Key) in state ``in_progress``, and the
uniqueness constraint on its id (migration 4) lets exactly one concurrent caller succeed. The
holder then finishes it (state ``done`` with the stored answer) or releases it (deleted). A claim
not finished within its lease (:data:`CLAIM_LEASE_S`; its holder died) is taken over.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any, Final

import neo4j

from graph_schema.errors import translate
from graph_schema.labels import IDEMPOTENCY
from graph_schema.labels import Label as L

__all__ = [
    "SCOPES",
    "ApiKey",
    "create_key",
    "list_keys",
    "revoke_key",
    "verify_key",
    "CLAIM_LEASE_S",
    "IdempotencyRecord",
    "IdempotencyClaim",
    "IdempotencyInProgress",
    "read_idempotency",
    "claim_idempotency",
    "finish_idempotency",
    "release_idempotency",
]

#: read: search and read; write: create demands/topics, sync, confirm, feedback; contact: see
#: scientists' personal contact data; admin: everything, including key management.
SCOPES: Final = ("read", "write", "contact", "admin")


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    scopes: tuple[str, ...]
    created_at: str
    revoked: bool
    rate_limit: int | None = None

    def allows(self, scope: str) -> bool:
        return not self.revoked and ("admin" in self.scopes or scope in self.scopes)


_CREATE = f"""
CREATE (k:{L.API_KEY} {{id: $id, name: $name, scopes: $scopes, hash: $hash,
                        created_at: datetime(), revoked: false, rate_limit: $rate_limit}})
"""
_LIST = f"""
MATCH (k:{L.API_KEY})
RETURN k.id AS id, k.name AS name, k.scopes AS scopes, toString(k.created_at) AS created_at,
       k.revoked AS revoked, k.rate_limit AS rate_limit
ORDER BY k.created_at
"""
_REVOKE = f"MATCH (k:{L.API_KEY} {{id: $id}}) SET k.revoked = true, k.revoked_at = datetime() RETURN k.id AS id"
_LOOKUP = f"""
MATCH (k:{L.API_KEY} {{id: $id}})
RETURN k.id AS id, k.name AS name, k.scopes AS scopes, toString(k.created_at) AS created_at,
       k.revoked AS revoked, k.rate_limit AS rate_limit, k.hash AS hash
"""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    driver: neo4j.Driver,
    *,
    name: str,
    scopes: list[str],
    rate_limit: int | None = None,
    database: str | None = None,
) -> tuple[str, ApiKey]:
    """Create a key; returns the plaintext key (shown once) and its record.

    Raises:
        ValueError: an unknown scope.
    """
    bad = sorted(set(scopes) - set(SCOPES))
    if bad or not scopes:
        raise ValueError(f"unknown scopes {bad}; choose from {', '.join(SCOPES)}")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(24)
    with translate():
        driver.execute_query(
            _CREATE,
            id=key_id,
            name=name,
            scopes=sorted(set(scopes)),
            hash=_hash(secret),
            rate_limit=rate_limit,
            database_=database,
        )
    record = ApiKey(
        key_id,
        name,
        tuple(sorted(set(scopes))),
        _dt.datetime.now(_dt.UTC).isoformat(),
        False,
        rate_limit,
    )
    return f"kx_{key_id}_{secret}", record


def list_keys(driver: neo4j.Driver, *, database: str | None = None) -> list[ApiKey]:
    with translate():
        recs = driver.execute_query(
            _LIST, database_=database, routing_=neo4j.RoutingControl.READ
        ).records
    return [
        ApiKey(
            r["id"],
            r["name"],
            tuple(r["scopes"]),
            r["created_at"],
            bool(r["revoked"]),
            r["rate_limit"],
        )
        for r in recs
    ]


def revoke_key(driver: neo4j.Driver, key_id: str, *, database: str | None = None) -> bool:
    with translate():
        return bool(driver.execute_query(_REVOKE, id=key_id, database_=database).records)


def verify_key(
    driver: neo4j.Driver, presented: str, *, database: str | None = None
) -> ApiKey | None:
    """The key record for a presented ``kx_<id>_<secret>``, or None (unknown, wrong, revoked)."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != "kx" or not parts[1] or not parts[2]:
        return None
    with translate():
        recs = driver.execute_query(
            _LOOKUP, id=parts[1], database_=database, routing_=neo4j.RoutingControl.READ
        ).records
    if not recs:
        return None
    r = recs[0]
    if not hmac.compare_digest(r["hash"], _hash(parts[2])) or r["revoked"]:
        return None
    return ApiKey(r["id"], r["name"], tuple(r["scopes"]), r["created_at"], False, r["rate_limit"])


@dataclass(frozen=True)
class IdempotencyRecord:
    """A finished request under an Idempotency-Key: its body hash and the stored response."""

    request_hash: str
    status: int
    body: Any


@dataclass(frozen=True)
class IdempotencyClaim:
    """This caller holds the key: do the work, then :func:`finish_idempotency` or
    :func:`release_idempotency` with ``token``."""

    token: str


@dataclass(frozen=True)
class IdempotencyInProgress:
    """Another request holds the key and has not finished; ``seconds_left`` of its lease."""

    request_hash: str
    seconds_left: float


#: How long a claim holds the key without finishing. A worker that dies mid-request leaves its
#: claim behind; after the lease a retry may take the key over (the work of the dead one is
#: assumed lost). Longer than any create takes (a team or panel is solved in seconds).
CLAIM_LEASE_S: Final = 120

# The id is ``<api key id>:<Idempotency-Key>``; the uniqueness constraint on it (migration 4,
# ``idempotency_id``) makes CREATE fail for every caller but the first.
CLAIM_IDEM: Final = f"""
CREATE (i:{IDEMPOTENCY} {{id: $id, request_hash: $request_hash, state: 'in_progress',
                          token: $token, created_at: datetime(),
                          expires_at: datetime() + duration({{seconds: $lease}})}})
"""
READ_IDEM: Final = f"""
MATCH (i:{IDEMPOTENCY} {{id: $id}})
RETURN i.request_hash AS request_hash, coalesce(i.state, 'done') AS state, i.status AS status,
       i.body AS body,
       CASE WHEN i.expires_at IS NULL THEN 0.0
            ELSE duration.inSeconds(datetime(), i.expires_at).seconds END AS seconds_left
"""
#: A claim whose lease ran out is deleted, so that the next CREATE can take the key.
DROP_EXPIRED_IDEM: Final = f"""
MATCH (i:{IDEMPOTENCY} {{id: $id}})
WHERE i.state = 'in_progress' AND i.expires_at < datetime()
DELETE i
"""
FINISH_IDEM: Final = f"""
MATCH (i:{IDEMPOTENCY} {{id: $id, token: $token}})
SET i.state = 'done', i.status = $status, i.body = $body, i.finished_at = datetime()
REMOVE i.token, i.expires_at
RETURN i.id AS id
"""
RELEASE_IDEM: Final = f"""
MATCH (i:{IDEMPOTENCY} {{id: $id, token: $token}})
DELETE i
RETURN count(*) AS n
"""


def _idem_id(key_id: str, idem_key: str) -> str:
    # API key ids are hex, so the first colon separates the two parts.
    return f"{key_id}:{idem_key}"


def read_idempotency(
    driver: neo4j.Driver, key_id: str, idem_key: str, *, database: str | None = None
) -> IdempotencyRecord | IdempotencyInProgress | None:
    """What the graph holds for a key: a finished request, one in progress, or nothing."""
    with translate():
        recs = driver.execute_query(
            READ_IDEM, id=_idem_id(key_id, idem_key), database_=database
        ).records
    if not recs:
        return None
    r = recs[0]
    if r["state"] == "in_progress":
        return IdempotencyInProgress(r["request_hash"], max(0.0, float(r["seconds_left"])))
    return IdempotencyRecord(r["request_hash"], int(r["status"]), json.loads(r["body"]))


def claim_idempotency(
    driver: neo4j.Driver,
    key_id: str,
    idem_key: str,
    request_hash: str,
    *,
    lease_s: int = CLAIM_LEASE_S,
    database: str | None = None,
) -> IdempotencyClaim | IdempotencyRecord | IdempotencyInProgress:
    """Claim a key atomically before doing the work.

    Returns:
        :class:`IdempotencyClaim` when this caller now holds the key (it must finish or release
        it); otherwise what another caller left: a finished :class:`IdempotencyRecord` or an
        :class:`IdempotencyInProgress`. The caller compares ``request_hash``.
    """
    idem_id = _idem_id(key_id, idem_key)
    for attempt in range(2):
        token = secrets.token_hex(16)
        try:
            # An auto-commit query: in a managed transaction the driver's rollback after the
            # violation raised ResultFailedError in its place, and the loser answered 500.
            with translate(), driver.session(database=database) as session:
                session.run(
                    CLAIM_IDEM,
                    id=idem_id,
                    request_hash=request_hash,
                    token=token,
                    lease=int(lease_s),
                ).consume()
        except neo4j.exceptions.ConstraintError:
            pass
        else:
            return IdempotencyClaim(token)
        held = read_idempotency(driver, key_id, idem_key, database=database)
        if held is None:  # released between our CREATE and the read: try once more
            continue
        if isinstance(held, IdempotencyInProgress) and held.seconds_left <= 0 and attempt == 0:
            with translate():
                driver.execute_query(DROP_EXPIRED_IDEM, id=idem_id, database_=database)
            continue
        return held
    # Lost the race twice (others claimed or released in between): someone is at work.
    return IdempotencyInProgress(request_hash, float(lease_s))


def finish_idempotency(
    driver: neo4j.Driver,
    key_id: str,
    idem_key: str,
    claim: IdempotencyClaim,
    status: int,
    body: Any,
    *,
    database: str | None = None,
) -> bool:
    """Store the response under a claimed key; False when the claim was lost (lease expired)."""
    with translate():
        recs = driver.execute_query(
            FINISH_IDEM,
            id=_idem_id(key_id, idem_key),
            token=claim.token,
            status=status,
            body=json.dumps(body, ensure_ascii=False, default=str),
            database_=database,
        ).records
    return bool(recs)


def release_idempotency(
    driver: neo4j.Driver,
    key_id: str,
    idem_key: str,
    claim: IdempotencyClaim,
    *,
    database: str | None = None,
) -> None:
    """Give a claimed key up (the work failed), so that a retry runs the request again."""
    with translate():
        driver.execute_query(
            RELEASE_IDEM, id=_idem_id(key_id, idem_key), token=claim.token, database_=database
        )
