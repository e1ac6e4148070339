"""Typed reads for the policy analytics: districts, society presence, counterparts, and where
scientists work.

Counting is done in Cypher (aggregates, not one row per scientist), so the reads stay small on a
national graph. The pure computations over these rows live in :mod:`matcher.analytics`.

**Where a scientist is.** A scientist is placed in the district of each organisation they
currently work at (``WORKS_AT {current: true}``; a missing ``current`` counts as current); when
none of those is located, in their own ``LOCATED_IN`` district; otherwise nowhere (unplaced). A
scientist with current jobs in two districts counts once in each.

**A society's field.** A scientist is in a society's field when they specialise in a discipline
the society covers, or in a level-2 subfield of one it covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import neo4j

from graph_schema.errors import translate
from graph_schema.labels import Label as L
from graph_schema.labels import Rel as R

__all__ = [
    "DistrictRow",
    "DisciplineRow",
    "SocietyRow",
    "NationalSocietyRow",
    "PresenceRow",
    "DistrictFieldCount",
    "SocietyDistrictCount",
    "read_districts",
    "read_disciplines",
    "read_societies",
    "read_national_societies",
    "read_presences",
    "scientists_per_district",
    "scientists_per_district_field",
    "society_district_counts",
]

# -- Cypher ---------------------------------------------------------------------------------
#: A subquery body over ``s``: the district codes the scientist is placed in (see module doc).
_SCIENTIST_DISTRICTS: Final = f"""
  OPTIONAL MATCH (s)-[w:{R.WORKS_AT}]->(:{L.ORGANIZATION})-[:{R.LOCATED_IN}]->(wd:{L.DISTRICT})
  WHERE coalesce(w.current, true)
  WITH s, collect(DISTINCT wd.code) AS work
  OPTIONAL MATCH (s)-[:{R.LOCATED_IN}]->(own:{L.DISTRICT})
  WITH work, collect(own.code) AS own
  RETURN CASE WHEN size(work) > 0 THEN work ELSE own END AS districts
"""

READ_DISTRICTS: Final = f"""
MATCH (d:{L.DISTRICT})
RETURN d.code AS code, d.name AS name, d.name_en AS name_en, d.kind AS kind
ORDER BY d.code
"""

READ_DISCIPLINES: Final = f"""
MATCH (d:{L.DISCIPLINE})
OPTIONAL MATCH (d)-[:{R.SUBFIELD_OF}]->(p:{L.DISCIPLINE})
RETURN d.code AS code, d.name AS name, d.name_en AS name_en, p.code AS parent
ORDER BY d.code
"""

READ_SOCIETIES: Final = f"""
MATCH (g:{L.SOCIETY})
OPTIONAL MATCH (g)-[:{R.LOCATED_IN}]->(d:{L.DISTRICT})
RETURN g.id AS id, g.name AS name, g.name_en AS name_en,
       coalesce(g.level, 'municipal') AS level, d.code AS district,
       [(g)-[:{R.COVERS}]->(x:{L.DISCIPLINE}) | x.code] AS disciplines,
       [(g)-[:{R.COUNTERPART_OF}]->(n:{L.NATIONAL_SOCIETY}) | n.id] AS counterparts
ORDER BY g.id
"""

READ_NATIONAL_SOCIETIES: Final = f"""
MATCH (n:{L.NATIONAL_SOCIETY})
RETURN n.id AS id, n.name AS name, n.name_en AS name_en,
       [(n)-[:{R.COVERS}]->(x:{L.DISCIPLINE}) | x.code] AS disciplines,
       [(g:{L.SOCIETY})-[:{R.COUNTERPART_OF}]->(n) | g.id] AS partners
