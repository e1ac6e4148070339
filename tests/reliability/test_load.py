"""Concurrent mixed traffic over loopback HTTP: no server errors, nothing lost.

Speed is never asserted here (it goes in the benchmark report); only correctness under load.
"""

from __future__ import annotations

import argparse
import asyncio

import neo4j
import pytest

from api.config import get_settings
from api.main import create_app
from benchmarks.load import LoadConfig, parse_mix, run_load, verify_writes
from benchmarks.server import serve_in_thread
from graph_schema.search import list_scientists
from matcher.embedding import SentenceTransformerEmbedder


def test_20_clients_mixed_reads_and_writes_lose_nothing(
    loaded_graph: neo4j.Driver, embedder: SentenceTransformerEmbedder, rw_key: str
) -> None:
    app = create_app(
        get_settings(), driver=loaded_graph, embedder=embedder, rate_limit_per_minute=10_000_000
    )
    data = {
        "queries": [
            "自动驾驶感知算法",
            "traffic signal control with deep learning",
            "电池热管理 有限元",
        ],
        "scientists": [r["id"] for r in list_scientists(loaded_graph, limit=50)],
        "enterprises": ["E-AUTO"],
    }
    with serve_in_thread(app) as base:
        assert base.startswith("http://127.0.0.1:")
        res = asyncio.run(
            run_load(base, rw_key, LoadConfig(clients=20, seconds=10, timeout=60), data)
        )
    verify_writes(loaded_graph, res)

    assert res.requests > 20
    assert res.errors == 0, res.by_op
    assert all(c in {"200", "201", "422"} for c in res.status_codes), res.status_codes
    assert res.written["scientists"], "no sync write was answered 2xx"
    assert res.lost == []
    assert res.verified >= len(res.written["scientists"])
    for op in ("search", "list", "get", "sync"):
        s = res.by_op[op]
        assert s["n"] > 0 and 0 < s["p50_ms"] <= s["p95_ms"] <= s["p99_ms"] <= s["max_ms"]
    assert res.by_op["search"]["distinct_texts"] == len(data["queries"])
    # Ops answered with several codes (demands: 201 team / 422 infeasible) are also timed
    # per code, and those rows account for every request of the op.
    for s in res.by_op.values():
        if len(s["status_codes"]) > 1:
            assert {c: x["n"] for c, x in s["by_status"].items()} == s["status_codes"]
        else:
            assert "by_status" not in s


def test_mix_option_parses_weights_and_names_what_is_wrong() -> None:
    assert parse_mix("search=1,demand=0.5") == {"search": 1.0, "demand": 0.5}
    assert parse_mix("search") == {"search": 1.0}
    with pytest.raises(argparse.ArgumentTypeError, match="unknown operation 'serch'"):
        parse_mix("serch=1")
    with pytest.raises(argparse.ArgumentTypeError, match="not a number"):
        parse_mix("search=x")
    with pytest.raises(argparse.ArgumentTypeError, match="must be positive"):
        parse_mix("search=0")
