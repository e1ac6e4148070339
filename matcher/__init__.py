"""Matching: embeddings, hybrid retrieval with explanations, and team/panel/consortium formation.

Pure algorithms (scoring, text, optimise, analytics) never see a driver. The services that read
or write the graph (retrieval, indexing and indexing_ray, formation, review, analytics_service) call
``graph_schema``'s functions; :mod:`matcher.types` takes only its label enums.

Retrieval is :mod:`matcher.retrieval` (``ExpertMatcher``) over its parts:
:mod:`matcher.retrieval_config` (settings), :mod:`matcher.retrieval_query` (query planning),
:mod:`matcher.retrieval_reads` (the graph reads and their threads), :mod:`matcher.scoring`
(fusion) and :mod:`matcher.retrieval_explain` (results and reasons).
"""

from __future__ import annotations

from matcher.embedding import Embedder, SentenceTransformerEmbedder
from matcher.errors import (
    EmbeddingError,
    EmbeddingsStaleError,
    InfeasibleError,
    MatcherError,
    MatchValidationError,
)
from matcher.indexing import EmbedReport, embed_graph
from matcher.retrieval import ExpertMatcher, rank_experts
from matcher.retrieval_config import RetrievalConfig
from matcher.scoring import FusionConfig, FusionWeights
from matcher.types import ExpertFilters, ExpertResult, Explanation

__all__ = [
    "Embedder",
    "SentenceTransformerEmbedder",
    "EmbeddingError",
    "EmbeddingsStaleError",
    "InfeasibleError",
    "MatcherError",
    "MatchValidationError",
    "EmbedReport",
    "embed_graph",
    "ExpertMatcher",
    "rank_experts",
    "RetrievalConfig",
    "FusionConfig",
    "FusionWeights",
    "ExpertFilters",
    "ExpertResult",
    "Explanation",
]
