"""Graph reads and writes of team, panel and consortium formation.

Reads: a demand (with its enterprise, the enterprise's district, disciplines and skills) or a
topic; the *ties* among a candidate set (co-authored evidence, past service on the same team or
panel, shared society memberships, same institution) that the matcher turns into communication
costs; who declined a demand before; how often experts sat on recent panels (exposure);
organisations and societies for a consortium theme with their kinds, disciplines and ties
(shared people, counterpart links, joint evidence); feedback statistics.

Writes: ``(:Team|:Panel|:Consortium {id, status, created_at, <request id>, <objective parts>})``
with ``(:Scientist)-[:SERVED_ON {role, skills}]->(:Team|:Panel)``,
``(:Team)-[:FOR_DEMAND]->(:Demand)``, ``(:Panel)-[:FOR_TOPIC]->(:Topic)`` and
``(org)-[:PART_OF {role}]->(:Consortium)``; status changes along :data:`TRANSITIONS` (confirm /
decline); per-member feedback (``accepted``, ``rating`` 1–5, ``comment``) on the ``SERVED_ON``
relationship; a create's claim on its demand or topic id, and its undoing when it fails.

Every statement is a named constant with ``$parameters``; labels come from
:mod:`graph_schema.labels`. Functions return typed records, never ``neo4j.Record``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Final, Literal

import neo4j

from graph_schema.errors import AlreadyExistsError, NotFoundError, TransitionError, translate
from graph_schema.labels import FORMATION_STATUSES
from graph_schema.labels import Label as L
from graph_schema.labels import Rel as R

__all__ = [
    "DemandInfo",
    "TopicInfo",
    "PairTie",
    "OrgInfo",
    "OrgTie",
    "MemberRecord",
    "FormationRecord",
    "FeedbackStats",
    "FormationKind",
    "load_demand",
    "load_topic",
    "list_demand_ids",
    "list_topic_ids",
    "page_requests",
    "request_formations",
    "pair_ties",
    "declined_for_demand",
    "panel_exposure",
    "scientist_embeddings",
    "orgs_for_disciplines",
    "org_infos",
    "org_ties",
    "TRANSITIONS",
    "claim_request",
    "discard_request",
    "save_formation",
    "set_status",
    "record_feedback",
    "get_formation",
    "feedback_stats",
]

logger = logging.getLogger(__name__)

FormationKind = Literal["team", "panel", "consortium"]
_KIND_LABEL: Final[Mapping[FormationKind, str]] = {
    "team": L.TEAM,
    "panel": L.PANEL,
    "consortium": L.CONSORTIUM,
}

# -- reads --------------------------------------------------------------------------------
LOAD_DEMAND: Final = f"""
MATCH (d:{L.DEMAND} {{id: $id}})
OPTIONAL MATCH (e:{L.ENTERPRISE})-[:{R.POSTED}]->(d)
OPTIONAL MATCH (e)-[:{R.LOCATED_IN}]->(ed:{L.DISTRICT})
RETURN d.id AS id, d.title AS title, coalesce(d.text, '') AS text,
       coalesce(d.skills, []) AS skills, e.id AS enterprise_id, e.name AS enterprise_name,
       ed.code AS district, ed.name AS district_name,
       [(d)-[:{R.NEEDS}]->(x:{L.DISCIPLINE}) | {{code: x.code, name: x.name}}] AS disciplines
"""

LOAD_TOPIC: Final = f"""
MATCH (t:{L.TOPIC} {{id: $id}})
RETURN t.id AS id, t.title AS title, coalesce(t.text, '') AS text, t.issuer AS issuer,
       [(t)-[:{R.CONCERNS}]->(x:{L.DISCIPLINE}) | {{code: x.code, name: x.name}}] AS disciplines
"""

LIST_DEMANDS: Final = f"MATCH (d:{L.DEMAND}) RETURN d.id AS id ORDER BY id LIMIT $limit"

#: A page of demands (keyset on id) with the enterprise and the teams proposed for each.
PAGE_DEMANDS: Final = f"""
MATCH (d:{L.DEMAND}) WHERE d.id > $after
WITH d ORDER BY d.id LIMIT $limit
OPTIONAL MATCH (e:{L.ENTERPRISE})-[:{R.POSTED}]->(d)
RETURN d.id AS id, d.title AS title, e.id AS enterprise_id, e.name AS enterprise_name,
       [(f:{L.TEAM})-[:{R.FOR_DEMAND}]->(d) | {{id: f.id, status: f.status,
          created_at: toString(f.created_at)}}] AS teams
