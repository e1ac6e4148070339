"""Expert retrieval against the real Neo4j with the real default model."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import neo4j
import numpy as np
import pytest

from graph_schema import clear_graph, import_path
from matcher import EmbeddingsStaleError, ExpertMatcher, MatchValidationError, embed_graph
from matcher.embedding import SentenceTransformerEmbedder
from matcher.retrieval import RetrievalConfig
from matcher.text import tokenize
from tests.utils.factories import minilm_with_projection, tiny_dataset, write_jsonl

MORE_EVIDENCE = [
    {
        "id": "P3",
        "title": "动力电池液冷板热管理系统优化设计",
        "abstract": "针对电动汽车电池包温度不均问题，设计液冷板流道并进行有限元仿真。",
        "year": 2023,
        "contributors": ["S3"],
        "disciplines": ["580"],
    },
    {
        "id": "P4",
        "title": "Graph neural networks for traffic flow forecasting",
        "abstract": "Spatio-temporal deep learning on road sensor networks.",
        "year": 2022,
        "contributors": ["S2"],
        "disciplines": ["52020"],
    },
    {
        "id": "P5",
        "title": "城市交通信号控制的强化学习方法",
        "abstract": "多路口协同信号配时优化。",
        "year": 2019,
        "contributors": ["S2", "S1"],
        "disciplines": ["52020"],
    },
]


@pytest.fixture(scope="module")
def loaded(
    driver: neo4j.Driver,
    embedder: SentenceTransformerEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[neo4j.Driver]:
    clear_graph(driver)
    folder = tiny_dataset(tmp_path_factory.mktemp("m") / "data")
    write_jsonl(folder / "projects.jsonl", MORE_EVIDENCE)
    report = import_path(driver, folder)
    assert report.ok, [str(r) for r in report.rejects]
    embed_graph(driver, embedder)
    yield driver


@pytest.fixture()
def matcher(loaded: neo4j.Driver, embedder: SentenceTransformerEmbedder) -> ExpertMatcher:
    return ExpertMatcher(loaded, embedder)


def configured(matcher: ExpertMatcher, **settings: Any) -> ExpertMatcher:
    """A matcher on the same graph and model with other retrieval settings."""
    return ExpertMatcher(matcher.driver, matcher.embedder, config=RetrievalConfig(**settings))


def test_default_model_loads_offline_and_normalises(embedder: SentenceTransformerEmbedder) -> None:
    assert embedder.model_id == "sentence-transformers/all-MiniLM-L6-v2"
    assert embedder.dimension == 384 and embedder.languages == frozenset({"en"})
    vecs = embedder.embed_documents(["battery thermal management", "动力电池热管理"])
    assert vecs.shape == (2, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)


def test_indexes_exist_with_the_model_dimension(loaded: neo4j.Driver) -> None:
    rows = loaded.execute_query("SHOW VECTOR INDEXES YIELD name, options, state").records
    dims = {r["name"]: r["options"]["indexConfig"]["vector.dimensions"] for r in rows}
    assert dims == {"evidence_embedding": 384, "scientist_embedding": 384}
    assert all(r["state"] == "ONLINE" for r in rows)
    n = loaded.execute_query(
        "MATCH (e:Evidence) WHERE e.embedding IS NOT NULL AND size(e.terms) > 0 RETURN count(e) AS n"
    ).records[0]["n"]
    assert n == 6


def test_embed_rebuilds_missing_corpus_stats_from_stored_terms(
    loaded: neo4j.Driver, embedder: SentenceTransformerEmbedder
) -> None:
    """A run stopped after writing the embedding state but before the corpus statistics
    (seen at 100x) is repaired by the next `kexie embed`; the statistics built from the terms
    stored beside the vectors equal those of tokenizing every text again."""
    from graph_schema import vectors as V
    from matcher.text import document_frequencies

    n_before, df_before = V.read_corpus_stats(loaded)
    texts = [t for _, t in V.evidence_texts(loaded)]
    df_tok, n_tok = document_frequencies(texts)
    assert n_before == n_tok > 0
    assert df_before == {t: c for t, c in df_tok.items() if c > 1}
    loaded.execute_query("MATCH (c:KexieCorpusStats) DELETE c")
    assert V.read_corpus_stats(loaded) == (0, {})
    report = embed_graph(loaded, embedder)
    assert report.evidence_embedded == 0
    assert V.read_corpus_stats(loaded) == (n_before, df_before)


def test_vector_indexes_use_scalar_quantization_and_others_are_rebuilt_without_reembedding(
    loaded: neo4j.Driver, embedder: SentenceTransformerEmbedder
) -> None:
    """The vector indexes are built with SCALAR quantization (Neo4j 2026.08's default, BINARY,
    found the exact neighbours less often); an index of another quantization — a graph
    embedded before this choice — is built again by `kexie embed` over the same vectors."""
    from graph_schema import vectors as V

    assert set(V.vector_index_quantization(loaded).values()) == {V.VECTOR_QUANTIZATION}
    if loaded.get_server_info().agent.startswith("Neo4j/5."):
        return  # Neo4j 5 has no BINARY to start from
    loaded.execute_query("DROP INDEX evidence_embedding")
    loaded.execute_query(
        "CREATE VECTOR INDEX evidence_embedding FOR (n:Evidence) ON n.embedding OPTIONS "
        "{indexConfig: {`vector.dimensions`: $dim, `vector.similarity_function`: 'cosine', "
        "`vector.quantization.type`: 'BINARY'}}",
        dim=embedder.dimension,
    )
    assert V.vector_index_quantization(loaded)["evidence_embedding"] == "BINARY"
    report = embed_graph(loaded, embedder)
    assert report.rebuilt_indexes and report.evidence_embedded == 0
    assert set(V.vector_index_quantization(loaded).values()) == {V.VECTOR_QUANTIZATION}
    assert embed_graph(loaded, embedder).rebuilt_indexes is False


def test_chinese_query_finds_the_battery_expert(matcher: ExpertMatcher) -> None:
    results = matcher.rank_experts("电动汽车动力电池热管理与液冷仿真", k=3)
    assert results[0].scientist_id == "S3"
    top = results[0].explanation
    assert top.query_language == "zh"
    assert {"电池", "液冷"} & set(top.matched_terms)
    assert top.evidence[0].id in {"P3", "PT1"}


def test_english_query_finds_the_traffic_experts(matcher: ExpertMatcher) -> None:
    results = matcher.rank_experts("deep learning for traffic flow forecasting", k=3)
    assert results[0].scientist_id == "S2"
    assert results[0].explanation.query_language == "en"
    assert results[0].explanation.components["dense"] > 0.5


def test_mixed_text_goes_through_the_same_path(matcher: ExpertMatcher) -> None:
    results = matcher.rank_experts("交通流预测 graph neural networks", k=2)
    assert results[0].scientist_id in {"S1", "S2"}
    assert results[0].explanation.query_language == "mixed"


def test_candidates_are_all_returned_and_scores_do_not_depend_on_the_rest(
    matcher: ExpertMatcher,
) -> None:
    text = "电池热管理"
    s = "S3"
    # Even a text none of them matches returns every candidate.
    assert len(matcher.rank_experts("海洋生物学", candidates=["S1", "S2", "S3"])) == 3
    all_three = {
        r.scientist_id: r.score for r in matcher.rank_experts(text, candidates=["S1", "S2", "S3"])
    }
    alone = matcher.rank_experts(text, candidates=[s])
    assert [r.scientist_id for r in alone] == [s]
    assert alone[0].score == pytest.approx(all_three[s], abs=1e-9)
    searched = {r.scientist_id: r.score for r in matcher.rank_experts(text, k=10)}
    assert searched[s] == pytest.approx(all_three[s], abs=1e-9)
    assert all(0.0 <= v <= 1.0 for v in all_three.values())


def test_rank_candidates_equals_one_call_per_text(
    matcher: ExpertMatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several texts scored in one read give exactly what one call per text gives: scores,
    evidence, exclusions and inferred disciplines (also when the vectors are split over
    several reads, the candidates read in parts side by side, and for a text with no vector in
    lexical mode)."""
    from graph_schema import search as S

    # One vector a read; 3 ids: parts of 2 and 1.
    split = configured(matcher, vecs_per_read=1, ids_per_part=1)
    # Each text alone, in one read.
    one_part = configured(matcher, vecs_per_read=1, ids_per_part=1, read_parts=1)
    # Two texts with a dense part (English, mixed); the English model reads no Chinese.
    texts = [
        "电池热管理",
        "交通流预测",
        "graph neural networks",
        "liquid cooling plate 液冷",
        "海洋生物学",
    ]
    ids = ["S1", "S2", "S3"]
    filters = [None, {"conflict_with": ["E-AUTO"]}, None, None, {"exclude_ids": ["S2"]}]
    disciplines: list[list[str] | None] = [None, None, ["580"], None, None]
    reads: list[list[str]] = []
    real_read = S.candidate_rows

    def spy(driver: neo4j.Driver, who: list[str], **kw: Any) -> list[S.CandidateFacts]:
        reads.append(list(who))
        return real_read(driver, who, **kw)

    monkeypatch.setattr(S, "candidate_rows", spy)
    together = split.rank_candidates(texts, ids, filters=filters, disciplines=disciplines)
    # Two vectors, one a read: two reads, each of two parts read side by side.
    assert sorted(reads) == sorted([["S1", "S2"], ["S3"]] * 2)
    assert len(together) == len(texts)
    for text, flt, disc, got in zip(texts, filters, disciplines, together, strict=True):
        alone = one_part.rank_experts(text, candidates=ids, filters=flt, disciplines=disc)
        assert [r.scientist_id for r in got] == [r.scientist_id for r in alone]
        for a, b in zip(got, alone, strict=True):
            assert a.score == pytest.approx(b.score, abs=1e-12)
            assert a.explanation == b.explanation
            assert a.eligible == b.eligible
    lexical = one_part.rank_candidates(texts[:2], ids, mode="lexical")
    alone_lex = one_part.rank_experts(texts[0], candidates=ids, mode="lexical")
    assert [(r.scientist_id, r.score) for r in lexical[0]] == [
        (r.scientist_id, r.score) for r in alone_lex
    ]
    with pytest.raises(MatchValidationError, match="NOPE"):
        one_part.rank_candidates(texts, ["S1", "NOPE"])
    with pytest.raises(MatchValidationError, match="one filter"):
        one_part.rank_candidates(texts, ids, filters=[None])


