"""Where an expert search spends its time: the bench's search texts run through the matcher in
this process (no HTTP), each phase timed on every call.

    python -m benchmarks.search_phases --size 100 [--queries 100] [--out f.jsonl]

Phases: ``prepare`` (language, terms and their weights), ``embed`` (the query vector),
``vector`` and ``fulltext`` (the index reads, side by side), ``pool`` (the candidates chosen
from the index hits), ``candidates`` (the candidates' facts and evidence cosines; its parts run
side by side: the sum of their times, and ``candidates_wall`` the phase's wall time),
``score`` (scoring and explaining every candidate in Python) and ``public`` (the results
turned into the API's response model and JSON, as the endpoint does). ``total`` is
``rank_experts`` end to end plus ``public``; ``other`` is what the phases on the critical path
(``CRITICAL_PATH``) leave of it. Totals are also given by language and length of text, and the
JSON keeps every text's phases. Texts run once each after ``--warmup`` texts not timed. The
objects alive once the model is loaded are frozen out of the garbage collector's reach, as the
API does (``--no-freeze``: not); the full collections that fall in the timed texts are counted
with their pauses. A search reads the fulltext hits' best candidates beside the vector read
(``ExpertMatcher._read_candidates_early``): ``candidates_wall`` is then the wait for those rows
plus the read of whom the pool holds besides; the rows read before and after the pool are
counted per text. The settings of ``kexie neo4j`` (``KEXIE_NEO4J_PORT`` …) say which
graph.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.run import bench_queries
from benchmarks.stats import latency_summary
from matcher.text import detect_lang

#: Texts longer than this many characters count as long (a demand with its description; the
#: query vector's cost grows with the text, up to the model's token limit).
LONG_TEXT = 40

PHASES = (
    "prepare",
    "embed",
    "vector",
    "fulltext",
    "pool",
    "candidates",
    "candidates_wall",
    "score",
    "public",
)
#: Candidates read per text: before the pool is drawn (the fulltext hits' best, beside the
#: vector read) and after it (all of the pool, or those the early read did not cover).
ROWS = ("rows_early", "rows_after")
#: The phases one after another on a search's way (the fulltext read runs beside the embedding
#: and the vector read; the candidate parts beside each other, inside ``candidates_wall``).
CRITICAL_PATH = ("prepare", "embed", "vector", "pool", "candidates_wall", "score", "public")


class PhaseClock:
    """Seconds spent per phase since the last :meth:`take`, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spent: dict[str, float] = defaultdict(float)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - started
            with self._lock:
                self._spent[name] += spent

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.phase(name):
                return fn(*args, **kwargs)

        return timed

    def add(self, name: str, value: float) -> None:
        """Count something besides the seconds (rows read), under its own name."""
        with self._lock:
            self._spent[name] += value

    def take(self) -> dict[str, float]:
        with self._lock:
            out, self._spent = dict(self._spent), defaultdict(float)
        return out


@contextmanager
def instrumented(matcher: Any, clock: PhaseClock) -> Iterator[None]:
    """Time the matcher's phases while inside: its embedder, the graph reads it calls and its
    scoring.

    Wraps attributes of this matcher instance and of :mod:`graph_schema.search`, and puts
    them back on the way out (a measuring tool's run, never the service's).
    """
    from graph_schema import search as S

    def submit_timed(ids: list[str], *args: Any, **kwargs: Any) -> Callable[[], Any]:
        # A read started before the pool is drawn (:meth:`ExpertMatcher._submit_candidate_rows`):
        # the wall phase is the wait for its rows.
        clock.add("rows_early", len(ids))
        return clock.wrap("candidates_wall", submit(ids, *args, **kwargs))

    def rows_timed(ids: list[str], *args: Any, **kwargs: Any) -> Any:
        clock.add("rows_after", len(ids))
        with clock.phase("candidates_wall"):
            return read_rows(ids, *args, **kwargs)

    submit, read_rows = matcher._submit_candidate_rows, matcher._candidate_rows
    wrapped = [
        (matcher.embedder, "embed_queries", clock.wrap("embed", matcher.embedder.embed_queries)),
        (S, "vector_evidence_hits", clock.wrap("vector", S.vector_evidence_hits)),
        (S, "fulltext_evidence_hits", clock.wrap("fulltext", S.fulltext_evidence_hits)),
        (S, "candidate_rows", clock.wrap("candidates", S.candidate_rows)),
        (matcher, "_candidate_rows", rows_timed),
        (matcher, "_submit_candidate_rows", submit_timed),
        (matcher, "_result", clock.wrap("score", matcher._result)),
        (matcher, "_query", clock.wrap("prepare", matcher._query)),
        (matcher, "_pool", clock.wrap("pool", matcher._pool)),
    ]
    before = [(obj, name, obj.__dict__.get(name, _ABSENT)) for obj, name, _ in wrapped]
    for obj, name, fn in wrapped:
        setattr(obj, name, fn)
    try:
        yield
    finally:
        for obj, name, old in reversed(before):
            if old is _ABSENT:
                delattr(obj, name)  # the instance's own wrapper: the class's method shows again
            else:
                setattr(obj, name, old)


_ABSENT = object()


class FullCollections:
    """Wall time of the garbage collector's full (generation 2) collections while active."""

    def __init__(self) -> None:
        self.active = False
        self.pauses: list[float] = []
        self._started = 0.0

    def __enter__(self) -> FullCollections:
        gc.callbacks.append(self._on_gc)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        elif self.active:
            self.pauses.append(time.perf_counter() - self._started)


