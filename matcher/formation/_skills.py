"""The skills a demand needs: given by staff, or derived from its text.

A demand's ``skills`` when it has any; else TF-IDF keywords of its text (``jieba.analyse``) plus
the names of its disciplines, 2–6 of them; for English text, its key phrases (the candidate
phrases of RAKE). Words of the request itself (专家, 团队, "looking for an expert…") are never
skills: they once made demands infeasible.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from graph_schema.language import detect_lang

__all__ = ["demand_skills"]


#: Words of the request itself, not of what it is about: "需要…方面的专家团队" once made
#: "团队" (team) a skill no expert covers, and the demand infeasible.
_REQUEST_WORDS_ZH: Final = frozenset(
    """专家 团队 专家团队 需要 需求 方面 咨询 提供 希望 寻求 帮助 支持 相关 我们 我司 企业
    公司 合作 服务 开展 进行 寻找 解决 问题 能够 可以 如何 哪些 推荐 了解 熟悉 擅长 人员
    研究人员 科研人员 邀请 协助 完成 参与 遇到 存在 目前 主要""".split()
)
#: Verbs that open a request ("懂…", "找…"): jieba's HMM glues them to the next character
#: ("懂多"), making a non-word; dictionary words such as 要素 or 求解 stay.
_REQUEST_VERBS_ZH: Final = ("懂", "找", "求", "请", "想", "要")
#: The same for English, beside scikit-learn's stop words ("Looking for an expert who can solve
#: … problems" once made "looking", "who" and "solve" skills, and a third of the benchmark's
#: English demands infeasible).
_REQUEST_WORDS_EN: Final = frozenset(
    """looking seeking seek need needs needed want wants help advice advise consult consulting
    consultancy consultant consultants expert experts expertise specialist specialists
    researcher researchers scientist scientists team teams someone person people solve
    solving solution solutions problem problems issue issues company companies enterprise
    enterprises sme smes firm project projects support knows know knowledge experience
    experienced work works working able like find recommend partner partners collaboration
    collaborate applications application technology technologies field fields area areas
    related using based improve improving""".split()
)


def _english_phrases(text: str) -> list[str]:
    """Key phrases of English text, in order: runs of up to three words between stop words,
    request words and punctuation (the candidate phrases of RAKE, Rose et al. 2010, whose
    scores favour the longer phrase: so do we, by keeping runs whole)."""
    import re

    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    out: list[str] = []
    for part in re.split(r"[.,;:!?()\[\]\"“”/\n]+", text):
        run: list[str] = []
        for w in [*re.findall(r"[A-Za-z0-9][A-Za-z0-9'\-]*", part), ""]:
            low = w.lower().removesuffix("'s")
            stop = not w or low in ENGLISH_STOP_WORDS or low in _REQUEST_WORDS_EN
            if not stop and (len(low) >= 3 or w.isupper()):
                run.append(low if not w.isupper() else w)
                continue
            if run:
                out.append(" ".join(run[:3]))
            run = []
    return list(dict.fromkeys(out))


def demand_skills(
    title: str,
    text: str,
    discipline_names: Sequence[str] = (),
    *,
    given: Sequence[str] = (),
    min_skills: int = 2,
    max_skills: int = 6,
) -> list[str]:
    """The skills a demand needs: ``given`` when there are any, else derived from its text.

    Derivation: TF-IDF keywords of title + text (``jieba.analyse.extract_tags``) less the words
    of the request itself (专家, 团队, 需要, 寻找…); for English text, its key phrases
    (:func:`_english_phrases`). Title keywords first, then discipline names, deduplicated, at
    most ``max_skills``; at least ``min_skills`` when the text allows.

    Example:
        >>> demand_skills("x", "y", given=["电池热管理", " 数据分析 ", "电池热管理"])
        ['电池热管理', '数据分析']
    """
    cleaned = [s.strip() for s in given if s and s.strip()]
    if cleaned:
        return list(dict.fromkeys(cleaned))[: max(max_skills, len(cleaned))]
    import re

    import jieba.analyse

    body = f"{title}。{text}"
    keywords: list[str] = [
        k
        for k in jieba.analyse.extract_tags(body, topK=12)
        if len(k) >= 2
        and not k.isdigit()
        and not re.fullmatch(r"[A-Za-z]{1,2}", k)
        and k not in _REQUEST_WORDS_ZH
        and not (k.startswith(_REQUEST_VERBS_ZH) and not jieba.dt.FREQ.get(k))
    ]
    if detect_lang(body) == "en":
        keywords = _english_phrases(body)
    # Keep title words first: they name the problem.
    title_low = title.lower()
    title_kw = [k for k in keywords if k.lower() in title_low]
    rest = [k for k in keywords if k.lower() not in title_low]
    out = list(dict.fromkeys(title_kw[:3] + rest[:3] + [d for d in discipline_names if d]))
    if len(out) < min_skills:
        out = list(dict.fromkeys(out + keywords + [title.strip()]))
    return [s for s in out if s][:max_skills]
