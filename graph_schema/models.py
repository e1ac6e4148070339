"""Typed records for every entity and relationship kind of the graph.

One definition serves the file import, the API's sync endpoint, the demo generator and the
matcher. Each record kind has a file stem (``scientists`` reads ``scientists.jsonl`` or
``scientists.csv``); :data:`RECORD_KINDS` maps stems to models in import order.

References between records are ids (scientist references may also be an ORCID). List fields
in CSV are separated by ``|``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from graph_schema.labels import (
    COI_TIES,
    Availability,
    CoiTie,
    EvidenceKind,
    Grade,
    ItemKind,
    PresenceKind,
    RoundKind,
    TalentKind,
)
from graph_schema.language import detect_lang

__all__ = [
    "Record",
    "DistrictRecord",
    "DisciplineRecord",
    "NationalSocietyRecord",
    "SocietyRecord",
    "OrganizationRecord",
    "ScientistRecord",
    "EvidenceRecord",
    "DemandRecord",
    "TopicRecord",
    "ReviewRoundRecord",
    "EvaluationItemRecord",
    "MembershipRecord",
    "AffiliationRecord",
    "PresenceRecord",
    "ConflictRecord",
    "RecordKind",
    "RECORD_KINDS",
    "scientist_key",
    "detect_lang",
    "text_hash",
]

MAX_TEXT: Final = 20_000
MAX_NAME: Final = 300
_ORCID_RE: Final = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


def _split_list(value: Any) -> Any:
    """Accept a list, or a ``|``-separated string as CSV files carry lists."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split("|") if part.strip()]
    return value


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


_CONTROL_RE: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_TEXT_RE: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _no_control(value: str) -> str:
    """Ids and names carry no control characters (NUL, ESC, …): they break exports and terminals."""
    if _CONTROL_RE.search(value):
        raise ValueError("must not contain control characters (such as NUL)")
    return _encodable(value)


def _no_control_in_text(value: str) -> str:
    """Free text may hold tabs and line breaks, but no other control characters."""
    if _CONTROL_IN_TEXT_RE.search(value):
        raise ValueError("must not contain control characters (such as NUL)")
    return _encodable(value)


def _encodable(value: str) -> str:
    """Text the graph can store: a lone UTF-16 surrogate (``"\\ud800"`` in JSON) has no UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text (it holds a lone surrogate)") from exc
    return value


Id = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=128, pattern=r"^[^\s]+$"),
    AfterValidator(_no_control),
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME),
    AfterValidator(_no_control),
]
OptName = Annotated[Name | None, BeforeValidator(_blank_to_none)]
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_TEXT),
    AfterValidator(_no_control_in_text),
]
#: Caps on list fields: generous for real records (a consortium paper's author list), small
#: enough that one record cannot make a sync slow.
MAX_IDS: Final = 1_000
MAX_NAMES: Final = 100
MAX_DISCIPLINES: Final = 50
IdList = Annotated[list[Id], BeforeValidator(_split_list), Field(max_length=MAX_IDS)]
StrList = Annotated[list[Name], BeforeValidator(_split_list), Field(max_length=MAX_NAMES)]
DistrictCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6}$")]
OptDistrictCode = Annotated[DistrictCode | None, BeforeValidator(_blank_to_none)]
DisciplineCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\d{3}(\d{2})?$")
]
DisciplineList = Annotated[
    list[DisciplineCode], BeforeValidator(_split_list), Field(max_length=MAX_DISCIPLINES)
]
Year = Annotated[int, Field(ge=1900, le=2100)]
OptYear = Annotated[Year | None, BeforeValidator(_blank_to_none)]


def text_hash(text: str) -> str:
    """A short stable hash of a text; embeddings are redone when it changes."""
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def scientist_key(*, id: str | None, orcid: str | None, name: str, institution: str | None) -> str:
    """The identity of a scientist: never the name alone.

    Order: an explicit ``id``; else ``orcid:<ORCID>``; else ``ni:<hash of name + institution>``.

    Raises:
        ValueError: when none of id, ORCID or institution is given.
    """
    if id:
        return id
    if orcid:
        return f"orcid:{orcid}"
    if institution:
        digest = hashlib.sha1(f"{name.strip()}|{institution.strip()}".encode()).hexdigest()
        return f"ni:{digest[:16]}"
    raise ValueError("a scientist needs an id, an ORCID, or a name with an institution")


class Record(BaseModel):
    """Base of every import record: unknown fields are errors, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    def key(self) -> str:
        """The identity the record merges on."""
        raise NotImplementedError


