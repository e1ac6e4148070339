"""Deterministic demo data for Kexie Match (see ``docs/demo-data.md``).

Example:
    >>> from pathlib import Path
    >>> from kexie.demo import generate
    >>> summary = generate(Path("data/demo/import"), seed=42, scale=1)  # doctest: +SKIP
    >>> summary.truth_dir  # doctest: +SKIP
    PosixPath('data/demo/ground_truth')
"""

from __future__ import annotations

from kexie.demo._generator import BASE_ENTERPRISES, BASE_SCIENTISTS, GenerationSummary, generate

__all__ = ["generate", "GenerationSummary", "BASE_SCIENTISTS", "BASE_ENTERPRISES"]
