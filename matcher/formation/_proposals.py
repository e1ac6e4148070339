"""What formation proposes: teams, swaps, panels, consortia and batch assignments, with the
reasons for each member, the hard-constraint checks and what was left out.

Team, panel and consortium proposals share one base, :class:`Proposal`: ``feasible`` (every
check holds), ``member_ids`` and ``to_dict`` (the JSON the API and CLI print) are written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import Field, asdict, dataclass, field
from typing import Any, ClassVar, Protocol

from matcher.optimise import BatchProblem, BatchSolution, TeamProblem
from matcher.types import Check, Checked

__all__ = [
    "Proposal",
    "ExcludedCandidate",
    "TieView",
    "TeamMember",
    "TeamProposal",
    "SwapOption",
    "SwapProposal",
    "PanelMember",
    "PanelProposal",
    "ConsortiumMember",
    "ConsortiumProposal",
    "BatchResult",
]


class _Member(Protocol):
    @property
    def id(self) -> str: ...


class Proposal(Checked):
    """Base of the team, panel and consortium proposals (frozen dataclasses with ``members``
    and ``checks``).

    ``to_dict`` is ``dataclasses.asdict`` less the fields named in ``_not_serialised`` (a
    team's encoded problem), plus ``feasible`` last.
    """

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]
    members: tuple[_Member, ...]
    #: Fields kept on the object but left out of :meth:`to_dict`.
    _not_serialised: ClassVar[tuple[str, ...]] = ()

    @property
    def member_ids(self) -> tuple[str, ...]:
        """The members' ids, in the proposal's order."""
        return tuple(m.id for m in self.members)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (without the fields that are not serialised)."""
        d = asdict(self)
        for name in self._not_serialised:
            d.pop(name, None)
        d["feasible"] = self.feasible
        return d


@dataclass(frozen=True)
class ExcludedCandidate:
    """A candidate the retriever found but the request does not allow, and why."""

    id: str
    name: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class TieView:
    """Why two members work well together."""

    a: str
    b: str
    comm_cost: float
    coauthored: int
    served_together: int
    shared_societies: int
    same_institution: bool
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class TeamMember:
    """A proposed team member and the reasons for them."""

    id: str
    name: str
    institution: str | None
    institution_id: str | None
    title: str | None
    grade: str | None
    senior: bool
    district: str | None
    relevance: float
    skills: tuple[str, ...]
    role: str
    evidence: tuple[str, ...]
    matched_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class TeamProposal(Proposal):
    """A proposed expert service team for a demand.

    ``checks`` hold every hard constraint; ``objective`` its parts; ``problem`` is the encoded
    :class:`TeamProblem` (kept for swaps, not serialised).
    """

    demand_id: str
    demand_title: str
    enterprise: str | None
    skills: tuple[str, ...]
    members: tuple[TeamMember, ...]
    objective: Mapping[str, float]
    checks: tuple[Check, ...]
    excluded: tuple[ExcludedCandidate, ...]
    ties: tuple[TieView, ...]
    skills_covered: Mapping[str, str | None]
    solver: str
    optimal: bool
    seconds: float
    params: Mapping[str, Any] = field(default_factory=dict)
    problem: TeamProblem | None = field(default=None, repr=False, compare=False)
    #: Skills derived from the demand's text that no allowed expert in the pool covers, left
    #: out of the constraints (skill → why). Staff's own skills are never left out.
    skills_dropped: Mapping[str, str] = field(default_factory=dict)

    _not_serialised: ClassVar[tuple[str, ...]] = ("problem",)


@dataclass(frozen=True)
class SwapOption:
    """One replacement: who comes in, the objective change, and the skills they cover."""

    candidate: str
    name: str
    objective_delta: float
    objective: float
    members: tuple[str, ...]
    skills: tuple[str, ...]
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class SwapProposal:
    """Replacements for one member of a saved team, the rest fixed."""

    team_id: str
    removed: str
    options: tuple[SwapOption, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PanelMember:
    id: str
    name: str
    institution: str | None
    sector: str
    grade: str
    young: bool
    disciplines: tuple[str, ...]
    relevance: float
    prior_share: float
    selection_probability: float | None
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class PanelProposal(Proposal):
    """A proposed think-tank panel with quotas, diversity and rotation figures."""

    topic_id: str
    topic_title: str
    members: tuple[PanelMember, ...]
    objective: float
    relevance_mean: float
    checks: tuple[Check, ...]
    quotas: tuple[str, ...]
    diversity: Mapping[str, Any]
    relaxed: tuple[str, ...]
    reasons: tuple[str, ...]
    excluded: tuple[ExcludedCandidate, ...]
    lottery: Mapping[str, Any] | None
    solver: str
    seconds: float
    params: Mapping[str, Any] = field(default_factory=dict)
    #: Each relaxed quota with the bound asked for and the one the pool allowed.
    relaxations: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class ConsortiumMember:
    id: str
    name: str
    kind: str
    relevance: float
    disciplines: tuple[str, ...]
    unique_disciplines: tuple[str, ...]
    unique_kinds: tuple[str, ...]
    ties: tuple[tuple[str, float, str], ...]  # (other member, strength, what)
    experts: tuple[tuple[str, str, float], ...]  # (id, name, score)
    contribution: str
    #: Per tie, in the order of ``ties``, what makes it (a sentence with a code).
    tie_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsortiumProposal(Proposal):
    theme: str
    theme_disciplines: tuple[tuple[str, str], ...]
    members: tuple[ConsortiumMember, ...]
    objective: float
    relevance_sum: float
    ties_sum: float
    checks: tuple[Check, ...]
    solver: str
    optimal: bool
    seconds: float
    #: When the stored organisation ties were counted (ISO 8601); None: counted for this request.
    ties_as_of: str | None = None
    #: The organisations the solver chose from (best relevance first, then the kept holders of
    #: a required kind or discipline).
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class BatchResult:
    """Batch assignment under remaining loads: one solution per solver, and the problem."""

    problem: BatchProblem
    solutions: Mapping[str, BatchSolution]
    names: Mapping[str, str]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"demands": list(self.problem.demands), "solutions": {}}
        for name, s in self.solutions.items():
            out["solutions"][name] = {
                "assignment": {d: list(m) for d, m in s.assignment.items()},
                "total_affinity": s.total_affinity,
                "n_filled": s.n_filled,
                "unfilled": dict(s.unfilled),
                "load": {k: v for k, v in s.load.items() if v},
                "checks": [asdict(c) for c in s.checks],
                "optimal": s.optimal,
                "seconds": s.seconds,
            }
        return out