ORDER BY id
"""
#: A page of topics (keyset on id) with the panels proposed for each.
PAGE_TOPICS: Final = f"""
MATCH (t:{L.TOPIC}) WHERE t.id > $after
WITH t ORDER BY t.id LIMIT $limit
RETURN t.id AS id, t.title AS title, t.issuer AS issuer,
       [(f:{L.PANEL})-[:{R.FOR_TOPIC}]->(t) | {{id: f.id, status: f.status,
          created_at: toString(f.created_at)}}] AS panels
ORDER BY id
"""
REQUEST_FORMATIONS: Final = f"""
CALL () {{
  MATCH (:{L.DEMAND} {{id: $id}})<-[:{R.FOR_DEMAND}]-(f:{L.TEAM}) RETURN f
  UNION
  MATCH (:{L.TOPIC} {{id: $id}})<-[:{R.FOR_TOPIC}]-(f:{L.PANEL}) RETURN f
}}
RETURN f.id AS id, f.status AS status, toString(f.created_at) AS created_at
ORDER BY created_at, id
"""
LIST_TOPICS: Final = f"MATCH (t:{L.TOPIC}) RETURN t.id AS id ORDER BY id LIMIT $limit"

#: One row per (pair, kind of tie) among $ids; ``a < b``.
# Each scientist's tie items, one row each; pairs are found in Python (:func:`pair_ties`).
# Matching pairs in Cypher expanded from every scientist through each society and institution
# to all its members before filtering on ``ids``: at size 100 a society has thousands, and the
# read took about a second per team (ad-hoc timing).
PAIR_TIE_ITEMS: Final = f"""
UNWIND $ids AS sid
MATCH (s:{L.SCIENTIST} {{id: sid}})
RETURN s.id AS id,
  [(s)-[:{R.CONTRIBUTED}]->(x:{L.EVIDENCE}) | [x.id, x.title]] AS coauthored,
  [(s)-[:{R.SERVED_ON}]->(x) WHERE (x:{L.TEAM} OR x:{L.PANEL}) AND x.status <> 'declined'
     | [x.id, x.id]] AS served_together,
  [(s)-[:{R.MEMBER_OF}]->(x:{L.SOCIETY}) | [x.id, x.name]] AS shared_societies,
  [(s)-[:{R.WORKS_AT} {{current: true}}]->(x:{L.ORGANIZATION}) | [x.id, x.name]]
    AS same_institution
"""

#: Tie kind -> how many examples (item titles or names) a pair keeps.
_TIE_EXAMPLES: Final = {
    "coauthored": 3,
    "served_together": 3,
    "shared_societies": 3,
    "same_institution": 1,
}

DECLINED_FOR_DEMAND: Final = f"""
MATCH (:{L.DEMAND} {{id: $id}})<-[:{R.FOR_DEMAND}]-(t:{L.TEAM})<-[r:{R.SERVED_ON}]-(s:{L.SCIENTIST})
WHERE r.accepted = false
RETURN s.id AS sid, collect(t.id) AS teams
"""

PANEL_EXPOSURE: Final = f"""
CALL () {{
  MATCH (p:{L.PANEL})
  WHERE p.status IN $statuses AND p.created_at >= datetime() - duration({{days: $days}})
  RETURN count(p) AS total
}}
UNWIND $ids AS sid
MATCH (s:{L.SCIENTIST} {{id: sid}})
OPTIONAL MATCH (s)-[:{R.SERVED_ON}]->(p:{L.PANEL})
WHERE p.status IN $statuses AND p.created_at >= datetime() - duration({{days: $days}})
RETURN sid, count(p) AS n, total
"""

SCIENTIST_EMBEDDINGS: Final = f"""
UNWIND $ids AS sid
MATCH (s:{L.SCIENTIST} {{id: sid}}) WHERE s.embedding IS NOT NULL
RETURN sid, s.embedding AS embedding
"""

_ANY_ORG = f"""
CALL (oid) {{
  MATCH (n:{L.ORGANIZATION} {{id: oid}}) RETURN n
  UNION
  MATCH (n:{L.SOCIETY} {{id: oid}}) RETURN n
  UNION
  MATCH (n:{L.NATIONAL_SOCIETY} {{id: oid}}) RETURN n
}}
"""

ORG_INFOS: Final = f"""
UNWIND $ids AS oid
{_ANY_ORG}
RETURN n.id AS id, n.name AS name,
       CASE WHEN n:{L.ENTERPRISE} THEN 'enterprise' WHEN n:{L.UNIVERSITY} THEN 'university'
            WHEN n:{L.INSTITUTE} THEN 'institute' WHEN n:{L.SOCIETY} THEN 'society'
            ELSE 'national_society' END AS kind,
       [(n)-[:{R.COVERS}]->(d:{L.DISCIPLINE}) | d.code] AS disciplines,
       head([(n)-[:{R.LOCATED_IN}]->(d:{L.DISTRICT}) | d.code]) AS district,
       [(n)-[:{R.COUNTERPART_OF}]->(c:{L.NATIONAL_SOCIETY}) | c.id] AS counterparts
