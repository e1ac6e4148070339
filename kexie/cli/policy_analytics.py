"""``kexie analytics``: the policy analytics on the command line.

* ``kexie analytics districts`` — societies per district against the target, the city average,
  and scientists per level-1 discipline.
* ``kexie analytics presence`` — branch / liaison-office suggestions, ranked.
* ``kexie analytics counterparts`` — national counterpart pairings and suggestions.

Each prints rich tables, or JSON with ``--json``. :data:`analytics_app` is added to the main
``kexie`` app in :mod:`kexie.cli`.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import typer
from rich.table import Table

from api.config import get_settings
from kexie.cli.common import JsonOpt, connect, console, fail, make_embedder, print_json
from matcher.analytics import (
    DEFAULT_BRANCH_THRESHOLD,
    DEFAULT_LIAISON_THRESHOLD,
    DEFAULT_TARGET,
    CoverageReport,
    PresenceThresholds,
)
from matcher.errors import MatcherError

__all__ = ["analytics_app"]

analytics_app = typer.Typer(
    help="Policy analytics: district coverage, branch / liaison offices, national counterparts.",
    no_args_is_help=True,
)

TargetOpt = Annotated[
    int, typer.Option("--target", min=1, help="Societies wanted per district (policy: 20).")
]


def _coverage_json(report: CoverageReport) -> dict[str, Any]:
    return {
        "target": report.target,
        "average": round(report.average, 3),
        "average_exceeds_target": report.average_exceeds_target,
        "presences_needed": report.presences_needed,
        "total_shortfall": report.total_shortfall,
        "unplaced_scientists": report.unplaced_scientists,
        "unknown_districts": list(report.unknown_districts),
        "districts": [
            dataclasses.asdict(d) | {"meets_target": d.meets_target} for d in report.districts
        ],
        "short_districts": [
            {"code": d.code, "name": d.name, "shortfall": d.shortfall}
            for d in report.short_districts
        ],
        "fields": [dataclasses.asdict(f) for f in report.fields],
    }


@analytics_app.command("districts")
def districts(target: TargetOpt = DEFAULT_TARGET, as_json: JsonOpt = False) -> None:
    """Societies per district against the target; city average; scientists per discipline."""
    from matcher.analytics_service import district_coverage

    settings = get_settings()
    with connect(settings) as driver:
        try:
            report = district_coverage(driver, target=target, database=settings.neo4j_database)
        except MatcherError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json(_coverage_json(report))
        return
    table = Table(title=f"Societies per district (target {report.target})")
    for col in (
        "district",
        "societies",
        "branches",
        "liaison",
        "district soc.",
        "shortfall",
        "scientists",
    ):
        table.add_column(col, justify="left" if col == "district" else "right")
    for d in report.districts:
        short = f"[red]{d.shortfall}[/]" if d.shortfall else "[green]0[/]"
        table.add_row(
            f"{d.name} ({d.code})",
            str(d.societies),
            str(d.branches),
            str(d.liaison_offices),
            str(d.district_societies),
            short,
            str(d.scientists),
        )
    console.print(table)
    verdict = "[green]exceeds[/]" if report.average_exceeds_target else "[red]does not exceed[/]"
    console.print(
        f"City average {report.average:.2f} societies per district {verdict} the target "
        f"{report.target}; {len(report.short_districts)} of {len(report.districts)} districts are "
        f"short (total {report.total_shortfall}); {report.presences_needed} more presences would "
        f"lift the average above the target. Unplaced scientists: {report.unplaced_scientists}."
    )
    if report.fields:
        disciplines = sorted({f.discipline or "-" for f in report.fields})
        grid = Table(title="Scientists per level-1 discipline and district")
        grid.add_column("district")
        for code in disciplines:
            grid.add_column(code, justify="right")
        cells = {(f.district, f.discipline or "-"): f.scientists for f in report.fields}
        for d in report.districts:
            grid.add_row(d.name, *(str(cells.get((d.code, c), "")) for c in disciplines))
        console.print(grid)


@analytics_app.command("presence")
def presence(
    society: Annotated[str | None, typer.Option("--society", help="Only this society id.")] = None,
    branch_threshold: Annotated[
        int,
        typer.Option(
            "--branch-threshold", min=1, help="Scientists in a district that justify a branch."
        ),
    ] = DEFAULT_BRANCH_THRESHOLD,
    liaison_threshold: Annotated[
        int,
        typer.Option(
            "--liaison-threshold",
            min=1,
            help="Scientists in a district that justify a liaison office.",
        ),
    ] = DEFAULT_LIAISON_THRESHOLD,
    target: TargetOpt = DEFAULT_TARGET,
    limit: Annotated[int, typer.Option(min=1, help="Rows to show in the table.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Suggest branches and liaison offices from where each society's scientists work."""
    from graph_schema.errors import NotFoundError
    from matcher.analytics_service import presence_suggestions

    try:
        thresholds = PresenceThresholds(branch=branch_threshold, liaison=liaison_threshold)
    except MatcherError as exc:
        raise fail(str(exc)) from exc
    settings = get_settings()
    with connect(settings) as driver:
        try:
            plan = presence_suggestions(
                driver,
                society=society,
                thresholds=thresholds,
                target=target,
                database=settings.neo4j_database,
            )
        except (MatcherError, NotFoundError) as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json(
            {
                "thresholds": dataclasses.asdict(plan.thresholds),
                "target": plan.coverage.target,
                "suggestions": [dataclasses.asdict(s) for s in plan.suggestions],
            }
        )
        return
    table = Table(
        title=f"Presence suggestions (branch ≥ {thresholds.branch}, liaison office ≥ "
        f"{thresholds.liaison} scientists; target {target} per district)",
        show_lines=True,
    )
    for col in (
        "#",
        "society",
        "district",
        "suggestion",
        "members",
        "field",
        "reach",
        "district now",
        "why",
    ):
        table.add_column(
            col, justify="right" if col in {"#", "members", "field", "reach"} else "left"
        )
    for s in plan.suggestions[:limit]:
        action = s.action.replace("_", " ") + (" [green](closes gap)[/]" if s.closes_gap else "")
        now = f"{s.district_societies}" + (
            f" (short {s.district_shortfall})" if s.district_shortfall else ""
        )
        table.add_row(
            str(s.rank),
            f"{s.society_name}\n{s.society}",
            f"{s.district_name}\n{s.district}",
            action,
            str(s.members),
            str(s.field_scientists),
            str(s.reach),
            now,
            "\n".join(s.reasons),
        )
    console.print(table)
    if len(plan.suggestions) > limit:
        console.print(f"… and {len(plan.suggestions) - limit} more (use --limit or --json)")
    if not plan.suggestions:
        console.print("No suggestion at these thresholds.")


