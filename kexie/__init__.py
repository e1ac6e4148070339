"""Kexie Match: the application layer (settings, the local Neo4j server, the CLI, the demo data).

Imports go one way: ``kexie`` -> ``api`` -> ``matcher`` -> ``graph_schema``.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
