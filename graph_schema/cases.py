"""Graph reads and writes behind the staff's case lists and meeting sheets.

Reads: pages of formations (teams, panels, consortia) newest first, filtered by kind, status,
creation date and text; pages of demands and topics with the same text and status filters;
organisations by name for type-ahead (Chinese name, English name or id); display names
(``name`` and ``name_en``) of disciplines, organisations, societies and scientists by id or
code; what a meeting sheet shows of each member (title, institution and, for keys that may see
them, contact details).

Writes: the proposal a formation was made from, kept on the formation node as JSON
(``proposal_json``), so a saved team, panel or consortium can be shown again with its reasons.

Every statement is a named constant with ``$parameters``; labels come from
:mod:`graph_schema.labels`. Functions return typed records, never ``neo4j.Record``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import neo4j

from graph_schema.errors import translate
from graph_schema.labels import Label as L
from graph_schema.labels import Rel as R

__all__ = [
    "FormationRow",
    "OrganisationRow",
    "MemberSheetRow",
    "PROPOSAL_PROPERTY",
    "ORGANISATION_KINDS",
    "page_formations",
    "page_requests",
    "search_organisations",
    "display_names",
    "member_sheet",
    "store_proposal",
    "read_proposal",
]

logger = logging.getLogger(__name__)

#: The formation property holding the proposal's JSON (left out of API ``props``).
PROPOSAL_PROPERTY: Final = "proposal_json"

OrganisationKind = Literal["enterprise", "university", "institute", "society", "national_society"]
ORGANISATION_KINDS: Final[tuple[OrganisationKind, ...]] = (
    "enterprise",
    "university",
    "institute",
    "society",
    "national_society",
)

_KIND_OF: Final = f"""
CASE WHEN n:{L.ENTERPRISE} THEN 'enterprise' WHEN n:{L.UNIVERSITY} THEN 'university'
     WHEN n:{L.INSTITUTE} THEN 'institute' WHEN n:{L.SOCIETY} THEN 'society'
     ELSE 'national_society' END
"""

#: Formations newest first (keyset on creation time in ms, then id, both descending).
PAGE_FORMATIONS: Final = f"""
CALL () {{
  MATCH (f:{L.TEAM}) RETURN f, 'team' AS kind
  UNION
  MATCH (f:{L.PANEL}) RETURN f, 'panel' AS kind
  UNION
  MATCH (f:{L.CONSORTIUM}) RETURN f, 'consortium' AS kind
}}
WITH f, kind, coalesce(f.created_at.epochMillis, 0) AS ms
WHERE kind IN $kinds
  AND ($status IS NULL OR f.status = $status)
  AND ($since_ms IS NULL OR ms >= $since_ms)
  AND ($until_ms IS NULL OR ms < $until_ms)
  AND ($after_ms IS NULL OR ms < $after_ms OR (ms = $after_ms AND f.id < $after_id))
OPTIONAL MATCH (f)-[:{R.FOR_DEMAND}]->(d:{L.DEMAND})
OPTIONAL MATCH (e:{L.ENTERPRISE})-[:{R.POSTED}]->(d)
OPTIONAL MATCH (f)-[:{R.FOR_TOPIC}]->(t:{L.TOPIC})
WITH f, kind, ms, d, e, t, coalesce(d.title, t.title, f.theme, '') AS title
WHERE $q IS NULL OR toLower(title) CONTAINS $q OR toLower(coalesce(e.name, '')) CONTAINS $q
   OR toLower(coalesce(e.name_en, '')) CONTAINS $q OR toLower(coalesce(t.issuer, '')) CONTAINS $q
   OR toLower(f.id) CONTAINS $q
RETURN f.id AS id, kind, f.status AS status, ms, toString(f.created_at) AS created_at, title,
       coalesce(d.id, t.id) AS request_id, e.id AS enterprise_id, e.name AS enterprise_name,
       e.name_en AS enterprise_name_en, t.issuer AS issuer,
       COUNT {{ (f)<-[:{R.SERVED_ON}|{R.PART_OF}]-() }} AS members
