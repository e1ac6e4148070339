"""Candidate reads for retrieval: the graph reads a search makes, and the threads they run on.

- :func:`shared_executor` / :class:`Reads`: the process's read threads, kept between searches,
  and one caller's bounded share of them.
- :func:`submit_fulltext` / :func:`submit_vector`: the index reads (:mod:`graph_schema.search`).
- :func:`pool`: the candidates worth scoring in full, by a cheap pre-score from the index hits.
- :func:`read_candidate_rows` / :func:`submit_candidate_rows`: the candidates' facts and
  evidence (:func:`graph_schema.search.candidate_rows`), in parts read side by side.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import neo4j

from graph_schema import search as S
from matcher.retrieval_config import DEFAULT_CONFIG, RetrievalConfig
from matcher.retrieval_query import Query
from matcher.scoring import Calibration, FusionWeights

__all__ = [
    "shared_executor",
    "Reads",
    "submit_fulltext",
    "submit_vector",
    "pool",
    "candidate_parts",
    "candidate_reader",
    "read_candidate_rows",
    "submit_candidate_rows",
]

_T = TypeVar("_T")

#: Threads that run the graph reads of every search in this process, kept between searches,
#: one pool per size asked for (:attr:`RetrievalConfig.read_threads`; every matcher of the
#: service asks for the same). A search used to start a pool of its own, two or three
#: threads, and each ``Thread.start`` waits until the new thread holds the GIL (up to ~3 ms
#: under cProfile on a busy machine; at size 100 the time outside a search's named phases fell
#: 12.1 → 10.7 ms p50 in process: ``benchmarks/search_phases.py``, benchmarks README). The tasks
#: are leaf reads (they never wait on another task), so a bounded pool cannot deadlock; each
#: caller bounds its own reads in flight (:class:`Reads`).
_executors: dict[int, ThreadPoolExecutor] = {}
_executors_lock = threading.Lock()


def shared_executor(threads: int = DEFAULT_CONFIG.read_threads) -> ThreadPoolExecutor:
    """The process's pool of ``threads`` read threads (named ``kexie-read…``), started once."""
    with _executors_lock:
        ex = _executors.get(threads)
        if ex is None:
            prefix = (
                "kexie-read" if threads == DEFAULT_CONFIG.read_threads else f"kexie-read{threads}"
            )
            ex = _executors[threads] = ThreadPoolExecutor(threads, thread_name_prefix=prefix)
        return ex


def _forget_executors() -> None:
    # A forked child has none of the parent's threads: it starts its own pools when it reads.
    global _executors, _executors_lock
    _executors, _executors_lock = {}, threading.Lock()


os.register_at_fork(after_in_child=_forget_executors)


class Reads:
    """One caller's graph reads on the shared read threads, at most ``limit`` in flight (a
    batch's 200 discipline-inference reads must not take every thread, nor every core).

    Args:
        limit: reads in flight at most (at least 1).
        threads: the size of the shared pool to run on (:func:`shared_executor`).
    """

    def __init__(self, limit: int, threads: int = DEFAULT_CONFIG.read_threads) -> None:
        self._slots = threading.BoundedSemaphore(max(1, limit))
        self._threads = threads

    def submit(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> Future[_T]:
        self._slots.acquire()
        try:
            future = shared_executor(self._threads).submit(fn, *args, **kwargs)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        return future


def submit_fulltext(
    reads: Reads, driver: neo4j.Driver, q: Query, n_hits: int, database: str | None
) -> Future[list[S.EvidenceHit]] | None:
    """The fulltext index's first ``n_hits`` for ``q`` (None when it has no Lucene query)."""
    if not q.lucene:
        return None
    return reads.submit(S.fulltext_evidence_hits, driver, q.lucene, n_hits, database=database)


def submit_vector(
    reads: Reads, driver: neo4j.Driver, vec: list[float], n_hits: int, database: str | None
) -> Future[list[S.EvidenceHit]]:
    """The vector index's first ``n_hits`` for ``vec``."""
    return reads.submit(S.vector_evidence_hits, driver, vec, n_hits, database=database)


def pool(
    hits: list[S.EvidenceHit],
    ft_hits: list[S.EvidenceHit],
    vec: list[float] | None,
    weights: FusionWeights,
    calibration: Calibration,
    window: int,
) -> list[str]:
    """Candidates for a search, ordered by a cheap pre-score from the index hits alone.

    Pre-score: the calibrated cosine of a scientist's best vector hit, and their best fulltext
    hit's BM25 relative to the best in the list, weighted like the final fusion. Only the best
    ``window`` are scored in full — the full score is still the absolute one, so comparability
    holds; the pre-score only decides who is looked at.
    """
    dense: dict[str, float] = {}
    for h in hits:
        dense[h.scientist_id] = max(dense.get(h.scientist_id, 0.0), calibration.dense(h.score))
    lexical: dict[str, float] = {}
    top_bm25 = max((h.score for h in ft_hits), default=0.0) or 1.0
    for h in ft_hits:
        lexical[h.scientist_id] = max(lexical.get(h.scientist_id, 0.0), h.score / top_bm25)
    wd = weights.dense if vec is not None else 0.0
    wl = weights.lexical
    if wd + wl <= 0:
        wd = wl = 1.0
    pre = {
        sid: wd * dense.get(sid, 0.0) + wl * lexical.get(sid, 0.0)
        for sid in set(dense) | set(lexical)
    }
    order = sorted(pre, key=lambda sid: (-pre[sid], sid))
    return order[:window]


def candidate_parts(ids: list[str], config: RetrievalConfig) -> list[list[str]]:
    """``ids`` in up to ``config.read_parts`` parts of at least ``config.ids_per_part``."""
    parts = max(1, min(config.read_parts, len(ids) // config.ids_per_part))
    size = -(-len(ids) // parts)
    return [ids[a : a + size] for a in range(0, len(ids), size)]


def candidate_reader(
    driver: neo4j.Driver,
    vecs: list[list[float]],
    terms: Iterable[str],
    *,
    fingerprint: str,
    database: str | None,
) -> Callable[[list[str]], list[S.CandidateFacts]]:
    """What reads one part of the candidates (:func:`graph_schema.search.candidate_rows`)."""
    terms = list(terms)

    def one(part: list[str]) -> list[S.CandidateFacts]:
        return S.candidate_rows(
            driver, part, vecs=vecs, terms=terms, fingerprint=fingerprint, database=database
        )

    return one


def read_candidate_rows(
    one: Callable[[list[str]], list[S.CandidateFacts]], ids: list[str], config: RetrievalConfig
) -> list[S.CandidateFacts]:
    """The rows of ``ids`` read by ``one`` in :func:`candidate_parts` side by side (the first
    on this thread); rows keep the order of ``ids``."""
    if not ids:
        return []
    split = candidate_parts(ids, config)
    if len(split) <= 1:
        return one(ids)
    reads = Reads(len(split) - 1, config.read_threads)
    later = [reads.submit(one, part) for part in split[1:]]
    rows = one(split[0])
    for f in later:
        rows.extend(f.result())
    return rows


def submit_candidate_rows(
    one: Callable[[list[str]], list[S.CandidateFacts]], ids: list[str], config: RetrievalConfig
) -> Callable[[], list[S.CandidateFacts]]:
    """:func:`read_candidate_rows` with every part on the read threads: returns what waits
    for the rows."""
    split = candidate_parts(ids, config)
    reads = Reads(len(split), config.read_threads)
    parts = [reads.submit(one, part) for part in split]
    return lambda: [row for f in parts for row in f.result()]
