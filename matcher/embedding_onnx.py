"""Query vectors through onnxruntime: the same model, exported once, and faster.

A search embeds one short text while the user waits, and PyTorch spends much of that time in
per-call overhead: onnxruntime runs the same graph at 1.75× the texts per second on short
texts, cosine to torch 1.0000 (``python -m benchmarks.embedding_backends``,
``results/embedding_backends.md``). Evidence is still embedded by PyTorch in batches, where the
two are even.

The model is exported with ``torch.onnx.export`` (transformer + mean pooling + L2
normalisation, the sentence-transformers recipe of mean-pooling models) into a cache folder,
keyed by the model and its settings, then checked against PyTorch on probe texts each time it
is loaded: a file that disagrees is exported again, and a model that cannot be exported (no mean
pooling, no onnxruntime) keeps PyTorch, with a log line saying why.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matcher.embedding import Vector
from matcher.errors import EmbeddingError

__all__ = ["OnnxQueryEncoder", "export_query_model", "pooling_mode", "default_cache_dir"]

logger = logging.getLogger(__name__)

#: Texts the exported model must embed like PyTorch (cosine ≥ ``_AGREE``), one long enough to
#: be truncated.
_PROBES = (
    "battery thermal management",
    "电动汽车动力电池热管理与液冷仿真",
    "Graph neural networks 交通流预测 " + "long text " * 200,
)
_AGREE = 0.9999
#: The sentence-transformers modules the export reproduces (normalisation is always applied:
#: the service asks for unit vectors).
_EXPORTED_MODULES = ("Transformer", "Pooling", "Normalize")
_EXPORT_VERSION = "1"  # bump when the export recipe changes


def default_cache_dir() -> Path:
    """``KEXIE_ONNX_CACHE``, else ``~/.cache/kexie/onnx``."""
    given = os.environ.get("KEXIE_ONNX_CACHE")
    return Path(given) if given else Path.home() / ".cache" / "kexie" / "onnx"


def pooling_mode(st: Any) -> str:
    """The pooling of a SentenceTransformer (``mean``, ``cls``, …; ``?`` when unknown)."""
    for module in st:
        if type(module).__name__ == "Pooling":
            cfg: dict[str, Any] = module.get_config_dict()
            mode = cfg.get("pooling_mode")
            if isinstance(mode, str):
                return mode
            for key, value in cfg.items():
                if key.startswith("pooling_mode_") and value is True:
                    return key.removeprefix("pooling_mode_").removesuffix("_tokens")
    return "?"


def export_query_model(st: Any, path: Path, exporter: str = "legacy") -> None:
    """Export ``st``'s transformer + mean pooling + L2 normalisation to ``path`` (ONNX).

    Args:
        st: A loaded ``SentenceTransformer`` whose pooling is mean pooling.
        path: Target file.
        exporter: ``legacy`` (TorchScript-based; needs only ``onnx``) or ``dynamo`` (needs
            ``onnxscript``).

    Raises:
        EmbeddingError: the model does not use mean pooling, or the export failed.
    """
    import torch

    if pooling_mode(st) != "mean":
        raise EmbeddingError(f"ONNX export supports mean pooling only, not {pooling_mode(st)}")
    extra = [type(m).__name__ for m in st if type(m).__name__ not in _EXPORTED_MODULES]
    if extra:
        raise EmbeddingError(f"ONNX export covers {', '.join(_EXPORTED_MODULES)}, not {extra}")
    hf_model = st[0].auto_model.eval()

    class Pooled(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            hidden = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    # Two texts of different lengths, so the traced graph sees padding.
    enc = st.tokenizer(["a short one", "a somewhat longer example text"], padding=True)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    args = tuple(
        torch.tensor(enc[n]) if n in enc else torch.zeros_like(torch.tensor(enc["input_ids"]))
        for n in names
    )
    if exporter == "legacy":
        axes = {n: {0: "batch", 1: "seq"} for n in names}
        shape: dict[str, Any] = {
            "dynamic_axes": {**axes, "sentence_embedding": {0: "batch"}},
            "opset_version": 17,
            "dynamo": False,
        }
    else:
        batch, seq = torch.export.Dim("batch"), torch.export.Dim("seq")
        shape = {
            "dynamic_shapes": tuple({0: batch, 1: seq} for _ in names),
            "dynamo": True,
            "verbose": False,
        }
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # tracer and deprecation warnings of the exporter
            torch.onnx.export(
                Pooled(hf_model).eval(),
                args,
                str(path),
                input_names=names,
                output_names=["sentence_embedding"],
                **shape,
            )
    except Exception as exc:
        raise EmbeddingError(f"ONNX export failed: {exc}") from exc


class OnnxQueryEncoder:
    """Query texts → unit vectors with onnxruntime, as ``st.encode`` would give them.

    Use :meth:`for_model`, which exports (once, cached) and checks the model.

    Args:
        st: The loaded SentenceTransformer (its tokenizer and ``max_seq_length`` are used).
        path: The exported ONNX file.
        threads: onnxruntime intra-op threads (1 serves single queries best on shared cores).
    """

    def __init__(self, st: Any, path: Path, *, threads: int = 1) -> None:
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.path = path
        self.tokenizer = st.tokenizer
        self.max_length = int(st.max_seq_length)
        self.session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]
        # A fast tokenizer changes its padding/truncation state per call: one call at a time.
        self._lock = threading.Lock()

    @classmethod
    def for_model(
        cls,
        st: Any,
        model_key: str,
        *,
        threads: int = 1,
        cache_dir: Path | None = None,
    ) -> OnnxQueryEncoder:
        """The encoder for ``st``, exported into ``cache_dir`` unless a file that embeds the
        probe texts like PyTorch is already there.

        Raises:
            EmbeddingError: onnxruntime or onnx is missing, the model cannot be exported, or
                the exported model disagrees with PyTorch.
        """
        try:
            import onnxruntime  # noqa: F401
        except ImportError as exc:
            raise EmbeddingError("onnxruntime is not installed") from exc
        folder = cache_dir or default_cache_dir()
        key = hashlib.sha256(
            f"{model_key}|{st.max_seq_length}|{_EXPORT_VERSION}".encode()
        ).hexdigest()[:20]
        path = folder / f"query-{key}.onnx"
        want = np.asarray(
            st.encode(
                list(_PROBES),
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            ),
            dtype=np.float32,
        )
        for first in (True, False):
            attempt = "cached" if first and path.is_file() else "exported"
            if attempt == "exported":
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".onnx.tmp")
                    os.close(fd)
                except OSError as exc:  # a read-only home, a file in the way…
                    raise EmbeddingError(f"cannot write the ONNX cache {folder}: {exc}") from exc
                try:
                    export_query_model(st, Path(tmp))
                    os.replace(tmp, path)  # atomic: another process never reads half a file
                except OSError as exc:
                    raise EmbeddingError(f"cannot write the ONNX cache {folder}: {exc}") from exc
                finally:
                    Path(tmp).unlink(missing_ok=True)
            try:
                enc = cls(st, path, threads=threads)
                agree = float((enc.encode(list(_PROBES)) * want).sum(axis=1).min())
            except Exception as exc:  # a damaged file: export again
                logger.warning("ONNX query model %s unusable (%s)", path, exc)
                agree = -1.0
            if agree >= _AGREE:
                logger.info("ONNX query model %s (%s; probe cosine %.6f)", path, attempt, agree)
                return enc
            logger.warning("ONNX query model %s disagrees with torch (cosine %.6f)", path, agree)
        raise EmbeddingError(f"the exported ONNX model disagrees with torch (cosine {agree:.6f})")

    def encode(self, texts: Sequence[str]) -> Vector:
        """Unit vectors, shape [len(texts), dim], float32; texts are truncated like torch's."""
        with self._lock:
            enc = self.tokenizer(
                list(texts),
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="np",
            )
        ids = np.asarray(enc["input_ids"], dtype=np.int64)
        feed = {
            name: np.asarray(enc[name], dtype=np.int64) if name in enc else np.zeros_like(ids)
            for name in self.inputs
        }
        return np.asarray(self.session.run(None, feed)[0], dtype=np.float32)
