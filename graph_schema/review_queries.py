"""Graph reads and writes of evaluation panels and review rounds (成果评价, 科技奖励推荐, 标准评审).

Reads: an evaluation item with its applicants, organisations, disciplines and round; a round
with its policy and items; and the **person-level ties** between reviewers and items that the
conflict-of-interest policy judges (:data:`COI_TIES`): the applicants themselves, their
co-contributors on evidence, shared institutions with the periods, service on the same
confirmed team or panel, declared conflicts, staff of the submitting organisations, a shared
society council and a shared district. Each tie comes back with its evidence (the item title and
year, the organisation and both periods) and whether it falls inside the round's window; the
matcher decides what excludes and what is disclosed.

Writes: an evaluation panel as ``(:Panel {item_id})-[:FOR_ITEM]->(:EvaluationItem)`` with the
usual ``SERVED_ON`` members (so confirm, decline, feedback and exposure work as for any panel);
a round's assignment as ``(:Scientist)-[:REVIEWS {round_id, assignment_id, relevance}]->
(:EvaluationItem)``; and an audit record ``(:ReviewAudit)-[:AUDITS]->(:Panel|:ReviewRound)``
with who was considered, who was excluded and why, the solver and its parameters.

Every statement is a named constant with ``$parameters``; labels come from
:mod:`graph_schema.labels`. Functions return typed records, never ``neo4j.Record``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import neo4j

from graph_schema.errors import NotFoundError, translate
from graph_schema.labels import COUNCIL_ROLES
from graph_schema.labels import Label as L
from graph_schema.labels import Rel as R

__all__ = [
    "ItemInfo",
    "RoundInfo",
    "TieRow",
    "AuditRecord",
    "load_item",
    "load_round",
    "round_items",
    "list_rounds",
    "coi_ties",
    "save_item_panel",
    "item_panels",
    "save_round_assignment",
    "round_assignment",
    "save_audit",
    "audits_for",
]

logger = logging.getLogger(__name__)

# -- reads --------------------------------------------------------------------------------
_ITEM_FIELDS = f"""
RETURN i.id AS id, coalesce(i.kind, 'achievement') AS kind, i.title AS title,
       coalesce(i.text, '') AS text,
       [(i)-[:{R.CONCERNS}]->(x:{L.DISCIPLINE}) | {{code: x.code, name: x.name}}] AS disciplines,
       [(s:{L.SCIENTIST})-[a:{R.APPLIED_FOR}]->(i) | {{id: s.id, name: s.name,
          position: coalesce(a.position, 0)}}] AS applicants,
       [(o:{L.ORGANIZATION})-[:{R.SUBMITTED}]->(i) | {{id: o.id, name: o.name}}] AS organizations,
       head([(i)-[:{R.IN_ROUND}]->(r:{L.REVIEW_ROUND}) | r.id]) AS round_id
"""

LOAD_ITEM: Final = f"""
MATCH (i:{L.EVALUATION_ITEM} {{id: $id}})
{_ITEM_FIELDS}
"""

LOAD_ROUND: Final = f"""
MATCH (r:{L.REVIEW_ROUND} {{id: $id}})
RETURN properties(r) AS props,
       COUNT {{ (:{L.EVALUATION_ITEM})-[:{R.IN_ROUND}]->(r) }} AS n_items
"""

ROUND_ITEMS: Final = f"""
MATCH (i:{L.EVALUATION_ITEM})-[:{R.IN_ROUND}]->(:{L.REVIEW_ROUND} {{id: $id}})
WITH i ORDER BY i.id
{_ITEM_FIELDS}
"""

LIST_ROUNDS: Final = f"""
MATCH (r:{L.REVIEW_ROUND})
RETURN r.id AS id, r.name AS name, r.kind AS kind, r.year AS year,
       COUNT {{ (:{L.EVALUATION_ITEM})-[:{R.IN_ROUND}]->(r) }} AS n_items
