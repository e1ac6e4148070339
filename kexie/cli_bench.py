"""``kexie bench run --size S``: the measured report (registered on the ``bench`` group).

The ``bench`` group itself is created in :mod:`kexie.cli_formation` (``kexie bench formation``);
:func:`register` adds ``run`` to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.config import get_settings
from kexie.cli import connect, console, err, fail, make_embedder

__all__ = ["register", "bench_run"]


def bench_run(
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
    from benchmarks.run import BenchConfig, run_bench, write_report
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


def register(app: typer.Typer) -> None:
    """Add ``run`` to the ``bench`` group (created by :mod:`kexie.cli_formation`)."""
    del app  # the group is already on the app
    from kexie.cli_formation import bench_app

    bench_app.command("run")(bench_run)
