"""Evidence without a year (the import format allows it): embedding, profiles and the capped
candidate read must treat it right."""

from __future__ import annotations

from pathlib import Path

import neo4j
import numpy as np

from graph_schema import import_path
from graph_schema import search as S
from graph_schema import vectors as V
from matcher import ExpertMatcher, embed_graph
from matcher.embedding import SentenceTransformerEmbedder
from matcher.indexing import recency_weights
from tests.utils.factories import tiny_dataset, write_jsonl

UNDATED = [
    {"id": f"U{i}", "title": f"电池液冷仿真笔记 {i}", "contributors": ["S3"]} for i in range(3)
]


def test_undated_items_embed_keep_years_aligned_and_are_read_after_dated_ones(
    graph: neo4j.Driver, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    folder = tiny_dataset(tmp_path / "data")
    write_jsonl(folder / "projects.jsonl", UNDATED)
    assert import_path(graph, folder).ok

    report = embed_graph(graph, embedder)  # crashed on undated items before

    assert report.evidence_embedded == 6
    fp = embedder.fingerprint()
    vecs, years = V.evidence_vectors_of(graph, fp, ["S3"])["S3"]
    assert len(vecs) == len(years) == 5  # P2, PT1 and the three undated projects
    assert sorted(years, key=lambda y: y or 0) == [None, None, None, 2020, 2022]
    # Each year stays with its own item's vector.
    by_id = dict(V.all_evidence_vectors(graph, fp))
    assert any(np.allclose(v, by_id["PT1"]) for v, y in zip(vecs, years, strict=True) if y == 2022)
    w = recency_weights(years)
    assert w.shape == (5,) and np.all(w > 0)

    # Capped read: the newest dated items first, undated ones after them.
    rows = S.candidate_rows(graph, ["S3"], vecs=[], terms=["电池"], fingerprint=fp, max_evidence=2)
    assert [x["year"] for x in rows[0].items] == [2022, 2020]

    results = ExpertMatcher(graph, embedder).rank_experts("电池液冷仿真", k=3)
    assert results[0].scientist_id == "S3"
