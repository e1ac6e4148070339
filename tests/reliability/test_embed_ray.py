"""The embedding job on Ray (``kexie embed --engine ray``): the same vectors and corpus counts
as the single-process job, every pending item written exactly once, also when a model actor
or a writer dies mid-job and when Neo4j restarts mid-job.

A local Ray (this machine's CPUs) serves the whole module; the graph is the tiny dataset plus 40
publications (43 evidence items), embedded by the suite's model (all-MiniLM-L6-v2)."""

from __future__ import annotations

import functools
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import neo4j
import numpy as np
import pytest
import ray  # the suite installs the ray extra (scripts/setup)
from typer.testing import CliRunner

from graph_schema import clear_graph, import_path
from graph_schema import vectors as V
from kexie.cli import app
from kexie.localserver import LocalNeo4j
from matcher import embed_graph
from matcher.embedding import SentenceTransformerEmbedder
from matcher.indexing_ray import GraphTarget, RayEvidence, start_ray
from matcher.text import Tokenizer
from tests.utils.factories import tiny_dataset, write_jsonl

runner = CliRunner()

TOPICS = [
    "基于深度学习的交通流预测",
    "动力电池热管理与液冷仿真",
    "Graph neural networks for traffic forecasting",
    "智能网联汽车感知算法",
    "Lithium battery fast charging degradation",
    "城市轨道交通客流预测",
    "Finite element simulation of battery packs",
    "自动驾驶决策规划方法",
]


def _dataset(folder: Path) -> Path:
    data = tiny_dataset(folder / "base")
    extra = folder / "extra"
    extra.mkdir(parents=True)
    write_jsonl(
        extra / "publications.jsonl",
        [
            {
                "id": f"PX{i:03d}",
                "title": f"{TOPICS[i % len(TOPICS)]} ({i})",
                "abstract": f"{TOPICS[(i * 3) % len(TOPICS)]}：第{i}项研究。",
                "year": 2010 + i % 14,
                "contributors": [["S1", "S2", "S3"][i % 3]],
                "disciplines": ["52020" if i % 2 else "580"],
            }
            for i in range(40)
        ],
    )
    return data


def _load(driver: neo4j.Driver, folder: Path) -> int:
    """Load the graph; returns its evidence items (all pending)."""
    clear_graph(driver)
    assert import_path(driver, _dataset(folder)).ok
    assert import_path(driver, folder / "extra").ok
    n = V.count_evidence(driver)
    assert n > 40
    return n


def _make_embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder("all-MiniLM-L6-v2", batch_size=32)


def _stage(server: LocalNeo4j, **kw: object) -> RayEvidence:
    return RayEvidence(
        GraphTarget(server.uri, "neo4j", server.password()),
        functools.partial(_make_embedder),
        batch_size=8,
        **kw,  # type: ignore[arg-type]
    )


def _assert_counts_are_a_recount(driver: neo4j.Driver) -> None:
    stored = V.read_corpus_counts(driver)
    assert stored is not None
    tokenizer = Tokenizer(V.read_corpus_snapshot(driver).user_words)
    recount = V.recount_corpus_stats(driver, tokenizer.tokenize)
    assert stored == recount
    assert stored.n_docs == V.count_evidence(driver)


def _assert_written_once(driver: neo4j.Driver, items: int) -> dict[str, int]:
    writes = V.evidence_embed_writes(driver)
    assert len(writes) == items
    assert {i: n for i, n in writes.items() if n != 1} == {}
    return writes


@dataclass(frozen=True)
class KillOnce:
    """Fault hook: at ``stage``, on the batch holding ``item``, the worker process dies
    (``os._exit``) the first time; a marker file keeps the retried batch alive."""

    stage: str
    item: str
    marker: str

    def __call__(self, stage: str, ids: list[str]) -> None:
        if stage == self.stage and self.item in ids and not os.path.exists(self.marker):
            Path(self.marker).write_text(str(os.getpid()))
            os._exit(1)


@dataclass(frozen=True)
class PauseOnce:
    """Fault hook: before embedding the batch holding ``item``, say so (``reached``) and wait
    until the test says go (``go``): the test stops Neo4j meanwhile."""

    item: str
    reached: str
    go: str

    def __call__(self, stage: str, ids: list[str]) -> None:
        if stage == "embed" and self.item in ids and not os.path.exists(self.reached):
            Path(self.reached).write_text("")
            deadline = time.monotonic() + 300
            while not os.path.exists(self.go) and time.monotonic() < deadline:
                time.sleep(0.2)


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    assert start_ray()  # this machine's CPUs; workers import this checkout's code
    yield
    ray.shutdown()


