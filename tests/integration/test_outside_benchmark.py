"""`kexie eval --benchmark`: outside judgements through the real import, embed and ranking path,
in a scratch Neo4j of its own, beside BM25 baselines computed in the same run."""

from __future__ import annotations

import json
from pathlib import Path

import neo4j
import pytest
from typer.testing import CliRunner

from kexie.cli import app

DEV = Path(__file__).resolve().parents[3] / "shared" / "data" / "csl-expert-finding-dev.json"


@pytest.fixture(scope="module")
def slice_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dev file's first 24 queries; every expert (the judged ones and the distractors)."""
    assert DEV.is_file(), f"the development benchmark is missing at {DEV}"
    data = json.loads(DEV.read_text(encoding="utf-8"))
    data["queries"] = data["queries"][:24]
    path = tmp_path_factory.mktemp("bench") / "dev-slice.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_hybrid_is_not_below_lexical_and_the_users_graph_is_untouched(
    slice_file: Path, graph: neo4j.Driver, tmp_path: Path
) -> None:
    graph.execute_query("CREATE (:Scientist {id: 'user-s1', name: '用户的专家'})")
    out = tmp_path / "report"

    result = CliRunner().invoke(
        app,
        ["eval", "--benchmark", str(slice_file), "--modes", "hybrid,lexical", "--out", str(out)],
    )

    assert result.exit_code == 0, result.output
    payload = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    rows = {(r["scorer"], r["variant"]): r for r in payload["rows"]}
    variants = ["title_abstract", "title", "keywords"]
    for scorer in ("hybrid", "lexical", "bm25-bigram", "bm25-word"):
        for v in variants:
            r = rows[(scorer, v)]
            assert len(r["per_query"]["ndcg@10"]) == 24
            lo, hi = r["intervals"]["ndcg@10"]
            assert lo <= r["means"]["ndcg@10"] <= hi
    hybrid = sum(rows[("hybrid", v)]["means"]["ndcg@10"] for v in variants)
    lexical = sum(rows[("lexical", v)]["means"]["ndcg@10"] for v in variants)
    assert hybrid >= lexical, (hybrid, lexical)
    # The baseline is real BM25: far better than chance on the slice.
    assert rows[("bm25-bigram", "title_abstract")]["means"]["ndcg@10"] > 0.4
    # Texts that match nothing are flagged; real queries' best answers almost never are.
    controls = {c["text"]: c["flagged"] for c in payload["low_confidence"]["controls"]}
    assert controls["！！！"] and controls["best pasta recipe for dinner"], controls
    assert sum(controls.values()) >= len(controls) - 2, controls
    flagged = payload["low_confidence"]["queries"]["title_abstract"]
    assert sum(flagged) <= 1, flagged
    assert "bm25-bigram" in out.with_suffix(".md").read_text(encoding="utf-8")
    # Its own server and folder are gone; the user's graph (the tests' server) is as it was.
    assert "kexie-outside-" in result.output
    folder = result.output.split(" in ", 1)[1].split("…", 1)[0].strip()
    assert not Path(folder).exists()
    n = graph.execute_query("MATCH (s:Scientist) RETURN count(s) AS n").records[0]["n"]
    assert n == 1


def test_a_file_that_is_not_a_benchmark_is_refused_with_where(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "experts": [{"id": "E1", "papers": [{"title": "电池"}]}],
                "queries": [{"id": "q1", "title": "电池", "relevance": {"E9": 2}}],
            }
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["eval", "--benchmark", str(bad)])
    assert result.exit_code != 0
    said = "".join(result.output.split())  # the console wraps long lines
    assert "queries.0.relevance:unknownexpertsE9" in said
