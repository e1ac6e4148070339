"""Load test: many concurrent clients, mixed reads and writes, over loopback; nothing lost.

Each client loops until the time is up, picking an operation at random:

* reads — ``POST /v1/experts/search``, ``GET /v1/experts`` (a page), ``GET /v1/experts/{id}``;
* writes — ``POST /v1/sync/scientists`` (an upsert of a NEW scientist with a unique id) and
  ``POST /v1/demands`` (a new demand with a unique id; the service proposes and saves a team).

Afterwards every write that was answered 2xx is looked up by id in the graph (scientist,
demand, and the saved team of the demand): :attr:`LoadResult.lost` must be empty.

Run against a loaded graph (e.g. after ``python -m benchmarks run --size 1``)::

    python -m benchmarks.load --clients 50 --seconds 30

starts the real app with uvicorn in a process of its own on 127.0.0.1 (the configured Neo4j),
creates an API key, sends ``--warmup`` searches (not counted), runs, verifies, and writes
``benchmarks/results/load-<clients>x<seconds>s.md`` / ``.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import neo4j

from benchmarks.stats import latency_summary

__all__ = ["LoadConfig", "LoadResult", "main", "parse_mix", "run_load", "verify_writes"]

#: operation -> weight
DEFAULT_MIX: dict[str, float] = {"search": 0.2, "list": 0.2, "get": 0.2, "sync": 0.3, "demand": 0.1}


@dataclass
class LoadConfig:
    """Args: clients (concurrent), seconds (the run stops by itself), mix (op -> weight),
    warmup (searches before the run, not counted)."""

    clients: int = 50
    seconds: float = 30.0
    mix: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIX))
    seed: int = 0
    timeout: float = 120.0
    #: Searches sent one at a time before the clients start, not counted: they take their
    #: texts from the end of the list (the clients start from its head), so that the first
    #: measured requests do not pay for the server's lazy start (plans, JIT, cold index pages).
    warmup: int = 0
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])


@dataclass
class LoadResult:
    config: dict[str, Any]
    seconds: float
    requests: int
    by_op: dict[str, dict[str, Any]]
    status_codes: dict[str, int]
    errors: int  # 5xx, timeouts and transport errors
    error_rate: float
    written: dict[str, list[str]]  # kind -> ids answered 2xx
    lost: list[str] = field(default_factory=list)
    verified: int = 0

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["written"] = {k: len(v) for k, v in self.written.items()}
        return d


async def _client(
    n: int,
    http: httpx.AsyncClient,
    cfg: LoadConfig,
    deadline: float,
    data: dict[str, Sequence[str]],
    log: list[tuple[str, int, float, str | None]],
) -> None:
    rng = random.Random(cfg.seed * 1000 + n)
    ops, weights = list(cfg.mix), list(cfg.mix.values())
    i = searches = 0
    # Search texts are taken in turn, each client from its own offset: a run of fewer searches
    # than texts repeats none, so the query-vector cache and Neo4j's caches do not flatter it.
    offset = n * len(data["queries"]) // max(cfg.clients, 1)
    while time.monotonic() < deadline:
        op = rng.choices(ops, weights)[0]
        i += 1
        wid: str | None = None
        if op == "search":
            req = http.build_request(
                "POST",
                "/v1/experts/search",
                json={"text": data["queries"][(offset + searches) % len(data["queries"])], "k": 10},
            )
            wid = str((offset + searches) % len(data["queries"]))  # which text, for the report
            searches += 1
        elif op == "list":
            req = http.build_request("GET", "/v1/experts", params={"limit": 20})
        elif op == "get":
            req = http.build_request("GET", f"/v1/experts/{rng.choice(data['scientists'])}")
        elif op == "sync":
            wid = f"load-{cfg.run_id}-s{n}-{i}"
            rec = {
                "id": wid,
                "name": f"负载测试{n}号{i}",
                "name_en": f"Load Test {n}-{i}",
                "title": "研究员",
                "bio": "负载测试写入的科学家 load-test upsert",
                "availability": "available",
            }
            req = http.build_request("POST", "/v1/sync/scientists", json={"records": [rec]})
        else:
            wid = f"load-{cfg.run_id}-d{n}-{i}"
            # Title and text from the same query: two unrelated ones made demands whose
            # derived skills no small team covers, so nearly all were answered 422.
            query = rng.choice(data["queries"])
            req = http.build_request(
                "POST",
                "/v1/demands",
                json={
                    "id": wid,
                    "title": query[:80],
                    "text": query,
                    "enterprise_id": rng.choice(data["enterprises"]),
                    "team": {"k_min": 2, "k_max": 3},
                },
            )
        t0 = time.perf_counter()
        try:
            resp = await http.send(req)
            code = resp.status_code
            if op == "sync" and code == 200 and resp.json().get("accepted") != 1:
                code = 299  # 200 but the record was rejected: not a write to verify
            elif op == "demand" and code == 201:
                wid = f"{wid}|{resp.json()['formation_id']}"
        except (httpx.TimeoutException, httpx.TransportError):
            code = 599
        log.append((op, code, time.perf_counter() - t0, wid if 200 <= code < 300 else None))


async def run_load(
    base_url: str, api_key: str, cfg: LoadConfig, data: dict[str, Sequence[str]]
) -> LoadResult:
    """Run ``cfg.clients`` concurrent clients for ``cfg.seconds`` against ``base_url`` (loopback).

    Args:
        data: ``queries`` (texts), ``scientists`` (existing ids), ``enterprises`` (existing ids).
    """
    log: list[tuple[str, int, float, str | None]] = []
    limits = httpx.Limits(max_connections=cfg.clients, max_keepalive_connections=cfg.clients)
    async with httpx.AsyncClient(
        base_url=base_url, headers={"X-API-Key": api_key}, timeout=cfg.timeout, limits=limits
    ) as http:
        texts = data["queries"]
        for i in range(cfg.warmup if texts else 0):
            await http.post(
                "/v1/experts/search", json={"text": texts[-1 - i % len(texts)], "k": 10}
            )
        started = time.monotonic()
        deadline = started + cfg.seconds
        await asyncio.gather(
            *(_client(n, http, cfg, deadline, data, log) for n in range(cfg.clients))
        )
        elapsed = time.monotonic() - started
    by_op: dict[str, dict[str, Any]] = {}
    codes: dict[str, int] = {}
    for op in cfg.mix:
        rows = [r for r in log if r[0] == op]
        op_codes: dict[str, int] = {}
        for r in rows:
            op_codes[str(r[1])] = op_codes.get(str(r[1]), 0) + 1
            codes[str(r[1])] = codes.get(str(r[1]), 0) + 1
        by_op[op] = {**latency_summary([r[2] for r in rows]), "status_codes": op_codes}
        if op == "search":
            by_op[op]["distinct_texts"] = len({r[3] for r in rows})
        if len(op_codes) > 1:
            # A demand answered 201 (a team formed and saved) and one answered 422 (no team
            # can meet the constraints) do different work: their latencies apart.
            by_op[op]["by_status"] = {
                code: latency_summary([r[2] for r in rows if str(r[1]) == code])
                for code in sorted(op_codes)
            }
    errors = sum(1 for r in log if r[1] >= 500)
    written: dict[str, list[str]] = {"scientists": [], "demands": []}
    for op, _, _, wid in log:
        if wid and op in ("sync", "demand"):
            written["scientists" if op == "sync" else "demands"].append(wid)
    return LoadResult(
        config={
            "clients": cfg.clients,
            "seconds": cfg.seconds,
            "mix": cfg.mix,
            "run_id": cfg.run_id,
            "warmup": cfg.warmup,
        },
        seconds=round(elapsed, 2),
        requests=len(log),
        by_op=by_op,
        status_codes=codes,
        errors=errors,
        error_rate=round(errors / len(log), 4) if log else 0.0,
        written=written,
    )


def verify_writes(
    driver: neo4j.Driver, result: LoadResult, *, database: str | None = None
) -> LoadResult:
    """Look up every 2xx write by id in the graph; fill ``result.lost`` and ``result.verified``."""
    from graph_schema.errors import NotFoundError
    from graph_schema.formation_queries import get_formation, load_demand
    from graph_schema.search import expert_profile

    lost: list[str] = []
    for sid in result.written["scientists"]:
        if expert_profile(driver, sid, database=database) is None:
            lost.append(f"scientist {sid}")
    for both in result.written["demands"]:
        did, fid = both.split("|")
        for what, fn, key in (("demand", load_demand, did), ("formation", get_formation, fid)):
            try:
                fn(driver, key, database=database)
            except NotFoundError:
                lost.append(f"{what} {key}")
    result.lost = lost
    result.verified = len(result.written["scientists"]) + 2 * len(result.written["demands"])
    return result


def render_markdown(res: LoadResult, command: str) -> str:
    rows = [
        "| op | n | p50 ms | p95 ms | p99 ms | max ms | status |",
        "|---|---|---|---|---|---|---|",
    ]
    for op, s in res.by_op.items():
        st = " ".join(f"{c}×{n}" for c, n in sorted(s["status_codes"].items()))
        rows.append(
            f"| {op} | {s['n']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | {s['max_ms']} | {st} |"
        )
        for code, c in s.get("by_status", {}).items():
            rows.append(
                f"| {op} → {code} | {c['n']} | {c['p50_ms']} | {c['p95_ms']} | {c['p99_ms']} | {c['max_ms']} | |"
            )
    return "\n".join(
        [
            f"# Load test: {res.config['clients']} clients × {res.config['seconds']:g} s\n",
            f"`{command}`\n",
            f"The API ran in a process of its own; {res.config.get('warmup', 0)} warm-up searches went "
            "first, one at a time, and are not counted.\n",
            f"{res.requests} requests in {res.seconds} s ({res.requests / res.seconds:.1f}/s); errors (5xx, timeouts, "
            f"transport) {res.errors} = **{res.error_rate:.2%}**; status codes {res.status_codes}.\n",
            *rows,
            "",
            f"Searches used {res.by_op.get('search', {}).get('distinct_texts', 0)} distinct texts "
            "(taken in turn: none repeats until all are used).\n",
            f"Writes answered 2xx: {len(res.written['scientists'])} scientists, {len(res.written['demands'])} demands "
            f"(+ their saved teams); looked up by id afterwards: {res.verified} checked, **{len(res.lost)} lost**.\n",
            "Status 299 marks a sync answered 200 whose record was rejected (none expected); 422 on demands is "
            "`infeasible` (a business answer, not an error).\n",
        ]
    )


def _truth_queries(data_dir: Path) -> list[str]:
    """The generator's evaluation queries (``../ground_truth/queries.jsonl``), when present:
    more distinct search texts than the demands and topics alone."""
    path = data_dir.parent / "ground_truth" / "queries.jsonl"
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(x)["text"] for x in lines if x.strip()]


def parse_mix(text: str) -> dict[str, float]:
    """``search=1,demand=0.5`` -> {"search": 1.0, "demand": 0.5}; operations as in DEFAULT_MIX."""
    mix: dict[str, float] = {}
    for part in text.split(","):
        op, sep, weight = part.strip().partition("=")
        if op not in DEFAULT_MIX:
            raise argparse.ArgumentTypeError(
                f"unknown operation {op!r} in --mix (known: {', '.join(DEFAULT_MIX)})"
            )
        try:
            w = float(weight) if sep else 1.0
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"--mix {op}: weight {weight!r} is not a number"
            ) from None
        if w <= 0:
            raise argparse.ArgumentTypeError(f"--mix {op}: weight must be positive, not {w:g}")
        mix[op] = w
    return mix


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: serve the app in a process of its own on loopback, warm it up, run the load, verify,
    write the report."""
    from api.config import get_settings
    from benchmarks.server import api_env, serve_in_process
    from graph_schema import open_driver
    from graph_schema.apikeys import create_key
    from graph_schema.search import list_scientists

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument(
        "--warmup", type=int, default=20, help="searches before the run, one at a time, not counted"
    )
    ap.add_argument(
        "--data",
        type=Path,
        default=Path(".kexie/bench-data/1/data"),
        help="demo import folder (texts, enterprise ids)",
    )
    ap.add_argument(
        "--mix",
        type=parse_mix,
        default=dict(DEFAULT_MIX),
        help="operations and weights, e.g. search=1,demand=1 (default: "
        + ",".join(f"{k}={v:g}" for k, v in DEFAULT_MIX.items())
        + ")",
    )
    args = ap.parse_args(argv)
    settings = get_settings()
    driver = open_driver(settings.uri, settings.neo4j_user, settings.password())
    db = settings.neo4j_database
    plain, _ = create_key(
        driver, name="load-test", scopes=["read", "write"], rate_limit=10_000_000, database=db
    )

    def read(name: str) -> list[dict[str, Any]]:
        return [
            json.loads(x)
            for x in (args.data / name).read_text(encoding="utf-8").splitlines()
            if x.strip()
        ]

    data: dict[str, Sequence[str]] = {
        "queries": [d["title"] + " " + d.get("text", "") for d in read("demands.jsonl")]
        + [t["title"] for t in read("topics.jsonl")]
        + _truth_queries(args.data),
        "enterprises": [e["id"] for e in read("enterprises.jsonl")],
        "scientists": [r["id"] for r in list_scientists(driver, limit=200, database=db)],
    }
    cfg = LoadConfig(clients=args.clients, seconds=args.seconds, mix=args.mix, warmup=args.warmup)
    env = api_env(settings.uri, settings.neo4j_user, settings.password(), db)
    with serve_in_process(env, workers=args.workers) as base:
        res = asyncio.run(run_load(base, plain, cfg, data))
    verify_writes(driver, res, database=db)
    driver.close()
    mix = ",".join(f"{k}={v:g}" for k, v in args.mix.items())
    custom = args.mix != DEFAULT_MIX
    command = (
        f"python -m benchmarks.load --clients {args.clients} --seconds {args.seconds:g} "
        f"--workers {args.workers} --warmup {args.warmup} --data {args.data} --out {args.out}"
        + (f" --mix {mix}" if custom else "")
    )
    args.out.mkdir(parents=True, exist_ok=True)
    workers = f"-{args.workers}w" if args.workers > 1 else ""
    ops = "-" + "-".join(args.mix) if custom else ""
    stem = args.out / f"load-{args.clients}x{args.seconds:g}s{workers}{ops}"
    stem.with_suffix(".json").write_text(
        json.dumps(res.to_dict(), indent=2) + "\n", encoding="utf-8"
    )
    stem.with_suffix(".md").write_text(render_markdown(res, command), encoding="utf-8")
    print(render_markdown(res, command))
    return 0 if not res.lost and res.errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