ORDER BY n.id
"""

#: Branches and liaison offices, plus each district-level society in its own district.
READ_PRESENCES: Final = f"""
CALL () {{
  MATCH (g:{L.SOCIETY})-[p:{R.PRESENT_IN}]->(d:{L.DISTRICT})
  RETURN g.id AS society, d.code AS district, p.kind AS kind
  UNION
  MATCH (g:{L.SOCIETY} {{level: 'district'}})-[:{R.LOCATED_IN}]->(d:{L.DISTRICT})
  RETURN g.id AS society, d.code AS district, 'district_society' AS kind
}}
RETURN society, district, kind
ORDER BY district, society, kind
"""

#: Distinct scientists per district (``district`` null: unplaced scientists).
SCIENTISTS_PER_DISTRICT: Final = f"""
MATCH (s:{L.SCIENTIST})
CALL (s) {{ {_SCIENTIST_DISTRICTS} }}
UNWIND CASE WHEN size(districts) = 0 THEN [null] ELSE districts END AS district
RETURN district, count(DISTINCT s) AS scientists
ORDER BY district
"""

#: Distinct scientists per district and level-1 discipline (``discipline`` null: none given).
SCIENTISTS_PER_DISTRICT_FIELD: Final = f"""
MATCH (s:{L.SCIENTIST})
CALL (s) {{ {_SCIENTIST_DISTRICTS} }}
WITH s, districts WHERE size(districts) > 0
CALL (s) {{
  OPTIONAL MATCH (s)-[:{R.SPECIALIZES_IN}]->(d:{L.DISCIPLINE})
  OPTIONAL MATCH (d)-[:{R.SUBFIELD_OF}]->(p:{L.DISCIPLINE})
  RETURN collect(DISTINCT coalesce(p.code, d.code)) AS fields
}}
UNWIND districts AS district
UNWIND CASE WHEN size(fields) = 0 THEN [null] ELSE fields END AS discipline
RETURN district, discipline, count(DISTINCT s) AS scientists
ORDER BY district, discipline
"""

#: Per (municipal society, district): its members and its field's scientists placed there.
SOCIETY_DISTRICT_COUNTS: Final = f"""
MATCH (g:{L.SOCIETY})
WHERE coalesce(g.level, 'municipal') = 'municipal' AND ($society IS NULL OR g.id = $society)
CALL (g) {{
  MATCH (g)-[:{R.COVERS}]->(:{L.DISCIPLINE})<-[:{R.SUBFIELD_OF}*0..1]-(:{L.DISCIPLINE})
        <-[:{R.SPECIALIZES_IN}]-(s:{L.SCIENTIST})
  RETURN s, false AS member
  UNION
  MATCH (s:{L.SCIENTIST})-[:{R.MEMBER_OF}]->(g)
  RETURN s, true AS member
}}
WITH g, s, collect(member) AS flags
CALL (s) {{ {_SCIENTIST_DISTRICTS} }}
UNWIND districts AS district
WITH g, district, s, true IN flags AS is_member, false IN flags AS in_field
RETURN g.id AS society, district,
       count(DISTINCT CASE WHEN is_member THEN s END) AS members,
       count(DISTINCT CASE WHEN in_field THEN s END) AS field_scientists,
       count(DISTINCT s) AS reach
