"""Query vectors through onnxruntime, against the real model's own (no database)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matcher.embedding import SentenceTransformerEmbedder
from matcher.embedding_onnx import OnnxQueryEncoder
from matcher.errors import EmbeddingError
from tests.utils.factories import minilm_with_projection

TEXTS = [
    "deep learning for traffic flow forecasting",
    "电动汽车动力电池热管理与液冷仿真",
    "交通流预测 graph neural networks",
    "很长的文本 long text " * 300,  # truncated at max_seq_length, as torch does
    "x",
]


@pytest.fixture(scope="module")
def torch_only() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(query_runtime="torch")


def test_onnx_queries_equal_the_model_s_own(
    torch_only: SentenceTransformerEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEXIE_ONNX_CACHE", str(tmp_path))
    assert torch_only.query_runtime == "torch" and torch_only._query_encoder is None
    fast = SentenceTransformerEmbedder(query_runtime="onnxruntime")
    assert fast.query_runtime == "onnxruntime" and fast.fingerprint() == torch_only.fingerprint()
    want, got = torch_only.embed_queries(TEXTS), fast.embed_queries(TEXTS)
    assert got.shape == want.shape == (len(TEXTS), 384) and got.dtype == np.float32
    assert (got * want).sum(axis=1).min() > 0.9999
    one = fast.embed_query(TEXTS[1])
    assert float(one @ want[1]) > 0.9999
    # documents still go through the model itself
    assert np.array_equal(fast.embed_documents(TEXTS[:2]), torch_only.embed_documents(TEXTS[:2]))


def test_the_export_is_cached_and_a_damaged_file_is_made_again(
    torch_only: SentenceTransformerEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import matcher.embedding_onnx as mod

    st = torch_only._model
    first = OnnxQueryEncoder.for_model(st, "k", cache_dir=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [first.path.name]

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("exported again")

    with monkeypatch.context() as m:
        m.setattr(mod, "export_query_model", refuse)
        again = OnnxQueryEncoder.for_model(st, "k", cache_dir=tmp_path)
    assert again.path == first.path
    first.path.write_bytes(b"not an onnx model")
    mended = OnnxQueryEncoder.for_model(st, "k", cache_dir=tmp_path)
    assert (mended.encode(TEXTS[:1]) @ torch_only.embed_queries(TEXTS[:1]).T).item() > 0.9999
    assert [p.name for p in tmp_path.iterdir()] == [first.path.name]  # no temporary files left


def test_a_model_the_export_does_not_cover_stays_on_torch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MiniLM plus a projection after pooling: the export would drop the projection, so
    ``onnxruntime`` refuses it and ``auto`` keeps torch."""
    monkeypatch.setenv("KEXIE_ONNX_CACHE", str(tmp_path / "cache"))
    folder = minilm_with_projection(tmp_path / "minilm-64")
    with pytest.raises(EmbeddingError, match="Dense"):
        SentenceTransformerEmbedder(str(folder), query_runtime="onnxruntime")
    auto = SentenceTransformerEmbedder(str(folder), query_runtime="auto")
    assert auto.query_runtime == "torch" and auto.embed_query("电池").shape == (64,)


def test_an_unwritable_cache_keeps_queries_on_torch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("KEXIE_ONNX_CACHE", str(blocker / "onnx"))
    with pytest.raises(EmbeddingError, match="cannot write the ONNX cache"):
        SentenceTransformerEmbedder(query_runtime="onnxruntime")
    auto = SentenceTransformerEmbedder(query_runtime="auto")
    assert auto.query_runtime == "torch" and auto.embed_query("电池").shape == (384,)
