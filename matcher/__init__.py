"""Matching: embeddings, hybrid retrieval with explanations, and team/panel/consortium formation.

Pure algorithms never see a driver; :mod:`matcher.retrieval`, :mod:`matcher.indexing` and
:mod:`matcher.indexing_ray` (the embedding job on Ray, an optional extra) are the only modules
that call ``graph_schema``.
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
