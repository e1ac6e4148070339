"""Import of JSON Lines and CSV files (and of records posted to the API) into the graph.

Every record is validated by its model in :mod:`graph_schema.models`; references are checked
against the graph inside the same transaction that writes the batch. A record that fails is
rejected with its file, line, field and reason, never dropped silently. A batch is one
transaction: if it fails, nothing of it is written and every record in it is reported. All
writes are ``MERGE`` on keys, so re-running an import changes nothing.

Files are named after their record kind (``scientists.jsonl``, ``memberships.csv``); lists in
CSV cells are separated by ``|``. See ``docs/import-format.md``.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

import neo4j
from pydantic import ValidationError

from graph_schema import queries as Q
from graph_schema.errors import GraphUnavailableError, ImportFileError, translate
from graph_schema.labels import Label, Rel
from graph_schema.models import (
    RECORD_KINDS,
    DisciplineRecord,
    EvidenceRecord,
    Record,
    RecordKind,
    ScientistRecord,
    detect_lang,
    text_hash,
)
from graph_schema.ties import TIE_KINDS, mark_ties_changed

__all__ = [
    "Reject",
    "Outcome",
    "FileReport",
    "ImportReport",
    "import_path",
    "load_records",
    "kind_for_file",
    "SUFFIXES",
]

logger = logging.getLogger(__name__)

SUFFIXES: Final = (".jsonl", ".ndjson", ".csv")
_KINDS: Final = {k.stem: k for k in RECORD_KINDS}
_ORDER: Final = {k.stem: i for i, k in enumerate(RECORD_KINDS)}

# field -> target of the reference check, per record kind
_REFS: Final[dict[str, dict[str, str]]] = {
    "disciplines": {"parent": "discipline"},
    "national_societies": {"disciplines": "discipline"},
    "societies": {"district": "district", "disciplines": "discipline", "counterparts": "national"},
    "enterprises": {"district": "district", "disciplines": "discipline"},
    "universities": {"district": "district", "disciplines": "discipline"},
    "institutes": {"district": "district", "disciplines": "discipline"},
    "scientists": {
        "institution": "organization",
        "district": "district",
        "disciplines": "discipline",
    },
    "demands": {"enterprise": "enterprise", "district": "district", "disciplines": "discipline"},
    "topics": {"disciplines": "discipline"},
    "evaluation_items": {
        "disciplines": "discipline",
        "applicants": "scientist",
        "organizations": "organization",
        "round": "round",
    },
    "memberships": {"scientist": "scientist", "society": "society"},
    "affiliations": {"scientist": "scientist", "organization": "organization"},
    "presences": {"society": "society", "district": "district"},
    "conflicts": {"scientist": "scientist", "target": "party"},
}
for _stem in ("publications", "projects", "patents", "standards", "awards"):
    _REFS[_stem] = {"contributors": "scientist", "disciplines": "discipline"}

_TARGETS: Final = {
    "district": (Label.DISTRICT, "code"),
    "discipline": (Label.DISCIPLINE, "code"),
    "national": (Label.NATIONAL_SOCIETY, "id"),
    "society": (Label.SOCIETY, "id"),
    "organization": (Label.ORGANIZATION, "id"),
    "enterprise": (Label.ENTERPRISE, "id"),
    "round": (Label.REVIEW_ROUND, "id"),
}


@dataclass(frozen=True)
class Reject:
    """One rejected record: where it was, which field, and why."""

    file: str
    line: int
    field: str | None
    reason: str
    key: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" + (f" [{self.field}]" if self.field else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Outcome:
    """What one accepted record did: ``created``, ``changed`` (with the fields whose stored
    value it changed) or ``unchanged``."""

    line: int
    key: str
    outcome: str
    changed: tuple[str, ...] = ()


@dataclass
class FileReport:
    file: str
    kind: str
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0
    seconds: float = 0.0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    #: One per accepted record, in order (for the API's per-record answer and ``--report``).
    outcomes: list[Outcome] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import loaded and what it rejected."""

    files: list[FileReport] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def created(self) -> int:
        return sum(f.nodes_created + f.relationships_created for f in self.files)

    @property
    def ok(self) -> bool:
        return not self.rejects

    def to_dict(self) -> dict[str, Any]:
        return {
            "loaded": self.loaded,
            "rejected": self.rejected,
            "created": self.created,
            "seconds": round(self.seconds, 3),
            "files": [asdict(f) for f in self.files],
            "rejects": [asdict(r) for r in self.rejects],
            "warnings": self.warnings,
        }


