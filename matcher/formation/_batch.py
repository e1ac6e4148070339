"""Many demands at once: the encoder of :mod:`matcher.optimise`'s batch problem, every expert
under their remaining load."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from graph_schema.formation_queries import declined_for_demand, load_demand
from graph_schema.labels import AVAILABILITIES
from matcher.errors import MatchValidationError
from matcher.formation._base import FormationBase
from matcher.formation._proposals import BatchResult
from matcher.optimise import BatchProblem, solve_batch
from matcher.types import ExpertFilters, Msg

__all__ = ["BatchFormation"]


class BatchFormation(FormationBase):
    """Batch assignment of experts to demands, one solution per solver."""

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
            load_demand(self.driver, d, database=self.database) for d in dict.fromkeys(demand_ids)
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
            declined = declined_for_demand(self.driver, d.id, database=self.database)
            for r in ranked:
                e = column[r.scientist_id]
                names[r.scientist_id] = r.name
                cand[di, e] = True
                aff[di, e] = max(0.0, min(1.0, r.score))
                why = list(r.explanation.exclusions)
                if r.scientist_id in declined:
                    why.append(Msg("why.declined", "declined this demand before", teams=[]))
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
