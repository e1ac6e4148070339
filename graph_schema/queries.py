"""Cypher statements of the graph layer, as named constants with ``$parameters``.

Labels and relationship types come from :mod:`graph_schema.labels` (never from input). Batch
writes take ``$rows``: a list of maps with ``key`` (the merge key), ``props`` (scalar
properties) and the reference fields of the record kind, already checked to exist.
"""

from __future__ import annotations

from typing import Final

from graph_schema.labels import Label as L
from graph_schema.labels import Rel as R

# -- reference checks ---------------------------------------------------------------------
#: Which of $keys exist as nodes of one label, by their key property.
EXISTING_BY_KEY: Final[dict[tuple[str, str], str]] = {
    (label, prop): (f"UNWIND $keys AS k MATCH (n:{label} {{{prop}: k}}) RETURN DISTINCT k AS key")
    for label, prop in (
        (L.DISTRICT, "code"),
        (L.DISCIPLINE, "code"),
        (L.NATIONAL_SOCIETY, "id"),
        (L.SOCIETY, "id"),
        (L.ORGANIZATION, "id"),
        (L.ENTERPRISE, "id"),
        (L.REVIEW_ROUND, "id"),
    )
}

#: Resolve scientist references given as an id or an ORCID to ids.
RESOLVE_SCIENTISTS: Final = f"""
UNWIND $keys AS k
OPTIONAL MATCH (a:{L.SCIENTIST} {{id: k}})
OPTIONAL MATCH (b:{L.SCIENTIST} {{orcid: k}})
WITH k, coalesce(a, b) AS s WHERE s IS NOT NULL
RETURN k AS key, s.id AS id
"""

#: Scientists or organizations, for conflict targets.
RESOLVE_PARTIES: Final = f"""
UNWIND $keys AS k
OPTIONAL MATCH (a:{L.SCIENTIST} {{id: k}})
OPTIONAL MATCH (b:{L.ORGANIZATION} {{id: k}})
WITH k, coalesce(a, b) AS n WHERE n IS NOT NULL
RETURN k AS key, k AS id
"""

#: ORCIDs of the batch already held by a scientist of another id.
ORCID_OWNERS: Final = f"""
UNWIND $rows AS row
MATCH (s:{L.SCIENTIST} {{orcid: row.orcid}}) WHERE s.id <> row.key
RETURN row.key AS key, row.orcid AS orcid, s.id AS owner
"""

# -- node upserts -------------------------------------------------------------------------
# Reference fields are written only when the record gives them (``row.given``): a field left
# out leaves what is stored alone (patch semantics); an empty list or null clears it.
_REPLACE_DISCIPLINES = f"""
CALL (n, row) {{
  WITH * WHERE 'disciplines' IN row.given
  OPTIONAL MATCH (n)-[old:%s]->(d:{L.DISCIPLINE})
  WHERE NOT d.code IN coalesce(row.disciplines, [])
  DELETE old
}}
CALL (n, row) {{
  WITH * WHERE 'disciplines' IN row.given
  UNWIND coalesce(row.disciplines, []) AS code
  MATCH (d:{L.DISCIPLINE} {{code: code}})
  MERGE (n)-[:%s]->(d)
}}
"""


def _disciplines(rel: str) -> str:
    return _REPLACE_DISCIPLINES % (rel, rel)


_LOCATED = f"""
CALL (n, row) {{
  WITH * WHERE 'district' IN row.given
  OPTIONAL MATCH (n)-[old:{R.LOCATED_IN}]->(d:{L.DISTRICT})
  WHERE row.district IS NULL OR d.code <> row.district
  DELETE old
}}
CALL (n, row) {{
  WITH * WHERE row.district IS NOT NULL
  MATCH (d:{L.DISTRICT} {{code: row.district}})
  MERGE (n)-[:{R.LOCATED_IN}]->(d)
}}
"""

UPSERT_DISTRICTS: Final = f"""
UNWIND $rows AS row
MERGE (n:{L.DISTRICT} {{code: row.key}})
ON CREATE SET n += row.defaults
SET n += row.props
"""

