"""CLI of evaluation panels and review rounds (registered on the main ``kexie`` app).

``kexie review-panel ITEM`` proposes an independent panel for one evaluation item (成果评价,
科技奖励推荐, 标准评审); ``kexie review-round ROUND`` assigns every item of a round its
reviewers; ``kexie review-audit ID`` shows the audit records of a panel or round.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.table import Table

from api.config import get_settings
from kexie.cli.common import (
    JsonOpt,
    clean_exits,
    connect,
    console,
    make_embedder,
    print_json,
)

__all__ = ["register", "review_panel", "review_round", "review_audit"]


@contextmanager
def _service(need_model: bool = True) -> Iterator[Any]:
    """A ReviewService on the configured Neo4j; matcher errors become clean exits."""
    from matcher.review import ReviewService

    settings = get_settings()
    embedder = make_embedder(settings) if need_model else None
    with connect(settings) as driver, clean_exits():
        yield ReviewService(driver, embedder, database=settings.neo4j_database)


def review_panel(
    item: Annotated[str, typer.Argument(help="Evaluation item id.")],
    size: Annotated[int, typer.Option(help="Panel size.")] = 5,
    quota: Annotated[
        list[str] | None, typer.Option(help="Quota count override NAME=N (e.g. young=0).")
    ] = None,
    no_quotas: Annotated[bool, typer.Option(help="Relevance and independence only.")] = False,
    lock: Annotated[list[str] | None, typer.Option(help="Scientist who must sit.")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="Scientist who must not.")] = None,
    pool_size: Annotated[int, typer.Option(help="Candidates from the retriever.")] = 40,
    relax: Annotated[
        bool, typer.Option(help="Lower conflicting low-priority quotas to what the pool allows.")
    ] = False,
    save: Annotated[bool, typer.Option(help="Save the panel and its audit record.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """An independent evaluation panel for an item: relevant, under quotas, no conflicts."""
    from matcher.formation import parse_quota_overrides

    with _service() as svc:
        p = svc.propose_panel(
            item,
            size=size,
            quotas=() if no_quotas else None,
            quota_counts=parse_quota_overrides(quota or []) or None,
            pool_size=pool_size,
            locked=lock or [],
            excluded=exclude or [],
            relax=relax,
        )
        saved = svc.save_panel(p) if save else None
    if as_json:
        print_json({**p.to_dict(), "saved_as": saved})
        return
    console.print(f"[bold]{p.item_title}[/] ({p.item_kind}, {p.item_id})")
    console.print("applicants: " + ", ".join(f"{n} ({i})" for i, n in p.applicants))
    t = Table("member", "institution", "grade", "relevance", "evidence", "disclosed")
    for m in p.members:
        t.add_row(
            f"{m.name} ({m.id})",
            m.institution or "",
            m.grade,
            f"{m.relevance:.3f}",
            "; ".join(m.evidence),
            "; ".join(m.disclosed),
        )
    console.print(t)
    for c in p.checks:
        console.print(f"{'✓' if c.holds else '✗'} {c.name}: {c.detail}", highlight=False)
    if p.excluded:
        console.print("[bold]excluded[/]")
        for e in p.excluded:
            console.print(f"  {e.name} ({e.id}): {'; '.join(e.reasons)}", highlight=False)
    if saved:
        console.print(f"saved as {saved} (confirm: kexie confirm {saved})")


def review_round(
    round_id: Annotated[str, typer.Argument(help="Review round id.")],
    solver: Annotated[str, typer.Option(help="exact | fair | maxmin | greedy")] = "exact",
    k: Annotated[int | None, typer.Option(help="Reviewers per item (default: round's).")] = None,
    max_load: Annotated[
        int | None, typer.Option(help="Items per reviewer at most (default: round's).")
    ] = None,
    per_item: Annotated[int | None, typer.Option(help="Pool experts per item.")] = None,
    save: Annotated[bool, typer.Option(help="Store the assignment and audit record.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Assign every item of a round k reviewers, each at most L items, no conflicts."""
    with _service() as svc:
        r = svc.assign_round(round_id, solver=solver, k=k, max_load=max_load, per_item=per_item)
        saved = svc.save_round(r) if save else None
    if as_json:
        print_json({**r.to_dict(), "saved_as": saved})
        return
    console.print(f"[bold]{r.round_name}[/] ({r.round_id}): k={r.k}, L={r.max_load}")
    titles = dict(r.items)
    t = Table("item", "reviewers", "mean relevance")
    for item, revs in r.assignment.items():
        t.add_row(
            f"{titles.get(item, '')} ({item})",
            ", ".join(f"{x.name} {x.relevance:.2f}" for x in revs),
            f"{r.item_relevance.get(item, 0):.3f}",
        )
    console.print(t)
    console.print(
        f"solver {r.solver} (proven: {r.optimal}); total {r.total_relevance:.3f}, worst item "
        f"{r.min_item_relevance:.3f}; {len(r.excluded)} conflicted pairs excluded",
        highlight=False,
    )
    if r.baseline:
        b = r.baseline
        console.print(
            f"greedy baseline: total {b['total_relevance']:.3f}, worst item "
            f"{b['min_item_relevance']:.3f}",
            highlight=False,
        )
    for c in r.checks:
        console.print(f"{'✓' if c.holds else '✗'} {c.name}: {c.detail}", highlight=False)
    if saved:
        console.print(f"stored as {saved}")


def review_audit(
    target: Annotated[str, typer.Argument(help="Evaluation panel id or round id.")],
    as_json: JsonOpt = False,
) -> None:
    """The audit records of an evaluation panel or round (who, why excluded, solver)."""
    with _service(need_model=False) as svc:
        audits = svc.audits(target)
    if as_json or not audits:
        print_json([{"id": a.id, "created_at": a.created_at, **a.props} for a in audits])
        return
    for a in audits:
        p = a.props
        console.print(f"[bold]{a.id}[/] {a.created_at} {p.get('kind')} solver={p.get('solver')}")
        console.print(f"  considered {len(p.get('considered', []))}; chosen {p.get('chosen')}")
        for e in p.get("excluded", []):
            console.print(
                f"  excluded {e['name']} ({e['id']}) from {e.get('item') or target}: "
                + "; ".join(e["reasons"]),
                highlight=False,
            )


def register(app: typer.Typer) -> None:
    """Add the review commands to the main ``kexie`` app."""
    app.command("review-panel")(review_panel)
    app.command("review-round")(review_round)
    app.command("review-audit")(review_audit)
