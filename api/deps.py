"""Dependencies: the driver, the matcher, the caller's API key and its scopes, rate limits.

Routes declare what they need as ``Annotated`` aliases (``DriverDep``, ``MatcherDep``,
``ReadKey``, ``WriteKey``…); tests swap any of them through ``app.dependency_overrides``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping
from typing import Annotated, Any

import neo4j
from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.config import Settings, get_settings
from api.errors import ProblemError
from graph_schema.apikeys import ApiKey, verify_key
from matcher.retrieval import ExpertMatcher

__all__ = [
    "SettingsDep",
    "DriverDep",
    "MatcherDep",
    "get_driver",
    "get_matcher",
    "require",
    "ReadKey",
    "WriteKey",
    "AdminKey",
    "RateLimiter",
    "FailedAuthThrottle",
    "KEY_CACHE_SECONDS",
    "authenticate",
    "single_query_values",
]

#: How long a worker trusts its last look-up of a key, good or bad. A revoked key therefore
#: stops working on every worker within this many seconds (the API docs say so).
KEY_CACHE_SECONDS = 1.0


def get_driver(request: Request) -> neo4j.Driver:
    driver: neo4j.Driver = request.app.state.driver
    return driver


def get_matcher(request: Request) -> ExpertMatcher:
    matcher: ExpertMatcher | None = request.app.state.matcher
    if matcher is None:
        raise ProblemError(
            "model-unavailable",
            "the embedding model is still loading",
            headers={"Retry-After": "10"},
        )
    return matcher


SettingsDep = Annotated[Settings, Depends(get_settings)]
DriverDep = Annotated[neo4j.Driver, Depends(get_driver)]
MatcherDep = Annotated[ExpertMatcher, Depends(get_matcher)]


class RateLimiter:
    """A token bucket per API key (per process). ``limit`` requests per minute, bursts up to it.

    In a scaled-out deployment each worker limits separately; put a shared limiter (Redis,
    the gateway) in front when the sum matters.
    """

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, per_minute: int | None = None) -> float:
        """Take one token; return 0 when allowed, else the seconds to wait."""
        rate = (per_minute or self.per_minute) / 60.0
        cap = float(per_minute or self.per_minute)
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (cap, now))
            tokens = min(cap, tokens + (now - last) * rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / rate


class FailedAuthThrottle:
    """Failed key look-ups per client address (per process): ``per_minute`` failures, in
    bursts up to that many; then every look-up from that address waits (429, Retry-After).

    Each failure is a database read, so guessing keys must not be free. Keys already verified
    (in the key cache) keep working from a throttled address; new look-ups do not.
    """

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _refill(self, client: str, now: float) -> float:
        tokens, last = self._buckets.get(client, (float(self.per_minute), now))
        return min(float(self.per_minute), tokens + (now - last) * self.per_minute / 60.0)

    def wait(self, client: str) -> float:
        """Seconds this client must wait before its next look-up (0: go ahead)."""
        now = time.monotonic()
        with self._lock:
            tokens = self._refill(client, now)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) * 60.0 / self.per_minute

    def fail(self, client: str) -> None:
        """Count one failed look-up."""
        now = time.monotonic()
        with self._lock:
            if len(self._buckets) > 100_000:
                self._buckets.clear()
            self._buckets[client] = (max(0.0, self._refill(client, now) - 1.0), now)


class _KeyCache:
    """Keys looked up in the last :data:`KEY_CACHE_SECONDS`, verified or not (None), so a burst
    does not hit the graph per request and a revocation is seen within that time."""

    def __init__(self, ttl: float = KEY_CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._items: dict[str, tuple[float, ApiKey | None]] = {}
        self._lock = threading.Lock()

    def get(self, presented: str) -> tuple[bool, ApiKey | None]:
        with self._lock:
            hit = self._items.get(presented)
        if hit and time.monotonic() - hit[0] < self.ttl:
            return True, hit[1]
        return False, None

    def put(self, presented: str, key: ApiKey | None) -> None:
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[presented] = (time.monotonic(), key)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _presented_key(request: Request) -> str | None:
    return _presented_key_from(request.headers)


def _presented_key_from(headers: Mapping[str, str]) -> str | None:
    key = headers.get("x-api-key")
    if key:
        return key.strip()
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return None


def authenticate(state: Any, presented: str | None, client: str, *, database: str | None) -> ApiKey:
    """The key record of a presented key, through the key cache and the failed-key throttle.

    Args:
        state: the app's ``state`` (``driver``, ``key_cache``, ``auth_throttle``).
        presented: the key as sent, or None.
        client: the client's address, for throttling failures.
        database: the Neo4j database.

    Raises:
        ProblemError: ``unauthorized`` (no key, unknown, revoked), ``rate-limited`` (too many
            failed look-ups from this client).
    """
    if not presented:
        raise ProblemError(
            "unauthorized",
            "no API key: send X-API-Key or Authorization: Bearer",
            headers={"WWW-Authenticate": 'Bearer realm="kexie"'},
        )
    cache: _KeyCache = state.key_cache
    throttle: FailedAuthThrottle = state.auth_throttle
    cached, key = cache.get(presented)
    if key is None:
        wait = throttle.wait(client)
        if wait > 0:
            raise ProblemError(
                "rate-limited",
                f"too many failed API key look-ups from this address "
                f"(at most {throttle.per_minute} a minute)",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        if not cached:
            key = verify_key(state.driver, presented, database=database)
            cache.put(presented, key)
    if key is None:
        throttle.fail(client)
        raise ProblemError(
            "unauthorized",
            "unknown or revoked API key",
            headers={"WWW-Authenticate": 'Bearer realm="kexie", error="invalid_token"'},
        )
    return key


def client_address(scope_client: tuple[str, int] | list[Any] | None) -> str:
    """The peer address (a proxy's, behind one: throttle there, or pass the real address)."""
    return str(scope_client[0]) if scope_client else "unknown"


# Declared for the OpenAPI document (its security schemes); the key itself is read below,
# so a request with neither header gets our 401 problem rather than FastAPI's 403.
_api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key `kx_…` with the needed scope."
)
_bearer = HTTPBearer(auto_error=False, description="The same API key as a bearer token.")