def kind_for_file(path: Path) -> RecordKind | None:
    """The record kind a file holds, from its name (``scientists.jsonl`` -> scientists)."""
    if path.suffix.lower() not in SUFFIXES:
        return None
    return _KINDS.get(path.stem.lower())


# -- reading ------------------------------------------------------------------------------
Raw = tuple[int, dict[str, Any] | Reject]


def _read_jsonl(path: Path) -> Iterator[Raw]:
    with path.open("rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield line_no, Reject(path.name, line_no, None, f"not valid UTF-8 ({exc.reason})")
                continue
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield line_no, Reject(path.name, line_no, None, f"invalid JSON: {exc.msg}")
                continue
            except RecursionError:
                yield line_no, Reject(path.name, line_no, None, "invalid JSON: nested too deeply")
                continue
            if not isinstance(obj, dict):
                yield line_no, Reject(path.name, line_no, None, "a line must be a JSON object")
                continue
            yield line_no, obj


def _read_csv(path: Path) -> Iterator[Raw]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"{path.name} is not UTF-8 (byte {exc.start}: {exc.reason}); save it as UTF-8"
        ) from exc
    csv.field_size_limit(1_000_000)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        return
    try:
        for row in reader:
            line_no = reader.line_num
            if None in row:
                yield line_no, Reject(path.name, line_no, None, "more cells than header columns")
                continue
            # An empty cell means "not given", so the model's default applies.
            yield line_no, {k: v for k, v in row.items() if k and v not in (None, "")}
    except csv.Error as exc:
        yield reader.line_num, Reject(path.name, reader.line_num, None, f"malformed CSV: {exc}")


def read_file(path: Path) -> Iterator[Raw]:
    """Yield ``(line, raw record or Reject)`` from a JSON Lines or CSV file."""
    if path.suffix.lower() == ".csv":
        yield from _read_csv(path)
    else:
        yield from _read_jsonl(path)


# -- validation ---------------------------------------------------------------------------
def _validate(
    kind: RecordKind, source: str, line: int, raw: dict[str, Any]
) -> Record | list[Reject]:
    data = {**raw, **kind.fixed}
    try:
        return kind.model.model_validate(data)
    except (TypeError, ValueError) as exc:
        if not isinstance(exc, ValidationError):  # a validator that broke: the record is bad
            key = raw.get("id") if isinstance(raw.get("id"), str) else None
            return [Reject(source, line, None, f"invalid record: {exc}", key)]
        key = raw.get("id") if isinstance(raw.get("id"), str) else None
        out = []
        for err in exc.errors(include_url=False):
            loc = ".".join(str(p) for p in err["loc"]) or None
            msg = err["msg"].removeprefix("Value error, ")
            out.append(Reject(source, line, loc, msg, key))
        return out


