"""Review-round assignment: exact vs fair vs greedy at 100, 1,000 and 5,000 items.

Random rounds shaped like real ones (:func:`matcher.optimise.random_round`): k = 3 reviewers
per item, at most L = 6 items per reviewer, 1.3× as many reviewer slots as reviews, items and
reviewers in ``items / 50`` disciplines with only same-discipline pairs as candidates (about
50 per item) and 3 % of those conflicted. For each size and seed:

- ``exact``: maximum total relevance (HiGHS; a transportation problem, proven at the root);
- ``fair``: highest relevance floor every pair can keep (maximum flows), then maximum total;
- ``greedy``: pairs by relevance, with a one-step repair;
- ``maxmin`` (only at 100 items, ``--maxmin-max``): the worst item's mean as a MILP.

Reported: total relevance, the gap of each to ``exact`` (relative, %), the minimum item
relevance (mean of an item's reviewers), whether every check held, and the seconds. One run
on the machine it is started on (shared, 2 cores here): figures are single timings.

Usage::

    python -m benchmarks.review_round                     # 100, 1000, 5000 items → results/
    python -m benchmarks.review_round --sizes 100 --seeds 1
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path
from typing import Any

from matcher.optimise import random_round, solve_round

RESULTS = Path(__file__).parent / "results"


def run(sizes: list[int], seeds: int, maxmin_max: int, time_limit: float) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for m in sizes:
        for seed in range(seeds):
            t0 = time.perf_counter()
            p = random_round(m, seed=seed)
            build = time.perf_counter() - t0
            pairs = int(p.allowed_array.sum())
            solvers = ["exact", "fair", "greedy"] + (["maxmin"] if m <= maxmin_max else [])
            exact_total = None
            for s in solvers:
                t0 = time.perf_counter()
                sol = solve_round(p, s, time_limit=time_limit)
                secs = time.perf_counter() - t0
                if s == "exact":
                    exact_total = sol.total_relevance
                assert exact_total is not None
                rows.append(
                    {
                        "items": m,
                        "reviewers": len(p.reviewers),
                        "pairs": pairs,
                        "seed": seed,
                        "solver": s,
                        "total": sol.total_relevance,
                        "gap_pct": round(
                            100 * (exact_total - sol.total_relevance) / exact_total, 3
                        ),
                        "min_item": sol.min_item_relevance,
                        "feasible": sol.feasible,
                        "optimal": sol.optimal,
                        "mip_gap": sol.gap,
                        "seconds": round(secs, 3),
                        "build_seconds": round(build, 3),
                    }
                )
                print(json.dumps(rows[-1]), flush=True)
    return rows


def markdown(rows: list[dict[str, Any]], command: str) -> str:
    out = [
        "# Review-round assignment: exact vs fair vs greedy",
        "",
        f"`{command}` on {platform.machine()} / Python {platform.python_version()} "
        f"({time.strftime('%Y-%m-%d')}); single timings on a shared machine.",
        "",
        "k = 3 reviewers per item, L = 6 items per reviewer, 1.3× slots, ~50 candidate pairs "
        "per item, 3 % conflicts (`matcher.optimise.random_round`). *gap* = how far the total "
        "relevance is below `exact` (%); *min item* = the worst-served item's mean relevance.",
        "",
        "| items | reviewers | pairs | seed | solver | total | gap % | min item | checks | proven | s |",
        "|---:|---:|---:|---:|---|---:|---:|---:|---|---|---:|",
    ]
    for r in rows:
        out.append(
            f"| {r['items']:,} | {r['reviewers']:,} | {r['pairs']:,} | {r['seed']} | "
            f"{r['solver']} | {r['total']:.2f} | {r['gap_pct']:.3f} | {r['min_item']:.4f} | "
            f"{'hold' if r['feasible'] else 'FAIL'} | {'yes' if r['optimal'] else 'no'} | "
            f"{r['seconds']:.2f} |"
        )
    out.append("")
    by: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for r in rows:
        by.setdefault((r["items"], r["solver"]), []).append(r)
    out.append("Ratios (means over seeds): fair / exact min item relevance, greedy gap, time.")
    out.append("")
    out.append(
        "| items | fair min ÷ exact min | fair gap % | greedy gap % | greedy min ÷ exact min | exact s | fair s | greedy s |"
    )
    out.append("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for m in sorted({r["items"] for r in rows}):

        def mean(s: str, key: str, m: int = m) -> float:
            v = [r[key] for r in by.get((m, s), [])]
            return sum(v) / len(v) if v else float("nan")

        em = mean("exact", "min_item") or float("nan")
        out.append(
            f"| {m:,} | {mean('fair', 'min_item') / em:.3f} | {mean('fair', 'gap_pct'):.3f} | "
            f"{mean('greedy', 'gap_pct'):.3f} | {mean('greedy', 'min_item') / em:.3f} | "
            f"{mean('exact', 'seconds'):.2f} | {mean('fair', 'seconds'):.2f} | "
            f"{mean('greedy', 'seconds'):.2f} |"
        )
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--maxmin-max", type=int, default=100)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--out", type=Path, default=RESULTS / "review-round.md")
    args = ap.parse_args()
    command = "python -m benchmarks.review_round " + " ".join(
        f"--sizes {' '.join(map(str, args.sizes))} --seeds {args.seeds}".split()
    )
    rows = run(args.sizes, args.seeds, args.maxmin_max, args.time_limit)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(rows, command), encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
