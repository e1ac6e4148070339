"""``kexie import``, ``kexie embed``, ``kexie stats`` and ``kexie ties``: what is in the graph."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.config import get_settings, model_languages
from graph_schema import GraphError, graph_stats, import_path
from graph_schema.ties import RefreshRunningError, TieRefresh, refresh_org_ties, tie_state
from kexie.cli.common import JsonOpt, connect, console, err, fail, make_embedder, print_json

__all__ = ["embed", "import_cmd", "stats", "ties_app"]

ties_app = typer.Typer(
    help="Organisation ties stored for consortia: refreshed after each import, or by hand.",
    no_args_is_help=True,
)


def import_cmd(
    path: Annotated[Path, typer.Argument(help="A record file (scientists.jsonl, …) or a folder.")],
    batch_size: Annotated[
        int, typer.Option(min=1, max=50_000, help="Records per transaction.")
    ] = 1000,
    dry_run: Annotated[
        bool, typer.Option(help="Validate and check references; write nothing.")
    ] = False,
    report: Annotated[
        Path | None, typer.Option(help="Write the full report (with every reject) as JSON here.")
    ] = None,
    ties: Annotated[
        bool,
        typer.Option(
            "--ties/--no-ties",
            help="Afterwards, recount the stored organisation ties when they are not current "
            "(the import changed an affiliation, membership or contributor, or none are stored; "
            "consortia count ties live until then).",
        ),
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Import JSON Lines / CSV files; bad records are rejected with file, line, field and reason.

    Exit code 0 when everything loaded, 2 when some records were rejected.
    """
    settings = get_settings()
    with (
        connect(settings) as driver,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            disable=as_json or not err.is_terminal,
        ) as progress,
    ):
        tasks: dict[str, Any] = {}

        def on_file(file: Path, total: int) -> None:
            tasks[file.name] = progress.add_task(file.name, total=max(total, 0))

        def on_progress(source: str, done: int) -> None:
            progress.update(tasks[source], completed=done)

        try:
            result = import_path(
                driver,
                path,
                database=settings.neo4j_database,
                batch_size=batch_size,
                dry_run=dry_run,
                on_file=on_file,
                on_progress=on_progress,
                keep_outcomes=report is not None,
            )
        except GraphError as exc:
            raise fail(str(exc)) from exc
        refreshed: TieRefresh | None = None
        tie_warning = None
        if ties and not dry_run:
            try:
                # An import that changed nobody's ties (a re-import, demands, topics) leaves
                # them current; a graph whose ties were never stored gets them now.
                state = tie_state(driver, database=settings.neo4j_database)
                if state is None or not state.current:
                    refreshed = refresh_org_ties(driver, database=settings.neo4j_database)
            except RefreshRunningError as exc:
                tie_warning = f"stored organisation ties not refreshed: {exc}"
            except GraphError as exc:
                raise fail(f"imported, but refreshing the organisation ties failed: {exc}") from exc
    out = result.to_dict()
    if refreshed is not None:
        out["org_ties"] = dataclasses.asdict(refreshed)
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(out, ensure_ascii=False, indent=2))
    if as_json:
        print_json(out)
    else:
        table = Table(title="Import" + (" (dry run: nothing written)" if dry_run else ""))
        cols = ("file", "read", "loaded", "new", "changed", "same", "rejected", "nodes+", "rels+")
        for col in (*cols, "seconds"):
            table.add_column(col, justify="left" if col == "file" else "right")
        for f in result.files:
            table.add_row(
                f.file,
                str(f.read),
                str(f.loaded),
                str(f.created),
                str(f.changed),
                str(f.unchanged),
                str(f.rejected),
                str(f.nodes_created),
                str(f.relationships_created),
                f"{f.seconds:.2f}",
            )
        console.print(table)
        for w in result.warnings:
            console.print(f"[yellow]warning:[/] {w}")
        for r in result.rejects[:20]:
            console.print(f"[red]rejected[/] {r}", highlight=False)
        if len(result.rejects) > 20:
            console.print(f"… and {len(result.rejects) - 20} more (use --report FILE)")
        rate = result.created / result.seconds if result.seconds else 0.0
        console.print(
            f"loaded {result.loaded}, rejected {result.rejected}; created {result.created} "
            f"nodes+relationships in {result.seconds:.1f}s ({rate:,.0f}/s)"
        )
        if refreshed is not None:
            console.print(_tie_line(refreshed))
    if tie_warning:
        err.print(f"[yellow]warning:[/] {tie_warning}")
    if result.rejects:
        raise typer.Exit(2)


