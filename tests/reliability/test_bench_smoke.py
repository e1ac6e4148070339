"""A smoke run of the benchmark behind `python -m benchmarks run --size 0.2`, with tiny bounds: every
section is there and every number is sane. Speed is never asserted (it goes in the report)."""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path

import neo4j
import pytest

from benchmarks import recall_probe, search_phases
from benchmarks.cli import app as bench_app
from benchmarks.report import SECTIONS, render_markdown, write_report
from benchmarks.run import BenchConfig, run_bench
from benchmarks.server import api_env, serve_in_process
from graph_schema import search as S
from graph_schema import vectors as V
from kexie.cli import app
from kexie.localserver import LocalNeo4j
from matcher.embedding import SentenceTransformerEmbedder


def test_benchmark_commands_live_in_benchmarks_not_in_the_product() -> None:
    from typer.main import get_command

    bench = get_command(bench_app)
    assert {"run", "formation"} <= set(bench.commands)  # type: ignore[attr-defined]
    assert "bench" not in get_command(app).commands  # type: ignore[attr-defined]


def test_bench_smoke_at_size_0_2_has_every_section_and_sane_numbers(
    graph: neo4j.Driver,
    embedder: SentenceTransformerEmbedder,
    test_server: LocalNeo4j,
    tmp_path: Path,
    cli_on_test_server: None,
) -> None:
    cfg = BenchConfig(
        size=0.2,
        work_dir=tmp_path / "work",
        out_dir=tmp_path / "out",
        embed_sample=300,
        baseline_texts=100,
        recall_queries=5,
        formation_limit=2,
        batch_demands=3,
        reimport=False,
        http_counts={"search": 2, "team": 1, "panel": 1, "consortium": 1, "assignment": 1},
        http_warmup={"search": 2, "team": 1},
    )
    # The API runs in a process of its own on the tests' Neo4j, as `python -m benchmarks run` serves it.
    api = api_env(test_server.uri, "neo4j", test_server.password())
    report = run_bench(graph, embedder, cfg, api=api)
    assert set(SECTIONS) <= set(report)

    imp = report["import"]
    assert imp["rejected"] == 0 and imp["records_loaded"] == report["data"]["records"]
    assert imp["created_per_second"] > 0 and imp["baseline_parse_only"]["records_per_second"] > 0

    emb = report["embedding"]
    assert emb["embedded_for_real"] == 300 and emb["filled_by_reuse"] == emb["evidence"] - 300 > 0
    assert "reuse" in emb["fill_note"] or "random real vector" in emb["fill_note"]
    assert emb["ratio_model_vs_encode"] > 0 and emb["ratio_end_to_end_vs_encode"] > 0

    vi = report["vector_index"]
    assert vi["vectors"] == emb["evidence"] and vi["queries"] == 5
    for key in ("recall_at_k", "recall_min", "recall_at_k_oversampled"):
        assert 0.0 <= vi[key] <= 1.0
    assert vi["index_latency"]["n"] == 5 and vi["exact_latency"]["p50_ms"] >= 0

    fo = report["formation"]
    assert {r["solver"] for r in fo["random_instances_by_solver"]} >= {
        "greedy",
        "exact",
        "rarest_first",
    }

    http = report["http"]
    for kind in ("search", "team", "panel", "consortium", "assignment"):
        s = http[kind]
        assert s["n"] >= 1 and 0 < s["p50_ms"] <= s["p95_ms"] <= s["p99_ms"]
        assert all(c in {"200", "201", "422"} for c in s["status_codes"]), (kind, s["status_codes"])
    assert http["base_url"].startswith("http://127.0.0.1:")
    # Warm-ups are not timed, and no timed search repeats a text (the API caches query vectors).
    assert http["search"]["n"] == 2 and http["search"]["distinct_texts"] == 2
    assert http["search"]["warmup"] == 2 and http["panel"]["warmup"] == 0
    assert report["sizing"]["projection"][-1]["scientists"] == 5_000_000
    # Consortia read the stored ties (refreshed after the import), which agree with live counts.
    ties = report["org_ties"]
    assert ties["refresh"]["pairs"] > 0 and ties["pairs_disagreeing"] == 0
    assert ties["candidate_sets"] == http["consortium"]["status_codes"].get("201", 0)
    assert http["consortium"]["ties_stored"] == ties["candidate_sets"]
    assert http["consortium"]["ties_live"] == 0 and "candidates" not in http["consortium"]
    assert ties["stored"]["n"] == 3 * ties["candidate_sets"]
    assert report["meta"]["warmed_seconds"] >= 0

    md, js = write_report(report, cfg.out_dir)
    assert md.name == "bench-0.2.md" and js.name == "bench-0.2.json"
    assert json.loads(js.read_text())["meta"]["size"] == 0.2
    text = md.read_text()
    for heading in (
        "## Import",
        "## Embedding",
        "## Vector index",
        "## Formation",
        "## HTTP latency",
        "## Organisation ties",
        "## Sizing",
    ):
        assert heading in text
    assert render_markdown(report) == text
    assert "the page cache was warmed" in text

    # --reuse measures again on the same graph: data, import and embedding carried over, the
    # earlier HTTP figures beside the new ones; a batch of 60 needs extra demands (the
    # generator writes at most 40), which the benchmark imports.
    again = run_bench(
        graph,
        embedder,
        BenchConfig(**{**cfg.__dict__, "reuse": True, "batch_demands": 60}),
        api=api,
    )
    assert again["import"] == report["import"] and again["embedding"] == report["embedding"]
    assert again["meta"]["reused"]["started"] == report["meta"]["started"]
    assert again["http"]["earlier"]["search"]["p50_ms"] == http["search"]["p50_ms"]
    assert again["http"]["assignment_demands_per_request"] == 60
    assert again["http"]["assignment_extra_demands"] > 0
    assert (
        graph.execute_query(
            "MATCH (d:Demand) WHERE d.id STARTS WITH 'dem-bench-' RETURN count(d) AS n"
        ).records[0]["n"]
        == again["http"]["assignment_extra_demands"]
    )
    assert "Carried over from the run of" in render_markdown(again)
    assert again["vector_index"] == report["vector_index"]
    # --adopt measures a graph whose builder left no report: the files are counted, import says
    # it was not measured, embedding is measured as the job an import leaves (a sample marked
    # changed, embedded again), the index and everything after are measured.
    adopted = run_bench(graph, embedder, BenchConfig(**{**cfg.__dict__, "adopt": True}), api=api)
    assert "not_measured" in adopted["import"] and "--adopt" in adopted["import"]["not_measured"]
    assert adopted["data"]["counts"]["scientists"] == report["data"]["counts"]["scientists"]
    inc = adopted["embedding"]
    assert inc["mode"] == "incremental" and inc["evidence"] == adopted["vector_index"]["vectors"]
    assert inc["embedded_for_real"] == inc["end_to_end_texts"] == 300 and inc["profiles_built"] > 0
    assert inc["baseline_encode"]["texts"] == 100 and inc["ratio_model_vs_encode"] > 0
    assert set(inc["stage_seconds"]) == {
        "tokenizer",
        "evidence",
        "profiles",
        "indexes",
        "statistics",
    }
    assert inc["graph_work_seconds"] > 0 and "seed 42" in inc["fill_note"]
    # The corpus counts were updated from the changed items alone, and agree with a recount.
    st = inc["statistics"]
    assert st["how"].startswith("updated for ") and st["agree"] is True
    assert st["recount_seconds"] > 0 and st["documents"] == inc["evidence"]
    left = graph.execute_query(
        "MATCH (e:Evidence) WHERE e.embedded_hash <> e.text_hash OR e.embedding IS NULL "
        "RETURN count(e) AS n"
    ).records[0]["n"]
    assert left == 0
    assert adopted["http"]["search"]["n"] >= 1 and adopted["sizing"]["projection"] == []
    adopted_md = render_markdown(adopted)
    assert "adopted as it stands" in adopted_md and "## Vector index" in adopted_md
    assert "took the text of another item" in adopted_md and "Stages: tokenizer" in adopted_md
    assert "**agree** term for term" in adopted_md
    assert "until Lucene merges the fresh segments" in adopted_md
    # The recall probe measures the same section on the graph as it stands, here after building
    # the evidence index anew with Neo4j's defaults; the adopt run's items are replayed.
    probe_out = tmp_path / "probe.jsonl"
    recall_probe.main(
        ["--size", "0.2", "--work-dir", str(cfg.work_dir), "--queries", "5"]
        + ["--changed-sample", "300", "--rebuild", "--out", str(probe_out)]
    )
    probe = json.loads(probe_out.read_text(encoding="utf-8").splitlines()[-1])
    assert probe["rebuilt"]["m"] == 16 and probe["rebuilt"]["quantization"] == "SCALAR"
    assert probe["top10"]["slots"] == 50 and 0 <= probe["top10"]["missed"] <= 50
    assert probe["top10"]["missed_changed"] <= probe["top10"]["slots_changed"] <= 50
    top10 = probe["top10"]
    assert top10["without_contributor"] <= top10["missed_items"]
    assert top10["own_vector_not_found"] <= top10["missed_items"]
    assert top10["missed_items"] <= top10["missed"]
    assert 0 < probe["recall"]["recall_at_k_oversampled"] <= 1
    assert set(V.vector_index_quantization(graph).values()) == {V.VECTOR_QUANTIZATION}
    # Where a search's time goes, in process: every text's phases, the candidate read timed
    # also where it starts early, the start-up objects frozen as the API does and thawed after,
    # and the matcher's reads put back as they were.
    real_rows = S.candidate_rows
    phases_out = tmp_path / "phases.jsonl"
    search_phases.main(
        ["--size", "0.2", "--work-dir", str(cfg.work_dir), "--queries", "6", "--warmup", "1"]
        + ["--out", str(phases_out)]
    )
    phases = json.loads(phases_out.read_text(encoding="utf-8").splitlines()[-1])
    assert phases["texts"] == 6 and phases["frozen"] and gc.get_freeze_count() == 0
    assert S.candidate_rows is real_rows
    for row in phases["per_text_ms"]:
        assert 0 < row["embed"] and 0 < row["candidates_wall"] <= row["total"], row
        assert row["rows_early"] + row["rows_after"] > 0, row  # every text reads its pool
    # A graph that is not the earlier run's is refused.
    graph.execute_query("MATCH (s:Scientist) WITH s LIMIT 1 DETACH DELETE s")
    with pytest.raises(ValueError, match="--reuse"):
        run_bench(graph, embedder, BenchConfig(**{**cfg.__dict__, "reuse": True}), api=api)


def test_benchmarks_are_installed_with_the_package(tmp_path: Path) -> None:
    # `python -m benchmarks` must resolve from the installed package, not only from the
    # repository root that pytest puts on sys.path.
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", "import benchmarks.run, benchmarks.load; print('ok')"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr


def test_an_api_process_that_cannot_start_is_reported_not_awaited() -> None:
    env = {**os.environ, "MATCHER_BATCH_SIZE": "0"}  # invalid settings: the app refuses to start
    with pytest.raises(RuntimeError, match="exited with"), serve_in_process(env, timeout=120):
        pass
