"""The corpus term counts kept incrementally by the embedding job: every run's counts must equal
a count of every item's current text, whatever changed, died or was removed in between."""

from __future__ import annotations

from pathlib import Path

import neo4j
import pytest

from graph_schema import import_path
from graph_schema import vectors as V
from matcher import embed_graph, indexing
from matcher.embedding import SentenceTransformerEmbedder
from matcher.text import Tokenizer
from tests.utils.factories import tiny_dataset, write_jsonl

PROJECT = {
    "id": "P3",
    "title": "动力电池液冷板热管理系统优化设计",
    "abstract": "针对电动汽车电池包温度不均问题，设计液冷板流道并进行有限元仿真。",
    "year": 2023,
    "contributors": ["S3"],
    "disciplines": ["580"],
}


def _tokenizer(driver: neo4j.Driver) -> Tokenizer:
    """The tokenizer the graph stamps (its user dictionary: the graph's vocabulary)."""
    snap = V.read_corpus_snapshot(driver)
    tok = Tokenizer(snap.user_words)
    assert snap.tokenizer == tok.version()
    return tok


def _expected(driver: neo4j.Driver) -> V.CorpusCounts:
    """The counts of every item's current text, tokenized afresh with the graph's tokenizer."""
    tok = _tokenizer(driver)
    terms = [tok.tokenize(t) for _, t in V.evidence_texts(driver)]
    df: dict[str, int] = {}
    for ts in terms:
        for t in set(ts):
            df[t] = df.get(t, 0) + 1
    return V.CorpusCounts(len(terms), df, sum(len(ts) for ts in terms))


def _deltas(driver: neo4j.Driver) -> int:
    return driver.execute_query("MATCH (d:KexieCorpusDelta) RETURN count(d) AS n").records[0]["n"]