ORDER BY ms DESC, id DESC
LIMIT $limit
"""

#: Demands (keyset on id) with the enterprise and their teams; text and team-status filters.
PAGE_DEMANDS: Final = f"""
MATCH (d:{L.DEMAND}) WHERE d.id > $after
OPTIONAL MATCH (e:{L.ENTERPRISE})-[:{R.POSTED}]->(d)
WITH d, e
WHERE ($q IS NULL OR toLower(coalesce(d.title, '')) CONTAINS $q
       OR toLower(coalesce(d.text, '')) CONTAINS $q OR toLower(coalesce(e.name, '')) CONTAINS $q
       OR toLower(coalesce(e.name_en, '')) CONTAINS $q OR toLower(d.id) CONTAINS $q)
  AND ($status IS NULL OR ($status = 'open' AND NOT EXISTS {{ (:{L.TEAM})-[:{R.FOR_DEMAND}]->(d) }})
       OR EXISTS {{ MATCH (x:{L.TEAM})-[:{R.FOR_DEMAND}]->(d) WHERE x.status = $status }})
WITH d, e ORDER BY d.id LIMIT $limit
RETURN d.id AS id, d.title AS title, e.id AS enterprise_id, e.name AS enterprise_name,
       e.name_en AS enterprise_name_en, toString(d.created_at) AS created_at,
       [(f:{L.TEAM})-[:{R.FOR_DEMAND}]->(d) | {{id: f.id, status: f.status,
          created_at: toString(f.created_at)}}] AS teams
ORDER BY id
"""

#: Topics (keyset on id) with their panels; text and panel-status filters.
PAGE_TOPICS: Final = f"""
MATCH (t:{L.TOPIC}) WHERE t.id > $after
  AND ($q IS NULL OR toLower(coalesce(t.title, '')) CONTAINS $q
       OR toLower(coalesce(t.text, '')) CONTAINS $q
       OR toLower(coalesce(t.issuer, '')) CONTAINS $q OR toLower(t.id) CONTAINS $q)
  AND ($status IS NULL OR ($status = 'open' AND NOT EXISTS {{ (:{L.PANEL})-[:{R.FOR_TOPIC}]->(t) }})
       OR EXISTS {{ MATCH (x:{L.PANEL})-[:{R.FOR_TOPIC}]->(t) WHERE x.status = $status }})
WITH t ORDER BY t.id LIMIT $limit
RETURN t.id AS id, t.title AS title, t.issuer AS issuer, toString(t.created_at) AS created_at,
       [(f:{L.PANEL})-[:{R.FOR_TOPIC}]->(t) | {{id: f.id, status: f.status,
          created_at: toString(f.created_at)}}] AS panels
ORDER BY id
"""

#: Organisations and societies whose Chinese name, English name or id contains ``$q``; names
#: that start with it first, then shorter names. A scan over the organisation labels: fine
#: for a city's few thousand; a national graph would query the ``organization_text`` index.
SEARCH_ORGANISATIONS: Final = f"""
MATCH (n)
WHERE (n:{L.ORGANIZATION} OR n:{L.SOCIETY} OR n:{L.NATIONAL_SOCIETY})
  AND (toLower(coalesce(n.name, '')) CONTAINS $q OR toLower(coalesce(n.name_en, '')) CONTAINS $q
       OR toLower(n.id) = $q)
WITH n, {_KIND_OF} AS kind
WHERE kind IN $kinds
WITH n, kind,
     CASE WHEN toLower(n.id) = $q OR toLower(coalesce(n.name, '')) STARTS WITH $q
            OR toLower(coalesce(n.name_en, '')) STARTS WITH $q THEN 0 ELSE 1 END AS rank
ORDER BY rank, size(coalesce(n.name, '')), n.id
LIMIT $limit
RETURN n.id AS id, n.name AS name, n.name_en AS name_en, kind,
       head([(n)-[:{R.LOCATED_IN}]->(x:{L.DISTRICT}) | x.name]) AS district_name