def test_ray_job_writes_the_single_process_vectors_once_each_and_exact_counts(
    graph: neo4j.Driver,
    test_server: LocalNeo4j,
    embedder: SentenceTransformerEmbedder,
    local_ray: None,
    tmp_path: Path,
) -> None:
    items = _load(graph, tmp_path)
    report = embed_graph(graph, embedder, evidence=_stage(test_server, actors=2))
    assert report.engine == "ray" and report.evidence_embedded == items
    assert report.profiles_built == 3
    _assert_written_once(graph, items)
    _assert_counts_are_a_recount(graph)
    fp = embedder.fingerprint()
    by_ray = dict(V.all_evidence_vectors(graph, fp))

    # Nothing pending: a second Ray run embeds and writes nothing.
    again = embed_graph(graph, embedder, evidence=_stage(test_server))
    assert again.evidence_embedded == 0
    _assert_written_once(graph, items)

    # The single process over the same items (everything again) writes the same vectors.
    single = embed_graph(graph, embedder, full=True)
    assert single.engine == "process" and single.evidence_embedded == items
    by_process = dict(V.all_evidence_vectors(graph, fp))
    assert by_ray.keys() == by_process.keys() and len(by_ray) == items
    for item, vec in by_process.items():
        assert np.allclose(by_ray[item], vec, atol=1e-5), item
    assert set(V.evidence_embed_writes(graph).values()) == {2}
    _assert_counts_are_a_recount(graph)


def test_ray_job_survives_a_dead_model_actor_and_a_writer_dead_after_its_commit(
    graph: neo4j.Driver,
    test_server: LocalNeo4j,
    embedder: SentenceTransformerEmbedder,
    local_ray: None,
    tmp_path: Path,
) -> None:
    items = _load(graph, tmp_path)
    model_dead = tmp_path / "model-dead"
    writer_dead = tmp_path / "writer-dead"
    kill_model = KillOnce("embed", "PX010", str(model_dead))
    kill_writer = KillOnce("written", "PX030", str(writer_dead))

    def both(stage: str, ids: list[str]) -> None:
        kill_model(stage, ids)
        kill_writer(stage, ids)

    report = embed_graph(graph, embedder, evidence=_stage(test_server, actors=2, fault=both))
    assert model_dead.exists() and writer_dead.exists(), "a fault did not fire: nothing tested"
    assert report.evidence_embedded == items
    # The writer died after its commit: the retried batch found its items current and
    # wrote nothing again, so no item was written twice and no term was counted twice.
    _assert_written_once(graph, items)
    _assert_counts_are_a_recount(graph)
    assert V.count_pending_evidence(graph, embedder.fingerprint()) == 0


def test_ray_job_survives_a_neo4j_restart_mid_job(
    own_server: LocalNeo4j,
    own_driver: neo4j.Driver,
    embedder: SentenceTransformerEmbedder,
    local_ray: None,
    tmp_path: Path,
) -> None:
    if own_server.pid() is None:
        own_server.start(timeout=240)
    items = _load(own_driver, tmp_path)
    reached, go = tmp_path / "reached", tmp_path / "go"
    pause = PauseOnce("PX024", str(reached), str(go))
    seen: dict[str, object] = {}

    def restart() -> None:
        deadline = time.monotonic() + 300
        while not reached.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        # The batches before the paused one are written (the writer is not paused)...
        while time.monotonic() < deadline:
            seen["written_before"] = sum(V.evidence_embed_writes(own_driver).values())
            if int(str(seen["written_before"])) > 0:
                break
            time.sleep(0.2)
        seen["pid_before"] = own_server.pid()
        own_server.stop()
        go.write_text("")  # ...the paused one and the rest are written while Neo4j is down
        time.sleep(2)
        own_server.start(timeout=240)
        seen["pid_after"] = own_server.pid()

    th = threading.Thread(target=restart)
    th.start()
    try:
        report = embed_graph(
            own_driver, embedder, evidence=_stage(own_server, fault=pause, graph_retry_seconds=300)
        )
    finally:
        go.write_text("")
        th.join(timeout=300)
    assert reached.exists(), "the job never reached the paused batch: nothing tested"
    assert seen["pid_before"] != seen["pid_after"], "Neo4j did not restart"
    assert 0 < int(str(seen["written_before"])) < items, "the restart was not mid-job"
    assert report.evidence_embedded == items
    _assert_written_once(own_driver, items)
    _assert_counts_are_a_recount(own_driver)


def test_kexie_embed_engine_ray_runs_the_job_on_ray(
    graph: neo4j.Driver,
    embedder: SentenceTransformerEmbedder,
    cli_on_test_server: None,
    local_ray: None,
    tmp_path: Path,
) -> None:
    items = _load(graph, tmp_path)
    bad = runner.invoke(app, ["embed", "--engine", "spark"])
    assert bad.exit_code != 0 and "--engine" in bad.output
    out = runner.invoke(app, ["embed", "--engine", "ray", "--batch-size", "16", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout[out.stdout.index("{") :])
    assert data["engine"] == "ray" and data["evidence_embedded"] == items
    _assert_written_once(graph, items)
    _assert_counts_are_a_recount(graph)
