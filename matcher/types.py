"""Values that cross the matcher's public surface (frozen dataclasses and pydantic inputs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from graph_schema.labels import Availability, Grade, OrgKind, TalentKind

__all__ = [
    "Check",
    "Checked",
    "Msg",
    "code_of",
    "check_text",
    "ExpertFilters",
    "EvidenceExplanation",
    "Explanation",
    "ExpertResult",
    "Mode",
]


class Msg(str):
    """A sentence for people that also carries a stable ``code`` and its ``params``.

    It *is* the English sentence (CLI, logs and the API's text fields read it as any string),
    and pages that speak another language render ``code`` with ``params`` from their own
    catalogue (the web app's ``msg.<code>`` entries in ``i18n.js``). The API adds
    ``<field>_code`` / ``<field>_codes`` beside every field that holds one.

    Example:
        >>> m = Msg("team.too_few_allowed", "only 1 candidates allowed; need k_min=2", have=1, need=2)
        >>> m.upper().startswith("ONLY"), m.code, m.as_code()["params"]["need"]
        (True, 'team.too_few_allowed', 2)
    """

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, text: str, /, **params: Any) -> Msg:
        obj = super().__new__(cls, text)
        obj.code = code
        obj.params = params
        return obj

    def __reduce__(self) -> tuple[Any, ...]:  # copies and pickles keep the code
        return (_msg, (self.code, str(self), self.params))

    def as_code(self) -> dict[str, Any]:
        """``{"code": …, "params": …}`` for a renderer."""
        return {"code": self.code, "params": dict(self.params)}


def code_of(text: object) -> dict[str, Any]:
    """The code of one sentence; a plain string becomes ``{"code": "text", "params": {"text": …}}``."""
    if isinstance(text, Msg):
        return text.as_code()
    return {"code": "text", "params": {"text": str(text)}}


def _msg(code: str, text: str, params: dict[str, Any]) -> Msg:
    return Msg(code, text, **params)


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


class Checked:
    """Mixin of a result that carries one :class:`Check` per hard constraint (a team, panel,
    consortium or batch solution, and the proposals made of them): ``feasible`` and
    ``violated`` are written once here.

    The subclass is a frozen dataclass with a ``checks: tuple[Check, ...]`` field; the mixin
    itself adds no field, so it changes neither a subclass's fields nor its ``asdict``.
    """

    checks: tuple[Check, ...]

    @property
    def feasible(self) -> bool:
        """Whether every hard constraint holds."""
        return all(c.holds for c in self.checks)

    @property
    def violated(self) -> list[Check]:
        """The checks that do not hold, in order."""
        return [c for c in self.checks if not c.holds]


def check_text(value: object) -> None:
    """Raise ValueError when a string in ``value`` (at any depth: lists, dicts and their keys,
    pydantic models) holds a NUL or cannot be encoded as UTF-8 (a lone UTF-16 surrogate).

    Such text fails deep in the database driver; callers check it at the edge instead.

    Example:
        >>> check_text({"ids": ["S1", "\\ud800"]})
        Traceback (most recent call last):
        ValueError: ids[1]: text that is not valid Unicode (a lone surrogate) ...
    """
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            # The path may hold the bad key itself: escape it, or the error could not be sent.
            at = (where or "value").encode("utf-8", "backslashreplace").decode()
            if "\x00" in item:
                raise ValueError(f"{at}: text must not contain a NUL character")
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(
                    f"{at}: text that is not valid Unicode (a lone surrogate) cannot be stored"
                ) from None
        elif isinstance(item, dict):
            for k, v in item.items():
                stack.append((f"{where}.{k}" if where else str(k), k))
                stack.append((f"{where}.{k}" if where else str(k), v))
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend((f"{where}[{i}]", v) for i, v in enumerate(item))
        elif isinstance(item, BaseModel):
            stack.extend((f"{where}.{k}" if where else k, v) for k, v in item.__dict__.items())


class ExpertFilters(BaseModel):
    """Who may be recommended. Every field is optional; empty means no restriction.

    Example:
        >>> ExpertFilters(districts=["500106"], min_grade="senior_member", age_max=40)
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    districts: list[str] = Field(
        default=[],
        max_length=200,
        description="District codes (GB/T 2260) where the expert works (at most 200).",
    )
    institution_kinds: list[OrgKind] = Field(
        default=[], max_length=10, description="enterprise, university, institute"
    )
    institutions: list[str] = Field(
        default=[], max_length=1_000, description="Organisation ids (at most 1,000)."
    )
    min_grade: Grade | None = Field(default=None, description="Lowest society grade accepted.")
    talent_kinds: list[TalentKind] = Field(
        default=[], max_length=20, description="At least one of these talent kinds."
    )
    age_min: int | None = Field(
        default=None, ge=16, le=100, description="Youngest age accepted (years, from birth year)."
    )
    age_max: int | None = Field(
        default=None,
        ge=16,
        le=100,
        description="Oldest age accepted, e.g. 40 for young scientists.",
    )
    availability: list[Availability] = Field(
        default=["available", "limited"],
        max_length=10,
        description="Accepted availability states.",
    )
    exclude_ids: list[str] = Field(
        default=[],
        max_length=1_000,
        description="Scientist ids never to propose (COI; at most 1,000).",
    )
    conflict_with: list[str] = Field(
        default=[],
        max_length=100,
        description="Organisation or scientist ids of the requester (at most 100): their staff "
        "and anyone who declared a conflict with them are excluded.",
    )
    respect_load: bool = Field(
        default=False, description="Exclude experts already at their team limit."
    )

    @model_validator(mode="after")
    def _age_band(self) -> ExpertFilters:
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValueError("age_min is greater than age_max")
        return self


@dataclass(frozen=True)
class EvidenceExplanation:
    id: str
    kind: str | None
    title: str
    year: int | None
    score: float
    dense: float | None
    lexical: float
    matched_terms: tuple[str, ...]


@dataclass(frozen=True)
class Explanation:
    """Why a scientist got their score."""

    components: dict[str, float]
    weights: dict[str, float]
    evidence: tuple[EvidenceExplanation, ...]
    matched_terms: tuple[str, ...]
    matched_disciplines: tuple[dict[str, str], ...]
    query_disciplines_inferred: bool
    facts: dict[str, Any]
    exclusions: tuple[str, ...] = ()
    query_language: str = "zh"
    #: Words of the text found in none of the expert's evidence (heaviest first, a few).
    unmatched_terms: tuple[str, ...] = ()
    #: How well the text itself matched (dense and lexical by their weights), in [0, 1].
    text_match: float = 0.0
    #: True when ``text_match`` is too low to call this a match: the expert ranks here for
    #: their discipline or standing, not for what the text asks.
    low_confidence: bool = False


@dataclass(frozen=True)
class ExpertResult:
    """One ranked expert: ``score`` is an absolute affinity in [0, 1]."""

    scientist_id: str
    name: str
    score: float
    eligible: bool
    explanation: Explanation
    contact: dict[str, str | None] = field(default_factory=dict)

    @property
    def components(self) -> dict[str, float]:
        return self.explanation.components


Mode = Literal["hybrid", "dense", "lexical"]
