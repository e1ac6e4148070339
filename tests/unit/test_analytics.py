"""Pure policy analytics on hand-made rows: coverage, shortfalls, suggestions, counterparts."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.analytics import (
    CounterpartWeights,
    District,
    FieldCount,
    NationalProfile,
    Presence,
    PresenceThresholds,
    Reach,
    SocietyProfile,
    bigram_dice,
    compute_coverage,
    discipline_overlap,
    field_matrix,
    name_core,
    pairing_stats,
    rank_counterparts,
    suggest_presences,
)
from matcher.errors import MatchValidationError

D = [
    District("500101", "万州区", "Wanzhou"),
    District("500106", "沙坪坝区", "Shapingba"),
    District("500112", "渝北区", "Yubei"),
]


def _coverage(target: int = 3, presences: list[Presence] | None = None):  # type: ignore[no-untyped-def]
    presences = (
        presences
        if presences is not None
        else [
            Presence("A", "500106", "branch"),
            Presence("B", "500106", "liaison_office"),
            Presence("C", "500106", "district_society"),
            Presence("A", "500112", "liaison_office"),
            Presence("A", "500112", "branch"),  # the same society twice counts once
        ]
    )
    return compute_coverage(D, presences, target=target)


def test_coverage_counts_distinct_societies_and_shortfalls() -> None:
    r = _coverage()
    got = {
        d.code: (d.societies, d.branches, d.liaison_offices, d.district_societies, d.shortfall)
        for d in r.districts
    }
    assert got == {"500101": (0, 0, 0, 0, 3), "500106": (3, 1, 1, 1, 0), "500112": (1, 1, 1, 0, 2)}
    assert r.average == pytest.approx(4 / 3)
    assert [d.code for d in r.short_districts] == ["500101", "500112"]
    assert r.total_shortfall == 5
    assert r.presences_needed == 3 * 3 + 1 - 4


def test_average_must_exceed_the_target_strictly() -> None:
    exactly = [Presence(s, d.code, "branch") for d in D for s in ("A", "B")]
    r = compute_coverage(D, exactly, target=2)
    assert r.average == 2.0 and all(d.meets_target for d in r.districts)
    assert not r.average_exceeds_target  # 超过: more than the target
    assert r.presences_needed == 1
    r = compute_coverage(D, [*exactly, Presence("C", "500101", "liaison_office")], target=2)
    assert r.average_exceeds_target and r.presences_needed == 0


def test_coverage_edge_cases() -> None:
    with pytest.raises(MatchValidationError):
        compute_coverage(D, [], target=0)
    empty = compute_coverage([], [], target=20)
    assert (empty.average, empty.average_exceeds_target, empty.presences_needed) == (0.0, False, 0)
    r = compute_coverage(
        D,
        [Presence("A", "999999", "branch")],
        target=1,
        scientists={"500106": 7, None: 2, "888888": 1},
    )
    assert r.unknown_districts == ("888888", "999999")
    assert r.by_code()["500106"].scientists == 7 and r.unplaced_scientists == 2


def test_field_matrix_orders_rows_and_columns() -> None:
    fields = [
        FieldCount("500106", "520", 3),
        FieldCount("500112", "580", 2),
        FieldCount("500112", None, 9),
        FieldCount("500106", "580", 1),
    ]
    rows, cols, m = field_matrix(fields, ["500112", "500106"])
    assert cols == ["520", "580"]
    assert m.tolist() == [[0, 2], [3, 1]]
    _, cols, m = field_matrix(fields, ["500106"], ["580"])
    assert m.tolist() == [[1]]


def test_thresholds_are_validated() -> None:
    with pytest.raises(MatchValidationError):
        PresenceThresholds(branch=3, liaison=5)
    with pytest.raises(MatchValidationError):
        PresenceThresholds(branch=3, liaison=0)
    assert PresenceThresholds() == PresenceThresholds(30, 5)


def test_suggestions_follow_thresholds_and_existing_presence() -> None:
    cov = _coverage(target=3)
    reach = [
        Reach("A", "500106", 5, 40, 42),  # A has a branch there: nothing
        Reach("B", "500106", 10, 30, 35),  # liaison office + ≥ branch: upgrade
        Reach("A", "500112", 0, 50, 50),  # branch there already (and a liaison office)
        Reach("D", "500101", 1, 29, 29),  # below branch: liaison office
        Reach("E", "500101", 0, 4, 4),  # below liaison: nothing
        Reach("F", "500101", 30, 0, 30),  # members alone reach the branch threshold
        Reach("C", "500101", 0, 40, 40),  # C is a district society elsewhere: still suggested
    ]
    existing = [
        Presence("A", "500106", "branch"),
        Presence("B", "500106", "liaison_office"),
        Presence("A", "500112", "liaison_office"),
        Presence("A", "500112", "branch"),
    ]
    out = suggest_presences(
        reach,
        existing,
        cov,
        thresholds=PresenceThresholds(30, 5),
        society_names={"D": "重庆市D学会"},
    )
    got = [(s.society, s.district, s.action, s.closes_gap, s.rank) for s in out]
    # 500101 is short by 3: C (40), F (30), D (29) all close it; branches before liaison offices.
    assert got == [
        ("C", "500101", "open_branch", True, 1),
        ("F", "500101", "open_branch", True, 2),
        ("D", "500101", "open_liaison_office", True, 3),
        ("B", "500106", "upgrade_to_branch", False, 4),
    ]
    d = out[2]
    assert d.society_name == "重庆市D学会" and d.kind == "liaison_office" and d.existing is None
    assert d.reasons[0].startswith(
        "29 of its scientists are placed in 万州区 (1 members, 29 in its"
    )
    assert "below the branch threshold 30" in d.reasons
    assert out[3].existing == "liaison_office"
    assert "already meets the target" in out[3].reasons[2]


def test_only_the_largest_reach_closes_a_small_gap() -> None:
    cov = compute_coverage(D, [Presence("X", "500101", "branch")], target=2)  # 500101 short 1
    reach = [
        Reach("A", "500101", 0, 6, 6),
        Reach("B", "500101", 0, 9, 9),
        Reach("C", "500106", 0, 7, 7),
        Reach("D", "500112", 0, 31, 31),
    ]
    out = suggest_presences(reach, [], cov)
    got = [(s.society, s.closes_gap, s.district_shortfall) for s in out]
    # Short by 2 in 500106 / 500112 (C, D close theirs) and by 1 in 500101 (only B closes).
    assert got == [("D", True, 2), ("C", True, 2), ("B", True, 1), ("A", False, 1)]


def test_suggestions_in_districts_that_meet_the_target_come_last() -> None:
    cov = compute_coverage(D[:1], [Presence("X", "500101", "branch")], target=1)
    out = suggest_presences(
        [Reach("A", "500101", 0, 50, 50), Reach("A", "999999", 0, 50, 50)], [], cov
    )
    assert [(s.district, s.closes_gap, s.district_shortfall) for s in out] == [("500101", False, 0)]


def test_discipline_overlap_is_a_soft_jaccard() -> None:
    assert discipline_overlap({"520"}, {"520"}).score == 1.0
    assert discipline_overlap({"520"}, {"580"}).score == 0.0
    assert discipline_overlap(set(), set()).score == 0.0
    ov = discipline_overlap({"52020", "580"}, {"52010", "580"}, parent_weight=0.5)
    assert ov.exact == ("580",) and ov.parent_pairs == (("52020", "52010"),)
    assert ov.score == pytest.approx((1 + 0.5) / (3 - 0.5))
    assert discipline_overlap({"52020"}, {"52010"}, parent_weight=0).score == 0.0
    assert discipline_overlap({"52020"}, {"52010"}, parent_weight=1).score == 1.0
    # a level-1 code and its subfield are a parent match too; each code pairs once
    ov = discipline_overlap({"520", "52030"}, {"52010"}, parent_weight=0.5)
    assert ov.parent_pairs == (("520", "52010"),) and ov.score == pytest.approx(0.5 / 2.5)


def test_name_core_and_bigram_dice() -> None:
    assert name_core("重庆市机械工程学会") == "机械工程"
    assert name_core("中国交通运输协会") == "交通运输"
    assert name_core("中国光学学会") == "光学"
    assert name_core("学会") == "学会"
    assert bigram_dice("重庆市机械工程学会", "中国机械工程学会") == 1.0
    assert bigram_dice("重庆市计算机学会", "中国化学会") == 0.0
    # 机械 shared of {机械, 械工, 工程} and {机械, 械制, 制造}
    assert bigram_dice("重庆市机械工程学会", "中国机械制造学会") == pytest.approx(2 / 6)
    assert bigram_dice("", "中国化学会") == 0.0


def _profiles():  # type: ignore[no-untyped-def]
    locals_ = (
        SocietyProfile("L-ME", "重庆市机械工程学会", disciplines=("460",)),
        SocietyProfile("L-AI", "重庆市人工智能学会", disciplines=("52020",)),
    )
    nationals = (
        NationalProfile("N-CMES", "中国机械工程学会", disciplines=("460",)),
        NationalProfile("N-CAAI", "中国人工智能学会", disciplines=("52020",)),
        NationalProfile(
            "N-CCF", "中国计算机学会", disciplines=("520", "52010"), partners=("L-CS",)
        ),
    )
    return locals_, nationals


def test_counterparts_rank_by_disciplines_and_names() -> None:
    locals_, nationals = _profiles()
    out = rank_counterparts(
        locals_,
        nationals,
        top_k=3,
        min_score=0.01,
        discipline_names={"52020": "人工智能", "52010": "计算机软件"},
    )
    me, ai = out
    assert [c.national for c in me.candidates] == ["N-CMES"]
    assert me.candidates[0].score == pytest.approx(1.0)
    assert [c.national for c in ai.candidates] == ["N-CAAI", "N-CCF"]
    ccf = ai.candidates[1]
    # 52020 ~ 520 under level 1 "520"; union {52020, 520, 52010} minus half a pair
    assert ccf.parent_pairs == (("52020", "520"),)
    assert ccf.discipline_score == pytest.approx(0.5 / 2.5)
    assert ccf.score == pytest.approx(0.2 * 0.5 / 0.8)  # bigram 0; weights 0.5 / 0.3 renormalised
    assert ccf.embedding_cosine is None
    assert "same level-1 field: 人工智能 (52020) ~ 520" in ccf.reasons
    assert "already paired with L-CS" in ccf.reasons


def test_counterparts_use_vectors_and_weights() -> None:
    locals_, nationals = _profiles()
    s_vec = np.array([[1, 0], [0, 1]], dtype=np.float32)
    n_vec = np.array([[1, 0], [0, 1], [-1, 0]], dtype=np.float32)
    w = CounterpartWeights(discipline=0.0, embedding=1.0, bigram=0.0)
    out = rank_counterparts(
        locals_,
        nationals,
        society_vectors=s_vec,
        national_vectors=n_vec,
        weights=w,
        top_k=1,
        min_score=0.0,
    )
    assert [(s.society, s.candidates[0].national, s.candidates[0].score) for s in out] == [
        ("L-ME", "N-CMES", 1.0),
        ("L-AI", "N-CAAI", 1.0),
    ]
    with pytest.raises(MatchValidationError):
        rank_counterparts(locals_, nationals, society_vectors=s_vec[:1], national_vectors=n_vec)
    with pytest.raises(MatchValidationError):
        rank_counterparts(locals_, nationals, top_k=0)
    with pytest.raises(MatchValidationError):
        CounterpartWeights(parent_weight=2)
    with pytest.raises(MatchValidationError):
        CounterpartWeights(discipline=0, embedding=0, bigram=0)
    # Only the embedding weighs and there is no embedder: the rest shares equally.
    assert w.normalised(with_embedding=False) == (0.5, 0.0, 0.5)


def test_pairing_stats() -> None:
    locals_, nationals = _profiles()
    paired = (
        SocietyProfile("L-CS", "重庆市计算机学会", counterparts=("N-CCF", "N-GONE")),
        *locals_,
    )
    st = pairing_stats(paired, nationals)
    assert (st.societies, st.with_counterpart, st.without_counterpart) == (3, 1, 2)
    assert (st.national_societies, st.national_with_partner) == (3, 1)
    assert st.national_without_partner == ("N-CAAI", "N-CMES")
    assert st.share_with_counterpart == pytest.approx(1 / 3)
