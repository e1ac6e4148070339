"""Pure helpers of formation: skills, communication cost, seniority, locality, feedback prior."""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph_schema.formation_queries import OrgTie, PairTie
from matcher.errors import MatchValidationError
from matcher.formation import (
    comm_cost_matrix,
    demand_skills,
    is_senior,
    is_young,
    locality_score,
    org_relevance,
    org_tie_strength,
    parse_quota_overrides,
    sector_of,
    team_precision,
)
from matcher.scoring import FEEDBACK_WEIGHT, feedback_shift, graph_prior


def test_given_skills_win_and_are_cleaned() -> None:
    assert demand_skills("t", "x", given=[" 电池热管理 ", "", "数据分析", "电池热管理"]) == [
        "电池热管理",
        "数据分析",
    ]


def test_skills_are_derived_from_chinese_text_and_disciplines() -> None:
    title, text = "芯片测试数据分析", "晶圆测试数据分析与良率预测，需要机器学习建模。"
    skills = demand_skills(title, text, ["计算机科学技术"])
    # Three title words first, then three of the text: six keywords fill the default six.
    assert len(skills) == 6 and len(set(skills)) == 6
    assert all(s in title for s in skills[:3]) and not any(s in title for s in skills[3:])
    assert "计算机科学技术" not in skills
    # With room, the discipline names follow the keywords.
    roomy = demand_skills(title, text, ["计算机科学技术"], max_skills=8)
    assert roomy == [*skills, "计算机科学技术"]


def test_derived_skills_leave_out_the_words_of_the_request_itself() -> None:
    # "需要…方面的专家团队" asks for a team of experts: "团队" is no skill anyone has.
    skills = demand_skills("动力电池热管理咨询", "需要电池热管理与液冷板仿真方面的专家团队")
    assert skills and not {"团队", "专家", "专家团队", "需要", "方面", "咨询"} & set(skills)
    assert any("电池" in s or "热管理" in s for s in skills)


def test_skills_are_derived_from_english_text() -> None:
    skills = demand_skills(
        "Battery thermal management", "We need liquid cooling simulation experts."
    )
    assert skills == ["battery thermal management", "liquid cooling simulation"]


def test_english_skills_are_phrases_without_the_words_of_the_request() -> None:
    text = (
        "Looking for an expert who can solve crash safety problems in passenger cars "
        "and knows high-strength steel"
    )
    assert demand_skills(text, text) == ["crash safety", "passenger cars", "high-strength steel"]
    skills = demand_skills("", "Who knows MIMO for 5G networks? We need advice.")
    assert skills == ["MIMO", "5G networks"]


def test_chinese_request_verbs_do_not_become_skills() -> None:
    # jieba glues "懂" to the next character: "懂多" is no skill.
    skills = demand_skills("需要懂多材料轻量化设计的工程机械专家", "寻找懂自动驾驶感知算法的团队")
    assert skills and not any(s.startswith(("懂", "寻找")) for s in skills)
    assert "轻量化" in skills
    # A dictionary word that begins like a request verb is a real skill.
    assert "求解" in demand_skills("优化求解咨询", "需要大规模整数规划求解和调度要素分析")


ties_strategy = st.lists(
    st.tuples(
        st.integers(0, 5),
        st.integers(0, 5),
        st.integers(0, 4),
        st.integers(0, 3),
        st.integers(0, 2),
        st.booleans(),
    ),
    max_size=15,
)


@given(ties_strategy)
def test_comm_cost_is_symmetric_in_unit_interval_with_zero_diagonal(
    raw: list[tuple[int, ...]],
) -> None:
    ids = [f"S{i}" for i in range(6)]
    ties = [
        PairTie(f"S{min(a, b)}", f"S{max(a, b)}", c, s, g, bool(i))
        for a, b, c, s, g, i in raw
        if a != b
    ]
    m = comm_cost_matrix(ids, ties)
    assert m.shape == (6, 6)
    assert np.allclose(m, m.T) and np.all(np.diag(m) == 0)
    assert np.all((m >= 0) & (m <= 1))