def _row(record: Record, stem: str) -> dict[str, Any]:
    """The map one record becomes in ``$rows``: key, scalar props, reference fields, and
    ``given``, the reference fields it gives.

    Patch semantics: only the fields the record gives are written. A field left out (and so
    a model default) leaves the stored value alone; one given as null (or an empty string or
    list) clears it: a null in ``props`` removes the property (``SET n += props``), a reference
    field in ``given`` with null or ``[]`` removes its relationships."""
    refs = _REFS.get(stem, {})
    data = record.model_dump(mode="json")
    # The kind's fixed fields (an organisation's or evidence item's ``kind``) are passed to the
    # model with the record, so they count as given and are always written.
    given = record.model_fields_set
    props = {
        k: (None if v in ([], "") else v) for k, v in data.items() if k not in refs and k in given
    }
    row: dict[str, Any] = {
        "key": record.key(),
        "props": props,
        # A record that creates its node or link also sets the model's defaults of what it
        # leaves out (a new scientist is ``available``); an update never does.
        "defaults": {
            k: v
            for k, v in data.items()
            if k not in refs and k not in given and v not in (None, [], "")
        },
        "given": sorted(name for name in refs if name in given),
    }
    row.update({name: data.get(name) for name in refs})
    if isinstance(record, ScientistRecord):
        props["id"] = record.key()
        row["orcid"] = record.orcid
    elif isinstance(record, DisciplineRecord):
        row["parent"] = record.parent
        row["given"] = sorted({*row["given"], "parent"})
        props["level"] = record.level
    elif isinstance(record, EvidenceRecord):
        # Completed in the batch when the abstract is left out (the stored one stays).
        props["text"] = record.text
        props["text_hash"] = text_hash(record.text)
        props["lang"] = record.language
        row["abstract_given"] = "abstract" in given
        row["lang_given"] = "lang" in given
    return row


# -- writing ------------------------------------------------------------------------------
def _query_for(kind: RecordKind) -> str:
    stem = kind.stem
    if stem in {"enterprises", "universities", "institutes"}:
        return Q.UPSERT_ORGANIZATIONS[kind.fixed["kind"]]
    if stem in {"publications", "projects", "patents", "standards", "awards"}:
        return Q.UPSERT_EVIDENCE[kind.fixed["kind"]]
    return {
        "districts": Q.UPSERT_DISTRICTS,
        "disciplines": Q.UPSERT_DISCIPLINES,
        "national_societies": Q.UPSERT_NATIONAL_SOCIETIES,
        "societies": Q.UPSERT_SOCIETIES,
        "scientists": Q.UPSERT_SCIENTISTS,
        "demands": Q.UPSERT_DEMANDS,
        "topics": Q.UPSERT_TOPICS,
        "review_rounds": Q.UPSERT_REVIEW_ROUNDS,
        "evaluation_items": Q.UPSERT_EVALUATION_ITEMS,
        "memberships": Q.UPSERT_MEMBERSHIPS,
        "affiliations": Q.UPSERT_AFFILIATIONS,
        "presences": Q.UPSERT_PRESENCES,
        "conflicts": Q.UPSERT_CONFLICTS,
    }[stem]


@dataclass
class _Pending:
    line: int
    row: dict[str, Any]


def _resolve(tx: neo4j.ManagedTransaction, target: str, keys: set[str]) -> dict[str, str]:
    """Map each existing reference key to the id it resolves to."""
    if not keys:
        return {}
    if target == "scientist":
        result = tx.run(Q.RESOLVE_SCIENTISTS, keys=sorted(keys))
        return {r["key"]: r["id"] for r in result}
    if target == "party":
        result = tx.run(Q.RESOLVE_PARTIES, keys=sorted(keys))
        return {r["key"]: r["id"] for r in result}
    result = tx.run(Q.EXISTING_BY_KEY[_TARGETS[target]], keys=sorted(keys))
    return {r["key"]: r["key"] for r in result}


