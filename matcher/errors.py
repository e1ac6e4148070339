"""Errors of the matcher.

::

    MatcherError                    base of every error raised by ``matcher``
    ├── InvalidProblemError         a problem object is malformed (shapes, ranges, unknown ids):
    │                               a caller's bug, never a user's request → HTTP 500
    ├── MatchValidationError        bad arguments to a public entry point (carries the errors,
    │                               each naming its field) → HTTP 422
    ├── InfeasibleError             the request cannot be met as stated; carries ``reasons``
    │                               (one line per culprit) and ``advice`` → HTTP 422
    ├── SolverError                 a solver failed for a reason other than infeasibility
    │                               (numerical trouble, time limit without any solution) → 500
    ├── EmbeddingError              the embedding model cannot be loaded or fails to encode → 503
    ├── EmbeddingsStaleError        the graph's vectors were made by another model; run
    │                               ``kexie embed`` → 503
    └── EngineUnavailableError      an optional engine (Ray) is not installed or cannot start

As in openreview-matcher, *infeasible* and *broken* are different errors: an
:class:`InfeasibleError` is an answer ("no team covers skill X"), and the API turns it into a 422
with the advice; anything else is a bug or an outage. Lower-level exceptions (scipy, numpy,
sentence-transformers) are translated at the boundary that calls them, re-raised ``from`` the
original.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "MatcherError",
    "InvalidProblemError",
    "MatchValidationError",
    "InfeasibleError",
    "SolverError",
    "EmbeddingError",
    "EmbeddingsStaleError",
    "EngineUnavailableError",
]


class MatcherError(Exception):
    """Base of every error raised by ``matcher``."""


class InvalidProblemError(MatcherError, ValueError):
    """A problem object is malformed: wrong shape, value out of range, unknown id."""


class MatchValidationError(MatcherError):
    """Bad arguments to a public entry point; ``errors`` are ``{"loc": [...], "msg": ...}`` maps."""

    def __init__(self, errors: list[Any]) -> None:
        super().__init__(
            "; ".join(
                (".".join(str(p) for p in e.get("loc", [])) + ": " if e.get("loc") else "")
                + str(e.get("msg", e))
                if isinstance(e, dict)
                else str(e)
                for e in errors
            )
        )
        self.errors = errors


class InfeasibleError(MatcherError):
    """The request cannot be met as stated.

    Args:
        reasons: One human-readable line per culprit, naming the skill, quota or constraint,
            e.g. ``"skill '有限元仿真' is covered by no allowed candidate (…)"``.
        advice: What the user can change, e.g. ``"lower k_min, or drop skill '有限元仿真'"``;
            or a list of such pieces (joined with "; " in ``advice``, kept in ``advice_items``).

    Example:
        >>> err = InfeasibleError(["only 0 senior candidates allowed; need 1"], "lower min_senior")
        >>> err.reasons
        ['only 0 senior candidates allowed; need 1']
    """

    def __init__(self, reasons: Sequence[str], advice: str | Sequence[str] = "") -> None:
        self.reasons: list[str] = list(reasons)
        #: The pieces of advice, each possibly a :class:`matcher.types.Msg` with a code.
        self.advice_items: list[str] = (
            ([advice] if advice else []) if isinstance(advice, str) else list(dict.fromkeys(advice))
        )
        self.advice: str = "; ".join(self.advice_items)
        advice = self.advice
        message = "; ".join(self.reasons) or "infeasible"
        if advice:
            message = f"{message} (advice: {advice})"
        super().__init__(message)


class SolverError(MatcherError):
    """A solver failed for a reason other than infeasibility (a bug or numerical trouble)."""


class EmbeddingError(MatcherError):
    """The embedding model cannot be loaded or failed to encode."""


class EmbeddingsStaleError(MatcherError):
    """The graph's vectors were made by another model than the configured one."""


class EngineUnavailableError(MatcherError):
    """An optional engine of the embedding job (Ray) is not installed, or cannot start or join
    its cluster; the message says what to install or check."""