def _tie_line(r: TieRefresh) -> str:
    return (
        f"stored organisation ties: {r.pairs:,} linked pairs ({r.shared_people_pairs:,} with "
        f"shared people, {r.joint_evidence_pairs:,} with joint evidence), generation "
        f"{r.generation}, in {r.seconds:.1f}s (counting {r.count_seconds:.1f}s, writing "
        f"{r.write_seconds:.1f}s)"
    )


# -- ties ---------------------------------------------------------------------------------
@ties_app.command("refresh")
def ties_refresh(as_json: JsonOpt = False) -> None:
    """Count every organisation pair's shared people and joint evidence and store them.

    `kexie import` runs this after loading; run it after records arrive through the API's
    sync endpoint (until then consortia count ties live, which is slower at scale).
    """
    settings = get_settings()
    with connect(settings) as driver:
        try:
            refreshed = refresh_org_ties(
                driver,
                database=settings.neo4j_database,
                on_progress=None
                if as_json
                else lambda stage, n: err.print(f"{stage}: {n:,} pairs"),
            )
        except (RefreshRunningError, GraphError) as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json(dataclasses.asdict(refreshed))
    else:
        console.print(_tie_line(refreshed))


@ties_app.command("status")
def ties_status(as_json: JsonOpt = False) -> None:
    """Whether stored ties are current: exit 0 when they are, 3 when not (or none stored)."""
    settings = get_settings()
    with connect(settings) as driver:
        try:
            state = tie_state(driver, database=settings.neo4j_database)
        except GraphError as exc:
            raise fail(str(exc)) from exc
    data = (
        {**dataclasses.asdict(state), "current": state.current}
        if state
        else {"current": False, "generation": None}
    )
    if as_json:
        print_json(data)
    elif state is None or state.generation is None:
        console.print("no organisation ties stored: consortia count them live (kexie ties refresh)")
    elif state.current:
        console.print(
            f"current: {state.pairs:,} linked pairs counted from {state.computed_from} "
            f"(generation {state.generation}, {state.seconds} s)"
        )
    else:
        console.print(
            f"not current: an import changed who works, belongs or contributed where at "
            f"{state.changed_at}, after the ties were counted ({state.computed_from}); consortia "
            "count them live until kexie ties refresh"
        )
    if not data["current"]:
        raise typer.Exit(3)


# -- stats --------------------------------------------------------------------------------
def stats(as_json: JsonOpt = False) -> None:
    """Node count per label and relationship count per type."""
    settings = get_settings()
    with connect(settings) as driver:
        st = graph_stats(driver, database=settings.neo4j_database)
    if as_json:
        print_json({"labels": st.labels, "relationships": st.relationships})
        return
    table = Table(title=f"Graph at {settings.uri}")
    table.add_column("label / relationship type")
    table.add_column("count", justify="right")
    for label, n in st.labels.items():
        table.add_row(f":{label}", f"{n:,}")
    table.add_section()
    for rel, n in st.relationships.items():
        table.add_row(f"[:{rel}]", f"{n:,}")
    console.print(table)


