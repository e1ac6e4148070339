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

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from typing import Any, Final, NamedTuple

import neo4j

from graph_schema import search as S
from graph_schema import vectors as V
from matcher.embedding import Embedder
from matcher.errors import EmbeddingsStaleError, MatchValidationError
from matcher.retrieval_config import DEFAULT_CONFIG, RetrievalConfig
from matcher.retrieval_explain import exclusions, expert_result
from matcher.retrieval_query import (
    Corpus,
    Query,
    fusion_weights,
    infer_disciplines,
    plan_query,
    validate,
)
from matcher.retrieval_reads import (
    Reads,
    candidate_reader,
    pool,
    read_candidate_rows,
    submit_candidate_rows,
    submit_fulltext,
    submit_vector,
)
from matcher.scoring import Calibration, FusionWeights
from matcher.text import TOKENIZER_VERSION, Lang, Tokenizer
from matcher.types import ExpertFilters, ExpertResult, Mode

__all__ = ["ExpertMatcher", "Found", "RetrievalConfig", "rank_experts"]

logger = logging.getLogger(__name__)

#: ``search_with``'s default for an ``also`` text: the disciplines of the searched text.
_AS_TEXT: Final = object()


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
        config: the retrieval settings (:class:`RetrievalConfig`: fusion weights, read sizes,
            confidence flags); default: those the service runs with.
        stats_ttl: seconds the corpus statistics are kept.
        pool: candidates scored in full per search at least (``rerank`` overrides).

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
        config: RetrievalConfig | None = None,
        stats_ttl: float = 60.0,
        pool: int = 40,
    ) -> None:
        self.driver = driver
        self.embedder = embedder
        self.database = database
        self.config = config or DEFAULT_CONFIG
        self.stats_ttl = stats_ttl
        self.pool = pool
        self._corpus: Corpus | None = None
        self._vec_cache: OrderedDict[tuple[str, str], list[float]] = OrderedDict()
        self._vec_lock = threading.Lock()
        #: One tokenizer per user dictionary met (jieba's dictionary loads once per tokenizer).
        self._tokenizers: dict[tuple[str, ...], Tokenizer] = {}

    # -- corpus statistics -------------------------------------------------------------------
    def corpus(self) -> Corpus:
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
            self._corpus = Corpus(
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

    def _discipline_names(self, corpus: Corpus, codes: Iterable[str]) -> dict[str, str]:
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
                while len(self._vec_cache) > self.config.vec_cache:
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
        cfg = self.config
        n_hits = max(cfg.min_hits, min(10 * k, 3 * window))
        index_reads = Reads(2, cfg.read_threads)
        ft_future = submit_fulltext(index_reads, self.driver, q, n_hits, self.database)
        vec = self._query_vectors([text], mode)[0]
        vec_future: Future[list[S.EvidenceHit]] | None = None
        if vec is not None:
            # Where the dense part has no weight (a language the model does not cover),
            # the vector hits serve discipline inference only, which reads the first few.
            n_vec = n_hits if q.scores_dense else cfg.infer_vector_hits
            vec_future = submit_vector(index_reads, self.driver, vec, n_vec, self.database)
        early = (
            self._read_candidates_early(q, vec, vec_future, ft_future, corpus, window)
            if cfg.read_early
            else None
        )
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
        per_read = cfg.vecs_per_read
        chunks = [also_vec[a : a + per_read] for a in range(0, len(also_vec), per_read)]
        chunks = chunks or [[]]
        slot = {i: (c, pos) for c, chunk in enumerate(chunks) for pos, i in enumerate(chunk)}

        def read(
            chunk: list[int], who: list[str], qs: Sequence[Query]
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
        q: Query,
        vec: list[float] | None,
        vec_future: Future[list[S.EvidenceHit]] | None,
        ft_future: Future[list[S.EvidenceHit]] | None,
        corpus: Corpus,
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
        queries: Sequence[Query],
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
        cfg = self.config
        reads = Reads(min(4, 2 * len(which)), cfg.read_threads)
        futures = {}
        for i in which:
            vec = vecs[i]
            # BM25 is exact: its first hits are those of a longer list. The vector index is
            # approximate: a text whose dense part has a weight keeps its longer search.
            n_vec = cfg.min_hits if queries[i].scores_dense else cfg.infer_vector_hits
            futures[i] = (
                submit_fulltext(reads, self.driver, queries[i], cfg.infer_hits, self.database),
                submit_vector(reads, self.driver, vec, n_vec, self.database)
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
        per_read = self.config.vecs_per_read
        chunks = [with_vec[a : a + per_read] for a in range(0, len(with_vec), per_read)] or [[]]
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

    # -- steps (methods, so that a measuring tool can time each on one matcher) -------------
    def _validate(
        self,
        text: str,
        candidates: Sequence[str] | None,
        filters: ExpertFilters | Mapping[str, Any] | None,
        k: int,
    ) -> ExpertFilters:
        return validate(text, candidates, filters, k, self.config)

    def _query(self, text: str, mode: Mode) -> Query:
        return plan_query(
            text,
            mode,
            self.corpus(),
            fusion=self.config.fusion,
            model_languages=self.embedder.languages if self.embedder else frozenset(),
            config=self.config,
        )

    def _weights(self, mode: Mode, lang: Lang) -> FusionWeights:
        langs = self.embedder.languages if self.embedder else frozenset()
        return fusion_weights(mode, lang, self.config.fusion, langs)

    def _candidate_rows(
        self, ids: list[str], vecs: list[list[float]], terms: Iterable[str]
    ) -> list[S.CandidateFacts]:
        """:func:`~matcher.retrieval_reads.read_candidate_rows` with this matcher's reader."""
        if not ids:
            return []
        return read_candidate_rows(self._candidate_reader(vecs, terms), ids, self.config)

    def _submit_candidate_rows(
        self, ids: list[str], vecs: list[list[float]], terms: Iterable[str]
    ) -> Callable[[], list[S.CandidateFacts]]:
        """:func:`~matcher.retrieval_reads.submit_candidate_rows` with this matcher's reader."""
        return submit_candidate_rows(self._candidate_reader(vecs, terms), ids, self.config)

    def _candidate_reader(
        self, vecs: list[list[float]], terms: Iterable[str]
    ) -> Callable[[list[str]], list[S.CandidateFacts]]:
        return candidate_reader(
            self.driver,
            vecs,
            terms,
            fingerprint=self.embedder.fingerprint() if self.embedder else "",
            database=self.database,
        )

    @staticmethod
    def _infer_disciplines(*hit_lists: list[S.EvidenceHit]) -> set[str]:
        return infer_disciplines(*hit_lists)

    def _pool(
        self,
        hits: list[S.EvidenceHit],
        ft_hits: list[S.EvidenceHit],
        vec: list[float] | None,
        weights: FusionWeights,
        calibration: Calibration,
        window: int,
    ) -> list[str]:
        """:func:`~matcher.retrieval_reads.pool`."""
        return pool(hits, ft_hits, vec, weights, calibration, window)

    def _result(
        self,
        row: S.CandidateRow,
        q: Query,
        query_disciplines: set[str],
        inferred: bool,
        calibration: Calibration,
        flt: ExpertFilters,
        names: dict[str, str],
    ) -> ExpertResult:
        """:func:`~matcher.retrieval_explain.expert_result` under this matcher's config."""
        return expert_result(
            row, q, query_disciplines, inferred, calibration, flt, names, self.config
        )

    @staticmethod
    def _exclusions(row: S.CandidateRow, flt: ExpertFilters) -> Iterable[str]:
        return exclusions(row, flt)


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