class DistrictRecord(Record):
    """A district or county (GB/T 2260 code)."""

    code: DistrictCode
    name: Name
    name_en: OptName = None
    kind: Literal["district", "county"] = "district"

    def key(self) -> str:
        return self.code


class DisciplineRecord(Record):
    """A GB/T 13745 discipline: level 1 has three digits, level 2 five (parent = first three)."""

    code: DisciplineCode
    name: Name
    name_en: OptName = None

    @property
    def level(self) -> int:
        return 1 if len(self.code) == 3 else 2

    @property
    def parent(self) -> str | None:
        return self.code[:3] if self.level == 2 else None

    def key(self) -> str:
        return self.code


class NationalSocietyRecord(Record):
    """A national-level society (全国学会), the counterpart of municipal ones."""

    id: Id
    name: Name
    name_en: OptName = None
    disciplines: DisciplineList = []

    def key(self) -> str:
        return self.id


class SocietyRecord(Record):
    """A municipal or district-level science and technology society."""

    id: Id
    name: Name
    name_en: OptName = None
    level: Literal["municipal", "district"] = "municipal"
    district: OptDistrictCode = None
    founded_year: OptYear = None
    disciplines: DisciplineList = []
    counterparts: IdList = []

    @model_validator(mode="after")
    def _district_level_needs_district(self) -> SocietyRecord:
        if self.level == "district" and self.district is None:
            raise ValueError("a district-level society needs its district")
        return self

    def key(self) -> str:
        return self.id


class OrganizationRecord(Record):
    """An enterprise, university or institute; ``kind`` comes from the file it is read from."""

    id: Id
    kind: Literal["enterprise", "university", "institute"]
    name: Name
    name_en: OptName = None
    district: OptDistrictCode = None
    industry: OptName = None
    disciplines: DisciplineList = []

    def key(self) -> str:
        return self.id


class ScientistRecord(Record):
    """A scientist. Identity: ``id``, else ORCID, else name + institution (see scientist_key)."""

    id: Annotated[Id | None, BeforeValidator(_blank_to_none)] = None
    name: Name
    name_en: OptName = None
    gender: Annotated[Literal["F", "M"] | None, BeforeValidator(_blank_to_none)] = None
    birth_year: OptYear = None
    title: OptName = None
    talent_kinds: Annotated[
        list[TalentKind], BeforeValidator(_split_list), Field(max_length=20)
    ] = []
    orcid: Annotated[str | None, BeforeValidator(_blank_to_none)] = None
    # The constraints bind to the string inside the optional (on ``str | None`` pydantic
    # applied them to None too, and a null email was a TypeError: a 500 after earlier writes).
    email: Annotated[
        Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
        | None,
        BeforeValidator(_blank_to_none),
    ] = None
    phone: Annotated[
        Annotated[str, StringConstraints(pattern=r"^[+\d][\d\- ]{5,30}$")] | None,
        BeforeValidator(_blank_to_none),
    ] = None
    institution: Annotated[Id | None, BeforeValidator(_blank_to_none)] = None
    district: OptDistrictCode = None
    disciplines: DisciplineList = []
    availability: Availability = "available"
    max_active_teams: Annotated[int, Field(ge=0, le=50)] = 3
    bio: Text = ""

    @field_validator("orcid")
    @classmethod
    def _orcid_form(cls, value: str | None) -> str | None:
        if value is not None and not _ORCID_RE.match(value):
            raise ValueError("ORCID must look like 0000-0002-1825-0097")
        return value

    @field_validator("birth_year")
    @classmethod
    def _plausible_birth_year(cls, value: int | None) -> int | None:
        if value is not None and not 1920 <= value <= _dt.date.today().year - 14:
            raise ValueError("birth year out of range")
        return value

    @model_validator(mode="after")
    def _has_identity(self) -> ScientistRecord:
        scientist_key(id=self.id, orcid=self.orcid, name=self.name, institution=self.institution)
        return self

    def key(self) -> str:
        return scientist_key(
            id=self.id, orcid=self.orcid, name=self.name, institution=self.institution
        )


