"""Retrieval's pure parts: settings, validation, the fulltext query, discipline votes."""

from __future__ import annotations

import pytest

from graph_schema.search import EvidenceHit
from matcher.errors import MatchValidationError
from matcher.retrieval_config import RetrievalConfig
from matcher.retrieval_query import infer_disciplines, lucene, lucene_words, validate
from matcher.retrieval_reads import candidate_parts


def test_the_settings_are_frozen_and_derive_the_inference_hits() -> None:
    config = RetrievalConfig(max_text=10, infer_hits=7)
    with pytest.raises(AttributeError):
        config.max_text = 20  # type: ignore[misc]
    assert config.infer_vector_hits == 14


def test_validation_names_each_bad_argument_under_the_configured_limits() -> None:
    config = RetrievalConfig(max_text=10, max_candidates=2)
    with pytest.raises(MatchValidationError) as err:
        validate("电" * 11, ["S1", "S2", "S3"], {"min_grade": "emperor"}, 0, config)
    locs = {tuple(e["loc"]) for e in err.value.errors}
    assert {("text",), ("candidates",), ("k",), ("filters", "min_grade")} <= locs
    assert validate("电" * 10, ["S1", "S2"], None, 1, config).exclude_ids == []


def test_the_fulltext_query_quotes_terms_and_keeps_the_limit() -> None:
    assert lucene(["电池", 'a"b', "\\"]) == '"电池" OR "ab"'
    words = lucene_words("Battery thermal 电池", ["电池", "~热管", "batteri"], 2)
    assert words == ["电池", "热管"]


def test_disciplines_are_voted_by_rank_and_the_runner_up_needs_half() -> None:
    def hit(*codes: str) -> EvidenceHit:
        return EvidenceHit("s", "e", 1.0, codes)

    assert infer_disciplines([hit("580"), hit("520")]) == {"580", "520"}  # 1/5 vs 1/6
    assert infer_disciplines([hit("580")] * 3 + [hit("520")]) == {"580"}
    assert infer_disciplines([], []) == set()


def test_a_candidate_read_is_split_in_parts_of_the_configured_size() -> None:
    ids = [f"S{i}" for i in range(5)]
    assert candidate_parts(ids, RetrievalConfig(ids_per_part=2, read_parts=2)) == [
        ids[:3],
        ids[3:],
    ]
    assert candidate_parts(ids, RetrievalConfig(ids_per_part=20)) == [ids]
