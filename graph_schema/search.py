"""Read queries of expert retrieval: candidates from the vector and fulltext indexes, then the
evidence and graph facts of each candidate, with its filters evaluated in the same query.

Scores from the vector index and ``vector.similarity.cosine`` are Neo4j's (1 + cos) / 2; they
are converted back to cosines here so callers see plain cosines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import neo4j

from graph_schema.errors import translate
from graph_schema.labels import Label as L
from graph_schema.labels import Rel as R

__all__ = [
    "EvidenceHit",
    "CandidateRow",
    "CandidateFacts",
    "vector_evidence_hits",
    "fulltext_evidence_hits",
    "candidate_rows",
    "GRADE_RANK",
]

GRADE_RANK: Final = {"student_member": 1, "member": 2, "senior_member": 3, "fellow": 4}

_VECTOR_EVIDENCE = f"""
CALL db.index.vector.queryNodes('evidence_embedding', $k, $vec) YIELD node, score
RETURN [(node)<-[:{R.CONTRIBUTED}]-(s:{L.SCIENTIST}) | s.id] AS sids, node.id AS eid,
       2 * score - 1 AS cos, [(node)-[:{R.IN_DISCIPLINE}]->(d:{L.DISCIPLINE}) | d.code] AS disciplines
"""
_FULLTEXT_EVIDENCE = f"""
CALL db.index.fulltext.queryNodes('evidence_text', $q, {{limit: $k}}) YIELD node, score
RETURN [(node)<-[:{R.CONTRIBUTED}]-(s:{L.SCIENTIST}) | s.id] AS sids, node.id AS eid, score,
       [(node)-[:{R.IN_DISCIPLINE}]->(d:{L.DISCIPLINE}) | d.code] AS disciplines
"""

_CANDIDATES = f"""
UNWIND $ids AS sid
MATCH (s:{L.SCIENTIST} {{id: sid}})
OPTIONAL MATCH (s)-[w:{R.WORKS_AT} {{current: true}}]->(o:{L.ORGANIZATION})
OPTIONAL MATCH (o)-[:{R.LOCATED_IN}]->(od:{L.DISTRICT})
OPTIONAL MATCH (s)-[:{R.LOCATED_IN}]->(sd:{L.DISTRICT})
WITH s, collect(DISTINCT {{id: o.id, name: o.name, kind: o.kind, title: w.title,
                           district: od.code}}) AS orgs, sd
CALL (s) {{
  OPTIONAL MATCH (s)-[m:{R.MEMBER_OF}]->(g:{L.SOCIETY})
  RETURN collect(CASE WHEN g IS NULL THEN null ELSE
    {{id: g.id, name: g.name, grade: m.grade, role: m.role}} END) AS societies
}}
CALL (s) {{
  OPTIONAL MATCH (s)-[:{R.SPECIALIZES_IN}]->(d:{L.DISCIPLINE})
  RETURN collect(d.code) AS disciplines
}}
CALL (s) {{
  OPTIONAL MATCH (s)-[:{R.SERVED_ON}]->(t:{L.TEAM}) WHERE t.status IN ['proposed', 'confirmed']
  RETURN count(t) AS active_teams
}}
CALL (s) {{
  OPTIONAL MATCH (s)-[f:{R.SERVED_ON}]->()
  RETURN {{n_rated: count(f.rating), mean_rating: avg(f.rating),
          n_accepted: sum(CASE WHEN f.accepted = true THEN 1 ELSE 0 END),
          n_declined: sum(CASE WHEN f.accepted = false THEN 1 ELSE 0 END)}} AS feedback
}}
CALL (s) {{
  OPTIONAL MATCH (s)-[:{R.CONFLICT_WITH}]->(c)
  RETURN collect(c.id) AS conflicts
}}
CALL (s) {{
  OPTIONAL MATCH (s)-[:{R.CONTRIBUTED}]->(e:{L.EVIDENCE})
  WITH e ORDER BY coalesce(e.year, -1) DESC, e.id LIMIT $max_evidence
  RETURN collect(CASE WHEN e IS NULL THEN null ELSE {{
    id: e.id, kind: e.kind, title: e.title, year: e.year,
    terms: [t IN coalesce(e.terms, []) WHERE $qterms[t] IS NOT NULL],
    dl: size(coalesce(e.terms, [])),
    cos: CASE WHEN e.embedding IS NULL OR e.embedding_model <> $fp THEN null
              ELSE [v IN $vecs | 2 * vector.similarity.cosine(e.embedding, v) - 1] END,
    disciplines: [(e)-[:{R.IN_DISCIPLINE}]->(d:{L.DISCIPLINE}) | d.code]
  }} END) AS items
}}
RETURN s.id AS id, s.name AS name, s.title AS title, s.birth_year AS birth_year,
       CASE WHEN s.embedding IS NULL OR s.embedding_model <> $fp THEN null
            ELSE [v IN $vecs | 2 * vector.similarity.cosine(s.embedding, v) - 1] END AS profile_cos,
       s.talent_kinds AS talent_kinds, s.availability AS availability,
       coalesce(s.max_active_teams, 3) AS max_active_teams, s.email AS email, s.phone AS phone,
       s.orcid AS orcid, coalesce(sd.code, head([x IN orgs WHERE x.district IS NOT NULL | x.district])) AS district,
       [x IN orgs WHERE x.id IS NOT NULL] AS organizations, societies, disciplines, active_teams,
       conflicts, items, feedback