"""

ORGS_FOR_DISCIPLINES: Final = f"""
MATCH (n)-[:{R.COVERS}]->(d:{L.DISCIPLINE})
WHERE (n:{L.ORGANIZATION} OR n:{L.SOCIETY} OR n:{L.NATIONAL_SOCIETY})
  AND (d.code IN $codes OR substring(d.code, 0, 3) IN $codes)
RETURN n.id AS id, count(DISTINCT d) AS n ORDER BY n DESC, id LIMIT $limit
"""

#: One row per (pair, kind of tie) among organisations / societies $ids; ``a < b``.
# Each organisation's members (and their evidence) are visited once; people and items held by
# two or more of ``ids`` are paired and counted in the same query. Matching pairs by paths went
# from every member to every coauthor's organisation (over 10 s for 30 organisations at size
# 100, ad-hoc timing); returning the shared items instead meant 200,000 rows.
ORG_TIES: Final = f"""
UNWIND $ids AS oid
{_ANY_ORG}
WITH collect(n) AS orgs
CALL (orgs) {{
  UNWIND orgs AS a
  MATCH (a)<-[:{R.WORKS_AT}|{R.MEMBER_OF}]-(s:{L.SCIENTIST})
  WITH s, collect(DISTINCT a.id) AS held
  WHERE size(held) > 1
  UNWIND held AS a
  UNWIND held AS b
  WITH a, b, s WHERE a < b
  RETURN a, b, 'shared_people' AS kind, count(DISTINCT s) AS n,
         collect(DISTINCT s.name)[..3] AS examples
  UNION
  UNWIND orgs AS a
  MATCH (a)-[:{R.COUNTERPART_OF}]-(b)
  WHERE b IN orgs AND a.id < b.id
  RETURN a.id AS a, b.id AS b, 'counterpart' AS kind, 1 AS n, [] AS examples
  UNION
  UNWIND orgs AS o
  MATCH (o)<-[:{R.WORKS_AT}]-(s:{L.SCIENTIST})-[:{R.CONTRIBUTED}]->(x:{L.EVIDENCE})
  WITH x, collect(DISTINCT [o.id, s.id]) AS held
  WHERE size(held) > 1
  UNWIND held AS h1
  UNWIND held AS h2
  // Two different people, one at each: one person of both is a shared person, not joint work.
  WITH h1[0] AS a, h2[0] AS b, x WHERE h1[0] < h2[0] AND h1[1] <> h2[1]
  RETURN a, b, 'joint_evidence' AS kind, count(DISTINCT x) AS n,
         collect(DISTINCT x.title)[..3] AS examples
}}
RETURN a, b, kind, n, examples
"""

FEEDBACK_STATS: Final = f"""
UNWIND $ids AS sid
MATCH (s:{L.SCIENTIST} {{id: sid}})
OPTIONAL MATCH (s)-[r:{R.SERVED_ON}]->()
RETURN sid, count(r.rating) AS n_rated, avg(r.rating) AS mean_rating,
       sum(CASE WHEN r.accepted = true THEN 1 ELSE 0 END) AS n_accepted,
       sum(CASE WHEN r.accepted = false THEN 1 ELSE 0 END) AS n_declined
"""

# -- writes -------------------------------------------------------------------------------
_FIND_FORMATION = f"""
CALL () {{
  MATCH (f:{L.TEAM} {{id: $id}}) RETURN f
  UNION
  MATCH (f:{L.PANEL} {{id: $id}}) RETURN f
  UNION
  MATCH (f:{L.CONSORTIUM} {{id: $id}}) RETURN f
}}
"""
#: ``None``: a team, panel or consortium; a kind: only a node of that kind (routes check kinds).
_MATCH_FORMATION: Final[Mapping[FormationKind | None, str]] = {
    None: _FIND_FORMATION,
    **{k: f"MATCH (f:{label} {{id: $id}})" for k, label in _KIND_LABEL.items()},
}

#: A create claims its demand or topic id first: CREATE fails on the uniqueness constraint
#: when the id is taken (even by a concurrent create), so an existing request is never
#: overwritten. The importer's upsert then fills the node in.
CLAIM_REQUEST: Final = {
    "demand": f"CREATE (n:{L.DEMAND} {{id: $id, created_at: datetime()}})",
    "topic": f"CREATE (n:{L.TOPIC} {{id: $id, created_at: datetime()}})",
}
#: Undo a create whose formation failed: the request node and what hangs on it (a new id has
#: no teams or panels but the ones this create saved).
DISCARD_REQUEST: Final = {
    "demand": f"""