@pytest.fixture()
def embedded(
    graph: neo4j.Driver, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> tuple[neo4j.Driver, Path]:
    folder = tiny_dataset(tmp_path / "data")
    write_jsonl(folder / "projects.jsonl", [PROJECT])
    assert import_path(graph, folder).ok
    report = embed_graph(graph, embedder)
    assert report.statistics == "recounted (none were stored)"
    assert V.read_corpus_counts(graph) == _expected(graph)
    return graph, folder


def test_changed_and_new_texts_update_the_counts_without_a_recount(
    embedded: tuple[neo4j.Driver, Path], embedder: SentenceTransformerEmbedder
) -> None:
    driver, folder = embedded
    before = V.read_corpus_counts(driver)
    assert before is not None
    tokenize = _tokenizer(driver).tokenize
    old_only = set(tokenize(PROJECT["title"] + " " + PROJECT["abstract"])) - {
        t for eid, text in V.evidence_texts(driver) if eid != "P3" for t in tokenize(text)
    }
    assert old_only and all(before.df[t] == 1 for t in old_only)
    changed = {**PROJECT, "title": "Hydrogen fuel cell stack durability", "abstract": "zqxwvut"}
    new_item = {
        **PROJECT,
        "id": "P9",
        "title": "Solid-state electrolyte interfaces",
        "abstract": "Lithium dendrite growth at the anode.",
    }
    write_jsonl(folder / "projects.jsonl", [changed, new_item])
    assert import_path(driver, folder).ok

    report = embed_graph(driver, embedder)

    assert report.evidence_embedded == 2
    assert report.statistics == "updated for 2 changed items"
    counts = V.read_corpus_counts(driver)
    assert counts == _expected(driver)
    assert counts is not None and counts.n_docs == before.n_docs + 1
    assert counts.df["zqxwvut"] == 1  # a term seen once is counted (retrieval reads only c > 1)
    assert not old_only & set(counts.df)  # the old text's own terms are gone, not left at 0
    n, df = V.read_corpus_stats(driver)
    assert n == counts.n_docs and df == {t: c for t, c in counts.df.items() if c > 1}
    assert _deltas(driver) == 0
    # The counts kept equal a recount, which finds nothing else to change.
    assert V.recount_corpus_stats(driver, tokenize) == counts
    assert embed_graph(driver, embedder).statistics == "unchanged"


def test_a_job_that_dies_after_writing_vectors_leaves_deltas_the_next_run_folds(
    embedded: tuple[neo4j.Driver, Path],
    embedder: SentenceTransformerEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    driver, folder = embedded
    before = V.read_corpus_counts(driver)
    write_jsonl(folder / "projects.jsonl", [{**PROJECT, "abstract": "固态电解质界面 kvetch"}])
    assert import_path(driver, folder).ok

    def die(*args: object, **kwargs: object) -> int:
        raise RuntimeError("killed after the evidence stage")

    with monkeypatch.context() as m:
        m.setattr(indexing, "_build_profiles", die)
        with pytest.raises(RuntimeError):
            embed_graph(driver, embedder)
    # The vector, its authors' profile marks and its delta were written together; the counts
    # are not yet updated.
    assert _deltas(driver) == 1
    assert V.read_corpus_counts(driver) == before
    stale = driver.execute_query(
        "MATCH (s:Scientist {id: 'S3'}) RETURN s.profile_stale AS stale"
    ).records[0]["stale"]
    assert stale is True

    report = embed_graph(driver, embedder)

    assert report.evidence_embedded == 0 and report.profiles_built == 1
    assert report.statistics == "updated for 1 changed item"
    assert V.read_corpus_counts(driver) == _expected(driver)
    assert _deltas(driver) == 0


def test_counts_that_do_not_add_up_or_were_kept_incomplete_are_recounted(
    embedded: tuple[neo4j.Driver, Path], embedder: SentenceTransformerEmbedder
) -> None:
    driver, _ = embedded
    # An item removed outside the importer: its terms are still in the counts.
    driver.execute_query("MATCH (e:Evidence {id: 'P3'}) DETACH DELETE e")
    report = embed_graph(driver, embedder)
    n = V.count_evidence(driver)
    assert report.statistics == f"recounted (they counted {n + 1:,} of {n:,} items)"
    assert V.read_corpus_counts(driver) == _expected(driver)

    # Counts stored by an earlier version (no complete counts), and an item embedded before
    # terms were stored beside vectors: counted again, the item's terms stored.
    driver.execute_query("MATCH (c:KexieCorpusStats) REMOVE c.df_all_json")
    driver.execute_query("MATCH (e:Evidence) WITH e LIMIT 1 REMOVE e.terms")
    report = embed_graph(driver, embedder)
    assert report.statistics == "recounted (no complete counts were kept)"
    assert V.read_corpus_counts(driver) == _expected(driver)
    missing = driver.execute_query(
        "MATCH (e:Evidence) WHERE e.terms IS NULL RETURN count(e) AS n"
    ).records[0]["n"]
    assert missing == 0


def test_a_tokenizer_change_derives_every_items_terms_again_and_retrieval_waits_for_it(
    embedded: tuple[neo4j.Driver, Path], embedder: SentenceTransformerEmbedder
) -> None:
    from matcher import EmbeddingsStaleError, ExpertMatcher

    driver, _ = embedded
    counted = V.read_corpus_counts(driver)
    assert counted is not None and counted.n_tokens > counted.n_docs  # lengths are kept too
    # Terms as an older release stored them (a set, no repeats) under another stamp.
    driver.execute_query(
        "MATCH (e:Evidence) WHERE e.terms IS NOT NULL SET e.terms = ['old-term'] "
        "WITH count(e) AS n MATCH (c:KexieCorpusStats) SET c.tokenizer = 'jieba-bigrams-1'"
    )
    with pytest.raises(EmbeddingsStaleError, match="kexie embed"):
        ExpertMatcher(driver, embedder).rank_experts("动力电池热管理")

    report = embed_graph(driver, embedder)

    assert report.retokenized == counted.n_docs and report.evidence_embedded == 0
    assert report.statistics == "recounted (the tokenizer changed)"
    assert V.read_corpus_counts(driver) == _expected(driver) == counted
    results = ExpertMatcher(driver, embedder).rank_experts("动力电池液冷板热管理")
    assert results and {"动力电池", "液冷"} <= set(results[0].explanation.matched_terms)
    assert "板热" not in results[0].explanation.matched_terms  # no word across a boundary


def test_refreshing_the_dictionary_takes_in_new_vocabulary(
    embedded: tuple[neo4j.Driver, Path], embedder: SentenceTransformerEmbedder
) -> None:
    driver, folder = embedded
    before = V.read_corpus_snapshot(driver)
    assert "液冷板流道" not in before.user_words
    write_jsonl(folder / "disciplines.jsonl", [{"code": "58099", "name": "液冷板流道"}])
    assert import_path(driver, folder / "disciplines.jsonl").ok
    # An import alone keeps the stamped dictionary: stored terms and queries stay in step.
    assert embed_graph(driver, embedder).retokenized == 0

    report = embed_graph(driver, embedder, refresh_dictionary=True)

    after = V.read_corpus_snapshot(driver)
    assert "液冷板流道" in after.user_words and after.tokenizer != before.tokenizer
    assert report.retokenized == after.n_docs and report.tokenizer == after.tokenizer
    assert V.read_corpus_counts(driver) == _expected(driver)
    terms = driver.execute_query("MATCH (e:Evidence {id: 'P3'}) RETURN e.terms AS t").records[0][
        "t"
    ]
    assert "液冷板流道" in terms
