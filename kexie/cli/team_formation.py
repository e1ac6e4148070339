"""``kexie team``, ``panel``, ``consortium``, ``assign``, ``confirm``, ``decline``, ``feedback``.

``team`` also has ``team swap``; :mod:`kexie.cli` puts them all on the main app. Each prints a
readable table with the explanation, or JSON with ``--json`` (members, scores, every constraint
and whether it holds, the objective's parts). Infeasible requests print their reasons and advice
and exit with 2. :func:`formation_service` is shared with ``python -m benchmarks formation``.
"""

from __future__ import annotations

import logging
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
    fail,
    make_embedder,
    print_json,
)

logger = logging.getLogger(__name__)

team_app = typer.Typer(help="Expert service teams for demands.", invoke_without_command=True)

__all__ = [
    "assign",
    "confirm",
    "consortium",
    "decline",
    "feedback",
    "formation_service",
    "panel",
    "team_app",
]


@contextmanager
def formation_service(need_model: bool = True) -> Iterator[Any]:
    """A FormationService on the configured Neo4j; matcher errors become clean exits."""
    from matcher.formation import FormationService

    settings = get_settings()
    embedder = make_embedder(settings) if need_model else None
    with connect(settings) as driver, clean_exits():
        yield FormationService(driver, embedder, database=settings.neo4j_database)


def _checks_table(checks: Any) -> Table:
    t = Table(title="Constraints", show_header=True)
    t.add_column("constraint")
    t.add_column("holds")
    t.add_column("detail")
    for c in checks:
        t.add_row(c.name, "[green]yes[/]" if c.holds else "[red]NO[/]", c.detail)
    return t


def _print_team(p: Any) -> None:
    console.print(f"[bold]Team for {p.demand_title}[/] ({p.demand_id}, enterprise {p.enterprise})")
    console.print(
        f"skills: {', '.join(p.skills)} · solver {p.solver}"
        f"{' (optimal)' if p.optimal else ''} · {p.seconds:.3f}s"
    )
    t = Table(show_lines=True)
    for col in ("member", "role", "relevance", "skills covered", "why (evidence)"):
        t.add_column(col)
    for m in p.members:
        who = f"{m.name} ({m.id})\n{m.title or ''} · {m.institution or '-'}\n{m.grade or ''}{' · senior' if m.senior else ''}"
        t.add_row(
            who,
            m.role,
            f"{m.relevance:.3f}",
            "\n".join(m.skills) or "-",
            "\n".join(f"• {e}" for e in m.evidence[:3]),
        )
    console.print(t)
    o = p.objective
    console.print(
        f"objective {o['objective']:.3f} = {o['w_relevance']}×relevance {o['relevance_sum']:.3f} − "
        f"{o['w_communication']}×comm cost {o['comm_cost_sum']:.3f} + {o['w_locality']}×locality {o['locality_sum']:.3f}"
    )
    console.print(_checks_table(p.checks))
    if p.ties:
        console.print(
            "[bold]Ties[/]: "
            + "; ".join(
                f"{t.a}–{t.b} cost {t.comm_cost:.2f}"
                + (f" co-authored {t.coauthored}" if t.coauthored else "")
                + (f" served together {t.served_together}" if t.served_together else "")
                + (f" {t.shared_societies} shared societies" if t.shared_societies else "")
                + (" same institution" if t.same_institution else "")
                for t in p.ties
            )
        )
    if p.excluded:
        console.print(
            "[bold]Left out[/]: "
            + "; ".join(f"{e.name} ({e.id}): {', '.join(e.reasons)}" for e in p.excluded)
        )
    if p.skills_dropped:
        console.print(
            "[bold]Skills left out[/] (derived from the text, nobody in the pool covers them; "
            "pass --skill to require one): " + ", ".join(p.skills_dropped),
            highlight=False,
        )