UPSERT_DISCIPLINES: Final = f"""
UNWIND $rows AS row
MERGE (n:{L.DISCIPLINE} {{code: row.key}})
ON CREATE SET n += row.defaults
SET n += row.props
WITH n, row
CALL (n, row) {{
  WITH * WHERE row.parent IS NOT NULL
  MATCH (p:{L.DISCIPLINE} {{code: row.parent}})
  MERGE (n)-[:{R.SUBFIELD_OF}]->(p)
}}
"""

UPSERT_NATIONAL_SOCIETIES: Final = f"""
UNWIND $rows AS row
MERGE (n:{L.NATIONAL_SOCIETY} {{id: row.key}})
ON CREATE SET n += row.defaults
SET n += row.props
WITH n, row
{_disciplines(R.COVERS)}
"""

UPSERT_SOCIETIES: Final = f"""
UNWIND $rows AS row
MERGE (n:{L.SOCIETY} {{id: row.key}})
ON CREATE SET n += row.defaults
SET n += row.props
WITH n, row
{_disciplines(R.COVERS)}
{_LOCATED}
CALL (n, row) {{
  WITH * WHERE 'counterparts' IN row.given
  OPTIONAL MATCH (n)-[old:{R.COUNTERPART_OF}]->(c:{L.NATIONAL_SOCIETY})
  WHERE NOT c.id IN coalesce(row.counterparts, [])
  DELETE old
}}
CALL (n, row) {{
  WITH * WHERE 'counterparts' IN row.given
  UNWIND coalesce(row.counterparts, []) AS cid
  MATCH (c:{L.NATIONAL_SOCIETY} {{id: cid}})
  MERGE (n)-[:{R.COUNTERPART_OF}]->(c)
}}
"""


def _upsert_organizations(label: str) -> str:
    return f"""
UNWIND $rows AS row
MERGE (n:{L.ORGANIZATION} {{id: row.key}})
ON CREATE SET n += row.defaults
SET n += row.props, n:{label}
WITH n, row
{_disciplines(R.COVERS)}
{_LOCATED}
"""


UPSERT_ORGANIZATIONS: Final[dict[str, str]] = {
    "enterprise": _upsert_organizations(L.ENTERPRISE),
    "university": _upsert_organizations(L.UNIVERSITY),
    "institute": _upsert_organizations(L.INSTITUTE),
}

UPSERT_SCIENTISTS: Final = f"""
UNWIND $rows AS row
MERGE (n:{L.SCIENTIST} {{id: row.key}})
ON CREATE SET n += row.defaults
SET n += row.props
WITH n, row
{_disciplines(R.SPECIALIZES_IN)}
{_LOCATED}
CALL (n, row) {{
  // One current affiliation: a new institution makes the others history (kept, not current);
  // an explicit null leaves none current.
  WITH * WHERE 'institution' IN row.given
  OPTIONAL MATCH (n)-[old:{R.WORKS_AT} {{current: true}}]->(o:{L.ORGANIZATION})
  WHERE row.institution IS NULL OR o.id <> row.institution
  SET old.current = false
}}
CALL (n, row) {{
  WITH * WHERE 'institution' IN row.given AND row.institution IS NOT NULL
  MATCH (o:{L.ORGANIZATION} {{id: row.institution}})
  MERGE (n)-[w:{R.WORKS_AT}]->(o)
  SET w.current = true, w.title = coalesce(row.props.title, w.title)
}}
"""


def _upsert_evidence(label: str) -> str:
    return f"""
UNWIND $rows AS row
MERGE (n:{L.EVIDENCE} {{id: row.key}})
ON CREATE SET n += row.defaults
SET n += row.props, n:{label}
WITH n, row
{_disciplines(R.IN_DISCIPLINE)}
CALL (n, row) {{
  WITH * WHERE 'contributors' IN row.given
  OPTIONAL MATCH (n)<-[old:{R.CONTRIBUTED}]-(s:{L.SCIENTIST})
  WHERE NOT s.id IN coalesce(row.contributors, [])
  DELETE old
}}
CALL (n, row) {{
  WITH * WHERE 'contributors' IN row.given AND size(coalesce(row.contributors, [])) > 0
  UNWIND range(0, size(row.contributors) - 1) AS i
  MATCH (s:{L.SCIENTIST} {{id: row.contributors[i]}})
  MERGE (s)-[c:{R.CONTRIBUTED}]->(n)
  SET c.position = i + 1
}}
"""


