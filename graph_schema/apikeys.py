"""API keys and idempotency records, kept in the graph so API workers stay stateless.

A key is shown once as ``kx_<id>_<secret>``; only ``sha256(secret)`` is stored. Lookup is by id,
then a constant-time comparison of the hash.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
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
    "IdempotencyRecord",
    "read_idempotency",
    "write_idempotency",
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
    request_hash: str
    status: int
    body: Any


_READ_IDEM = f"""
MATCH (i:{IDEMPOTENCY} {{id: $id}})
RETURN i.request_hash AS request_hash, i.status AS status, i.body AS body
"""
_WRITE_IDEM = f"""
MERGE (i:{IDEMPOTENCY} {{id: $id}})
ON CREATE SET i.request_hash = $request_hash, i.status = $status, i.body = $body, i.created_at = datetime()
"""


def read_idempotency(
    driver: neo4j.Driver, key_id: str, idem_key: str, *, database: str | None = None
) -> IdempotencyRecord | None:
    import json

    with translate():
        recs = driver.execute_query(
            _READ_IDEM, id=f"{key_id}:{idem_key}", database_=database
        ).records
    if not recs:
        return None
    r = recs[0]
    return IdempotencyRecord(r["request_hash"], int(r["status"]), json.loads(r["body"]))


def write_idempotency(
    driver: neo4j.Driver,
    key_id: str,
    idem_key: str,
    record: IdempotencyRecord,
    *,
    database: str | None = None,
) -> None:
    import json

    with translate():
        driver.execute_query(
            _WRITE_IDEM,
            id=f"{key_id}:{idem_key}",
            request_hash=record.request_hash,
            status=record.status,
            body=json.dumps(record.body, ensure_ascii=False, default=str),
            database_=database,
        )
