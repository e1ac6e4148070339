"""Benchmarks and reliability tools of Kexie Match: measured, each figure beside a baseline.

* :mod:`benchmarks.run` — ``kexie bench run --size S``: import, embedding, vector index recall
  and latency, HTTP latency of every recommending endpoint, solver baselines, sizing; writes
  ``benchmarks/results/bench-<size>.md`` and ``.json``.
* :mod:`benchmarks.load` — concurrent mixed read/write traffic over loopback, with a check that
  every write answered 2xx is in the graph afterwards.
* :mod:`benchmarks.server` — the real app served by uvicorn in a thread on 127.0.0.1.

Nothing here is imported by ``api``, ``matcher`` or ``graph_schema``.
"""
