"""Evaluation panels and review rounds over the graph: the *encoder* of the panel and round
solvers, with person-level conflicts of interest as a hard constraint.

Evaluation panel for one item (:meth:`ReviewService.propose_panel`): the retriever's best
experts for the item's text (all availabilities, so exclusions can be explained) plus the
locked ones; the item's round policy (:class:`CoiPolicy`) judges the graph's ties between them
and the item's applicants and organisations (:func:`graph_schema.review_queries.coi_ties`);
a conflicted candidate stays in the :class:`~matcher.optimise.PanelProblem` with
``allowed=False`` and its reasons, so the think-tank panel's quotas, explanation and
infeasibility diagnosis apply unchanged (:func:`~matcher.optimise.solve_panel`).

Review round (:meth:`ReviewService.assign_round`): the pool is the union of each item's best
eligible experts; relevance ``[items, reviewers]`` comes from one
:meth:`~matcher.retrieval.ExpertMatcher.rank_candidates` read; conflicts make pairs not
allowed; :func:`~matcher.optimise.solve_round` assigns (``exact``, ``fair``, ``maxmin`` or
``greedy``).

Both save what they decided with an audit record: who was considered, who was excluded and
why, what was disclosed, the policy, the solver and its parameters, and the time.
"""

from __future__ import annotations

import datetime as _dt
import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import neo4j
import numpy as np

from graph_schema import review_queries as RQ
from graph_schema.formation_queries import scientist_embeddings
from matcher.embedding import Embedder
from matcher.errors import InfeasibleError, MatchValidationError
from matcher.formation import Proposal
from matcher.optimise import (
    PanelProblem,
    Quota,
    ReviewAssignment,
    ReviewRoundProblem,
    default_panel_quotas,
    solve_panel,
    solve_round,
)
from matcher.retrieval import ExpertMatcher
from matcher.review._coi import CoiPolicy, Finding, judge
from matcher.types import Check, ExpertFilters, ExpertResult, Msg

__all__ = [
    "ReviewService",
    "Reviewer",
    "ExcludedReviewer",
    "EvaluationPanelProposal",
    "RoundProposal",
]

logger = logging.getLogger(__name__)

_QUOTA_ARGS = {
    "senior": "min_senior",
    "young": "min_young",
    "enterprise": "min_enterprise",
    "academic": "min_academic",
    "disciplines": "min_disciplines",
    "per_institution": "max_per_institution",
}


def _sector(kind: str | None) -> str:
    return (
        "enterprise"
        if kind == "enterprise"
        else "academic"
        if kind == "university"
        else ("research" if kind == "institute" else "unknown")
    )


def _young(birth_year: int | None, age_max: int) -> bool:
    return birth_year is not None and _dt.date.today().year - int(birth_year) <= age_max


@dataclass(frozen=True)
class Reviewer:
    """A seated reviewer, why they fit and what they disclose."""

    id: str
    name: str
    institution: str | None
    sector: str
    grade: str
    young: bool
    disciplines: tuple[str, ...]
    relevance: float
    evidence: tuple[str, ...]
    disclosed: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExcludedReviewer:
    """A candidate kept off an item, and why (each reason names its evidence)."""

    id: str
    name: str
    relevance: float
    reasons: tuple[str, ...]
    item: str | None = None