def measure(matcher: Any, texts: list[str], *, warmup: int = 10, k: int = 10) -> dict[str, Any]:
    """Phase times of ``rank_experts(text, k=k)`` plus the response, per text, summarised, and
    the full garbage collections that fell in the timed texts."""
    from api.routes.experts import to_public
    from api.schemas import ExpertsPublic
    from graph_schema.apikeys import ApiKey

    key = ApiKey("bench", "bench", ("read", "contact"), "", False, None)
    clock = PhaseClock()
    per: dict[str, list[float]] = defaultdict(list)
    by_group: dict[str, list[float]] = defaultdict(list)
    rows: list[dict[str, Any]] = []
    with instrumented(matcher, clock), FullCollections() as full:
        for i, text in enumerate(texts):
            full.active = i >= warmup
            clock.take()
            started = time.perf_counter()
            results = matcher.rank_experts(text, k=k)
            with clock.phase("public"):
                ExpertsPublic(
                    data=[to_public(r, key) for r in results], count=len(results)
                ).model_dump_json()
            total = time.perf_counter() - started
            spent = clock.take()
            if i < warmup:
                continue
            for name in PHASES:
                per[name].append(spent.get(name, 0.0))
            on_path = sum(spent.get(name, 0.0) for name in CRITICAL_PATH)
            per["total"].append(total)
            per["other"].append(max(0.0, total - on_path))
            group = f"{detect_lang(text)}, {'long' if len(text) > LONG_TEXT else 'short'}"
            by_group[group].append(total)
            rows.append(
                {"chars": len(text), "group": group}
                | {name: round(spent.get(name, 0.0) * 1000.0, 2) for name in PHASES}
                | {"total": round(total * 1000.0, 2)}
                | {name: int(spent.get(name, 0)) for name in ROWS}
            )
    return {
        "texts": len(texts) - warmup,
        "warmup": warmup,
        "k": k,
        "phases": {name: latency_summary(v) for name, v in per.items()},
        "total_by_group": {g: latency_summary(v) for g, v in sorted(by_group.items())},
        "candidates_read": {
            "texts_read_early": sum(1 for r in rows if r["rows_early"]),
            "rows_early": sum(r["rows_early"] for r in rows),
            "rows_after_an_early_read": sum(r["rows_after"] for r in rows if r["rows_early"]),
            "rows_after_alone": sum(r["rows_after"] for r in rows if not r["rows_early"]),
        },
        "full_collections": {
            "n": len(full.pauses),
            "total_ms": round(sum(full.pauses) * 1000.0, 1),
            "max_ms": round(max(full.pauses, default=0.0) * 1000.0, 1),
        },
        "per_text_ms": rows,
    }


def main(argv: list[str] | None = None) -> None:
    from api.config import get_settings
    from api.main import freeze_startup_objects
    from kexie.cli.common import connect, make_embedder
    from matcher.retrieval import ExpertMatcher

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=float, required=True, help="the bench size of the graph")
    ap.add_argument("--work-dir", type=Path, help="default .kexie/bench-data/<size>")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument(
        "--switch-interval",
        type=float,
        help="sys.setswitchinterval for this run, in seconds (Python's default 0.005)",
    )
    ap.add_argument(
        "--no-freeze",
        action="store_true",
        help="leave the start-up objects to the garbage collector (the API freezes them)",
    )
    ap.add_argument("--out", type=Path, help="append the result as a JSON line to this file")
    args = ap.parse_args(argv)
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)
    if args.queries < 1 or args.warmup < 0:
        raise SystemExit("--queries must be at least 1 and --warmup not negative")

    settings = get_settings()
    label = f"{args.size:g}"
    work = args.work_dir or Path(".kexie/bench-data") / label
    texts = bench_queries(work / "data", work / "ground_truth", args.queries + args.warmup)
    # The warm-ups take the last texts, so the timed ones are the bench's first.
    texts = texts[args.queries :] + texts[: args.queries]
    embedder = make_embedder(settings)
    with connect(settings) as driver:
        matcher = ExpertMatcher(driver, embedder, database=settings.neo4j_database)
        if not args.no_freeze:
            freeze_startup_objects()  # as the API does once its model is loaded
        try:
            result = measure(matcher, texts, warmup=min(args.warmup, len(texts) - 1))
        finally:
            gc.unfreeze()  # as the API's shutdown: exit collects them as usual
    result.update(
        size=args.size,
        frozen=not args.no_freeze,
        switch_interval=sys.getswitchinterval(),
        at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    )
    print(f"{'phase':<16}{'mean_ms':>9}{'p50_ms':>9}{'p95_ms':>9}")
    for name, s in result["phases"].items():
        print(f"{name:<16}{s['mean_ms']:>9}{s['p50_ms']:>9}{s['p95_ms']:>9}")
    print(f"{'total by text':<16}{'n':>5}{'p50_ms':>9}{'p95_ms':>9}")
    for g, s in result["total_by_group"].items():
        print(f"{g:<16}{s['n']:>5}{s['p50_ms']:>9}{s['p95_ms']:>9}")
    cr = result["candidates_read"]
    print(
        f"candidates read early for {cr['texts_read_early']} texts ({cr['rows_early']} rows), "
        f"{cr['rows_after_an_early_read']} rows read after their pools; "
        f"{cr['rows_after_alone']} rows for the other texts"
    )
    fc = result["full_collections"]
    print(
        f"full collections in the timed texts: {fc['n']} ({fc['total_ms']} ms, at most {fc['max_ms']} ms)"
    )
    if args.out:
        with args.out.open("a", encoding="utf-8") as f:
            f.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