def test_a_search_reads_the_indexes_on_the_shared_read_threads(
    matcher: ExpertMatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index reads and the second part of the candidate read run on the process's read
    threads (kept between searches), not on threads started for the search."""
    import threading

    from graph_schema import search as S

    where: dict[str, list[str]] = {"vector": [], "fulltext": [], "candidates": []}

    def spy(name: str, real: Any) -> Any:
        def read(*args: Any, **kwargs: Any) -> Any:
            where[name].append(threading.current_thread().name)
            return real(*args, **kwargs)

        return read

    monkeypatch.setattr(S, "vector_evidence_hits", spy("vector", S.vector_evidence_hits))
    monkeypatch.setattr(S, "fulltext_evidence_hits", spy("fulltext", S.fulltext_evidence_hits))
    monkeypatch.setattr(S, "candidate_rows", spy("candidates", S.candidate_rows))
    # Three scientists: two parts; the candidates read once the pool is drawn.
    parts = configured(matcher, ids_per_part=1, read_early=False)
    text = "graph neural networks 交通流预测"
    assert parts.rank_experts(text, k=3)
    assert where["vector"] and where["fulltext"] and len(where["candidates"]) == 2
    assert all(n.startswith("kexie-read") for n in where["vector"] + where["fulltext"]), where
    # One part on the caller's thread, the other beside it on a read thread.
    assert sorted(n.startswith("kexie-read") for n in where["candidates"]) == [False, True]


def test_a_language_the_model_does_not_cover_is_not_embedded_searched_or_scored_densely(
    matcher: ExpertMatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the English model a Chinese text's dense part has no weight: no cosines are read
    for it, and the vector index is asked only for the hits discipline inference reads. An
    English text, or the same Chinese text with a model that covers Chinese, reads both."""
    from graph_schema import search as S

    vector_k: list[int] = []
    cosines: list[int] = []
    real_vec, real_rows = S.vector_evidence_hits, S.candidate_rows

    def spy_vec(driver: neo4j.Driver, vec: list[float], k: int, **kw: Any) -> Any:
        vector_k.append(k)
        return real_vec(driver, vec, k, **kw)

    def spy_rows(driver: neo4j.Driver, who: list[str], **kw: Any) -> Any:
        cosines.append(len(kw["vecs"]))
        return real_rows(driver, who, **kw)

    monkeypatch.setattr(S, "vector_evidence_hits", spy_vec)
    monkeypatch.setattr(S, "candidate_rows", spy_rows)
    zh = matcher.rank_experts("电动汽车动力电池热管理与液冷仿真", k=3)
    assert vector_k == [matcher.config.infer_vector_hits] and set(cosines) == {0}
    assert zh[0].scientist_id == "S3"
    assert all("dense" not in r.explanation.components for r in zh)
    assert all(e.dense is None for r in zh for e in r.explanation.evidence)

    vector_k.clear()
    cosines.clear()
    en = matcher.rank_experts("battery thermal management", k=3)
    assert vector_k == [matcher.config.min_hits] and set(cosines) == {1}
    assert "dense" in en[0].explanation.components

    vector_k.clear()
    cosines.clear()
    assert matcher.embedder is not None
    monkeypatch.setattr(matcher.embedder, "languages", frozenset({"en", "zh"}))
    covered = matcher.rank_experts("电动汽车动力电池热管理与液冷仿真", k=3)
    assert vector_k == [matcher.config.min_hits] and set(cosines) == {1}
    assert "dense" in covered[0].explanation.components


def test_candidates_are_read_beside_the_vector_read_with_the_same_results(
    matcher: ExpertMatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fulltext hits' best candidates are read while the vector read still runs; the pool,
    once drawn, keeps their rows and reads only the others. A Chinese text with the English
    model (no dense weight) needs no second read; an English one reads only whom the vector
    hits brought in. Either way the results are exactly those of reading after the pool, and
    when the vector hits come first nothing is read early.

    No read is slowed by a sleep: the vector read holds its answer until an early candidate
    read is done (it never returns if none comes, and the test fails at the deadline), and the
    fulltext read holds its answer until the vector read's is in. Events are ordered by a
    counter, not a clock."""
    import itertools
    import threading
    from collections.abc import Callable
    from concurrent.futures import Future
    from concurrent.futures import wait as wait_for

    import matcher.retrieval as retrieval
    from graph_schema import search as S

    deadline = 120.0  # seconds a held read waits for what it waits for before the test fails
    late = configured(matcher, read_early=False)
    tick = itertools.count()
    spans: dict[str, list[tuple[int, int, frozenset[str]]]] = {"vector": [], "candidates": []}
    threads: list[tuple[str, str]] = []
    hold: dict[str, Callable[[], bool]] = {}  # what a read waits for before it answers
    candidates_read = threading.Event()
    vector_submitted = threading.Event()
    vector_futures: list[Future[Any]] = []

    def timed(name: str, real: Any) -> Any:
        def read(*args: Any, **kwargs: Any) -> Any:
            started = next(tick)
            out = real(*args, **kwargs)
            held = hold.get(name)
            assert held is None or held(), f"the {name} read waited {deadline} s in vain"
            who = frozenset(args[1]) if name == "candidates" else frozenset()
            spans.setdefault(name, []).append((started, next(tick), who))
            threads.append((name, threading.current_thread().name))
            if name == "candidates":
                candidates_read.set()
            return out

        return read

    for name, fn in (
        ("vector", "vector_evidence_hits"),
        ("fulltext", "fulltext_evidence_hits"),
        ("candidates", "candidate_rows"),
    ):
        monkeypatch.setattr(S, fn, timed(name, getattr(S, fn)))
    real_submit_vector = retrieval.submit_vector

    def submit_vector(*args: Any, **kwargs: Any) -> Future[Any]:
        future = real_submit_vector(*args, **kwargs)
        vector_futures.append(future)
        vector_submitted.set()
        return future

    monkeypatch.setattr(retrieval, "submit_vector", submit_vector)

    def vector_answered() -> bool:
        # The vector read is submitted after the fulltext read: wait for it, then its answer.
        if not vector_submitted.wait(deadline):
            return False
        return bool(wait_for([vector_futures[-1]], timeout=deadline).done)

    def reset() -> None:
        spans.clear()
        threads.clear()
        candidates_read.clear()
        vector_submitted.clear()
        vector_futures.clear()

    def search(text: str, window: int = 3) -> list[tuple[Any, ...]]:
        reset()
        hold.clear()
        hold["vector"] = lambda: candidates_read.wait(deadline)
        found = matcher.rank_experts(text, k=2, rerank=window, include_ineligible=True)
        return [(r.scientist_id, r.score, r.explanation) for r in found]

    def after_the_pool(text: str, window: int = 3) -> list[tuple[Any, ...]]:
        reset()
        hold.clear()
        found = late.rank_experts(text, k=2, rerank=window, include_ineligible=True)
        return [(r.scientist_id, r.score, r.explanation) for r in found]

    zh = "电动汽车动力电池热管理与液冷仿真 城市交通信号控制"
    en = "battery thermal management and graph neural networks for traffic flow forecasting"
    for text in (zh, en):
        early = search(text)
        vec_end = spans["vector"][0][1]
        first = [who for _, end, who in spans["candidates"] if end < vec_end]
        later = [who for _, end, who in spans["candidates"] if end >= vec_end]
        assert first, spans
        # The early parts ran on the read threads, beside the vector read.
        assert sum(n == "candidates" and t.startswith("kexie-read") for n, t in threads) >= 1
        read_early = frozenset().union(*first)
        # Read after the pool: only whom the early read did not cover.
        assert all(not (who & read_early) for who in later), spans
        if text == zh:
            assert not later, spans  # no dense weight: the early read is the pool
        assert {r[0] for r in early} <= read_early.union(*later)
        assert early == after_the_pool(text)
        assert all(start > spans["vector"][0][1] for start, _, _ in spans["candidates"])
    # A wrong guess: the early read holds someone the pool does not and misses someone it
    # does. The pool reads the one missed, leaves the other out: the same results.
    real_pool = ExpertMatcher._pool
    guessed: list[list[str]] = []

    def wrong_guess(self: ExpertMatcher, hits: Any, ft_hits: Any, vec: Any, *rest: Any) -> Any:
        ids = real_pool(self, hits, ft_hits, vec, *rest)
        if hits or vec is not None:
            return ids
        everyone = real_pool(self, hits, ft_hits, vec, *rest[:-1], 1000)
        guessed.append(everyone[::-1][: len(ids)])
        return guessed[-1]

    scored: list[str] = []
    real_result = ExpertMatcher._result

    def result(self: ExpertMatcher, row: Any, *rest: Any) -> Any:
        scored.append(row.id)
        return real_result(self, row, *rest)

    with monkeypatch.context() as m:
        m.setattr(ExpertMatcher, "_pool", wrong_guess)
        m.setattr(ExpertMatcher, "_result", result)
        early = search(zh, window=2)  # a pool of 2 of the 3 the fulltext hits bring
    pool = {r[0] for r in early}
    assert sorted(scored) == sorted(pool)  # only the pool is scored, not the wrong guess
    assert guessed and set(guessed[0]) - pool and pool - set(guessed[0]), (guessed, pool)
    assert any(who == pool - set(guessed[0]) for _, _, who in spans["candidates"]), spans
    assert early == after_the_pool(zh, window=2)
    # The vector hits first: the pool is drawn as soon as the fulltext hits are in, and nothing
    # is read early: one candidate read, of the pool, its one part on the caller's thread.
    reset()
    hold.clear()
    hold["fulltext"] = vector_answered
    found = matcher.rank_experts("battery thermal management for traffic signal control", k=2)
    assert found
    assert len(spans["candidates"]) == 1, spans
    assert spans["candidates"][0][0] > spans["fulltext"][0][1] > spans["vector"][0][1], spans
    assert [t for n, t in threads if n == "candidates"] == [threading.current_thread().name]


def test_search_with_also_texts_equals_search_then_rank_candidates(
    matcher: ExpertMatcher,
) -> None:
    """A search that also scores more texts (a team's skills) on the experts it finds gives
    exactly the search alone, and for each text exactly rank_candidates on those experts —
    also when the vectors need more than one read, with disciplines given, inferred per
    text, or (the default) the searched text's."""
    text = "电池热管理 交通流预测 graph neural networks"
    also = ["电池热管理", "交通流预测", "graph neural networks"]
    flt = {"conflict_with": ["E-AUTO"]}
    for per_read, disc in ((16, [["580"], None, None]), (2, [None, ["580"], None]), (2, None)):
        matcher = configured(matcher, vecs_per_read=per_read)
        found = matcher.search_with(
            text, also, k=4, filters=flt, also_disciplines=disc, include_ineligible=True
        )
        alone = matcher.rank_experts(text, k=4, filters=flt, include_ineligible=True)
        assert [(r.scientist_id, r.score, r.explanation) for r in found.results] == [
            (r.scientist_id, r.score, r.explanation) for r in alone
        ]
        ids = [r.scientist_id for r in found.results]
        assert len(ids) >= 2 and len(found.also) == len(also)
        # Default: every also text on the searched text's (here inferred) disciplines.
        assert found.disciplines
        want_disc = disc if disc is not None else [sorted(found.disciplines)] * len(also)
        expected = matcher.rank_candidates(also, ids, filters=flt, disciplines=want_disc)
        for got, want in zip(found.also, expected, strict=True):
            assert [(r.scientist_id, r.score, r.eligible) for r in got] == [
                (r.scientist_id, r.score, r.eligible) for r in want
            ]
            for g, w in zip(got, want, strict=True):
                assert g.explanation.evidence == w.explanation.evidence
                assert g.explanation.matched_disciplines == w.explanation.matched_disciplines
                if disc is not None:
                    assert g.explanation == w.explanation
                else:  # the same codes, inferred from the searched text
                    assert g.explanation.query_disciplines_inferred
    matcher = configured(matcher, vecs_per_read=16)
    assert matcher.search_with(text, (), k=3).also == []
    with pytest.raises(MatchValidationError, match="empty"):
        matcher.search_with(text, ["  "])
    with pytest.raises(MatchValidationError, match="one discipline list"):
        matcher.search_with(text, also, also_disciplines=[None])


def test_unknown_candidates_and_bad_input_are_rejected(matcher: ExpertMatcher) -> None:
    with pytest.raises(MatchValidationError, match="NOPE"):
        matcher.rank_experts("电池", candidates=["S1", "NOPE"])
    with pytest.raises(MatchValidationError, match="empty"):
        matcher.rank_experts("   ")
    with pytest.raises(MatchValidationError):
        matcher.rank_experts("电池", filters={"min_grade": "emperor"})


def test_a_text_nothing_matches_finds_nobody(matcher: ExpertMatcher) -> None:
    """No index hit leaves no candidate to read: an empty answer, not an error."""
    assert matcher.rank_experts("qqxzv wwkpj", mode="lexical") == []
    assert matcher.search_with("qqxzv wwkpj", ["zzqv"], mode="lexical").also == [[]]


def test_filters_and_conflicts(matcher: ExpertMatcher) -> None:
    text = "电池热管理 交通流预测"
    res = matcher.rank_experts(
        text, candidates=["S1", "S2", "S3"], filters={"conflict_with": ["E-AUTO"]}
    )
    by_id = {r.scientist_id: r for r in res}
    assert not by_id["S3"].eligible and "E-AUTO" in by_id["S3"].explanation.exclusions[0]
    assert not by_id["S1"].eligible  # declared a conflict with E-AUTO
    assert by_id["S2"].eligible
    # The text finds S1, S2 and S3 (each has evidence on one of its halves); a filter keeps
    # exactly those who pass it, so an empty answer fails as surely as a wrong one.
    everyone = matcher.rank_experts(text, k=10)
    assert {r.scientist_id for r in everyone} == {"S1", "S2", "S3"}
    searched = matcher.rank_experts(text, filters={"conflict_with": ["E-AUTO"]}, k=10)
    assert [r.scientist_id for r in searched] == ["S2"]

    fellows = matcher.rank_experts(text, filters={"min_grade": "senior_member"}, k=10)
    assert {r.scientist_id for r in fellows} == {"S1", "S3"}
    # S2 (born 1990) is the youngest, S3 five years older: an age limit of S2's age this year.
    young = matcher.rank_experts(text, filters={"age_max": date.today().year - 1990}, k=10)
    assert [r.scientist_id for r in young] == ["S2"]
    yubei = matcher.rank_experts(text, filters={"districts": ["500112"]}, k=10)
    assert {r.scientist_id for r in yubei} == {"S2", "S3"}


def test_explanations_add_up_to_the_score(matcher: ExpertMatcher) -> None:
    for r in matcher.rank_experts("新能源汽车电池液冷 battery cooling", k=5):
        ex = r.explanation
        assert r.score == pytest.approx(
            sum(ex.weights[k] * ex.components[k] for k in ex.weights), abs=1e-3
        )
        assert ex.facts["institution"]["name"]
        assert ex.evidence and all(e.title for e in ex.evidence)
        query_terms = set(tokenize("新能源汽车电池液冷 battery cooling"))
        assert set(ex.matched_terms) <= query_terms


def test_embedding_is_incremental(
    loaded: neo4j.Driver, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    assert embed_graph(loaded, embedder).evidence_embedded == 0
    changed = dict(MORE_EVIDENCE[0], title="动力电池浸没式冷却热管理")
    write_jsonl(tmp_path / "projects.jsonl", [changed])
    assert import_path(loaded, tmp_path).ok
    report = embed_graph(loaded, embedder)
    assert report.evidence_embedded == 1 and report.profiles_built == 1
    assert embed_graph(loaded, embedder).evidence_embedded == 0


def test_switching_models_re_embeds_and_rebuilds_indexes(
    driver: neo4j.Driver, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    """A second real model (MiniLM + a seeded 64-d projection, saved locally) replaces the first."""
    clear_graph(driver)
    assert import_path(driver, tiny_dataset(tmp_path / "d")).ok
    embed_graph(driver, embedder)
    small = SentenceTransformerEmbedder(str(minilm_with_projection(tmp_path / "minilm-64")))
    assert small.dimension == 64 and small.fingerprint() != embedder.fingerprint()

    with pytest.raises(EmbeddingsStaleError, match="kexie embed"):
        ExpertMatcher(driver, small).rank_experts("电池")
    report = embed_graph(driver, small)
    assert report.rebuilt_indexes and report.evidence_embedded == 3
    rows = driver.execute_query("SHOW VECTOR INDEXES YIELD name, options").records
    assert {r["options"]["indexConfig"]["vector.dimensions"] for r in rows} == {64}
    models_left = driver.execute_query(
        "MATCH (n) WHERE n.embedding IS NOT NULL RETURN DISTINCT n.embedding_model AS m"
    ).records
    assert [r["m"] for r in models_left] == [small.fingerprint()]
    assert ExpertMatcher(driver, small).rank_experts("电池热管理", k=1)
    # And back: the default model again re-embeds everything.
    assert embed_graph(driver, embedder).evidence_embedded == 3
