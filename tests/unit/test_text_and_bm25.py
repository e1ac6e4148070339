"""The tokenizer, BM25 and the outside benchmark's metrics: pure functions, no services."""

from __future__ import annotations

import math

import pytest

from matcher.outside_eval import bootstrap_interval, pessimistic_order, query_metrics
from matcher.text import (
    TOKENIZER_VERSION,
    LexicalQuery,
    Tokenizer,
    bm25_item,
    display_term,
    is_word,
    matched_words,
    tokenize,
)


def test_terms_are_words_then_marked_bigrams_with_repeats() -> None:
    terms = tokenize("锂电池 锂电池 thermal batteries")
    assert terms.count("锂电池") == 2  # term frequency survives
    assert "~锂电" in terms and "~电池" in terms
    assert "battery" in terms and "thermal" in terms
    words = [t for t in terms if is_word(t)]
    assert all(not t.startswith("~") for t in words)
    assert display_term("~电池") == "电池"


def test_no_cross_boundary_pseudo_words_are_shown_and_stop_words_are_dropped() -> None:
    words = Tokenizer().words("新能源汽车动力电池热管理的研究")
    assert "研究" not in words  # a stop word
    # Words a reader recognises, never bigrams across word boundaries such as 车动 or 池热.
    assert not {"车动", "池热", "源汽", "力电"} & set(words)
    assert {"新能源", "汽车", "动力电池"} <= set(words)


def test_a_user_dictionary_keeps_a_word_whole_and_changes_the_version() -> None:
    plain, custom = Tokenizer(), Tokenizer(["液冷仿真"])
    assert "液冷仿真" not in plain.words("需要液冷仿真专家")
    assert "液冷仿真" in custom.words("需要液冷仿真专家")
    assert plain.version() == TOKENIZER_VERSION
    assert custom.version().startswith(TOKENIZER_VERSION + "+dict:")
    assert custom.version() == Tokenizer(["液冷仿真", "液冷仿真"]).version()
    assert custom.version() != Tokenizer(["液冷仿真", "电池包"]).version()


def test_a_text_without_terms_has_no_lexical_query() -> None:
    q = LexicalQuery.build(tokenize("！！！"), {}, 10, 20.0)
    assert not q.weights and q.norm == 0.0


def test_bm25_saturates_term_frequency_and_normalises_length() -> None:
    q = LexicalQuery.build(["电池", "液冷"], {"电池": 5, "液冷": 1}, n_docs=100, avgdl=20.0)
    one = bm25_item(q, {"液冷": 1}, 20)
    many = bm25_item(q, {"液冷": 10}, 20)
    assert one < many < 10 * one  # more is better, but saturating
    assert bm25_item(q, {"液冷": 1}, 200) < one  # the same match in a long item counts less
    # The rarer term weighs more.
    assert bm25_item(q, {"液冷": 1}, 20) > bm25_item(q, {"电池": 1}, 20)
    # Query term frequency weighs: a term asked for twice counts twice.
    q2 = LexicalQuery.build(["液冷", "液冷", "电池"], {"电池": 5, "液冷": 1}, 100, 20.0)
    assert bm25_item(q2, {"液冷": 1}, 20) == pytest.approx(2 * one)
    # Normalised by an item of mean length saying what the text says: that item scores 1,
    # a longer one saying it scores less, and a short text is not penalised for its length.
    assert bm25_item(q, {"电池": 1, "液冷": 1}, 20) / q.norm == pytest.approx(1.0)
    assert bm25_item(q, {"电池": 1, "液冷": 1}, 60) / q.norm < 1.0


def test_a_word_split_otherwise_in_the_evidence_still_counts_as_matched() -> None:
    hit, miss = matched_words(["热管理", "仿真", "battery"], {"~热管", "~管理", "battery"})
    assert hit == ["热管理", "battery"] and miss == ["仿真"]


def test_ties_are_ordered_with_the_relevant_last() -> None:
    scores = {"A": 0.5, "B": 0.5, "C": 0.1}
    assert pessimistic_order(scores, {"A": 2}) == ["B", "A", "C"]
    m = query_metrics(["B", "A", "C"], {"A": 2})
    assert m["mrr"] == 0.5
    assert m["ndcg@10"] == pytest.approx(1 / math.log2(3))
    assert m["recall@50"] == 1.0


def test_bootstrap_interval_brackets_the_mean() -> None:
    vals = [0.0, 1.0] * 50
    lo, hi = bootstrap_interval(vals)
    assert lo < 0.5 < hi and hi - lo < 0.3
    assert bootstrap_interval([0.7] * 10) == (pytest.approx(0.7), pytest.approx(0.7))
