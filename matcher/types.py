"""Small value types shared across the matcher.

Frozen dataclasses only; no behaviour beyond formatting.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Check"]


@dataclass(frozen=True)
class Check:
    """The outcome of one hard constraint on a proposed team, panel or consortium.

    Args:
        name: Stable machine name of the constraint, e.g. ``"skill_coverage"``, ``"quota:young"``.
        holds: Whether the proposal satisfies it.
        detail: One line a person can read, e.g. ``"3 of 4 skills covered; missing '焊接'"``.
    """

    name: str
    holds: bool
    detail: str

    def __str__(self) -> str:
        mark = "ok" if self.holds else "VIOLATED"
        return f"[{mark}] {self.name}: {self.detail}"
