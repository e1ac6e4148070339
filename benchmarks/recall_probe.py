"""Vector-index recall on the graph as it stands, optionally after rebuilding the evidence index
with other HNSW settings: what `python -m benchmarks run` measures in its "vector index" section, without
the rest of the run, so the index can be probed under the same queries.

    python -m benchmarks.recall_probe --size 10                      # as it stands
    python -m benchmarks.recall_probe --size 10 --rebuild            # the same index built anew
    python -m benchmarks.recall_probe --size 10 --rebuild --m 32 --ef-construction 200
    python -m benchmarks.recall_probe --size 10 --rebuild --quantization NONE

It also says which of the exact top-10 items the index (asked for 200) missed, and how many of
them are the items an ``--adopt`` run gave new texts (replayed from its seed), so a dip after
such a run can be told apart from one over the whole graph; and, of the missed items, how many
have no contributor (retrieval returns hits per contributor, so it drops them) and how many the
index does not return among the first 100 even when asked with the item's own vector. The settings of ``kexie neo4j``
(``KEXIE_NEO4J_PORT`` …) say which graph. ``--rebuild`` drops and builds the evidence index of
that graph: run it on a bench graph only, and `kexie embed` builds the default one again only if
the quantization differs (else drop it by hand first).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import neo4j
import numpy as np

from benchmarks.run import (
    bench_queries,
    changed_sample,
    evidence_ids,
    evidence_matrix,
    measure_vector_index,
)
from graph_schema import bench_queries as B


def _rebuild(driver: neo4j.Driver, dimension: int, m: int, ef: int, quantization: str) -> float:
    if quantization not in ("SCALAR", "BINARY", "NONE"):
        raise SystemExit(f"--quantization {quantization!r}: SCALAR, BINARY or NONE")
    try:
        return B.rebuild_evidence_vector_index(
            driver,
            dimension,
            m=m,
            ef_construction=ef,
            quantization=quantization,  # type: ignore[arg-type]
        )
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from exc


def _misses(
    driver: neo4j.Driver,
    embedder: Any,
    queries: list[str],
    changed: set[str],
    vectors: tuple[list[str], np.ndarray],
    database: str | None,
    k: int = 10,
) -> dict[str, int]:
    """Exact top-k slots, those held by changed items, and the index's misses among them."""
    from graph_schema.search import vector_evidence_hits

    ids, matrix = vectors
    out = {"slots": 0, "slots_changed": 0, "missed": 0, "missed_changed": 0}
    missed: set[int] = set()
    for q in queries:
        qv = np.asarray(embedder.embed_query(q), dtype=np.float32)
        top = np.argsort(-(matrix @ qv))[:k]
        hits = {
            h.evidence_id for h in vector_evidence_hits(driver, qv.tolist(), 200, database=database)
        }
        for i in top:
            was_changed = ids[i] in changed
            out["slots"] += 1
            out["slots_changed"] += was_changed
            if ids[i] not in hits:
                out["missed"] += 1
                out["missed_changed"] += was_changed
                missed.add(int(i))
    out.update(_why_missed(driver, ids, matrix, sorted(missed)))
    return out


def _why_missed(
    driver: neo4j.Driver, ids: list[str], matrix: np.ndarray, missed: list[int]
) -> dict[str, int]:
    """Tell the causes of misses apart: an item retrieval drops (no contributor, so no hit to
    return), one the index does not return even when asked with its own vector, and one it
    returns then (so the graph reaches it, just not from those queries). Asked for 100, not 10:
    above size 1 an item's own vector has ~50 jittered copies within cosine 0.995, which the
    index's int8 scores may rank above it."""
    out = {"missed_items": len(missed), "without_contributor": 0, "own_vector_not_found": 0}
    for i in missed:
        out["without_contributor"] += B.evidence_contributor_count(driver, ids[i]) == 0
        found = B.vector_index_node_ids(driver, matrix[i].tolist(), 100)
        out["own_vector_not_found"] += ids[i] not in found
    return out


def main(argv: list[str] | None = None) -> None:
    from api.config import get_settings
    from kexie.cli.common import connect, make_embedder

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=float, required=True, help="the bench size of the graph")
    ap.add_argument("--work-dir", type=Path, help="default .kexie/bench-data/<size>")
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--rebuild", action="store_true", help="drop and build the evidence index")
    ap.add_argument("--m", type=int, default=16, help="HNSW links per node (Neo4j's default 16)")
    ap.add_argument("--ef-construction", type=int, default=100, help="Neo4j's default 100")
    ap.add_argument("--quantization", default="SCALAR")
    ap.add_argument("--changed-sample", type=int, default=5000, help="the --adopt run's sample")
    ap.add_argument("--seed", type=int, default=42, help="the --adopt run's seed")
    ap.add_argument("--out", type=Path, help="append the result as a JSON line to this file")
    args = ap.parse_args(argv)

    settings = get_settings()
    embedder = make_embedder(settings, for_queries=False)
    label = f"{args.size:g}"
    work = args.work_dir or Path(".kexie/bench-data") / label
    queries = bench_queries(work / "data", work / "ground_truth", args.queries)
    with connect(settings) as driver:
        result: dict[str, Any] = {
            "size": label,
            "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "rebuilt": None,
        }
        if args.rebuild:
            seconds = _rebuild(
                driver, embedder.dimension, args.m, args.ef_construction, args.quantization
            )
            result["rebuilt"] = {
                "m": args.m,
                "ef_construction": args.ef_construction,
                "quantization": args.quantization,
                "seconds": round(seconds, 1),
            }
        vectors = evidence_matrix(driver, embedder, settings.neo4j_database)
        vi = measure_vector_index(
            driver, embedder, queries, settings.neo4j_database, vectors=vectors
        )
        result["recall"] = {
            key: vi[key]
            for key in (
                "recall_at_k",
                "recall_at_k_oversampled",
                "recall_within_0_01_oversampled",
                "kth_cosine_shortfall_mean",
                "kth_cosine_shortfall_max",
            )
        }
        result["index_k200_p50_ms"] = vi["index_oversampled_latency"].get("p50_ms")
        # The items an --adopt run gave new texts: its draw replayed (same ids, same seed).
        ids = evidence_ids(driver, settings.neo4j_database)
        changed = set(changed_sample(ids, args.changed_sample, np.random.default_rng(args.seed)))
        result["top10"] = _misses(
            driver, embedder, queries, changed, vectors, settings.neo4j_database
        )
    line = json.dumps(result, ensure_ascii=False)
    print(line)
    if args.out:
        with args.out.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")


if __name__ == "__main__":
    main()
