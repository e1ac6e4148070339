"""Typed reads of the graph that the CLI, the matcher and the API share."""

from __future__ import annotations

from dataclasses import dataclass

import neo4j

from graph_schema import queries as Q
from graph_schema.errors import translate

__all__ = ["GraphStats", "graph_stats", "clear_graph"]


@dataclass(frozen=True)
class GraphStats:
    """Node count per label and relationship count per type."""

    labels: dict[str, int]
    relationships: dict[str, int]

    @property
    def nodes(self) -> int:
        # Nodes carry several labels (Organization + Enterprise); count the base labels once.
        return sum(
            n
            for label, n in self.labels.items()
            if label
            not in {
                "Enterprise",
                "University",
                "Institute",
                "Publication",
                "Project",
                "Patent",
                "Standard",
                "Award",
            }
        )

    @property
    def total_relationships(self) -> int:
        return sum(self.relationships.values())


def graph_stats(driver: neo4j.Driver, *, database: str | None = None) -> GraphStats:
    """Count nodes per label and relationships per type (one scan each)."""
    read = neo4j.RoutingControl.READ
    with translate():
        labels = driver.execute_query(Q.COUNT_LABELS, database_=database, routing_=read).records
        rels = driver.execute_query(Q.COUNT_REL_TYPES, database_=database, routing_=read).records
    return GraphStats(
        labels={r["label"]: r["count"] for r in sorted(labels, key=lambda r: r["label"])},
        relationships={r["type"]: r["count"] for r in sorted(rels, key=lambda r: r["type"])},
    )


def clear_graph(
    driver: neo4j.Driver, *, database: str | None = None, keep_schema_records: bool = True
) -> None:
    """Delete every node and relationship (in batches). Indexes and constraints stay.

    With ``keep_schema_records`` the migration records stay too, so the schema stays "current".
    """
    query = Q.CLEAR_GRAPH_KEEP_MIGRATIONS if keep_schema_records else Q.CLEAR_GRAPH
    with translate(), driver.session(database=database) as session:
        session.run(query).consume()
