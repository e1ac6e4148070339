"""Codes beside sentences: what pages need to speak Chinese or English.

The matcher's readable sentences (checks, reasons, advice) are :class:`matcher.types.Msg`
strings that carry a stable code and parameters. :func:`with_codes` copies a response and adds,
beside every field holding such sentences, ``<field>_code`` (one) or ``<field>_codes`` (a list:
one entry per sentence, ``{"code": "text", "params": {"text": …}}`` for a plain one), so API
clients keep the English text where it was and the web app renders the codes in its own
language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matcher.types import Msg, code_of

__all__ = ["code_of", "with_codes"]


def with_codes(value: Any) -> Any:
    """A JSON-ready copy of ``value`` with ``_code`` / ``_codes`` beside coded sentences.

    Example:
        >>> with_codes({"reasons": [Msg("a.b", "x 1", n=1)]})["reasons_codes"]
        [{'code': 'a.b', 'params': {'n': 1}}]
    """
    if isinstance(value, Msg):
        return str(value)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out[key] = with_codes(item)
            if isinstance(item, Msg):
                out[f"{key}_code"] = item.as_code()
            elif isinstance(item, list | tuple) and any(isinstance(x, Msg) for x in item):
                out[f"{key}_codes"] = [code_of(x) for x in item]
        return out
    if isinstance(value, list | tuple):
        return [with_codes(x) for x in value]
    return value
