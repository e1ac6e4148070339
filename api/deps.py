"""Dependencies: the driver, the matcher, the caller's API key and its scopes, rate limits.

Routes declare what they need as ``Annotated`` aliases (``DriverDep``, ``MatcherDep``,
``ReadKey``, ``WriteKey``…); tests swap any of them through ``app.dependency_overrides``.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Annotated

import neo4j
from fastapi import Depends, Request

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
]


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


class _KeyCache:
    """Verified keys for a few seconds, so a burst does not hit the graph per request."""

    def __init__(self, ttl: float = 10.0) -> None:
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
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return None


def current_key(request: Request, driver: DriverDep, settings: SettingsDep) -> ApiKey:
    presented = _presented_key(request)
    if not presented:
        raise ProblemError(
            "unauthorized",
            "no API key: send X-API-Key or Authorization: Bearer",
            headers={"WWW-Authenticate": 'Bearer realm="kexie"'},
        )
    cache: _KeyCache = request.app.state.key_cache
    cached, key = cache.get(presented)
    if not cached:
        key = verify_key(driver, presented, database=settings.neo4j_database)
        cache.put(presented, key)
    if key is None:
        raise ProblemError(
            "unauthorized",
            "unknown or revoked API key",
            headers={"WWW-Authenticate": 'Bearer realm="kexie", error="invalid_token"'},
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