"""


@dataclass(frozen=True)
class EvidenceHit:
    scientist_id: str
    evidence_id: str
    score: float
    disciplines: tuple[str, ...] = ()


@dataclass(frozen=True)
class CandidateRow:
    """A scientist with the evidence and graph facts retrieval scores and explains, for one
    query (see :meth:`CandidateFacts.for_query`)."""

    id: str
    name: str
    title: str | None
    birth_year: int | None
    talent_kinds: list[str]
    availability: str
    max_active_teams: int
    district: str | None
    organizations: list[dict[str, Any]]
    societies: list[dict[str, Any]]
    disciplines: list[str]
    active_teams: int
    conflicts: list[str]
    #: The best evidence items for the query (top by cosine, then top by lexical weight), each
    #: with ``cos`` and ``terms`` (the query terms it contains).
    evidence: list[dict[str, Any]]
    evidence_years: list[int | None] = field(default_factory=list)
    #: Query terms found in any of the scientist's evidence.
    union_terms: list[str] = field(default_factory=list)
    evidence_disciplines: list[str] = field(default_factory=list)
    email: str | None = None
    phone: str | None = None
    orcid: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: Staff feedback over all teams/panels: n_rated, mean_rating, n_accepted, n_declined.
    feedback: dict[str, Any] = field(default_factory=dict)
    #: Cosine of the query to the scientist's profile vector (the recency-weighted mean of
    #: their evidence vectors), None without a current one.
    profile_cos: float | None = None

    @property
    def best_grade(self) -> str | None:
        grades = [s["grade"] for s in self.societies if s.get("grade")]
        return max(grades, key=lambda g: GRADE_RANK.get(g, 0)) if grades else None


@dataclass(frozen=True)
class CandidateFacts:
    """A scientist's graph facts and every evidence item (newest ``max_evidence``), each with
    its cosine to every query vector (``cos[q]``, None without a current vector) and the
    query terms it contains (of all queries together)."""

    facts: dict[str, Any]
    items: list[dict[str, Any]]

    @property
    def id(self) -> str:
        return str(self.facts["id"])

    def for_query(
        self,
        q: int | None,
        query_weights: Mapping[str, float],
        item_lexical: Callable[[list[str], int], float] | None = None,
        *,
        top: int = 5,
    ) -> CandidateRow:
        """The row for query vector ``q`` (None: no dense part): the ``top`` items by cosine
        and the ``top`` by lexical score (``item_lexical(terms, length)``; default: the summed
        weights of the query's terms they hold), with every item's year and the union of
        matched terms and disciplines. Each item keeps its ``terms`` (the query's, with
        repeats) and ``dl`` (its length in terms)."""
        scored = []
        union_terms: dict[str, None] = {}
        disciplines: dict[str, None] = {}
        for x in self.items:
            terms = [t for t in x["terms"] if t in query_weights]
            union_terms.update(dict.fromkeys(terms))
            disciplines.update(dict.fromkeys(x["disciplines"]))
            cos = x["cos"][q] if q is not None and x["cos"] else None
            dl = int(x.get("dl") or len(terms))
            lex = (
                item_lexical(terms, dl)
                if item_lexical is not None
                else sum(query_weights[t] for t in terms)
            )
            scored.append((x, cos, terms, lex))
        # Stable sorts on the newest-first list: ties keep the newer item, as before.
        by_dense = sorted(scored, key=lambda r: -2.0 if r[1] is None else -r[1])[:top]
        by_lex = sorted(scored, key=lambda r: -r[3])[:top]
        best: dict[str, dict[str, Any]] = {}
        for x, cos, terms, lex in (*by_dense, *by_lex):
            if x["id"] not in best:
                best[x["id"]] = {
                    "id": x["id"],
                    "kind": x["kind"],
                    "title": x["title"],
                    "year": x["year"],
                    "terms": terms,
                    "dl": int(x.get("dl") or len(terms)),
                    "lex": lex,
                    "cos": cos,
                    "disciplines": x["disciplines"],
                }
        f = self.facts
        profiles = f.get("profile_cos")
        return CandidateRow(
            id=f["id"],
            name=f["name"],
            title=f["title"],
            birth_year=f["birth_year"],
            talent_kinds=f["talent_kinds"] or [],
            availability=f["availability"] or "available",
            max_active_teams=int(f["max_active_teams"]),
            district=f["district"],
            organizations=f["organizations"],
            societies=f["societies"],
            disciplines=f["disciplines"],
            active_teams=int(f["active_teams"]),
            conflicts=f["conflicts"],
            evidence=list(best.values()),
            evidence_years=[x["year"] for x in self.items],
            union_terms=list(union_terms),
            evidence_disciplines=list(disciplines),
            email=f["email"],
            phone=f["phone"],
            orcid=f["orcid"],
            feedback=f.get("feedback") or {},
            profile_cos=profiles[q] if q is not None and profiles else None,
        )


def _read(
    driver: neo4j.Driver, query: str, database: str | None, **params: Any
) -> list[neo4j.Record]:
    with translate():
        return driver.execute_query(
            query, params, database_=database, routing_=neo4j.RoutingControl.READ
        ).records


def _hits(rows: list[neo4j.Record], score: str) -> list[EvidenceHit]:
    """One hit per (contributor, item). The queries return one row per item with its
    contributors listed: an item has about three, and expanding them in Cypher cost about
    10 ms of a 200-item read at size 100."""
    out: list[EvidenceHit] = []
    for r in rows:
        value, disciplines = float(r[score]), tuple(r["disciplines"])
        out.extend(EvidenceHit(sid, r["eid"], value, disciplines) for sid in r["sids"])
    return out


def vector_evidence_hits(
    driver: neo4j.Driver, vec: list[float], k: int, *, database: str | None = None
) -> list[EvidenceHit]:
    """Nearest evidence by the vector index (approximate), as (scientist, evidence, cosine)."""
    rows = _read(driver, _VECTOR_EVIDENCE, database, k=k, vec=vec)
    return _hits(rows, "cos")


def fulltext_evidence_hits(
    driver: neo4j.Driver, lucene_query: str, k: int, *, database: str | None = None
) -> list[EvidenceHit]:
    """Evidence by the CJK fulltext index (BM25). ``lucene_query`` must be built from escaped terms."""
    if not lucene_query.strip():
        return []
    rows = _read(driver, _FULLTEXT_EVIDENCE, database, q=lucene_query, k=k)
    return _hits(rows, "score")


def candidate_rows(
    driver: neo4j.Driver,
    ids: list[str],
    *,
    vecs: Sequence[Sequence[float]],
    terms: Iterable[str],
    fingerprint: str,
    max_evidence: int = 200,
    database: str | None = None,
) -> list[CandidateFacts]:
    """Graph facts of each scientist in ``ids`` that exists, and their evidence scored against
    several queries at once in the database: the cosine of each item to each of ``vecs`` and
    which of ``terms`` it contains. :meth:`CandidateFacts.for_query` picks each query's best
    items in Python, so one read serves every query (a team's skills, a batch's demands)."""
    if not ids:
        return []
    rows = _read(
        driver,
        _CANDIDATES,
        database,
        ids=ids,
        vecs=[list(map(float, v)) for v in vecs],
        fp=fingerprint,
        max_evidence=max_evidence,
        qterms=dict.fromkeys(terms, True),
    )
    out = []
    for r in rows:
        # Plain maps and lists only: reading the values directly skips data()'s recursive
        # conversion, which costs more than the query itself for a few hundred candidates.
        d = dict(zip(r.keys(), r.values(), strict=True))
        out.append(CandidateFacts(d, d.pop("items") or []))
    return out


_DISCIPLINE_NAMES = f"UNWIND $codes AS c MATCH (d:{L.DISCIPLINE} {{code: c}}) RETURN d.code AS code, d.name AS name, d.name_en AS name_en"


def discipline_names(
    driver: neo4j.Driver, codes: list[str], *, database: str | None = None
) -> dict[str, str]:
    if not codes:
        return {}
    return {r["code"]: r["name"] for r in _read(driver, _DISCIPLINE_NAMES, database, codes=codes)}


_PROFILE = f"""
MATCH (s:{L.SCIENTIST} {{id: $id}})
CALL (s) {{
  OPTIONAL MATCH (s)-[c:{R.CONTRIBUTED}]->(e:{L.EVIDENCE})
  WITH e ORDER BY coalesce(e.year, -1) DESC, e.id LIMIT 50
  RETURN collect(CASE WHEN e IS NULL THEN null ELSE
    {{id: e.id, kind: e.kind, title: e.title, year: e.year, lang: e.lang, source: e.source}} END) AS evidence
}}
CALL (s) {{
  OPTIONAL MATCH (s)-[:{R.CONTRIBUTED}]->(e:{L.EVIDENCE})<-[:{R.CONTRIBUTED}]-(o:{L.SCIENTIST})
  WITH o, count(e) AS shared WHERE o IS NOT NULL
  ORDER BY shared DESC LIMIT 20
  RETURN collect({{id: o.id, name: o.name, shared_evidence: shared}}) AS coauthors
}}
CALL (s) {{
  OPTIONAL MATCH (s)-[m:{R.MEMBER_OF}]->(g:{L.SOCIETY})
  RETURN collect(CASE WHEN g IS NULL THEN null ELSE {{id: g.id, name: g.name, grade: m.grade, role: m.role}} END) AS societies
}}
CALL (s) {{
  OPTIONAL MATCH (s)-[w:{R.WORKS_AT}]->(o:{L.ORGANIZATION})
  RETURN collect(CASE WHEN o IS NULL THEN null ELSE {{id: o.id, name: o.name, kind: o.kind, title: w.title, current: w.current}} END) AS affiliations
}}
CALL (s) {{
  OPTIONAL MATCH (s)-[:{R.SPECIALIZES_IN}]->(d:{L.DISCIPLINE})
  RETURN collect(CASE WHEN d IS NULL THEN null ELSE {{code: d.code, name: d.name}} END) AS disciplines
}}
CALL (s) {{
  OPTIONAL MATCH (s)-[:{R.LOCATED_IN}]->(d:{L.DISTRICT})
  RETURN d.code AS district
}}
RETURN s {{.id, .name, .name_en, .gender, .birth_year, .title, .talent_kinds, .availability,
          .max_active_teams, .orcid, .email, .phone, .bio}} AS scientist,
       evidence, coauthors, societies, affiliations, disciplines, district
"""

_LIST_SCIENTISTS = f"""
MATCH (s:{L.SCIENTIST})
WHERE s.id > $after AND ($name IS NULL OR s.name CONTAINS $name OR s.name_en CONTAINS $name)
RETURN s.id AS id, s.name AS name, s.title AS title
ORDER BY s.id LIMIT $limit
"""


def expert_profile(
    driver: neo4j.Driver, scientist_id: str, *, database: str | None = None
) -> dict[str, Any] | None:
    """A scientist with evidence (newest 50), co-authors, societies, affiliations and disciplines."""
    rows = _read(driver, _PROFILE, database, id=scientist_id)
    return rows[0].data() if rows else None


def list_scientists(
    driver: neo4j.Driver,
    *,
    after: str = "",
    limit: int = 50,
    name: str | None = None,
    database: str | None = None,
) -> list[dict[str, Any]]:
    """Scientists ordered by id, after ``after`` (keyset pagination)."""
    return [
        r.data()
        for r in _read(driver, _LIST_SCIENTISTS, database, after=after, limit=limit, name=name)
    ]
