"""On a small demo graph (scale 0.2, embedded with the real model) in the test Neo4j: every
notebook in notebooks/ runs top to bottom, and retrieval quality holds against the generator's
ground truth (the Chinese hybrid result is never worse than the lexical path alone), and the
award round shows conflicts of interest excluded with their evidence."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import neo4j
import pytest
from nbclient import NotebookClient

from api.config import get_settings
from graph_schema import clear_graph, import_path
from kexie.demo import generate
from kexie.localserver import LocalNeo4j
from matcher import ExpertMatcher, embed_graph
from matcher.embedding import SentenceTransformerEmbedder
from matcher.evaluation import evaluate, format_markdown, load_judgements
from matcher.review import ReviewService

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def demo_graph(
    driver: neo4j.Driver,
    embedder: SentenceTransformerEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Path]:
    demo = tmp_path_factory.mktemp("demo")
    generate(demo / "data", seed=7, scale=0.2)
    clear_graph(driver)
    report = import_path(driver, demo / "data", batch_size=2000)
    assert report.ok, report.rejects[:5]
    embed_graph(driver, embedder)
    yield demo


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(
    path: Path, demo_graph: Path, test_server: LocalNeo4j, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEO4J_URI", test_server.uri)
    monkeypatch.setenv("NEO4J_USER", "neo4j")
    monkeypatch.setenv("NEO4J_PASSWORD", test_server.password())
    monkeypatch.setenv("KEXIE_DEMO_DIR", str(demo_graph))
    monkeypatch.setenv("MATCHER_BACKEND", "torch")  # the graph was embedded with MiniLM
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    get_settings.cache_clear()
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    get_settings.cache_clear()


def test_retrieval_quality_on_the_demo_ground_truth(
    demo_graph: Path, driver: neo4j.Driver, embedder: SentenceTransformerEmbedder
) -> None:
    judgements = load_judgements(demo_graph / "ground_truth", demo_graph / "data")
    zh = [j for j in judgements if j.lang == "zh"][:60]
    en = [j for j in judgements if j.lang == "en"][:30]
    assert len(zh) >= 30 and len(en) >= 20
    matcher = ExpertMatcher(driver, embedder)
    rows = {(r.mode, r.lang): r for r in evaluate(matcher, zh + en, ["lexical", "hybrid"])}
    # Chinese must not be an afterthought: the fused result is never worse than lexical alone.
    assert rows[("hybrid", "zh")].ndcg10 >= rows[("lexical", "zh")].ndcg10 - 0.005
    # And it finds the planted experts far better than chance.
    assert rows[("hybrid", "zh")].ndcg10 > 0.6 and rows[("hybrid", "en")].ndcg10 > 0.6
    assert rows[("hybrid", "all")].mrr > 0.7
    # As the API searches (k=10; the window of candidates scored in full is passed through):
    # recall is then counted at 10, and the table says so.
    asked: list[tuple[int, int | None]] = []
    real = matcher.rank_experts

    def spy(text: str, **kw: Any) -> list[Any]:
        asked.append((kw["k"], kw["rerank"]))
        return real(text, **kw)

    matcher.rank_experts = spy  # type: ignore[method-assign]
    served = {(r.mode, r.lang): r for r in evaluate(matcher, zh + en, ["hybrid"], k=10, window=80)}
    assert set(asked) == {(10, 80)} and len(asked) == len(zh) + len(en)
    for lang in ("zh", "en", "all"):
        assert served[("hybrid", lang)].recall_at == 10
        assert abs(served[("hybrid", lang)].ndcg10 - rows[("hybrid", lang)].ndcg10) < 0.03
    assert "recall@10" in format_markdown(list(served.values()))


def test_award_round_excludes_co_authors_and_colleagues_with_evidence(
    demo_graph: Path, driver: neo4j.Driver, embedder: SentenceTransformerEmbedder
) -> None:
    svc = ReviewService(driver, embedder)
    panel = svc.propose_panel("AWD-001")
    applicants = {a for a, _ in panel.applicants}
    assert panel.feasible and len(panel.members) == 5
    assert not applicants & set(panel.member_ids)
    assert {e.id for e in panel.excluded} >= applicants  # applicants rank high; never seated
    rnd = svc.assign_round("RND-2025", solver="fair")
    assert rnd.round_name == "2025年度重庆市科技进步奖推荐" and len(rnd.items) >= 8
    assert rnd.feasible and all(len(v) == rnd.k for v in rnd.assignment.values())
    reasons = [r for e in (*panel.excluded, *rnd.excluded) for r in e.reasons]
    coauthor = [r for r in reasons if r.startswith("co-contributor with applicant")]
    colleague = [r for r in reasons if r.startswith("worked at") and "within 3 years" in r]
    # Each names its evidence: the shared work and its year; the institution and periods.
    assert coauthor and all("《" in r and "within 5 years" in r for r in coauthor)
    assert colleague and all("together until" in r for r in colleague)
    excluded_pairs = {(e.item, e.id) for e in rnd.excluded}
    assigned = {(i, r.id) for i, revs in rnd.assignment.items() for r in revs}
    assert excluded_pairs and not excluded_pairs & assigned
