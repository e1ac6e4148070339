"""The shared threads that run a search's graph reads (matcher.retrieval_reads.Reads)."""

from __future__ import annotations

import threading
import time

import pytest

from matcher.retrieval_reads import Reads, shared_executor

#: Seconds a read waits for the others it must run beside before the test fails.
DEADLINE = 60.0


def test_reads_run_on_the_shared_threads_and_each_caller_keeps_its_limit() -> None:
    lock = threading.Lock()
    running = 0
    most = 0
    names: set[str] = set()
    limit = 3
    # The first ``limit`` reads answer only once all of them run at the same time: with fewer
    # slots the barrier breaks at the deadline and the test fails; no sleep decides it.
    together = threading.Barrier(limit, timeout=DEADLINE)

    def read(i: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            names.add(threading.current_thread().name)
        try:
            if i < limit:
                together.wait()
        finally:
            with lock:
                running -= 1
        return i * i

    reads = Reads(limit)
    futures = [reads.submit(read, i) for i in range(30)]
    assert [f.result(timeout=DEADLINE) for f in futures] == [i * i for i in range(30)]
    assert most == limit  # never more than the caller's limit, and the limit is used
    assert names and all(n.startswith("kexie-read") for n in names)
    # Every slot came back: the same caller can run its limit again at once.
    together.reset()
    again = [reads.submit(read, i) for i in range(limit)]
    assert [f.result(timeout=DEADLINE) for f in again] == [0, 1, 4]


def test_a_failed_read_raises_to_its_caller_and_frees_its_slot() -> None:
    def boom() -> None:
        raise ValueError("bad read")

    reads = Reads(1)
    with pytest.raises(ValueError, match="bad read"):
        reads.submit(boom).result(timeout=DEADLINE)
    assert reads.submit(lambda: 7).result(timeout=DEADLINE) == 7


def test_the_read_threads_outlive_a_search_and_stay_within_the_cap() -> None:
    threads = 3
    prefix = f"kexie-read{threads}_"  # the pool of this size (the service's has 32)

    def ours() -> set[int | None]:
        return {t.ident for t in threading.enumerate() if t.name.startswith(prefix)}

    reads = Reads(8, threads)  # a caller allowed more reads in flight than the pool has threads
    for _ in range(5):
        [f.result(timeout=DEADLINE) for f in [reads.submit(time.sleep, 0.001) for _ in range(8)]]
    before = ours()
    for _ in range(50):
        [f.result(timeout=DEADLINE) for f in [reads.submit(time.sleep, 0.001) for _ in range(8)]]
    after = ours()
    # The threads of earlier searches serve the later ones (a pool per search would have
    # ended them), and there are never more than the cap.
    assert before and before <= after
    assert len(after) <= threads
    assert shared_executor(threads) is shared_executor(threads)