"""

#: ``name`` and ``name_en`` of each id or code among disciplines, organisations, societies,
#: national societies, scientists and districts.
DISPLAY_NAMES: Final = f"""
UNWIND $keys AS k
CALL (k) {{
  MATCH (n:{L.DISCIPLINE} {{code: k}}) RETURN n
  UNION
  MATCH (n:{L.DISTRICT} {{code: k}}) RETURN n
  UNION
  MATCH (n:{L.ORGANIZATION} {{id: k}}) RETURN n
  UNION
  MATCH (n:{L.SOCIETY} {{id: k}}) RETURN n
  UNION
  MATCH (n:{L.NATIONAL_SOCIETY} {{id: k}}) RETURN n
  UNION
  MATCH (n:{L.SCIENTIST} {{id: k}}) RETURN n
}}
RETURN k AS key, n.name AS name, n.name_en AS name_en
"""

#: What a meeting sheet shows of each scientist: title, current institution, best grade,
#: contact details (the caller decides whether to show them).
MEMBER_SHEET: Final = f"""
UNWIND $ids AS sid
MATCH (s:{L.SCIENTIST} {{id: sid}})
OPTIONAL MATCH (s)-[w:{R.WORKS_AT}]->(o:{L.ORGANIZATION}) WHERE coalesce(w.current, true)
WITH s, head(collect(o)) AS o
RETURN s.id AS id, s.name AS name, s.name_en AS name_en, s.title AS title,
       o.name AS institution, o.name_en AS institution_en,
       [(s)-[m:{R.MEMBER_OF}]->(g:{L.SOCIETY}) | [g.name, coalesce(m.grade, '')]] AS societies,
       s.email AS email, s.phone AS phone
