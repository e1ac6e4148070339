"""Errors of the graph layer.

::

    GraphError
    ├── GraphUnavailableError      Neo4j cannot be reached (wraps ServiceUnavailable, SessionExpired,
    │                              DatabaseUnavailable: a database still starting)
    ├── MigrationError             a recorded migration differs from the code, or one failed
    ├── ImportFileError            a file cannot be read at all (encoding, unknown format)
    ├── NotFoundError              an entity that a caller named does not exist
    └── ConflictError              the request conflicts with what the graph holds
        ├── AlreadyExistsError     a create named an id that is taken
        └── TransitionError        a status move that the state machine does not allow

Lower-level exceptions are translated at one boundary (:func:`translate`), re-raised ``from``
the original.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from neo4j.exceptions import DatabaseUnavailable, ServiceUnavailable, SessionExpired

__all__ = [
    "GraphError",
    "GraphUnavailableError",
    "MigrationError",
    "ImportFileError",
    "NotFoundError",
    "ConflictError",
    "AlreadyExistsError",
    "TransitionError",
    "translate",
]


class GraphError(Exception):
    """Base of every error raised by ``graph_schema``."""


class GraphUnavailableError(GraphError):
    """Neo4j cannot be reached now; retry later."""


class MigrationError(GraphError):
    pass


class ImportFileError(GraphError):
    pass


class NotFoundError(GraphError):
    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class ConflictError(GraphError):
    """The request conflicts with the current state of the graph (HTTP 409)."""


class AlreadyExistsError(ConflictError):
    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} already exists")
        self.kind = kind
        self.key = key


class TransitionError(ConflictError):
    def __init__(
        self, kind: str, key: str, current: str, wanted: str, allowed: Sequence[str] = ()
    ) -> None:
        onward = ", ".join(allowed) if allowed else f"nothing else ({current} is final)"
        super().__init__(
            f"{kind} {key!r} is {current} and cannot become {wanted}; "
            f"from {current} it can become {onward}"
        )
        self.kind = kind
        self.key = key
        self.current = current
        self.wanted = wanted


@contextlib.contextmanager
def translate() -> Iterator[None]:
    """Map the driver's connection failures to :class:`GraphUnavailableError`."""
    try:
        yield
    except (ServiceUnavailable, SessionExpired, DatabaseUnavailable) as exc:
        raise GraphUnavailableError(str(exc) or type(exc).__name__) from exc
