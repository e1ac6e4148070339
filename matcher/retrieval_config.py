"""The settings of hybrid retrieval, in one frozen object: :class:`RetrievalConfig`.

:class:`~matcher.retrieval.ExpertMatcher` takes one (``config=``); its defaults are the values
the service runs with and the benchmarks measured. Tests build one with other values (a read
split in parts of one scientist, one query vector a read…) instead of patching the modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from matcher.scoring import FusionConfig

__all__ = ["RetrievalConfig", "DEFAULT_CONFIG"]


@dataclass(frozen=True)
class RetrievalConfig:
    """How a matcher plans, reads, fuses and explains.

    Example::

        ExpertMatcher(driver, embedder, config=RetrievalConfig(vecs_per_read=4))
    """

    #: Fusion weights per query language, and the recency half-life.
    fusion: FusionConfig = field(default_factory=FusionConfig)
    #: Longest text accepted, in characters.
    max_text: int = 10_000
    #: Most candidates a caller may bring.
    max_candidates: int = 5_000
    #: Terms of a text sent to the fulltext index (its BM25 finds candidates; scoring uses all).
    query_terms: int = 32
    #: Distinct terms of a text that scoring weighs (a pasted paper has a few hundred).
    scored_terms: int = 256
    #: Query words an explanation lists as found nowhere in the expert's evidence.
    unmatched_shown: int = 8
    #: A result is flagged low-confidence when its lexical affinity is below ``low_lexical``
    #: (about no more of the text's words found than chance gives) and its dense affinity below
    #: ``low_dense`` (no closer in meaning than a text is to unrelated work: a cosine under the
    #: background's mean + 1 spread). `kexie eval --benchmark` reports how many real queries'
    #: best expert is flagged and which of its control texts ("！！！", the weather, a pasta
    #: recipe…) are (benchmarks README, "Low confidence"); 0.05 let short chit-chat through, 0.1
    #: flagged a few real titles.
    low_lexical: float = 0.08
    low_dense: float = 0.5
    #: Query vectors kept in the matcher's cache (by model and text).
    vec_cache: int = 512
    #: Query vectors per candidate read (each item's cosine to each travels back).
    vecs_per_read: int = 16
    #: A candidate read is split in up to ``read_parts`` parts of at least ``ids_per_part``
    #: scientists, read side by side (one Cypher query runs on one core; the server has more).
    ids_per_part: int = 20
    read_parts: int = 2
    #: Index hits read per search at least (disciplines are inferred from them).
    min_hits: int = 200
    #: Hits of each index that discipline inference reads; the vector hits asked for when they
    #: serve inference alone are :attr:`infer_vector_hits`, twice as many, as the index is
    #: approximate (ad hoc `kexie eval` runs at size 100: asking for 30 cost 0.002 of Chinese
    #: nDCG@10, 60 cost nothing).
    infer_hits: int = 30
    #: Threads of the process-wide pool that runs the graph reads of every search (one pool per
    #: size, kept between searches: :func:`matcher.retrieval_reads.shared_executor`).
    read_threads: int = 32
    #: Read the fulltext hits' best candidates beside the vector read
    #: (:func:`matcher.retrieval_reads.read_candidates_early`); False reads them once the pool is
    #: drawn. The results are the same either way.
    read_early: bool = True

    @property
    def infer_vector_hits(self) -> int:
        """Vector hits asked for when they serve discipline inference alone."""
        return 2 * self.infer_hits


DEFAULT_CONFIG: Final = RetrievalConfig()