@dataclass(frozen=True)
class EvaluationPanelProposal(Proposal):
    """A proposed evaluation panel for one item."""

    item_id: str
    item_title: str
    item_kind: str
    applicants: tuple[tuple[str, str], ...]
    members: tuple[Reviewer, ...]
    objective: float
    relevance_mean: float
    checks: tuple[Check, ...]
    quotas: tuple[str, ...]
    diversity: Mapping[str, Any]
    relaxed: tuple[str, ...]
    excluded: tuple[ExcludedReviewer, ...]
    considered: tuple[str, ...]
    policy: Mapping[str, Any]
    solver: str
    seconds: float
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RoundProposal:
    """A review round's assignment: per item its reviewers, the figures and exclusions."""

    round_id: str
    round_name: str
    k: int
    max_load: int
    items: tuple[tuple[str, str], ...]  # (id, title)
    assignment: Mapping[str, tuple[Reviewer, ...]]
    total_relevance: float
    min_item_relevance: float
    item_relevance: Mapping[str, float]
    load: Mapping[str, int]
    checks: tuple[Check, ...]
    excluded: tuple[ExcludedReviewer, ...]
    considered: tuple[str, ...]
    policy: Mapping[str, Any]
    solver: str
    optimal: bool
    gap: float | None
    seconds: float
    baseline: Mapping[str, Any] = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        return all(c.holds for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["feasible"] = self.feasible
        return d


class ReviewService:
    """Forms evaluation panels and assigns review rounds, independent of what they review.

    Args:
        driver: An open Neo4j driver.
        embedder: The configured embedder (``None``: lexical retrieval only).
        database: Neo4j database name.
        matcher: An :class:`ExpertMatcher` to reuse.
        parallel: Retrievals in flight at once (one per item of a round).

    Example::

        svc = ReviewService(driver, embedder)
        panel = svc.propose_panel("AWD-2025-001", size=5)
        panel_id = svc.save_panel(panel)          # with its audit record
        rnd = svc.assign_round("RND-2025-AWARD", solver="fair")
        svc.save_round(rnd)
    """

    def __init__(
        self,
        driver: neo4j.Driver,
        embedder: Embedder | None,
        *,
        database: str | None = None,
        matcher: ExpertMatcher | None = None,
        parallel: int = 4,
    ) -> None:
        self.driver = driver
        self.database = database
        self.matcher = matcher or ExpertMatcher(driver, embedder, database=database)
        self.parallel = parallel

    # -- policy and conflicts ------------------------------------------------------------------
    def policy_for(self, round_id: str | None, **overrides: Any) -> CoiPolicy:
        """The round's policy (defaults without a round), with ``overrides`` (non-None)."""
        base = (
            CoiPolicy.of_round(RQ.load_round(self.driver, round_id, database=self.database))
            if round_id
            else CoiPolicy()
        )
        given = {k: (tuple(v) if isinstance(v, list) else v) for k, v in overrides.items()}
        given = {k: v for k, v in given.items() if v is not None}
        if not given:
            return base
        return CoiPolicy(**{**base.to_dict(), **given})  # type: ignore[arg-type]

    def conflicts(
        self, items: Sequence[str], candidates: Sequence[str], policy: CoiPolicy
    ) -> dict[tuple[str, str], Finding]:
        """Per (item, candidate) with a tie: exclusion reasons and disclosed ties."""
        rows = RQ.coi_ties(
            self.driver,
            items,
            candidates,
            year=policy.year,
            coauthor_years=policy.coauthor_years,
            institution_years=policy.institution_years,
            service_years=policy.service_years,
            database=self.database,
        )
        return judge(rows, policy)

    # -- a single evaluation panel -------------------------------------------------------------
    def propose_panel(
        self,
        item_id: str,
        *,
        size: int = 5,
        quotas: Sequence[Quota] | None = None,
        quota_counts: Mapping[str, int] | None = None,
        young_age_max: int = 45,
        pool_size: int = 40,
        locked: Sequence[str] = (),
        excluded: Sequence[str] = (),
        availability: Sequence[str] = ("available", "limited"),
        relax: bool = False,
        policy: CoiPolicy | None = None,
    ) -> EvaluationPanelProposal:
        """Propose a panel for one item: relevant, balanced under quotas, and independent.

        Args:
            item_id: The evaluation item.
            size: Panel size.
            quotas, quota_counts: As think-tank panels (``senior``, ``young``, ``enterprise``,
                ``academic``, ``disciplines``, ``per_institution``).
            pool_size: Candidates from the retriever.
            locked, excluded: Must-haves and never-haves (staff).
            relax: Drop lowest-priority conflicting quotas instead of raising.
            policy: Conflict policy; default the item's round's (or the defaults).

        Raises:
            NotFoundError: unknown item. MatchValidationError: unknown quota names.
            InfeasibleError: quotas or size that the independent pool cannot meet, and why —
                including a locked expert who has a conflict.
        """
        t0 = time.perf_counter()
        item = RQ.load_item(self.driver, item_id, database=self.database)
        policy = policy or self.policy_for(item.round_id)
        counts = dict(quota_counts or {})
        if quotas is None:
            unknown = sorted(set(counts) - set(_QUOTA_ARGS))
            if unknown:
                raise MatchValidationError(
                    [
                        {
                            "loc": ["quota"],
                            "msg": f"unknown quotas {unknown}; known {sorted(_QUOTA_ARGS)}",
                        }
                    ]
                )
            quotas = default_panel_quotas(**{_QUOTA_ARGS[k]: v for k, v in counts.items()})
        flt = ExpertFilters(availability=list(availability))  # type: ignore[arg-type]
        disciplines = [c for c, _ in item.disciplines] or None
        found = self.matcher.search_with(
            item.query_text,
            (),
            k=min(500, pool_size + 10),
            filters=flt,
            disciplines=disciplines,
            include_ineligible=True,
            rerank=2 * (pool_size + 10),
        ).results
        results: dict[str, ExpertResult] = {r.scientist_id: r for r in found}
        missing = [i for i in dict.fromkeys(locked) if i not in results]
        if missing:
            for r in self.matcher.rank_experts(
                item.query_text, candidates=missing, filters=flt, disciplines=disciplines
            ):
                results[r.scientist_id] = r
        ids = sorted(results, key=lambda i: (-results[i].score, i))
        findings = self.conflicts([item.id], ids, policy)
        reasons: dict[str, list[str]] = {}
        for i in ids:
            why = list(results[i].explanation.exclusions)
            why += list(findings.get((item.id, i), Finding()).excluded)
            if i in excluded:
                why.append(Msg("why.staff", "excluded by staff"))
            reasons[i] = why
        allowed_ids = [i for i in ids if not reasons[i]]
        keep = set(allowed_ids[:pool_size]) | set(locked) | {i for i in ids if reasons[i]}
        ids = [i for i in ids if i in keep]
        if not allowed_ids:
            raise InfeasibleError(
                [f"no independent expert found for item {item.id}"]
                + [f"excluded: {results[i].name} ({i}): {'; '.join(reasons[i])}" for i in ids[:5]],
                "embed the graph, or widen the pool",
            )
        facts = [results[i].explanation.facts for i in ids]
        emb = scientist_embeddings(self.driver, ids, database=self.database)
        embeddings = None
        if emb and len(emb) == len(ids) and len({len(v) for v in emb.values()}) == 1:
            embeddings = np.array([emb[i] for i in ids], dtype=float)
        problem = PanelProblem(
            candidates=tuple(ids),
            relevance=np.array([max(0.0, min(1.0, results[i].score)) for i in ids]),
            grade=tuple(f.get("best_grade") or "none" for f in facts),
            is_young=np.array([_young(f.get("birth_year"), young_age_max) for f in facts]),
            sector=tuple(_sector((f.get("institution") or {}).get("kind")) for f in facts),
            disciplines=tuple(tuple(f.get("disciplines") or ()) for f in facts),
            institution=tuple(
                ((f.get("institution") or {}).get("id") or f"(none:{i})")
                for i, f in zip(ids, facts, strict=True)
            ),
            size=size,
            quotas=tuple(quotas),
            embeddings=embeddings,
            allowed=np.array([not reasons[i] for i in ids], dtype=bool),
            excluded_reasons={i: "; ".join(reasons[i]) for i in ids if reasons[i]},
            locked=tuple(locked),
        )
        excluded_out = tuple(
            ExcludedReviewer(i, results[i].name, round(results[i].score, 4), tuple(reasons[i]))
            for i in ids
            if reasons[i]
        )
        try:
            sol = solve_panel(problem, on_infeasible="relax" if relax else "raise")
        except InfeasibleError as exc:
            extra = [
                f"excluded: {e.name} ({e.id}): {'; '.join(e.reasons)}" for e in excluded_out[:5]
            ]
            raise InfeasibleError(exc.reasons + extra, exc.advice) from exc
        pos = {c: n for n, c in enumerate(ids)}
        members = []
        for m in sorted(sol.members, key=lambda m: -problem.relevance[pos[m]]):
            n = pos[m]
            r = results[m]
            members.append(
                Reviewer(
                    id=m,
                    name=r.name,
                    institution=(facts[n].get("institution") or {}).get("name"),
                    sector=problem.sector[n],
                    grade=problem.grade[n],
                    young=bool(problem.is_young[n]),
                    disciplines=problem.disciplines[n],
                    relevance=round(float(problem.relevance[n]), 4),
                    evidence=tuple(e.title for e in r.explanation.evidence[:2]),
                    disclosed=findings.get((item.id, m), Finding()).disclosed,
                )
            )
        return EvaluationPanelProposal(
            item_id=item.id,
            item_title=item.title,
            item_kind=item.kind,
            applicants=item.applicants,
            members=tuple(members),
            objective=round(sol.objective, 6),
            relevance_mean=round(sol.relevance_mean, 6),
            checks=(
                *sol.checks,
                Check(
                    "independent",
                    not any(reasons[m] for m in sol.members),
                    Msg(
                        "check.independent",
                        f"no member has a conflict under the policy ({len(excluded_out)} excluded)",
                        excluded=len(excluded_out),
                    ),
                ),
            ),
            quotas=tuple(f"{q.name}: {q.describe()}" for q in problem.quotas),
            diversity=asdict(sol.diversity),
            relaxed=sol.relaxed,
            excluded=excluded_out,
            considered=tuple(ids),
            policy=policy.to_dict(),
            solver=sol.solver,
            seconds=round(time.perf_counter() - t0, 4),
            params={
                "size": size,
                "pool_size": pool_size,
                "young_age_max": young_age_max,
                "locked": list(locked),
                "excluded": list(excluded),
                "quotas": [q.name for q in problem.quotas],
                "relax": relax,
            },
        )

    def save_panel(self, proposal: EvaluationPanelProposal, panel_id: str | None = None) -> str:
        """Save a proposed evaluation panel (status ``proposed``) and its audit record.

        The panel is a ``:Panel`` node: confirm, decline and feedback work as for any panel
        (``FormationService.confirm(panel_id, kind="panel")``)."""
        pid = panel_id or f"EVAL-{proposal.item_id}-{uuid.uuid4().hex[:8]}"
        props = {
            "objective": proposal.objective,
            "relevance_mean": proposal.relevance_mean,
            "solver": proposal.solver,
            "relaxed": list(proposal.relaxed),
            "size": proposal.params.get("size"),
        }
        members = [
            {"id": m.id, "role": "reviewer", "skills": list(m.disciplines)}
            for m in proposal.members
        ]
        RQ.save_item_panel(
            self.driver, pid, proposal.item_id, members, props, database=self.database
        )
        self._audit(
            pid,
            kind="evaluation_panel",
            items=[proposal.item_id],
            considered=proposal.considered,
            chosen={proposal.item_id: list(proposal.member_ids)},
            excluded=proposal.excluded,
            disclosed={
                f"{proposal.item_id}/{m.id}": list(m.disclosed)
                for m in proposal.members
                if m.disclosed
            },
            policy=proposal.policy,
            solver=proposal.solver,
            params=proposal.params,
            seconds=proposal.seconds,
        )
        return pid

    # -- a whole round -------------------------------------------------------------------------
    def assign_round(
        self,
        round_id: str,
        *,
        solver: str = "exact",
        k: int | None = None,
        max_load: int | None = None,
        per_item: int | None = None,
        baseline: bool = True,
        time_limit: float = 60.0,
        policy: CoiPolicy | None = None,
    ) -> RoundProposal:
        """Assign every item of a round its reviewers.

        Args:
            round_id: The round.
            solver: ``exact``, ``fair``, ``maxmin`` or ``greedy``.
            k, max_load: Override the round's reviewers per item and items per reviewer.
            per_item: Experts each item brings to the pool (default ``max(10, 4k)``).
            baseline: Also run ``greedy`` and report its figures.
            time_limit: Seconds per HiGHS stage.
            policy: Conflict policy; default the round's.

        Raises:
            NotFoundError: unknown round. InfeasibleError: the round cannot be assigned (by how
                much, and advice). MatchValidationError: a round without items.
        """
        t0 = time.perf_counter()
        info = RQ.load_round(self.driver, round_id, database=self.database)
        policy = policy or CoiPolicy.of_round(info)
        k_ = int(k or info.reviewers_per_item)
        load_ = int(max_load or info.max_items_per_reviewer)
        items = RQ.round_items(self.driver, round_id, database=self.database)
        if not items:
            raise MatchValidationError(
                [{"loc": ["round"], "msg": f"round {round_id} has no evaluation items"}]
            )
        per = per_item or max(10, 4 * k_)
        flt = ExpertFilters()

        def search(it: RQ.ItemInfo) -> list[ExpertResult]:
            return self.matcher.rank_experts(
                it.query_text,
                k=per,
                filters=flt,
                disciplines=[c for c, _ in it.disciplines] or None,
            )

        with ThreadPoolExecutor(max_workers=max(1, min(self.parallel, len(items)))) as ex:
            hits = list(ex.map(search, items))
        pool = list(dict.fromkeys(h.scientist_id for hs in hits for h in hs if h.eligible))
        if not pool:
            raise InfeasibleError(
                [f"the retriever found no eligible expert for round {round_id}"], "embed the graph"
            )
        scored = self.matcher.rank_candidates(
            [it.query_text for it in items],
            pool,
            filters=flt,
            disciplines=[[c for c, _ in it.disciplines] or None for it in items],
        )
        pos = {s: j for j, s in enumerate(pool)}
        rel = np.zeros((len(items), len(pool)))
        names: dict[str, str] = {}
        facts: dict[str, Mapping[str, Any]] = {}
        evidence: dict[tuple[int, str], tuple[str, ...]] = {}
        eligible = np.ones((len(items), len(pool)), dtype=bool)
        for i, results in enumerate(scored):
            for r in results:
                j = pos[r.scientist_id]
                rel[i, j] = max(0.0, min(1.0, r.score))
                eligible[i, j] = r.eligible
                names[r.scientist_id] = r.name
                facts[r.scientist_id] = r.explanation.facts
                evidence[(i, r.scientist_id)] = tuple(e.title for e in r.explanation.evidence[:2])
        findings = self.conflicts([it.id for it in items], pool, policy)
        allowed = eligible.copy()
        excluded: list[ExcludedReviewer] = []
        reasons: dict[tuple[str, str], str] = {}
        for (iid, sid), f in findings.items():
            if f.excluded and sid in pos:
                i = next(n for n, it in enumerate(items) if it.id == iid)
                allowed[i, pos[sid]] = False
                reasons[(iid, sid)] = "; ".join(f.excluded)
                excluded.append(
                    ExcludedReviewer(
                        sid, names.get(sid, sid), round(float(rel[i, pos[sid]]), 4), f.excluded, iid
                    )
                )
        problem = ReviewRoundProblem(
            items=tuple(it.id for it in items),
            reviewers=tuple(pool),
            relevance=rel,
            k=k_,
            max_load=load_,
            allowed=allowed,
            excluded_reasons=reasons,
        )
        sol = solve_round(problem, solver, time_limit=time_limit)
        base: dict[str, Any] = {}
        if baseline and solver != "greedy":
            g = solve_round(problem, "greedy")
            base = {
                "solver": "greedy",
                "total_relevance": g.total_relevance,
                "min_item_relevance": g.min_item_relevance,
                "feasible": g.feasible,
                "gap_to_this": round(sol.total_relevance - g.total_relevance, 6),
                "seconds": g.seconds,
            }
        assignment = self._decode(sol, items, rel, pos, names, facts, evidence, findings)
        return RoundProposal(
            round_id=info.id,
            round_name=info.name,
            k=k_,
            max_load=load_,
            items=tuple((it.id, it.title) for it in items),
            assignment=assignment,
            total_relevance=sol.total_relevance,
            min_item_relevance=sol.min_item_relevance,
            item_relevance=dict(sol.item_relevance),
            load={r: n for r, n in sol.load.items() if n},
            checks=sol.checks,
            excluded=tuple(sorted(excluded, key=lambda e: (e.item or "", -e.relevance, e.id))),
            considered=tuple(pool),
            policy=policy.to_dict(),
            solver=sol.solver,
            optimal=sol.optimal,
            gap=sol.gap,
            seconds=round(time.perf_counter() - t0, 4),
            baseline=base,
        )

    @staticmethod
    def _decode(
        sol: ReviewAssignment,
        items: Sequence[RQ.ItemInfo],
        rel: np.ndarray,
        pos: Mapping[str, int],
        names: Mapping[str, str],
        facts: Mapping[str, Mapping[str, Any]],
        evidence: Mapping[tuple[int, str], tuple[str, ...]],
        findings: Mapping[tuple[str, str], Finding],
    ) -> dict[str, tuple[Reviewer, ...]]:
        out: dict[str, tuple[Reviewer, ...]] = {}
        for i, it in enumerate(items):
            revs = []
            for sid in sol.assignment.get(it.id, ()):
                f = facts.get(sid, {})
                inst = f.get("institution") or {}
                revs.append(
                    Reviewer(
                        id=sid,
                        name=names.get(sid, sid),
                        institution=inst.get("name"),
                        sector=_sector(inst.get("kind")),
                        grade=f.get("best_grade") or "none",
                        young=False,
                        disciplines=tuple(f.get("disciplines") or ()),
                        relevance=round(float(rel[i, pos[sid]]), 4),
                        evidence=evidence.get((i, sid), ()),
                        disclosed=findings.get((it.id, sid), Finding()).disclosed,
                    )
                )
            out[it.id] = tuple(revs)
        return out

    def save_round(self, proposal: RoundProposal) -> str:
        """Store a round's assignment (replacing the previous one) and its audit record;
        returns the assignment id."""
        aid = f"ASSIGN-{proposal.round_id}-{uuid.uuid4().hex[:8]}"
        pairs = [
            (item, r.id, r.relevance) for item, revs in proposal.assignment.items() for r in revs
        ]
        RQ.save_round_assignment(
            self.driver,
            proposal.round_id,
            aid,
            pairs,
            {
                "assignment_solver": proposal.solver,
                "assignment_total": proposal.total_relevance,
                "assignment_min_item": proposal.min_item_relevance,
            },
            database=self.database,
        )
        self._audit(
            proposal.round_id,
            kind="review_round",
            items=[i for i, _ in proposal.items],
            considered=proposal.considered,
            chosen={i: [r.id for r in revs] for i, revs in proposal.assignment.items()},
            excluded=proposal.excluded,
            disclosed={
                f"{i}/{r.id}": list(r.disclosed)
                for i, revs in proposal.assignment.items()
                for r in revs
                if r.disclosed
            },
            policy=proposal.policy,
            solver=proposal.solver,
            params={
                "k": proposal.k,
                "max_load": proposal.max_load,
                "optimal": proposal.optimal,
                "gap": proposal.gap,
                "total_relevance": proposal.total_relevance,
                "min_item_relevance": proposal.min_item_relevance,
                "assignment_id": aid,
                "baseline": dict(proposal.baseline),
            },
            seconds=proposal.seconds,
        )
        return aid

    # -- audit ---------------------------------------------------------------------------------
    def _audit(
        self,
        target: str,
        *,
        kind: str,
        items: Sequence[str],
        considered: Sequence[str],
        chosen: Mapping[str, Sequence[str]],
        excluded: Sequence[ExcludedReviewer],
        disclosed: Mapping[str, Sequence[str]],
        policy: Mapping[str, Any],
        solver: str,
        params: Mapping[str, Any],
        seconds: float,
    ) -> str:
        audit_id = f"AUDIT-{uuid.uuid4().hex[:12]}"
        RQ.save_audit(
            self.driver,
            audit_id,
            target,
            {
                "kind": kind,
                "target": target,
                "items": list(items),
                "considered": list(considered),
                "chosen": {k: list(v) for k, v in chosen.items()},
                "excluded": [asdict(e) for e in excluded],
                "disclosed": {k: list(v) for k, v in disclosed.items()},
                "policy": dict(policy),
                "solver": solver,
                "params": dict(params),
                "seconds": seconds,
            },
            database=self.database,
        )
        return audit_id

    def audits(self, target: str) -> list[RQ.AuditRecord]:
        """The audit records of a panel or round, newest first."""
        return RQ.audits_for(self.driver, target, database=self.database)
