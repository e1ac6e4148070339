"""Pure formation algorithms: teams, panels, rotation lotteries, consortia, batch assignment.

No database, no driver, no embeddings model: arrays and frozen dataclasses in, frozen
dataclasses out (the encoder/solver split of openreview-matcher; the encoders are
:mod:`matcher.formation`). Random instances and solver comparisons for tables live in
``benchmarks/formation_bench.py``, outside the product. Infeasible requests raise
:class:`matcher.errors.InfeasibleError` with ``reasons`` and ``advice``; anything else is a bug.

Modules (private, re-exported here):

* ``_team``        — expert service teams: ``greedy``, ``exact``, ``exhaustive``,
  ``rarest_first``, ``top_k`` and the default policy ``auto`` (:class:`AutoTeamSolver`), all in
  :data:`SOLVER_MAP`; swaps via :func:`propose_replacements`.
* ``_panel``       — think-tank panels under configurable :class:`Quota` s; quota diagnosis
  and relaxation; diversity measures.
* ``_rotation``    — randomised panel lotteries with capped selection probabilities.
* ``_consortium``  — industry–university–research consortia of organisations: ``exact``,
  ``greedy`` and the budgeted policy ``auto`` (:class:`AutoConsortiumSolver`).
* ``_batch``       — many demands at once: global MILP vs one-by-one greedy.
* ``_assignment``  — review rounds: k reviewers per item, ≤ L items per reviewer, no
  conflicts; exact (HiGHS), fair (max-min then total) and greedy.
* ``_milp``        — grouped-constraint model over ``scipy.optimize.milp`` and a deletion filter.
"""

from __future__ import annotations

from matcher.optimise._assignment import (
    ROUND_SOLVERS,
    ReviewAssignment,
    ReviewRoundProblem,
    evaluate_round,
    precheck_round,
    random_round,
    solve_round,
)
from matcher.optimise._batch import BatchProblem, BatchSolution, evaluate_batch, solve_batch
from matcher.optimise._consortium import (
    ORG_KINDS,
    AutoConsortiumSolver,
    ConsortiumProblem,
    ConsortiumSolution,
    Contribution,
    Organisation,
    evaluate_consortium,
    solve_consortium,
)
from matcher.optimise._milp import MilpResult, Model, deletion_filter
from matcher.optimise._panel import (
    GRADES,
    SECTORS,
    PanelDiversity,
    PanelProblem,
    PanelSolution,
    Quota,
    QuotaRelaxation,
    build_panel_model,
    check_panel,
    default_panel_quotas,
    diagnose_panel,
    evaluate_panel,
    panel_diversity,
    solve_panel,
)
from matcher.optimise._rotation import PanelLottery, randomised_panels
from matcher.optimise._team import (
    SOLVER_MAP,
    AutoTeamSolver,
    ExactSolver,
    ExhaustiveSolver,
    GreedySolver,
    RarestFirstSolver,
    Replacement,
    TeamProblem,
    TeamSolution,
    TeamSolver,
    TeamWeights,
    TopKSolver,
    check_team,
    evaluate_team,
    precheck_team,
    propose_replacements,
    solve_team,
)

__all__ = [
    # teams
    "TeamWeights",
    "TeamProblem",
    "TeamSolution",
    "Replacement",
    "TeamSolver",
    "GreedySolver",
    "ExactSolver",
    "ExhaustiveSolver",
    "RarestFirstSolver",
    "TopKSolver",
    "AutoTeamSolver",
    "SOLVER_MAP",
    "solve_team",
    "check_team",
    "evaluate_team",
    "precheck_team",
    "propose_replacements",
    # panels
    "GRADES",
    "SECTORS",
    "Quota",
    "QuotaRelaxation",
    "PanelProblem",
    "PanelSolution",
    "PanelDiversity",
    "default_panel_quotas",
    "build_panel_model",
    "diagnose_panel",
    "solve_panel",
    "check_panel",
    "evaluate_panel",
    "panel_diversity",
    # rotation
    "PanelLottery",
    "randomised_panels",
    # consortia
    "ORG_KINDS",
    "Organisation",
    "ConsortiumProblem",
    "Contribution",
    "ConsortiumSolution",
    "AutoConsortiumSolver",
    "solve_consortium",
    "evaluate_consortium",
    # batch
    "BatchProblem",
    "BatchSolution",
    "solve_batch",
    "evaluate_batch",
    # review rounds
    "ROUND_SOLVERS",
    "ReviewRoundProblem",
    "ReviewAssignment",
    "precheck_round",
    "solve_round",
    "evaluate_round",
    "random_round",
    # MILP helpers
    "Model",
    "MilpResult",
    "deletion_filter",
]
