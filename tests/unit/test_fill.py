"""The benchmark's fill: a sample embedded for real, the rest given vectors from that sample."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.fill import SampleThenReuseEmbedder
from matcher.embedding import SentenceTransformerEmbedder

TEXTS = [
    "动力电池热管理与液冷仿真",
    "Graph neural networks for traffic flow forecasting",
    "城市交通信号控制的强化学习方法",
    "Solid-state electrolyte interfaces in lithium batteries",
    "高强度钢在乘用车碰撞安全中的应用",
    "Soil remediation of heavy-metal contamination",
    "智慧农业中的遥感作物估产",
    "Hydrogen fuel cell stack durability testing",
]


@pytest.mark.parametrize("mode", SampleThenReuseEmbedder.MODES)
def test_the_sample_is_real_and_the_fill_stays_near_it(
    embedder: SentenceTransformerEmbedder, mode: str
) -> None:
    fill = SampleThenReuseEmbedder(embedder, 6, mode=mode, neighbours=2, seed=1)
    vecs = fill.embed_documents([*TEXTS, *TEXTS[:4] * 5])
    assert (fill.real, fill.filled) == (6, 22)
    assert np.allclose(vecs[:6], embedder.embed_documents(TEXTS[:6]), atol=1e-5)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    filled = vecs[6:]
    to_real = filled @ vecs[:6].T
    assert len({v.tobytes() for v in filled}) == len(filled)  # no two fills identical
    if mode == "jitter":
        # A copy of one real vector: within cosine 0.99 of it.
        assert (to_real.max(axis=1) > 0.99).all()
    else:
        # On the segment between a real vector and one of its 2 nearest (up to the jitter of
        # norm 0.1): the residual off that pair's plane is small; and most fills are off
        # every single real vector.
        bank = vecs[:6]
        near = fill._nearest(bank)
        assert near.shape == (6, 2) and all(i not in near[i] for i in range(6))
        for v in filled:
            residuals = []
            for a in range(6):
                for b in near[a]:
                    plane = np.stack([bank[a], bank[b]], axis=1)
                    coef = np.linalg.lstsq(plane, v, rcond=None)[0]
                    residuals.append(float(np.linalg.norm(plane @ coef - v)))
            assert min(residuals) < 0.15
        assert (to_real.max(axis=1) < 0.99).mean() > 0.5


def test_an_unknown_fill_mode_is_refused(embedder: SentenceTransformerEmbedder) -> None:
    with pytest.raises(ValueError, match="interpolate"):
        SampleThenReuseEmbedder(embedder, 5, mode="copy")