MATCH (n:{L.DEMAND} {{id: $id}})
OPTIONAL MATCH (n)<-[:{R.FOR_DEMAND}]-(f:{L.TEAM})
DETACH DELETE f, n
""",
    "topic": f"""
MATCH (n:{L.TOPIC} {{id: $id}})
OPTIONAL MATCH (n)<-[:{R.FOR_TOPIC}]-(f:{L.PANEL})
DETACH DELETE f, n
""",
}


def _save_people(label: str, target_label: str, rel: str, request_prop: str) -> str:
    return f"""
MATCH (target:{target_label} {{id: $request_id}})
MERGE (f:{label} {{id: $id}})
ON CREATE SET f.created_at = datetime(), f.status = 'proposed'
SET f += $props, f.{request_prop} = $request_id, f.updated_at = datetime()
MERGE (f)-[:{rel}]->(target)
WITH f
CALL (f) {{
  OPTIONAL MATCH (f)<-[old:{R.SERVED_ON}]-(x:{L.SCIENTIST})
  WHERE NOT x.id IN [m IN $members | m.id]
  DELETE old
}}
CALL (f) {{
  UNWIND $members AS m
  MATCH (s:{L.SCIENTIST} {{id: m.id}})
  MERGE (s)-[r:{R.SERVED_ON}]->(f)
  SET r.role = m.role, r.skills = m.skills
}}
RETURN f.id AS id, COUNT {{ (f)<-[:{R.SERVED_ON}]-() }} AS n
"""


SAVE_TEAM: Final = _save_people(L.TEAM, L.DEMAND, R.FOR_DEMAND, "demand_id")
SAVE_PANEL: Final = _save_people(L.PANEL, L.TOPIC, R.FOR_TOPIC, "topic_id")
SAVE_CONSORTIUM: Final = f"""
MERGE (f:{L.CONSORTIUM} {{id: $id}})
ON CREATE SET f.created_at = datetime(), f.status = 'proposed'
SET f += $props, f.theme = $request_id, f.updated_at = datetime()
WITH f
CALL (f) {{
  OPTIONAL MATCH (f)<-[old:{R.PART_OF}]-(x)
  WHERE NOT x.id IN [m IN $members | m.id]
  DELETE old
}}
CALL (f) {{
  UNWIND $members AS m
  WITH f, m, m.id AS oid
  {_ANY_ORG}
  MERGE (n)-[r:{R.PART_OF}]->(f)
  SET r.role = m.role
}}
RETURN f.id AS id, COUNT {{ (f)<-[:{R.PART_OF}]-() }} AS n
"""


def _set_status(match: str) -> str:
    # ``SET f._lock`` takes the node's write lock before the status is read, so two concurrent
    # moves are serialised and each sees the other's result.
    return f"""
{match}
SET f._lock = true
WITH f, f.status AS before
WITH f, before, before = $status OR $status IN coalesce($moves[before], []) AS allowed
SET f.status = CASE WHEN allowed THEN $status ELSE before END,
    f.updated_at = CASE WHEN allowed AND before <> $status THEN datetime() ELSE f.updated_at END
REMOVE f._lock
RETURN f.id AS id, before, allowed
"""


#: Move a formation to ``$status`` when ``$moves`` (:data:`TRANSITIONS`) allows it.
SET_STATUS: Final = {k: _set_status(m) for k, m in _MATCH_FORMATION.items()}


def _record_feedback(match: str) -> str:
    return f"""
{match}
MATCH (s:{L.SCIENTIST} {{id: $sid}})-[r:{R.SERVED_ON}]->(f)
SET r.accepted = coalesce($accepted, r.accepted), r.rating = coalesce($rating, r.rating),
    r.comment = coalesce($comment, r.comment), r.feedback_at = datetime()
RETURN s.id AS sid
"""


RECORD_FEEDBACK: Final = {k: _record_feedback(m) for k, m in _MATCH_FORMATION.items()}


def _get_formation(match: str) -> str:
    return f"""
{match}
RETURN f.id AS id, [x IN labels(f) | x][0] AS label, f.status AS status,
       toString(f.created_at) AS created_at,
       coalesce(f.demand_id, f.topic_id, f.theme) AS request_id,
       properties(f) AS props,
       [(s)-[r:{R.SERVED_ON}]->(f) WHERE s:{L.SCIENTIST} | {{
          id: s.id, name: s.name, role: r.role, skills: coalesce(r.skills, []),
          accepted: r.accepted, rating: r.rating, comment: r.comment}}] AS people,
       [(o)-[r:{R.PART_OF}]->(f) | {{id: o.id, name: o.name, role: r.role}}] AS orgs
