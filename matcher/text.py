"""The lexical tokenizer (versioned) and the BM25 pieces. Pure: no driver.

**Language.** :func:`detect_lang` is :func:`graph_schema.language.detect_lang` (one rule for
the importer and retrieval), re-exported here with :data:`Lang`.

**Terms.** A Chinese run is segmented into words with jieba (a private ``jieba.Tokenizer``, so
a user dictionary never leaks into other code; its dictionary only, no HMM guesses); each word of two or more characters that is not
a stop word is a term, and so is every character bigram of the run, marked ``~`` (``~电池``),
for recall where segmentation splits differently in a query and a paper. Latin words are
lower-cased, stop words dropped and a light suffix strip makes "batteries"/"battery" meet.
:func:`tokenize` returns the terms *in sequence, with repeats*: term frequencies and document
length come from it (BM25). On the outside development benchmark (real Chinese papers,
``benchmarks/README.md``, "Matching on real texts") words + bigrams measured as well as bigrams
alone and better than jieba words alone, and words make explanations readable.

**Version.** :data:`TOKENIZER_VERSION` names the rules; with a user dictionary the version
carries the dictionary's hash (:meth:`Tokenizer.version`). The graph stores the version its
terms and corpus counts were made with; the embedding job re-derives them when it changes.

**User dictionary.** Words of the graph's own vocabulary (discipline names, demand skills) that
jieba would split: :class:`Tokenizer` adds them to its dictionary, so "液冷仿真" stays one word.

**Scores.** :func:`bm25_item` is Okapi BM25 of one evidence item (term-frequency saturation
``k1``, length normalisation ``b`` against the corpus' mean item length), weighted by the query's
own term frequencies. Divided by :attr:`LexicalQuery.norm`, the BM25 of an item of mean length
that says what the text says, it is an affinity in [0, 1] (capped) that means the same for a
two-word skill and a pasted abstract. Divided by the text's BM25 against itself (its own
length) instead, short texts came out low against everything (a skill matched in full scored
about 0.3, below formation's coverage threshold); divided by :func:`bm25_ceiling` (every
term infinitely often), long ones did (benchmarks README, "Matching on real texts").
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from graph_schema.language import CJK_RANGES, Lang, detect_lang

__all__ = [
    "Lang",
    "TOKENIZER_VERSION",
    "BIGRAM_MARK",
    "Tokenizer",
    "detect_lang",
    "tokenize",
    "is_word",
    "display_term",
    "LexicalQuery",
    "bm25_item",
    "bm25_ceiling",
    "document_frequencies",
    "matched_words",
    "STOP_WORDS",
]

#: Bump when the rules below change: stored terms and corpus counts are then derived again.
TOKENIZER_VERSION: Final = "words+bigrams-3"
#: Marks a character bigram (recall) apart from a word (what a reader recognises).
BIGRAM_MARK: Final = "~"

_CJK: Final = CJK_RANGES
_RUN_RE: Final = re.compile(rf"[{_CJK}]+|[A-Za-z][A-Za-z0-9\-]*|\d+[A-Za-z]*")
_CJK_CHAR_RE: Final = re.compile(rf"[{_CJK}]")

EN_STOP: Final = frozenset(
    """a an and are as at be based by for from has have in into is it its of on or our over that
    the their this to towards under using via was we were which with study studies research
    method methods approach system systems analysis application applications new novel based
    design key technology technologies toward""".split()
)
#: Chinese words that say nothing about expertise in technical writing and requests.
STOP_WORDS: Final = frozenset(
    """研究 技术 基于 方法 系统 应用 分析 设计 面向 关键 提出 一种 及其 以及 进行 通过 实现 问题
    我们 本文 结果 表明 采用 相关 开展 建立 构建 发展 重要 能力 服务 需要 希望 企业 提升 方面
    一个 如何 项目 工作 有限 公司 重庆 中国 市场 目前 存在 解决 提供 专家 咨询 团队
    关键技术 核心技术 研究进展 技术研究 应用研究 解决方案 技术服务 合作 需求 我司 寻求 主要
    包括 具有 可以 能够 对于 针对 关于 其中 并且 或者 利用 得到 给出 根据 这种 不同 同时 以及
    然后 最后 其他 一些 为了 因此 所以 但是 如果 已经 之间 作为 这些 它们 研究了 讨论 本研究""".split()
)


def _stem(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("es", "e"), ("s", "")):
        if len(word) > 4 and word.endswith(suffix) and not word.endswith("ss"):
            return word[: -len(suffix)] + repl
    return word


def is_word(term: str) -> bool:
    """Whether a term is a word (shown to people), not a character bigram."""
    return not term.startswith(BIGRAM_MARK)


def display_term(term: str) -> str:
    """A term as a person reads it (the bigram mark dropped)."""
    return term[len(BIGRAM_MARK) :] if term.startswith(BIGRAM_MARK) else term


class Tokenizer:
    """Words and bigrams of a text, with an optional user dictionary.

    Args:
        user_words: words to keep whole (the graph's vocabulary); order does not matter.

    Example:
        >>> Tokenizer().tokenize("电池热管理 batteries")[:3]
        ['电池', '管理', '~电池']
    """

    def __init__(self, user_words: Iterable[str] = ()) -> None:
        words = sorted({w.strip() for w in user_words if w and w.strip()})
        self.user_words: tuple[str, ...] = tuple(
            w for w in words if len(w) >= 2 and _CJK_CHAR_RE.search(w) and " " not in w
        )
        self._jieba: Any = None
        self._lock = threading.Lock()

    def version(self) -> str:
        """The rules' version, and the dictionary's hash when there is one."""
        if not self.user_words:
            return TOKENIZER_VERSION
        digest = hashlib.sha256("\n".join(self.user_words).encode("utf-8")).hexdigest()[:12]
        return f"{TOKENIZER_VERSION}+dict:{digest}"

    def _segmenter(self) -> Any:
        with self._lock:
            if self._jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                seg = jieba.Tokenizer()
                seg.initialize()  # loads the main dictionary once, before any word is added
                for w in self.user_words:
                    seg.add_word(w, freq=max(seg.suggest_freq(w, tune=False), 10))
                self._jieba = seg
            return self._jieba

    def tokenize(self, text: str) -> list[str]:
        """The terms of ``text`` in sequence, with repeats: per Chinese run its words, then its
        bigrams (marked); Latin words stemmed, stop words out.

        Example:
            >>> Tokenizer().tokenize("锂电池 thermal batteries")
            ['锂电池', '~锂电', '~电池', 'thermal', 'battery']
        """
        out: list[str] = []
        seg = None
        for run in _RUN_RE.findall(text):
            if _CJK_CHAR_RE.match(run):
                seg = seg or self._segmenter()
                # Dictionary words only: jieba's HMM guesses new words across boundaries
                # (板热 in 液冷板热管理), which no reader recognises; the bigrams keep recall.
                out.extend(
                    w for w in seg.lcut(run, HMM=False) if len(w) > 1 and w not in STOP_WORDS
                )
                out.extend(BIGRAM_MARK + run[i : i + 2] for i in range(len(run) - 1))
            else:
                word = run.lower()
                if len(word) > 1 and word not in EN_STOP:
                    out.append(_stem(word))
        return out

    def words_with_repeats(self, text: str) -> list[str]:
        """The words of ``text`` in sequence, with repeats (no bigrams)."""
        return [t for t in self.tokenize(text) if is_word(t)]

    def words(self, text: str) -> list[str]:
        """The words of ``text`` a person recognises, in order, each once."""
        return list(dict.fromkeys(t for t in self.tokenize(text) if is_word(t)))


_default = Tokenizer()


def tokenize(text: str) -> list[str]:
    """:meth:`Tokenizer.tokenize` without a user dictionary."""
    return _default.tokenize(text)


@dataclass(frozen=True)
class LexicalQuery:
    """A text's terms as BM25 weighs them: ``weights[t] = qtf(t) · idf(t)``.

    ``idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))`` over the evidence items (an unseen term
    gets the idf of df = 0); ``avgdl`` is the corpus' mean item length in terms.
    """

    weights: Mapping[str, float]
    avgdl: float
    k1: float = 1.5
    b: float = 0.75
    #: Each weighed term's frequency in the text, and the text's length in terms.
    qtf: Mapping[str, int] | None = None
    length: int = 0

    @classmethod
    def build(
        cls,
        terms: Sequence[str],
        df: Mapping[str, int],
        n_docs: int,
        avgdl: float,
        *,
        max_terms: int = 256,
        k1: float = 1.5,
        b: float = 0.75,
    ) -> LexicalQuery:
        """The query of ``terms`` (with repeats): at most ``max_terms`` distinct terms, the
        heaviest by ``qtf · idf`` (a pasted paper has a few hundred)."""
        n = max(n_docs, 1)
        counts = Counter(terms)
        weights = {
            t: qtf * math.log(1.0 + (n - df.get(t, 0) + 0.5) / (df.get(t, 0) + 0.5))
            for t, qtf in counts.items()
        }
        kept = sorted(weights, key=lambda t: (-weights[t], t))[:max_terms]
        return cls(
            {t: weights[t] for t in kept},
            max(avgdl, 1.0),
            k1,
            b,
            {t: counts[t] for t in kept},
            len(terms),
        )

    @property
    def ceiling(self) -> float:
        return bm25_ceiling(self)

    @property
    def norm(self) -> float:
        """BM25 of an item of the corpus' mean length that holds each of the text's terms as
        often as the text does (0 for a text without terms): what "says what the text says"
        scores, whatever the text's own length, so a two-word skill and a pasted abstract are
        measured against the same kind of item."""
        return bm25_item(self, self.qtf or {}, max(1, round(self.avgdl)))


def bm25_item(q: LexicalQuery, term_counts: Mapping[str, int], length: int) -> float:
    """Okapi BM25 of one item: ``Σ w_t · f (k1 + 1) / (f + k1 (1 − b + b · dl / avgdl))``.

    Args:
        term_counts: frequency in the item of each query term it holds.
        length: the item's length in terms (all of them, not only the query's).
    """
    norm = q.k1 * (1.0 - q.b + q.b * max(length, 1) / q.avgdl)
    score = 0.0
    for t, f in term_counts.items():
        w = q.weights.get(t)
        if w and f > 0:
            score += w * f * (q.k1 + 1.0) / (f + norm)
    return score


def bm25_ceiling(q: LexicalQuery) -> float:
    """BM25 of an item holding every query term infinitely often: ``Σ w_t (k1 + 1)``."""
    return sum(q.weights.values()) * (q.k1 + 1.0)


def document_frequencies(docs: Iterable[str]) -> tuple[Counter[str], int]:
    """Document frequency of every term over ``docs``, and the number of docs."""
    df: Counter[str] = Counter()
    n = 0
    for doc in docs:
        df.update(set(tokenize(doc)))
        n += 1
    return df, n


def _bigrams_of(word: str) -> list[str]:
    return [BIGRAM_MARK + word[i : i + 2] for i in range(len(word) - 1)]


def matched_words(words: Sequence[str], matched: Iterable[str]) -> tuple[list[str], list[str]]:
    """Split a text's ``words`` into those an item (or an expert's evidence) matched and those
    it did not. A Chinese word matches when it was found as a word, or when every one of its
    character bigrams was (the item segmented it otherwise: 热管理 as 热 + 管理).

    Example:
        >>> matched_words(["热管理", "仿真"], {"~热管", "~管理"})
        (['热管理'], ['仿真'])
    """
    found = set(matched)
    hit: list[str] = []
    miss: list[str] = []
    for w in words:
        grams = _bigrams_of(w) if _CJK_CHAR_RE.match(w) else []
        if w in found or (grams and all(g in found for g in grams)):
            hit.append(w)
        else:
            miss.append(w)
    return hit, miss
