"""Cross-disciplinary consortia of organisations for a theme: the encoder and decoder of
:mod:`matcher.optimise`'s consortium problem.

Encoding (:meth:`ConsortiumFormation.propose_consortium`): organisations are scored by their
experts' absolute relevance to the theme (the retriever's hits aggregated per institution and
per society, :func:`~matcher.formation.org_relevance`; national counterparts inherit 0.8 of
their municipal society's); organisations that only *cover* a theme discipline get 0.25 × their
share of the theme's disciplines. Disciplines are compared at level 1 (three digits). Ties
(:func:`~matcher.formation.org_tie_strength`): shared people, counterpart links, joint
evidence, read as stored when current (:func:`graph_schema.ties.org_ties`). Decoding: each
member's contribution (the disciplines it alone brings, the kind it alone is, its experts, its
ties) and the checks.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Literal

import numpy as np

from graph_schema.formation_queries import org_infos, orgs_for_disciplines
from graph_schema.labels import AVAILABILITIES
from graph_schema.search import discipline_names
from graph_schema.ties import org_ties
from matcher.formation._base import FormationBase
from matcher.formation._helpers import org_relevance, org_tie_strength
from matcher.formation._proposals import ConsortiumMember, ConsortiumProposal
from matcher.optimise import ConsortiumProblem, Organisation, solve_consortium
from matcher.types import ExpertFilters, Msg

__all__ = ["ConsortiumFormation"]


class ConsortiumFormation(FormationBase):
    """Consortia for themes: score organisations, encode, solve, explain each member."""

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
            solver: ``exact`` (the service's :class:`~matcher.optimise.AutoConsortiumSolver`:
                the MILP under a budget, greedy when it does better by then) or ``greedy``.

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
        cand_ids = list(scores) + orgs_for_disciplines(
            self.driver, theme_disc, database=self.database
        )
        infos = {o.id: o for o in org_infos(self.driver, cand_ids, database=self.database)}
        # National counterparts of candidate societies.
        counterpart_rel: dict[str, float] = {}
        for o in list(infos.values()):
            for c in o.counterparts:
                counterpart_rel[c] = max(
                    counterpart_rel.get(c, 0.0), 0.8 * org_relevance(scores.get(o.id, []))
                )
        if counterpart_rel:
            for o in org_infos(self.driver, list(counterpart_rel), database=self.database):
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
        stored = org_ties(self.driver, ids, database=self.database)
        ties = stored.ties
        pos = {c: i for i, c in enumerate(ids)}
        tmat = np.zeros((len(ids), len(ids)))
        tie_what: dict[tuple[str, str], Msg] = {}
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
            tie_what[(t.a, t.b)] = tie_what[(t.b, t.a)] = Msg(
                "consortium.tie",
                "; ".join(what),
                counterpart=bool(t.counterpart),
                shared_people=int(t.shared_people or 0),
                examples=list(t.examples.get("shared_people", ())[:2]),
                joint_evidence=int(t.joint_evidence or 0),
            )
        problem = ConsortiumProblem(
            organisations=tuple(keep),
            theme_disciplines=tuple(theme_disc),
            ties=tmat,
            max_size=max_size,
            min_size=min_size,
            require_kinds=tuple(tuple(g) for g in require_kinds),
        )
        sol = solve_consortium(
            problem, self.auto_consortium_solver if solver == "exact" else solver
        )
        names = {x.id: x.name for x in keep}
        dnames = discipline_names(self.driver, theme_disc, database=self.database)
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
            brings = c.unique_disciplines or c.disciplines
            contribution = Msg(
                "consortium.contribution",
                "; ".join(parts) or "relevance",
                disciplines=[dnames.get(d, d) for d in brings],
                alone=bool(c.unique_disciplines),
                kinds=list(c.unique_kinds),
                experts=[[n, round(float(sc), 2)] for _, n, sc in ex],
                ties=[names.get(o, o) for o, _ in c.ties],
            )
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
                        (o, round(float(s), 4), str(tie_what.get((c.member, o), "")))
                        for o, s in c.ties
                    ),
                    experts=tuple(ex),
                    contribution=contribution,
                    tie_reasons=tuple(
                        tie_what.get((c.member, o), Msg("consortium.tie", "")) for o, _ in c.ties
                    ),
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