def current_key(
    request: Request,
    settings: SettingsDep,
    _header: Annotated[str | None, Security(_api_key_header)],
    _token: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> ApiKey:
    key = authenticate(
        request.app.state,
        _presented_key(request),
        client_address(request.client and (request.client.host, request.client.port)),
        database=settings.neo4j_database,
    )
    limiter: RateLimiter = request.app.state.rate_limiter
    wait = limiter.take(key.id, key.rate_limit)
    if wait > 0:
        raise ProblemError(
            "rate-limited",
            f"rate limit of {key.rate_limit or limiter.per_minute} requests per minute reached",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
    request.state.api_key = key
    return key


def single_query_values(request: Request) -> None:
    """Refuse a query parameter given twice (``?name=a&name=b``): every one of ours takes one
    value, and silently keeping the last would hide the client's mistake."""
    seen: set[str] = set()
    for name, _ in request.query_params.multi_items():
        if name in seen:
            raise ProblemError(
                "validation-error",
                f"{name}: given more than once; send one value",
                errors=[{"field": name, "message": "given more than once", "type": "multiple"}],
            )
        seen.add(name)


def require(scope: str) -> object:
    """A dependency that admits keys holding ``scope`` (``admin`` holds every scope)."""

    def check(key: Annotated[ApiKey, Depends(current_key)]) -> ApiKey:
        if not key.allows(scope):
            raise ProblemError(
                "forbidden",
                f"this operation needs the '{scope}' scope; the key has {', '.join(key.scopes)}",
            )
        return key

    return Depends(check)


ReadKey = Annotated[ApiKey, require("read")]
WriteKey = Annotated[ApiKey, require("write")]
AdminKey = Annotated[ApiKey, require("admin")]
