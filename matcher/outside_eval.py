"""Expert finding judged on outside data: a benchmark file, its BM25 baselines and the metrics.

A benchmark file (format: ``docs/outside-benchmark.md``) holds experts, each a list of papers
(title, abstract, optional year), and queries, each asked in one or more variants (a pasted
abstract, a title, keywords…) with graded relevance per expert (2 = the right answer, 1 =
related). :func:`import_records` turns the experts into the normal import records (one scientist
per expert, one publication per paper), so the service is judged through its own import, embed
and ranking path; :func:`rank_variants` ranks every expert for every query variant with
:meth:`matcher.retrieval.ExpertMatcher.rank_candidates` (every expert a candidate);
:func:`bm25_baselines` ranks them with plain BM25 (the ``bm25s`` library, one document per
expert: all its papers) over CJK character bigrams and over jieba words, in the same run.

Metrics follow the file's own rules: nDCG@10 with gain ``2^g − 1`` over all experts, MRR of the
first grade-2 expert, recall@50 of grade-2 experts; equal scores are ordered pessimistically
(relevant experts last), so a scorer cannot gain from ties. Each mean comes with a 95 %
bootstrap interval over queries, and each scorer's paired difference to BM25 over bigrams with
its own interval.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from matcher.errors import MatchValidationError
from matcher.retrieval import ExpertMatcher
from matcher.text import Tokenizer
from matcher.types import Mode

__all__ = [
    "Benchmark",
    "BenchmarkPaper",
    "BenchmarkExpert",
    "BenchmarkQuery",
    "load_benchmark",
    "import_records",
    "pessimistic_order",
    "query_metrics",
    "bootstrap_interval",
    "bm25_baselines",
    "rank_variants",
    "Ranked",
    "CONTROL_TEXTS",
    "ScorerResult",
    "summarise",
    "format_report",
]

logger = logging.getLogger(__name__)


class BenchmarkPaper(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1)
    abstract: str = ""
    year: int | None = Field(default=None, ge=1900, le=2100)


class BenchmarkExpert(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:\-]+$")
    name: str | None = None
    papers: list[BenchmarkPaper] = Field(min_length=1)


class BenchmarkQuery(BaseModel):
    """A query: its ``relevance`` and one text per variant (every other string field)."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    relevance: dict[str, int]

    @field_validator("relevance")
    @classmethod
    def _grades(cls, v: dict[str, int]) -> dict[str, int]:
        bad = {k: g for k, g in v.items() if g not in (0, 1, 2)}
        if bad:
            raise ValueError(f"grades must be 0, 1 or 2: {bad}")
        return v

    def texts(self) -> dict[str, str]:
        extra = self.model_extra or {}
        return {k: v for k, v in extra.items() if isinstance(v, str) and v.strip()}