ORDER BY society, district
"""


# -- rows -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DistrictRow:
    code: str
    name: str
    name_en: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class DisciplineRow:
    code: str
    name: str
    name_en: str | None = None
    parent: str | None = None

    @property
    def level1(self) -> str:
        return self.parent or self.code[:3]


@dataclass(frozen=True)
class SocietyRow:
    """A society with its covered disciplines and national counterparts (ids, sorted)."""

    id: str
    name: str
    name_en: str | None
    level: str
    district: str | None
    disciplines: tuple[str, ...]
    counterparts: tuple[str, ...]


@dataclass(frozen=True)
class NationalSocietyRow:
    """A national society with its disciplines and the local societies paired with it."""

    id: str
    name: str
    name_en: str | None
    disciplines: tuple[str, ...]
    partners: tuple[str, ...]


@dataclass(frozen=True)
class PresenceRow:
    """A society counted in a district: ``branch``, ``liaison_office`` or ``district_society``."""

    society: str
    district: str
    kind: str


@dataclass(frozen=True)
class DistrictFieldCount:
    """Distinct scientists placed in ``district`` (None: unplaced) with level-1 ``discipline``
    (None: no discipline; or a per-district total, depending on the read)."""

    district: str | None
    discipline: str | None
    scientists: int


@dataclass(frozen=True)
class SocietyDistrictCount:
    """Members and field scientists of a society placed in one district; ``reach``: their union."""

    society: str
    district: str
    members: int
    field_scientists: int
    reach: int


# -- reads ----------------------------------------------------------------------------------
def _read(
    driver: neo4j.Driver, query: str, database: str | None, **params: Any
) -> list[dict[str, Any]]:
    with translate():
        records = driver.execute_query(
            query, params, database_=database, routing_=neo4j.RoutingControl.READ
        ).records
    return [r.data() for r in records]


def read_districts(driver: neo4j.Driver, *, database: str | None = None) -> list[DistrictRow]:
    """Every district, by code."""
    return [DistrictRow(**r) for r in _read(driver, READ_DISTRICTS, database)]


def read_disciplines(driver: neo4j.Driver, *, database: str | None = None) -> list[DisciplineRow]:
    """Every discipline with its level-1 parent (None for level 1)."""
    return [DisciplineRow(**r) for r in _read(driver, READ_DISCIPLINES, database)]


def read_societies(driver: neo4j.Driver, *, database: str | None = None) -> list[SocietyRow]:
    """Every society with its disciplines and counterparts."""
    return [
        SocietyRow(
            id=r["id"],
            name=r["name"],
            name_en=r["name_en"],
            level=r["level"],
            district=r["district"],
            disciplines=tuple(sorted(r["disciplines"])),
            counterparts=tuple(sorted(r["counterparts"])),
        )
        for r in _read(driver, READ_SOCIETIES, database)
    ]


def read_national_societies(
    driver: neo4j.Driver, *, database: str | None = None
) -> list[NationalSocietyRow]:
    """Every national society with its disciplines and local partners."""
    return [
        NationalSocietyRow(
            id=r["id"],
            name=r["name"],
            name_en=r["name_en"],
            disciplines=tuple(sorted(r["disciplines"])),
            partners=tuple(sorted(r["partners"])),
        )
        for r in _read(driver, READ_NATIONAL_SOCIETIES, database)
    ]


def read_presences(driver: neo4j.Driver, *, database: str | None = None) -> list[PresenceRow]:
    """Branches, liaison offices, district-level societies: a row per (society, district, kind)."""
    return [PresenceRow(**r) for r in _read(driver, READ_PRESENCES, database)]


def scientists_per_district(
    driver: neo4j.Driver, *, database: str | None = None
) -> list[DistrictFieldCount]:
    """Distinct scientists per district (``discipline`` is None; ``district`` None = unplaced)."""
    return [
        DistrictFieldCount(district=r["district"], discipline=None, scientists=r["scientists"])
        for r in _read(driver, SCIENTISTS_PER_DISTRICT, database)
    ]


def scientists_per_district_field(
    driver: neo4j.Driver, *, database: str | None = None
) -> list[DistrictFieldCount]:
    """Distinct placed scientists per district and level-1 discipline."""
    return [DistrictFieldCount(**r) for r in _read(driver, SCIENTISTS_PER_DISTRICT_FIELD, database)]


def society_district_counts(
    driver: neo4j.Driver, *, society: str | None = None, database: str | None = None
) -> list[SocietyDistrictCount]:
    """Members / field scientists / reach of each municipal society (or one) per district.

    Only (society, district) pairs with at least one such scientist appear.
    """
    return [
        SocietyDistrictCount(**r)
        for r in _read(driver, SOCIETY_DISTRICT_COUNTS, database, society=society)
    ]
