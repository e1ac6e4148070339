"""Opaque keyset cursors for list endpoints: ``base64("v1:" + last id)``."""

from __future__ import annotations

import base64

from api.errors import ProblemError

__all__ = ["encode_cursor", "decode_cursor"]


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode()


def decode_cursor(cursor: str) -> str:
    """The id after which the next page starts; a cursor this API did not make is a 422."""
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raw = ""
    if not raw.startswith("v1:"):
        raise ProblemError(
            "validation-error",
            "cursor is not valid",
            errors=[{"field": "query.cursor", "message": "not a cursor from this API"}],
        )
    return raw[3:]
