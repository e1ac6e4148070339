"""The FastAPI application: ``create_app()``.

The driver is opened and the embedding model loaded in the lifespan (the model in a background
thread, so ``/healthz`` answers at once and ``/readyz`` says "loading" until it is ready). The
app holds no other state: API keys, idempotency records and corpus statistics live in the
graph, so any number of workers can serve behind a load balancer.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

import neo4j
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from api.config import Settings, get_settings, model_languages
from api.deps import KEY_CACHE_SECONDS, FailedAuthThrottle, RateLimiter, _KeyCache
from api.errors import PROBLEMS, install_handlers
from api.limits import BodyLimit
from api.openapi import document_problems
from api.routes import api_router
from api.web import mount_web
from graph_schema import open_driver
from matcher.embedding import Embedder
from matcher.retrieval import ExpertMatcher

__all__ = ["create_app", "freeze_startup_objects"]

logger = logging.getLogger(__name__)

#: The app's own driver fails fast: one attempt per query and a bounded connect, so a request
#: answers 503 with Retry-After at once while Neo4j is gone, and the client retries.
APP_DRIVER_OPTIONS: Final[dict[str, float]] = {"connection_timeout": 3.0, "max_retry_time": 0.0}

DESCRIPTION = """
Kexie Match (科协匹配) recommends expert service teams (专家服务队) for enterprises' consulting
demands, think-tank panels (智库专家组) for government topics and cross-disciplinary consortia,
from a Neo4j graph of scientists, societies, enterprises, universities and districts.

Every recommendation carries its explanation: the evidence that matched, the skills covered,
the ties in the graph and the constraints that shaped it.

**Auth**: send an API key as `X-API-Key: kx_…` (or `Authorization: Bearer kx_…`). Scopes:
`read`, `write`, `contact` (scientists' personal contact data: email, phone, ORCID), `admin`.
A revoked key stops working on every worker within {cache} second: each worker trusts a
key look-up, good or bad, for at most that long. After {failed} failed key look-ups a minute
from one address, further look-ups from it answer 429 with `Retry-After`.
**Limits**: a body may hold at most {body:,} bytes ({sync:,} for `/v1/sync`), counted as it arrives
(chunked bodies too) and only after the key is checked; lists are capped as each field says.
Text that is not valid Unicode (a lone UTF-16 surrogate) or holds NUL is a 422.
**Errors** are RFC 9457 `application/problem+json` with a stable `type`.
"""


def _limit_for(path: str, settings_limit: int) -> int:
    return settings_limit * 20 if path.startswith("/v1/sync") else settings_limit


def create_app(
    settings: Settings | None = None,
    *,
    driver: neo4j.Driver | None = None,
    embedder: Embedder | None = None,
    load_model: bool = True,
    rate_limit_per_minute: int = 600,
    max_body_bytes: int = 1_000_000,
    failed_auth_per_minute: int = 30,
) -> FastAPI:
    """Build the app.

    Args:
        settings: configuration (default: from the environment).
        driver: an open driver to use (default: one opened from settings, closed on shutdown).
        embedder: a loaded embedder (default: the configured model, loaded in the background).
        load_model: load the model when none is given (False serves lexical-only: for tests).
        rate_limit_per_minute: default per-key limit (a key may carry its own).
        max_body_bytes: request size limit (the sync endpoint allows 20×), enforced while
            the body streams, after the API key is checked.
        failed_auth_per_minute: failed API key look-ups allowed per client address (429 after).
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = driver is None
        # Fail fast when Neo4j is gone: one attempt per query, 503 + Retry-After, the client retries.
        app.state.driver = driver or open_driver(
            settings.uri,
            settings.neo4j_user,
            settings.password(),
            connection_timeout=APP_DRIVER_OPTIONS["connection_timeout"],
            max_retry_time=APP_DRIVER_OPTIONS["max_retry_time"],
        )
        app.state.matcher = None
        if embedder is not None:
            app.state.matcher = ExpertMatcher(
                app.state.driver, embedder, database=settings.neo4j_database
            )
            _freeze_startup_objects(app)
        elif load_model:
            threading.Thread(target=_load_model, args=(app, settings), daemon=True).start()
        else:
            app.state.matcher = ExpertMatcher(
                app.state.driver, None, database=settings.neo4j_database
            )
        try:
            yield
        finally:
            if own:
                app.state.driver.close()
            if getattr(app.state, "gc_frozen", False):
                gc.unfreeze()  # let the interpreter's exit collect them as usual

    app = FastAPI(
        title="Kexie Match API",
        version="1.0.0",
        description=DESCRIPTION.format(
            cache=f"{KEY_CACHE_SECONDS:g}",
            failed=failed_auth_per_minute,
            body=max_body_bytes,
            sync=_limit_for("/v1/sync", max_body_bytes),
        ),
        lifespan=lifespan,
        openapi_tags=[
            {"name": "experts", "description": "Search, rank and read experts."},
            {"name": "sync", "description": "Bulk upsert from the Science China platform."},
            {
                "name": "formation",
                "description": "Demands → teams, topics → panels, themes → consortia; confirm, feedback, batch.",
            },
            {
                "name": "analytics",
                "description": "District coverage, presence suggestions, national counterparts.",
            },
            {"name": "health", "description": "Liveness and readiness."},
        ],
    )
    app.state.rate_limiter = RateLimiter(rate_limit_per_minute)
    app.state.key_cache = _KeyCache()
    app.state.auth_throttle = FailedAuthThrottle(failed_auth_per_minute)
    install_handlers(app)

    app.add_middleware(
        BodyLimit,
        limit_for=lambda path: _limit_for(path, max_body_bytes),
        database=settings.neo4j_database,
    )

    app.include_router(api_router)
    mount_web(app)
    document_problems(app)

    @app.get("/problems/{slug}", include_in_schema=False)
    def problem_doc(slug: str) -> HTMLResponse:
        if slug not in PROBLEMS:
            return HTMLResponse("unknown problem type", status_code=404)
        status, title, meaning = PROBLEMS[slug]
        return HTMLResponse(f"<h1>{title}</h1><p>HTTP {status}</p><p>{meaning}</p>")

    return app


def _load_model(app: FastAPI, settings: Settings) -> None:
    from matcher.embedding import create_embedder

    try:
        emb = create_embedder(
            settings.model,
            backend=settings.backend,
            batch_size=settings.batch_size,
            languages=model_languages(settings),
            threads=settings.query_threads,
            query_runtime=settings.query_runtime,
        )
    except Exception:
        logger.exception("Could not load the embedding model %s", settings.model)
        return
    app.state.matcher = ExpertMatcher(app.state.driver, emb, database=settings.neo4j_database)
    _freeze_startup_objects(app)
    logger.info("Model %s ready", emb.model_id)


def _freeze_startup_objects(app: FastAPI) -> None:
    """:func:`freeze_startup_objects`; the lifespan unfreezes them at shutdown."""
    app.state.gc_frozen = True
    logger.info("%d start-up objects frozen", freeze_startup_objects())


def freeze_startup_objects() -> int:
    """Move everything alive after start-up out of the garbage collector's reach; returns
    how many objects are frozen.

    The model alone is ~500,000 long-lived Python objects (torch modules, tokenizer tables).
    Left to the collector, every full collection walks them all, in the middle of some
    request (unfrozen, one of 255 ms fell in 80 searches at size 0.2, frozen none:
    ``python -m benchmarks.search_phases --size 0.2 --queries 80 [--no-freeze]``); frozen,
    they are never scanned. They live as long as the process anyway.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