ORDER BY id LIMIT $limit
"""

#: Every tie between the scientists ``$candidates`` and the items ``$items`` (their applicants
#: and organisations), one row per tie and piece of evidence. ``within`` says whether the tie
#: falls inside its window counted back from ``$year``. Each branch starts from the item's few
#: applicants and filters the far end by ``$candidates`` (a list the runtime hashes), so the
#: cost grows with the applicants' neighbourhoods, not with the pool.
COI_TIES: Final = f"""
UNWIND $items AS iid
MATCH (i:{L.EVALUATION_ITEM} {{id: iid}})
CALL (i) {{
  MATCH (a:{L.SCIENTIST})-[:{R.APPLIED_FOR}]->(i) WHERE a.id IN $candidates
  RETURN 'applicant' AS kind, a.id AS candidate, a.id AS applicant, a.name AS applicant_name,
         null AS what, null AS year, null AS a_from, null AS a_to, null AS c_from,
         null AS c_to, true AS within
  UNION ALL
  MATCH (a:{L.SCIENTIST})-[:{R.APPLIED_FOR}]->(i)
  MATCH (a)-[:{R.CONTRIBUTED}]->(x:{L.EVIDENCE})<-[:{R.CONTRIBUTED}]-(c:{L.SCIENTIST})
  WHERE c <> a AND c.id IN $candidates
  RETURN 'coauthor' AS kind, c.id AS candidate, a.id AS applicant, a.name AS applicant_name,
         x.title AS what, x.year AS year, null AS a_from, null AS a_to, null AS c_from,
         null AS c_to, (x.year IS NULL OR x.year >= $year - $coauthor_years) AS within
  UNION ALL
  MATCH (a:{L.SCIENTIST})-[:{R.APPLIED_FOR}]->(i)
  MATCH (a)-[wa:{R.WORKS_AT}]->(o:{L.ORGANIZATION})<-[wc:{R.WORKS_AT}]-(c:{L.SCIENTIST})
  WHERE c <> a AND c.id IN $candidates
  // A current affiliation runs to the round's year; a past one without `until` ends at an
  // unknown year, counted as the round's year (the cautious reading).
  WITH a, c, o, wa, wc,
       CASE WHEN wa.current THEN $year ELSE coalesce(wa.until, $year) END AS a_to,
       CASE WHEN wc.current THEN $year ELSE coalesce(wc.until, $year) END AS c_to
  WITH a, c, o, wa, wc, a_to, c_to,
       CASE WHEN coalesce(wa.since, 0) > coalesce(wc.since, 0) THEN coalesce(wa.since, 0)
            ELSE coalesce(wc.since, 0) END AS overlap_from,
       CASE WHEN a_to < c_to THEN a_to ELSE c_to END AS overlap_to
  WHERE overlap_from <= overlap_to
  RETURN 'institution' AS kind, c.id AS candidate, a.id AS applicant, a.name AS applicant_name,
         o.name AS what, overlap_to AS year, wa.since AS a_from,
         CASE WHEN wa.current THEN null ELSE wa.until END AS a_to, wc.since AS c_from,
         CASE WHEN wc.current THEN null ELSE wc.until END AS c_to,
         overlap_to >= $year - $institution_years AS within
  UNION ALL
  MATCH (a:{L.SCIENTIST})-[:{R.APPLIED_FOR}]->(i)
  MATCH (a)-[:{R.SERVED_ON}]->(f)<-[:{R.SERVED_ON}]-(c:{L.SCIENTIST})
  WHERE (f:{L.TEAM} OR f:{L.PANEL}) AND f.status = 'confirmed' AND c <> a
    AND c.id IN $candidates
  RETURN 'service' AS kind, c.id AS candidate, a.id AS applicant, a.name AS applicant_name,
         f.id AS what, f.created_at.year AS year, null AS a_from, null AS a_to,
         null AS c_from, null AS c_to, f.created_at.year >= $year - $service_years AS within
  UNION ALL
  MATCH (a:{L.SCIENTIST})-[:{R.APPLIED_FOR}]->(i)
  MATCH (a)-[d:{R.CONFLICT_WITH}]-(c:{L.SCIENTIST})
  WHERE c <> a AND c.id IN $candidates
  RETURN 'declared' AS kind, c.id AS candidate, a.id AS applicant, a.name AS applicant_name,
         coalesce(d.reason, '') AS what, null AS year, null AS a_from, null AS a_to,
         null AS c_from, null AS c_to, true AS within
  UNION ALL
  MATCH (o:{L.ORGANIZATION})-[:{R.SUBMITTED}]->(i)
  MATCH (c:{L.SCIENTIST})-[d:{R.CONFLICT_WITH}]->(o) WHERE c.id IN $candidates
  RETURN 'declared' AS kind, c.id AS candidate, null AS applicant, o.name AS applicant_name,
         coalesce(d.reason, '') AS what, null AS year, null AS a_from, null AS a_to,
         null AS c_from, null AS c_to, true AS within
  UNION ALL
  MATCH (o:{L.ORGANIZATION})-[:{R.SUBMITTED}]->(i)
  MATCH (c:{L.SCIENTIST})-[w:{R.WORKS_AT} {{current: true}}]->(o) WHERE c.id IN $candidates
  RETURN 'organisation' AS kind, c.id AS candidate, null AS applicant,
         null AS applicant_name, o.name AS what, null AS year, null AS a_from, null AS a_to,
         w.since AS c_from, null AS c_to, true AS within
  UNION ALL
  MATCH (a:{L.SCIENTIST})-[:{R.APPLIED_FOR}]->(i)
  MATCH (a)-[ma:{R.MEMBER_OF}]->(g:{L.SOCIETY})<-[mc:{R.MEMBER_OF}]-(c:{L.SCIENTIST})
  WHERE c <> a AND c.id IN $candidates AND ma.role IN $council AND mc.role IN $council
  RETURN 'society_council' AS kind, c.id AS candidate, a.id AS applicant,
         a.name AS applicant_name, g.name AS what, null AS year, null AS a_from, null AS a_to,
         null AS c_from, null AS c_to, true AS within
  UNION ALL
  MATCH (a:{L.SCIENTIST})-[:{R.APPLIED_FOR}]->(i)
  MATCH (a)-[:{R.LOCATED_IN}]->(d:{L.DISTRICT})<-[:{R.LOCATED_IN}]-(c:{L.SCIENTIST})
  WHERE c <> a AND c.id IN $candidates
  RETURN 'district' AS kind, c.id AS candidate, a.id AS applicant, a.name AS applicant_name,
         d.name AS what, null AS year, null AS a_from, null AS a_to, null AS c_from,
         null AS c_to, true AS within
}}
RETURN i.id AS item, kind, candidate, applicant, applicant_name, what, year, a_from, a_to,
       c_from, c_to, within
