"""What the encoders of every kind share: the graph, the retriever, the solver policies, and
the candidate pool of a request.

A *pool* is the retriever's best experts for a request's text, all scored under the request's
filters: the ones that may not serve (a conflict of interest, unavailable, at their load limit,
declined this demand before, excluded by staff) stay in it with ``allowed=False`` and their
reasons, so that an infeasible request can name who is in the way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

import neo4j

from matcher.formation._proposals import ExcludedCandidate
from matcher.optimise import AutoConsortiumSolver, AutoTeamSolver
from matcher.retrieval import ExpertMatcher, Found
from matcher.types import ExpertFilters, ExpertResult, Msg

__all__ = ["FormationBase"]

_T = TypeVar("_T")
_R = TypeVar("_R")


@dataclass
class _Pool:
    """Candidates of one request, scored and checked (internal)."""

    ids: list[str]
    results: dict[str, ExpertResult]
    allowed: dict[str, bool]
    reasons: dict[str, list[str]]
    #: Per ``also`` text of :meth:`FormationBase._pool` (a team's skills), every pooled
    #: expert's result for it.
    also: list[dict[str, ExpertResult]] = field(default_factory=list)


class FormationBase:
    """State and pooling shared by the per-kind encoders (internal; see
    :class:`~matcher.formation.FormationService`, which sets these attributes)."""

    driver: neo4j.Driver
    database: str | None
    matcher: ExpertMatcher
    #: Retrievals in flight at once when one request needs several.
    parallel: int
    #: A pool search of ``k`` scores ``pool_rerank · k`` index hits in full.
    pool_rerank: float
    #: ``solver="auto"`` of a team.
    auto_team_solver: AutoTeamSolver
    #: ``solver="exact"`` of a consortium (exact under a budget, greedy when it does better).
    auto_consortium_solver: AutoConsortiumSolver

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
                why.append(
                    Msg(
                        "why.load",
                        f"already on {active} active teams (limit {limit})",
                        active=active,
                        limit=limit,
                    )
                )
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
