"""Matching: embeddings, hybrid retrieval with explanations, and team/panel/consortium formation.

Pure algorithms (scoring, text, optimise, analytics) never see a driver. The services that read
or write the graph — retrieval, indexing, formation, analytics_service — call ``graph_schema``'s
functions; :mod:`matcher.types` takes only its label enums.
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
    "FusionConfig",
    "FusionWeights",
    "ExpertFilters",
    "ExpertResult",
    "Explanation",
]
