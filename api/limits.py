"""Request bodies bounded before any work: a pure ASGI middleware.

A declared ``Content-Length`` over the limit is refused before a byte is read. A body without
one (``Transfer-Encoding: chunked``) is counted as it streams and cut off at the limit, so at
most ``limit`` bytes of it are ever held. On ``/v1/`` the API key is checked before the body is
read at all: a client without a valid key cannot make the server read a large body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import neo4j
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import _presented_key_from, authenticate, client_address
from api.errors import ProblemError, problem
from graph_schema.errors import GraphUnavailableError

__all__ = ["BodyLimit"]

logger = logging.getLogger(__name__)

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_UNAVAILABLE = (
    GraphUnavailableError,
    neo4j.exceptions.ServiceUnavailable,
    neo4j.exceptions.SessionExpired,
    neo4j.exceptions.DatabaseUnavailable,
)


class BodyLimit:
    """Refuse bodies over ``limit_for(path)`` bytes with 413, while they stream.

    Args:
        app: the ASGI app to wrap.
        limit_for: the byte limit of a path.
        database: the Neo4j database of API keys (for the early key check).
    """

    def __init__(
        self, app: ASGIApp, *, limit_for: Callable[[str], int], database: str | None
    ) -> None:
        self.app = app
        self.limit_for = limit_for
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                await problem("http-error", "Content-Length is not a number")(scope, receive, send)
                return
            if int(length) > limit:
                await problem("payload-too-large", f"body of {length} bytes exceeds {limit} bytes")(
                    scope, receive, send
                )
                return
        if scope["path"].startswith("/v1/"):
            refusal = await self._check_key(scope, headers)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        if length is not None:
            # The server reads no more than Content-Length: nothing left to count.
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await problem("payload-too-large", f"body exceeds {limit} bytes")(
                    scope, receive, send
                )
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _check_key(self, scope: Scope, headers: Headers) -> Response | None:
        """A problem response when the key is missing, wrong or throttled, else None."""
        state = scope["app"].state
        try:
            await run_in_threadpool(
                authenticate,
                state,
                _presented_key_from(headers),
                client_address(scope.get("client")),
                database=self.database,
            )
        except ProblemError as exc:
            return problem(exc.slug, exc.detail, headers=exc.headers, **exc.extra)
        except _UNAVAILABLE:
            return problem(
                "graph-unavailable",
                "Neo4j is unreachable; retry shortly",
                headers={"Retry-After": "5"},
            )
        return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands over the read body once, then the client's own messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
