"""Team, panel and consortium formation over the graph: the *encoders* of the pure solvers.

:class:`FormationService` reads a request from the graph (:mod:`graph_schema.formation_queries`),
asks the retriever (:class:`~matcher.retrieval.ExpertMatcher`) for candidates and absolute
affinities, encodes them as a :mod:`matcher.optimise` problem, solves it with a named solver and
decodes the answer into a proposal that says why: members with the evidence that matched and
the skills they cover, the objective's parts, every hard constraint with whether it holds, the
candidates left out with their reasons, and the ties that make the group cohesive.

Modules (private, re-exported here):

* ``_skills``      — the skills a demand needs (:func:`demand_skills`): given, or derived from
  its text (TF-IDF keywords with ``jieba``; key phrases of English text).
* ``_helpers``     — pure helpers: :func:`is_senior`, :func:`is_young`, :func:`sector_of`,
  :func:`locality_score`, :func:`comm_cost_matrix`, :func:`org_relevance`,
  :func:`org_tie_strength`, :func:`parse_quota_overrides`, :func:`team_precision`.
* ``_proposals``   — what is proposed (:class:`TeamProposal`, :class:`PanelProposal`,
  :class:`ConsortiumProposal` on one base, :class:`Proposal`; :class:`SwapProposal`,
  :class:`BatchResult`).
* ``_base``        — what the encoders share: the graph, the retriever, the candidate pool.
* ``_team``        — expert service teams for a demand, and swaps (its docstring walks the
  encoding step by step).
* ``_panel``       — think-tank panels for a topic under quotas, exposure and lotteries.
* ``_consortium``  — consortia of organisations for a theme.
* ``_batch``       — many demands at once under each expert's remaining load.
* ``_persistence`` — save, confirm, decline, feedback, read back.
* ``_service``     — :class:`FormationService`, which wires them.

Solver ``auto`` of a team (:class:`matcher.optimise.AutoTeamSolver`, configured by the
service): when the problem has at most ``exhaustive_max_teams`` candidate teams (a pool of 30
with ``k_max ≤ 5`` has 174,406), ``exhaustive`` scores every one of them with numpy and returns
the proven optimum (15 ms against the MILP's 328 ms on the size-100 demands,
``results/bench-100.md``). Larger problems: ``greedy`` + local search (milliseconds), then, when
at most ``exact_max_pool`` candidates are allowed, the ``exact`` MILP under a time budget
(``exact_budget_s``, default 0.1 s); the better team wins, and it is marked optimal only when
HiGHS proved it. HiGHS finds the optimum fast and spends most of its time proving it (the
linearised pair costs make a weak bound). `kexie bench formation`
(``benchmarks/formation_bench.py``) compares the solvers.

Feedback loop: a scientist who declined a team for a demand (``accepted=false``) is never
proposed for that demand again; ratings and acceptances shift a small prior in the retriever's
graph component (:func:`matcher.scoring.feedback_shift`).
"""

from __future__ import annotations

from matcher.formation._helpers import (
    SENIOR_HONOURS,
    SENIOR_KINDS,
    comm_cost_matrix,
    is_senior,
    is_young,
    locality_score,
    org_relevance,
    org_tie_strength,
    parse_quota_overrides,
    sector_of,
    team_precision,
)
from matcher.formation._proposals import (
    BatchResult,
    ConsortiumMember,
    ConsortiumProposal,
    ExcludedCandidate,
    PanelMember,
    PanelProposal,
    Proposal,
    SwapOption,
    SwapProposal,
    TeamMember,
    TeamProposal,
    TieView,
)
from matcher.formation._service import FormationService
from matcher.formation._skills import demand_skills
from matcher.formation._team import TeamSolverName

__all__ = [
    "FormationService",
    "TeamSolverName",
    # proposals
    "Proposal",
    "TeamMember",
    "TeamProposal",
    "ExcludedCandidate",
    "TieView",
    "SwapOption",
    "SwapProposal",
    "PanelMember",
    "PanelProposal",
    "ConsortiumMember",
    "ConsortiumProposal",
    "BatchResult",
    # skills and helpers
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
    "SENIOR_HONOURS",
    "SENIOR_KINDS",
]