def embed(
    all_: Annotated[
        bool, typer.Option("--all", help="Re-embed everything, not only what changed.")
    ] = False,
    refresh_dictionary: Annotated[
        bool,
        typer.Option(
            "--refresh-dictionary",
            help="Rebuild the tokenizer's user dictionary from the graph's vocabulary "
            "(discipline names, demand skills) and derive every item's terms again.",
        ),
    ] = False,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="process: this process (default); ray: a Ray Data pipeline of model actors "
            "(needs pip install -e '.[ray]').",
        ),
    ] = "process",
    address: Annotated[
        str | None,
        typer.Option("--address", help="Ray cluster to join (default: start a local Ray)."),
    ] = None,
    actors: Annotated[int, typer.Option("--actors", min=1, help="Ray model actors.")] = 1,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Ray: texts per batch and write.")
    ] = 256,
    gpus_per_actor: Annotated[
        float, typer.Option("--gpus-per-actor", min=0, help="Ray: GPUs per model actor.")
    ] = 0.0,
    cpus_per_actor: Annotated[
        float | None,
        typer.Option("--cpus-per-actor", help="Ray: CPUs per model actor (default: shared out)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Embed evidence that changed since the last run, rebuild profiles and vector indexes.

    Switching MATCHER_MODEL re-embeds everything and rebuilds the indexes with the new
    dimension; vectors of two models are never mixed. A new tokenizer release derives every
    item's lexical terms again (vectors stay); the user dictionary is built from the graph's
    vocabulary then, and again with --refresh-dictionary after imports add disciplines or skills.
    --engine ray runs the same job's evidence stage on Ray (local, or --address a cluster).
    """
    from matcher import embed_graph
    from matcher.errors import EngineUnavailableError

    settings = get_settings()
    evidence = None
    if engine == "ray":
        from matcher.indexing_ray import GraphTarget, ray_evidence

        try:
            evidence = ray_evidence(
                GraphTarget(
                    settings.uri, settings.neo4j_user, settings.password(), settings.neo4j_database
                ),
                model=settings.model,
                backend=settings.backend,
                model_batch_size=settings.batch_size,
                languages=model_languages(settings),
                actors=actors,
                batch_size=batch_size,
                cpus_per_actor=cpus_per_actor,
                gpus_per_actor=gpus_per_actor,
                address=address,
            )
        except (EngineUnavailableError, ValueError) as exc:
            raise fail(str(exc)) from exc
    elif engine != "process":
        raise fail(f"--engine: {engine!r} is not one of process, ray")
    embedder = make_embedder(settings, for_queries=False)
    with (
        connect(settings) as driver,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            disable=as_json or not err.is_terminal,
        ) as progress,
    ):
        tasks: dict[str, Any] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total or None)
            progress.update(tasks[stage], completed=done, total=total or None)

        try:
            report = embed_graph(
                driver,
                embedder,
                database=settings.neo4j_database,
                full=all_,
                refresh_dictionary=refresh_dictionary,
                on_progress=on_progress,
                evidence=evidence,
            )
        except EngineUnavailableError as exc:
            raise fail(str(exc)) from exc
    data = {
        "engine": report.engine,
        "model": report.model,
        "dimension": report.dimension,
        "evidence_embedded": report.evidence_embedded,
        "profiles_built": report.profiles_built,
        "rebuilt_indexes": report.rebuilt_indexes,
        "seconds": round(report.seconds, 2),
        "texts_per_second": round(report.texts_per_second, 1),
        "stage_seconds": report.stage_seconds,
        "statistics": report.statistics,
        "tokenizer": report.tokenizer,
        "retokenized": report.retokenized,
    }
    if as_json:
        print_json(data)
    else:
        console.print(
            f"{report.model} (dim {report.dimension}): embedded {report.evidence_embedded} evidence "
            f"texts ({report.texts_per_second:.0f}/s), built {report.profiles_built} profiles"
            f"{', rebuilt vector indexes' if report.rebuilt_indexes else ''} in {report.seconds:.1f}s"
            f" ({', '.join(f'{k} {v:.1f}s' for k, v in report.stage_seconds.items())});"
            f" corpus term counts {report.statistics}; tokenizer {report.tokenizer}"
            + (
                f" (terms derived again for {report.retokenized} items)"
                if report.retokenized
                else ""
            )
        )
