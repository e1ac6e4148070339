"""Draw docs/schema.png from the live graph: labels as nodes, relationship types as edges,
with the node count of each label (run after `kexie demo load`)."""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402

from api.config import get_settings  # noqa: E402
from graph_schema import graph_stats, open_driver  # noqa: E402
from graph_schema.bench_queries import relationship_patterns  # noqa: E402

SKIP = {
    "Enterprise",
    "University",
    "Institute",
    "Publication",
    "Project",
    "Patent",
    "Standard",
    "Award",
}


def main(out: Path) -> None:
    s = get_settings()
    with open_driver(s.uri, s.neo4j_user, s.password()) as driver:
        counts = graph_stats(driver).labels
        patterns = relationship_patterns(driver)

    def base(labels: list[str]) -> str | None:
        keep = [x for x in labels if x not in SKIP and not x.startswith("Kexie")]
        return keep[0] if keep else None

    g = nx.MultiDiGraph()
    edges: set[tuple[str, str, str]] = set()
    for p in patterns:
        a, b = base(list(p.start_labels)), base(list(p.end_labels))
        if a and b:
            edges.add((a, b, p.type))
    for a, b, t in sorted(edges):
        g.add_edge(a, b, label=t)
    pos = nx.kamada_kawai_layout(nx.Graph(g))
    fig, ax = plt.subplots(figsize=(13, 9))
    nx.draw_networkx_nodes(
        g, pos, node_size=2600, node_color="#cfe3f7", edgecolors="#2b6cb0", ax=ax
    )
    nx.draw_networkx_labels(
        g, pos, labels={n: f"{n}\n{counts.get(n, 0):,}" for n in g.nodes}, font_size=8, ax=ax
    )
    nx.draw_networkx_edges(
        g,
        pos,
        arrows=True,
        arrowsize=14,
        node_size=2600,
        edge_color="#718096",
        connectionstyle="arc3,rad=0.08",
        ax=ax,
    )
    labels: dict[tuple[str, str], str] = {}
    for a, b, t in sorted(edges):
        labels[(a, b)] = (labels.get((a, b), "") + "\n" + t).strip()
    nx.draw_networkx_edge_labels(g, pos, edge_labels=labels, font_size=6.5, ax=ax)
    ax.set_title("Kexie Match graph: labels (node counts of the demo graph) and relationship types")
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/schema.png"))