@analytics_app.command("counterparts")
def counterparts(
    top_k: Annotated[
        int, typer.Option("--top-k", min=1, max=20, help="Candidates per society.")
    ] = 3,
    min_score: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Drop weaker candidates.")
    ] = 0.1,
    no_embed: Annotated[
        bool,
        typer.Option(
            "--no-embed",
            help="Skip the embedding part (no model load): disciplines and names only.",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """National counterpart pairings, and suggestions for the societies without one."""
    from matcher.analytics_service import counterpart_suggestions

    settings = get_settings()
    embedder = None if no_embed else make_embedder(settings)
    with connect(settings) as driver:
        try:
            report = counterpart_suggestions(
                driver, embedder, top_k=top_k, min_score=min_score, database=settings.neo4j_database
            )
        except MatcherError as exc:
            raise fail(str(exc)) from exc
    st = report.stats
    if as_json:
        print_json(
            {
                "embedding_model": report.embedding_model,
                "stats": dataclasses.asdict(st)
                | {
                    "without_counterpart": st.without_counterpart,
                    "share_with_counterpart": round(st.share_with_counterpart, 4),
                },
                "suggestions": [dataclasses.asdict(s) for s in report.suggestions],
            }
        )
        return
    console.print(
        f"{st.with_counterpart} of {st.societies} municipal societies have a national counterpart "
        f"({st.share_with_counterpart:.0%}); {st.national_with_partner} of {st.national_societies} "
        f"national societies have a local partner."
    )
    table = Table(
        title="Suggested national counterparts"
        + (f" ({report.embedding_model})" if report.embedding_model else " (no embedding)"),
        show_lines=True,
    )
    for col in ("society", "candidate", "score", "disc.", "cos", "bigram", "why"):
        table.add_column(
            col, justify="right" if col in {"score", "disc.", "cos", "bigram"} else "left"
        )
    for s in report.suggestions:
        if not s.candidates:
            table.add_row(f"{s.society_name}\n{s.society}", "-", "", "", "", "", "no candidate")
        for i, c in enumerate(s.candidates):
            cos = "-" if c.embedding_cosine is None else f"{c.embedding_cosine:.2f}"
            table.add_row(
                f"{s.society_name}\n{s.society}" if i == 0 else "",
                f"{c.national_name}\n{c.national}",
                f"{c.score:.2f}",
                f"{c.discipline_score:.2f}",
                cos,
                f"{c.bigram:.2f}",
                "\n".join(c.reasons),
            )
    console.print(table)
    if st.national_without_partner:
        shown = ", ".join(
            f"{report.national_names.get(n, n)} ({n})" for n in st.national_without_partner[:30]
        )
        more = len(st.national_without_partner) - 30
        console.print(
            "National societies with no local partner: "
            + shown
            + (f" … and {more} more" if more > 0 else "")
        )
