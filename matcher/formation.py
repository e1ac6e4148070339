"""Team, panel and consortium formation over the graph: the *encoder* of the pure solvers.

:class:`FormationService` reads a request from the graph (:mod:`graph_schema.formation`), asks the
retriever (:class:`~matcher.retrieval.ExpertMatcher`) for candidates and absolute affinities,
encodes them as a :mod:`matcher.optimise` problem, solves it with a named solver and decodes the
answer into a proposal that says why: members with the evidence that matched and the skills they
cover, the objective's parts, every hard constraint with whether it holds, the candidates left
out with their reasons, and the ties that make the group cohesive.

Expert service team for a demand (:meth:`FormationService.propose_team`):

1. Skills: the demand's ``skills``; else TF-IDF keywords of its text (``jieba.analyse``) plus
   the names of its disciplines, 2–6 of them (:func:`demand_skills`); staff may pass their own.
2. Pool: the retriever's best experts for the demand text (all availabilities, so exclusions
   can be explained), re-scored as an explicit candidate list under the request's filters:
   conflicts of interest with the requesting enterprise (its staff and declared conflicts),
   availability; load (active teams vs ``max_active_teams``) and "declined this demand before"
   are checked here. Not-allowed candidates stay in the problem with ``allowed=False`` and a
   reason, so infeasibility can name them.
3. Coverage ``[n, s]``: for every skill, the retriever's absolute score of every candidate for
   that skill's text with the demand's disciplines (comparable across queries; all skills in
   one read, :meth:`ExpertMatcher.rank_candidates`); a candidate *covers* a skill at
   ``cover_threshold``.
4. Communication cost ``[n, n]`` from graph ties (:func:`comm_cost_matrix`):
   ``cost = exp(−(0.7·coauthored + 0.6·served_together + 0.25·shared_societies +
   0.3·same_institution))``, so 1 = no tie and each co-authored item brings it down.
5. Senior: society grade fellow / senior member, a senior title (教授, 研究员, 正高级工程师…)
   or a strategic-scientist / leading-talent kind. Locality (optional): 1 in the enterprise's
   district, 0.2 elsewhere, 0.5 unknown.
6. Solver ``auto``: when the problem has at most ``exhaustive_max_teams`` candidate teams
   (a pool of 30 with ``k_max ≤ 5`` has 174,406), ``exhaustive`` scores every one of them with
   numpy and returns the proven optimum (15 ms against the MILP's 328 ms on the size-100
   demands, ``results/bench-100.md``). Larger problems: ``greedy`` + local search
   (milliseconds), then, when at most ``exact_max_pool`` candidates are
   allowed, the ``exact`` MILP under a time budget (``exact_budget_s``, default 0.1 s); the
   better team wins, and it is marked optimal only when HiGHS proved it. HiGHS finds the
   optimum fast and spends most of its time proving it (the linearised pair costs make a weak
   bound). `kexie bench formation` compares the solvers.

Feedback loop: a scientist who declined a team for a demand (``accepted=false``) is never
proposed for that demand again; ratings and acceptances shift a small prior in the retriever's
graph component (:func:`matcher.scoring.feedback_shift`).
"""

from __future__ import annotations

import datetime as _dt
import logging
import math
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Final, Literal, TypeVar

import neo4j
import numpy as np

from graph_schema import formation as F
from graph_schema import search as S
from graph_schema import ties as T
from graph_schema.labels import AVAILABILITIES, SENIOR_GRADES
from matcher.embedding import Embedder
from matcher.errors import InfeasibleError, MatchValidationError, SolverError
from matcher.optimise import (
    SOLVER_MAP,
    BatchProblem,
    BatchSolution,
    ConsortiumProblem,
    ConsortiumSolution,
    ExactSolver,
    ExhaustiveSolver,
    Organisation,
    PanelProblem,
    Quota,
    TeamProblem,
    TeamSolution,
    TeamWeights,
    default_panel_quotas,
    propose_replacements,
    randomised_panels,
    solve_batch,
    solve_consortium,
    solve_panel,
    solve_team,
)
from matcher.retrieval import ExpertMatcher, Found
from matcher.types import Check, ExpertFilters, ExpertResult

__all__ = [
    "FormationService",
    "TeamMember",
    "TeamProposal",
    "ExcludedCandidate",
    "TieView",
    "SwapProposal",
    "PanelMember",
    "PanelProposal",
    "ConsortiumMember",
    "ConsortiumProposal",
    "BatchResult",
    "demand_skills",
    "comm_cost_matrix",
    "is_senior",
    "locality_score",
    "sector_of",
    "is_young",
    "org_relevance",
    "org_tie_strength",
    "parse_quota_overrides",
    "team_precision",
]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
_R = TypeVar("_R")

SENIOR_TITLES = (
    "教授",
    "研究员",
    "正高级工程师",
    "教授级高级工程师",
    "主任医师",
    "院士",
    "首席科学家",
    "首席专家",
    "professor",
    "senior engineer",
    "chief scientist",
)
SENIOR_KINDS = frozenset({"strategic_scientist", "leading_talent"})
TeamSolverName = Literal["auto", "greedy", "exact", "exhaustive", "rarest_first", "top_k"]


# ---------------------------------------------------------------------------------------------
# Pure helpers


#: Words of the request itself, not of what it is about: "需要…方面的专家团队" once made
#: "团队" (team) a skill no expert covers, and the demand infeasible.
_REQUEST_WORDS_ZH: Final = frozenset(
    """专家 团队 专家团队 需要 需求 方面 咨询 提供 希望 寻求 帮助 支持 相关 我们 我司 企业
    公司 合作 服务 开展 进行 寻找 解决 问题 能够 可以 如何 哪些 推荐 了解 熟悉 擅长 人员
    研究人员 科研人员 邀请 协助 完成 参与 遇到 存在 目前 主要""".split()
)
#: Verbs that open a request ("懂…", "找…"): jieba's HMM glues them to the next character
#: ("懂多"), making a non-word; dictionary words such as 要素 or 求解 stay.
_REQUEST_VERBS_ZH: Final = ("懂", "找", "求", "请", "想", "要")
#: The same for English, beside scikit-learn's stop words ("Looking for an expert who can solve
#: … problems" once made "looking", "who" and "solve" skills, and a third of the benchmark's
#: English demands infeasible).
_REQUEST_WORDS_EN: Final = frozenset(
    """looking seeking seek need needs needed want wants help advice advise consult consulting
    consultancy consultant consultants expert experts expertise specialist specialists
    researcher researchers scientist scientists team teams someone person people solve
    solving solution solutions problem problems issue issues company companies enterprise
    enterprises sme smes firm project projects support knows know knowledge experience
    experienced work works working able like find recommend partner partners collaboration
    collaborate applications application technology technologies field fields area areas
    related using based improve improving""".split()
)


def _english_phrases(text: str) -> list[str]:
    """Key phrases of English text, in order: runs of up to three words between stop words,
    request words and punctuation (the candidate phrases of RAKE, Rose et al. 2010, whose
    scores favour the longer phrase: so do we, by keeping runs whole)."""
    import re

    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    out: list[str] = []
    for part in re.split(r"[.,;:!?()\[\]\"“”/\n]+", text):
        run: list[str] = []
        for w in [*re.findall(r"[A-Za-z0-9][A-Za-z0-9'\-]*", part), ""]:
            low = w.lower().removesuffix("'s")
            stop = not w or low in ENGLISH_STOP_WORDS or low in _REQUEST_WORDS_EN
            if not stop and (len(low) >= 3 or w.isupper()):
                run.append(low if not w.isupper() else w)
                continue
            if run:
                out.append(" ".join(run[:3]))
            run = []
    return list(dict.fromkeys(out))


