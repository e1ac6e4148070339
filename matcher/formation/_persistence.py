"""What staff decide, written to the graph: save a proposal (status ``proposed``), confirm or
decline it, record each member's feedback, and read a saved one back.

The writes are :mod:`graph_schema.formation_queries`'s; a decline on a team
(``accepted=false``) keeps that expert out of every later proposal for the same demand, and
ratings and acceptances shift a small prior in the retriever's graph component
(:func:`matcher.scoring.feedback_shift`).
"""

from __future__ import annotations

import uuid
from typing import Any

from graph_schema.formation_queries import (
    FormationKind,
    FormationRecord,
    get_formation,
    record_feedback,
    save_formation,
    set_status,
)
from matcher.errors import MatchValidationError
from matcher.formation._base import FormationBase
from matcher.formation._proposals import ConsortiumProposal, PanelProposal, TeamProposal

__all__ = ["FormationStore"]


class FormationStore(FormationBase):
    """Saves proposals and records what staff decide about them."""

    def save_team(self, proposal: TeamProposal, team_id: str | None = None) -> str:
        """Save a proposed team (status ``proposed``); returns its id."""
        tid = team_id or f"TEAM-{proposal.demand_id}-{uuid.uuid4().hex[:8]}"
        props: dict[str, Any] = dict(proposal.objective.items())
        p = dict(proposal.params)
        p["max_per_institution"] = p.get("max_per_institution") or 0
        props.update({k: v for k, v in p.items() if v is not None})
        props.update({"solver": proposal.solver, "optimal": proposal.optimal})
        members = [{"id": m.id, "role": m.role, "skills": list(m.skills)} for m in proposal.members]
        return save_formation(
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
        return save_formation(
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
        return save_formation(
            self.driver, "consortium", cid, proposal.theme, members, props, database=self.database
        )

    def confirm(self, formation_id: str, *, kind: FormationKind | None = None) -> None:
        """Mark a saved team, panel or consortium (of ``kind``, if given) as confirmed by staff.

        Raises:
            NotFoundError: no such formation. TransitionError: it was declined (final).
        """
        set_status(self.driver, formation_id, "confirmed", kind=kind, database=self.database)

    def decline(self, formation_id: str, *, kind: FormationKind | None = None) -> None:
        """Mark a saved team, panel or consortium as declined (its members' load is freed).

        Raises:
            NotFoundError: no such formation (of ``kind``, if given).
        """
        set_status(self.driver, formation_id, "declined", kind=kind, database=self.database)

    def feedback(
        self,
        formation_id: str,
        scientist_id: str,
        *,
        accepted: bool | None = None,
        rating: int | None = None,
        comment: str | None = None,
        kind: FormationKind | None = None,
    ) -> None:
        """Record a member's feedback. A decline (``accepted=False``) on a team keeps that expert
        out of every later proposal for the same demand; ratings shift their retrieval prior.

        Raises:
            MatchValidationError: rating outside 1–5. NotFoundError: not a member.
        """
        try:
            record_feedback(
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

    def get(self, formation_id: str, *, kind: FormationKind | None = None) -> FormationRecord:
        """A saved team, panel or consortium (only of ``kind``, if given) with members and
        feedback."""
        return get_formation(self.driver, formation_id, kind=kind, database=self.database)