def _write_batch(
    tx: neo4j.ManagedTransaction,
    kind: RecordKind,
    batch: list[_Pending],
    source: str,
) -> tuple[list[Reject], Counter[str], list[Outcome]]:
    refs = _REFS.get(kind.stem, {})
    rejects: list[Reject] = []
    # Keys this batch itself defines can be referenced (a discipline's parent in the same file).
    own = {p.row["key"] for p in batch}
    wanted: dict[str, set[str]] = {}
    for p in batch:
        for name, target in refs.items():
            value = p.row.get(name)
            values = value if isinstance(value, list) else [value] if value else []
            wanted.setdefault(target, set()).update(values)
    resolved = {t: _resolve(tx, t, keys) for t, keys in wanted.items()}
    if kind.stem == "disciplines":
        resolved["discipline"].update({k: k for k in own})
    good: list[_Pending] = []
    for p in batch:
        bad = False
        for name, target in refs.items():
            value = p.row.get(name)
            if value is None or value == []:
                continue
            table = resolved[target]
            if isinstance(value, list):
                missing = [v for v in value if v not in table]
                p.row[name] = [table.get(v, v) for v in value]
            else:
                missing = [] if value in table else [value]
                p.row[name] = table.get(value, value)
            if missing:
                bad = True
                rejects.append(
                    Reject(
                        source,
                        p.line,
                        name,
                        f"unknown {target}: {', '.join(missing)}",
                        p.row["key"],
                    )
                )
        if not bad:
            good.append(p)
    if kind.stem == "scientists":
        good = _check_orcids(tx, good, source, rejects)
    before = _stored(tx, kind, [p.row for p in good])
    if kind.stem in _EVIDENCE_STEMS:
        _complete_evidence_text(good, before)
    counters: Counter[str] = Counter()
    rows = [p.row for p in good]
    if kind.stem == "disciplines":
        batches = [[r for r in rows if r["parent"] is None], [r for r in rows if r["parent"]]]
    else:
        batches = [rows]
    relinked = 0
    for chunk in batches:
        if chunk:
            summary = tx.run(_query_for(kind), rows=chunk).consume()
            c = summary.counters
            counters.update(
                nodes=c.nodes_created, rels=c.relationships_created, props=c.properties_set
            )
            relinked += c.relationships_created + c.relationships_deleted
    if relinked and kind.stem in TIE_KINDS:
        # Who works where, who belongs to which society or contributed to what has changed:
        # in this transaction, so the stored organisation ties can never miss it.
        mark_ties_changed(tx)
    outcomes = [_outcome(p, before.get(p.row["key"])) for p in good]
    return rejects, counters, outcomes


def _check_orcids(
    tx: neo4j.ManagedTransaction, batch: list[_Pending], source: str, rejects: list[Reject]
) -> list[_Pending]:
    with_orcid = [p.row for p in batch if p.row.get("orcid")]
    owners = {
        r["key"]: r["owner"]
        for r in tx.run(
            Q.ORCID_OWNERS, rows=[{"key": r["key"], "orcid": r["orcid"]} for r in with_orcid]
        )
    }
    seen: dict[str, str] = {}
    kept = []
    for p in batch:
        orcid = p.row.get("orcid")
        owner = owners.get(p.row["key"])
        if orcid and owner:
            rejects.append(
                Reject(
                    source,
                    p.line,
                    "orcid",
                    # Not who holds it: a sync key must not be a way to look up ORCIDs.
                    f"ORCID {orcid} is already held by another scientist",
                    p.row["key"],
                )
            )
            continue
        if orcid and seen.get(orcid, p.row["key"]) != p.row["key"]:
            rejects.append(
                Reject(
                    source,
                    p.line,
                    "orcid",
                    f"ORCID {orcid} is also given to {seen[orcid]} in this import",
                    p.row["key"],
                )
            )
            continue
        if orcid:
            seen[orcid] = p.row["key"]
        kept.append(p)
    return kept


ProgressFn = Callable[[str, int], None]


