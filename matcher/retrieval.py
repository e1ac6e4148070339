"""Hybrid expert retrieval over the graph: ``rank_experts``.

1. Candidates: the contributors of the evidence nearest to the query in the vector index and
   of the evidence the CJK fulltext index finds — or exactly the ``candidates`` the caller
   brings. (The nearest scientist profile vectors were a third source until they were
   measured to add nothing: ``benchmarks/README.md``, "Commit 2a20318 changed".)
2. Facts: for each candidate, in one query, their evidence (cosine to the query computed in
   the database), societies and grades, institution, district, disciplines, load, conflicts.
3. Scores: absolute component affinities fused with language-aware weights
   (:mod:`matcher.scoring`); filters decide eligibility; every result carries its explanation.

Query disciplines, when the caller gives none, are inferred from the disciplines of the
evidence the indexes find for the text — never from the candidate list, so a pair's score does
not depend on what else is ranked.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple, TypeVar

import neo4j
from pydantic import ValidationError

from graph_schema import search as S
from graph_schema import vectors as V
from matcher.embedding import Embedder
from matcher.errors import EmbeddingsStaleError, MatchValidationError
from matcher.scoring import (
    Calibration,
    FusionConfig,
    FusionWeights,
    fuse,
    score_candidate,
    weights_for,
)
from matcher.text import (
    TOKENIZER_VERSION,
    Lang,
    LexicalQuery,
    Tokenizer,
    bm25_item,
    detect_lang,
    display_term,
    is_word,
    matched_words,
)
from matcher.types import EvidenceExplanation, ExpertFilters, ExpertResult, Explanation, Mode

__all__ = ["ExpertMatcher", "rank_experts"]

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

MAX_TEXT = 10_000
MAX_CANDIDATES = 5_000
#: Terms of a text sent to the fulltext index (its BM25 finds candidates; scoring uses all).
_QUERY_TERMS = 32
#: Distinct terms of a text that scoring weighs (a pasted paper has a few hundred).
_SCORED_TERMS = 256
#: Query words an explanation lists as found nowhere in the expert's evidence.
_UNMATCHED_SHOWN = 8
#: A result is flagged low-confidence when its lexical affinity is below ``LOW_LEXICAL`` (about
#: no more of the text's words found than chance gives) and its dense affinity below
#: ``LOW_DENSE`` (no closer in meaning than a text is to unrelated work: a cosine under the
#: background's mean + 1 spread). `kexie eval --benchmark` reports how many real queries' best
#: expert is flagged and which of its control texts ("！！！", the weather, a pasta recipe…)
#: are (benchmarks README, "Low confidence"); 0.05 let short chit-chat through, 0.1 flagged a
#: few real titles.
LOW_LEXICAL: Final = 0.08
LOW_DENSE: Final = 0.5
_VEC_CACHE = 512
#: Query vectors per candidate read (each item's cosine to each travels back).
_VECS_PER_READ = 16
#: A candidate read is split in up to ``_READ_PARTS`` parts of at least ``_IDS_PER_PART``
#: scientists, read side by side (one Cypher query runs on one core; the server has more).
_IDS_PER_PART = 20
_READ_PARTS = 2
#: Index hits read per search at least (disciplines are inferred from them).
_MIN_HITS = 200
#: Hits of each index that discipline inference reads (:meth:`ExpertMatcher._infer_disciplines`),
#: and the vector hits asked for when they serve inference alone: twice as many, as the index is
#: approximate (ad hoc `kexie eval` runs at size 100: asking for 30 cost 0.002 of Chinese
#: nDCG@10, 60 cost nothing).
_INFER_HITS = 30
_INFER_VECTOR_HITS = 2 * _INFER_HITS
#: ``search_with``'s default for an ``also`` text: the disciplines of the searched text.
_AS_TEXT: Final = object()
#: Threads that run the graph reads of every search in this process, kept between searches.
#: A search used to start a pool of its own, two or three threads, and each ``Thread.start``
#: waits until the new thread holds the GIL (up to ~3 ms under cProfile on a busy machine; at
#: size 100 the time outside a search's named phases fell 12.1 → 10.7 ms p50 in process:
#: ``benchmarks/search_phases.py``, benchmarks README). The tasks are leaf reads (they never
#: wait on another task), so a bounded pool cannot deadlock; each caller bounds its own reads
#: in flight (:class:`_Reads`).
_READ_THREADS = 32
_read_executor: ThreadPoolExecutor | None = None
_read_executor_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _read_executor
    with _read_executor_lock:
        if _read_executor is None:
            _read_executor = ThreadPoolExecutor(_READ_THREADS, thread_name_prefix="kexie-read")
        return _read_executor


def _forget_executor() -> None:
    # A forked child has none of the parent's threads: it starts its own pool when it reads.
    global _read_executor, _read_executor_lock
    _read_executor, _read_executor_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_executor)


class _Reads:
    """One caller's graph reads on the shared read threads, at most ``limit`` in flight (a
    batch's 200 discipline-inference reads must not take every thread, nor every core)."""

    def __init__(self, limit: int) -> None:
        self._slots = threading.BoundedSemaphore(max(1, limit))

    def submit(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> Future[_T]:
        self._slots.acquire()
        try:
            future = _executor().submit(fn, *args, **kwargs)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        return future


_GRADE_RANK = S.GRADE_RANK


@dataclass
class _Corpus:
    n_docs: int
    df: dict[str, int]
    calibration: Calibration
    fingerprint: str | None
    loaded_at: float
    #: Discipline code → name, filled as codes are met; dropped with the snapshot.
    names: dict[str, str]
    #: Mean evidence length in terms (BM25's length normalisation).
    avgdl: float = 1.0
    #: The tokenizer the stored terms were made with (its user dictionary included).
    tokenizer: Tokenizer = field(default_factory=Tokenizer)


@dataclass(frozen=True)
class _Query:
    """A text as retrieval reads it: language, weighted query terms, fusion weights."""

    text: str
    lang: Lang
    lexical: LexicalQuery
    weights: FusionWeights
    #: The fulltext query ('' in dense mode or without usable words).
    lucene: str

    @property
    def qweights(self) -> Mapping[str, float]:
        """Each scored term's BM25 weight (query term frequency × idf); read-only, shared."""
        return self.lexical.weights

    def item_lexical(self, terms: Sequence[str], dl: int) -> float:
        """BM25 of an item holding ``terms`` (the query's, with repeats) in ``dl`` terms."""
        counts: dict[str, int] = {}
        for t in terms:
            counts[t] = counts.get(t, 0) + 1
        return bm25_item(self.lexical, counts, dl)

    @property
    def words(self) -> list[str]:
        """The text's words that scoring weighs, heaviest first (what explanations show)."""
        w = self.lexical.weights
        return sorted((t for t in w if is_word(t)), key=lambda t: (-w[t], t))

    @property
    def scores_dense(self) -> bool:
        """Whether its dense part has a weight: not in lexical mode, nor in a language the
        model does not cover (its vector then serves discipline inference only)."""
        return self.weights.dense > 0


def _lucene(tokens: Iterable[str]) -> str:
    """A Lucene OR-query of quoted terms (terms are letters/digits/CJK; quotes escaped anyway)."""
    terms = []
    for t in tokens:
        clean = t.replace("\\", "").replace('"', "")
        if clean:
            terms.append(f'"{clean}"')
    return " OR ".join(terms)


def _text_match(components: Mapping[str, float], used: Mapping[str, float]) -> float:
    """How well the text itself matched: the dense and lexical affinities by their fusion
    weights (discipline and graph left out: a senior scientist of the inferred discipline is no
    match for a text none of whose words nor meaning they share)."""
    parts = {k: used[k] for k in ("dense", "lexical") if used.get(k, 0.0) > 0 and k in components}
    total = sum(parts.values())
    return sum(w * components[k] for k, w in parts.items()) / total if total > 0 else 0.0


def _declared(facts: Iterable[S.CandidateFacts]) -> set[str]:
    """The discipline codes the scientists declare (their names go into the explanations)."""
    return {c for f in facts for c in f.facts.get("disciplines") or ()}


class Found(NamedTuple):
    """What :meth:`ExpertMatcher.search_with` found."""

    results: list[ExpertResult]
    #: Per ``also`` text, the same experts' results for it.
    also: list[list[ExpertResult]]
    #: Discipline codes of the search: given, or inferred from the text (may be empty).
    disciplines: set[str]


class ExpertMatcher:
    """Ranks scientists for a text. Holds the injected driver and embedder; stateless otherwise
    (corpus statistics are cached for ``stats_ttl`` seconds).

    Args:
        driver: an open Neo4j driver.
        embedder: the configured embedder (must match the graph's vectors).
        database: Neo4j database name.
        config: fusion weights.

    Example::

        m = ExpertMatcher(driver, SentenceTransformerEmbedder())
        for r in m.rank_experts("动力电池热管理", k=5):
            print(r.scientist_id, r.score, r.explanation.evidence[0].title)
    """

    def __init__(
        self,
        driver: neo4j.Driver,
        embedder: Embedder | None,
        *,
        database: str | None = None,
        config: FusionConfig | None = None,
        stats_ttl: float = 60.0,
        pool: int = 40,
    ) -> None:
        self.driver = driver
        self.embedder = embedder
        self.database = database
        self.config = config or FusionConfig()
        self.stats_ttl = stats_ttl
        self.pool = pool
        self._corpus: _Corpus | None = None
        self._vec_cache: OrderedDict[tuple[str, str], list[float]] = OrderedDict()
        self._vec_lock = threading.Lock()
        #: One tokenizer per user dictionary met (jieba's dictionary loads once per tokenizer).
        self._tokenizers: dict[tuple[str, ...], Tokenizer] = {}

    # -- corpus statistics -------------------------------------------------------------------
    def corpus(self) -> _Corpus:
        now = time.monotonic()
        if self._corpus is None or now - self._corpus.loaded_at > self.stats_ttl:
            snap = V.read_corpus_snapshot(self.driver, database=self.database)
            state = V.read_state(self.driver, database=self.database)
            cal = (
                Calibration(state.background_mean, state.background_std) if state else Calibration()
            )
            tokenizer = self._tokenizers.get(snap.user_words)
            if tokenizer is None:
                tokenizer = self._tokenizers[snap.user_words] = Tokenizer(snap.user_words)
            if snap.n_docs and snap.tokenizer != tokenizer.version():
                made_by = snap.tokenizer or "of an older release"
                raise EmbeddingsStaleError(
                    f"the graph's lexical terms were made by tokenizer {made_by}, this release "
                    f"uses {TOKENIZER_VERSION}: run `kexie embed`"
                )
            self._corpus = _Corpus(
                snap.n_docs,
                snap.df,
                cal,
                state.fingerprint if state else None,
                now,
                {},
                avgdl=snap.avgdl,
                tokenizer=tokenizer,
            )
        return self._corpus

    def _discipline_names(self, corpus: _Corpus, codes: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(codes))
        missing = [c for c in wanted if c not in corpus.names]
        if missing:
            found = S.discipline_names(self.driver, missing, database=self.database)
            corpus.names.update({c: found.get(c, c) for c in missing})
        return {c: corpus.names[c] for c in wanted}

    def _check_fingerprint(self) -> str:
        assert self.embedder is not None
        corpus = self.corpus()
        fp = self.embedder.fingerprint()
        if corpus.fingerprint != fp:
            raise EmbeddingsStaleError(
                f"the graph's vectors were made by {corpus.fingerprint or 'no model'}, the configured "
                f"model is {fp}: run `kexie embed`"
            )
        return fp

    def _query_vectors(self, texts: Sequence[str], mode: Mode) -> list[list[float] | None]:
        """Query vectors of ``texts`` (None in lexical mode or without an embedder). Recent
        ones come from a small cache keyed by model and text: a panel's quota groups, a team's
        pool and a swap embed the same text again."""
        if mode == "lexical" or self.embedder is None or not texts:
            return [None] * len(texts)
        fp = self._check_fingerprint()
        out: list[list[float] | None] = []
        with self._vec_lock:
            cached = [self._vec_cache.get((fp, t)) for t in texts]
        todo = list(dict.fromkeys(t for t, v in zip(texts, cached, strict=True) if v is None))
        fresh: dict[str, list[float]] = {}
        if todo:
            mat = self.embedder.embed_queries(todo)
            fresh = {t: [float(x) for x in row] for t, row in zip(todo, mat, strict=True)}
            with self._vec_lock:
                for t, fv in fresh.items():
                    self._vec_cache[(fp, t)] = fv
                    self._vec_cache.move_to_end((fp, t))
                while len(self._vec_cache) > _VEC_CACHE:
                    self._vec_cache.popitem(last=False)
        for t, cv in zip(texts, cached, strict=True):
            out.append(cv if cv is not None else fresh[t])
        return out

    # -- public ------------------------------------------------------------------------------
    def rank_experts(
        self,
        text: str,
        *,
        candidates: Sequence[str] | None = None,
        filters: ExpertFilters | Mapping[str, Any] | None = None,
        k: int = 10,
        disciplines: Sequence[str] | None = None,
        mode: Mode = "hybrid",
        include_ineligible: bool = False,
        rerank: int | None = None,
    ) -> list[ExpertResult]:
        """Rank scientists by how well what they know fits ``text``, and say why.

        Args:
            text: a demand, topic or search, in Chinese, English or both.
            candidates: score exactly these scientist ids and return every one of them (those
                failing a filter come back with ``eligible=False`` and the reasons).
            filters: who may be recommended (:class:`ExpertFilters` or a dict of its fields).
            k: how many to return when searching (ignored with ``candidates``).
            disciplines: discipline codes of the request; inferred from the text when omitted.
            mode: ``hybrid`` (default), or ``dense`` / ``lexical`` alone (for evaluation).
            include_ineligible: when searching, return the best ``k`` whatever the filters say
                (those failing one carry ``eligible=False`` and the reasons), as formation
                needs to explain whom it left out.
            rerank: how many of the index hits (by a cheap pre-score) are scored in full;
                default ``max(pool, 4k)``. Never fewer than ``k``.

        Returns:
            Results by descending ``score`` (absolute affinity in [0, 1]).

        Raises:
            MatchValidationError: bad arguments (empty text, unknown candidate ids, bad filters).
            EmbeddingsStaleError: the graph's vectors were made by another model.
        """
        flt = self._validate(text, candidates, filters, k)
        if candidates is not None:
            return self.rank_candidates(
                [text], candidates, filters=[flt], disciplines=[disciplines], mode=mode
            )[0]
        return self.search_with(
            text,
            (),
            filters=flt,
            k=k,
            disciplines=disciplines,
            mode=mode,
            include_ineligible=include_ineligible,
            rerank=rerank,
        ).results

    def search_with(
        self,
        text: str,
        also: Sequence[str],
        *,
        filters: ExpertFilters | Mapping[str, Any] | None = None,
        k: int = 10,
        disciplines: Sequence[str] | None = None,
        also_disciplines: Sequence[Sequence[str] | None] | None = None,
        mode: Mode = "hybrid",
        include_ineligible: bool = False,
        rerank: int | None = None,
    ) -> Found:
        """:meth:`rank_experts` for ``text``, and for each of ``also`` what
        :meth:`rank_candidates` returns on the experts found.

        For a team's pool and skills: the skills are embedded while the index reads for the
        demand run, and scored on the experts kept in one more read (up to 15 texts a read),
        on the demand's disciplines unless told otherwise — no index reads of their own.

        Args:
            also: more texts (a team's skills), scored on the experts ``text`` finds.
            also_disciplines: one list of codes (or None: infer from that text) per ``also``;
                default: every ``also`` text takes ``text``'s disciplines (given or inferred),
                as a team's skills are parts of its demand.
            Others: as :meth:`rank_experts`.

        Returns:
            :class:`Found`: the results for ``text``; per ``also`` text the same experts'
            results for it, by descending ``score``; the disciplines the search used.
        """
        flt = self._validate(text, None, filters, k)
        also = list(also)
        also_flts = [self._validate(t, None, flt, 1) for t in also]
        per_disc: list[Any] = (
            list(also_disciplines) if also_disciplines is not None else [_AS_TEXT] * len(also)
        )
        if len(per_disc) != len(also):
            raise MatchValidationError(
                [{"loc": ["also_disciplines"], "msg": "give one discipline list per text"}]
            )
        q = self._query(text, mode)
        also_q = [self._query(t, mode) for t in also]
        corpus = self.corpus()
        # The index reads are independent round trips: the fulltext read runs while the query
        # is embedded, then the vector read beside it.
        window = max(self.pool, 4 * k) if rerank is None else max(k, rerank)
        # Index hits: 200 at least (disciplines are inferred from them), 10 per result asked
        # for, but no more than 3 per candidate scored in full (an item has ~3 contributors).
        n_hits = max(_MIN_HITS, min(10 * k, 3 * window))
        index_reads = _Reads(2)
        ft_future = self._submit_fulltext(index_reads, q, n_hits)
        vec = self._query_vectors([text], mode)[0]
        vec_future: Future[list[S.EvidenceHit]] | None = None
        if vec is not None:
            # Where the dense part has no weight (a language the model does not cover),
            # the vector hits serve discipline inference only, which reads the first few.
            n_vec = n_hits if q.scores_dense else _INFER_VECTOR_HITS
            vec_future = index_reads.submit(
                S.vector_evidence_hits, self.driver, vec, n_vec, database=self.database
            )
        early = self._read_candidates_early(q, vec, vec_future, ft_future, corpus, window)
        # The other texts are embedded while the index reads run (apart: in one batch,
        # short skills would be padded to the length of a long demand).
        vecs = [vec, *self._query_vectors(also, mode)]
        hits = vec_future.result() if vec_future else []
        ft_hits = ft_future.result() if ft_future else []
        query_disciplines, inferred = set(disciplines or []), False
        # A text without a single term ("！！！") says nothing to infer disciplines from.
        if not query_disciplines and mode == "hybrid" and q.lexical.weights:
            query_disciplines = self._infer_disciplines(hits, ft_hits)
            inferred = bool(query_disciplines)
        ids = self._pool(hits, ft_hits, vec, q.weights, corpus.calibration, window)
        # The experts found are read with the text's vector; the ``also`` texts' vectors go in
        # later reads of the experts kept only (each cosine is computed in Neo4j, and the
        # window holds twice to four times the experts kept). Cosines are read only for texts
        # whose dense part has a weight.
        if not q.scores_dense:
            vec = None
        also_vec = [
            i for i in range(1, len(vecs)) if vecs[i] is not None and also_q[i - 1].scores_dense
        ]
        chunks = [also_vec[a : a + _VECS_PER_READ] for a in range(0, len(also_vec), _VECS_PER_READ)]
        chunks = chunks or [[]]
        slot = {i: (c, pos) for c, chunk in enumerate(chunks) for pos, i in enumerate(chunk)}

        def read(
            chunk: list[int], who: list[str], qs: Sequence[_Query]
        ) -> dict[str, S.CandidateFacts]:
            rows = self._candidate_rows(
                who,
                [vecs[i] for i in chunk],  # type: ignore[misc]
                {t: 1.0 for qq in qs for t in qq.qweights},
            )
            return {f.id: f for f in rows}

        chunk0 = [0] if vec is not None else []
        if early is None:
            facts = list(read(chunk0, ids, [q]).values())
        else:  # the pool takes the early rows of those it kept and reads the others
            pool = set(ids)
            have = {f.id: f for f in early() if f.id in pool}
            missing = [i for i in ids if i not in have]
            have |= read(chunk0, missing, [q]) if missing else {}
            facts = [have[i] for i in ids if i in have]
        names = self._discipline_names(corpus, query_disciplines | _declared(facts))
        results = [
            self._result(
                f.for_query(0 if vec is not None else None, q.qweights, q.item_lexical),
                q,
                query_disciplines,
                inferred,
                corpus.calibration,
                flt,
                names,
            )
            for f in facts
        ]
        results.sort(key=lambda r: (-r.score, r.scientist_id))
        kept = (results if include_ineligible else [r for r in results if r.eligible])[:k]
        if not also:
            return Found(kept, [], query_disciplines)
        found = self._infer_for(
            also_q,
            vecs[1:],
            [i for i, d in enumerate(per_disc) if d is not _AS_TEXT and not d],
            mode,
        )
        kept_ids = [r.scientist_id for r in kept]
        reads = [read(chunk, kept_ids, also_q) for chunk in chunks]
        out: list[list[ExpertResult]] = []
        for j, qq in enumerate(also_q):
            c, at = slot.get(j + 1, (0, None))
            if j in found:
                qd, inf = found[j], bool(found[j])
            elif per_disc[j] is _AS_TEXT:
                qd, inf = query_disciplines, inferred
            else:
                qd, inf = set(per_disc[j] or []), False
            names_j = self._discipline_names(corpus, qd | _declared(reads[0].values()))
            scored = [
                self._result(
                    reads[c][r.scientist_id].for_query(at, qq.qweights, qq.item_lexical),
                    qq,
                    qd,
                    inf,
                    corpus.calibration,
                    also_flts[j],
                    names_j,
                )
                for r in kept
            ]
            scored.sort(key=lambda r: (-r.score, r.scientist_id))
            out.append(scored)
        return Found(kept, out, query_disciplines)

    def _read_candidates_early(
        self,
        q: _Query,
        vec: list[float] | None,
        vec_future: Future[list[S.EvidenceHit]] | None,
        ft_future: Future[list[S.EvidenceHit]] | None,
        corpus: _Corpus,
        window: int,
    ) -> Callable[[], list[S.CandidateFacts]] | None:
        """Start reading candidates before the vector hits are in: the fulltext hits' best
        ``window`` (by their lexical pre-score), beside the vector read. The pool, once drawn,
        keeps the rows of those it holds and reads only the others; each row is what the full
        read gives, so the results are the same.

        Where the dense part has no weight (a language the model does not cover) the vector
        hits rank after every fulltext hit: these are the pool whenever they fill it. Elsewhere
        they are a guess, not made when the vector hits are in already (the pool can be drawn
        at once); at size 100 it was the whole pool for each of the bench's 100 texts, English
        ones included (``python -m benchmarks.search_phases --size 100`` counts the rows read
        before and after the pool). Returns what waits for the rows, or None (no fulltext
        read)."""
        if q.weights.lexical <= 0 or ft_future is None:
            return None
        ft_hits = ft_future.result()
        if q.scores_dense and (vec_future is None or vec_future.done()):
            return None
        ids = self._pool([], ft_hits, None, q.weights, corpus.calibration, window)
        if not ids:
            return None
        vecs = [vec] if q.scores_dense and vec is not None else []
        return self._submit_candidate_rows(ids, vecs, q.qweights)

    def _infer_for(
        self,
        queries: Sequence[_Query],
        vecs: Sequence[list[float] | None],
        which: list[int],
        mode: Mode,
    ) -> dict[int, set[str]]:
        """Disciplines of the texts ``which`` that bring none, from the evidence the indexes find
        for each text (never from the candidates); those global reads overlap."""
        which = [i for i in which if queries[i].lexical.weights]
        if not which or mode != "hybrid":
            return {}
        found: dict[int, set[str]] = {}
        reads = _Reads(min(4, 2 * len(which)))
        futures = {}
        for i in which:
            vec = vecs[i]
            # BM25 is exact: its first hits are those of a longer list. The vector index is
            # approximate: a text whose dense part has a weight keeps its longer search.
            n_vec = _MIN_HITS if queries[i].scores_dense else _INFER_VECTOR_HITS
            futures[i] = (
                self._submit_fulltext(reads, queries[i], _INFER_HITS),
                reads.submit(
                    S.vector_evidence_hits, self.driver, vec, n_vec, database=self.database
                )
                if vec is not None
                else None,
            )
        for i, (ft, vf) in futures.items():
            found[i] = self._infer_disciplines(vf.result() if vf else [], ft.result() if ft else [])
        return found

    def rank_candidates(
        self,
        texts: Sequence[str],
        candidates: Sequence[str],
        *,
        filters: Sequence[ExpertFilters | Mapping[str, Any] | None]
        | ExpertFilters
        | Mapping[str, Any]
        | None = None,
        disciplines: Sequence[Sequence[str] | None] | None = None,
        mode: Mode = "hybrid",
    ) -> list[list[ExpertResult]]:
        """Score the same ``candidates`` for several texts at once (a team's skills, a batch's
        demands): each result is exactly what ``rank_experts(text, candidates=…)`` returns,
        but the candidates' graph facts and evidence are read once for all texts.

        Args:
            texts: the texts, each scored on its own.
            candidates: scientist ids, all returned for every text.
            filters: one filter for all texts, or one per text.
            disciplines: one list of codes (or None: infer) per text; default: infer for all.
            mode: as :meth:`rank_experts`.

        Returns:
            Per text, its results by descending ``score``.

        Raises:
            MatchValidationError: bad arguments or unknown candidate ids.
            EmbeddingsStaleError: the graph's vectors were made by another model.
        """
        if isinstance(texts, str):
            raise MatchValidationError([{"loc": ["texts"], "msg": "texts must be a list"}])
        per_filter = (
            list(filters)
            if isinstance(filters, Sequence) and not isinstance(filters, str | Mapping)
            else [filters] * len(texts)
        )
        per_disc = list(disciplines) if disciplines is not None else [None] * len(texts)
        if len(per_filter) != len(texts) or len(per_disc) != len(texts):
            raise MatchValidationError(
                [{"loc": ["filters"], "msg": "give one filter and one discipline list per text"}]
            )
        flts = [self._validate(t, candidates, f, 1) for t, f in zip(texts, per_filter, strict=True)]
        if not texts:
            return []
        corpus = self.corpus()
        queries = [self._query(t, mode) for t in texts]
        vecs = self._query_vectors(list(texts), mode)
        ids = list(dict.fromkeys(candidates))

        need = [i for i, d in enumerate(per_disc) if not d]
        found = self._infer_for(queries, vecs, need, mode)

        # One candidate read per chunk of query vectors (each item's cosine to each travels back).
        with_vec = [i for i, v in enumerate(vecs) if v is not None and queries[i].scores_dense]
        chunks = [
            with_vec[a : a + _VECS_PER_READ] for a in range(0, len(with_vec), _VECS_PER_READ)
        ] or [[]]
        slot: dict[int, tuple[int, int | None]] = {}  # text → (chunk, position in it)
        for c, chunk in enumerate(chunks):
            for pos, i in enumerate(chunk):
                slot[i] = (c, pos)
        read: list[list[S.CandidateFacts]] = []
        for c, chunk in enumerate(chunks):
            terms = {
                t: 1.0
                for i, qq in enumerate(queries)
                if (i in chunk or (c == 0 and i not in slot))
                for t in qq.qweights
            }
            read.append(self._candidate_rows(ids, [vecs[i] for i in chunk], terms))  # type: ignore[misc]
        missing = sorted(set(ids) - {f.id for f in read[0]})
        if missing:
            raise MatchValidationError(
                [
                    {
                        "loc": ["candidates"],
                        "msg": f"unknown scientist ids: {', '.join(missing[:20])}",
                    }
                ]
            )
        out: list[list[ExpertResult]] = []
        for i, q in enumerate(queries):
            c, at = slot.get(i, (0, None))
            qd, inferred = set(per_disc[i] or []), False
            if i in found:
                qd, inferred = found[i], bool(found[i])
            names = self._discipline_names(corpus, qd | _declared(read[c]))
            results = [
                self._result(
                    f.for_query(at, q.qweights, q.item_lexical),
                    q,
                    qd,
                    inferred,
                    corpus.calibration,
                    flts[i],
                    names,
                )
                for f in read[c]
            ]
            results.sort(key=lambda r: (-r.score, r.scientist_id))
            out.append(results)
        return out

    # -- steps -------------------------------------------------------------------------------
    def _candidate_rows(
        self, ids: list[str], vecs: list[list[float]], terms: Iterable[str]
    ) -> list[S.CandidateFacts]:
        """:func:`graph_schema.search.candidate_rows`, in up to ``_READ_PARTS`` parts of at
        least ``_IDS_PER_PART`` scientists read side by side (the first on this thread); rows
        keep the order of ``ids``."""
        if not ids:
            return []
        split = self._candidate_parts(ids)
        one = self._candidate_reader(vecs, terms)
        if len(split) <= 1:
            return one(ids)
        reads = _Reads(len(split) - 1)
        later = [reads.submit(one, part) for part in split[1:]]
        rows = one(split[0])
        for f in later:
            rows.extend(f.result())
        return rows

    def _submit_candidate_rows(
        self, ids: list[str], vecs: list[list[float]], terms: Iterable[str]
    ) -> Callable[[], list[S.CandidateFacts]]:
        """:meth:`_candidate_rows` with every part on the read threads: returns what waits
        for the rows."""
        one = self._candidate_reader(vecs, terms)
        split = self._candidate_parts(ids)
        reads = _Reads(len(split))
        parts = [reads.submit(one, part) for part in split]
        return lambda: [row for f in parts for row in f.result()]

    @staticmethod
    def _candidate_parts(ids: list[str]) -> list[list[str]]:
        parts = max(1, min(_READ_PARTS, len(ids) // _IDS_PER_PART))
        size = -(-len(ids) // parts)
        return [ids[a : a + size] for a in range(0, len(ids), size)]

    def _candidate_reader(
        self, vecs: list[list[float]], terms: Iterable[str]
    ) -> Callable[[list[str]], list[S.CandidateFacts]]:
        terms = list(terms)
        fingerprint = self._fingerprint()

        def one(part: list[str]) -> list[S.CandidateFacts]:
            return S.candidate_rows(
                self.driver,
                part,
                vecs=vecs,
                terms=terms,
                fingerprint=fingerprint,
                database=self.database,
            )

        return one

    def _fingerprint(self) -> str:
        return self.embedder.fingerprint() if self.embedder else ""

    def _query(self, text: str, mode: Mode) -> _Query:
        lang = detect_lang(text)
        corpus = self.corpus()
        lexical = LexicalQuery.build(
            corpus.tokenizer.tokenize(text),
            corpus.df,
            corpus.n_docs,
            corpus.avgdl,
            max_terms=_SCORED_TERMS,
        )
        top_terms = list(lexical.weights)[:_QUERY_TERMS]
        return _Query(
            text=text,
            lang=lang,
            lexical=lexical,
            weights=self._weights(mode, lang),
            lucene=_lucene(self._lucene_words(text, top_terms)) if mode != "dense" else "",
        )

    def _submit_fulltext(
        self, reads: _Reads, q: _Query, n_hits: int
    ) -> Future[list[S.EvidenceHit]] | None:
        if not q.lucene:
            return None
        return reads.submit(
            S.fulltext_evidence_hits, self.driver, q.lucene, n_hits, database=self.database
        )

    def _validate(
        self,
        text: str,
        candidates: Sequence[str] | None,
        filters: ExpertFilters | Mapping[str, Any] | None,
        k: int,
    ) -> ExpertFilters:
        errors: list[dict[str, Any]] = []
        if not isinstance(text, str) or not text.strip():
            errors.append({"loc": ["text"], "msg": "text must not be empty"})
        elif len(text) > MAX_TEXT:
            errors.append({"loc": ["text"], "msg": f"text longer than {MAX_TEXT} characters"})
        if not 1 <= k <= 500:
            errors.append({"loc": ["k"], "msg": "k must be between 1 and 500"})
        if candidates is not None:
            if isinstance(candidates, str) or not all(isinstance(c, str) and c for c in candidates):
                errors.append(
                    {"loc": ["candidates"], "msg": "candidates must be a list of scientist ids"}
                )
            elif len(candidates) > MAX_CANDIDATES:
                errors.append(
                    {"loc": ["candidates"], "msg": f"at most {MAX_CANDIDATES} candidates"}
                )
        flt = ExpertFilters()
        if isinstance(filters, ExpertFilters):
            flt = filters
        elif filters is not None:
            try:
                flt = ExpertFilters.model_validate(dict(filters))
            except ValidationError as exc:
                errors.extend(
                    {"loc": ["filters", *e["loc"]], "msg": e["msg"]}
                    for e in exc.errors(include_url=False)
                )
        if errors:
            raise MatchValidationError(errors)
        return flt

    @staticmethod
    def _lucene_words(text: str, top_terms: list[str]) -> list[str]:
        # The fulltext index holds unstemmed words: use the text's own Latin words and the
        # weightiest Chinese words and bigrams (a quoted word is a phrase of its bigrams there).
        import re

        latin = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9\-]{1,}", text)]
        cjk = [display_term(t) for t in top_terms if not t.isascii()]
        return list(dict.fromkeys(cjk + [w for w in latin if len(w) > 2]))[:_QUERY_TERMS]

    @staticmethod
    def _infer_disciplines(*hit_lists: list[S.EvidenceHit]) -> set[str]:
        votes: dict[str, float] = {}
        for hits in hit_lists:
            for rank, h in enumerate(hits[:30]):
                for code in h.disciplines:
                    votes[code] = votes.get(code, 0.0) + 1.0 / (rank + 5)
        if not votes:
            return set()
        ranked = sorted(votes.items(), key=lambda cv: (-cv[1], cv[0]))
        best = ranked[0][1]
        return {c for c, v in ranked[:2] if v >= 0.5 * best}

    def _pool(
        self,
        hits: list[S.EvidenceHit],
        ft_hits: list[S.EvidenceHit],
        vec: list[float] | None,
        weights: FusionWeights,
        calibration: Calibration,
        window: int,
    ) -> list[str]:
        """Candidates for a search, ordered by a cheap pre-score from the index hits alone.

        Pre-score: the calibrated cosine of a scientist's best vector hit, and their best
        fulltext hit's BM25 relative to the best in the list, weighted like the final fusion. Only the best ``window`` are scored in full — the full
        score is still the absolute one, so comparability holds; the pre-score only decides
        who is looked at.
        """
        dense: dict[str, float] = {}
        for h in hits:
            dense[h.scientist_id] = max(dense.get(h.scientist_id, 0.0), calibration.dense(h.score))
        lexical: dict[str, float] = {}
        top_bm25 = max((h.score for h in ft_hits), default=0.0) or 1.0
        for h in ft_hits:
            lexical[h.scientist_id] = max(lexical.get(h.scientist_id, 0.0), h.score / top_bm25)
        wd = weights.dense if vec is not None else 0.0
        wl = weights.lexical
        if wd + wl <= 0:
            wd = wl = 1.0
        pre = {
            sid: wd * dense.get(sid, 0.0) + wl * lexical.get(sid, 0.0)
            for sid in set(dense) | set(lexical)
        }
        order = sorted(pre, key=lambda sid: (-pre[sid], sid))
        return order[:window]

    def _weights(self, mode: Mode, lang: Lang) -> FusionWeights:
        if mode == "dense":
            return FusionWeights(dense=1.0, lexical=0.0, discipline=0.0, graph=0.0)
        if mode == "lexical":
            return FusionWeights(dense=0.0, lexical=1.0, discipline=0.0, graph=0.0)
        langs = self.embedder.languages if self.embedder else frozenset()
        return weights_for(self.config, lang, langs)

    def _result(
        self,
        row: S.CandidateRow,
        q: _Query,
        query_disciplines: set[str],
        inferred: bool,
        calibration: Calibration,
        flt: ExpertFilters,
        names: dict[str, str],
    ) -> ExpertResult:
        weights, lang = q.weights, q.lang
        sci_disc = set(row.disciplines) | set(row.evidence_disciplines)
        comps = score_candidate(
            row.evidence,
            lexical_query=q.lexical,
            query_disciplines=query_disciplines,
            scientist_disciplines=sci_disc,
            best_grade=row.best_grade,
            calibration=calibration,
            weights=weights,
            half_life=self.config.recency_half_life,
            feedback=row.feedback,
            union_terms=row.union_terms,
            evidence_years=row.evidence_years,
            profile_cos=row.profile_cos if q.scores_dense else None,
        )
        score, used = fuse(comps, weights)
        text_match = _text_match(comps.available(), used)
        words = q.words
        hit, miss = matched_words(words, comps.matched_terms)
        org = row.organizations[0] if row.organizations else {}
        facts = {
            "title": row.title,
            "institution": {k: org.get(k) for k in ("id", "name", "kind")} if org else None,
            "district": row.district,
            "societies": [
                {k: s.get(k) for k in ("id", "name", "grade", "role")} for s in row.societies
            ],
            "best_grade": row.best_grade,
            "disciplines": sorted(row.disciplines),
            "discipline_names": [
                {"code": c, "name": names.get(c, c)} for c in sorted(row.disciplines)
            ],
            "talent_kinds": row.talent_kinds,
            "birth_year": row.birth_year,
            "availability": row.availability,
            "active_teams": row.active_teams,
            "max_active_teams": row.max_active_teams,
            "evidence_count": len(row.evidence_years),
            "feedback": dict(row.feedback),
        }
        exclusions = tuple(self._exclusions(row, flt))
        explanation = Explanation(
            components={k: round(v, 4) for k, v in comps.available().items()},
            weights={k: round(v, 4) for k, v in used.items()},
            evidence=tuple(
                EvidenceExplanation(
                    m.id,
                    m.kind,
                    m.title,
                    m.year,
                    round(m.score, 4),
                    None if m.dense is None else round(m.dense, 4),
                    round(m.lexical, 4),
                    tuple(matched_words(words, m.matched_terms)[0]),
                )
                for m in comps.evidence
            ),
            matched_terms=tuple(hit),
            unmatched_terms=tuple(miss[:_UNMATCHED_SHOWN]),
            matched_disciplines=tuple(
                {"code": c, "name": names.get(c, c)} for c in comps.matched_disciplines
            ),
            query_disciplines_inferred=inferred,
            facts=facts,
            exclusions=exclusions,
            query_language=lang,
            text_match=round(text_match, 4),
            low_confidence=comps.lexical < LOW_LEXICAL
            and (comps.dense is None or comps.dense < LOW_DENSE),
        )
        return ExpertResult(
            scientist_id=row.id,
            name=row.name,
            score=round(score, 6),
            eligible=not exclusions,
            explanation=explanation,
            contact={"email": row.email, "phone": row.phone, "orcid": row.orcid},
        )

    @staticmethod
    def _exclusions(row: S.CandidateRow, flt: ExpertFilters) -> Iterable[str]:
        org_ids = {o.get("id") for o in row.organizations}
        org_districts = {o.get("district") for o in row.organizations} | {row.district}
        if row.id in flt.exclude_ids:
            yield "excluded by the request (conflict of interest)"
        hit = set(flt.conflict_with) & (org_ids | set(row.conflicts) | {row.id})
        if hit:
            yield f"conflict of interest with {', '.join(sorted(hit))}"
        if flt.districts and not (org_districts & set(flt.districts)):
            yield f"works outside the districts {', '.join(flt.districts)}"
        kinds = {o.get("kind") for o in row.organizations}
        if flt.institution_kinds and not (kinds & set(flt.institution_kinds)):
            yield f"institution kind not in {', '.join(flt.institution_kinds)}"
        if flt.institutions and not (org_ids & set(flt.institutions)):
            yield "institution not in the requested list"
        if flt.min_grade and _GRADE_RANK.get(row.best_grade or "", 0) < _GRADE_RANK[flt.min_grade]:
            yield f"grade {row.best_grade or 'none'} below {flt.min_grade}"
        if flt.talent_kinds and not (set(row.talent_kinds) & set(flt.talent_kinds)):
            yield f"none of the talent kinds {', '.join(flt.talent_kinds)}"
        if flt.age_min is not None or flt.age_max is not None:
            if row.birth_year is None:
                yield "age unknown"
            else:
                age = _dt.date.today().year - row.birth_year
                if flt.age_min is not None and age < flt.age_min:
                    yield f"age {age} below {flt.age_min}"
                if flt.age_max is not None and age > flt.age_max:
                    yield f"age {age} above {flt.age_max}"
        if row.availability not in flt.availability:
            yield f"availability {row.availability}"
        if flt.respect_load and row.active_teams >= row.max_active_teams:
            yield f"already on {row.active_teams} active teams (limit {row.max_active_teams})"


def rank_experts(
    text: str,
    *,
    driver: neo4j.Driver,
    embedder: Embedder | None,
    candidates: Sequence[str] | None = None,
    filters: ExpertFilters | Mapping[str, Any] | None = None,
    k: int = 10,
    disciplines: Sequence[str] | None = None,
    mode: Mode = "hybrid",
    database: str | None = None,
) -> list[ExpertResult]:
    """One-call form of :meth:`ExpertMatcher.rank_experts` (builds a matcher each call)."""
    return ExpertMatcher(driver, embedder, database=database).rank_experts(
        text, candidates=candidates, filters=filters, k=k, disciplines=disciplines, mode=mode
    )