"""

STORE_PROPOSAL: Final = f"""
CALL () {{
  MATCH (f:{L.TEAM} {{id: $id}}) RETURN f
  UNION
  MATCH (f:{L.PANEL} {{id: $id}}) RETURN f
  UNION
  MATCH (f:{L.CONSORTIUM} {{id: $id}}) RETURN f
}}
SET f.{PROPOSAL_PROPERTY} = $json
RETURN f.id AS id
"""


@dataclass(frozen=True)
class FormationRow:
    """A team, panel or consortium in a case list."""

    id: str
    kind: str
    status: str | None
    created_at: str | None
    created_ms: int
    title: str
    request_id: str | None
    enterprise_id: str | None
    enterprise_name: str | None
    enterprise_name_en: str | None
    issuer: str | None
    members: int


@dataclass(frozen=True)
class OrganisationRow:
    """An organisation or society found by name."""

    id: str
    name: str
    name_en: str | None
    kind: str
    district_name: str | None


@dataclass(frozen=True)
class MemberSheetRow:
    """A scientist as a meeting sheet lists them."""

    id: str
    name: str
    name_en: str | None
    title: str | None
    institution: str | None
    institution_en: str | None
    societies: tuple[tuple[str, str], ...]  # (society name, grade code)
    email: str | None
    phone: str | None


def _read(
    driver: neo4j.Driver, query: str, database: str | None, **params: Any
) -> list[dict[str, Any]]:
    with translate():
        records = driver.execute_query(
            query, params, database_=database, routing_=neo4j.RoutingControl.READ
        ).records
    return [r.data() for r in records]


def _needle(q: str | None) -> str | None:
    q = (q or "").strip().lower()
    return q or None


def page_formations(
    driver: neo4j.Driver,
    *,
    kinds: Sequence[str] = ("team", "panel", "consortium"),
    status: str | None = None,
    q: str | None = None,
    since_ms: int | None = None,
    until_ms: int | None = None,
    after: tuple[int, str] | None = None,
    limit: int = 50,
    database: str | None = None,
) -> list[FormationRow]:
    """Formations newest first, after the keyset ``after`` = (creation ms, id).

    Args:
        kinds: ``team``, ``panel``, ``consortium`` (any of them).
        status: only this status (None: any).
        q: text in the title (demand, topic or theme), the enterprise's name, the issuer or
            the id, case-insensitive.
        since_ms, until_ms: creation time in ``[since_ms, until_ms)`` (epoch milliseconds).
        after: the last row of the previous page, as (``created_ms``, ``id``).
    """
    rows = _read(
        driver,
        PAGE_FORMATIONS,
        database,
        kinds=list(kinds),
        status=status,
        q=_needle(q),
        since_ms=since_ms,
        until_ms=until_ms,
        after_ms=after[0] if after else None,
        after_id=after[1] if after else "",
        limit=limit,
    )
    return [
        FormationRow(
            id=r["id"],
            kind=r["kind"],
            status=r["status"],
            created_at=r["created_at"],
            created_ms=int(r["ms"]),
            title=r["title"] or "",
            request_id=r["request_id"],
            enterprise_id=r["enterprise_id"],
            enterprise_name=r["enterprise_name"],
            enterprise_name_en=r["enterprise_name_en"],
            issuer=r["issuer"],
            members=int(r["members"]),
        )
        for r in rows
    ]


def page_requests(
    driver: neo4j.Driver,
    kind: Literal["demand", "topic"],
    *,
    after: str = "",
    q: str | None = None,
    status: str | None = None,
    limit: int = 50,
    database: str | None = None,
) -> list[dict[str, Any]]:
    """Demands (with enterprise and teams) or topics (with issuer and panels) after ``after``
    by id, whose text contains ``q`` and that have a team or panel of ``status`` (``open``:
    none yet)."""
    query = PAGE_DEMANDS if kind == "demand" else PAGE_TOPICS
    return _read(driver, query, database, after=after, q=_needle(q), status=status, limit=limit)


def search_organisations(
    driver: neo4j.Driver,
    q: str,
    *,
    kinds: Sequence[str] = ORGANISATION_KINDS,
    limit: int = 10,
    database: str | None = None,
) -> list[OrganisationRow]:
    """Organisations and societies whose name (Chinese or English) contains ``q``, or whose id
    is ``q``; those starting with it first. An empty ``q`` finds nothing."""
    needle = _needle(q)
    if needle is None:
        return []
    rows = _read(driver, SEARCH_ORGANISATIONS, database, q=needle, kinds=list(kinds), limit=limit)
    return [
        OrganisationRow(
            id=r["id"],
            name=r["name"] or r["id"],
            name_en=r["name_en"],
            kind=r["kind"],
            district_name=r["district_name"],
        )
        for r in rows
    ]


def display_names(
    driver: neo4j.Driver, keys: Sequence[str], *, database: str | None = None
) -> dict[str, tuple[str, str | None]]:
    """``key -> (name, name_en)`` for the ids and codes that exist (unknown keys are left out)."""
    wanted = sorted({str(k) for k in keys if k})
    if not wanted:
        return {}
    out: dict[str, tuple[str, str | None]] = {}
    for r in _read(driver, DISPLAY_NAMES, database, keys=wanted):
        if r["name"] and r["key"] not in out:
            out[r["key"]] = (str(r["name"]), r["name_en"])
    return out


def member_sheet(
    driver: neo4j.Driver, ids: Sequence[str], *, database: str | None = None
) -> dict[str, MemberSheetRow]:
    """Title, institution, societies and contact details of the scientists ``ids``."""
    if not ids:
        return {}
    return {
        r["id"]: MemberSheetRow(
            id=r["id"],
            name=r["name"] or r["id"],
            name_en=r["name_en"],
            title=r["title"],
            institution=r["institution"],
            institution_en=r["institution_en"],
            societies=tuple(sorted((str(n), str(g)) for n, g in r["societies"])),
            email=r["email"],
            phone=r["phone"],
        )
        for r in _read(driver, MEMBER_SHEET, database, ids=list(dict.fromkeys(ids)))
    }


def store_proposal(
    driver: neo4j.Driver, formation_id: str, proposal_json: str, *, database: str | None = None
) -> bool:
    """Keep the proposal (JSON text) a formation was made from on its node; False when no
    formation has this id."""
    with translate():
        records = driver.execute_query(
            STORE_PROPOSAL, {"id": formation_id, "json": proposal_json}, database_=database
        ).records
    return bool(records)


def read_proposal(props: dict[str, Any]) -> str | None:
    """The stored proposal JSON among a formation's properties, if any."""
    value = props.get(PROPOSAL_PROPERTY)
    return value if isinstance(value, str) else None
