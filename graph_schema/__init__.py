"""The graph layer: labels, typed records, migrations, Cypher, import and typed reads.

Only this package speaks Cypher. Everything takes an injected ``neo4j.Driver``.
"""

from __future__ import annotations

from graph_schema.connection import open_driver
from graph_schema.errors import (
    GraphError,
    GraphUnavailableError,
    ImportFileError,
    MigrationError,
    NotFoundError,
)
from graph_schema.labels import Label, Rel
from graph_schema.loaders import ImportReport, Reject, import_path, load_records
from graph_schema.migrations import MIGRATIONS, apply_migrations, pending_migrations
from graph_schema.repository import GraphStats, clear_graph, graph_stats

__all__ = [
    "open_driver",
    "GraphError",
    "GraphUnavailableError",
    "ImportFileError",
    "MigrationError",
    "NotFoundError",
    "Label",
    "Rel",
    "ImportReport",
    "Reject",
    "import_path",
    "load_records",
    "MIGRATIONS",
    "apply_migrations",
    "pending_migrations",
    "GraphStats",
    "clear_graph",
    "graph_stats",
]
