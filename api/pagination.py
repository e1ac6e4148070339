"""Opaque keyset cursors for list endpoints: ``base64("v1:" + last id)``."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar

from fastapi import Query

from api.errors import ProblemError
from api.schemas import Page

__all__ = ["Cursor", "Limit", "encode_cursor", "decode_cursor", "keyset_page"]

T = TypeVar("T")

#: Query parameters every list endpoint takes.
Limit = Annotated[int, Query(ge=1, le=200, description="Page size.")]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page.")]


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


def keyset_page(rows: Sequence[T], limit: int, last_id: Callable[[T], str]) -> Page[T]:
    """A page from ``limit + 1`` rows read after the cursor: the extra row only says that
    there is a next page, whose cursor is the id of this page's last item."""
    page = list(rows[:limit])
    more = len(rows) > limit and bool(page)
    return Page(
        data=page, count=len(page), next_cursor=encode_cursor(last_id(page[-1])) if more else None
    )