def demand_skills(
    title: str,
    text: str,
    discipline_names: Sequence[str] = (),
    *,
    given: Sequence[str] = (),
    min_skills: int = 2,
    max_skills: int = 6,
) -> list[str]:
    """The skills a demand needs: ``given`` when there are any, else derived from its text.

    Derivation: TF-IDF keywords of title + text (``jieba.analyse.extract_tags``) less the words
    of the request itself (专家, 团队, 需要, 寻找…); for English text, its key phrases
    (:func:`_english_phrases`). Title keywords first, then discipline names, deduplicated, at
    most ``max_skills``; at least ``min_skills`` when the text allows.

    Example:
        >>> demand_skills("x", "y", given=["电池热管理", " 数据分析 ", "电池热管理"])
        ['电池热管理', '数据分析']
    """
    cleaned = [s.strip() for s in given if s and s.strip()]
    if cleaned:
        return list(dict.fromkeys(cleaned))[: max(max_skills, len(cleaned))]
    import re

    import jieba.analyse

    body = f"{title}。{text}"
    keywords: list[str] = [
        k
        for k in jieba.analyse.extract_tags(body, topK=12)
        if len(k) >= 2
        and not k.isdigit()
        and not re.fullmatch(r"[A-Za-z]{1,2}", k)
        and k not in _REQUEST_WORDS_ZH
        and not (k.startswith(_REQUEST_VERBS_ZH) and not jieba.dt.FREQ.get(k))
    ]
    if not re.search(r"[\u4e00-\u9fff]", body):
        keywords = _english_phrases(body)
    # Keep title words first: they name the problem.
    title_low = title.lower()
    title_kw = [k for k in keywords if k.lower() in title_low]
    rest = [k for k in keywords if k.lower() not in title_low]
    out = list(dict.fromkeys(title_kw[:3] + rest[:3] + [d for d in discipline_names if d]))
    if len(out) < min_skills:
        out = list(dict.fromkeys(out + keywords + [title.strip()]))
    return [s for s in out if s][:max_skills]


def comm_cost_matrix(ids: Sequence[str], ties: Sequence[F.PairTie]) -> np.ndarray:
    """Communication cost in [0, 1] from graph ties, shape [n, n], symmetric, zero diagonal.

    ``cost = exp(−(0.7·coauthored + 0.6·served_together + 0.25·shared_societies +
    0.3·same_institution))``: 1 for strangers, ≈0.5 for one joint paper, lower with more.
    """
    pos = {c: i for i, c in enumerate(ids)}
    n = len(ids)
    c = np.ones((n, n))
    for t in ties:
        if t.a in pos and t.b in pos:
            s = (
                0.7 * t.coauthored
                + 0.6 * t.served_together
                + 0.25 * t.shared_societies
                + 0.3 * float(t.same_institution)
            )
            i, j = pos[t.a], pos[t.b]
            c[i, j] = c[j, i] = math.exp(-s)
    np.fill_diagonal(c, 0.0)
    return c


def is_senior(grade: str | None, title: str | None, talent_kinds: Sequence[str] = ()) -> bool:
    """Fellow / senior member, a senior title, or a strategic-scientist / leading-talent kind.

    Example:
        >>> is_senior(None, "教授"), is_senior("member", "副教授"), is_senior("fellow", None)
        (True, False, True)
    """
    if grade in SENIOR_GRADES or SENIOR_KINDS & set(talent_kinds):
        return True
    t = (title or "").strip().lower()
    if not t or t.startswith("副") or t.startswith("associate") or t.startswith("assistant"):
        return False
    return any(t == s or t.endswith(s) for s in SENIOR_TITLES)


def locality_score(candidate_districts: Sequence[str | None], target: str | None) -> float:
    """1 when the expert works in the enterprise's district, 0.2 elsewhere, 0.5 when unknown."""
    known = {d for d in candidate_districts if d}
    if not target or not known:
        return 0.5
    return 1.0 if target in known else 0.2


def sector_of(org_kind: str | None) -> str:
    """Panel sector of an institution kind: enterprise, academic (university), research."""
    return {"enterprise": "enterprise", "university": "academic", "institute": "research"}.get(
        org_kind or "", "research"
    )


def is_young(birth_year: int | None, *, age_max: int = 45, today: _dt.date | None = None) -> bool:
    """Whether the scientist's age is at most ``age_max`` (unknown age: not young)."""
    if birth_year is None:
        return False
    return (today or _dt.date.today()).year - int(birth_year) <= age_max


def org_relevance(expert_scores: Sequence[float]) -> float:
    """An organisation's relevance from its experts' absolute scores: 0.7·best + 0.3·mean(top 3)."""
    if not expert_scores:
        return 0.0
    top = sorted(expert_scores, reverse=True)[:3]
    return min(1.0, 0.7 * top[0] + 0.3 * sum(top) / len(top))


def org_tie_strength(tie: F.OrgTie) -> float:
    """Tie strength in [0, 1]: counterpart link 0.8, else saturating in shared people and joint
    evidence."""
    s = 1.0 - math.exp(-(0.5 * tie.shared_people + 0.4 * tie.joint_evidence))
    return min(1.0, max(s, 0.8 if tie.counterpart else 0.0))


def parse_quota_overrides(items: Sequence[str]) -> dict[str, int]:
    """``["senior=3", "young=0"]`` → ``{"senior": 3, "young": 0}``.

    Raises:
        MatchValidationError: an item is not ``name=int``.
    """
    out: dict[str, int] = {}
    for it in items:
        name, sep, val = it.partition("=")
        if not sep or not val.strip().lstrip("-").isdigit():
            raise MatchValidationError(
                [{"loc": ["quota"], "msg": f"expected name=count, got {it!r}"}]
            )
        out[name.strip()] = int(val)
    return out


def team_precision(members: Sequence[str], relevant: Mapping[str, int]) -> float:
    """Share of members that the ground truth grades ≥ 1."""
    if not members:
        return 0.0
    return sum(1 for m in members if relevant.get(m, 0) >= 1) / len(members)