UPSERT_EVIDENCE: Final[dict[str, str]] = {
    "publication": _upsert_evidence(L.PUBLICATION),
    "project": _upsert_evidence(L.PROJECT),
    "patent": _upsert_evidence(L.PATENT),
    "standard": _upsert_evidence(L.STANDARD),
    "award": _upsert_evidence(L.AWARD),
}

UPSERT_DEMANDS: Final = f"""
UNWIND $rows AS row
MERGE (n:{L.DEMAND} {{id: row.key}})
ON CREATE SET n += row.defaults
SET n += row.props
WITH n, row
{_disciplines(R.NEEDS)}
CALL (n, row) {{
  // One posting enterprise: a demand re-posted by another enterprise moves to it.
  OPTIONAL MATCH (other:{L.ENTERPRISE})-[old:{R.POSTED}]->(n) WHERE other.id <> row.enterprise
  DELETE old
}}
CALL (n, row) {{
  MATCH (e:{L.ENTERPRISE} {{id: row.enterprise}})
  MERGE (e)-[:{R.POSTED}]->(n)
}}
"""

UPSERT_TOPICS: Final = f"""
UNWIND $rows AS row
MERGE (n:{L.TOPIC} {{id: row.key}})
ON CREATE SET n += row.defaults
SET n += row.props
WITH n, row
{_disciplines(R.CONCERNS)}
"""

UPSERT_REVIEW_ROUNDS: Final = f"""
UNWIND $rows AS row
MERGE (n:{L.REVIEW_ROUND} {{id: row.key}})
ON CREATE SET n += row.defaults
SET n += row.props
"""

UPSERT_EVALUATION_ITEMS: Final = f"""
UNWIND $rows AS row
MERGE (n:{L.EVALUATION_ITEM} {{id: row.key}})
ON CREATE SET n += row.defaults
SET n += row.props
WITH n, row
{_disciplines(R.CONCERNS)}
CALL (n, row) {{
  WITH * WHERE 'applicants' IN row.given
  OPTIONAL MATCH (n)<-[old:{R.APPLIED_FOR}]-(s:{L.SCIENTIST})
  WHERE NOT s.id IN coalesce(row.applicants, [])
  DELETE old
}}
CALL (n, row) {{
  WITH * WHERE 'applicants' IN row.given AND size(coalesce(row.applicants, [])) > 0
  UNWIND range(0, size(row.applicants) - 1) AS i
  MATCH (s:{L.SCIENTIST} {{id: row.applicants[i]}})
  MERGE (s)-[a:{R.APPLIED_FOR}]->(n)
  SET a.position = i + 1
}}
CALL (n, row) {{
  WITH * WHERE 'organizations' IN row.given
  OPTIONAL MATCH (n)<-[old:{R.SUBMITTED}]-(o:{L.ORGANIZATION})
  WHERE NOT o.id IN coalesce(row.organizations, [])
  DELETE old
}}
CALL (n, row) {{
  WITH * WHERE 'organizations' IN row.given
  UNWIND coalesce(row.organizations, []) AS oid
  MATCH (o:{L.ORGANIZATION} {{id: oid}})
  MERGE (o)-[:{R.SUBMITTED}]->(n)
}}
CALL (n, row) {{
  // One round: an item moved to another round leaves the old one.
  WITH * WHERE 'round' IN row.given
  OPTIONAL MATCH (n)-[old:{R.IN_ROUND}]->(r:{L.REVIEW_ROUND})
  WHERE row.round IS NULL OR r.id <> row.round
  DELETE old
}}
CALL (n, row) {{
  WITH * WHERE 'round' IN row.given AND row.round IS NOT NULL
  MATCH (r:{L.REVIEW_ROUND} {{id: row.round}})
  MERGE (n)-[:{R.IN_ROUND}]->(r)
}}
"""

# -- relationship upserts -----------------------------------------------------------------
UPSERT_MEMBERSHIPS: Final = f"""
UNWIND $rows AS row
MATCH (s:{L.SCIENTIST} {{id: row.scientist}})
MATCH (g:{L.SOCIETY} {{id: row.society}})
MERGE (s)-[r:{R.MEMBER_OF}]->(g)
ON CREATE SET r += row.defaults
SET r += row.props
"""

