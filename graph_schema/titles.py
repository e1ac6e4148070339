"""Professional title levels (职称级别): 正高 / 副高 / 中级 / 初级.

China's professional titles form four levels across every series (higher education, research,
engineering, health, economics, publishing, libraries…). Seniority in panels and teams is read
from the level, never from a suffix: 助理研究员 ends in 研究员 but is 中级, and 高级工程师 is 副高.

Example:
    >>> title_level("助理研究员"), title_level("研究员"), title_level("高级工程师")
    ('intermediate', 'full_senior', 'associate_senior')
    >>> title_level("Associate Professor"), title_level("厨师")
    ('associate_senior', None)
"""

from __future__ import annotations

import re
from typing import Final, Literal

TitleLevel = Literal["full_senior", "associate_senior", "intermediate", "junior"]

#: The levels from the highest, with their Chinese names (正高 / 副高 / 中级 / 初级).
TITLE_LEVELS: Final[tuple[TitleLevel, ...]] = (
    "full_senior",
    "associate_senior",
    "intermediate",
    "junior",
)
TITLE_LEVEL_ZH: Final[dict[TitleLevel, str]] = {
    "full_senior": "正高",
    "associate_senior": "副高",
    "intermediate": "中级",
    "junior": "初级",
}

# Every title we know, by level. Chinese titles of the main series, then common English forms.
# Lookup is exact after normalising spaces and case, so a prefix (助理, 副, assistant, associate)
# can never be read as the title it qualifies.
# fmt: off
_TITLES: Final[dict[TitleLevel, tuple[str, ...]]] = {
    "full_senior": (
        # higher education, research, engineering, health, economics, publishing, libraries,
        # archives, agriculture, accounting, laboratories, translation, journalism
        "教授", "研究员", "正高级工程师", "教授级高级工程师", "主任医师", "主任药师", "主任护师",
        "主任技师", "正高级经济师", "正高级会计师", "正高级统计师", "正高级审计师", "编审",
        "研究馆员", "正高级农艺师", "农业技术推广研究员", "正高级实验师", "译审", "高级记者",
        "高级编辑", "正高级教师", "院士", "首席科学家", "首席专家",
        "professor", "full professor", "research professor", "chief scientist", "academician",
        "professorate senior engineer", "chief physician",
    ),
    "associate_senior": (
        "副教授", "副研究员", "高级工程师", "副主任医师", "副主任药师", "副主任护师", "副主任技师",
        "高级经济师", "高级会计师", "高级统计师", "高级审计师", "副编审", "副研究馆员",
        "高级农艺师", "高级实验师", "副译审", "主任记者", "主任编辑", "高级教师",
        "associate professor", "associate research professor", "senior engineer",
        "associate chief physician", "senior lecturer",
    ),
    "intermediate": (
        "讲师", "助理研究员", "工程师", "主治医师", "主管药师", "主管护师", "主管技师", "经济师",
        "会计师", "统计师", "审计师", "编辑", "馆员", "农艺师", "实验师", "翻译", "记者",
        "一级教师", "lecturer", "assistant professor", "assistant research professor",
        "engineer", "attending physician", "research associate",
    ),
    "junior": (
        "助教", "研究实习员", "助理工程师", "技术员", "医师", "住院医师", "药师", "护师", "技师",
        "助理经济师", "助理会计师", "助理统计师", "助理审计师", "助理编辑", "助理馆员",
        "助理农艺师", "助理实验师", "实验员", "助理翻译", "助理记者", "二级教师", "三级教师",
        "teaching assistant", "assistant engineer", "technician", "research assistant",
        "resident physician",
    ),
}
# fmt: on

_LEVEL_OF: Final[dict[str, TitleLevel]] = {
    title.lower(): level for level, titles in _TITLES.items() for title in titles
}


_SEPARATORS: Final = re.compile(r"[、,，;；/／|]+")


def _normalise(title: str) -> str:
    return " ".join(title.replace("\u3000", " ").split()).lower()


def title_level(title: str | None) -> TitleLevel | None:
    """The level of a professional title, or None when it is unknown or empty.

    Several titles in one field ("教授、博士生导师", "研究员/高级工程师") give the highest level
    among those known.
    """
    if not title:
        return None
    levels = {_LEVEL_OF.get(_normalise(part)) for part in _SEPARATORS.split(title)} - {None}
    for level in TITLE_LEVELS:
        if level in levels:
            return level
    return None


def known_titles(level: TitleLevel) -> tuple[str, ...]:
    """The titles of one level, as listed (Chinese first)."""
    return _TITLES[level]