"""

# -- writes -------------------------------------------------------------------------------
SAVE_ITEM_PANEL: Final = f"""
MATCH (target:{L.EVALUATION_ITEM} {{id: $item_id}})
MERGE (f:{L.PANEL} {{id: $id}})
ON CREATE SET f.created_at = datetime(), f.status = 'proposed'
SET f += $props, f.item_id = $item_id, f.purpose = 'evaluation', f.updated_at = datetime()
MERGE (f)-[:{R.FOR_ITEM}]->(target)
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
RETURN f.id AS id
"""

ITEM_PANELS: Final = f"""
MATCH (f:{L.PANEL})-[:{R.FOR_ITEM}]->(:{L.EVALUATION_ITEM} {{id: $id}})
RETURN f.id AS id, f.status AS status, toString(f.created_at) AS created_at,
       [(s:{L.SCIENTIST})-[:{R.SERVED_ON}]->(f) | s.id] AS members
ORDER BY created_at, id
"""

#: Replace the round's assignment: the ``REVIEWS`` of its items go, the new ones come.
SAVE_ROUND_ASSIGNMENT: Final = f"""
MATCH (r:{L.REVIEW_ROUND} {{id: $round_id}})
SET r.assignment_id = $assignment_id, r.assigned_at = datetime(), r += $props
WITH r
CALL (r) {{
  MATCH (:{L.SCIENTIST})-[old:{R.REVIEWS}]->(:{L.EVALUATION_ITEM})-[:{R.IN_ROUND}]->(r)
  DELETE old
}}
CALL (r) {{
  UNWIND $pairs AS p
  MATCH (i:{L.EVALUATION_ITEM} {{id: p.item}})-[:{R.IN_ROUND}]->(r)
  MATCH (s:{L.SCIENTIST} {{id: p.reviewer}})
  CREATE (s)-[:{R.REVIEWS} {{round_id: r.id, assignment_id: $assignment_id,
                             relevance: p.relevance}}]->(i)
}}
RETURN COUNT {{ (:{L.SCIENTIST})-[:{R.REVIEWS}]->(:{L.EVALUATION_ITEM})-[:{R.IN_ROUND}]->(r) }}
       AS n