def test_more_ties_mean_lower_cost() -> None:
    ids = ["a", "b", "c"]
    m = comm_cost_matrix(
        ids, [PairTie("a", "b", coauthored=1), PairTie("a", "c", coauthored=3, shared_societies=1)]
    )
    assert m[0, 2] < m[0, 1] < m[1, 2] == 1.0


def test_seniority_locality_sector_age() -> None:
    assert is_senior("fellow", None) and is_senior(None, "教授") and is_senior("member", "研究员")
    assert not is_senior("member", "副教授") and not is_senior(None, None)
    assert is_senior(None, None, ["leading_talent"])
    # by title level, not by suffix: 助理研究员 (中级) and 高级工程师 (副高) are not senior
    assert not is_senior("student_member", "助理研究员")
    assert not is_senior("member", "高级工程师") and not is_senior(None, "senior engineer")
    assert is_senior(None, "正高级工程师") and is_senior(None, "中国工程院院士")
    assert locality_score(["500106"], "500106") == 1.0
    assert locality_score(["500112"], "500106") == 0.2
    assert locality_score([None], "500106") == 0.5
    assert (sector_of("enterprise"), sector_of("university"), sector_of("institute")) == (
        "enterprise",
        "academic",
        "research",
    )
    year = _dt.date.today().year
    assert (
        is_young(year - 40, age_max=45)
        and not is_young(year - 50, age_max=45)
        and not is_young(None)
    )


@given(st.lists(st.floats(0, 1), max_size=8))
def test_org_relevance_is_absolute_and_bounded(scores: list[float]) -> None:
    r = org_relevance(scores)
    assert 0.0 <= r <= 1.0
    if scores:
        assert r <= max(scores) + 1e-12


@given(st.integers(0, 20), st.booleans(), st.integers(0, 20))
def test_org_tie_strength_bounded(shared: int, counterpart: bool, joint: int) -> None:
    s = org_tie_strength(OrgTie("a", "b", shared, counterpart, joint))
    assert 0.0 <= s <= 1.0
    if counterpart:
        assert s >= 0.8


@given(
    st.integers(0, 50),
    st.one_of(st.none(), st.floats(1, 5)),
    st.integers(0, 50),
    st.integers(0, 50),
)
def test_feedback_shift_is_small_and_keeps_the_prior_in_unit_interval(
    n_rated: int, mean: float | None, acc: int, dec: int
) -> None:
    fb = {"n_rated": n_rated, "mean_rating": mean, "n_accepted": acc, "n_declined": dec}
    s = feedback_shift(fb)
    assert -FEEDBACK_WEIGHT <= s <= FEEDBACK_WEIGHT
    for grade in (None, "member", "fellow"):
        assert 0.0 <= graph_prior(grade, [2024, 2023], fb) <= 1.0


def test_feedback_direction_and_neutrality() -> None:
    assert feedback_shift(None) == 0.0 and feedback_shift({}) == 0.0
    good = feedback_shift({"n_rated": 2, "mean_rating": 5.0, "n_accepted": 2})
    bad = feedback_shift({"n_rated": 2, "mean_rating": 1.0, "n_declined": 2})
    assert good > 0 > bad
    assert graph_prior("member", [], None) == graph_prior("member", [], {"n_rated": 0})
    more = feedback_shift({"n_rated": 10, "mean_rating": 5.0})
    assert more > feedback_shift({"n_rated": 1, "mean_rating": 5.0})


def test_quota_overrides_and_precision() -> None:
    assert parse_quota_overrides(["senior=3", " young = 0"]) == {"senior": 3, "young": 0}
    with pytest.raises(MatchValidationError):
        parse_quota_overrides(["senior"])
    assert team_precision(["a", "b"], {"a": 2, "b": 0}) == 0.5
    assert team_precision([], {}) == 0.0