def load_records(
    driver: neo4j.Driver,
    kind: RecordKind | str,
    records: Iterable[Raw],
    *,
    source: str,
    database: str | None = None,
    batch_size: int = 1000,
    dry_run: bool = False,
    on_progress: ProgressFn | None = None,
    keep_outcomes: bool = False,
) -> tuple[FileReport, list[Reject]]:
    """Validate and write records of one kind, a transaction per batch.

    Args:
        driver: an open driver.
        kind: the record kind or its stem (``"scientists"``).
        records: ``(line, raw dict or Reject)`` pairs, e.g. from :func:`read_file` or an API body.
        source: the file name (or ``"api"``) that rejects name.
        batch_size: records per transaction.
        dry_run: validate and check references, write nothing (the transaction is rolled back).
        on_progress: called with ``(source, records done)`` after each batch.
        keep_outcomes: keep each accepted record's outcome in ``report.outcomes`` (the
            counts of created / changed / unchanged are kept either way).

    Returns:
        The kind's report and its rejects.
    """
    if isinstance(kind, str):
        kind = _KINDS[kind]
    report = FileReport(file=source, kind=kind.stem)
    rejects: list[Reject] = []
    started = time.perf_counter()
    batch: list[_Pending] = []
    seen_keys: dict[str, int] = {}
    #: Set when the database went away: the records after it are rejected unwritten, so the
    #: answer still says, record by record, what was committed (never a 5xx after a write).
    lost: list[str] = []
    uncertain: list[bool] = []

    def reject_all(reason: str) -> None:
        for p in batch:
            rejects.append(Reject(source, p.line, None, reason, p.row["key"]))
        report.rejected += len(batch)

    def flush() -> None:
        if not batch:
            return
        if lost:
            reject_all(f"not written: {lost[0]}")
            batch.clear()
            return
        try:
            with translate(), driver.session(database=database) as session:
                if dry_run:
                    with session.begin_transaction() as tx:
                        result = _write_batch(tx, kind, batch, source)  # type: ignore[arg-type]
                        tx.rollback()
                else:
                    result = session.execute_write(_write_batch, kind, batch, source)
        except neo4j.exceptions.IncompleteCommit as exc:
            logger.warning("Commit of a batch of %s lost: %s", source, exc)
            lost.append("the database became unavailable during the request")
            uncertain.append(True)
            reject_all(
                "the database went away while this record's batch committed: it may or may "
                "not be written; re-send it (re-sending a record is safe)"
            )
        except (GraphUnavailableError, neo4j.exceptions.DriverError) as exc:
            logger.warning("Batch of %s not written, the database is unavailable: %s", source, exc)
            lost.append("the database became unavailable during the request")
            reject_all("not written: the database became unavailable during the request")
        except neo4j.exceptions.Neo4jError as exc:
            logger.warning("Batch of %s failed: %s", source, exc.message)
            reject_all(f"batch failed and was not written: {exc.message}")
        else:
            batch_rejects, counters, outcomes = result
            rejects.extend(batch_rejects)
            report.rejected += len(batch_rejects)
            report.loaded += len(outcomes)
            if keep_outcomes:
                report.outcomes.extend(outcomes)
            for o in outcomes:
                setattr(report, o.outcome, getattr(report, o.outcome) + 1)
            report.nodes_created += counters["nodes"]
            report.relationships_created += counters["rels"]
            report.properties_set += counters["props"]
        if on_progress:
            on_progress(source, report.read)
        batch.clear()

    for line, raw in records:
        report.read += 1
        if isinstance(raw, Reject):
            rejects.append(raw)
            report.rejected += 1
            continue
        validated = _validate(kind, source, line, raw)
        if isinstance(validated, list):
            rejects.extend(validated)
            report.rejected += 1
            continue
        row = _row(validated, kind.stem)
        previous = seen_keys.get(row["key"])
        if previous is not None and any(p.row["key"] == row["key"] for p in batch):
            # The same key twice in one batch: write the earlier one first, so the last wins.
            flush()
        seen_keys[row["key"]] = line
        batch.append(_Pending(line, row))
        if len(batch) >= batch_size:
            flush()
    flush()
    report.seconds = time.perf_counter() - started
    if lost and not report.loaded and not uncertain:
        # Nothing of this call was (or may have been) written: a plain "unavailable" (503),
        # safe to retry whole.
        raise GraphUnavailableError(lost[0])
    return report, rejects


