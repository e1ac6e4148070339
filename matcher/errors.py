"""Errors of the matcher.

::

    MatcherError
    ├── EmbeddingError            the model cannot be loaded or fails to encode
    ├── EmbeddingsStaleError      vectors in the graph were made by another model: run `kexie embed`
    ├── MatchValidationError      bad arguments to a public entry point (carries pydantic errors)
    └── InfeasibleError           constraints cannot all hold; carries reasons and advice

The API maps MatchValidationError and InfeasibleError to 422, EmbeddingsStaleError to 503.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MatcherError",
    "EmbeddingError",
    "EmbeddingsStaleError",
    "MatchValidationError",
    "InfeasibleError",
]


class MatcherError(Exception):
    """Base of every error raised by ``matcher``."""


class EmbeddingError(MatcherError):
    pass


class EmbeddingsStaleError(MatcherError):
    pass


class MatchValidationError(MatcherError):
    def __init__(self, errors: list[Any]) -> None:
        super().__init__("; ".join(str(e.get("msg", e)) if isinstance(e, dict) else str(e) for e in errors))
        self.errors = errors


class InfeasibleError(MatcherError):
    """The constraints cannot all be met: ``reasons`` say which and why, ``advice`` what to relax."""

    def __init__(self, reasons: list[str], advice: str = "") -> None:
        super().__init__("; ".join(reasons) + (f". Advice: {advice}" if advice else ""))
        self.reasons = reasons
        self.advice = advice
