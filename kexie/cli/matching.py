"""``kexie experts`` and ``kexie eval``: rank experts for a text, measure retrieval quality."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from api.config import get_settings
from kexie.cli.common import JsonOpt, connect, console, fail, make_embedder, print_json
from kexie.localserver import LocalServerError

__all__ = ["eval_cmd", "experts"]


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