UPSERT_AFFILIATIONS: Final = f"""
UNWIND $rows AS row
MATCH (s:{L.SCIENTIST} {{id: row.scientist}})
MATCH (o:{L.ORGANIZATION} {{id: row.organization}})
MERGE (s)-[r:{R.WORKS_AT}]->(o)
ON CREATE SET r += row.defaults
SET r += row.props
"""

UPSERT_PRESENCES: Final = f"""
UNWIND $rows AS row
MATCH (g:{L.SOCIETY} {{id: row.society}})
MATCH (d:{L.DISTRICT} {{code: row.district}})
MERGE (g)-[r:{R.PRESENT_IN}]->(d)
ON CREATE SET r += row.defaults
SET r += row.props
"""

UPSERT_CONFLICTS: Final = f"""
UNWIND $rows AS row
MATCH (s:{L.SCIENTIST} {{id: row.scientist}})
OPTIONAL MATCH (a:{L.SCIENTIST} {{id: row.target}})
OPTIONAL MATCH (b:{L.ORGANIZATION} {{id: row.target}})
WITH s, row, coalesce(a, b) AS t WHERE t IS NOT NULL
MERGE (s)-[r:{R.CONFLICT_WITH}]->(t)
ON CREATE SET r += row.defaults
SET r += row.props
"""

# -- what is stored before a batch writes (per-record outcomes) -------------------------------
#: Relationship types whose targets stand for a record's reference fields.
_STATE_OUT = (
    f"'{R.SPECIALIZES_IN}', '{R.IN_DISCIPLINE}', '{R.COVERS}', '{R.NEEDS}', '{R.CONCERNS}', "
    f"'{R.LOCATED_IN}', '{R.WORKS_AT}', '{R.COUNTERPART_OF}', '{R.SUBFIELD_OF}', '{R.IN_ROUND}'"
)
_STATE_IN = f"'{R.CONTRIBUTED}', '{R.POSTED}', '{R.APPLIED_FOR}', '{R.SUBMITTED}'"


def _node_state(label: str, prop: str) -> str:
    return f"""
UNWIND $keys AS k
MATCH (n:{label} {{{prop}: k}})
RETURN k AS key, properties(n) AS props,
       [(n)-[r]->(m) WHERE type(r) IN [{_STATE_OUT}] AND (type(r) <> '{R.WORKS_AT}' OR r.current)
        | [type(r), coalesce(m.id, m.code)]] AS out,
       [(m)-[r]->(n) WHERE type(r) IN [{_STATE_IN}] | [type(r), m.id, r.position]] AS inc
"""


#: The stored state of node records, by label and key property.
NODE_STATE: Final[dict[tuple[str, str], str]] = {
    (label, prop): _node_state(label, prop)
    for label, prop in (
        (L.DISTRICT, "code"),
        (L.DISCIPLINE, "code"),
        (L.NATIONAL_SOCIETY, "id"),
        (L.SOCIETY, "id"),
        (L.ORGANIZATION, "id"),
        (L.SCIENTIST, "id"),
        (L.EVIDENCE, "id"),
        (L.DEMAND, "id"),
        (L.TOPIC, "id"),
        (L.REVIEW_ROUND, "id"),
        (L.EVALUATION_ITEM, "id"),
    )
}


def _rel_state(a: tuple[str, str], rel: str, b: str) -> str:
    return f"""
UNWIND $rows AS row
MATCH (:{a[0]} {{{a[1]}: row.a}})-[r:{rel}]->(t {{{b}: row.b}})
RETURN row.key AS key, properties(r) AS props
"""


#: The stored properties of relationship records, by record kind (``row.a``, ``row.b``).
REL_STATE: Final[dict[str, str]] = {
    "memberships": _rel_state((L.SCIENTIST, "id"), R.MEMBER_OF, "id"),
    "affiliations": _rel_state((L.SCIENTIST, "id"), R.WORKS_AT, "id"),
    "presences": _rel_state((L.SOCIETY, "id"), R.PRESENT_IN, "code"),
    "conflicts": _rel_state((L.SCIENTIST, "id"), R.CONFLICT_WITH, "id"),
}

# -- statistics ---------------------------------------------------------------------------
COUNT_LABELS: Final = "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS count"

COUNT_REL_TYPES: Final = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS count"

CLEAR_GRAPH: Final = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
CLEAR_GRAPH_KEEP_MIGRATIONS: Final = (
    f"MATCH (n) WHERE NOT n:{L.MIGRATION} "
    "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
)
