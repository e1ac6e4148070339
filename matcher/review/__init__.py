"""Evaluation panels and review rounds with person-level conflicts of interest.

* ``_coi``     — the round's conflict policy applied to the graph's ties (pure).
* ``_service`` — :class:`ReviewService`: panels for one item, assignments of whole rounds,
  their audit records.
"""

from __future__ import annotations

from matcher.review._coi import DEFAULT_DISCLOSE, DEFAULT_EXCLUDE, CoiPolicy, Finding, judge
from matcher.review._service import (
    EvaluationPanelProposal,
    ExcludedReviewer,
    Reviewer,
    ReviewService,
    RoundProposal,
)

__all__ = [
    "CoiPolicy",
    "Finding",
    "judge",
    "DEFAULT_EXCLUDE",
    "DEFAULT_DISCLOSE",
    "ReviewService",
    "Reviewer",
    "ExcludedReviewer",
    "EvaluationPanelProposal",
    "RoundProposal",
]