"""

ROUND_ASSIGNMENT: Final = f"""
MATCH (i:{L.EVALUATION_ITEM})-[:{R.IN_ROUND}]->(:{L.REVIEW_ROUND} {{id: $id}})
MATCH (s:{L.SCIENTIST})-[v:{R.REVIEWS}]->(i)
RETURN i.id AS item, s.id AS reviewer, s.name AS name, v.relevance AS relevance
ORDER BY item, relevance DESC, reviewer
"""

SAVE_AUDIT: Final = f"""
CALL () {{
  MATCH (t:{L.PANEL} {{id: $target}}) RETURN t
  UNION
  MATCH (t:{L.REVIEW_ROUND} {{id: $target}}) RETURN t
}}
CREATE (a:{L.REVIEW_AUDIT} {{id: $id, created_at: datetime()}})
SET a += $props
CREATE (a)-[:{R.AUDITS}]->(t)
RETURN a.id AS id
"""

AUDITS_FOR: Final = f"""
MATCH (a:{L.REVIEW_AUDIT})-[:{R.AUDITS}]->(t {{id: $id}})
WHERE t:{L.PANEL} OR t:{L.REVIEW_ROUND}
RETURN properties(a) AS props, toString(a.created_at) AS created_at
ORDER BY created_at DESC
"""


# -- records ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemInfo:
    """An item under evaluation with its applicants (in order) and organisations."""

    id: str
    kind: str
    title: str
    text: str
    disciplines: tuple[tuple[str, str], ...]  # (code, name)
    applicants: tuple[tuple[str, str], ...]  # (id, name)
    organizations: tuple[tuple[str, str], ...]  # (id, name)
    round_id: str | None

    @property
    def query_text(self) -> str:
        return f"{self.title}。{self.text}".strip("。 ")


@dataclass(frozen=True)
class RoundInfo:
    """A review round: load rules and conflict policy (see ``ReviewRoundRecord``)."""

    id: str
    name: str
    kind: str
    year: int | None
    reviewers_per_item: int
    max_items_per_reviewer: int
    coauthor_years: int
    institution_years: int
    service_years: int
    exclude: tuple[str, ...]
    disclose: tuple[str, ...]
    n_items: int
    props: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TieRow:
    """One tie between a candidate reviewer and an item, with its evidence."""

    item: str
    kind: str
    candidate: str
    applicant: str | None
    applicant_name: str | None
    what: str | None
    year: int | None
    a_from: int | None
    a_to: int | None
    c_from: int | None
    c_to: int | None
    within: bool


@dataclass(frozen=True)
class AuditRecord:
    """A stored audit of a panel or round: what was decided, over whom, and how."""

    id: str
    created_at: str | None
    props: Mapping[str, Any]


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


def _item(r: Mapping[str, Any]) -> ItemInfo:
    return ItemInfo(
        id=r["id"],
        kind=r["kind"],
        title=r["title"] or "",
        text=r["text"] or "",
        disciplines=tuple(sorted((d["code"], d["name"]) for d in r["disciplines"])),
        applicants=tuple(
            (a["id"], a["name"] or a["id"])
            for a in sorted(r["applicants"], key=lambda a: (a["position"], a["id"]))
        ),
        organizations=tuple(sorted((o["id"], o["name"] or o["id"]) for o in r["organizations"])),
        round_id=r["round_id"],
    )


def _scalar_props(props: Mapping[str, Any]) -> dict[str, Any]:
    """Scalars and lists of scalars stay; anything else is stored as JSON text."""
    out: dict[str, Any] = {}
    for k, v in props.items():
        if v is None or isinstance(v, (str, int, float, bool)):
            out[k] = v
        elif isinstance(v, (list, tuple)) and all(isinstance(x, (str, int, float)) for x in v):
            out[k] = list(v)
        else:
            out[k] = json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)
    return out


# -- reads --------------------------------------------------------------------------------
def load_item(driver: neo4j.Driver, item_id: str, *, database: str | None = None) -> ItemInfo:
    """Read an evaluation item.

    Raises:
        NotFoundError: no evaluation item has this id.
    """
    rows = _read(driver, LOAD_ITEM, database, id=item_id)
    if not rows:
        raise NotFoundError("evaluation item", item_id)
    return _item(rows[0])


def load_round(driver: neo4j.Driver, round_id: str, *, database: str | None = None) -> RoundInfo:
    """Read a review round's rules and policy (defaults where the record left them out).

    Raises:
        NotFoundError: no review round has this id.
    """
    rows = _read(driver, LOAD_ROUND, database, id=round_id)
    if not rows:
        raise NotFoundError("review round", round_id)
    # Times (``assigned_at``) as ISO text, so the record is plain data.
    p: dict[str, Any] = {
        k: (str(v) if hasattr(v, "iso_format") else v) for k, v in rows[0]["props"].items()
    }
    return RoundInfo(
        id=p["id"],
        name=p.get("name") or p["id"],
        kind=p.get("kind") or "achievement",
        year=p.get("year"),
        reviewers_per_item=int(p.get("reviewers_per_item") or 3),
        max_items_per_reviewer=int(p.get("max_items_per_reviewer") or 10),
        coauthor_years=int(p.get("coauthor_years", 5)),
        institution_years=int(p.get("institution_years", 3)),
        service_years=int(p.get("service_years", 5)),
        exclude=tuple(
            p.get("exclude")
            or ("applicant", "coauthor", "institution", "service", "declared", "organisation")
        ),
        disclose=tuple(p.get("disclose") or ()),
        n_items=int(rows[0]["n_items"]),
        props=p,
    )


def round_items(
    driver: neo4j.Driver, round_id: str, *, database: str | None = None
) -> list[ItemInfo]:
    """The items of a round, by id."""
    return [_item(r) for r in _read(driver, ROUND_ITEMS, database, id=round_id)]


def list_rounds(
    driver: neo4j.Driver, *, limit: int = 200, database: str | None = None
) -> list[dict[str, Any]]:
    """Rounds with their kind, year and number of items."""
    return _read(driver, LIST_ROUNDS, database, limit=limit)


def coi_ties(
    driver: neo4j.Driver,
    items: Sequence[str],
    candidates: Sequence[str],
    *,
    year: int,
    coauthor_years: int = 5,
    institution_years: int = 3,
    service_years: int = 5,
    database: str | None = None,
) -> list[TieRow]:
    """Every tie between the scientists ``candidates`` and the ``items``.

    Args:
        items: Evaluation item ids.
        candidates: Scientist ids (unknown ids never match).
        year: The year windows count back from (the round's year).
        coauthor_years, institution_years, service_years: The windows.

    Returns:
        One :class:`TieRow` per tie and piece of evidence (inside or outside its window).
    """
    if not items or not candidates:
        return []
    rows = _read(
        driver,
        COI_TIES,
        database,
        items=list(dict.fromkeys(items)),
        candidates=list(dict.fromkeys(candidates)),
        year=int(year),
        coauthor_years=int(coauthor_years),
        institution_years=int(institution_years),
        service_years=int(service_years),
        council=list(COUNCIL_ROLES),
    )
    return [TieRow(**r) for r in rows]


# -- writes -------------------------------------------------------------------------------
def save_item_panel(
    driver: neo4j.Driver,
    panel_id: str,
    item_id: str,
    members: Sequence[Mapping[str, Any]],
    props: Mapping[str, Any] | None = None,
    *,
    database: str | None = None,
) -> str:
    """Create or update an evaluation panel (a ``:Panel`` for an item), status ``proposed``.

    Raises:
        NotFoundError: the item does not exist.
    """
    rows = [
        {
            "id": str(m["id"]),
            "role": m.get("role") or "reviewer",
            "skills": [str(s) for s in m.get("skills") or []],
        }
        for m in members
    ]
    out = _write(
        driver,
        SAVE_ITEM_PANEL,
        database,
        id=panel_id,
        item_id=item_id,
        members=rows,
        props=_scalar_props(props or {}),
    )
    if not out:
        raise NotFoundError("evaluation item", item_id)
    return str(out[0]["id"])


def item_panels(
    driver: neo4j.Driver, item_id: str, *, database: str | None = None
) -> list[dict[str, Any]]:
    """The evaluation panels proposed for an item, oldest first."""
    return _read(driver, ITEM_PANELS, database, id=item_id)


def save_round_assignment(
    driver: neo4j.Driver,
    round_id: str,
    assignment_id: str,
    pairs: Sequence[tuple[str, str, float]],
    props: Mapping[str, Any] | None = None,
    *,
    database: str | None = None,
) -> int:
    """Replace a round's assignment with ``(item, reviewer, relevance)`` pairs.

    Returns:
        The number of ``REVIEWS`` relationships the round has now.

    Raises:
        NotFoundError: the round does not exist.
    """
    out = _write(
        driver,
        SAVE_ROUND_ASSIGNMENT,
        database,
        round_id=round_id,
        assignment_id=assignment_id,
        pairs=[{"item": i, "reviewer": s, "relevance": float(r)} for i, s, r in pairs],
        props=_scalar_props(props or {}),
    )
    if not out:
        raise NotFoundError("review round", round_id)
    return int(out[0]["n"])


def round_assignment(
    driver: neo4j.Driver, round_id: str, *, database: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The stored assignment of a round: item id → its reviewers (id, name, relevance)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for r in _read(driver, ROUND_ASSIGNMENT, database, id=round_id):
        out.setdefault(r["item"], []).append(
            {"id": r["reviewer"], "name": r["name"], "relevance": r["relevance"]}
        )
    return out


def save_audit(
    driver: neo4j.Driver,
    audit_id: str,
    target_id: str,
    props: Mapping[str, Any],
    *,
    database: str | None = None,
) -> str:
    """Store an audit record for a panel or round (maps and nested lists as JSON text).

    Raises:
        NotFoundError: no panel or round has ``target_id``.
    """
    out = _write(
        driver, SAVE_AUDIT, database, id=audit_id, target=target_id, props=_scalar_props(props)
    )
    if not out:
        raise NotFoundError("panel or review round", target_id)
    logger.info("saved audit %s of %s", audit_id, target_id)
    return str(out[0]["id"])


def audits_for(
    driver: neo4j.Driver, target_id: str, *, database: str | None = None
) -> list[AuditRecord]:
    """The audit records of a panel or round, newest first (JSON text fields decoded)."""
    out = []
    for r in _read(driver, AUDITS_FOR, database, id=target_id):
        props: dict[str, Any] = {}
        for k, v in r["props"].items():
            if k == "created_at":
                continue
            if isinstance(v, str) and v[:1] in "[{":
                try:
                    v = json.loads(v)
                except ValueError:
                    pass
            props[k] = v
        out.append(AuditRecord(id=str(props.get("id")), created_at=r["created_at"], props=props))
    return out
