"""The shared threads that run a search's graph reads (matcher.retrieval._Reads)."""

from __future__ import annotations

import threading
import time

import pytest

from matcher import retrieval


def test_reads_run_on_the_shared_threads_and_each_caller_keeps_its_limit() -> None:
    lock = threading.Lock()
    running = 0
    most = 0
    names: set[str] = set()

    def read(i: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            names.add(threading.current_thread().name)
        time.sleep(0.01)
        with lock:
            running -= 1
        return i * i

    reads = retrieval._Reads(3)
    futures = [reads.submit(read, i) for i in range(30)]
    assert [f.result(timeout=10) for f in futures] == [i * i for i in range(30)]
    assert most == 3  # never more than the caller's limit, and the limit is used
    assert names and all(n.startswith("kexie-read") for n in names)
    # Every slot came back: the same caller can run its limit again at once.
    again = [reads.submit(read, i) for i in range(3)]
    assert [f.result(timeout=10) for f in again] == [0, 1, 4]


def test_a_failed_read_raises_to_its_caller_and_frees_its_slot() -> None:
    def boom() -> None:
        raise ValueError("bad read")

    reads = retrieval._Reads(1)
    with pytest.raises(ValueError, match="bad read"):
        reads.submit(boom).result(timeout=10)
    assert reads.submit(lambda: 7).result(timeout=10) == 7


def test_the_read_threads_outlive_a_search_and_stay_within_the_cap() -> None:
    reads = retrieval._Reads(2)
    for _ in range(5):
        [f.result(timeout=10) for f in (reads.submit(time.sleep, 0.005) for _ in range(2))]
    before = {t.ident for t in threading.enumerate() if t.name.startswith("kexie-read")}
    for _ in range(50):
        [f.result(timeout=10) for f in (reads.submit(time.sleep, 0.001) for _ in range(2))]
    after = {t.ident for t in threading.enumerate() if t.name.startswith("kexie-read")}
    # The threads of earlier searches serve the later ones (a pool per search would have
    # ended them), and there are never more than the cap.
    assert before and before <= after
    assert len(after) <= retrieval._READ_THREADS
