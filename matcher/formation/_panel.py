"""Think-tank panels for a topic: the encoder and decoder of :mod:`matcher.optimise`'s panel
problem, under explicit quotas, with exposure and an optional rotation lottery.

Encoding (:meth:`PanelFormation.propose_panel`): the quotas (default
:func:`~matcher.optimise.default_panel_quotas`, counts overridden by name); a quota-aware pool
(the most relevant experts of each group a minimum quota asks for join it, so a quota is not
"infeasible" merely because the top hits are all academics); per candidate its grade, youth
(``birth_year``), sector (institution kind), disciplines and institution; its *exposure* (share
of the confirmed panels of the last ``exposure_days`` it sat on), penalised in the objective;
profile embeddings for diversity. Solving: :func:`~matcher.optimise.solve_panel` (relaxing the
lowest-priority conflicting quotas when asked), or :func:`~matcher.optimise.randomised_panels`
with capped selection probabilities. Decoding: members by relevance with their sector, grade,
disciplines, exposure, selection probability and evidence; the checks, quotas, diversity and
what was relaxed or left out.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

import numpy as np

from graph_schema.formation_queries import load_topic, panel_exposure, scientist_embeddings
from matcher.errors import InfeasibleError, MatchValidationError
from matcher.formation._base import FormationBase
from matcher.formation._helpers import is_young, sector_of
from matcher.formation._proposals import PanelMember, PanelProposal
from matcher.optimise import (
    PanelProblem,
    Quota,
    default_panel_quotas,
    randomised_panels,
    solve_panel,
)
from matcher.types import ExpertFilters, Msg

__all__ = ["PanelFormation"]


class PanelFormation(FormationBase):
    """Panels for topics: encode, solve (or draw by lottery), decode."""

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
            relax: Lower the lowest-priority conflicting quotas to what the pool allows instead of raising.

        Raises:
            InfeasibleError: quotas that cannot hold (alone or together) and why.
            NotFoundError: unknown topic.
        """
        topic = load_topic(self.driver, topic_id, database=self.database)
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
        blocked = dict.fromkeys(excluded, Msg("why.staff", "excluded by staff"))
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
        exposure, total = panel_exposure(
            self.driver, ids, days=exposure_days, database=self.database
        )
        share = np.array([exposure.get(i, 0) / total if total else 0.0 for i in ids])
        emb = scientist_embeddings(self.driver, ids, database=self.database)
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
            relaxations=tuple(asdict(r) for r in sol.relaxations),
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
