"""Serve the real FastAPI app on loopback: with uvicorn in a process of its own (as the service
runs; what the benchmark and the load test measure), or in a background thread of this process
(tests that need the app's objects at hand)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

__all__ = ["free_port", "api_env", "serve_in_process", "serve_in_thread"]

_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def api_env(uri: str, user: str, password: str, database: str | None = None) -> dict[str, str]:
    """This process's environment (model, backend, …) with the API pointed at a Neo4j."""
    env = dict(os.environ)
    env.update(NEO4J_URI=uri, NEO4J_USER=user, NEO4J_PASSWORD=password)
    if database:
        env["NEO4J_DATABASE"] = database
    return env


@contextmanager
def serve_in_process(
    env: Mapping[str, str] | None = None, *, workers: int = 1, timeout: float = 300.0
) -> Iterator[str]:
    """Run ``uvicorn --factory api.main:create_app`` on ``http://127.0.0.1:<port>`` until the
    block ends; yield the base URL once ``/readyz`` answers 200 (driver open, model loaded).

    Args:
        env: the server's environment (default: this process's); see :func:`api_env`.
        workers: uvicorn worker processes.
        timeout: seconds to wait for readiness.

    Raises:
        RuntimeError: the server exited, or was not ready in time.
    """
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "api.main:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--workers",
            str(workers),
        ],
        cwd=_ROOT,
        env=dict(env if env is not None else os.environ),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the API process exited with {proc.returncode} before ready")
            try:
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{base} not ready after {timeout:g} s")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def serve_in_thread(
    app: FastAPI, *, port: int | None = None, timeout: float = 30.0
) -> Iterator[str]:
    """Run ``app`` on ``http://127.0.0.1:<port>`` until the block ends; yield the base URL.

    The lifespan runs (driver, model), as in production; uvicorn's access log is off so it does
    not weigh on the latencies measured.
    """
    port = port or free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_keep_alive=30,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn stopped before it started")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"uvicorn did not start on port {port} within {timeout} s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