def _discover(path: Path) -> tuple[list[tuple[Path, RecordKind]], list[str]]:
    if path.is_file():
        kind = kind_for_file(path)
        if kind is None:
            raise ImportFileError(
                f"{path.name}: the file name must be a record kind with .jsonl or .csv "
                f"({', '.join(_KINDS)})"
            )
        return [(path, kind)], []
    if not path.is_dir():
        raise ImportFileError(f"{path} does not exist")
    found: list[tuple[Path, RecordKind]] = []
    warnings: list[str] = []
    for child in sorted(path.iterdir()):
        if child.is_dir() or child.name.startswith("."):
            continue
        kind = kind_for_file(child)
        if kind is None:
            warnings.append(f"{child.name}: not a known record file, ignored")
        else:
            found.append((child, kind))
    found.sort(key=lambda fk: (_ORDER[fk[1].stem], fk[0].name))
    return found, warnings


def count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for line in fh if line.strip()) - (1 if path.suffix.lower() == ".csv" else 0)


def import_path(
    driver: neo4j.Driver,
    path: Path,
    *,
    database: str | None = None,
    batch_size: int = 1000,
    dry_run: bool = False,
    on_file: Callable[[Path, int], None] | None = None,
    on_progress: ProgressFn | None = None,
    keep_outcomes: bool = False,
) -> ImportReport:
    """Import one file or a folder of record files, in dependency order.

    Raises:
        ImportFileError: the path does not exist or a single file has no known kind.
    """
    started = time.perf_counter()
    files, warnings = _discover(path)
    report = ImportReport(warnings=warnings)
    for file_path, kind in files:
        if on_file:
            on_file(file_path, count_lines(file_path))
        try:
            file_report, rejects = load_records(
                driver,
                kind,
                read_file(file_path),
                source=file_path.name,
                database=database,
                batch_size=batch_size,
                dry_run=dry_run,
                on_progress=on_progress,
                keep_outcomes=keep_outcomes,
            )
        except ImportFileError as exc:
            file_report = FileReport(file=file_path.name, kind=kind.stem)
            rejects = [Reject(file_path.name, 0, None, str(exc))]
        report.files.append(file_report)
        report.rejects.extend(rejects)
    report.seconds = time.perf_counter() - started
    return report


# -- per-record outcomes ----------------------------------------------------------------------
_EVIDENCE_STEMS: Final = frozenset({"publications", "projects", "patents", "standards", "awards"})
_NODE_LABEL: Final[dict[str, tuple[str, str]]] = {
    "districts": (Label.DISTRICT, "code"),
    "disciplines": (Label.DISCIPLINE, "code"),
    "national_societies": (Label.NATIONAL_SOCIETY, "id"),
    "societies": (Label.SOCIETY, "id"),
    "enterprises": (Label.ORGANIZATION, "id"),
    "universities": (Label.ORGANIZATION, "id"),
    "institutes": (Label.ORGANIZATION, "id"),
    "scientists": (Label.SCIENTIST, "id"),
    "demands": (Label.DEMAND, "id"),
    "topics": (Label.TOPIC, "id"),
    "review_rounds": (Label.REVIEW_ROUND, "id"),
    "evaluation_items": (Label.EVALUATION_ITEM, "id"),
    **dict.fromkeys(_EVIDENCE_STEMS, (Label.EVIDENCE, "id")),
}
#: The two ends of a relationship record (``row.a``, ``row.b``).
_REL_ENDS: Final[dict[str, tuple[str, str]]] = {
    "memberships": ("scientist", "society"),
    "affiliations": ("scientist", "organization"),
    "presences": ("society", "district"),
    "conflicts": ("scientist", "target"),
}
#: Which stored relationship stands for each reference field (out of / into the node).
_REF_REL: Final[dict[str, tuple[str, ...]]] = {
    "disciplines": (
        Rel.SPECIALIZES_IN,
        Rel.IN_DISCIPLINE,
        Rel.COVERS,
        Rel.NEEDS,
        Rel.CONCERNS,
    ),
    "district": (Rel.LOCATED_IN,),
    "institution": (Rel.WORKS_AT,),
    "counterparts": (Rel.COUNTERPART_OF,),
    "parent": (Rel.SUBFIELD_OF,),
    "contributors": (Rel.CONTRIBUTED,),
    "enterprise": (Rel.POSTED,),
    "applicants": (Rel.APPLIED_FOR,),
    "organizations": (Rel.SUBMITTED,),
    "round": (Rel.IN_ROUND,),
}
#: Properties derived from others, not named as changed fields of their own.
_DERIVED: Final = frozenset({"text", "text_hash", "level", "id"})


