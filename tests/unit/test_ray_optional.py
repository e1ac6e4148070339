"""Ray is an optional extra: the product imports without it, and the Ray engine says how to
install it. Run in a fresh interpreter where ``import ray`` fails, as on a plain install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

NO_RAY = "import sys; sys.modules['ray'] = None; sys.modules['ray.data'] = None\n"


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", NO_RAY + code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_product_imports_without_ray() -> None:
    out = _run(
        "import kexie.cli, api.main, matcher, matcher.indexing_ray\n"
        "print(matcher.indexing_ray.ray_available())"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_the_ray_engine_without_ray_names_the_install_command() -> None:
    out = _run(
        "from matcher.errors import EngineUnavailableError\n"
        "from matcher.indexing_ray import GraphTarget, RayEvidence\n"
        "try:\n"
        "    RayEvidence(GraphTarget('bolt://127.0.0.1:1', 'neo4j', 'x'), dict)\n"
        "except EngineUnavailableError as exc:\n"
        "    print(exc)\n"
    )
    assert out.returncode == 0, out.stderr
    assert "pip install -e '.[ray]'" in out.stdout
    assert "Ray" in out.stdout