"""


GET_FORMATION: Final = {k: _get_formation(m) for k, m in _MATCH_FORMATION.items()}

#: Allowed status moves of a team, panel or consortium. A proposal is confirmed or declined by
#: staff; a confirmed one can still be called off (declined). ``declined`` is final: its
#: members' load was freed and may have gone to other teams, so it never comes back — propose
#: a new one instead. Moving to the status a formation already has changes nothing (a retried
#: confirm or decline is safe); every other move is a :class:`TransitionError`.
TRANSITIONS: Final[Mapping[str, tuple[str, ...]]] = {
    "proposed": ("confirmed", "declined"),
    "confirmed": ("declined",),
    "declined": (),
}


# -- records ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DemandInfo:
    """A demand with what formation needs: text, skills, disciplines and the enterprise."""

    id: str
    title: str
    text: str
    skills: tuple[str, ...]
    disciplines: tuple[tuple[str, str], ...]  # (code, name)
    enterprise_id: str | None
    enterprise_name: str | None
    district: str | None
    district_name: str | None = None

    @property
    def query_text(self) -> str:
        return f"{self.title}。{self.text}".strip("。 ")


@dataclass(frozen=True)
class TopicInfo:
    """A government topic (课题)."""

    id: str
    title: str
    text: str
    issuer: str | None
    disciplines: tuple[tuple[str, str], ...]

    @property
    def query_text(self) -> str:
        return f"{self.title}。{self.text}".strip("。 ")


@dataclass(frozen=True)
class PairTie:
    """What links two scientists ``a < b`` in the graph."""

    a: str
    b: str
    coauthored: int = 0
    served_together: int = 0
    shared_societies: int = 0
    same_institution: bool = False
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class OrgInfo:
    """An organisation, society or national society as a consortium candidate."""

    id: str
    name: str
    kind: str  # enterprise | university | institute | society | national_society
    disciplines: tuple[str, ...]
    district: str | None
    counterparts: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrgTie:
    """What links two organisations ``a < b``: shared people, counterpart link, joint evidence."""

    a: str
    b: str
    shared_people: int = 0
    counterpart: bool = False
    joint_evidence: int = 0
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class MemberRecord:
    """One saved member (a scientist on a team/panel, or an organisation in a consortium)."""

    id: str
    name: str | None
    role: str | None
    skills: tuple[str, ...] = ()
    accepted: bool | None = None
    rating: int | None = None
    comment: str | None = None


@dataclass(frozen=True)
class FormationRecord:
    """A saved team, panel or consortium."""

    id: str
    kind: FormationKind
    status: str
    request_id: str | None
    created_at: str | None
    members: tuple[MemberRecord, ...]
    props: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FeedbackStats:
    """Feedback a scientist received over all teams and panels."""

    n_rated: int = 0
    mean_rating: float | None = None
    n_accepted: int = 0
    n_declined: int = 0


# -- helpers ------------------------------------------------------------------------------
def _read(
    driver: neo4j.Driver, query: str, database: str | None, **params: Any
) -> list[dict[str, Any]]:
    with translate():
        records = driver.execute_query(
            query, params, database_=database, routing_=neo4j.RoutingControl.READ
        ).records
    return [r.data() for r in records]


def _write(
    driver: neo4j.Driver, query: str, database: str | None, **params: Any
) -> list[dict[str, Any]]:
    with translate():
        records = driver.execute_query(query, params, database_=database).records
    return [r.data() for r in records]


# -- reads --------------------------------------------------------------------------------
def load_demand(driver: neo4j.Driver, demand_id: str, *, database: str | None = None) -> DemandInfo:
    """Read a demand with its enterprise, the enterprise's district, disciplines and skills.

    Raises:
        NotFoundError: no demand has this id.
    """
    rows = _read(driver, LOAD_DEMAND, database, id=demand_id)
    if not rows:
        raise NotFoundError("demand", demand_id)
    r = rows[0]
    return DemandInfo(
        id=r["id"],
        title=r["title"] or "",
        text=r["text"] or "",
        skills=tuple(r["skills"]),
        disciplines=tuple(sorted((d["code"], d["name"]) for d in r["disciplines"])),
        enterprise_id=r["enterprise_id"],
        enterprise_name=r["enterprise_name"],
        district=r["district"],
        district_name=r["district_name"],
    )


def load_topic(driver: neo4j.Driver, topic_id: str, *, database: str | None = None) -> TopicInfo:
    """Read a topic with its disciplines.

    Raises:
        NotFoundError: no topic has this id.
    """
    rows = _read(driver, LOAD_TOPIC, database, id=topic_id)
    if not rows:
        raise NotFoundError("topic", topic_id)
    r = rows[0]
    return TopicInfo(
        id=r["id"],
        title=r["title"] or "",
        text=r["text"] or "",
        issuer=r["issuer"],
        disciplines=tuple(sorted((d["code"], d["name"]) for d in r["disciplines"])),
    )


def list_demand_ids(
    driver: neo4j.Driver, *, limit: int = 1000, database: str | None = None
) -> list[str]:
    """Ids of the demands in the graph, sorted."""
    return [r["id"] for r in _read(driver, LIST_DEMANDS, database, limit=limit)]


def page_requests(
    driver: neo4j.Driver,
    kind: Literal["demand", "topic"],
    *,
    after: str = "",
    limit: int = 50,
    database: str | None = None,
) -> list[dict[str, Any]]:
    """Demands (with enterprise and teams) or topics (with issuer and panels) after ``after``,
    ordered by id (keyset pagination)."""
    query = PAGE_DEMANDS if kind == "demand" else PAGE_TOPICS
    return _read(driver, query, database, after=after, limit=limit)


def request_formations(
    driver: neo4j.Driver, request_id: str, *, database: str | None = None
) -> list[dict[str, Any]]:
    """The teams proposed for a demand, or the panels for a topic, oldest first."""
    return _read(driver, REQUEST_FORMATIONS, database, id=request_id)


def list_topic_ids(
    driver: neo4j.Driver, *, limit: int = 1000, database: str | None = None
) -> list[str]:
    """Ids of the topics in the graph, sorted."""
    return [r["id"] for r in _read(driver, LIST_TOPICS, database, limit=limit)]


def pair_ties(
    driver: neo4j.Driver, ids: Sequence[str], *, database: str | None = None
) -> list[PairTie]:
    """Ties among the scientists ``ids``: only pairs with at least one tie are returned.

    Args:
        ids: Scientist ids (unknown ids are ignored).

    Returns:
        One :class:`PairTie` per linked pair, ``a < b``.
    """
    if len(ids) < 2:
        return []
    # kind -> item id -> (its title or name, the scientists of ``ids`` holding it)
    holders: dict[str, dict[str, tuple[str, list[str]]]] = {k: {} for k in _TIE_EXAMPLES}
    for r in _read(driver, PAIR_TIE_ITEMS, database, ids=list(dict.fromkeys(ids))):
        for kind, by_item in holders.items():
            for item, label in r[kind]:
                entry = by_item.setdefault(str(item), (str(label), []))
                if r["id"] not in entry[1]:
                    entry[1].append(r["id"])
    acc: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, by_item in holders.items():
        for item in sorted(by_item):
            label, sids = by_item[item]
            for a, b in combinations(sorted(sids), 2):
                cur = acc.setdefault((a, b), {"examples": {}})
                cur[kind] = cur.get(kind, 0) + 1
                examples = cur["examples"].setdefault(kind, [])
                if label not in examples and len(examples) < _TIE_EXAMPLES[kind]:
                    examples.append(label)
    return [
        PairTie(
            a=a,
            b=b,
            coauthored=v.get("coauthored", 0),
            served_together=v.get("served_together", 0),
            shared_societies=v.get("shared_societies", 0),
            same_institution=v.get("same_institution", 0) > 0,
            examples={k: tuple(x) for k, x in v["examples"].items()},
        )
        for (a, b), v in sorted(acc.items())
    ]


def declined_for_demand(
    driver: neo4j.Driver, demand_id: str, *, database: str | None = None
) -> dict[str, list[str]]:
    """Scientists who declined a team for this demand → the teams they declined."""
    return {
        r["sid"]: list(r["teams"])
        for r in _read(driver, DECLINED_FOR_DEMAND, database, id=demand_id)
    }


def panel_exposure(
    driver: neo4j.Driver,
    ids: Sequence[str],
    *,
    days: int = 365,
    statuses: Sequence[str] = ("confirmed",),
    database: str | None = None,
) -> tuple[dict[str, int], int]:
    """How many panels each scientist sat on in the last ``days`` days, and how many there were.

    Returns:
        ``(panels per scientist id, total panels in the period)``.
    """
    if not ids:
        return {}, 0
    rows = _read(
        driver, PANEL_EXPOSURE, database, ids=list(ids), days=int(days), statuses=list(statuses)
    )
    total = int(rows[0]["total"]) if rows else 0
    return {r["sid"]: int(r["n"]) for r in rows}, total


def scientist_embeddings(
    driver: neo4j.Driver, ids: Sequence[str], *, database: str | None = None
) -> dict[str, list[float]]:
    """Profile vectors of the scientists that have one (written by the embedding job)."""
    if not ids:
        return {}
    return {
        r["sid"]: list(r["embedding"])
        for r in _read(driver, SCIENTIST_EMBEDDINGS, database, ids=list(ids))
    }


def orgs_for_disciplines(
    driver: neo4j.Driver, codes: Sequence[str], *, limit: int = 50, database: str | None = None
) -> list[str]:
    """Ids of organisations, societies and national societies covering any of ``codes`` (or a
    level-2 discipline under a level-1 code), most disciplines first."""
    if not codes:
        return []
    return [
        r["id"]
        for r in _read(driver, ORGS_FOR_DISCIPLINES, database, codes=list(codes), limit=limit)
    ]


def org_infos(
    driver: neo4j.Driver, ids: Sequence[str], *, database: str | None = None
) -> list[OrgInfo]:
    """Kind, name, disciplines, district and counterparts of each id that exists."""
    if not ids:
        return []
    return [
        OrgInfo(
            id=r["id"],
            name=r["name"] or r["id"],
            kind=r["kind"],
            disciplines=tuple(sorted(r["disciplines"])),
            district=r["district"],
            counterparts=tuple(r["counterparts"]),
        )
        for r in _read(driver, ORG_INFOS, database, ids=list(dict.fromkeys(ids)))
    ]


def org_ties(
    driver: neo4j.Driver, ids: Sequence[str], *, database: str | None = None
) -> list[OrgTie]:
    """Existing ties among organisations / societies ``ids`` (only linked pairs): people
    working at or members of both, a counterpart link, and evidence by a scientist of each
    (two different scientists: one person of both is a shared person, not joint work)."""
    if len(ids) < 2:
        return []
    acc: dict[tuple[str, str], dict[str, Any]] = {}
    for r in _read(driver, ORG_TIES, database, ids=list(dict.fromkeys(ids))):
        cur = acc.setdefault((r["a"], r["b"]), {"examples": {}})
        cur[r["kind"]] = int(r["n"])
        cur["examples"][r["kind"]] = tuple(sorted(str(x) for x in r["examples"]))
    return [
        OrgTie(
            a=a,
            b=b,
            shared_people=v.get("shared_people", 0),
            counterpart="counterpart" in v,
            joint_evidence=v.get("joint_evidence", 0),
            examples=v["examples"],
        )
        for (a, b), v in sorted(acc.items())
    ]


def feedback_stats(
    driver: neo4j.Driver, ids: Sequence[str], *, database: str | None = None
) -> dict[str, FeedbackStats]:
    """Feedback per scientist over every team and panel they were put on."""
    if not ids:
        return {}
    return {
        r["sid"]: FeedbackStats(
            n_rated=int(r["n_rated"]),
            mean_rating=None if r["mean_rating"] is None else float(r["mean_rating"]),
            n_accepted=int(r["n_accepted"]),
            n_declined=int(r["n_declined"]),
        )
        for r in _read(driver, FEEDBACK_STATS, database, ids=list(ids))
    }


# -- writes -------------------------------------------------------------------------------
def _clean_props(props: Mapping[str, Any]) -> dict[str, Any]:
    """Keep properties Neo4j can store: scalars and homogeneous lists of scalars."""
    out: dict[str, Any] = {}
    for k, v in props.items():
        if k in {"id", "status", "created_at"}:
            continue
        if v is None or isinstance(v, (str, int, float, bool)):
            out[k] = v
        elif isinstance(v, (list, tuple)) and all(isinstance(x, (str, int, float)) for x in v):
            out[k] = list(v)
        else:
            out[k] = str(v)
    return out


def save_formation(
    driver: neo4j.Driver,
    kind: FormationKind,
    formation_id: str,
    request_id: str,
    members: Sequence[Mapping[str, Any]],
    props: Mapping[str, Any] | None = None,
    *,
    database: str | None = None,
) -> str:
    """Create or update a team, panel or consortium with status ``proposed``.

    Saving again under the same id replaces the members (the status and creation time stay).

    Args:
        kind: ``team`` (request = demand id), ``panel`` (topic id) or ``consortium`` (theme).
        formation_id: The id of the node.
        request_id: Demand id, topic id, or the consortium's theme text.
        members: ``{"id", "role", "skills"}`` maps (scientists; organisations for consortia).
        props: Scalar properties (objective parts, request parameters).

    Returns:
        The id.

    Raises:
        NotFoundError: the demand or topic does not exist.
    """
    query = {"team": SAVE_TEAM, "panel": SAVE_PANEL, "consortium": SAVE_CONSORTIUM}[kind]
    rows = [
        {
            "id": str(m["id"]),
            "role": m.get("role") or "member",
            "skills": [str(s) for s in m.get("skills") or []],
        }
        for m in members
    ]
    out = _write(
        driver,
        query,
        database,
        id=formation_id,
        request_id=request_id,
        members=rows,
        props=_clean_props(props or {}),
    )
    if not out:
        raise NotFoundError("demand" if kind == "team" else "topic", request_id)
    logger.info("saved %s %s with %d members", kind, formation_id, out[0]["n"])
    return str(out[0]["id"])


def _noun(kind: FormationKind | None) -> str:
    return kind or "team, panel or consortium"


def set_status(
    driver: neo4j.Driver,
    formation_id: str,
    status: str,
    *,
    kind: FormationKind | None = None,
    database: str | None = None,
) -> str:
    """Move a team, panel or consortium to ``status`` along :data:`TRANSITIONS`.

    Args:
        kind: Only a formation of this kind (None: any kind).

    Returns:
        The status it had before (equal to ``status`` when nothing changed).

    Raises:
        ValueError: unknown status.
        NotFoundError: no formation of that kind has this id.
        TransitionError: the move is not allowed from its current status.
    """
    if status not in FORMATION_STATUSES:
        raise ValueError(f"status must be one of {FORMATION_STATUSES}")
    rows = _write(
        driver,
        SET_STATUS[kind],
        database,
        id=formation_id,
        status=status,
        moves={k: list(v) for k, v in TRANSITIONS.items()},
    )
    if not rows:
        raise NotFoundError(_noun(kind), formation_id)
    before = str(rows[0]["before"])
    if not rows[0]["allowed"]:
        raise TransitionError(
            _noun(kind), formation_id, before, status, TRANSITIONS.get(before, ())
        )
    return before


def claim_request(
    driver: neo4j.Driver,
    kind: Literal["demand", "topic"],
    request_id: str,
    *,
    database: str | None = None,
) -> None:
    """Create an empty demand or topic node under ``request_id``, atomically.

    Raises:
        AlreadyExistsError: the id is taken (also when a concurrent create took it first).
    """
    try:
        # Auto-commit: in a managed transaction the driver's rollback after the violation
        # can raise ResultFailedError in place of the ConstraintError.
        with translate(), driver.session(database=database) as session:
            session.run(CLAIM_REQUEST[kind], id=request_id).consume()
    except neo4j.exceptions.ConstraintError as exc:
        raise AlreadyExistsError(kind, request_id) from exc


def discard_request(
    driver: neo4j.Driver,
    kind: Literal["demand", "topic"],
    request_id: str,
    *,
    database: str | None = None,
) -> None:
    """Delete a demand or topic with its teams or panels (undo a create that failed)."""
    _write(driver, DISCARD_REQUEST[kind], database, id=request_id)


def record_feedback(
    driver: neo4j.Driver,
    formation_id: str,
    scientist_id: str,
    *,
    accepted: bool | None = None,
    rating: int | None = None,
    comment: str | None = None,
    kind: FormationKind | None = None,
    database: str | None = None,
) -> None:
    """Record a member's feedback on their ``SERVED_ON`` relationship (given fields only).

    Args:
        kind: Only a formation of this kind (None: any kind).

    Raises:
        ValueError: rating outside 1–5.
        NotFoundError: the scientist is not on that team or panel (of that kind).
    """
    if rating is not None and not 1 <= int(rating) <= 5:
        raise ValueError("rating must be between 1 and 5")
    rows = _write(
        driver,
        RECORD_FEEDBACK[kind],
        database,
        id=formation_id,
        sid=scientist_id,
        accepted=accepted,
        rating=None if rating is None else int(rating),
        comment=comment,
    )
    if not rows:
        raise NotFoundError("member", f"{scientist_id} of {formation_id}")


def get_formation(
    driver: neo4j.Driver,
    formation_id: str,
    *,
    kind: FormationKind | None = None,
    database: str | None = None,
) -> FormationRecord:
    """Read a saved team, panel or consortium with its members and their feedback.

    Args:
        kind: Only a formation of this kind (None: any kind).

    Raises:
        NotFoundError: no formation (of that kind) has this id.
    """
    rows = _read(driver, GET_FORMATION[kind], database, id=formation_id)
    if not rows:
        raise NotFoundError(_noun(kind), formation_id)
    r = rows[0]
    found: FormationKind = {L.TEAM: "team", L.PANEL: "panel"}.get(r["label"], "consortium")  # type: ignore[assignment]
    if found == "consortium":
        members = tuple(MemberRecord(o["id"], o["name"], o["role"]) for o in r["orgs"])
    else:
        members = tuple(
            MemberRecord(
                p["id"],
                p["name"],
                p["role"],
                tuple(p["skills"]),
                p["accepted"],
                None if p["rating"] is None else int(p["rating"]),
                p["comment"],
            )
            for p in sorted(r["people"], key=lambda p: p["id"])
        )
    props = {k: v for k, v in r["props"].items() if k not in {"created_at", "updated_at"}}
    return FormationRecord(
        id=r["id"],
        kind=found,
        status=r["status"],
        request_id=r["request_id"],
        created_at=r["created_at"],
        members=members,
        props=props,
    )