# ---------------------------------------------------------------------------------------------
# Results


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
class TeamProposal:
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

    @property
    def feasible(self) -> bool:
        return all(c.holds for c in self.checks)

    @property
    def member_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.members)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (without the encoded problem)."""
        d = asdict(self)
        d.pop("problem", None)
        d["feasible"] = self.feasible
        return d


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
class PanelProposal:
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

    @property
    def feasible(self) -> bool:
        return all(c.holds for c in self.checks)

    @property
    def member_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.members)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["feasible"] = self.feasible
        return d


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


@dataclass(frozen=True)
class ConsortiumProposal:
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

    @property
    def feasible(self) -> bool:
        return all(c.holds for c in self.checks)

    @property
    def member_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.members)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["feasible"] = self.feasible
        return d


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


@dataclass
class _Pool:
    """Candidates of one request, scored and checked (internal)."""

    ids: list[str]
    results: dict[str, ExpertResult]
    allowed: dict[str, bool]
    reasons: dict[str, list[str]]
    #: Per ``also`` text of :meth:`FormationService._pool` (a team's skills), every pooled
    #: expert's result for it.
    also: list[dict[str, ExpertResult]] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# The service


class FormationService:
    """Forms teams, panels and consortia from the graph, and records what staff decide.

    Args:
        driver: An open Neo4j driver.
        embedder: The configured embedder (``None``: lexical retrieval only).
        database: Neo4j database name.
        matcher: An :class:`ExpertMatcher` to reuse (built from driver and embedder otherwise).
        exhaustive_max_teams: ``solver="auto"`` scores every team (``exhaustive``, proven
            optimal) when there are at most this many; otherwise greedy, then the MILP.
        exact_max_pool: past that, ``auto`` tries ``exact`` up to this many allowed candidates.
        exact_budget_s: seconds ``auto`` gives the exact MILP after greedy.
        pool_rerank: a pool search of ``k`` scores ``pool_rerank · k`` index hits in full
            (an expert search scores ``4k``: it must put the very best first; a pool only
            needs the good ones in).

    Example::

        svc = FormationService(driver, SentenceTransformerEmbedder())
        team = svc.propose_team("D1", k_min=2, k_max=3)
        team_id = svc.save_team(team)
        svc.confirm(team_id)
        svc.feedback(team_id, team.members[0].id, accepted=True, rating=5)
    """

    def __init__(
        self,
        driver: neo4j.Driver,
        embedder: Embedder | None,
        *,
        database: str | None = None,
        matcher: ExpertMatcher | None = None,
        exhaustive_max_teams: int = 200_000,
        exact_max_pool: int = 40,
        exact_budget_s: float = 0.1,
        parallel: int = 4,
        pool_rerank: float = 2.0,
    ) -> None:
        # parallel: retrievals in flight at once when one request needs several (skills of a
        # team, quota groups of a panel, demands of a batch).
        self.driver = driver
        self.database = database
        self.matcher = matcher or ExpertMatcher(driver, embedder, database=database)
        self.exhaustive_max_teams = exhaustive_max_teams
        self.exact_max_pool = exact_max_pool
        self.exact_budget_s = exact_budget_s
        self.parallel = parallel
        self.pool_rerank = pool_rerank

    # -- pools ---------------------------------------------------------------------------------
    def _each(self, fn: Callable[[_T], _R], items: Iterable[_T]) -> list[_R]:
        """``[fn(x) for x in items]`` with up to ``parallel`` calls in flight: each retrieval is
        a few round trips to Neo4j, so independent ones overlap. Order is kept; the first
        exception is raised."""
        todo = list(items)
        if self.parallel <= 1 or len(todo) <= 1:
            return [fn(x) for x in todo]
        with ThreadPoolExecutor(max_workers=min(self.parallel, len(todo))) as pool:
            return list(pool.map(fn, todo))

    def _pool(
        self,
        text: str,
        *,
        disciplines: Sequence[str] | None,
        size: int,
        filters: ExpertFilters,
        force: Sequence[str] = (),
        blocked: Mapping[str, str] | None = None,
        load_discount: Mapping[str, int] | None = None,
        respect_load: bool = True,
        also: Sequence[str] = (),
    ) -> _Pool:
        """The best ``size``-ish experts for ``text`` scored under ``filters``, plus ``force``.

        One search returns the best ``size + 10`` hits whether or not they pass the filters
        (scores are absolute, so no second scoring pass is needed); only when fewer than
        ``size`` of them may serve does a wider search (``3 · size + 10``) follow. Forced ids
        it missed are scored on their own. (Always searching wide scored ~2× the candidates
        and, on the 0.3× demo's 20 demands of `kexie bench formation`, changed no team.)

        ``also`` (a team's skills) are scored on the same experts from the same candidate read,
        with ``disciplines`` as theirs."""
        blocked = blocked or {}
        load_discount = load_discount or {}
        disc = disciplines or None
        also = list(also)

        def search(k: int) -> Found:
            # The also texts take the request's disciplines, given or inferred from ``text``.
            return self.matcher.search_with(
                text,
                also,
                k=k,
                filters=filters,
                disciplines=disc,
                include_ineligible=True,
                rerank=int(self.pool_rerank * k),
            )

        k = min(500, size + 10)
        got = search(k)
        usable = sum(1 for r in got.results if r.eligible and r.scientist_id not in blocked)
        if usable < size and len(got.results) == k and k < 500:
            got = search(min(500, 3 * size + 10))
        scored, also_scored = list(got.results), got.also
        found = {r.scientist_id for r in scored}
        missing = [i for i in dict.fromkeys(force) if i not in found]
        if missing:
            scored += self.matcher.rank_experts(
                text, candidates=missing, filters=filters, disciplines=disc
            )
            scored.sort(key=lambda r: (-r.score, r.scientist_id))
            if also:
                # On the search's disciplines, as the also texts of the experts it found.
                used = sorted(got.disciplines) or None
                extra = self.matcher.rank_candidates(
                    also, missing, filters=filters, disciplines=[used] * len(also)
                )
                also_scored = [a + b for a, b in zip(also_scored, extra, strict=True)]
        also_by_id = [{r.scientist_id: r for r in rs} for rs in also_scored]
        if not scored:
            return _Pool([], {}, {}, {}, also_by_id)
        results = {r.scientist_id: r for r in scored}
        allowed: dict[str, bool] = {}
        reasons: dict[str, list[str]] = {}
        for r in scored:
            why = list(r.explanation.exclusions)
            if r.scientist_id in blocked:
                why.append(blocked[r.scientist_id])
            facts = r.explanation.facts
            active = int(facts.get("active_teams") or 0) - int(load_discount.get(r.scientist_id, 0))
            limit = int(facts.get("max_active_teams") or 0)
            if respect_load and active >= limit:
                why.append(f"already on {active} active teams (limit {limit})")
            allowed[r.scientist_id] = not why
            reasons[r.scientist_id] = why
        # Keep the best `size` allowed, every forced id, and the not-allowed among the top hits
        # (so exclusions can be explained).
        order = [r.scientist_id for r in scored]
        keep_allowed = [i for i in order if allowed[i]][:size]
        top = set(order[:size])
        keep = [
            i
            for i in order
            if i in set(keep_allowed) or i in set(force) or (not allowed[i] and i in top)
        ]
        return _Pool(keep, results, allowed, reasons, also_by_id)

    def _excluded(self, pool: _Pool) -> tuple[ExcludedCandidate, ...]:
        return tuple(
            ExcludedCandidate(
                i, pool.results[i].name, pool.results[i].score, tuple(pool.reasons[i])
            )
            for i in pool.ids
            if not pool.allowed[i]
        )

    # -- teams ---------------------------------------------------------------------------------
    def team_problem(
        self,
        demand_id: str,
        *,
        skills: Sequence[str] | None = None,
        k_min: int = 2,
        k_max: int = 4,
        locked: Sequence[str] = (),
        excluded: Sequence[str] = (),
        pool_size: int = 30,
        min_senior: int = 1,
        max_per_institution: int | None = 2,
        cover_threshold: float = 0.3,
        use_locality: bool = False,
        weights: TeamWeights | None = None,
        availability: Sequence[str] = ("available", "limited"),
        ignore_team: str | None = None,
    ) -> tuple[TeamProblem, dict[str, Any]]:
        """Encode a demand as a :class:`TeamProblem`; also return the context to explain it.

        Args: as :meth:`propose_team`; ``ignore_team``: a saved team whose own load on its
            members is not counted (for swaps).

        Raises:
            NotFoundError: unknown demand. MatchValidationError: bad arguments.
        """
        if not 1 <= k_min <= k_max:
            raise MatchValidationError([{"loc": ["k_min"], "msg": "need 1 ≤ k_min ≤ k_max"}])
        demand = F.load_demand(self.driver, demand_id, database=self.database)
        given = [s for s in (list(skills or []) or list(demand.skills)) if s.strip()]
        skill_list = demand_skills(
            demand.title, demand.text, [n for _, n in demand.disciplines], given=given
        )
        text = demand.query_text
        disciplines = [c for c, _ in demand.disciplines]
        declined = F.declined_for_demand(self.driver, demand_id, database=self.database)
        blocked = {
            s: f"declined this demand before (team {', '.join(t)})" for s, t in declined.items()
        }
        for s in excluded:
            blocked[s] = "excluded by staff"
        discount: dict[str, int] = {}
        if ignore_team:
            rec = F.get_formation(self.driver, ignore_team, database=self.database)
            if rec.status in ("proposed", "confirmed"):
                discount = {m.id: 1 for m in rec.members}
        conflict = [demand.enterprise_id] if demand.enterprise_id else []
        flt = ExpertFilters(conflict_with=conflict, availability=list(availability))  # type: ignore[arg-type]
        # The skills are scored in the pool search's candidate read. A skill is part of the
        # demand: its discipline part is the demand's disciplines (a four-character skill
        # infers its own poorly); inferred only when the demand has none.
        pool = self._pool(
            text,
            disciplines=disciplines,
            size=pool_size,
            filters=flt,
            force=list(locked),
            blocked=blocked,
            load_discount=discount,
            also=skill_list,
        )
        ids = pool.ids
        if not ids:
            raise InfeasibleError(
                [f"the retriever found no expert for demand {demand_id}"],
                "embed the graph (`kexie embed`) or give the demand more text",
            )
        n = len(ids)
        cov = np.zeros((n, len(skill_list)))
        skill_evidence: dict[tuple[str, str], tuple[str, ...]] = {}
        for j, skill in enumerate(skill_list):
            for i, sid in enumerate(ids):
                r = pool.also[j][sid]
                cov[i, j] = max(0.0, min(1.0, r.score))
                skill_evidence[(sid, skill)] = tuple(e.title for e in r.explanation.evidence[:2])
        # A skill derived from the text that no expert in the pool covers is a word the
        # derivation got wrong far more often than a need no expert has (the benchmark's
        # "Looking for an expert who can solve …" made "who" a skill): left out, and said so.
        # One that only excluded experts cover stays, so the answer names who is in the way;
        # staff's skills (or the demand's own) are always hard constraints.
        dropped: dict[str, str] = {}
        if not given and skill_list:
            covered = np.asarray((cov >= cover_threshold - 1e-9).any(axis=0), dtype=bool)
            for sk, ok in zip(skill_list, covered, strict=True):
                if not ok:
                    dropped[sk] = (
                        f"derived from the demand's text, and none of the {n} experts in the "
                        f"pool covers it (affinity ≥ {cover_threshold}); give skills to require it"
                    )
            skill_list = [sk for sk, ok in zip(skill_list, covered, strict=True) if ok]
            cov = cov[:, covered]
        ties = F.pair_ties(self.driver, ids, database=self.database)
        comm = comm_cost_matrix(ids, ties)
        facts = [pool.results[i].explanation.facts for i in ids]
        inst = [
            ((f.get("institution") or {}).get("id") or f"(none:{i})")
            for i, f in zip(ids, facts, strict=True)
        ]
        senior = [
            is_senior(f.get("best_grade"), f.get("title"), f.get("talent_kinds") or [])
            for f in facts
        ]
        loc = np.array([locality_score([f.get("district")], demand.district) for f in facts])
        w = weights or TeamWeights(
            relevance=1.0, communication=0.3, locality=0.2 if use_locality else 0.0
        )
        problem = TeamProblem(
            candidates=tuple(ids),
            relevance=np.array([max(0.0, min(1.0, pool.results[i].score)) for i in ids]),
            skills=tuple(skill_list),
            coverage=cov,
            comm_cost=comm,
            institution=tuple(inst),
            senior=np.array(senior, dtype=bool),
            locality=loc if use_locality else None,
            allowed=np.array([pool.allowed[i] for i in ids], dtype=bool),
            excluded_reasons={i: "; ".join(pool.reasons[i]) for i in ids if not pool.allowed[i]},
            locked=tuple(locked),
            k_min=k_min,
            k_max=k_max,
            min_senior=min_senior,
            max_per_institution=max_per_institution,
            weights=w,
            cover_threshold=cover_threshold,
        )
        ctx = {
            "demand": demand,
            "pool": pool,
            "ties": ties,
            "skill_evidence": skill_evidence,
            "skills_dropped": dropped,
            "params": {
                "skills": list(skill_list),
                "k_min": k_min,
                "k_max": k_max,
                "locked": list(locked),
                "excluded": list(excluded),
                "pool_size": pool_size,
                "min_senior": min_senior,
                "max_per_institution": max_per_institution,
                "cover_threshold": cover_threshold,
                "use_locality": use_locality,
                "availability": list(availability),
            },
        }
        return problem, ctx

    def _solve(self, problem: TeamProblem, solver: str) -> TeamSolution:
        if solver != "auto":
            return solve_team(problem, solver)
        if ExhaustiveSolver.count(problem) <= self.exhaustive_max_teams:
            return solve_team(problem, ExhaustiveSolver(max_teams=self.exhaustive_max_teams))
        best = solve_team(problem, "greedy")  # raises InfeasibleError with the reasons
        if int(problem.allowed_mask.sum()) > self.exact_max_pool:
            return best
        try:
            exact = solve_team(problem, ExactSolver(time_limit=self.exact_budget_s))
        except SolverError as exc:  # no incumbent within the budget: greedy stands
            logger.info("exact team MILP within %.2fs: %s", self.exact_budget_s, exc)
            return best
        if exact.optimal or exact.objective > best.objective + 1e-9:
            return exact
        return best

    def propose_team(
        self,
        demand_id: str,
        *,
        skills: Sequence[str] | None = None,
        k_min: int = 2,
        k_max: int = 4,
        solver: TeamSolverName | str = "auto",
        locked: Sequence[str] = (),
        excluded: Sequence[str] = (),
        pool_size: int = 30,
        min_senior: int = 1,
        max_per_institution: int | None = 2,
        cover_threshold: float = 0.3,
        use_locality: bool = False,
        weights: TeamWeights | None = None,
        availability: Sequence[str] = ("available", "limited"),
    ) -> TeamProposal:
        """Propose an expert service team for a demand.

        Args:
            demand_id: The demand.
            skills: Skills to cover (staff's edited list); default: the demand's, or derived.
            k_min, k_max: Team size bounds.
            solver: ``auto`` (``exhaustive`` for small problems, else greedy then the MILP
                briefly), ``greedy``, ``exact``, ``exhaustive``, ``rarest_first`` or ``top_k``
                (the last two are baselines whose checks may fail).
            locked: Scientist ids that must be on the team. ``excluded``: ids that must not.
            pool_size: Allowed candidates taken from the retriever.
            min_senior: Fewest senior members. ``max_per_institution``: cap (None: no cap).
            cover_threshold: Absolute skill affinity at which a candidate covers a skill.
            use_locality: Reward experts in the enterprise's district.
            weights: Objective weights (default relevance 1, communication 0.3, locality 0.2).
            availability: Accepted availability states.

        Returns:
            A :class:`TeamProposal`.

        Raises:
            InfeasibleError: no team satisfies the constraints; ``reasons`` name the skills,
                quotas or people in the way, ``advice`` what to relax.
            NotFoundError: unknown demand. MatchValidationError: bad arguments.
        """
        problem, ctx = self.team_problem(
            demand_id,
            skills=skills,
            k_min=k_min,
            k_max=k_max,
            locked=locked,
            excluded=excluded,
            pool_size=pool_size,
            min_senior=min_senior,
            max_per_institution=max_per_institution,
            cover_threshold=cover_threshold,
            use_locality=use_locality,
            weights=weights,
            availability=availability,
        )
        try:
            sol = self._solve(problem, solver)
        except InfeasibleError as exc:
            excl = self._excluded(ctx["pool"])
            extra = [f"excluded: {e.name} ({e.id}): {'; '.join(e.reasons)}" for e in excl[:5]]
            raise InfeasibleError(exc.reasons + extra, exc.advice) from exc
        return self._team_proposal(problem, ctx, sol)

    def _team_proposal(
        self, problem: TeamProblem, ctx: dict[str, Any], sol: TeamSolution
    ) -> TeamProposal:
        demand: F.DemandInfo = ctx["demand"]
        pool: _Pool = ctx["pool"]
        covers = problem.covers
        pos = {c: i for i, c in enumerate(problem.candidates)}
        members_sorted = sorted(sol.members, key=lambda m: -problem.relevance[pos[m]])
        seniors = [m for m in members_sorted if problem.senior[pos[m]]]
        lead: str | None = (seniors or members_sorted)[0] if (seniors or members_sorted) else None
        members = []
        for m in members_sorted:
            r = pool.results[m]
            f = r.explanation.facts
            i = pos[m]
            sk = tuple(s for j, s in enumerate(problem.skills) if covers[i, j])
            ev = [e.title for e in r.explanation.evidence[:2]]
            for s in sk:
                ev.extend(ctx["skill_evidence"].get((m, s), ())[:1])
            inst = f.get("institution") or {}
            members.append(
                TeamMember(
                    id=m,
                    name=r.name,
                    institution=inst.get("name"),
                    institution_id=inst.get("id"),
                    title=f.get("title"),
                    grade=f.get("best_grade"),
                    senior=bool(problem.senior[i]),
                    district=f.get("district"),
                    relevance=round(float(problem.relevance[i]), 4),
                    skills=sk,
                    role="lead" if m == lead else "member",
                    evidence=tuple(dict.fromkeys(ev)),
                    matched_terms=r.explanation.matched_terms[:8],
                )
            )
        ids = set(sol.members)
        ties = tuple(
            TieView(
                t.a,
                t.b,
                round(float(problem.comm_cost[pos[t.a], pos[t.b]]), 4),
                t.coauthored,
                t.served_together,
                t.shared_societies,
                t.same_institution,
                dict(t.examples),
            )
            for t in ctx["ties"]
            if t.a in ids and t.b in ids
        )
        objective = {
            "objective": round(sol.objective, 6),
            "relevance_sum": round(sol.relevance_sum, 6),
            "relevance_mean": round(sol.relevance_mean, 6),
            "comm_cost_sum": round(sol.comm_cost_sum, 6),
            "comm_cost_mean": round(sol.comm_cost_mean, 6),
            "locality_sum": round(sol.locality_sum, 6),
            "coverage": round(sol.coverage_fraction, 6),
            "w_relevance": problem.weights.relevance,
            "w_communication": problem.weights.communication,
            "w_locality": problem.weights.locality,
        }
        return TeamProposal(
            demand_id=demand.id,
            demand_title=demand.title,
            enterprise=demand.enterprise_id,
            skills=problem.skills,
            members=tuple(members),
            objective=objective,
            checks=sol.checks,
            excluded=self._excluded(pool),
            ties=ties,
            skills_covered=dict(sol.skills_covered),
            solver=sol.solver,
            optimal=sol.optimal,
            seconds=round(sol.seconds, 4),
            params=dict(ctx["params"]),
            problem=problem,
            skills_dropped=dict(ctx.get("skills_dropped") or {}),
        )

    def swap_member(self, team_id: str, remove: str, *, n: int = 5) -> SwapProposal:
        """Best replacements for ``remove`` in a saved team, the other members fixed.

        Every option keeps every hard constraint the team was formed under.

        Raises:
            NotFoundError: no team has this id. MatchValidationError: ``remove`` is not a member.
            InfeasibleError: nobody can replace them without breaking a constraint.
        """
        rec = F.get_formation(self.driver, team_id, kind="team", database=self.database)
        if rec.kind != "team" or not rec.request_id:
            raise MatchValidationError([{"loc": ["team"], "msg": f"{team_id} is not a team"}])
        team = [m.id for m in rec.members]
        if remove not in team:
            raise MatchValidationError(
                [{"loc": ["remove"], "msg": f"{remove} is not on team {team_id}"}]
            )
        p = rec.props
        mpi = p.get("max_per_institution")
        problem, ctx = self.team_problem(
            rec.request_id,
            skills=list(p.get("skills") or []),
            k_min=int(p.get("k_min", 1)),
            k_max=int(p.get("k_max", len(team))),
            locked=team,
            excluded=list(p.get("excluded") or []),
            pool_size=int(p.get("pool_size", 30)),
            min_senior=int(p.get("min_senior", 0)),
            max_per_institution=None if mpi is None or int(mpi) < 1 else int(mpi),
            cover_threshold=float(p.get("cover_threshold", 0.3)),
            use_locality=bool(p.get("use_locality", False)),
            availability=list(p.get("availability") or ["available", "limited"]),
            ignore_team=team_id,
        )
        problem = problem.replace(locked=())
        opts = propose_replacements(problem, team, remove, n=n)
        pool: _Pool = ctx["pool"]
        pos = {c: i for i, c in enumerate(problem.candidates)}
        out = tuple(
            SwapOption(
                o.candidate,
                pool.results[o.candidate].name,
                round(o.objective_delta, 6),
                round(o.objective, 6),
                o.members,
                tuple(
                    s for j, s in enumerate(problem.skills) if problem.covers[pos[o.candidate], j]
                ),
                o.checks,
            )
            for o in opts
        )
        return SwapProposal(team_id, remove, out)

    def apply_swap(self, team_id: str, remove: str, add: str) -> None:
        """Replace ``remove`` by ``add`` on a saved team, if ``add`` is one of the safe options.

        Raises:
            MatchValidationError: ``add`` is not a replacement that keeps every constraint.
        """
        swap = self.swap_member(team_id, remove, n=10_000)
        chosen = next((o for o in swap.options if o.candidate == add), None)
        if chosen is None:
            raise MatchValidationError(
                [
                    {
                        "loc": ["add"],
                        "msg": f"{add} cannot replace {remove} without breaking a constraint",
                    }
                ]
            )
        rec = F.get_formation(self.driver, team_id, database=self.database)
        members = [
            {"id": m.id, "role": m.role, "skills": list(m.skills)}
            for m in rec.members
            if m.id != remove
        ]
        members.append({"id": add, "role": "member", "skills": list(chosen.skills)})
        props = {k: v for k, v in rec.props.items() if k not in {"demand_id", "updated_at"}}
        F.save_formation(
            self.driver,
            "team",
            team_id,
            rec.request_id or "",
            members,
            props,
            database=self.database,
        )

    # -- panels --------------------------------------------------------------------------------
    def propose_panel(
        self,
        topic_id: str,
        *,
        size: int = 5,
        quotas: Sequence[Quota] | None = None,
        quota_counts: Mapping[str, int] | None = None,
        young_age_max: int = 45,
        pool_size: int = 40,
        locked: Sequence[str] = (),
        excluded: Sequence[str] = (),
        conflict_with: Sequence[str] = (),
        exposure_days: int = 365,
        exposure_penalty: float = 0.3,
        max_prior_share: float | None = None,
        lottery_q: float | None = None,
        seed: int | None = None,
        relax: bool = False,
        availability: Sequence[str] = ("available", "limited"),
    ) -> PanelProposal:
        """Propose a think-tank panel for a topic under explicit quotas.

        Args:
            topic_id: The topic.
            size: Panel size.
            quotas: Full quota list; default :func:`default_panel_quotas` with ``quota_counts``
                overriding counts by quota name (``senior``, ``young``, ``enterprise``,
                ``academic``, ``disciplines``, ``per_institution``).
            young_age_max: Age up to which a scientist counts as young (from ``birth_year``).
            pool_size: Allowed candidates from the retriever.
            locked, excluded, conflict_with: Must-haves, never-haves, COI organisations.
            exposure_days: Window for exposure (share of confirmed panels each expert sat on).
            exposure_penalty: Objective penalty per unit of that share.
            max_prior_share: Exclude experts above this share.
            lottery_q: If given, draw the panel from a lottery over quota-satisfying panels with
                every expert's selection probability ≤ q, and report the probabilities.
            seed: Seed of the lottery draw.
            relax: Drop lowest-priority conflicting quotas instead of raising.

        Raises:
            InfeasibleError: quotas that cannot hold (alone or together) and why.
            NotFoundError: unknown topic.
        """
        topic = F.load_topic(self.driver, topic_id, database=self.database)
        counts = dict(quota_counts or {})
        if quotas is None:
            names = {
                "senior": "min_senior",
                "young": "min_young",
                "enterprise": "min_enterprise",
                "academic": "min_academic",
                "disciplines": "min_disciplines",
                "per_institution": "max_per_institution",
            }
            unknown = sorted(set(counts) - set(names))
            if unknown:
                raise MatchValidationError(
                    [{"loc": ["quota"], "msg": f"unknown quotas {unknown}; known {sorted(names)}"}]
                )
            quotas = default_panel_quotas(**{names[k]: v for k, v in counts.items()})
        blocked = dict.fromkeys(excluded, "excluded by staff")
        flt = ExpertFilters(conflict_with=list(conflict_with), availability=list(availability))  # type: ignore[arg-type]
        disciplines = [c for c, _ in topic.disciplines]
        # Quota-aware pool: the most relevant experts of each group a minimum quota asks for
        # join the pool, so a quota is not "infeasible" merely because the top hits are all
        # academics (or all senior).
        groups: list[tuple[ExpertFilters, int]] = []
        for q in quotas:
            if q.kind != "min" or q.count <= 0:
                continue
            group: ExpertFilters | None = None
            if q.attribute == "sector" and "enterprise" in q.values:
                group = flt.model_copy(update={"institution_kinds": ["enterprise"]})
            elif q.attribute == "sector":
                group = flt.model_copy(update={"institution_kinds": ["university", "institute"]})
            elif q.attribute == "is_young":
                group = flt.model_copy(update={"age_max": young_age_max})
            elif q.attribute == "grade" and q.values <= {"senior_member", "fellow"}:
                group = flt.model_copy(update={"min_grade": "senior_member"})
            if group is not None:
                groups.append((group, max(3, 2 * q.count)))
        found = self._each(
            lambda g: self.matcher.rank_experts(
                topic.query_text, k=g[1], filters=g[0], disciplines=disciplines or None
            ),
            groups,
        )
        extra = [h.scientist_id for hits in found for h in hits]
        pool = self._pool(
            topic.query_text,
            disciplines=disciplines,
            size=pool_size,
            filters=flt,
            force=list(dict.fromkeys([*locked, *extra])),
            blocked=blocked,
            respect_load=False,
        )
        ids = pool.ids
        if not ids:
            raise InfeasibleError(
                [f"the retriever found no expert for topic {topic_id}"], "embed the graph"
            )
        facts = [pool.results[i].explanation.facts for i in ids]
        exposure, total = F.panel_exposure(
            self.driver, ids, days=exposure_days, database=self.database
        )
        share = np.array([exposure.get(i, 0) / total if total else 0.0 for i in ids])
        emb = F.scientist_embeddings(self.driver, ids, database=self.database)
        embeddings = None
        if emb and len(emb) == len(ids) and len({len(v) for v in emb.values()}) == 1:
            embeddings = np.array([emb[i] for i in ids], dtype=float)
        problem = PanelProblem(
            candidates=tuple(ids),
            relevance=np.array([max(0.0, min(1.0, pool.results[i].score)) for i in ids]),
            grade=tuple(f.get("best_grade") or "none" for f in facts),
            is_young=np.array(
                [is_young(f.get("birth_year"), age_max=young_age_max) for f in facts]
            ),
            sector=tuple(sector_of((f.get("institution") or {}).get("kind")) for f in facts),
            disciplines=tuple(tuple(f.get("disciplines") or ()) for f in facts),
            institution=tuple(
                ((f.get("institution") or {}).get("id") or f"(none:{i})")
                for i, f in zip(ids, facts, strict=True)
            ),
            size=size,
            quotas=tuple(quotas),
            embeddings=embeddings,
            allowed=np.array([pool.allowed[i] for i in ids], dtype=bool),
            excluded_reasons={i: "; ".join(pool.reasons[i]) for i in ids if not pool.allowed[i]},
            locked=tuple(locked),
            prior_share=share,
            max_prior_share=max_prior_share,
            exposure_penalty=exposure_penalty,
        )
        lottery_info: dict[str, Any] | None = None
        t0 = time.perf_counter()
        try:
            if lottery_q is not None:
                lot = randomised_panels(problem, lottery_q)
                sol = lot.sample(seed)
                probs = dict(lot.selection_probability)
                lottery_info = {
                    "q": lottery_q,
                    "panels": len(lot.panels),
                    "expected_objective": round(lot.expected_objective, 6),
                    "optimum_objective": round(lot.optimum_objective, 6),
                    "price_of_randomisation": round(lot.price_of_randomisation, 6),
                    "selection_probability": {
                        k: round(v, 4)
                        for k, v in sorted(probs.items(), key=lambda kv: -kv[1])
                        if v > 1e-6
                    },
                }
            else:
                sol = solve_panel(problem, on_infeasible="relax" if relax else "raise")
                probs = {}
        except InfeasibleError as exc:
            excl = self._excluded(pool)
            extra = [f"excluded: {e.name} ({e.id}): {'; '.join(e.reasons)}" for e in excl[:5]]
            raise InfeasibleError(exc.reasons + extra, exc.advice) from exc
        pos = {c: i for i, c in enumerate(ids)}
        members = []
        for m in sorted(sol.members, key=lambda m: -problem.relevance[pos[m]]):
            i = pos[m]
            r = pool.results[m]
            members.append(
                PanelMember(
                    id=m,
                    name=r.name,
                    institution=(facts[i].get("institution") or {}).get("name"),
                    sector=problem.sector[i],
                    grade=problem.grade[i],
                    young=bool(problem.is_young[i]),
                    disciplines=problem.disciplines[i],
                    relevance=round(float(problem.relevance[i]), 4),
                    prior_share=round(float(share[i]), 4),
                    selection_probability=probs.get(m) if lottery_q is not None else None,
                    evidence=tuple(e.title for e in r.explanation.evidence[:2]),
                )
            )
        return PanelProposal(
            topic_id=topic.id,
            topic_title=topic.title,
            members=tuple(members),
            objective=round(sol.objective, 6),
            relevance_mean=round(sol.relevance_mean, 6),
            checks=sol.checks,
            quotas=tuple(f"{q.name}: {q.describe()}" for q in problem.quotas),
            diversity=asdict(sol.diversity),
            relaxed=sol.relaxed,
            reasons=sol.reasons,
            excluded=self._excluded(pool),
            lottery=lottery_info,
            solver=sol.solver,
            seconds=round(time.perf_counter() - t0, 4),
            params={
                "size": size,
                "young_age_max": young_age_max,
                "exposure_days": exposure_days,
                "lottery_q": lottery_q,
                "quotas": [q.name for q in problem.quotas],
            },
        )

    # -- consortia -----------------------------------------------------------------------------
    def propose_consortium(
        self,
        theme: str,
        *,
        disciplines: Sequence[str] | None = None,
        max_size: int = 5,
        min_size: int = 3,
        n_experts: int = 60,
        max_candidates: int = 30,
        require_kinds: Sequence[Sequence[str]] = (("enterprise",), ("university", "institute")),
        solver: Literal["exact", "greedy"] = "exact",
    ) -> ConsortiumProposal:
        """Propose a consortium of organisations for a theme or industry cluster.

        Organisations are scored by their experts' absolute relevance to the theme (the
        retriever's hits aggregated per institution and per society; national counterparts
        inherit 0.8 of their municipal society's); organisations that only *cover* a theme
        discipline get 0.25 × their share of the theme's disciplines. Disciplines are compared at
        level 1 (three digits). Ties: shared people, counterpart links, joint evidence.

        Args:
            theme: Theme text. ``disciplines``: theme discipline codes (inferred when omitted).
            max_size, min_size: Consortium size bounds.
            n_experts: Experts retrieved to score organisations.
            max_candidates: Organisations given to the solver (best first).
            require_kinds: Kind groups each needing a member (default: industry + academia).
            solver: ``exact`` or ``greedy``.

        Raises:
            InfeasibleError: a theme discipline or required kind nobody covers.
            MatchValidationError: empty theme.
        """
        hits = self.matcher.rank_experts(
            theme, k=n_experts, filters=ExpertFilters(availability=list(AVAILABILITIES))
        )
        scores: dict[str, list[float]] = defaultdict(list)
        experts_of: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
        disc_votes: Counter[str] = Counter()  # summed relevance per discipline
        extra_disc: dict[str, set[str]] = defaultdict(set)
        for rank, h in enumerate(hits):
            f = h.explanation.facts
            org_ids = [(f.get("institution") or {}).get("id")] + [
                s.get("id") for s in f.get("societies") or []
            ]
            for o in org_ids:
                if o:
                    scores[o].append(h.score)
                    experts_of[o].append((h.scientist_id, h.name, round(h.score, 4)))
                    extra_disc[o].update(c[:3] for c in f.get("disciplines") or [])
            if rank < 15:
                for c in f.get("disciplines") or []:
                    disc_votes[c[:3]] += h.score  # type: ignore[assignment]
        if disciplines:
            theme_disc = sorted({c[:3] for c in disciplines})
        else:
            best = disc_votes.most_common(1)[0][1] if disc_votes else 0.0
            theme_disc = sorted(c for c, v in disc_votes.most_common(3) if v >= 0.3 * best)
        cand_ids = list(scores) + F.orgs_for_disciplines(
            self.driver, theme_disc, database=self.database
        )
        infos = {o.id: o for o in F.org_infos(self.driver, cand_ids, database=self.database)}
        # National counterparts of candidate societies.
        counterpart_rel: dict[str, float] = {}
        for o in list(infos.values()):
            for c in o.counterparts:
                counterpart_rel[c] = max(
                    counterpart_rel.get(c, 0.0), 0.8 * org_relevance(scores.get(o.id, []))
                )
        if counterpart_rel:
            for o in F.org_infos(self.driver, list(counterpart_rel), database=self.database):
                infos.setdefault(o.id, o)
        orgs: list[Organisation] = []
        for o in infos.values():
            disc = {c[:3] for c in o.disciplines} | extra_disc.get(o.id, set())
            cov = len(disc & set(theme_disc)) / len(theme_disc) if theme_disc else 0.0
            rel = max(
                org_relevance(scores.get(o.id, [])), counterpart_rel.get(o.id, 0.0), 0.25 * cov
            )
            orgs.append(
                Organisation(o.id, o.kind, tuple(sorted(disc)), round(min(1.0, rel), 6), o.name)
            )
        orgs.sort(key=lambda x: (-x.relevance, x.id))
        # Keep the best, but never drop the only holders of a required kind or discipline.
        keep = orgs[:max_candidates]
        for group in require_kinds:
            if not any(x.kind in group for x in keep):
                keep += [x for x in orgs if x.kind in group][:3]
        for d in theme_disc:
            if not any(d in x.disciplines for x in keep):
                keep += [x for x in orgs if d in x.disciplines][:2]
        keep = list({x.id: x for x in keep}.values())
        ids = [x.id for x in keep]
        stored = T.org_ties(self.driver, ids, database=self.database)
        ties = stored.ties
        pos = {c: i for i, c in enumerate(ids)}
        tmat = np.zeros((len(ids), len(ids)))
        tie_what: dict[tuple[str, str], str] = {}
        for t in ties:
            s = org_tie_strength(t)
            tmat[pos[t.a], pos[t.b]] = tmat[pos[t.b], pos[t.a]] = s
            what = []
            if t.counterpart:
                what.append("counterpart")
            if t.shared_people:
                what.append(
                    f"{t.shared_people} shared people ({', '.join(t.examples.get('shared_people', ())[:2])})"
                )
            if t.joint_evidence:
                what.append(f"{t.joint_evidence} joint evidence")
            tie_what[(t.a, t.b)] = tie_what[(t.b, t.a)] = "; ".join(what)
        problem = ConsortiumProblem(
            organisations=tuple(keep),
            theme_disciplines=tuple(theme_disc),
            ties=tmat,
            max_size=max_size,
            min_size=min_size,
            require_kinds=tuple(tuple(g) for g in require_kinds),
        )
        sol = self._solve_consortium(problem, solver)
        names = {x.id: x.name for x in keep}
        dnames = S.discipline_names(self.driver, theme_disc, database=self.database)
        relevance_of = {x.id: x.relevance for x in keep}
        members = []
        for c in sol.contributions:
            parts = []
            if c.unique_disciplines:
                parts.append(
                    "alone brings " + ", ".join(dnames.get(d, d) for d in c.unique_disciplines)
                )
            elif c.disciplines:
                parts.append("covers " + ", ".join(dnames.get(d, d) for d in c.disciplines))
            if c.unique_kinds:
                parts.append("the only " + " / ".join(c.unique_kinds))
            ex = experts_of.get(c.member, [])[:3]
            if ex:
                parts.append("experts: " + ", ".join(f"{n} {s:.2f}" for _, n, s in ex))
            if c.ties:
                parts.append("ties with " + ", ".join(names.get(o, o) for o, _ in c.ties))
            members.append(
                ConsortiumMember(
                    id=c.member,
                    name=names.get(c.member, c.member),
                    kind=c.kind,
                    relevance=relevance_of.get(c.member, 0.0),
                    disciplines=c.disciplines,
                    unique_disciplines=c.unique_disciplines,
                    unique_kinds=c.unique_kinds,
                    ties=tuple(
                        (o, round(float(s), 4), tie_what.get((c.member, o), "")) for o, s in c.ties
                    ),
                    experts=tuple(ex),
                    contribution="; ".join(parts) or "relevance",
                )
            )
        members.sort(key=lambda m: -m.relevance)
        return ConsortiumProposal(
            theme=theme,
            theme_disciplines=tuple((d, dnames.get(d, d)) for d in theme_disc),
            members=tuple(members),
            objective=round(sol.objective, 6),
            relevance_sum=round(sol.relevance_sum, 6),
            ties_sum=round(sol.ties_sum, 6),
            checks=sol.checks,
            solver=sol.solver,
            optimal=sol.optimal,
            seconds=round(sol.seconds, 4),
            ties_as_of=stored.as_of,
            candidates=tuple(ids),
        )

    # -- batch ---------------------------------------------------------------------------------
    def _solve_consortium(
        self, problem: ConsortiumProblem, solver: Literal["exact", "greedy"]
    ) -> ConsortiumSolution:
        """``exact`` first within ``exact_budget_s`` × 3; when HiGHS has not proved its answer
        by then, the greedy one replaces it if greedy holds every check and scores higher;
        when HiGHS has no answer at all yet, it gets its full time."""
        if solver != "exact":
            return solve_consortium(problem, solver)
        try:
            sol = solve_consortium(problem, "exact", time_limit=3 * self.exact_budget_s)
        except SolverError:
            return solve_consortium(problem, "exact")
        if sol.optimal:
            return sol
        greedy = solve_consortium(problem, "greedy")
        if greedy.feasible and greedy.objective > sol.objective + 1e-9:
            return greedy
        return sol

    def assign_batch(
        self,
        demand_ids: Sequence[str],
        *,
        team_min: int = 1,
        team_max: int = 3,
        pool_size: int = 20,
        solvers: Sequence[Literal["global", "greedy"]] = ("global", "greedy"),
    ) -> BatchResult:
        """Assign experts to many demands at once under each expert's remaining load.

        Each demand's candidates are its best ``pool_size`` eligible experts for its own text
        (one search per demand: any availability, load respected, its enterprise's people
        and declared conflicts left out); the
        affinity of a pair is the retriever's absolute score. Conflicts and "declined this
        demand" make a candidate pair forbidden; capacity = ``max_active_teams − active
        teams`` (≥ 0). Experts outside a demand's pool are not considered for it: its pool
        already holds its best matches, and scoring every demand against every pooled expert
        cost 100 × ~2,000 scored pairs for a batch of 100.

        Raises:
            NotFoundError: an unknown demand. MatchValidationError: no demands.
        """
        if not demand_ids:
            raise MatchValidationError([{"loc": ["demands"], "msg": "give at least one demand"}])
        demands = [
            F.load_demand(self.driver, d, database=self.database) for d in dict.fromkeys(demand_ids)
        ]
        found = self._each(
            lambda d: self.matcher.rank_experts(
                d.query_text,
                k=pool_size,
                filters=ExpertFilters(
                    availability=list(AVAILABILITIES),
                    conflict_with=[d.enterprise_id] if d.enterprise_id else [],
                ),
                disciplines=[c for c, _ in d.disciplines] or None,
            ),
            demands,
        )
        experts = list(dict.fromkeys(h.scientist_id for hits in found for h in hits))
        column = {sid: e for e, sid in enumerate(experts)}
        aff = np.zeros((len(demands), len(experts)))
        cand = np.zeros_like(aff, dtype=bool)
        forb = np.zeros_like(aff, dtype=bool)
        reasons: dict[tuple[str, str], str] = {}
        capacity = np.zeros(len(experts), dtype=np.int64)
        names: dict[str, str] = {}
        for di, (d, ranked) in enumerate(zip(demands, found, strict=True)):
            declined = F.declined_for_demand(self.driver, d.id, database=self.database)
            for r in ranked:
                e = column[r.scientist_id]
                names[r.scientist_id] = r.name
                cand[di, e] = True
                aff[di, e] = max(0.0, min(1.0, r.score))
                why = list(r.explanation.exclusions)
                if r.scientist_id in declined:
                    why.append("declined this demand before")
                if why:
                    forb[di, e] = True
                    reasons[(d.id, r.scientist_id)] = "; ".join(why)
                f = r.explanation.facts
                capacity[e] = max(
                    0, int(f.get("max_active_teams") or 0) - int(f.get("active_teams") or 0)
                )
        problem = BatchProblem(
            demands=tuple(d.id for d in demands),
            experts=tuple(experts),
            affinity=aff,
            team_min=np.full(len(demands), team_min),
            team_max=np.full(len(demands), team_max),
            capacity=capacity,
            forbidden=forb,
            forbidden_reasons=reasons,
            candidates=cand,
        )
        return BatchResult(problem, {s: solve_batch(problem, s) for s in solvers}, names)

    # -- persistence ---------------------------------------------------------------------------
    def save_team(self, proposal: TeamProposal, team_id: str | None = None) -> str:
        """Save a proposed team (status ``proposed``); returns its id."""
        tid = team_id or f"TEAM-{proposal.demand_id}-{uuid.uuid4().hex[:8]}"
        props: dict[str, Any] = dict(proposal.objective.items())
        p = dict(proposal.params)
        p["max_per_institution"] = p.get("max_per_institution") or 0
        props.update({k: v for k, v in p.items() if v is not None})
        props.update({"solver": proposal.solver, "optimal": proposal.optimal})
        members = [{"id": m.id, "role": m.role, "skills": list(m.skills)} for m in proposal.members]
        return F.save_formation(
            self.driver, "team", tid, proposal.demand_id, members, props, database=self.database
        )

    def save_panel(self, proposal: PanelProposal, panel_id: str | None = None) -> str:
        """Save a proposed panel (status ``proposed``); returns its id."""
        pid = panel_id or f"PANEL-{proposal.topic_id}-{uuid.uuid4().hex[:8]}"
        props: dict[str, Any] = {
            "objective": proposal.objective,
            "relevance_mean": proposal.relevance_mean,
            "solver": proposal.solver,
            "relaxed": list(proposal.relaxed),
        }
        props.update({k: v for k, v in proposal.params.items() if v is not None})
        div = proposal.diversity
        props.update({f"diversity_{k}": v for k, v in div.items() if isinstance(v, (int, float))})
        members = [
            {"id": m.id, "role": "member", "skills": list(m.disciplines)} for m in proposal.members
        ]
        return F.save_formation(
            self.driver, "panel", pid, proposal.topic_id, members, props, database=self.database
        )

    def save_consortium(
        self, proposal: ConsortiumProposal, consortium_id: str | None = None
    ) -> str:
        """Save a proposed consortium (status ``proposed``); returns its id."""
        cid = consortium_id or f"CONS-{uuid.uuid4().hex[:8]}"
        props = {
            "objective": proposal.objective,
            "relevance_sum": proposal.relevance_sum,
            "ties_sum": proposal.ties_sum,
            "solver": proposal.solver,
            "disciplines": [d for d, _ in proposal.theme_disciplines],
        }
        members = [{"id": m.id, "role": m.kind} for m in proposal.members]
        return F.save_formation(
            self.driver, "consortium", cid, proposal.theme, members, props, database=self.database
        )

    def confirm(self, formation_id: str, *, kind: F.FormationKind | None = None) -> None:
        """Mark a saved team, panel or consortium (of ``kind``, if given) as confirmed by staff.

        Raises:
            NotFoundError: no such formation. TransitionError: it was declined (final).
        """
        F.set_status(self.driver, formation_id, "confirmed", kind=kind, database=self.database)

    def decline(self, formation_id: str, *, kind: F.FormationKind | None = None) -> None:
        """Mark a saved team, panel or consortium as declined (its members' load is freed).

        Raises:
            NotFoundError: no such formation (of ``kind``, if given).
        """
        F.set_status(self.driver, formation_id, "declined", kind=kind, database=self.database)

    def feedback(
        self,
        formation_id: str,
        scientist_id: str,
        *,
        accepted: bool | None = None,
        rating: int | None = None,
        comment: str | None = None,
        kind: F.FormationKind | None = None,
    ) -> None:
        """Record a member's feedback. A decline (``accepted=False``) on a team keeps that expert
        out of every later proposal for the same demand; ratings shift their retrieval prior.

        Raises:
            MatchValidationError: rating outside 1–5. NotFoundError: not a member.
        """
        try:
            F.record_feedback(
                self.driver,
                formation_id,
                scientist_id,
                accepted=accepted,
                rating=rating,
                comment=comment,
                kind=kind,
                database=self.database,
            )
        except ValueError as exc:
            raise MatchValidationError([{"loc": ["rating"], "msg": str(exc)}]) from exc

    def get(self, formation_id: str, *, kind: F.FormationKind | None = None) -> F.FormationRecord:
        """A saved team, panel or consortium (only of ``kind``, if given) with members and
        feedback."""
        return F.get_formation(self.driver, formation_id, kind=kind, database=self.database)

    # -- benchmark -----------------------------------------------------------------------------
    def bench(
        self,
        *,
        truth: Mapping[str, Mapping[str, int]] | None = None,
        solvers: Sequence[str] = ("greedy", "auto", "exact", "exhaustive", "rarest_first", "top_k"),
        k_min: int = 2,
        k_max: int = 4,
        panel_size: int = 5,
        limit: int = 50,
    ) -> dict[str, list[dict[str, Any]]]:
        """Run every team solver on every demand, panels on every topic, and batch global vs greedy.

        Args:
            truth: demand id → {scientist id: grade}; adds ``precision`` (share of the team graded ≥ 1).

        Returns:
            ``{"teams": rows, "panels": rows, "batch": rows}``; team rows carry coverage,
            relevance (mean member score), precision, comm_cost (mean per pair), gap vs exact,
            seconds, feasible, error.
        """
        truth = truth or {}
        teams: list[dict[str, Any]] = []
        demand_ids = F.list_demand_ids(self.driver, limit=limit, database=self.database)
        for did in demand_ids:
            try:
                problem, _ = self.team_problem(did, k_min=k_min, k_max=k_max)
            except (InfeasibleError, MatchValidationError) as exc:
                teams.append({"demand": did, "solver": "-", "error": str(exc)[:120]})
                continue
            rows = []
            for name in solvers:
                t0 = time.perf_counter()
                try:
                    sol = (
                        self._solve(problem, "auto")
                        if name == "auto"
                        else solve_team(problem, SOLVER_MAP[name])
                    )
                except InfeasibleError as exc:
                    rows.append(
                        {
                            "demand": did,
                            "solver": name,
                            "feasible": False,
                            "error": exc.reasons[0][:120],
                            "seconds": round(time.perf_counter() - t0, 4),
                        }
                    )
                    continue
                row = {
                    "demand": did,
                    "solver": name,
                    "pool": int(problem.allowed_mask.sum()),
                    "feasible": sol.feasible,
                    "size": len(sol.members),
                    "coverage": round(sol.coverage_fraction, 3),
                    "relevance": round(sol.relevance_mean, 4),
                    "comm_cost": round(sol.comm_cost_mean, 4),
                    "objective": round(sol.objective, 4),
                    # auto runs two solvers: its wall time, not the last one's
                    "seconds": round(
                        time.perf_counter() - t0 if name == "auto" else sol.seconds, 4
                    ),
                    "error": "",
                }
                if did in truth:
                    row["precision"] = round(team_precision(sol.members, truth[did]), 3)
                rows.append(row)
            ref = next(
                (
                    float(r["objective"])  # type: ignore[arg-type]
                    for r in rows
                    if r["solver"] == "exact" and "objective" in r
                ),
                None,
            )
            for r in rows:
                r["gap"] = (
                    round((ref - float(r["objective"])) / abs(ref), 4)  # type: ignore[arg-type]
                    if ref and "objective" in r
                    else None
                )
            teams.extend(rows)
        panels: list[dict[str, Any]] = []
        for tid in F.list_topic_ids(self.driver, limit=limit, database=self.database):
            for relax in (False, True):
                try:
                    p = self.propose_panel(tid, size=panel_size, relax=relax)
                except InfeasibleError as exc:
                    panels.append(
                        {
                            "topic": tid,
                            "mode": "relax" if relax else "strict",
                            "error": exc.reasons[0][:120],
                        }
                    )
                    continue
                panels.append(
                    {
                        "topic": tid,
                        "mode": "relax" if relax else "strict",
                        "size": len(p.members),
                        "relevance": p.relevance_mean,
                        "quotas_hold": sum(c.holds for c in p.checks),
                        "checks": len(p.checks),
                        "relaxed": ",".join(p.relaxed),
                        "disciplines": p.diversity.get("n_disciplines"),
                        "seconds": p.seconds,
                        "error": "",
                    }
                )
                if not relax:
                    break
        batch: list[dict[str, Any]] = []
        if demand_ids:
            res = self.assign_batch(demand_ids, team_max=k_max)
            for name, s in res.solutions.items():
                batch.append(
                    {
                        "solver": name,
                        "filled": s.n_filled,
                        "demands": len(demand_ids),
                        "total_affinity": round(s.total_affinity, 4),
                        "seconds": round(s.seconds, 4),
                        "feasible": s.feasible,
                    }
                )
        return {"teams": teams, "panels": panels, "batch": batch}
