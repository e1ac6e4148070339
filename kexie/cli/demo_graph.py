"""``kexie demo``: generate and load the demo graph of Chongqing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kexie.cli.common import console, fail
from kexie.cli.database import db_migrate
from kexie.cli.graph_data import embed, import_cmd, stats

__all__ = ["DEMO_DIR", "demo_app"]

demo_app = typer.Typer(help="Generate and load the demo graph of Chongqing.")
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
