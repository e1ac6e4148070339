"""Validation helpers shared by the problem dataclasses (private)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher.errors import InvalidProblemError

__all__ = ["FloatArray", "BoolArray", "IntArray", "as_float", "as_bool", "frozen", "codes"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def frozen(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Return a read-only copy, so a frozen dataclass really is frozen."""
    b = np.array(a, copy=True)
    b.setflags(write=False)
    return b


def as_float(
    name: str,
    value: Any,
    shape: tuple[int, ...],
    *,
    lo: float | None = 0.0,
    hi: float | None = 1.0,
) -> FloatArray:
    """Coerce ``value`` to a read-only float array of ``shape`` within ``[lo, hi]``.

    Raises:
        InvalidProblemError: On a wrong shape, NaN, or a value out of range.
    """
    a = np.asarray(value, dtype=float)
    if a.shape != shape:
        raise InvalidProblemError(f"{name} has shape {a.shape}, expected {shape}")
    if a.size and not np.all(np.isfinite(a)):
        raise InvalidProblemError(f"{name} contains NaN or infinity")
    if a.size and lo is not None and float(a.min()) < lo - 1e-9:
        raise InvalidProblemError(f"{name} has values below {lo}")
    if a.size and hi is not None and float(a.max()) > hi + 1e-9:
        raise InvalidProblemError(f"{name} has values above {hi}")
    return frozen(a)


def as_bool(name: str, value: Any, n: int | tuple[int, ...], default: bool) -> BoolArray:
    """Coerce ``value`` (or ``default`` when ``None``) to a read-only bool array of shape
    ``n`` (an int for [n])."""
    shape = (n,) if isinstance(n, int) else n
    if value is None:
        return frozen(np.full(shape, default, dtype=bool))
    a = np.asarray(value, dtype=bool)
    if a.shape != shape:
        raise InvalidProblemError(f"{name} has shape {a.shape}, expected {shape}")
    return frozen(a)


def codes(labels: Sequence[str]) -> tuple[IntArray, tuple[str, ...]]:
    """Map labels to integer codes: (codes [n], distinct labels in first-seen order)."""
    seen: dict[str, int] = {}
    out = np.empty(len(labels), dtype=np.int64)
    for i, lab in enumerate(labels):
        out[i] = seen.setdefault(lab, len(seen))
    return out, tuple(seen)
