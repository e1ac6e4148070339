"""Deterministic demo data for Kexie Match: the graph's import files plus a ground truth.

How it works
------------
Everything is drawn from one ``random.Random(seed)`` in a fixed order, and every file is
written in generation order, so the same seed and scale give byte-identical files.

1. Reference data (districts, disciplines, national and municipal societies, universities,
   institutes) is real and does not grow with ``scale``; presences of societies in districts
   are drawn with probabilities by district tier, so central districts have many societies
   and remote counties few.
2. Enterprises (``500 * scale``) are fictional, in Chongqing's real industrial clusters.
3. Scientists (``5000 * scale``) are generated *lab by lab*: a lab is a group at one
   institution in one second-level discipline with one or two topic clusters
   (:mod:`kexie.demo.vocabulary`). Members get one or two specialty clusters, mostly the
   lab's. Each member leads a skewed number of evidence items (publications, projects,
   patents, standards, awards), mostly in their specialty, co-authored with lab members and
   now and then with a partner lab elsewhere. A lab is written out as soon as it is done:
   nothing but ids, for the ground truth, is kept in memory.
4. Demands, topics and evaluation queries are then written from clusters that have experts,
   and the ground truth records which scientists are relevant: grade 2 for a scientist whose
   specialty is the item's cluster and who has evidence in it, grade 1 for a scientist in the
   cluster's second-level discipline.
5. Last, an award round (``RND-2025``, 2025年度重庆市科技进步奖推荐) with up to ten nominations
   ``AWD-001``…, each written from one cluster and nominated by a lab kept aside while the
   labs were generated (a few per cluster): the applicants are the lab's lead expert and
   sometimes a lab colleague or an outside co-author; the submitting organisations are theirs.
   Their lab members and outside co-authors (2020 or later) are the co-authorship and
   colleague conflicts a review panel must exclude; every other nomination also plants a
   former colleague (a past affiliation at the nominee's organisation ending 2022–2024) and
   every third a declared conflict (师生关系…) with an expert of another lab in the cluster.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import random
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, Final, TypeVar

from graph_schema.models import RECORD_KINDS, detect_lang
from kexie.demo.districts import DISTRICTS, TIER_WEIGHT, district_by_name
from kexie.demo.institutions import (
    INDUSTRIES,
    INSTITUTES,
    NAME_CORES,
    NAME_PREFIXES,
    UNIVERSITIES,
    Industry,
    Institution,
)
from kexie.demo.items import (
    AWARD_ITEM_TEXT,
    AWARD_ITEM_TITLE,
    AWARD_ROUND,
    DECLARED_TIES,
    DEMAND_TEXT_EN,
    DEMAND_TEXT_ZH,
    DEMAND_TITLE_EN,
    DEMAND_TITLE_ZH,
    QUERY_LONG_EN,
    QUERY_LONG_ZH,
    QUERY_SHORT_EN,
    QUERY_SHORT_ZH,
    TOPIC_TEXT,
    TOPICS,
)
from kexie.demo.names import NameMaker
from kexie.demo.societies import DISTRICT_SOCIETIES, MUNICIPAL_SOCIETIES, NATIONAL_SOCIETIES
from kexie.demo.taxonomy import DISCIPLINES
from kexie.demo.vocabulary import (
    ABSTRACT_EN,
    ABSTRACT_MIXED,
    ABSTRACT_ZH,
    AWARD_ZH,
    CLUSTERS,
    CLUSTERS_BY_DISCIPLINE,
    CLUSTERS_BY_KEY,
    PATENT_EN,
    PATENT_ZH,
    PROJECT_EN,
    PROJECT_ZH,
    STANDARD_ZH,
    TITLE_EN,
    TITLE_MIXED,
    TITLE_ZH,
    VENUE_FALLBACK_EN,
    VENUE_FALLBACK_ZH,
    VENUES_EN,
    VENUES_ZH,
    Cluster,
)

__all__ = ["GenerationSummary", "generate", "BASE_SCIENTISTS", "BASE_ENTERPRISES"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

BASE_SCIENTISTS: Final = 5000
BASE_ENTERPRISES: Final = 500
N_DEMANDS: Final = 40
N_QUERIES: Final = 200
N_AWARD_ITEMS: Final = 10
REVIEW_RECENT_FROM: Final = int(AWARD_ROUND["year"]) - 5
"""Evidence from this year on makes co-contributors conflicts in the award round (its
co-authorship window is the default five years)."""
_LABS_PER_CLUSTER: Final = 3
MAX_ABSTRACT: Final = 200
EVIDENCE_FACTOR: Final = 2.1
"""Scales the Pareto draw of evidence items each scientist leads: at 2.1 there are about 5
evidence records per scientist (about 14 authorships per scientist, 2.9 contributors per
record); at 1.0 about 2.4 records per scientist."""
_SHORT_ABSTRACT: Final = {
    "zh": "研究{a}与{b}，面向{app}。",
    "en": "We study {a} and {b} for {app}.",
    "mixed": "研究 {ea} 与 {eb}, 用于 {eapp}。",
}
THIS_YEAR: Final = 2026
FIRST_EVIDENCE_YEAR: Final = 2005
STEMS: Final[tuple[str, ...]] = tuple(k.stem for k in RECORD_KINDS)
_EVIDENCE_PREFIX: Final = {
    "publication": ("publications", "pub"),
    "project": ("projects", "prj"),
    "patent": ("patents", "pat"),
    "standard": ("standards", "std"),
    "award": ("awards", "awd"),
}
_SENIOR_TITLES: Final = frozenset({"教授", "研究员", "正高级工程师", "主任医师"})
_VICE_TITLES: Final = frozenset({"副教授", "副研究员", "高级工程师", "副主任医师"})
_NSFC_DEPT: Final = {
    "1": "1",
    "2": "3",
    "3": "8",
    "4": "5",
    "5": "6",
    "6": "4",
    "7": "7",
    "8": "7",
    "9": "7",
}  # first digit of the discipline -> NSFC department digit (approximate)


@dataclass(frozen=True)
class GenerationSummary:
    """What :func:`generate` wrote.

    Attributes:
        out_dir: the import folder (one ``<stem>.jsonl`` per record kind).
        truth_dir: the ground-truth folder (``ground_truth.jsonl``, ``queries.jsonl``).
        seed: the seed used.
        scale: the scale used.
        counts: records per stem, plus ``ground_truth`` and ``queries``.
        seconds: wall time of the generation.
        paths: file per stem (and per ground-truth file).
    """

    out_dir: Path
    truth_dir: Path
    seed: int
    scale: float
    counts: Mapping[str, int]
    seconds: float
    paths: Mapping[str, Path]


class _Sink:
    """One open JSON Lines file per stem; counts what it writes."""

    def __init__(self, folder: Path, stems: Iterable[str]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.paths = {stem: folder / f"{stem}.jsonl" for stem in stems}
        self.counts = dict.fromkeys(self.paths, 0)
        self._files: dict[str, IO[str]] = {
            stem: path.open("w", encoding="utf-8", newline="\n", buffering=1 << 20)
            for stem, path in self.paths.items()
        }
        self._dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

    def write(self, stem: str, record: Mapping[str, Any]) -> None:
        self._files[stem].write(self._dumps(record) + "\n")
        self.counts[stem] += 1

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    """Drop ``None`` values and empty lists (the models' defaults) to keep files small."""
    return {k: v for k, v in record.items() if v is not None and v != []}


@dataclass
class _Org:
    id: str
    kind: str
    name: str
    district: str
    disciplines: tuple[str, ...]
    industry: str | None = None
    medical: bool = False


@dataclass
class _Person:
    idx: int
    id: str
    name: str
    birth_year: int
    title: str
    senior: int  # 2 senior title, 1 vice-senior, 0 other
    specialty: tuple[Cluster, ...]
    disciplines: tuple[str, ...]
    talents: tuple[str, ...]
    english: float  # share of this person's evidence written in English
    productivity: int  # evidence items led
    org_id: str = ""
    start: int = 0  # first year of the current affiliation
    past_org: str | None = None  # the organisation of a past affiliation, if any


@dataclass
class _LabNote:
    """A lab kept for the award round: its people and who co-authored with whom lately."""

    org: _Org
    cluster: Cluster
    members: tuple[_Person, ...]
    recent: dict[int, list[_Person]]  # member idx -> co-contributors since REVIEW_RECENT_FROM


@dataclass
class _State:
    """What survives a lab: ids for the ground truth and the partner pool."""

    grade2: dict[str, set[int]] = field(default_factory=dict)  # cluster key -> scientist idx
    grade1: dict[str, set[int]] = field(default_factory=dict)  # L2 code -> scientist idx
    partners: dict[str, deque[tuple[str, list[_Person]]]] = field(default_factory=dict)
    evidence_ids: dict[str, int] = field(default_factory=dict)
    role_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    lang_counts: dict[str, int] = field(default_factory=dict)
    labs: dict[str, list[_LabNote]] = field(default_factory=dict)  # cluster key -> labs


def _weighted(rng: random.Random, items: Sequence[T], weights: Sequence[float]) -> T:
    return rng.choices(items, weights=weights)[0]


def _fill(rng: random.Random, template: str, cluster: Cluster, lang: str) -> str:
    """Fill a template with distinct terms of one cluster (``{A}`` = capitalised ``{a}``)."""
    a, b, c = rng.sample(cluster.terms, 3)
    app = rng.choice(cluster.apps)
    if lang == "zh":
        return template.format(a=a[0], b=b[0], c=c[0], app=app[0])
    if lang == "en":
        return template.format(a=a[1], b=b[1], c=c[1], app=app[1], A=a[1][:1].upper() + a[1][1:])
    return template.format(ea=a[1], eb=b[1], ec=c[1], eapp=app[1])


def _orcid(idx: int, seed: int) -> str:
    """A valid, unique ORCID iD (ISO 7064 MOD 11-2) for scientist number ``idx``."""
    value = 10_000_000 + ((idx + seed * 104_729) * 7_919) % 30_000_000
    base = f"0000000{value:08d}"
    total = 0
    for ch in base:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    digits = base + ("X" if check == 10 else str(check))
    return f"{digits[0:4]}-{digits[4:8]}-{digits[8:12]}-{digits[12:16]}"


class _Generator:
    def __init__(self, out_dir: Path, truth_dir: Path, seed: int, scale: float) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.scale = scale
        self.sink = _Sink(out_dir, STEMS)
        self.truth_dir = truth_dir
        self.names = NameMaker(self.rng)
        self.state = _State()
        self.districts = {d.code: d for d in DISTRICTS}
        self.orgs: list[_Org] = []
        self.enterprises: list[_Org] = []
        self.ent_by_discipline: dict[str, list[_Org]] = {}
        self.society_ids: list[str] = []
        self.societies_by_code: dict[str, list[str]] = {}
        self.district_societies: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        self.society_name: dict[str, str] = {}
        self.n_scientists = 0
        self.conflict_pairs: set[tuple[str, str]] = set()
        self.truth_paths: dict[str, Path] = {}
        self.truth_counts: dict[str, int] = {}

    # -- reference data ---------------------------------------------------------------------
    def reference(self) -> None:
        w = self.sink.write
        for d in DISTRICTS:
            w("districts", {"code": d.code, "name": d.name, "name_en": d.name_en, "kind": d.kind})
        for disc in DISCIPLINES:
            w("disciplines", {"code": disc.code, "name": disc.name, "name_en": disc.name_en})
        national_ids: dict[str, str] = {}
        for i, ns in enumerate(NATIONAL_SOCIETIES, start=1):
            nid = f"nat-{i:03d}"
            national_ids[ns.name] = nid
            w(
                "national_societies",
                {
                    "id": nid,
                    "name": ns.name,
                    "name_en": ns.name_en,
                    "disciplines": list(ns.disciplines),
                },
            )
        rng = self.rng
        hq = [d for d in DISTRICTS if d.tier == 1]
        hq_w = [4.0 if d.name in ("渝中区", "沙坪坝区", "渝北区") else 1.0 for d in hq]
        for i, ms in enumerate(MUNICIPAL_SOCIETIES, start=1):
            sid = f"soc-{i:03d}"
            founded = ms.founded_year or rng.randint(1952, 2015)
            home = _weighted(rng, hq, hq_w)
            w(
                "societies",
                _compact(
                    {
                        "id": sid,
                        "name": ms.name,
                        "name_en": ms.name_en,
                        "level": "municipal",
                        "district": home.code,
                        "founded_year": founded,
                        "disciplines": list(ms.disciplines),
                        "counterparts": [national_ids[n] for n in ms.counterparts],
                    }
                ),
            )
            self._index_society(sid, ms.name, ms.disciplines)
            self._presences(sid, founded, ms.disciplines)
        for i, ds in enumerate(DISTRICT_SOCIETIES, start=1):
            sid = f"soc-d{i:02d}"
            district = district_by_name(ds.district or "")
            w(
                "societies",
                {
                    "id": sid,
                    "name": ds.name,
                    "name_en": ds.name_en,
                    "level": "district",
                    "district": district.code,
                    "founded_year": ds.founded_year,
                    "disciplines": list(ds.disciplines),
                },
            )
            self.society_name[sid] = ds.name
            self.district_societies.setdefault(district.code, []).append((sid, ds.disciplines))
        for inst in UNIVERSITIES + INSTITUTES:
            self._write_institution(inst)

    def _index_society(self, sid: str, name: str, codes: Sequence[str]) -> None:
        self.society_ids.append(sid)
        self.society_name[sid] = name
        for code in codes:
            self.societies_by_code.setdefault(code, []).append(sid)
            if len(code) == 5:
                self.societies_by_code.setdefault(code[:3], []).append(sid)

    def _presences(self, sid: str, founded: int, codes: Sequence[str]) -> None:
        """Branches and liaison offices: many in the centre, few in remote counties."""
        rng = self.rng
        size = rng.uniform(0.4, 1.6)
        rural = any(c[:1] == "2" or c[:3] == "550" for c in codes)
        base = {1: 0.38, 2: 0.13, 3: 0.045}
        branch = {1: 0.6, 2: 0.35, 3: 0.15}
        for d in DISTRICTS:
            p = base[d.tier] * size * (2.5 if rural and d.tier > 1 else 1.0)
            if rng.random() < min(p, 0.95):
                kind = "branch" if rng.random() < branch[d.tier] else "liaison_office"
                self.sink.write(
                    "presences",
                    {
                        "society": sid,
                        "district": d.code,
                        "kind": kind,
                        "since": rng.randint(max(founded, 1985), 2025),
                    },
                )

    def _write_institution(self, inst: Institution) -> None:
        district = district_by_name(inst.district)
        stem = "universities" if inst.kind == "university" else "institutes"
        self.sink.write(
            stem,
            {
                "id": inst.id,
                "name": inst.name,
                "name_en": inst.name_en,
                "district": district.code,
                "disciplines": list(inst.disciplines),
            },
        )
        self.orgs.append(
            _Org(
                inst.id, inst.kind, inst.name, district.code, inst.disciplines, medical=inst.medical
            )
        )

    # -- enterprises ------------------------------------------------------------------------
    def enterprises_(self) -> None:
        rng = self.rng
        n = max(20, round(BASE_ENTERPRISES * self.scale))
        shares = [ind.share for ind in INDUSTRIES]
        all_d = list(DISTRICTS)
        all_w = [TIER_WEIGHT[d.tier] for d in DISTRICTS]
        taken: set[str] = set()
        for i in range(1, n + 1):
            ind = _weighted(rng, INDUSTRIES, shares)
            if rng.random() < 0.75:
                district = district_by_name(rng.choice(ind.districts))
            else:
                district = _weighted(rng, all_d, all_w)
            name, name_en = self._company_name(ind, taken)
            k = rng.choices((1, 2, 3), weights=(45, 40, 15))[0]
            codes = tuple(sorted(rng.sample(ind.disciplines, min(k, len(ind.disciplines)))))
            eid = f"ent-{i:05d}"
            self.sink.write(
                "enterprises",
                {
                    "id": eid,
                    "name": name,
                    "name_en": name_en,
                    "district": district.code,
                    "industry": ind.name,
                    "disciplines": list(codes),
                },
            )
            org = _Org(eid, "enterprise", name, district.code, codes, industry=ind.key)
            self.enterprises.append(org)
            for code in codes:
                self.ent_by_discipline.setdefault(code, []).append(org)

    def _company_name(self, ind: Industry, taken: set[str]) -> tuple[str, str]:
        rng = self.rng
        for attempt in range(200):
            (p_zh, p_en), (c_zh, c_en) = rng.choice(NAME_PREFIXES), rng.choice(NAME_CORES)
            s_zh, s_en = rng.choice(ind.suffixes)
            core_zh, core_en = c_zh, c_en
            if attempt >= 3:  # the short names are used up: add a second core character
                c2_zh, c2_en = rng.choice(NAME_CORES)
                core_zh, core_en = c_zh + c2_zh, c_en + c2_en
            if attempt >= 50:
                core_zh, core_en = core_zh + str(attempt), core_en + str(attempt)
            name = f"重庆{p_zh}{core_zh}{s_zh}有限公司"
            if name not in taken:
                taken.add(name)
                return name, f"Chongqing {p_en}{core_en} {s_en} Co., Ltd."
        raise RuntimeError("could not draw a unique company name")  # pragma: no cover

    # -- scientists, lab by lab ------------------------------------------------------------
    def scientists(self) -> None:
        rng = self.rng
        target = max(200, round(BASE_SCIENTISTS * self.scale))
        academic = list(self.orgs)
        academic_w = [inst.weight for inst in UNIVERSITIES + INSTITUTES]
        while self.n_scientists < target:
            if rng.random() < 0.375:
                org = rng.choice(self.enterprises)
                size = rng.choices((1, 2, 3, 4, 5), weights=(25, 30, 22, 13, 10))[0]
            else:
                org = _weighted(rng, academic, academic_w)
                size = rng.choices(range(3, 11), weights=(14, 16, 16, 14, 12, 10, 10, 8))[0]
            size = min(size, target - self.n_scientists)
            self._lab(org, size)

    def _lab(self, org: _Org, size: int) -> None:
        rng = self.rng
        st = self.state
        code = rng.choice(org.disciplines)
        pool = CLUSTERS_BY_DISCIPLINE[code]
        lab_clusters = rng.sample(pool, min(len(pool), rng.choice((1, 1, 2))))
        members = [self._person(org, code, lab_clusters, pi=(i == 0)) for i in range(size)]
        partner_q = st.partners.setdefault(code, deque(maxlen=24))
        partners = [m for oid, ms in partner_q if oid != org.id for m in ms]
        had: dict[int, set[str]] = {m.idx: set() for m in members}
        recent: dict[int, dict[str, _Person]] = {m.idx: {} for m in members}
        for lead in members:
            for _ in range(lead.productivity):
                authors, year = self._evidence(org, lead, members, partners, lab_clusters, had)
                if year >= REVIEW_RECENT_FROM:
                    for a in authors:
                        if a.idx in recent:
                            recent[a.idx].update((b.id, b) for b in authors if b is not a)
        for m in members:
            for cl in m.specialty:
                if cl.key in had[m.idx]:
                    st.grade2.setdefault(cl.key, set()).add(m.idx)
            for c in m.disciplines:
                if len(c) == 5:
                    st.grade1.setdefault(c, set()).add(m.idx)
        partner_q.append((org.id, members[: min(4, len(members))]))
        notes = st.labs.setdefault(lab_clusters[0].key, [])
        if size >= 3 and len(notes) < _LABS_PER_CLUSTER:  # a few labs per cluster, for the round
            notes.append(
                _LabNote(
                    org,
                    lab_clusters[0],
                    tuple(members),
                    {i: list(co.values()) for i, co in recent.items()},
                )
            )

    def _person(self, org: _Org, code: str, lab_clusters: Sequence[Cluster], pi: bool) -> _Person:
        rng = self.rng
        self.n_scientists += 1
        idx = self.n_scientists
        sid = f"sci-{idx:06d}"
        gender = "M" if rng.random() < 0.68 else "F"
        name, name_en = self.names.make(gender)
        if pi:
            birth = rng.randint(1955, 1984)
        else:
            birth = min(2000, int(rng.triangular(1960, 2001, 1992)))
        age = THIS_YEAR - birth
        title, senior = self._title(org, age, pi)
        # specialty: one of the lab's clusters, sometimes a second one
        spec = [rng.choice(lab_clusters)]
        if rng.random() < 0.35:
            r = rng.random()
            if r < 0.5:
                pool: Sequence[Cluster] = CLUSTERS_BY_DISCIPLINE[code]
            elif r < 0.8:
                pool = [c for c in CLUSTERS if c.discipline[:3] == code[:3]]
            else:  # a neighbouring field at the same institution
                pool = CLUSTERS_BY_DISCIPLINE[rng.choice(org.disciplines)]
            extra = rng.choice(pool)
            if extra not in spec:
                spec.append(extra)
        codes = list(dict.fromkeys([code] + [c.discipline for c in spec]))
        if len(codes) < 3 and rng.random() < 0.2:
            other = rng.choice(org.disciplines)
            if other not in codes:
                codes.append(other)
        if len(codes) < 3 and rng.random() < 0.15:
            codes.append(code[:3])
        talents = self._talents(org, age, senior)
        overseas = "overseas_scientist" in talents
        english = 0.55 if overseas else (0.22 if org.kind == "university" else 0.12)
        # evidence items led: skewed (Pareto), more for PIs and seniors, fewer for the young
        prod = rng.paretovariate(2.1) * EVIDENCE_FACTOR
        if pi or senior == 2:
            prod *= 1.8
        if age < 32:
            prod *= 0.5
        prod = int(prod + rng.random())
        person = _Person(
            idx,
            sid,
            name,
            birth,
            title,
            senior,
            tuple(spec),
            tuple(codes),
            talents,
            english,
            min(prod, 40),
            org_id=org.id,
        )
        self._write_scientist(person, org, gender, name_en, age, overseas)
        return person

    def _title(self, org: _Org, age: int, pi: bool) -> tuple[str, int]:
        rng = self.rng
        r = rng.random() + (0.35 if pi else 0.0)
        if org.kind == "enterprise":
            ladder = ("助理工程师", "工程师", "高级工程师", "正高级工程师")
        elif org.medical and rng.random() < 0.6:
            ladder = ("住院医师", "主治医师", "副主任医师", "主任医师")
        elif org.kind == "university":
            ladder = ("助教", "讲师", "副教授", "教授")
        else:
            ladder = ("研究实习员", "助理研究员", "副研究员", "研究员")
        if age < 30:
            step = 0 if r < 0.6 else 1
        elif age < 38:
            step = 1 if r < 0.7 else 2
        elif age < 48:
            step = 1 if r < 0.3 else (2 if r < 0.8 else 3)
        else:
            step = 2 if r < 0.55 else 3
        title = ladder[step]
        return title, 2 if title in _SENIOR_TITLES else (1 if title in _VICE_TITLES else 0)

    def _talents(self, org: _Org, age: int, senior: int) -> tuple[str, ...]:
        rng = self.rng
        out = []
        if age >= 55 and senior == 2 and rng.random() < 0.03:
            out.append("strategic_scientist")
        if 38 <= age <= 62 and senior == 2 and rng.random() < 0.08:
            out.append("leading_talent")
        if (age <= 35 and rng.random() < 0.25) or (35 < age <= 40 and rng.random() < 0.06):
            out.append("young_scientist")
        if rng.random() < 0.06:
            out.append("overseas_scientist")
        if org.kind != "university" and senior >= 1:
            if rng.random() < (0.12 if org.kind == "enterprise" else 0.03):
                out.append("outstanding_engineer")
        if org.kind == "enterprise" and rng.random() < 0.15:
            out.append("enterprise_innovator")
        return tuple(out)

    def _write_scientist(
        self, p: _Person, org: _Org, gender: str, name_en: str, age: int, overseas: bool
    ) -> None:
        rng = self.rng
        is_ent = org.kind == "enterprise"
        orcid = None
        if rng.random() < (0.1 if is_ent else (0.7 if overseas else 0.35)):
            orcid = _orcid(p.idx, self.seed)
        slug = org.id.split("-", 1)[1].replace("-", "")
        handle = name_en.lower().replace(" ", "")
        email = None
        if rng.random() < 0.85:
            suffix = "example.com" if is_ent else "example.edu.cn"
            email = f"{handle}{rng.randint(1, 99)}@{slug}.{suffix}"
        phone = f"023-5550{rng.randint(0, 9999):04d}" if rng.random() < 0.4 else None
        if age >= 70:
            availability = rng.choices(("available", "limited", "unavailable"), (30, 30, 40))[0]
        else:
            availability = rng.choices(("available", "limited", "unavailable"), (82, 14, 4))[0]
        fields = "、".join(c.name for c in p.specialty)
        bio = f"{org.name}{p.title}，主要从事{fields}研究。"
        if overseas:
            bio += "曾在海外高校或科研机构长期工作。"
        self.sink.write(
            "scientists",
            _compact(
                {
                    "id": p.id,
                    "name": p.name,
                    "name_en": name_en,
                    "gender": gender,
                    "birth_year": p.birth_year,
                    "title": p.title,
                    "talent_kinds": list(p.talents),
                    "orcid": orcid,
                    "email": email,
                    "phone": phone,
                    "institution": org.id,
                    "district": org.district,
                    "disciplines": list(p.disciplines),
                    "availability": availability,
                    "max_active_teams": rng.choice((1, 2, 2, 3, 3, 3, 3, 4, 5)),
                    "bio": bio,
                }
            ),
        )
        start = min(THIS_YEAR - 1, p.birth_year + rng.randint(23, 30))
        p.start = start
        self.sink.write(
            "affiliations",
            {
                "scientist": p.id,
                "organization": org.id,
                "title": p.title,
                "since": start,
                "current": True,
            },
        )
        if age >= 35 and rng.random() < 0.3:
            past = rng.choice(self.orgs) if rng.random() < 0.7 else rng.choice(self.enterprises)
            if past.id != org.id:
                p.past_org = past.id
                junior = {"enterprise": "工程师", "university": "讲师"}.get(past.kind, "助理研究员")
                self.sink.write(
                    "affiliations",
                    {
                        "scientist": p.id,
                        "organization": past.id,
                        "title": junior,
                        "since": max(p.birth_year + 22, start - rng.randint(3, 12)),
                        "until": start - 1,  # left when the current post began
                        "current": False,
                    },
                )
        self._memberships(p, org, age)

    def _memberships(self, p: _Person, org: _Org, age: int) -> None:
        rng = self.rng
        exact: list[str] = []
        broad: list[str] = []
        for code in p.disciplines:
            bucket = exact if len(code) == 5 else broad
            bucket.extend(self.societies_by_code.get(code, ()))
            if len(code) == 5:
                broad.extend(self.societies_by_code.get(code[:3], ()))
        candidates = list(dict.fromkeys(exact + broad))
        local = [
            sid
            for sid, codes in self.district_societies.get(org.district, ())
            if any(c[:3] == d[:3] for c in codes for d in p.disciplines)
        ]
        if not candidates:
            candidates = [rng.choice(self.society_ids)]
        k = min(len(candidates), rng.choices((1, 2, 3), weights=(50, 35, 15))[0])
        chosen = candidates[:1] + rng.sample(candidates[1:], k - 1) if k > 1 else candidates[:1]
        if local and rng.random() < 0.5:
            chosen.append(rng.choice(local))
        for sid in chosen:
            grade = self._grade(p, age)
            role = self._role(sid, grade, age)
            self.sink.write(
                "memberships",
                {
                    "scientist": p.id,
                    "society": sid,
                    "grade": grade,
                    "role": role,
                    "since": rng.randint(min(THIS_YEAR, p.birth_year + 22), THIS_YEAR),
                },
            )

    def _grade(self, p: _Person, age: int) -> str:
        r = self.rng.random()
        if age < 30 or (age < 34 and p.senior == 0):
            return "student_member" if r < 0.6 else "member"
        if p.senior == 2 and age >= 50 and (r < 0.06 or (p.talents and r < 0.25)):
            return "fellow"
        if (p.senior == 2 and r < 0.6) or (p.senior == 1 and r < 0.2):
            return "senior_member"
        return "member"

    def _role(self, sid: str, grade: str, age: int) -> str:
        if grade not in ("senior_member", "fellow") or age < 42:
            return "member"
        caps = (
            ("president", 1, 0.3),
            ("secretary_general", 1, 0.2),
            ("vice_president", 4, 0.15),
            ("standing_council_member", 12, 0.15),
            ("council_member", 40, 0.25),
        )
        rng = self.rng
        for role, cap, p in caps:
            key = (sid, role)
            if self.state.role_counts.get(key, 0) < cap and rng.random() < p:
                self.state.role_counts[key] = self.state.role_counts.get(key, 0) + 1
                return role
        return "member"

    # -- evidence ---------------------------------------------------------------------------
    def _evidence(
        self,
        org: _Org,
        lead: _Person,
        members: Sequence[_Person],
        partners: Sequence[_Person],
        lab_clusters: Sequence[Cluster],
        had: dict[int, set[str]],
    ) -> tuple[list[_Person], int]:
        """Write one evidence item led by ``lead``; returns its contributors and year."""
        rng = self.rng
        if rng.random() < 0.85:
            cluster = rng.choice(lead.specialty)
        else:
            cluster = rng.choice(CLUSTERS_BY_DISCIPLINE[lead.disciplines[0]] + tuple(lab_clusters))
        if org.kind == "enterprise":
            kind = rng.choices(tuple(_EVIDENCE_PREFIX), weights=(38, 17, 32, 8, 5))[0]
        else:
            kind = rng.choices(tuple(_EVIDENCE_PREFIX), weights=(68, 15, 10, 3, 4))[0]
        n_co = rng.choices(range(6), weights=(18, 27, 24, 15, 9, 7))[0]
        others = [m for m in members if m is not lead]
        authors = [lead] + rng.sample(others, min(n_co, len(others)))
        if partners and rng.random() < 0.2:
            ext = rng.choice(partners)
            if all(ext.idx != a.idx for a in authors):
                authors.insert(rng.randint(1, len(authors)), ext)
                if cluster in ext.specialty:
                    self.state.grade2.setdefault(cluster.key, set()).add(ext.idx)
        for a in authors:
            if a.idx in had:
                had[a.idx].add(cluster.key)
        lo = max(FIRST_EVIDENCE_YEAR, lead.birth_year + 24)
        year = rng.randint(min(lo, THIS_YEAR), THIS_YEAR)
        self._write_evidence(kind, cluster, lead, [a.id for a in authors], year, org)
        return authors, year

    def _write_evidence(
        self,
        kind: str,
        cl: Cluster,
        lead: _Person,
        contributors: list[str],
        year: int,
        org: _Org,
    ) -> None:
        rng = self.rng
        stem, prefix = _EVIDENCE_PREFIX[kind]
        n = self.state.evidence_ids.get(stem, 0) + 1
        self.state.evidence_ids[stem] = n
        lang = "zh"
        if kind in ("publication", "project", "patent"):
            r = rng.random()
            p_en = lead.english * (1.0 if kind == "publication" else 0.4)
            if r < p_en:
                lang = "en"
            elif r < p_en + 0.06:
                lang = "mixed"
        l1 = cl.discipline[:3]
        source: str | None = None
        number: str | None = None
        if kind == "publication":
            if lang == "en":
                source = rng.choice(VENUES_EN.get(l1, VENUE_FALLBACK_EN))
            else:
                source = rng.choice(VENUES_ZH.get(l1, VENUE_FALLBACK_ZH))
            title_t = {"zh": TITLE_ZH, "en": TITLE_EN, "mixed": TITLE_MIXED}[lang]
        elif kind == "project":
            source, number = self._funder(cl, year, lang, org)
            title_t = {"zh": PROJECT_ZH, "en": PROJECT_EN, "mixed": TITLE_MIXED}[lang]
        elif kind == "patent":
            source = (
                "China National Intellectual Property Administration"
                if lang == "en"
                else "国家知识产权局"
            )
            number = f"CN{rng.randint(101_000_000, 119_999_999)}{rng.choice('AAB')}"
            title_t = {"zh": PATENT_ZH, "en": PATENT_EN, "mixed": TITLE_MIXED}[lang]
        elif kind == "standard":
            source, number = self._standard_body(cl, year)
            title_t = STANDARD_ZH
        else:
            title_t = AWARD_ZH
        title = _fill(rng, rng.choice(title_t), cl, lang)
        if kind == "award":
            source, level = self._award(cl)
            abstract = f"该成果获{year}年度{source}{level}。" + _fill(
                rng, "成果突破了{a}与{b}等关键技术，在{app}中推广应用。", cl, "zh"
            )
        elif kind == "standard":
            abstract = _fill(
                rng,
                "本文件规定了{a}的术语和定义、技术要求、试验方法及检验规则，适用于{app}。",
                cl,
                "zh",
            )
        else:
            abstract_t = {"zh": ABSTRACT_ZH, "en": ABSTRACT_EN, "mixed": ABSTRACT_MIXED}[lang]
            abstract = _fill(rng, rng.choice(abstract_t), cl, lang)
        if len(abstract) >= MAX_ABSTRACT:  # keep texts short: embeddings are paid per token
            abstract = _fill(rng, _SHORT_ABSTRACT[lang], cl, lang)[: MAX_ABSTRACT - 1]
        actual = detect_lang(f"{title}. {abstract}")
        self.state.lang_counts[actual] = self.state.lang_counts.get(actual, 0) + 1
        self.sink.write(
            stem,
            _compact(
                {
                    "id": f"{prefix}-{n:07d}",
                    "title": title,
                    "abstract": abstract,
                    "year": year,
                    "lang": actual,
                    "source": source,
                    "number": number,
                    "contributors": contributors,
                    "disciplines": [cl.discipline],
                }
            ),
        )

    def _funder(self, cl: Cluster, year: int, lang: str, org: _Org) -> tuple[str, str | None]:
        rng = self.rng
        r = rng.random()
        if org.kind == "enterprise" and r < 0.4:
            return ("企业自主研发项目" if lang != "en" else "Enterprise R&D programme"), None
        if r < 0.45:
            dept = _NSFC_DEPT.get(cl.discipline[0], "5")
            num = f"{dept}{year % 100:02d}{rng.randint(0, 99999):05d}"
            return (
                "国家自然科学基金"
                if lang != "en"
                else "National Natural Science Foundation of China"
            ), num
        if r < 0.6 and year >= 2016:
            return (
                "国家重点研发计划" if lang != "en" else "National Key R&D Program of China"
            ), f"{year}YF{rng.choice('ABCDE')}{rng.randint(1000000, 4999999)}"
        if r < 0.85:
            num = (
                f"CSTB{year}NSCQ-MSX{rng.randint(1, 2999):04d}"
                if year >= 2022
                else f"cstc{year}jcyj-msxmX{rng.randint(1, 999):04d}"
            )
            return (
                "重庆市自然科学基金" if lang != "en" else "Natural Science Foundation of Chongqing"
            ), num
        return (
            "重庆市技术创新与应用发展专项"
            if lang != "en"
            else "Chongqing Technology Innovation and Application Development Program"
        ), f"CSTB{year}TIAD-KPX{rng.randint(1, 999):04d}"

    def _standard_body(self, cl: Cluster, year: int) -> tuple[str, str]:
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            socs = self.societies_by_code.get(cl.discipline) or self.society_ids
            sid = rng.choice(socs)
            return self.society_name[sid], f"T/CQKX {rng.randint(1, 120):03d}-{year}"
        if r < 0.8:
            return "重庆市市场监督管理局", f"DB50/T {rng.randint(1000, 1799)}-{year}"
        return (
            "国家市场监督管理总局 国家标准化管理委员会",
            f"GB/T {rng.randint(30000, 45999)}-{year}",
        )

    def _award(self, cl: Cluster) -> tuple[str, str]:
        rng = self.rng
        l1 = cl.discipline[:3]
        if rng.random() < 0.08:
            return "国家科学技术进步奖", "二等奖"
        if l1 in ("320", "330", "350", "360", "310") and rng.random() < 0.5:
            return "中华医学科技奖", rng.choice(("一等奖", "二等奖", "三等奖"))
        if cl.discipline == "58020" and rng.random() < 0.5:
            return "中国汽车工业科学技术奖", rng.choice(("一等奖", "二等奖", "三等奖"))
        return rng.choice(("重庆市科技进步奖", "重庆市技术发明奖", "重庆市自然科学奖")), rng.choice(
            ("一等奖", "二等奖", "二等奖", "三等奖", "三等奖")
        )

    # -- demands, topics, conflicts, ground truth ------------------------------------------
    def items(self) -> None:
        rng = self.rng
        st = self.state
        self.truth_dir.mkdir(parents=True, exist_ok=True)
        truth_path = self.truth_dir / "ground_truth.jsonl"
        query_path = self.truth_dir / "queries.jsonl"
        ok = [c for c in CLUSTERS if len(st.grade2.get(c.key, ())) >= 3]
        if not ok:
            raise RuntimeError("no cluster has three experts; scale too small")
        enc = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        with truth_path.open("w", encoding="utf-8", newline="\n") as truth:
            demand_clusters = rng.sample(ok, min(N_DEMANDS, len(ok)))
            for i, cl in enumerate(demand_clusters, start=1):
                did, lang = self._demand(i, cl)
                truth.write(
                    enc(
                        {
                            "kind": "demand",
                            "id": did,
                            "lang": lang,
                            "clusters": [cl.key],
                            "relevant": self._relevant([cl]),
                        }
                    )
                    + "\n"
                )
            for i, spec in enumerate(TOPICS, start=1):
                cls = [CLUSTERS_BY_KEY[k] for k in spec.clusters]
                tid = f"top-{i:03d}"
                a, b, c = (rng.choice(cl.terms)[0] for cl in (cls[0], cls[1], cls[-1]))
                text = rng.choice(TOPIC_TEXT).format(
                    issuer=spec.issuer,
                    title=spec.title,
                    n1=cls[0].name,
                    n2=cls[1].name,
                    a=a,
                    b=b,
                    c=c,
                )
                codes = list(dict.fromkeys(cl.discipline for cl in cls))
                self.sink.write(
                    "topics",
                    {
                        "id": tid,
                        "title": spec.title,
                        "text": text,
                        "issuer": spec.issuer,
                        "disciplines": codes,
                        "created": self._date(),
                    },
                )
                truth.write(
                    enc(
                        {
                            "kind": "topic",
                            "id": tid,
                            "lang": "zh",
                            "clusters": list(spec.clusters),
                            "relevant": self._relevant(cls),
                        }
                    )
                    + "\n"
                )
        self._random_conflicts()
        with query_path.open("w", encoding="utf-8", newline="\n") as queries:
            for i in range(1, N_QUERIES + 1):
                cl = rng.choice(ok)
                lang = "zh" if i % 2 else "en"
                style = "short" if rng.random() < 0.45 else "long"
                templates = {
                    ("zh", "short"): QUERY_SHORT_ZH,
                    ("zh", "long"): QUERY_LONG_ZH,
                    ("en", "short"): QUERY_SHORT_EN,
                    ("en", "long"): QUERY_LONG_EN,
                }[(lang, style)]
                text = _fill(rng, rng.choice(templates), cl, lang)
                queries.write(
                    enc(
                        {
                            "kind": "query",
                            "id": f"q-{i:03d}",
                            "lang": lang,
                            "style": style,
                            "text": text,
                            "clusters": [cl.key],
                            "relevant": self._relevant([cl]),
                        }
                    )
                    + "\n"
                )
        self.truth_paths = {"ground_truth": truth_path, "queries": query_path}
        self.truth_counts = {
            "ground_truth": len(demand_clusters) + len(TOPICS),
            "queries": N_QUERIES,
        }

    def _relevant(self, clusters: Sequence[Cluster]) -> dict[str, int]:
        st = self.state
        rel: dict[int, int] = {}
        for cl in clusters:
            for idx in st.grade1.get(cl.discipline, ()):
                rel.setdefault(idx, 1)
        for cl in clusters:
            for idx in st.grade2.get(cl.key, ()):
                rel[idx] = 2
        return {f"sci-{idx:06d}": rel[idx] for idx in sorted(rel)}

    def _date(self) -> str:
        start = _dt.date(2025, 1, 1)
        return (start + _dt.timedelta(days=self.rng.randint(0, 690))).isoformat()

    def _demand(self, i: int, cl: Cluster) -> tuple[str, str]:
        rng = self.rng
        pool = (
            self.ent_by_discipline.get(cl.discipline)
            or [
                e
                for e in self.enterprises
                if any(c[:3] == cl.discipline[:3] for c in e.disciplines)
            ]
            or self.enterprises
        )
        ent = rng.choice(pool)
        ind = next(x for x in INDUSTRIES if x.key == ent.industry)
        lang = "en" if i % 10 == 0 else "zh"
        a, b, c, d = rng.sample(cl.terms, 4)
        app = rng.choice(cl.apps)
        li = 0 if lang == "zh" else 1
        fmt = {
            "a": a[li],
            "b": b[li],
            "c": c[li],
            "app": app[li],
            "industry": ind.name if lang == "zh" else ind.name_en.lower(),
        }
        if lang == "zh":
            title = rng.choice(DEMAND_TITLE_ZH).format(**fmt)
            text = rng.choice(DEMAND_TEXT_ZH).format(**fmt)
        else:
            title = rng.choice(DEMAND_TITLE_EN).format(**fmt)
            text = rng.choice(DEMAND_TEXT_EN).format(**fmt)
        skills = [t[li] for t in (a, b, c, d)][: rng.randint(2, 4)]
        did = f"dem-{i:03d}"
        self.sink.write(
            "demands",
            {
                "id": did,
                "title": title,
                "text": text,
                "enterprise": ent.id,
                "district": ent.district,
                "disciplines": [cl.discipline],
                "skills": skills,
                "created": self._date(),
            },
        )
        experts = sorted(self.state.grade2[cl.key])
        if i % 2 == 0:  # a planted conflict: an expert for this demand advises the enterprise
            idx = rng.choice(experts)
            self._conflict(
                f"sci-{idx:06d}",
                ent.id,
                rng.choice(
                    (
                        "担任该企业技术顾问",
                        "持有该企业股份",
                        "近三年曾在该企业任职",
                        "与该企业存在未结束的横向合作合同",
                    )
                ),
            )
        return did, lang

    def _conflict(self, sid: str, target: str, reason: str) -> None:
        if sid == target or (sid, target) in self.conflict_pairs:
            return
        self.conflict_pairs.add((sid, target))
        self.sink.write("conflicts", {"scientist": sid, "target": target, "reason": reason})

    def _random_conflicts(self) -> None:
        rng = self.rng
        for _ in range(max(2, round(20 * self.scale))):
            sid = f"sci-{rng.randint(1, self.n_scientists):06d}"
            if rng.random() < 0.6:
                target = rng.choice(self.enterprises).id
                reason = rng.choice(
                    (
                        "担任该企业独立董事",
                        "亲属在该企业任职",
                        "持有该企业股份",
                        "兼任该企业首席科学家",
                    )
                )
            else:
                target = f"sci-{rng.randint(1, self.n_scientists):06d}"
                reason = rng.choice(
                    ("师生关系", "夫妻关系", "近三年合作发表论文", "同一课题组成员")
                )
            self._conflict(sid, target, reason)

    # -- the award round ----------------------------------------------------------------------
    def award_round(self) -> None:
        """The award round and its nominations, with the ties a review panel must exclude."""
        rng = self.rng
        st = self.state
        year = int(AWARD_ROUND["year"])
        keys = [
            c.key
            for c in CLUSTERS
            if len(st.grade2.get(c.key, ())) >= 4 and self._nominee(c.key) is not None
        ]
        chosen = rng.sample(keys, min(N_AWARD_ITEMS, len(keys)))
        if len(chosen) < 3:
            raise RuntimeError("fewer than three labs fit the award round; scale too small")
        self.sink.write("review_rounds", dict(AWARD_ROUND))
        taken: set[str] = set()  # applicants and planted ties, each used once
        for n, key in enumerate(chosen, start=1):
            found = self._nominee(key)
            assert found is not None
            note, lead = found
            co = [p for p in note.recent[lead.idx] if p.id not in taken]
            applicants = [lead]
            lab_co = [p for p in co if p.org_id == note.org.id]
            if len(lab_co) >= 2 and rng.random() < 0.6:  # keep one co-author off the list
                applicants.append(rng.choice(lab_co))
            outside = [p for p in co if p.org_id != note.org.id]
            if outside and rng.random() < 0.4:
                applicants.append(rng.choice(outside))
            taken.update(p.id for p in applicants)
            if n % 2 == 1:
                self._former_colleague(key, lead, year, taken)
            if n % 3 == 0:  # any other expert of the cluster outside the nominee's lab
                lab = {m.id for m in note.members}
                others = sorted(
                    sid
                    for sid in (f"sci-{i:06d}" for i in st.grade2[key])
                    if sid not in lab and sid not in taken
                )
                if others:
                    other = rng.choice(others)
                    taken.add(other)
                    self._conflict(other, lead.id, rng.choice(DECLARED_TIES))
            cl = note.cluster
            a, b, c = rng.sample(cl.terms, 3)
            app = rng.choice(cl.apps)
            fmt = {"a": a[0], "b": b[0], "c": c[0], "app": app[0]}
            text = rng.choice(AWARD_ITEM_TEXT).format(
                **fmt,
                n_pat=rng.randint(5, 40),
                n_std=rng.randint(1, 6),
                money=round(rng.uniform(1.2, 30.0), 1),
                n_units=rng.randint(8, 60),
                n_pub=rng.randint(20, 120),
                n_stu=rng.randint(10, 60),
            )
            self.sink.write(
                "evaluation_items",
                {
                    "id": f"AWD-{n:03d}",
                    "kind": "award_nomination",
                    "title": rng.choice(AWARD_ITEM_TITLE).format(**fmt),
                    "text": text,
                    "disciplines": [cl.discipline],
                    "applicants": [p.id for p in applicants],
                    "organizations": list(dict.fromkeys(p.org_id for p in applicants)),
                    "round": AWARD_ROUND["id"],
                    "created": f"{year}-{rng.randint(2, 4):02d}-{rng.randint(1, 28):02d}",
                },
            )

    def _nominee(self, key: str) -> tuple[_LabNote, _Person] | None:
        """The first kept lab of a cluster whose expert in it has recent co-authors, and that
        expert (the most senior, then the most co-authors)."""
        for note in self.state.labs.get(key, ()):
            fit = [m for m in note.members if note.cluster in m.specialty and note.recent[m.idx]]
            if fit:
                return note, max(fit, key=lambda m: (m.senior, len(note.recent[m.idx]), -m.idx))
        return None

    def _expert_elsewhere(self, key: str, lead: _Person, taken: set[str]) -> _Person | None:
        """An expert of the cluster (grade 2) in another kept lab at another organisation."""
        experts = self.state.grade2.get(key, set())
        pool = [
            m
            for note in self.state.labs.get(key, ())
            if note.org.id != lead.org_id
            for m in note.members
            if m.idx in experts and m.id not in taken and m.past_org != lead.org_id
        ]
        return self.rng.choice(pool) if pool else None

    def _former_colleague(self, key: str, lead: _Person, year: int, taken: set[str]) -> None:
        """Plant a past affiliation of another lab's expert at the nominee's organisation,
        ending within the round's institution window (three years)."""
        rng = self.rng
        p = self._expert_elsewhere(key, lead, taken)
        if p is None:
            return
        taken.add(p.id)
        until = max(rng.randint(year - 3, year - 1), lead.start)
        since = min(until, max(p.birth_year + 24, until - rng.randint(3, 8)))
        kind = next((o.kind for o in self.orgs if o.id == lead.org_id), "enterprise")
        if p.start >= until:  # came from there
            title = {"enterprise": "工程师", "university": "博士后"}.get(kind, "助理研究员")
        else:  # held both posts for a while
            title = {"enterprise": "技术顾问", "university": "兼职教授"}.get(kind, "客座研究员")
        p.past_org = lead.org_id
        self.sink.write(
            "affiliations",
            {
                "scientist": p.id,
                "organization": lead.org_id,
                "title": title,
                "since": since,
                "until": until,
                "current": False,
            },
        )


def generate(
    out_dir: Path, *, seed: int = 42, scale: float = 1, truth_dir: Path | None = None
) -> GenerationSummary:
    """Write the demo graph as JSON Lines files, and its ground truth beside them.

    Args:
        out_dir: the import folder; one ``<stem>.jsonl`` per record kind is (over)written.
        seed: the seed of the one ``random.Random`` everything is drawn from.
        scale: 1 gives about 5,000 scientists, 500 enterprises and 25,000 evidence records;
            ``scale=n`` gives n times as many (reference data stays the same); fractions
            (at least 0.1) give small graphs for tests.
        truth_dir: where ``ground_truth.jsonl`` and ``queries.jsonl`` go; default
            ``<out_dir>/../ground_truth``. It must not be ``out_dir`` (the importer would
            reject the files, and the answers must stay out of the graph).

    Returns:
        A :class:`GenerationSummary` with counts per stem, seconds and paths.

    Raises:
        ValueError: for ``scale < 0.1`` or a ``truth_dir`` equal to ``out_dir``.

    Example:
        >>> summary = generate(Path("data/demo"), seed=7)  # doctest: +SKIP
        >>> summary.counts["scientists"]  # doctest: +SKIP
        5000
    """
    if scale < 0.1:
        raise ValueError("scale must be at least 0.1")
    out_dir = Path(out_dir)
    truth = Path(truth_dir) if truth_dir is not None else out_dir.parent / "ground_truth"
    if truth.resolve() == out_dir.resolve():
        raise ValueError("truth_dir must differ from out_dir: keep the answers out of the import")
    started = time.perf_counter()
    gen = _Generator(out_dir, truth, seed, scale)
    try:
        gen.reference()
        gen.enterprises_()
        gen.scientists()
        gen.items()
        gen.award_round()
    finally:
        gen.sink.close()
    seconds = time.perf_counter() - started
    counts = {**gen.sink.counts, **gen.truth_counts}
    paths = {**gen.sink.paths, **gen.truth_paths}
    logger.info(
        "demo data: %s scientists, %s evidence records in %.1fs (seed=%s, scale=%s) -> %s",
        counts["scientists"],
        sum(counts[s] for s, _ in _EVIDENCE_PREFIX.values()),
        seconds,
        seed,
        scale,
        out_dir,
    )
    return GenerationSummary(
        out_dir=out_dir,
        truth_dir=truth,
        seed=seed,
        scale=scale,
        counts=MappingProxyType(counts),
        seconds=seconds,
        paths=MappingProxyType(paths),
    )
