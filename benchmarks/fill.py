"""An embedder that embeds a sample for real and fills the rest by reusing the sample's vectors.

Used by the benchmark at sizes above 1, where embedding every text with the real model on two
CPU cores would take hours. The first ``sample`` texts it is asked for (``embed_graph`` asks in
evidence-id order) go through the real model. Every later text gets a *real* vector of the
sample, chosen at random, plus a small Gaussian jitter (norm ``jitter``, then re-normalised) so
no two vectors are identical. The vectors therefore have the real model's norms and dimension;
they do not describe their own texts, so retrieval *quality* at those sizes is not measured.

Two ways to fill (``mode``):

- ``jitter``: copies of one real vector. At size 10 each real vector has ~49 copies within
  cosine 0.99 of each other: 5,000 tight clusters. That is a hard input for an HNSW graph:
  a real vector written later, off those clusters, is missed far more often than on a real
  corpus (benchmarks README, "Recall after vectors change").
- ``interpolate``: a point on the segment between a real vector and one of its ``neighbours``
  nearest real vectors (uniform position), plus the same jitter: the fill spreads along the
  real vectors' own neighbourhoods instead of piling up on them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from matcher.embedding import Embedder

__all__ = ["SampleThenReuseEmbedder"]


class SampleThenReuseEmbedder(Embedder):
    """Wraps a real embedder; same model id and fingerprint, so queries use the real model.

    Args:
        inner: the real embedder.
        sample: how many texts to embed for real before reusing.
        jitter: norm of the noise added to a reused vector (0.1: cosine ≈ 0.995 to its source).
        seed: seed of the choice of vectors and of the noise.
        mode: ``jitter`` (copies of one real vector) or ``interpolate`` (between two real
            neighbours).
        neighbours: with ``interpolate``, how many nearest real vectors each one may pair with.
    """

    MODES = ("jitter", "interpolate")

    def __init__(
        self,
        inner: Embedder,
        sample: int,
        *,
        jitter: float = 0.1,
        seed: int = 0,
        mode: str = "jitter",
        neighbours: int = 10,
    ) -> None:
        if mode not in self.MODES:
            raise ValueError(f"fill mode {mode!r}: use one of {', '.join(self.MODES)}")
        self.inner = inner
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self.languages = inner.languages
        self.sample = sample
        self.jitter = jitter
        self.real = 0
        self.filled = 0
        self.real_seconds = 0.0
        self.fill_seconds = 0.0
        self.mode = mode
        self.neighbours = neighbours
        self._bank: list[np.ndarray] = []
        self._near: np.ndarray | None = None
        self._rng = np.random.default_rng(seed)

    def fingerprint(self) -> str:
        return self.inner.fingerprint()

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        n_real = max(0, min(len(texts), self.sample - self.real))
        parts: list[np.ndarray] = []
        if n_real:
            t0 = time.perf_counter()
            vecs = np.asarray(self.inner.embed_documents(list(texts[:n_real])), dtype=np.float32)
            self.real_seconds += time.perf_counter() - t0
            self.real += n_real
            self._bank.append(vecs)
            parts.append(vecs)
        rest = len(texts) - n_real
        if rest:
            t0 = time.perf_counter()
            bank = np.concatenate(self._bank) if len(self._bank) > 1 else self._bank[0]
            self._bank = [bank]
            a = self._rng.integers(0, len(bank), size=rest)
            picked = bank[a]
            if self.mode == "interpolate" and len(bank) > 1:
                near = self._nearest(bank)
                b = near[a, self._rng.integers(0, near.shape[1], size=rest)]
                t = self._rng.uniform(0.0, 1.0, size=(rest, 1)).astype(np.float32)
                picked = (1.0 - t) * picked + t * bank[b]
            noise = self._rng.normal(0.0, self.jitter / np.sqrt(self.dimension), size=picked.shape)
            filled = picked + noise.astype(np.float32)
            filled /= np.linalg.norm(filled, axis=1, keepdims=True)
            parts.append(filled.astype(np.float32))
            self.filled += rest
            self.fill_seconds += time.perf_counter() - t0
        if not parts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.concatenate(parts)

    def _nearest(self, bank: np.ndarray) -> np.ndarray:
        """Each real vector's ``neighbours`` nearest other real vectors (by cosine), computed
        once the sample is complete, in blocks."""
        if self._near is None or len(self._near) != len(bank):
            k = min(self.neighbours, len(bank) - 1)
            near = np.empty((len(bank), k), dtype=np.int64)
            for lo in range(0, len(bank), 2048):
                sims = bank[lo : lo + 2048] @ bank.T
                for i in range(len(sims)):
                    sims[i, lo + i] = -np.inf
                near[lo : lo + 2048] = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            self._near = near
        return self._near
