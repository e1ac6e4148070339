"""Professional title levels: every title of the ladders the service meets, and the traps."""

from __future__ import annotations

import pytest

from graph_schema.titles import TITLE_LEVELS, known_titles, title_level


@pytest.mark.parametrize(
    ("ladder", "levels"),
    [
        (
            ("助教", "讲师", "副教授", "教授"),
            ("junior", "intermediate", "associate_senior", "full_senior"),
        ),
        (
            ("研究实习员", "助理研究员", "副研究员", "研究员"),
            ("junior", "intermediate", "associate_senior", "full_senior"),
        ),
        (
            ("助理工程师", "工程师", "高级工程师", "正高级工程师"),
            ("junior", "intermediate", "associate_senior", "full_senior"),
        ),
        (
            ("住院医师", "主治医师", "副主任医师", "主任医师"),
            ("junior", "intermediate", "associate_senior", "full_senior"),
        ),
        (
            ("assistant engineer", "engineer", "senior engineer", "professorate senior engineer"),
            ("junior", "intermediate", "associate_senior", "full_senior"),
        ),
        (
            ("teaching assistant", "lecturer", "associate professor", "professor"),
            ("junior", "intermediate", "associate_senior", "full_senior"),
        ),
    ],
)
def test_each_ladder_climbs_one_level_per_step(
    ladder: tuple[str, ...], levels: tuple[str, ...]
) -> None:
    assert tuple(title_level(t) for t in ladder) == levels


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("助理研究员", "intermediate"),  # ends in 研究员: the bug that badged it 资深
        ("副研究员", "associate_senior"),
        ("高级工程师", "associate_senior"),  # 高级 is 副高, not senior
        ("教授级高级工程师", "full_senior"),
        ("Assistant Professor", "intermediate"),
        ("  Associate   Professor ", "associate_senior"),
        ("教授、博士生导师", "full_senior"),  # several titles: the highest known
        ("工程师/高级工程师", "associate_senior"),
        ("博士生导师", None),  # a role, not a title
        ("厨师", None),
        ("", None),
        (None, None),
    ],
)
def test_level_of_a_title(title: str | None, level: str | None) -> None:
    assert title_level(title) == level


def test_no_title_is_listed_at_two_levels() -> None:
    seen: dict[str, str] = {}
    for level in TITLE_LEVELS:
        for title in known_titles(level):
            key = title.lower()
            assert key not in seen, f"{title} is both {seen[key]} and {level}"
            seen[key] = level
            assert title_level(title) == level
