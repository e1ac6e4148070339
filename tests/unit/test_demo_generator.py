"""The demo generator writes valid, consistent, deterministic import files and ground truth."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph_schema.models import (
    RECORD_KINDS,
    DisciplineRecord,
    EvidenceRecord,
    Record,
    ScientistRecord,
    detect_lang,
)
from kexie.demo import GenerationSummary, generate

EVIDENCE_STEMS = ("publications", "projects", "patents", "standards", "awards")
KINDS = {k.stem: k for k in RECORD_KINDS}


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    root = tmp_path_factory.mktemp("demo")
    return generate(root / "import", seed=42)


@pytest.fixture(scope="module")
def records(demo: GenerationSummary) -> dict[str, list[Record]]:
    """Every line of every file, validated as the importer does (file fields + fixed kind)."""
    out: dict[str, list[Record]] = {}
    for stem, kind in KINDS.items():
        out[stem] = [
            kind.model.model_validate({**raw, **kind.fixed})
            for raw in _lines(demo.out_dir / f"{stem}.jsonl")
        ]
    return out


def test_one_file_per_record_kind_and_nothing_else(demo: GenerationSummary) -> None:
    names = sorted(p.name for p in demo.out_dir.iterdir())
    assert names == sorted(f"{stem}.jsonl" for stem in KINDS)
    for stem in KINDS:
        assert demo.counts[stem] > 0, stem


def test_every_line_validates_and_counts_match(
    demo: GenerationSummary, records: dict[str, list[Record]]
) -> None:
    for stem, recs in records.items():
        assert len(recs) == demo.counts[stem], stem


def test_files_never_carry_the_fixed_kind_field(demo: GenerationSummary) -> None:
    for stem, kind in KINDS.items():
        if kind.fixed:
            first = next(_lines(demo.out_dir / f"{stem}.jsonl"))
            assert "kind" not in first, stem


def test_keys_are_unique(records: dict[str, list[Record]]) -> None:
    for stem, recs in records.items():
        keys = [r.key() for r in recs]
        assert len(keys) == len(set(keys)), stem


def test_every_reference_resolves(records: dict[str, list[Record]]) -> None:
    ids = {stem: {r.key() for r in recs} for stem, recs in records.items()}
    districts, disciplines = ids["districts"], ids["disciplines"]
    orgs = ids["enterprises"] | ids["universities"] | ids["institutes"]
    scientists = ids["scientists"]

    def check(values: list[str] | str | None, pool: set[str], what: str) -> None:
        for v in [values] if isinstance(values, str) else values or []:
            assert v in pool, f"{what}: {v} does not exist"

    for r in records["disciplines"]:
        assert isinstance(r, DisciplineRecord)
        if r.parent is not None:
            check(r.parent, disciplines, "discipline parent")
    for stem in (
        "national_societies",
        "societies",
        "enterprises",
        "universities",
        "institutes",
        "scientists",
        "demands",
        "topics",
        *EVIDENCE_STEMS,
    ):
        for r in records[stem]:
            check(r.disciplines, disciplines, f"{stem}.disciplines")  # type: ignore[attr-defined]
            check(getattr(r, "district", None), districts, f"{stem}.district")
    for r in records["societies"]:
        check(r.counterparts, ids["national_societies"], "counterparts")  # type: ignore[attr-defined]
    for r in records["scientists"]:
        check(r.institution, orgs, "institution")  # type: ignore[attr-defined]
    for stem in EVIDENCE_STEMS:
        for r in records[stem]:
            assert isinstance(r, EvidenceRecord)
            assert 1 <= len(r.contributors) <= 7
            check(r.contributors, scientists, "contributors")
    for r in records["demands"]:
        check(r.enterprise, ids["enterprises"], "demand.enterprise")  # type: ignore[attr-defined]
    for r in records["memberships"]:
        check(r.scientist, scientists, "membership.scientist")  # type: ignore[attr-defined]
        check(r.society, ids["societies"], "membership.society")  # type: ignore[attr-defined]
    for r in records["affiliations"]:
        check(r.scientist, scientists, "affiliation.scientist")  # type: ignore[attr-defined]
        check(r.organization, orgs, "affiliation.organization")  # type: ignore[attr-defined]
    for r in records["presences"]:
        check(r.society, ids["societies"], "presence.society")  # type: ignore[attr-defined]
    for r in records["conflicts"]:
        check(r.scientist, scientists, "conflict.scientist")  # type: ignore[attr-defined]
        check(r.target, scientists | orgs, "conflict.target")  # type: ignore[attr-defined]


def test_same_seed_same_bytes_other_seed_other_bytes(
    demo: GenerationSummary, tmp_path: Path
) -> None:
    again = generate(tmp_path / "a" / "import", seed=42)
    assert _digest(again.out_dir) == _digest(demo.out_dir)
    assert _digest(again.truth_dir) == _digest(demo.truth_dir)
    other = generate(tmp_path / "b" / "import", seed=43)
    differ = [n for n, h in _digest(other.out_dir).items() if h != _digest(demo.out_dir)[n]]
    assert {"scientists.jsonl", "publications.jsonl", "memberships.jsonl"} <= set(differ)


def test_scale_two_doubles_people_and_keeps_reference_data(
    demo: GenerationSummary, tmp_path: Path
) -> None:
    big = generate(tmp_path / "import", seed=42, scale=2)
    assert big.counts["scientists"] == 2 * demo.counts["scientists"]
    assert big.counts["enterprises"] == 2 * demo.counts["enterprises"]
    for stem in ("memberships", "publications"):
        assert 1.7 < big.counts[stem] / demo.counts[stem] < 2.3, stem
    for stem in ("districts", "disciplines", "national_societies", "universities"):
        assert big.counts[stem] == demo.counts[stem], stem


def test_scale_below_one_and_truth_in_import_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, scale=0)
    with pytest.raises(ValueError):
        generate(tmp_path, truth_dir=tmp_path)


def test_ground_truth_is_outside_the_import_and_resolves(
    demo: GenerationSummary, records: dict[str, list[Record]]
) -> None:
    assert demo.truth_dir == demo.out_dir.parent / "ground_truth"
    assert not any(p.name.startswith(("ground_truth", "queries")) for p in demo.out_dir.iterdir())
    scientists = {r.key() for r in records["scientists"]}
    items = {r.key() for r in records["demands"]} | {r.key() for r in records["topics"]}
    truth = list(_lines(demo.truth_dir / "ground_truth.jsonl"))
    assert {t["id"] for t in truth} == items
    queries = list(_lines(demo.truth_dir / "queries.jsonl"))
    assert len(queries) == 200
    assert Counter(q["lang"] for q in queries) == {"zh": 100, "en": 100}
    assert {"short", "long"} == {q["style"] for q in queries}
    for t in truth + queries:
        assert t["clusters"]
        assert set(t["relevant"]) <= scientists
        assert set(t["relevant"].values()) <= {1, 2}
        assert 2 in t["relevant"].values()


def test_each_demand_has_three_planted_experts_with_evidence(
    demo: GenerationSummary, records: dict[str, list[Record]]
) -> None:
    authored: defaultdict[str, set[str]] = defaultdict(set)
    for stem in EVIDENCE_STEMS:
        for r in records[stem]:
            assert isinstance(r, EvidenceRecord)
            for c in r.contributors:
                authored[c].update(r.disciplines)
    demands = {r.key(): r for r in records["demands"]}
    for t in _lines(demo.truth_dir / "ground_truth.jsonl"):
        if t["kind"] != "demand":
            continue
        experts = [s for s, g in t["relevant"].items() if g == 2]
        assert len(experts) >= 3, t["id"]
        code = demands[t["id"]].disciplines[0]  # type: ignore[attr-defined]
        assert all(code in authored[s] for s in experts), t["id"]


def test_demands_are_from_enterprises_in_their_district(records: dict[str, list[Record]]) -> None:
    districts = {r.key(): r.district for r in records["enterprises"]}  # type: ignore[attr-defined]
    assert 30 <= len(records["demands"]) <= 50
    for d in records["demands"]:
        assert d.district == districts[d.enterprise]  # type: ignore[attr-defined]
        assert 2 <= len(d.skills) <= 5  # type: ignore[attr-defined]
    assert any(detect_lang(d.text) == "en" for d in records["demands"])  # type: ignore[attr-defined]


def test_duplicate_names_exist_with_distinct_ids(records: dict[str, list[Record]]) -> None:
    by_name: defaultdict[str, set[tuple[str, str | None]]] = defaultdict(set)
    for r in records["scientists"]:
        assert isinstance(r, ScientistRecord)
        by_name[r.name].add((r.key(), r.institution))
    dups = [v for v in by_name.values() if len({inst for _, inst in v}) > 1]
    assert len(dups) >= 50


def test_the_38_districts_of_chongqing(records: dict[str, list[Record]]) -> None:
    codes = [r.key() for r in records["districts"]]
    assert len(codes) == len(set(codes)) == 38
    assert all(c.startswith("50") for c in codes)
    kinds = Counter(r.kind for r in records["districts"])  # type: ignore[attr-defined]
    assert kinds == {"district": 26, "county": 12}


def test_discipline_taxonomy_shape(records: dict[str, list[Record]]) -> None:
    recs = [r for r in records["disciplines"] if isinstance(r, DisciplineRecord)]
    level1 = {r.code for r in recs if r.level == 1}
    level2 = [r for r in recs if r.level == 2]
    assert len(level1) >= 40 and len(level2) >= 150
    assert all(r.parent in level1 for r in level2)


def test_evidence_language_mix(records: dict[str, list[Record]]) -> None:
    langs: Counter[str] = Counter()
    for stem in EVIDENCE_STEMS:
        for r in records[stem]:
            assert isinstance(r, EvidenceRecord)
            assert r.lang == detect_lang(r.text)
            assert len(r.abstract) < 200
            assert r.year is not None and 2005 <= r.year <= 2026
            langs[r.language] += 1
    total = sum(langs.values())
    assert 0.72 <= langs["zh"] / total <= 0.88
    assert 0.10 <= langs["en"] / total <= 0.20
    assert 0.02 <= langs["mixed"] / total <= 0.09


def test_counterpart_gaps_and_district_shortfalls_exist(records: dict[str, list[Record]]) -> None:
    municipal = [r for r in records["societies"] if r.level == "municipal"]  # type: ignore[attr-defined]
    without = [r for r in municipal if not r.counterparts]  # type: ignore[attr-defined]
    assert 0.08 <= len(without) / len(municipal) <= 0.2
    per_district = Counter(r.district for r in records["presences"])  # type: ignore[attr-defined]
    below = [c for c in (r.key() for r in records["districts"]) if per_district[c] < 20]
    above = [c for c in (r.key() for r in records["districts"]) if per_district[c] >= 20]
    assert len(below) >= 10 and len(above) >= 8


def test_member_grades_and_talents_are_realistic(records: dict[str, list[Record]]) -> None:
    grades = Counter(r.grade for r in records["memberships"])  # type: ignore[attr-defined]
    total = sum(grades.values())
    assert grades["member"] / total > 0.5
    assert 0 < grades["fellow"] / total < 0.05
    assert grades["student_member"] > 0 and grades["senior_member"] > grades["fellow"]
    talents = Counter(t for r in records["scientists"] for t in r.talent_kinds)  # type: ignore[attr-defined]
    assert 0 < talents["strategic_scientist"] < talents["young_scientist"]
    with_orcid = [r for r in records["scientists"] if r.orcid]  # type: ignore[attr-defined]
    assert len({r.orcid for r in with_orcid}) == len(with_orcid) > 0  # type: ignore[attr-defined]


def _award_ties(folder: Path) -> dict[str, Any]:
    """The award round of a generated folder and, per nomination, the ties a review panel
    must exclude, recomputed from the files: recent co-contributors (2020 on) of an
    applicant, current colleagues at an applicant's organisation, former colleagues whose
    past affiliation there ended 2022 or later, and declared conflicts with an applicant."""
    rounds = list(_lines(folder / "review_rounds.jsonl"))
    items = list(_lines(folder / "evaluation_items.jsonl"))
    year = rounds[0]["year"]
    co: defaultdict[str, set[str]] = defaultdict(set)
    for stem in EVIDENCE_STEMS:
        for r in _lines(folder / f"{stem}.jsonl"):
            if r["year"] >= year - 5:
                for c in r["contributors"]:
                    co[c].update(r["contributors"])
    current: defaultdict[str, set[str]] = defaultdict(set)
    former: defaultdict[str, set[str]] = defaultdict(set)
    home: dict[str, str] = {}
    for a in _lines(folder / "affiliations.jsonl"):
        if a["current"]:
            current[a["organization"]].add(a["scientist"])
            home[a["scientist"]] = a["organization"]
        elif a.get("until", 0) >= year - 3:
            former[a["organization"]].add(a["scientist"])
    declared: defaultdict[str, set[str]] = defaultdict(set)
    for c in _lines(folder / "conflicts.jsonl"):
        declared[c["target"]].add(c["scientist"])
    ties: dict[str, dict[str, set[str]]] = {}
    for it in items:
        apps = set(it["applicants"])
        orgs = {home[a] for a in apps}
        ties[it["id"]] = {
            "coauthor": set().union(*(co[a] for a in apps)) - apps,
            "colleague": set().union(*(current[o] for o in orgs)) - apps,
            "former": set().union(*(former[o] for o in orgs)) - apps,
            "declared": set().union(*(declared[a] for a in apps)) - apps,
        }
    return {"rounds": rounds, "items": items, "ties": ties}


@pytest.mark.parametrize("scale", [0.1, 0.2, 1.0])
def test_award_round_with_nominations_whose_applicants_have_ties(
    scale: float, demo: GenerationSummary, records: dict[str, list[Record]], tmp_path: Path
) -> None:
    folder = (
        demo.out_dir if scale == 1.0 else generate(tmp_path / "i", seed=42, scale=scale).out_dir
    )
    award = _award_ties(folder)
    assert [(r["id"], r["name"], r["kind"]) for r in award["rounds"]] == [
        ("RND-2025", "2025年度重庆市科技进步奖推荐", "award")
    ]
    items = award["items"]
    assert [it["id"] for it in items] == [f"AWD-{n:03d}" for n in range(1, len(items) + 1)]
    assert 8 <= len(items) <= 12
    for it in items:
        assert it["kind"] == "award_nomination" and it["round"] == "RND-2025"
        assert 1 <= len(it["applicants"]) <= 3 and 1 <= len(it["organizations"]) <= 3
        assert detect_lang(it["title"] + it["text"]) == "zh"
    applicants = [a for it in items for a in it["applicants"]]
    assert len(applicants) == len(set(applicants))  # nobody nominated twice
    ties = award["ties"]
    # Every nomination has a co-author and a current colleague of an applicant in the graph;
    # some have a former colleague (inside the three-year window) or a declared conflict.
    assert sum(bool(t["coauthor"]) for t in ties.values()) >= len(items) - 1
    assert all(t["colleague"] for t in ties.values())
    assert any(t["former"] for t in ties.values())
    assert any(t["declared"] for t in ties.values())
    if scale == 1.0:  # the scale-1 records resolve and validate (the fixture validated them)
        scientists = {r.key() for r in records["scientists"]}
        orgs = {r.key() for s in ("enterprises", "universities", "institutes") for r in records[s]}
        for r in records["evaluation_items"]:
            assert set(r.applicants) <= scientists  # type: ignore[attr-defined]
            assert set(r.organizations) <= orgs  # type: ignore[attr-defined]


def test_past_affiliations_end_when_the_current_one_began(
    records: dict[str, list[Record]],
) -> None:
    current = {r.scientist: r for r in records["affiliations"] if r.current}  # type: ignore[attr-defined]
    past = [r for r in records["affiliations"] if not r.current]  # type: ignore[attr-defined]
    assert past and all(r.until is not None and r.since <= r.until for r in past)  # type: ignore[attr-defined]
    # Random past posts end the year before the current post; the planted former colleagues
    # of the award round overlap it (a part-time post) or end later.
    ended_before = [r for r in past if r.until == current[r.scientist].since - 1]  # type: ignore[attr-defined]
    assert len(ended_before) >= len(past) - 10