class EvidenceRecord(Record):
    """A publication, project, patent, standard or award; ``kind`` comes from its file."""

    id: Id
    kind: EvidenceKind
    title: Name
    abstract: Text = ""
    year: OptYear = None
    lang: Annotated[Literal["zh", "en", "mixed"] | None, BeforeValidator(_blank_to_none)] = None
    source: OptName = None  # venue, funder, patent office, standard body or awarding body
    number: OptName = None  # patent number or standard code
    contributors: IdList = Field(default=[], description="scientist ids or ORCIDs, in order")
    disciplines: DisciplineList = []

    @property
    def text(self) -> str:
        return f"{self.title}. {self.abstract}".strip() if self.abstract else self.title

    @property
    def language(self) -> str:
        return self.lang or detect_lang(self.text)

    def key(self) -> str:
        return self.id


class DemandRecord(Record):
    """An enterprise's request for consulting (需求)."""

    id: Id
    title: Name
    text: Text = ""
    enterprise: Id
    district: OptDistrictCode = None
    disciplines: DisciplineList = []
    skills: StrList = []
    created: Annotated[_dt.date | None, BeforeValidator(_blank_to_none)] = None

    def key(self) -> str:
        return self.id


class TopicRecord(Record):
    """A government topic (课题) for a think-tank panel."""

    id: Id
    title: Name
    text: Text = ""
    issuer: OptName = None
    disciplines: DisciplineList = []
    created: Annotated[_dt.date | None, BeforeValidator(_blank_to_none)] = None

    def key(self) -> str:
        return self.id


TieList = Annotated[list[CoiTie], BeforeValidator(_split_list), Field(max_length=len(COI_TIES))]


class ReviewRoundRecord(Record):
    """A review round (评审轮次): its kind, year, load rules and conflict-of-interest policy.

    ``exclude`` lists the ties that keep a reviewer off an item; ``disclose`` the softer ties
    that are shown but allowed. A tie in neither is ignored; one in both is an error."""

    id: Id
    name: Name
    kind: RoundKind = "achievement"
    year: OptYear = None
    reviewers_per_item: Annotated[int, Field(ge=1, le=50)] = 3
    max_items_per_reviewer: Annotated[int, Field(ge=1, le=1000)] = 10
    coauthor_years: Annotated[int, Field(ge=0, le=100)] = 5
    institution_years: Annotated[int, Field(ge=0, le=100)] = 3
    service_years: Annotated[int, Field(ge=0, le=100)] = 5
    exclude: TieList = [
        "applicant",
        "coauthor",
        "institution",
        "service",
        "declared",
        "organisation",
    ]
    disclose: TieList = ["society_council", "district"]

    @model_validator(mode="after")
    def _policy(self) -> ReviewRoundRecord:
        both = sorted(set(self.exclude) & set(self.disclose))
        if both:
            raise ValueError(f"ties {both} are both excluded and disclosed; name each once")
        if "applicant" not in self.exclude:
            raise ValueError("exclude must name 'applicant': nobody reviews their own item")
        return self

    def key(self) -> str:
        return self.id


class EvaluationItemRecord(Record):
    """An item under evaluation: an achievement (成果评价), an award nomination (科技奖励推荐),
    a standard draft (标准评审) or a project for evaluation, with its applicants (scientists,
    in order), the organisations that submit it and the round it belongs to."""

    id: Id
    kind: ItemKind = "achievement"
    title: Name
    text: Text = ""
    disciplines: DisciplineList = []
    applicants: IdList = Field(default=[], description="scientist ids or ORCIDs, in order")
    organizations: IdList = []
    round: Annotated[Id | None, BeforeValidator(_blank_to_none)] = None
    created: Annotated[_dt.date | None, BeforeValidator(_blank_to_none)] = None

    def key(self) -> str:
        return self.id