class Benchmark(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = "benchmark"
    source: str | None = None
    construction: str | None = None
    experts: list[BenchmarkExpert] = Field(min_length=1)
    queries: list[BenchmarkQuery] = Field(min_length=1)

    def variants(self) -> list[str]:
        """The query variants, in the order the first query gives them."""
        seen: dict[str, None] = {}
        for q in self.queries:
            seen.update(dict.fromkeys(q.texts()))
        return list(seen)


def load_benchmark(path: Path, *, limit: int | None = None) -> Benchmark:
    """Read and check a benchmark file; ``limit`` keeps the first N queries (and every expert).

    Raises:
        MatchValidationError: not JSON, or not the format (each error located), or a query
            that grades an expert the file does not hold.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MatchValidationError([{"loc": [str(path)], "msg": str(exc)}]) from exc
    try:
        bench = Benchmark.model_validate(raw)
    except ValidationError as exc:
        raise MatchValidationError(
            [
                {"loc": [str(path), *e["loc"]], "msg": e["msg"]}
                for e in exc.errors(include_url=False)[:20]
            ]
        ) from exc
    ids = [e.id for e in bench.experts]
    errors: list[dict[str, Any]] = []
    if len(set(ids)) != len(ids):
        errors.append({"loc": [str(path), "experts"], "msg": "expert ids repeat"})
    known = set(ids)
    for i, q in enumerate(bench.queries):
        unknown = sorted(set(q.relevance) - known)
        if unknown:
            errors.append(
                {
                    "loc": [str(path), "queries", i, "relevance"],
                    "msg": f"unknown experts {', '.join(unknown[:5])}",
                }
            )
        if not q.texts():
            errors.append({"loc": [str(path), "queries", i], "msg": "no query text"})
    if errors:
        raise MatchValidationError(errors)
    if limit is not None:
        bench = bench.model_copy(update={"queries": bench.queries[:limit]})
    return bench


def paper_text(p: BenchmarkPaper) -> str:
    return f"{p.title}。{p.abstract}" if p.abstract else p.title


def import_records(bench: Benchmark, prefix: str = "bx") -> dict[str, list[dict[str, Any]]]:
    """The import records of a benchmark: a scientist per expert (its id), a publication per
    paper (``<expert>-p<n>``, the expert its only contributor)."""
    scientists = [{"id": e.id, "name": e.name or e.id} for e in bench.experts]
    publications = []
    for e in bench.experts:
        for n, p in enumerate(e.papers, start=1):
            rec: dict[str, Any] = {
                "id": f"{prefix}-{e.id}-p{n}",
                "title": p.title,
                "contributors": [e.id],
            }
            if p.abstract:
                rec["abstract"] = p.abstract
            if p.year is not None:
                rec["year"] = p.year
            publications.append(rec)
    return {"scientists": scientists, "publications": publications}


# -- metrics ------------------------------------------------------------------------------------
def pessimistic_order(scores: Mapping[str, float], relevance: Mapping[str, int]) -> list[str]:
    """Experts by descending score; among equal scores the relevant ones last."""
    return sorted(scores, key=lambda e: (-scores[e], relevance.get(e, 0), e))


def query_metrics(ranked: Sequence[str], relevance: Mapping[str, int]) -> dict[str, float]:
    """nDCG@10 (gain ``2^g − 1``), MRR of the first grade-2 expert, recall@50 of grade 2."""
    dcg = sum((2 ** relevance.get(e, 0) - 1) / math.log2(i + 2) for i, e in enumerate(ranked[:10]))
    ideal = sorted(relevance.values(), reverse=True)[:10]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    first = next((i for i, e in enumerate(ranked) if relevance.get(e, 0) >= 2), None)
    wanted = {e for e, g in relevance.items() if g >= 2}
    return {
        "ndcg@10": dcg / idcg if idcg > 0 else 0.0,
        "mrr": 1.0 / (first + 1) if first is not None else 0.0,
        "recall@50": len(wanted & set(ranked[:50])) / len(wanted) if wanted else 0.0,
    }


def bootstrap_interval(
    values: Sequence[float], *, rounds: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """95 % percentile bootstrap interval of the mean of ``values`` (resampling queries)."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return (0.0, 0.0)
    rng = np.random.default_rng(seed)
    means = arr[rng.integers(0, arr.size, size=(rounds, arr.size))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


# -- baselines ----------------------------------------------------------------------------------
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+")


def bigram_tokens(text: str) -> list[str]:
    """CJK character bigrams of each run (a lone character kept), lower-cased Latin words."""
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        if run.isascii():
            out.append(run.lower())
        elif len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


_WORDS = Tokenizer()


def word_tokens(text: str) -> list[str]:
    """jieba words (two characters or more, stop words out), lower-cased Latin words."""
    return _WORDS.words_with_repeats(text)


def bm25_baselines(bench: Benchmark) -> dict[str, Callable[[str], dict[str, float]]]:
    """Plain BM25 (``bm25s``, k1 = 1.5, b = 0.75, Lucene idf), one document per expert (all its
    papers), over character bigrams and over jieba words: text → score per expert."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    ids = [e.id for e in bench.experts]
    docs = [" ".join(paper_text(p) for p in e.papers) for e in bench.experts]
    out: dict[str, Callable[[str], dict[str, float]]] = {}
    for name, tok in (("bm25-bigram", bigram_tokens), ("bm25-word", word_tokens)):
        index = bm25s.BM25()
        index.index([tok(d) for d in docs], show_progress=False)

        def score(
            text: str, index: Any = index, tok: Callable[[str], list[str]] = tok
        ) -> dict[str, float]:
            vals = index.get_scores(tok(text))
            return {i: float(v) for i, v in zip(ids, vals, strict=True)}

        out[name] = score
    return out


# -- the service --------------------------------------------------------------------------------
#: Texts that match nothing a scientist knows: the service must flag its answers to them.
CONTROL_TEXTS: tuple[str, ...] = (
    "！！！",
    "今天天气怎么样，周末去哪里玩",
    "best pasta recipe for dinner",
    "我想买一双跑步鞋",
    "周末去看电影",
    "如何申请信用卡",
    "hello world",
)


@dataclass(frozen=True)
class Ranked:
    """What :func:`rank_variants` measured."""

    #: ``{mode: {variant: [one {expert: score} per query]}}``.
    scores: dict[str, dict[str, list[dict[str, float]]]]
    #: Hybrid mode: per variant, whether each query's best expert was flagged low-confidence.
    flagged: dict[str, list[bool]]
    #: Each control text (:data:`CONTROL_TEXTS`) with its best expert's text match and flag.
    controls: list[dict[str, Any]]


def rank_variants(
    matcher: ExpertMatcher,
    bench: Benchmark,
    modes: Sequence[Mode],
    *,
    batch: int = 16,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> Ranked:
    """Scores of every expert for every query variant, per mode, and the low-confidence flags
    of the best answers (to the queries and to :data:`CONTROL_TEXTS`). Texts go ``batch`` at
    a time through :meth:`ExpertMatcher.rank_candidates` (each result is what
    ``rank_experts(text, candidates=<all>)`` returns)."""
    ids = [e.id for e in bench.experts]
    out: dict[str, dict[str, list[dict[str, float]]]] = {}
    flagged: dict[str, list[bool]] = {}
    for mode in modes:
        per_variant: dict[str, list[dict[str, float]]] = {}
        for variant in bench.variants():
            texts = [q.texts().get(variant, "") for q in bench.queries]
            scores: list[dict[str, float]] = []
            for a in range(0, len(texts), batch):
                chunk = texts[a : a + batch]
                ranked = matcher.rank_candidates([t or " " for t in chunk], ids, mode=mode)
                scores.extend({r.scientist_id: r.score for r in rs} for rs in ranked)
                if mode == "hybrid":
                    flagged.setdefault(variant, []).extend(
                        bool(rs and rs[0].explanation.low_confidence) for rs in ranked
                    )
                if on_progress:
                    on_progress(f"{mode} {variant}", len(scores), len(texts))
            per_variant[variant] = scores
        out[mode] = per_variant
    controls = [
        {
            "text": text,
            "best_text_match": rs[0].explanation.text_match,
            "flagged": rs[0].explanation.low_confidence,
        }
        for text, rs in zip(
            CONTROL_TEXTS, matcher.rank_candidates(list(CONTROL_TEXTS), ids), strict=True
        )
    ]
    return Ranked(out, flagged, controls)


@dataclass(frozen=True)
class ScorerResult:
    """One scorer on one variant: per-query metrics and their means with intervals."""

    scorer: str
    variant: str
    per_query: dict[str, list[float]]
    means: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    #: Paired difference to the reference scorer (mean and interval), per metric.
    versus: dict[str, tuple[float, float, float]] = field(default_factory=dict)


def summarise(
    scores: Mapping[str, Mapping[str, Sequence[Mapping[str, float]]]],
    bench: Benchmark,
    *,
    reference: str = "bm25-bigram",
) -> list[ScorerResult]:
    """Metrics of each scorer on each variant, with bootstrap intervals and the paired
    difference to ``reference`` (queries without a text in a variant are skipped)."""
    rows: list[ScorerResult] = []
    ref: dict[str, dict[str, list[float]]] = {}
    ordered = sorted(scores, key=lambda s: (s != reference, s))
    for scorer in ordered:
        for variant, per_query in scores[scorer].items():
            metrics: dict[str, list[float]] = {"ndcg@10": [], "mrr": [], "recall@50": []}
            for q, s in zip(bench.queries, per_query, strict=True):
                if variant not in q.texts():
                    continue
                full = {e.id: 0.0 for e in bench.experts} | dict(s)
                m = query_metrics(pessimistic_order(full, q.relevance), q.relevance)
                for k, v in m.items():
                    metrics[k].append(v)
            if scorer == reference:
                ref[variant] = metrics
            versus = {}
            if scorer != reference and variant in ref:
                for k, vals in metrics.items():
                    diff = np.asarray(vals) - np.asarray(ref[variant][k])
                    lo, hi = bootstrap_interval(diff.tolist())
                    versus[k] = (float(diff.mean()), lo, hi)
            rows.append(
                ScorerResult(
                    scorer,
                    variant,
                    metrics,
                    {k: float(np.mean(v)) if v else 0.0 for k, v in metrics.items()},
                    {k: bootstrap_interval(v) for k, v in metrics.items()},
                    versus,
                )
            )
    return rows


def format_report(rows: Sequence[ScorerResult], title: str, notes: Sequence[str] = ()) -> str:
    """A markdown report: one table per metric (scorers × variants, mean and interval), then
    the paired differences to the reference."""
    variants = list(dict.fromkeys(r.variant for r in rows))
    scorers = list(dict.fromkeys(r.scorer for r in rows))
    by = {(r.scorer, r.variant): r for r in rows}
    lines = [f"# {title}", "", *notes, ""]
    for metric in ("ndcg@10", "mrr", "recall@50"):
        lines += [f"## {metric}", "", "| scorer | " + " | ".join(variants) + " |"]
        lines.append("|---|" + "---:|" * len(variants))
        for s in scorers:
            cells = []
            for v in variants:
                r = by.get((s, v))
                if r is None:
                    cells.append("")
                    continue
                lo, hi = r.intervals[metric]
                cells.append(f"{r.means[metric]:.3f} [{lo:.3f}, {hi:.3f}]")
            lines.append(f"| {s} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["## Paired difference to bm25-bigram (nDCG@10, mean [95 % interval])", ""]
    lines += ["| scorer | " + " | ".join(variants) + " |", "|---|" + "---:|" * len(variants)]
    for s in scorers:
        cells = []
        for v in variants:
            r = by.get((s, v))
            d = r.versus.get("ndcg@10") if r else None
            cells.append(f"{d[0]:+.3f} [{d[1]:+.3f}, {d[2]:+.3f}]" if d else "—")
        lines.append(f"| {s} | " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines)