@team_app.callback()
def team(
    ctx: typer.Context,
    demand: Annotated[str | None, typer.Option("--demand", "-d", help="Demand id.")] = None,
    k_min: Annotated[int, typer.Option(min=1, help="Smallest team.")] = 2,
    k_max: Annotated[int, typer.Option(min=1, help="Largest team.")] = 4,
    solver: Annotated[
        str,
        typer.Option(
            help="auto (greedy, then exact for 0.1 s; the better), greedy, exact, rarest_first or top_k."
        ),
    ] = "auto",
    lock: Annotated[
        list[str] | None,
        typer.Option("--lock", help="Scientist id that must be on the team (repeatable)."),
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="Scientist id to leave out (repeatable).")
    ] = None,
    skill: Annotated[
        list[str] | None,
        typer.Option("--skill", "-s", help="Skill to cover (repeatable; replaces the demand's)."),
    ] = None,
    min_senior: Annotated[int, typer.Option(min=0, help="Fewest senior members.")] = 1,
    max_per_institution: Annotated[
        int, typer.Option(min=0, help="Cap per institution (0 = none).")
    ] = 2,
    threshold: Annotated[float, typer.Option(help="Skill affinity that counts as covering.")] = 0.3,
    local: Annotated[
        bool, typer.Option("--local", help="Prefer experts in the enterprise's district.")
    ] = False,
    save: Annotated[bool, typer.Option("--save", help="Save the team (status proposed).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Propose an expert service team for a demand (``kexie team --demand D1``)."""
    if ctx.invoked_subcommand is not None:
        return
    if not demand:
        raise fail("give --demand ID (or use `kexie team swap`)")
    with formation_service() as svc:
        p = svc.propose_team(
            demand,
            skills=skill,
            k_min=k_min,
            k_max=k_max,
            solver=solver,
            locked=lock or [],
            excluded=exclude or [],
            min_senior=min_senior,
            max_per_institution=max_per_institution or None,
            cover_threshold=threshold,
            use_locality=local,
        )
        team_id = svc.save_team(p) if save else None
    if as_json:
        data = p.to_dict()
        data["saved_as"] = team_id
        print_json(data)
        return
    _print_team(p)
    if team_id:
        console.print(f"Saved as [bold]{team_id}[/] (status proposed): `kexie confirm {team_id}`")


@team_app.command("swap")
def team_swap(
    team_id: Annotated[str, typer.Option("--team", help="Saved team id.")],
    remove: Annotated[str, typer.Option("--remove", help="Member to replace.")],
    n: Annotated[int, typer.Option(min=1, help="How many options.")] = 5,
    apply: Annotated[
        str | None, typer.Option("--apply", help="Put this candidate in (must be a safe option).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Replacements for one member with the rest fixed; none breaks a constraint."""
    with formation_service() as svc:
        swap = svc.swap_member(team_id, remove, n=n)
        if apply:
            svc.apply_swap(team_id, remove, apply)
    if as_json:
        print_json({**swap.to_dict(), "applied": apply})
        return
    t = Table(title=f"Replacements for {remove} on {team_id}")
    for col in ("candidate", "Δ objective", "skills", "new team"):
        t.add_column(col)
    for o in swap.options:
        t.add_row(
            f"{o.name} ({o.candidate})",
            f"{o.objective_delta:+.3f}",
            ", ".join(o.skills) or "-",
            ", ".join(o.members),
        )
    console.print(t)
    if apply:
        console.print(f"Applied: {apply} replaces {remove}.")


def panel(
    topic: Annotated[str, typer.Option("--topic", "-t", help="Topic id.")],
    size: Annotated[int, typer.Option(min=1, help="Panel size.")] = 5,
    quota: Annotated[
        list[str] | None,
        typer.Option(
            "--quota",
            "-q",
            help="Override a quota count: senior=2, young=1, enterprise=1, academic=1, disciplines=3, per_institution=2.",
        ),
    ] = None,
    young_age: Annotated[int, typer.Option(help="Young means at most this age.")] = 45,
    conflict_with: Annotated[
        list[str] | None, typer.Option(help="Organisation ids with a conflict of interest.")
    ] = None,
    lottery: Annotated[
        float | None,
        typer.Option("--lottery", help="Draw from a lottery with selection probability ≤ q."),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Lottery seed.")] = None,
    relax: Annotated[
        bool, typer.Option("--relax", help="Relax conflicting quotas instead of failing.")
    ] = False,
    save: Annotated[bool, typer.Option("--save", help="Save the panel (status proposed).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Propose a think-tank panel for a topic under quotas, with diversity and rotation."""
    from matcher.formation import parse_quota_overrides

    with formation_service() as svc:
        p = svc.propose_panel(
            topic,
            size=size,
            quota_counts=parse_quota_overrides(quota or []),
            young_age_max=young_age,
            conflict_with=conflict_with or [],
            lottery_q=lottery,
            seed=seed,
            relax=relax,
        )
        pid = svc.save_panel(p) if save else None
    if as_json:
        print_json({**p.to_dict(), "saved_as": pid})
        return
    console.print(
        f"[bold]Panel for {p.topic_title}[/] ({p.topic_id}) · mean relevance {p.relevance_mean:.3f}"
    )
    t = Table(show_lines=True)
    for col in (
        "member",
        "sector",
        "grade",
        "young",
        "disciplines",
        "relevance",
        "exposure",
        "P(select)",
    ):
        t.add_column(col)
    for m in p.members:
        t.add_row(
            f"{m.name} ({m.id})\n{m.institution or '-'}",
            m.sector,
            m.grade,
            "yes" if m.young else "",
            ", ".join(m.disciplines),
            f"{m.relevance:.3f}",
            f"{m.prior_share:.0%}",
            "-" if m.selection_probability is None else f"{m.selection_probability:.2f}",
        )
    console.print(t)
    console.print(_checks_table(p.checks))
    d = p.diversity
    console.print(
        f"diversity: {d['n_disciplines']} disciplines, {d['n_institutions']} institutions, "
        f"entropy {d['institution_entropy']:.2f}, sectors {dict(d['sectors'])}"
    )
    if p.relaxed:
        console.print(f"[yellow]relaxed quotas:[/] {', '.join(p.relaxed)} — {'; '.join(p.reasons)}")
    if p.lottery:
        console.print(
            f"lottery over {p.lottery['panels']} panels, price of randomisation "
            f"{p.lottery['price_of_randomisation']:.1%}"
        )
    if pid:
        console.print(f"Saved as [bold]{pid}[/]")


def consortium(
    theme: Annotated[str, typer.Option("--theme", help="Theme or industry cluster text.")],
    discipline: Annotated[
        list[str] | None, typer.Option("--discipline", "-d", help="Theme discipline codes.")
    ] = None,
    max_size: Annotated[int, typer.Option(min=1)] = 5,
    min_size: Annotated[int, typer.Option(min=1)] = 3,
    save: Annotated[bool, typer.Option("--save")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Propose a cross-disciplinary consortium (industry + university + research)."""
    with formation_service() as svc:
        p = svc.propose_consortium(
            theme, disciplines=discipline, max_size=max_size, min_size=min_size
        )
        cid = svc.save_consortium(p) if save else None
    if as_json:
        print_json({**p.to_dict(), "saved_as": cid})
        return
    console.print(
        f"[bold]Consortium for[/] {theme} · disciplines "
        + ", ".join(f"{n} ({c})" for c, n in p.theme_disciplines)
        + f" · solver {p.solver}{' (optimal)' if p.optimal else ''} · objective {p.objective:.3f}"
    )
    t = Table(show_lines=True)
    for col in ("organisation", "kind", "relevance", "contribution"):
        t.add_column(col)
    for m in p.members:
        t.add_row(f"{m.name} ({m.id})", m.kind, f"{m.relevance:.3f}", m.contribution)
    console.print(t)
    console.print(
        f"Chosen from {len(p.candidates)} organisations; ties "
        + (
            f"as stored at {p.ties_as_of}"
            if p.ties_as_of
            else "counted now (none stored, or an import changed them since: kexie ties refresh)"
        )
    )
    console.print(_checks_table(p.checks))
    if cid:
        console.print(f"Saved as [bold]{cid}[/]")


def assign(
    demand: Annotated[list[str], typer.Option("--demand", "-d", help="Demand id (repeatable).")],
    team_min: Annotated[int, typer.Option(min=1)] = 1,
    team_max: Annotated[int, typer.Option(min=1)] = 3,
    as_json: JsonOpt = False,
) -> None:
    """Assign experts to several demands at once: global optimum vs one-by-one greedy."""
    with formation_service() as svc:
        res = svc.assign_batch(demand, team_min=team_min, team_max=team_max)
    if as_json:
        print_json(res.to_dict())
        return
    for name, s in res.solutions.items():
        t = Table(
            title=f"{name}: {s.n_filled}/{len(res.problem.demands)} filled, affinity {s.total_affinity:.3f}, {s.seconds:.3f}s"
        )
        t.add_column("demand")
        t.add_column("experts")
        for d, members in s.assignment.items():
            t.add_row(
                d,
                ", ".join(f"{res.names.get(m, m)} ({m})" for m in members)
                or f"[red]unfilled: {s.unfilled.get(d, '')}[/]",
            )
        console.print(t)
        console.print(_checks_table(s.checks))


def confirm(
    formation_id: Annotated[str, typer.Argument(help="Team, panel or consortium id.")],
) -> None:
    """Mark a saved team, panel or consortium as confirmed."""
    with formation_service(need_model=False) as svc:
        svc.confirm(formation_id)
    console.print(f"{formation_id} confirmed.")


def decline(
    formation_id: Annotated[str, typer.Argument(help="Team, panel or consortium id.")],
) -> None:
    """Mark a saved team, panel or consortium as declined (frees its members' load)."""
    with formation_service(need_model=False) as svc:
        svc.decline(formation_id)
    console.print(f"{formation_id} declined.")


def feedback(
    formation_id: Annotated[str, typer.Argument(help="Team or panel id.")],
    member: Annotated[str, typer.Option("--member", "-m", help="Scientist id.")],
    accepted: Annotated[
        bool | None, typer.Option("--accepted/--declined", help="Did the expert accept?")
    ] = None,
    rating: Annotated[int | None, typer.Option(min=1, max=5, help="Rating 1–5.")] = None,
    comment: Annotated[str | None, typer.Option(help="Free comment.")] = None,
) -> None:
    """Record a member's feedback (declines keep them off later teams for the same demand)."""
    with formation_service(need_model=False) as svc:
        svc.feedback(formation_id, member, accepted=accepted, rating=rating, comment=comment)
    console.print(f"Feedback recorded for {member} on {formation_id}.")