class MembershipRecord(Record):
    """Scientist -[:MEMBER_OF {grade, role, since}]-> Society."""

    scientist: Id
    society: Id
    grade: Grade = "member"
    role: Annotated[
        Literal[
            "member",
            "council_member",
            "standing_council_member",
            "vice_president",
            "president",
            "secretary_general",
        ],
        BeforeValidator(lambda v: v or "member"),
    ] = "member"
    since: OptYear = None

    def key(self) -> str:
        return f"{self.scientist}->{self.society}"


class AffiliationRecord(Record):
    """Scientist -[:WORKS_AT {title, since, current}]-> Organization."""

    scientist: Id
    organization: Id
    title: OptName = None
    since: OptYear = None
    #: The last year of a past affiliation (the institution window of review conflicts).
    until: OptYear = None
    current: bool = True

    @model_validator(mode="after")
    def _period(self) -> AffiliationRecord:
        if self.since is not None and self.until is not None and self.until < self.since:
            raise ValueError(f"until ({self.until}) is before since ({self.since})")
        return self

    def key(self) -> str:
        return f"{self.scientist}->{self.organization}"


class PresenceRecord(Record):
    """Society -[:PRESENT_IN {kind}]-> District: a branch or a liaison office."""

    society: Id
    district: DistrictCode
    kind: PresenceKind
    since: OptYear = None

    def key(self) -> str:
        return f"{self.society}->{self.district}"


class ConflictRecord(Record):
    """A declared conflict of interest: Scientist -[:CONFLICT_WITH]-> Organization | Scientist."""

    scientist: Id
    target: Id
    reason: Text = ""

    def key(self) -> str:
        return f"{self.scientist}->{self.target}"


class RecordKind(BaseModel):
    """How one file stem is read: its model and fixed fields."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    stem: str
    model: type[Record]
    fixed: dict[str, str] = {}
    is_relationship: bool = False


RECORD_KINDS: Final[tuple[RecordKind, ...]] = (
    RecordKind(stem="districts", model=DistrictRecord),
    RecordKind(stem="disciplines", model=DisciplineRecord),
    RecordKind(stem="national_societies", model=NationalSocietyRecord),
    RecordKind(stem="societies", model=SocietyRecord),
    RecordKind(stem="enterprises", model=OrganizationRecord, fixed={"kind": "enterprise"}),
    RecordKind(stem="universities", model=OrganizationRecord, fixed={"kind": "university"}),
    RecordKind(stem="institutes", model=OrganizationRecord, fixed={"kind": "institute"}),
    RecordKind(stem="scientists", model=ScientistRecord),
    RecordKind(stem="publications", model=EvidenceRecord, fixed={"kind": "publication"}),
    RecordKind(stem="projects", model=EvidenceRecord, fixed={"kind": "project"}),
    RecordKind(stem="patents", model=EvidenceRecord, fixed={"kind": "patent"}),
    RecordKind(stem="standards", model=EvidenceRecord, fixed={"kind": "standard"}),
    RecordKind(stem="awards", model=EvidenceRecord, fixed={"kind": "award"}),
    RecordKind(stem="demands", model=DemandRecord),
    RecordKind(stem="topics", model=TopicRecord),
    RecordKind(stem="review_rounds", model=ReviewRoundRecord),
    RecordKind(stem="evaluation_items", model=EvaluationItemRecord),
    RecordKind(stem="memberships", model=MembershipRecord, is_relationship=True),
    RecordKind(stem="affiliations", model=AffiliationRecord, is_relationship=True),
    RecordKind(stem="presences", model=PresenceRecord, is_relationship=True),
    RecordKind(stem="conflicts", model=ConflictRecord, is_relationship=True),
)
