"""Benchmarks and reliability tools of Kexie Match: measured, each figure beside a baseline.

* :mod:`benchmarks.cli` — ``python -m benchmarks run --size S`` and ``python -m benchmarks
  formation``: the command line of the benchmarks.
* :mod:`benchmarks.run` — runs the measured report: import, embedding, vector index recall and
  latency, HTTP latency of every recommending endpoint, solver baselines, sizing; writes
  ``benchmarks/results/bench-<size>.md`` and ``.json``.
* :mod:`benchmarks.load` — concurrent mixed read/write traffic over loopback, with a check that
  every write answered 2xx is in the graph afterwards.
* :mod:`benchmarks.server` — the real app served by uvicorn in a thread on 127.0.0.1.

Benchmarks sit above the product: nothing in ``kexie``, ``api``, ``matcher`` or
``graph_schema`` imports them (an import-linter contract in ``pyproject.toml`` says so).
"""
