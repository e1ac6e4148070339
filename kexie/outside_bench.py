"""``kexie eval --benchmark FILE``: judge the service on outside data, in a Neo4j of its own.

The benchmark's experts and papers go through the normal path — written as import files,
imported by :func:`graph_schema.import_path`, embedded by :func:`matcher.embed_graph` — into a
scratch local Neo4j (its own free port and a temporary folder, removed afterwards), so the
user's graph is never touched. Every query variant is ranked over all experts beside plain
BM25 baselines computed in the same run (:mod:`matcher.outside_eval`), and a JSON and markdown
report is written.
"""

from __future__ import annotations

import datetime as _dt
import json
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from api.config import Settings
from graph_schema import apply_migrations, import_path, open_driver
from kexie.localserver import LocalNeo4j
from matcher.embedding import Embedder
from matcher.indexing import embed_graph
from matcher.outside_eval import (
    Benchmark,
    ScorerResult,
    bm25_baselines,
    format_report,
    import_records,
    rank_variants,
    summarise,
)
from matcher.retrieval import ExpertMatcher
from matcher.types import Mode

__all__ = ["OutsideRun", "run_outside_benchmark", "free_port"]

Say = Callable[[str], None]


def free_port() -> int:
    """A TCP port nothing listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class OutsideRun:
    """What a run measured: the rows, the report text, and where the files went."""

    rows: list[ScorerResult]
    markdown: str
    payload: dict[str, Any]
    files: tuple[Path, ...]


def run_outside_benchmark(
    bench: Benchmark,
    embedder: Embedder,
    settings: Settings,
    *,
    modes: Sequence[Mode] = ("hybrid", "lexical", "dense"),
    out: Path | None = None,
    source: str = "",
    say: Say = lambda _: None,
) -> OutsideRun:
    """Load ``bench`` into a scratch Neo4j, rank it with the service and the BM25 baselines,
    and return (and with ``out``, write ``out.json`` and ``out.md``) the report.

    Raises:
        RuntimeError: the import rejected records (the report would judge a partial graph).
        kexie.localserver.LocalServerError: the scratch server did not start.
    """
    home = Path(tempfile.mkdtemp(prefix="kexie-outside-"))
    server = LocalNeo4j(
        home / "neo4j",
        port=free_port(),
        jar_cache=settings.jar_cache,
        version=settings.local_version,
        heap="1g",
        pagecache="256m",
        java_home=settings.java_home,
    )
    seconds: dict[str, float] = {}
    try:
        say(f"Starting a scratch Neo4j on port {server.port} in {home}…")
        t = time.perf_counter()
        password = server.start(timeout=240)
        seconds["neo4j start"] = time.perf_counter() - t
        driver = open_driver(server.uri, "neo4j", password)
        try:
            apply_migrations(driver, database="neo4j")
            data = home / "data"
            data.mkdir()
            for kind, records in import_records(bench).items():
                with (data / f"{kind}.jsonl").open("w", encoding="utf-8") as f:
                    for r in records:
                        f.write(json.dumps(r, ensure_ascii=False) + "\n")
            say(f"Importing {len(bench.experts)} experts and their papers…")
            t = time.perf_counter()
            report = import_path(driver, data, database="neo4j")
            seconds["import"] = time.perf_counter() - t
            if report.rejects:
                raise RuntimeError(
                    f"the import rejected {len(report.rejects)} records "
                    f"(first: {report.rejects[0]})"
                )
            say(f"Embedding with {embedder.model_id}…")
            t = time.perf_counter()
            embedded = embed_graph(driver, embedder, database="neo4j")
            seconds["embed"] = time.perf_counter() - t
            matcher = ExpertMatcher(driver, embedder, database="neo4j")
            t = time.perf_counter()
            ranked = rank_variants(
                matcher,
                bench,
                modes,
                on_progress=lambda what, n, total: say(f"  {what}: {n}/{total}"),
            )
            scores: dict[str, Any] = dict(ranked.scores)
            seconds["rank"] = time.perf_counter() - t
        finally:
            driver.close()
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
    t = time.perf_counter()
    baselines = bm25_baselines(bench)
    for name, fn in baselines.items():
        scores[name] = {
            v: [fn(q.texts().get(v, "")) if q.texts().get(v) else {} for q in bench.queries]
            for v in bench.variants()
        }
    seconds["baselines"] = time.perf_counter() - t
    rows = summarise(scores, bench)
    when = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    notes = [
        f"Benchmark `{source or bench.name}`: {len(bench.experts)} experts, "
        f"{sum(len(e.papers) for e in bench.experts)} papers, {len(bench.queries)} queries, "
        f"variants {', '.join(bench.variants())}.",
        f"Service: `{embedder.model_id}` (tokenizer {embedded.tokenizer}), modes "
        f"{', '.join(modes)}, every expert a candidate (`rank_candidates`); baselines: bm25s "
        "(k1 1.5, b 0.75), one document per expert. Ties ordered pessimistically; intervals: "
        "95 % bootstrap over queries.",
        f"Measured {when}; seconds: "
        + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items())
        + f"; embedding {embedded.evidence_embedded} texts at {embedded.texts_per_second:.1f}/s.",
    ]
    if ranked.flagged:
        notes.append(
            "Low confidence (hybrid): best expert flagged for "
            + ", ".join(f"{sum(f)} of {len(f)} {v} queries" for v, f in ranked.flagged.items())
            + "; control texts that match nothing: "
            + "; ".join(
                f"“{c['text']}” best text match {c['best_text_match']:.3f}"
                f" {'flagged' if c['flagged'] else 'NOT flagged'}"
                for c in ranked.controls
            )
            + "."
        )
    markdown = format_report(rows, f"Expert finding on outside data: {bench.name}", notes)
    payload = {
        "benchmark": source or bench.name,
        "model": embedder.model_id,
        "tokenizer": embedded.tokenizer,
        "measured": when,
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "texts_per_second": round(embedded.texts_per_second, 2),
        "low_confidence": {"queries": ranked.flagged, "controls": ranked.controls},
        "rows": [
            {k: v for k, v in asdict(r).items() if k != "per_query"}
            | {"per_query": {k: [round(x, 5) for x in v] for k, v in r.per_query.items()}}
            for r in rows
        ],
    }
    files: tuple[Path, ...] = ()
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        md, js = out.with_suffix(".md"), out.with_suffix(".json")
        md.write_text(markdown, encoding="utf-8")
        js.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        files = (md, js)
    return OutsideRun(rows, markdown, payload, files)