def _stored(
    tx: neo4j.ManagedTransaction, kind: RecordKind, rows: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """What is stored now for each row's key: its properties and reference values."""
    if not rows:
        return {}
    if kind.stem in _REL_ENDS:
        a, b = _REL_ENDS[kind.stem]
        recs = tx.run(
            Q.REL_STATE[kind.stem],
            rows=[{"key": r["key"], "a": r[a], "b": r[b]} for r in rows],
        )
        return {r["key"]: {"props": dict(r["props"]), "refs": {}} for r in recs}
    label = _NODE_LABEL[kind.stem]
    out: dict[str, dict[str, Any]] = {}
    for r in tx.run(Q.NODE_STATE[label], keys=[row["key"] for row in rows]):
        refs: dict[str, Any] = {}
        for field_name, types in _REF_REL.items():
            if field_name in ("contributors", "applicants"):
                pairs = sorted((p or 0, i) for t, i, p in r["inc"] if t in types)
                refs[field_name] = [i for _, i in pairs]
            elif field_name == "enterprise":
                refs[field_name] = next((i for t, i, _ in r["inc"] if t in types), None)
            elif field_name == "organizations":
                refs[field_name] = sorted(i for t, i, _ in r["inc"] if t in types)
            elif field_name in ("disciplines", "counterparts"):
                refs[field_name] = sorted(i for t, i in r["out"] if t in types)
            else:
                refs[field_name] = next((i for t, i in r["out"] if t in types), None)
        out[r["key"]] = {"props": dict(r["props"]), "refs": refs}
    return out


def _complete_evidence_text(batch: list[_Pending], before: dict[str, dict[str, Any]]) -> None:
    """An evidence record that leaves its abstract out keeps the stored one: its text (what is
    embedded and searched), hash and detected language are made from both."""
    for p in batch:
        row = p.row
        stored = before.get(row["key"])
        if row.get("abstract_given") or stored is None:
            continue
        abstract = stored["props"].get("abstract")
        if abstract:
            title = row["props"].get("title") or stored["props"].get("title") or ""
            text = f"{title}. {abstract}".strip()
            row["props"]["text"] = text
            row["props"]["text_hash"] = text_hash(text)
            if not row.get("lang_given"):
                row["props"]["lang"] = detect_lang(text)


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, list | tuple) or isinstance(new, list | tuple):
        return list(old or []) == list(new or [])
    return bool(old == new)


def _outcome(p: _Pending, stored: dict[str, Any] | None) -> Outcome:
    """``created`` when nothing was stored; else the given fields whose stored value differs
    (scalar properties, and reference fields against the relationships they stand for)."""
    row = p.row
    if stored is None:
        return Outcome(p.line, row["key"], "created")
    changed = [
        k
        for k, v in row["props"].items()
        if k not in _DERIVED and not _same(stored["props"].get(k), v)
    ]
    for name in row.get("given", []):
        new = row.get(name)
        if name in ("disciplines", "counterparts", "organizations"):  # stored sorted
            new = sorted(new or [])
        if not _same(stored["refs"].get(name), new):
            changed.append(name)
    return Outcome(p.line, row["key"], "changed" if changed else "unchanged", tuple(changed))
