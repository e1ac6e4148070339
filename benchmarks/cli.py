"""``python -m benchmarks``: the benchmarks' command line.

* ``python -m benchmarks run --size S`` — the measured report (:mod:`benchmarks.run`): import,
  embedding, vector index vs exact, solvers, HTTP latency → ``results/bench-<S>.md`` / ``.json``;
* ``python -m benchmarks formation`` — every team solver on every demand, panels on every topic,
  batch global vs greedy, on the configured graph.

Benchmarks sit above the product: they import :mod:`kexie`, :mod:`api`, :mod:`matcher` and
:mod:`graph_schema`, and nothing in those imports them. The commands read the same settings
as ``kexie`` (environment / ``.env``, see ``api.config``).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from api.config import get_settings
from benchmarks.formation_bench import bench_formation
from kexie.cli.common import JsonOpt, connect, console, err, fail, make_embedder, print_json
from kexie.cli.team_formation import formation_service

__all__ = ["app", "formation", "main", "run"]

app = typer.Typer(
    help="Benchmarks on the graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command("run")
def run(
    size: Annotated[
        float,
        typer.Option("--size", min=0.1, help="Demo scale: 0.2, 1, 10, 100 (1 ≈ 5,000 scientists)."),
    ] = 1.0,
    out: Annotated[
        Path, typer.Option(help="Folder of the report (bench-<size>.md and .json).")
    ] = Path("benchmarks/results"),
    work_dir: Annotated[
        Path | None,
        typer.Option(
            help="Folder for the generated import files (default .kexie/bench-data/<size>)."
        ),
    ] = None,
    embed_sample: Annotated[
        int,
        typer.Option(
            min=1, help="Above size 1: texts embedded for real; the rest reuse real vectors."
        ),
    ] = 25_000,
    fill: Annotated[
        str,
        typer.Option(
            help="How the texts beyond --embed-sample get vectors: 'jitter' (copies of one real "
            "vector) or 'interpolate' (between two neighbouring real vectors)."
        ),
    ] = "jitter",
    baseline_texts: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Texts for the encode baseline (default: the same texts embed_graph embedded for real).",
        ),
    ] = None,
    queries: Annotated[int, typer.Option(min=1, help="Queries for recall and index latency.")] = 60,
    formation_limit: Annotated[
        int, typer.Option(min=1, help="Demands/topics in the solver comparison.")
    ] = 10,
    batch_demands: Annotated[
        int, typer.Option(min=1, help="Demands per batch-assignment request.")
    ] = 100,
    light: Annotated[
        bool, typer.Option(help="Few HTTP requests per endpoint, no re-import: a smoke run.")
    ] = False,
    reimport: Annotated[
        bool,
        typer.Option(help="Import a second time to measure the idempotent re-import."),
    ] = True,
    reuse: Annotated[
        bool,
        typer.Option(
            help="Measure again on the graph an earlier run of this size left: data, import and "
            "embedding come from its report; index, solvers and HTTP are measured anew."
        ),
    ] = False,
    remeasure_index: Annotated[
        bool,
        typer.Option(
            help="With --reuse: measure the vector index again instead of carrying it over."
        ),
    ] = False,
    adopt: Annotated[
        bool,
        typer.Option(
            help="Measure the graph in the database as it stands, built by an earlier run of "
            "this size that left no report: import and embedding are not measured."
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask before clearing the configured graph.")
    ] = False,
) -> None:
    """Measure import, embedding, vector index vs exact, solvers and HTTP latency; write the report.

    The benchmark CLEARS the configured graph first: point KEXIE_NEO4J_PORT/KEXIE_NEO4J_DIR (or
    NEO4J_URI) at a database of its own.
    """
    from benchmarks.report import write_report
    from benchmarks.run import BenchConfig, run_bench
    from benchmarks.server import api_env

    settings = get_settings()
    if reuse and adopt:
        raise fail("--reuse and --adopt exclude each other: --reuse needs the earlier report")
    if fill not in ("jitter", "interpolate"):
        raise fail(f"--fill {fill!r}: use 'jitter' or 'interpolate'")
    if (
        not yes
        and not reuse
        and not adopt
        and not typer.confirm(
            f"This clears every node of {settings.uri} ({settings.neo4j_database}). Go on?"
        )
    ):
        raise typer.Exit(1)
    cfg = BenchConfig(
        size=size,
        out_dir=out,
        work_dir=work_dir,
        embed_sample=embed_sample,
        fill=fill,
        baseline_texts=baseline_texts,
        recall_queries=queries,
        formation_limit=formation_limit,
        batch_demands=batch_demands,
        reuse=reuse,
        remeasure_index=remeasure_index,
        adopt=adopt,
        reimport=reimport,
        store_dir=settings.local_dir / "data" if settings.uses_local_server else None,
    )
    if light:
        cfg.http_counts = dict.fromkeys(cfg.http_counts, 3)
        cfg.http_warmup = dict.fromkeys(cfg.http_warmup, 1)
        cfg.reimport = False
    embedder = make_embedder(settings)
    with connect(settings) as driver:
        try:
            report = run_bench(
                driver,
                embedder,
                cfg,
                database=settings.neo4j_database,
                progress=lambda line: err.print(f"[dim]bench:[/] {line}", highlight=False),
                api=api_env(
                    settings.uri,
                    settings.neo4j_user,
                    settings.password(),
                    settings.neo4j_database,
                ),
            )
        except (
            Exception
        ) as exc:  # a benchmark that fails half-way says where, without a traceback wall
            raise fail(f"benchmark failed: {type(exc).__name__}: {exc}") from exc
    md, js = write_report(report, out)
    vi, emb, imp = report["vector_index"], report["embedding"], report["import"]
    built = "; ".join(
        [
            "import not measured (--adopt)"
            if "not_measured" in imp
            else f"import {imp['created_per_second']:,.0f} created/s",
            f"embed_graph{' (incremental)' if emb.get('mode') == 'incremental' else ''} "
            f"{emb['ours_model_texts_per_second']:,.0f} texts/s vs encode "
            f"{emb['baseline_encode']['texts_per_second']:,.0f} (×{emb['ratio_model_vs_encode']})",
        ]
    )
    console.print(
        f"size {size:g}: {built}; recall@10 {vi['recall_at_k']}; search p50 "
        f"{report['http']['search']['p50_ms']} ms\nwrote {md} and {js}"
    )


def _table(title: str, rows: list[dict[str, Any]]) -> Table:
    t = Table(title=title)
    cols = list(dict.fromkeys(k for r in rows for k in r))
    for c in cols:
        t.add_column(c)
    for r in rows:
        t.add_row(
            *(
                ""
                if r.get(c) is None
                else (f"{r[c]:.4g}" if isinstance(r[c], float) else str(r[c]))
                for c in cols
            )
        )
    return t


@app.command("formation")
def formation(
    truth: Annotated[
        Path | None,
        typer.Option(
            "--truth", help='JSON lines {"kind":"demand","id":..,"relevant":{sid: grade}}.'
        ),
    ] = None,
    k_min: Annotated[int, typer.Option(min=1)] = 2,
    k_max: Annotated[int, typer.Option(min=1)] = 4,
    panel_size: Annotated[int, typer.Option(min=1)] = 5,
    limit: Annotated[int, typer.Option(min=1, help="At most this many demands and topics.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Run greedy, exact, rarest_first and top_k on every demand, panels on every topic, and
    batch global vs greedy; print coverage, relevance, precision, comm cost, gap and time."""
    gold: dict[str, dict[str, int]] = {}
    if truth:
        for line in truth.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("kind", "demand") == "demand":
                    gold[str(row["id"])] = {str(k): int(v) for k, v in row["relevant"].items()}
    with formation_service() as svc:
        out = bench_formation(
            svc, truth=gold, k_min=k_min, k_max=k_max, panel_size=panel_size, limit=limit
        )
    if as_json:
        print_json(out)
        return
    console.print(_table("Teams: every solver on every demand", out["teams"]))
    by: dict[str, list[dict[str, Any]]] = {}
    for r in out["teams"]:
        if "objective" in r:
            by.setdefault(r["solver"], []).append(r)
    summary = []
    for s, rows in by.items():

        def mean(key: str, rs: list[dict[str, Any]] = rows) -> float | None:
            vals = [r[key] for r in rs if r.get(key) is not None]
            return sum(vals) / len(vals) if vals else None

        summary.append(
            {
                "solver": s,
                "n": len(rows),
                "feasible": sum(bool(r["feasible"]) for r in rows),
                "coverage": mean("coverage"),
                "relevance": mean("relevance"),
                "precision": mean("precision"),
                "comm_cost": mean("comm_cost"),
                "gap": mean("gap"),
                "seconds": mean("seconds"),
            }
        )
    console.print(_table("Teams: means per solver", summary))
    console.print(_table("Panels on every topic", out["panels"]))
    console.print(_table("Batch: global vs greedy", out["batch"]))


def main() -> None:
    """``python -m benchmarks``."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
