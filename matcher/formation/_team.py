"""Expert service teams for a demand: the encoder and decoder of :mod:`matcher.optimise`'s
team problem, and swaps of one member of a saved team.

Encoding (:meth:`TeamFormation.team_problem`):

1. Skills: the demand's ``skills``; else TF-IDF keywords of its text (``jieba.analyse``) plus
   the names of its disciplines, 2–6 of them (:func:`~matcher.formation.demand_skills`); staff
   may pass their own.
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
4. Communication cost ``[n, n]`` from graph ties (:func:`~matcher.formation.comm_cost_matrix`):
   ``cost = exp(−(0.7·coauthored + 0.6·served_together + 0.25·shared_societies +
   0.3·same_institution))``, so 1 = no tie and each co-authored item brings it down.
5. Senior: society grade fellow / senior member, a senior title (教授, 研究员, 正高级工程师…)
   or a strategic-scientist / leading-talent kind. Locality (optional): 1 in the enterprise's
   district, 0.2 elsewhere, 0.5 unknown.

Solving: a named solver of :data:`matcher.optimise.SOLVER_MAP`; ``auto`` is the service's
:class:`~matcher.optimise.AutoTeamSolver` (``exhaustive`` when there are few enough teams,
else greedy, then the MILP under a short budget). Decoding
(:meth:`TeamFormation._team_proposal`): members with the evidence that matched and the skills
they cover, a lead (the most relevant senior), the objective's parts, every check, the
candidates left out with their reasons, and the ties between members.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from graph_schema.formation_queries import (
    DemandInfo,
    declined_for_demand,
    get_formation,
    load_demand,
    pair_ties,
    save_formation,
)
from matcher.errors import InfeasibleError, MatchValidationError
from matcher.formation._base import FormationBase, _Pool
from matcher.formation._helpers import comm_cost_matrix, is_senior, locality_score
from matcher.formation._proposals import (
    SwapOption,
    SwapProposal,
    TeamMember,
    TeamProposal,
    TieView,
)
from matcher.formation._skills import demand_skills
from matcher.optimise import (
    TeamProblem,
    TeamSolution,
    TeamWeights,
    propose_replacements,
    solve_team,
)
from matcher.types import ExpertFilters, Msg

__all__ = ["TeamFormation", "TeamSolverName"]

TeamSolverName = Literal["auto", "greedy", "exact", "exhaustive", "rarest_first", "top_k"]


class TeamFormation(FormationBase):
    """Teams for demands: encode, solve, decode; swap a member of a saved team."""

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
        demand = load_demand(self.driver, demand_id, database=self.database)
        given = [s for s in (list(skills or []) or list(demand.skills)) if s.strip()]
        skill_list = demand_skills(
            demand.title, demand.text, [n for _, n in demand.disciplines], given=given
        )
        text = demand.query_text
        disciplines = [c for c, _ in demand.disciplines]
        declined = declined_for_demand(self.driver, demand_id, database=self.database)
        blocked = {
            s: Msg(
                "why.declined",
                f"declined this demand before (team {', '.join(t)})",
                teams=list(t),
            )
            for s, t in declined.items()
        }
        for s in excluded:
            blocked[s] = Msg("why.staff", "excluded by staff")
        discount: dict[str, int] = {}
        if ignore_team:
            rec = get_formation(self.driver, ignore_team, database=self.database)
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
        ties = pair_ties(self.driver, ids, database=self.database)
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
            solver: ``auto`` (the service's :class:`~matcher.optimise.AutoTeamSolver`:
                ``exhaustive`` for small problems, else greedy then the MILP briefly), ``greedy``, ``exact``, ``exhaustive``, ``rarest_first`` or ``top_k``
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
            sol = solve_team(problem, self.auto_team_solver if solver == "auto" else solver)
        except InfeasibleError as exc:
            excl = self._excluded(ctx["pool"])
            extra = [f"excluded: {e.name} ({e.id}): {'; '.join(e.reasons)}" for e in excl[:5]]
            raise InfeasibleError(exc.reasons + extra, exc.advice) from exc
        return self._team_proposal(problem, ctx, sol)

    def _team_proposal(
        self, problem: TeamProblem, ctx: dict[str, Any], sol: TeamSolution
    ) -> TeamProposal:
        demand: DemandInfo = ctx["demand"]
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
        rec = get_formation(self.driver, team_id, kind="team", database=self.database)
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
        rec = get_formation(self.driver, team_id, database=self.database)
        members = [
            {"id": m.id, "role": m.role, "skills": list(m.skills)}
            for m in rec.members
            if m.id != remove
        ]
        members.append({"id": add, "role": "member", "skills": list(chosen.skills)})
        props = {k: v for k, v in rec.props.items() if k not in {"demand_id", "updated_at"}}
        save_formation(
            self.driver,
            "team",
            team_id,
            rec.request_id or "",
            members,
            props,
            database=self.database,
        )
