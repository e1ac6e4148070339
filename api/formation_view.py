"""What the API shows of a saved formation: its proposal again, the request it answers, display
names, member facts (contact details only for keys with the ``contact`` scope), and the
meeting sheet (:mod:`api.export`).

A proposal is kept on its formation when it is saved (:func:`remember`); reading the formation
returns it while the members are still the proposal's (a member swapped in through the API
makes it stale, and it is left out).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import neo4j
from fastapi.encoders import jsonable_encoder

from api.export import MeetingSheet, SheetLang, T
from graph_schema import cases as C
from graph_schema.apikeys import ApiKey
from graph_schema.errors import NotFoundError
from graph_schema.formation_queries import FormationRecord, load_demand, load_topic

__all__ = ["remember", "labels_for", "formation_json", "meeting_sheet"]

logger = logging.getLogger(__name__)


def remember(
    driver: neo4j.Driver, formation_id: str, proposal: dict[str, Any], database: str
) -> None:
    """Keep the proposal on the saved formation, so its page can be shown again."""
    C.store_proposal(
        driver, formation_id, json.dumps(proposal, ensure_ascii=False), database=database
    )


def _keys(kind: str, proposal: dict[str, Any]) -> set[str]:
    keys: set[str] = set()
    for m in proposal.get("members") or []:
        keys.add(str(m.get("id")))
        keys.update(str(x) for x in m.get("disciplines") or [])
        keys.update(str(x) for x in m.get("unique_disciplines") or [])
        if m.get("institution_id"):
            keys.add(str(m["institution_id"]))
        if m.get("district"):
            keys.add(str(m["district"]))
        keys.update(str(t[0]) for t in m.get("ties") or [])
    if kind == "team" and proposal.get("enterprise"):
        keys.add(str(proposal["enterprise"]))
    keys.update(str(c) for c, _ in proposal.get("theme_disciplines") or [])
    keys.update(str(x.get("id")) for x in proposal.get("excluded") or [])
    return {k for k in keys if k and k != "None"}


def labels_for(
    driver: neo4j.Driver, kind: str, proposal: dict[str, Any] | None, database: str
) -> dict[str, dict[str, str | None]]:
    """``id or code -> {name, name_en}`` for what a proposal refers to: members, institutions,
    disciplines, districts, the enterprise, tied organisations."""
    if not proposal:
        return {}
    names = C.display_names(driver, sorted(_keys(kind, proposal)), database=database)
    return {k: {"name": n, "name_en": e} for k, (n, e) in names.items()}


def _stored(rec: FormationRecord) -> dict[str, Any] | None:
    text = C.read_proposal(dict(rec.props))
    if not text:
        return None
    try:
        proposal: dict[str, Any] = json.loads(text)
    except ValueError:
        logger.warning("stored proposal of %s is not JSON", rec.id)
        return None
    ids = sorted(str(m.get("id")) for m in proposal.get("members") or [])
    return proposal if ids == sorted(m.id for m in rec.members) else None


def _request(driver: neo4j.Driver, rec: FormationRecord, database: str) -> dict[str, Any]:
    """The demand, topic or theme a formation answers, as a page shows it."""
    out: dict[str, Any] = {"id": rec.request_id}
    try:
        if rec.kind == "team" and rec.request_id:
            d = load_demand(driver, rec.request_id, database=database)
            out |= {
                "kind": "demand",
                "title": d.title,
                "text": d.text,
                "enterprise_id": d.enterprise_id,
                "enterprise_name": d.enterprise_name,
                "district": d.district,
                "district_name": d.district_name,
                "skills": list(d.skills),
            }
            if d.enterprise_id:
                names = C.display_names(driver, [d.enterprise_id], database=database)
                out["enterprise_name_en"] = names.get(d.enterprise_id, ("", None))[1]
        elif rec.kind == "panel" and rec.request_id:
            t = load_topic(driver, rec.request_id, database=database)
            out |= {"kind": "topic", "title": t.title, "text": t.text, "issuer": t.issuer}
        else:
            out |= {"kind": "theme", "title": rec.request_id or ""}
    except NotFoundError:
        out |= {"kind": "missing", "title": rec.request_id or ""}
    return out


def _members_info(
    driver: neo4j.Driver, rec: FormationRecord, key: ApiKey, database: str
) -> dict[str, dict[str, Any]]:
    if rec.kind == "consortium":
        return {}
    sheet = C.member_sheet(driver, [m.id for m in rec.members], database=database)
    contact = key.allows("contact")
    out = {}
    for sid, row in sheet.items():
        info = asdict(row)
        info["societies"] = [{"name": n, "grade": g} for n, g in row.societies]
        if not contact:
            info.pop("email")
            info.pop("phone")
        out[sid] = info
    return out


def formation_json(
    driver: neo4j.Driver, rec: FormationRecord, key: ApiKey, database: str
) -> dict[str, Any]:
    """A saved formation as ``GET /v1/{teams,panels,consortia}/{id}`` answers it: the record
    (members, status, feedback, props without the stored proposal) plus ``proposal`` (or
    null), ``request``, ``labels`` and ``members_info``."""
    data: dict[str, Any] = jsonable_encoder(asdict(rec))
    data["props"] = {k: v for k, v in data["props"].items() if k != C.PROPOSAL_PROPERTY}
    proposal = _stored(rec)
    data["proposal"] = proposal
    data["request"] = _request(driver, rec, database)
    labels = labels_for(driver, rec.kind, proposal, database)
    if proposal is None:  # still name the members (and a consortium's organisations)
        names = C.display_names(driver, [m.id for m in rec.members], database=database)
        labels = {k: {"name": n, "name_en": e} for k, (n, e) in names.items()}
    data["labels"] = labels
    data["members_info"] = _members_info(driver, rec, key, database)
    return data


def _date(iso: str | None) -> str:
    return (iso or "")[:10]


def meeting_sheet(
    driver: neo4j.Driver, rec: FormationRecord, key: ApiKey, lang: SheetLang, database: str
) -> MeetingSheet:
    """The meeting sheet of a saved formation, in ``lang``; contact columns only for keys with
    the ``contact`` scope."""
    tr = T[lang]
    view = formation_json(driver, rec, key, database)
    req, proposal, labels = view["request"], view["proposal"] or {}, view["labels"]

    def name(k: str | None, fallback: str = "") -> str:
        if not k:
            return fallback
        x = labels.get(k) or {}
        return str((lang == "en" and x.get("name_en")) or x.get("name") or fallback)

    facts: list[tuple[str, str]] = []
    if rec.kind == "team":
        facts.append((tr["request"], str(req.get("title") or "")))
        ent = (lang == "en" and req.get("enterprise_name_en")) or req.get("enterprise_name")
        facts.append((tr["enterprise"], str(ent or "")))
    elif rec.kind == "panel":
        facts.append((tr["topic"], str(req.get("title") or "")))
        facts.append((tr["issuer"], str(req.get("issuer") or "")))
    else:
        facts.append((tr["theme"], str(req.get("title") or "")))
    facts.append((tr["date"], _date(rec.created_at)))
    facts.append((tr["status"], tr.get(f"status.{rec.status}", str(rec.status or ""))))
    facts.append((tr["exported"], datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")))
    heading = f"{tr[rec.kind]}{'：' if lang == 'zh' else ': '}{req.get('title') or ''}"

    if rec.kind == "consortium":
        by_id = {m["id"]: m for m in proposal.get("members") or []}
        cols = [tr["no"], tr["org"], tr["kind"], tr["skills"], tr["contribution"], tr["ties"]]
        rows: list[list[str | int | float | None]] = []
        for i, m in enumerate(rec.members, start=1):
            p = by_id.get(m.id, {})
            kind = str(p.get("kind") or m.role or "")
            discs = [name(c, c) for c in p.get("disciplines") or []]
            ties = [f"{name(o, o)}：{what}" for o, _, what in p.get("ties") or []]
            rows.append(
                [
                    i,
                    name(m.id, m.name or m.id),
                    tr.get(f"kind.{kind}", kind),
                    "、".join(discs),
                    str(p.get("contribution") or ""),
                    "；".join(ties),
                ]
            )
        return MeetingSheet(heading, facts, cols, rows)

    info = view["members_info"]
    contact = key.allows("contact")
    by_id = {m["id"]: m for m in proposal.get("members") or []}
    cols = [tr["no"], tr["name"], tr["role"], tr["title"], tr["institution"], tr["societies"]]
    cols += [tr["skills"], tr["reasons"], tr["feedback"]]
    if contact:
        cols += [tr["email"], tr["phone"]]
    rows = []
    for i, m in enumerate(rec.members, start=1):
        p, x = by_id.get(m.id, {}), info.get(m.id, {})
        inst = (lang == "en" and x.get("institution_en")) or x.get("institution") or ""
        socs = [
            f"{s['name']}（{tr.get('grade.' + s['grade'], s['grade'])}）"
            if s["grade"]
            else s["name"]
            for s in x.get("societies") or []
        ]
        covers = list(m.skills) if rec.kind == "team" else [name(c, c) for c in m.skills]
        reasons = list(p.get("evidence") or [])
        fb = []
        if m.accepted is not None:
            fb.append(tr[f"accepted.{str(m.accepted).lower()}"])
        if m.rating:
            fb.append(tr["rating"].format(n=m.rating))
        if m.comment:
            fb.append(m.comment)
        row: list[str | int | float | None] = [
            i,
            str((lang == "en" and x.get("name_en")) or m.name or m.id),
            tr.get(f"role.{m.role}", str(m.role or "")),
            str(x.get("title") or ""),
            str(inst),
            "；".join(socs),
            "、".join(covers),
            "\n".join(reasons),
            "；".join(fb),
        ]
        if contact:
            row += [x.get("email") or "", x.get("phone") or ""]
        rows.append(row)
    return MeetingSheet(heading, facts, cols, rows)
