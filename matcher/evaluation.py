"""Retrieval evaluation against graded relevance judgements: nDCG@10, MRR and recall@50.

Ground truth lines are ``{"id", "lang", "text", "relevant": {scientist_id: grade}}`` (grade 2 =
the right answer, 1 = related). nDCG uses gains ``2^grade - 1``; MRR and recall count grade-2
experts as relevant. The same path serves an outside gold standard: import its scientists and
publications with the normal importer, then rank each target text (optionally restricted to its
candidate list) through :meth:`matcher.retrieval.ExpertMatcher.rank_experts`.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.retrieval import ExpertMatcher
from matcher.types import Mode

__all__ = [
    "Judgement",
    "ndcg_at",
    "mrr",
    "recall_at",
    "load_judgements",
    "evaluate",
    "EvalRow",
    "format_markdown",
]


@dataclass(frozen=True)
class Judgement:
    id: str
    lang: str
    text: str
    relevant: Mapping[str, int]
    candidates: tuple[str, ...] | None = None


def ndcg_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain of the top ``k`` (gain ``2^grade - 1``)."""
    dcg = sum(
        (2 ** relevant.get(sid, 0) - 1) / math.log2(i + 2) for i, sid in enumerate(ranked[:k])
    )
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def mrr(ranked: Sequence[str], relevant: Mapping[str, int], *, min_grade: int = 2) -> float:
    """Reciprocal rank of the first expert of grade ≥ ``min_grade`` (0 when none is ranked)."""
    for i, sid in enumerate(ranked):
        if relevant.get(sid, 0) >= min_grade:
            return 1.0 / (i + 1)
    return 0.0


def recall_at(
    ranked: Sequence[str], relevant: Mapping[str, int], k: int = 50, *, min_grade: int = 2
) -> float:
    wanted = {s for s, g in relevant.items() if g >= min_grade}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def load_judgements(truth_dir: Path, data_dir: Path | None = None) -> list[Judgement]:
    """Queries from ``queries.jsonl``, plus demands and topics (texts from the import files)."""
    out: list[Judgement] = []
    queries = truth_dir / "queries.jsonl"
    if queries.is_file():
        for line in queries.read_text(encoding="utf-8").splitlines():
            q = json.loads(line)
            out.append(Judgement(q["id"], q["lang"], q["text"], q["relevant"]))
    texts: dict[str, str] = {}
    if data_dir is not None:
        for stem in ("demands", "topics"):
            path = data_dir / f"{stem}.jsonl"
            if path.is_file():
                for line in path.read_text(encoding="utf-8").splitlines():
                    r = json.loads(line)
                    texts[r["id"]] = f"{r['title']}。{r.get('text', '')}"
    gt = truth_dir / "ground_truth.jsonl"
    if gt.is_file():
        for line in gt.read_text(encoding="utf-8").splitlines():
            g = json.loads(line)
            if g["id"] in texts:
                out.append(Judgement(g["id"], g["lang"], texts[g["id"]], g["relevant"]))
    return out


@dataclass(frozen=True)
class EvalRow:
    mode: str
    lang: str
    queries: int
    ndcg10: float
    mrr: float
    #: Recall at ``recall_at`` results (50, or ``k`` when fewer are asked for).
    recall50: float
    p50_ms: float
    #: Results asked for per query, and candidates scored in full (None: the matcher's default).
    k: int = 50
    window: int | None = None

    @property
    def recall_at(self) -> int:
        return min(50, self.k)


def evaluate(
    matcher: ExpertMatcher,
    judgements: Iterable[Judgement],
    modes: Sequence[Mode] = ("dense", "lexical", "hybrid"),
    *,
    k: int = 50,
    window: int | None = None,
) -> list[EvalRow]:
    """Run every judgement through ``rank_experts`` in each mode; mean metrics per mode × language
    (``all`` included).

    Args:
        k: results asked for per query (the API's search asks for 10; recall is then at 10).
        window: candidates scored in full (``rank_experts``' ``rerank``); default: the
            matcher's, ``max(pool, 4k)``, so k=50 scores 200 and k=10 scores 40.
    """
    items = list(judgements)
    rows: list[EvalRow] = []
    for mode in modes:
        per_lang: dict[str, list[tuple[float, float, float, float]]] = defaultdict(list)
        for j in items:
            started = time.perf_counter()
            results = matcher.rank_experts(
                j.text, k=k, candidates=j.candidates, mode=mode, rerank=window
            )
            ms = (time.perf_counter() - started) * 1000
            ranked = [r.scientist_id for r in results]
            m = (
                ndcg_at(ranked, j.relevant, 10),
                mrr(ranked, j.relevant),
                recall_at(ranked, j.relevant, min(50, k)),
                ms,
            )
            per_lang[j.lang].append(m)
            per_lang["all"].append(m)
        for lang in sorted(per_lang, key=lambda x: (x == "all", x)):
            vals = per_lang[lang]
            rows.append(
                EvalRow(
                    mode,
                    lang,
                    len(vals),
                    statistics.fmean(v[0] for v in vals),
                    statistics.fmean(v[1] for v in vals),
                    statistics.fmean(v[2] for v in vals),
                    statistics.median(v[3] for v in vals),
                    k,
                    window,
                )
            )
    return rows


def format_markdown(rows: Sequence[EvalRow], title: str = "") -> str:
    lines = [f"### {title}", ""] if title else []
    at = rows[0].recall_at if rows else 50
    lines += [
        f"| mode | lang | queries | nDCG@10 | MRR | recall@{at} | p50 ms |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.mode} | {r.lang} | {r.queries} | {r.ndcg10:.3f} | {r.mrr:.3f} | {r.recall50:.3f} | {r.p50_ms:.0f} |"
        )
    return "\n".join(lines) + "\n"


def rows_to_json(rows: Sequence[EvalRow]) -> list[dict[str, Any]]:
    return [r.__dict__ for r in rows]
