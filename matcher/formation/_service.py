"""The one object callers hold: :class:`FormationService` wires the graph, the retriever and the
solver policies into the per-kind encoders (teams, panels, consortia, batches) and the store."""

from __future__ import annotations

import neo4j

from matcher.embedding import Embedder
from matcher.formation._batch import BatchFormation
from matcher.formation._consortium import ConsortiumFormation
from matcher.formation._panel import PanelFormation
from matcher.formation._persistence import FormationStore
from matcher.formation._team import TeamFormation
from matcher.optimise import AutoConsortiumSolver, AutoTeamSolver
from matcher.retrieval import ExpertMatcher

__all__ = ["FormationService"]


class FormationService(
    TeamFormation, PanelFormation, ConsortiumFormation, BatchFormation, FormationStore
):
    """Forms teams, panels and consortia from the graph, and records what staff decide.

    Each kind's encoder and decoder is a base class of its own module (``_team``, ``_panel``,
    ``_consortium``, ``_batch``; saving and status changes in ``_persistence``); this class only
    holds what they share.

    Args:
        driver: An open Neo4j driver.
        embedder: The configured embedder (``None``: lexical retrieval only).
        database: Neo4j database name.
        matcher: An :class:`ExpertMatcher` to reuse (built from driver and embedder otherwise).
        exhaustive_max_teams: ``solver="auto"`` scores every team (``exhaustive``, proven
            optimal) when there are at most this many; otherwise greedy, then the MILP.
        exact_max_pool: past that, ``auto`` tries ``exact`` up to this many allowed candidates.
        exact_budget_s: seconds ``auto`` gives the exact MILP after greedy (a consortium's
            ``exact`` gets three times this before greedy may replace it).
        parallel: retrievals in flight at once when one request needs several (skills of a
            team, quota groups of a panel, demands of a batch).
        pool_rerank: a pool search of ``k`` scores ``pool_rerank · k`` index hits in full
            (an expert search scores ``4k``: it must put the very best first; a pool only
            needs the good ones in).

    Example::

        svc = FormationService(driver, SentenceTransformerEmbedder())
        team = svc.propose_team("D1", k_min=2, k_max=3)
        team_id = svc.save_team(team)
        svc.confirm(team_id)
        svc.feedback(team_id, team.members[0].id, accepted=True, rating=5)
    """

    def __init__(
        self,
        driver: neo4j.Driver,
        embedder: Embedder | None,
        *,
        database: str | None = None,
        matcher: ExpertMatcher | None = None,
        exhaustive_max_teams: int = 200_000,
        exact_max_pool: int = 40,
        exact_budget_s: float = 0.1,
        parallel: int = 4,
        pool_rerank: float = 2.0,
    ) -> None:
        self.driver = driver
        self.database = database
        self.matcher = matcher or ExpertMatcher(driver, embedder, database=database)
        self.auto_team_solver = AutoTeamSolver(
            exhaustive_max_teams=exhaustive_max_teams,
            exact_max_pool=exact_max_pool,
            exact_budget_s=exact_budget_s,
        )
        self.auto_consortium_solver = AutoConsortiumSolver(exact_budget_s=3 * exact_budget_s)
        self.parallel = parallel
        self.pool_rerank = pool_rerank
