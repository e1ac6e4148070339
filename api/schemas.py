"""Request and response models of the HTTP API (``XCreate / XPublic / XsPublic(data, count)``).

Every field is described; examples use Chinese where the data is Chinese.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from matcher.types import ExpertFilters, check_text

T = TypeVar("T")

#: List caps of the request models (each is also stated in its field's description). An id
#: list is bounded by what one request can use: a team has at most 20 members, a panel 30.
MAX_SKILLS: Final = 20
MAX_DISCIPLINES: Final = 50
MAX_EXCLUDED: Final = 1_000
MAX_QUOTAS: Final = 10

#: An id or code in a request: a scientist, organisation, demand or discipline.
Ref = Annotated[str, StringConstraints(min_length=1, max_length=128)]
#: A skill as staff write it.
Skill = Annotated[str, StringConstraints(min_length=1, max_length=100)]

__all__ = [
    "RequestModel",
    "Problem",
    "ExpertSearch",
    "ExpertRank",
    "EvidencePublic",
    "ExplanationPublic",
    "ExpertPublic",
    "ExpertsPublic",
    "Page",
    "SyncRequest",
    "SyncReject",
    "SyncResult",
]


class RequestModel(BaseModel):
    """Base of every request body: any text in it, at any depth, must be storable.

    A lone UTF-16 surrogate (``"\\ud800"`` in JSON) has no UTF-8 form and a NUL byte breaks
    exports, so either one anywhere in a field (nested lists, dicts and sync records included)
    is a 422 naming the field, before any work.
    """

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        check_text(value)
        return value


class Problem(BaseModel):
    """An RFC 9457 problem: every error answer of the API (``application/problem+json``)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="`/problems/<slug>`: a page that explains the problem.")
    title: str = Field(description="What kind of problem it is.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this request.")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Validation errors, each naming its `field`."
    )
    reasons: list[Any] | None = Field(
        default=None, description="Infeasible: which constraint fails and why."
    )
    advice: str | list[str] | None = Field(default=None, description="Infeasible: what to relax.")


class ExpertSearch(RequestModel):
    """Find experts for a text."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "新能源汽车动力电池热管理与液冷仿真",
                    "k": 5,
                    "filters": {"districts": ["500112"], "min_grade": "member"},
                }
            ]
        },
    )

    text: str = Field(
        min_length=1,
        max_length=10_000,
        description="What the experts must know: a demand, a topic or keywords, in Chinese, English or both.",
    )
    k: int = Field(default=10, ge=1, le=100, description="How many experts to return.")
    filters: ExpertFilters = Field(
        default_factory=ExpertFilters, description="Who may be recommended."
    )
    disciplines: list[Ref] = Field(
        default=[],
        max_length=MAX_DISCIPLINES,
        description="GB/T 13745 discipline codes of the request (at most 50); inferred from the text when empty.",
        examples=[["58010"]],
    )
    mode: Literal["hybrid", "dense", "lexical"] = Field(
        default="hybrid", description="Retrieval paths to use; `hybrid` unless evaluating."
    )


class ExpertRank(RequestModel):
    """Score a given shortlist against a text; every candidate comes back."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"text": "城市交通流预测", "candidates": ["S00012", "S00345"]}]
        },
    )

    text: str = Field(min_length=1, max_length=10_000, description="What the experts must know.")
    candidates: list[Ref] = Field(
        min_length=1,
        max_length=5_000,
        description="Scientist ids to score, 1 to 5,000 (all are returned, ineligible ones flagged).",
    )
    filters: ExpertFilters = Field(
        default_factory=ExpertFilters,
        description="Eligibility rules; failing candidates come back with `eligible=false` and the reasons.",
    )
    disciplines: list[Ref] = Field(
        default=[],
        max_length=MAX_DISCIPLINES,
        description="Discipline codes of the request (at most 50).",
    )


class EvidencePublic(BaseModel):
    id: str = Field(description="Evidence id.")
    kind: str | None = Field(description="publication, project, patent, standard or award.")
    title: str = Field(
        description="Title of the evidence.", examples=["动力电池液冷板热管理系统优化设计"]
    )
    year: int | None = Field(description="Year.")
    score: float = Field(description="How well this item matches the text, in [0, 1].")
    dense: float | None = Field(
        description="Calibrated embedding similarity of this item, in [0, 1]."
    )
    lexical: float = Field(
        description="BM25 of this item over the text's terms, relative to the text's own, in [0, 1]."
    )
    matched_terms: list[str] = Field(
        description="Words of the text found in this item.", examples=[["电池", "液冷"]]
    )


class ExplanationPublic(BaseModel):
    components: dict[str, float] = Field(
        description="Component affinities in [0, 1]: dense, lexical, discipline, graph."
    )
    weights: dict[str, float] = Field(
        description="Weights of the components used in the fused score (sum to 1)."
    )
    evidence: list[EvidencePublic] = Field(description="The evidence that matched best.")
    matched_terms: list[str] = Field(
        description="Words of the text found in the expert's evidence (heaviest first)."
    )
    unmatched_terms: list[str] = Field(
        default=[],
        description="Words of the text found in none of the expert's evidence (a few, heaviest first).",
    )
    text_match: float = Field(
        default=0.0,
        description="How well the text itself matched (dense and lexical by their weights), in [0, 1].",
    )
    low_confidence: bool = Field(
        default=False,
        description="True when the text matched too little of the expert's evidence to call it a match.",
    )
    matched_disciplines: list[dict[str, str]] = Field(
        description="Disciplines shared with the request (code, name)."
    )
    query_disciplines_inferred: bool = Field(
        description="True when the request's disciplines were inferred from the text."
    )
    facts: dict[str, Any] = Field(
        description="Graph facts used: title, institution, district, societies and grades, load."
    )
    exclusions: list[str] = Field(
        description="Why the expert is not eligible (empty when eligible)."
    )
    query_language: str = Field(description="Detected language of the text: zh, en or mixed.")


class ExpertPublic(BaseModel):
    scientist_id: str = Field(description="Scientist id.", examples=["S00012"])
    name: str = Field(description="Name.", examples=["张伟"])
    score: float = Field(description="Absolute affinity in [0, 1], comparable across requests.")
    eligible: bool = Field(
        description="False when a filter or conflict of interest excludes the expert."
    )
    explanation: ExplanationPublic = Field(description="Why this score.")
    contact: dict[str, str | None] | None = Field(
        default=None, description="Email, phone, ORCID — only for keys with the `contact` scope."
    )


class ExpertsPublic(BaseModel):
    data: list[ExpertPublic] = Field(description="Experts by descending score.")
    count: int = Field(description="Number of results in `data`.")
    low_confidence: bool = Field(
        default=False,
        description="True when no expert really matched the text (every result is "
        "low-confidence): the list is what the graph holds nearest, not an answer.",
    )


class Page(BaseModel, Generic[T]):
    """A page of a list; pass `next_cursor` as `cursor` for the next one (null at the end)."""

    data: list[T] = Field(description="Items of this page.")
    count: int = Field(description="Number of items in this page.")
    next_cursor: str | None = Field(description="Opaque cursor of the next page, or null.")


class SyncRequest(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "records": [
                        {"id": "S90001", "name": "刘洋", "institution": "U-CQU", "birth_year": 1986}
                    ]
                }
            ]
        },
    )

    records: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=10_000,
        description="Records of one kind, 1 to 10,000, with the fields of the import format (docs/import-format.md); a record's list fields are capped too (1,000 ids, 100 names, 50 disciplines).",
    )
    dry_run: bool = Field(
        default=False, description="Validate and check references only; write nothing."
    )


class SyncReject(BaseModel):
    index: int = Field(description="0-based position of the record in `records`.")
    field: str | None = Field(description="The field at fault, when one is.")
    reason: str = Field(description="Why the record was rejected.")
    key: str | None = Field(default=None, description="The record's id when known.")


class SyncRecordResult(BaseModel):
    index: int = Field(description="0-based position of the record in `records`.")
    key: str | None = Field(description="The record's key (its id, or `a->b` for a link).")
    outcome: Literal["created", "changed", "unchanged", "rejected"] = Field(
        description="`created`: it did not exist; `changed`: the fields in `changed` took new "
        "values; `unchanged`: everything it gives was stored already; `rejected`: nothing of it "
        "was written (see `reason`)."
    )
    changed: list[str] = Field(default=[], description="Fields whose stored value changed.")
    field: str | None = Field(
        default=None, description="For a rejected record: the field at fault."
    )
    reason: str | None = Field(default=None, description="For a rejected record: why.")


class SyncResult(BaseModel):
    kind: str = Field(description="Record kind, e.g. scientists.")
    received: int = Field(description="Records in the request.")
    accepted: int = Field(description="Records written (or that would be, in a dry run).")
    rejected: int = Field(description="Records rejected (see `rejects`).")
    rejects: list[SyncReject] = Field(
        description="Each rejected record with its index, field and reason."
    )
    created: int = Field(description="Nodes and relationships created (0 when re-sent).")
    records: list[SyncRecordResult] = Field(
        default=[],
        description="One answer per record, in order: created, changed (which fields), "
        "unchanged or rejected (why). A committed record is always in it: a request that fails "
        "part-way still answers for every record it wrote.",
    )
    dry_run: bool = Field(description="True when nothing was written.")


class TeamOptions(RequestModel):
    """How to form the expert service team."""

    model_config = ConfigDict(extra="forbid")

    k_min: int = Field(default=2, ge=1, le=20, description="Fewest members.")
    k_max: int = Field(default=4, ge=1, le=20, description="Most members.")
    skills: list[Skill] = Field(
        default=[],
        max_length=MAX_SKILLS,
        description="Skills to cover (staff's list, at most 20); empty: the demand's own or derived from its text.",
        examples=[["电池热管理", "有限元仿真"]],
    )
    solver: Literal["auto", "greedy", "exact", "exhaustive", "rarest_first", "top_k"] = Field(
        default="auto",
        description="`auto`: `exhaustive` (every team scored, proven optimal) when there are at most 200,000 candidate teams (a pool of 30 with k_max ≤ 5); else greedy + local search, then the exact MILP for at most 0.1 s (pools of up to 40 allowed candidates), the better team winning. `optimal` says whether the team was proven best. `exhaustive` refuses larger problems. `rarest_first` and `top_k` are baselines whose checks may fail.",
    )
    locked: list[Ref] = Field(
        default=[],
        max_length=20,
        description="Scientist ids that must be on the team (at most 20).",
    )
    excluded: list[Ref] = Field(
        default=[],
        max_length=MAX_EXCLUDED,
        description="Scientist ids that must not be on the team (at most 1,000).",
    )
    min_senior: int = Field(
        default=1,
        ge=0,
        le=20,
        description="Fewest senior members (fellow / senior member / senior title).",
    )
    max_per_institution: int | None = Field(
        default=2, ge=1, le=20, description="At most this many members from one institution."
    )
    use_locality: bool = Field(
        default=False, description="Prefer experts near the enterprise's district."
    )
    pool_size: int = Field(
        default=30,
        ge=5,
        le=100,
        description="How many of the best-matching experts the team is chosen from; a larger pool helps when a skill or the senior minimum cannot be met.",
    )


class TeamResolve(RequestModel):
    """Options for re-solving the team of a stored demand. The demand's stored title, text and
    enterprise are used; other demand fields in the body are ignored."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [{"team": {"k_min": 2, "k_max": 3, "locked": ["sci-000252"]}}]
        },
    )

    team: TeamOptions = Field(
        default_factory=TeamOptions, description="Team options: size, skills, locks, exclusions."
    )


class DemandCreate(RequestModel):
    """An enterprise's consulting request (需求); answered with a proposed team."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "动力电池热管理优化",
                    "enterprise_id": "E-AUTO",
                    "text": "我司电池包在快充时温差过大，需要电池热管理与液冷仿真方面的专家提供技术咨询。",
                    "skills": ["电池热管理", "液冷仿真"],
                    "team": {"k_min": 2, "k_max": 3},
                }
            ]
        },
    )

    id: str | None = Field(
        default=None, max_length=128, description="Demand id; generated when absent."
    )
    title: str = Field(min_length=1, max_length=300, description="Short title of the request.")
    text: str = Field(
        default="",
        max_length=10_000,
        description="The technical problem in the enterprise's words.",
    )
    enterprise_id: str = Field(
        min_length=1,
        max_length=128,
        description="The requesting enterprise (its staff and declared conflicts are excluded).",
    )
    district: str | None = Field(
        default=None,
        max_length=32,
        description="District code of the site, when not the enterprise's.",
    )
    disciplines: list[Ref] = Field(
        default=[],
        max_length=MAX_DISCIPLINES,
        description="GB/T 13745 discipline codes (at most 50).",
    )
    skills: list[Skill] = Field(
        default=[],
        max_length=MAX_SKILLS,
        description="Skills the team must cover (at most 20); derived from the text when empty.",
    )
    team: TeamOptions = Field(default_factory=TeamOptions, description="How to form the team.")


class NamePublic(BaseModel):
    name: str = Field(description="Chinese name.", examples=["重庆大学"])
    name_en: str | None = Field(default=None, description="English name, where the graph has one.")


class FormationCreated(BaseModel):
    request_id: str = Field(description="The demand or topic id (or the theme, for consortia).")
    formation_id: str = Field(
        description="Id of the saved proposal (team, panel or consortium), status `proposed`."
    )
    proposal: dict[str, Any] = Field(
        description="Members with their reasons, the objective's parts, every constraint and whether it holds, who was excluded and why."
    )
    labels: dict[str, NamePublic] = Field(
        default_factory=dict,
        description="Display names of the ids and codes the proposal refers to (members, "
        "institutions, disciplines, districts, the enterprise): `name` and `name_en`.",
    )


class FormationRef(BaseModel):
    id: str = Field(description="Team or panel id.")
    status: str | None = Field(description="`proposed`, `confirmed` or `declined`.")
    created_at: str | None = Field(description="When it was proposed (ISO 8601).")


class Discipline(BaseModel):
    code: str = Field(description="GB/T 13745 code.", examples=["58020"])
    name: str | None = Field(description="Chinese name.", examples=["储能技术"])


class DemandSummary(BaseModel):
    id: str = Field(description="Demand id.")
    title: str | None = Field(description="Title of the demand.", examples=["动力电池热管理咨询"])
    enterprise_id: str | None = Field(description="The enterprise that posted it.")
    enterprise_name: str | None = Field(
        description="Its name.", examples=["重庆某新能源汽车有限公司"]
    )
    teams: list[FormationRef] = Field(description="Teams proposed for it, any status.")


class DemandDetail(BaseModel):
    id: str = Field(description="Demand id.")
    title: str = Field(description="Title of the demand.", examples=["动力电池热管理咨询"])
    text: str = Field(description="What the enterprise asks for.")
    skills: list[str] = Field(description="Skills staff gave (empty: derived when forming a team).")
    disciplines: list[Discipline] = Field(description="Disciplines the demand needs.")
    enterprise_id: str | None = Field(description="The enterprise that posted it.")
    enterprise_name: str | None = Field(description="Its name.")
    district: str | None = Field(description="District code of the enterprise.")
    district_name: str | None = Field(description="District name.", examples=["两江新区"])
    teams: list[FormationRef] = Field(description="Teams proposed for it, oldest first.")


class TopicSummary(BaseModel):
    id: str = Field(description="Topic id.")
    title: str | None = Field(
        description="Title of the topic.", examples=["成渝地区双城经济圈科技创新"]
    )
    issuer: str | None = Field(description="Who issued it.", examples=["市发展改革委"])
    panels: list[FormationRef] = Field(description="Panels proposed for it, any status.")


class TopicDetail(BaseModel):
    id: str = Field(description="Topic id.")
    title: str = Field(description="Title of the topic.")
    text: str = Field(description="What the topic is about.")
    issuer: str | None = Field(description="Who issued it.")
    disciplines: list[Discipline] = Field(description="Disciplines the topic concerns.")
    panels: list[FormationRef] = Field(description="Panels proposed for it, oldest first.")


class SwapRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")

    remove: Ref = Field(description="The member to replace.")
    add: Ref | None = Field(
        default=None,
        description="Apply this replacement (one of the proposed options); omit to list options.",
    )
    n: int = Field(default=5, ge=1, le=20, description="How many replacement options to propose.")


class FeedbackCreate(RequestModel):
    model_config = ConfigDict(extra="forbid")

    member: Ref = Field(description="The scientist the feedback is about.")
    accepted: bool | None = Field(
        default=None,
        description="Whether the expert accepted; a decline keeps them off later teams for the same demand.",
    )
    rating: int | None = Field(
        default=None, ge=1, le=5, description="Staff or enterprise rating, 1–5."
    )
    comment: str | None = Field(default=None, max_length=2000, description="Free text.")


class PanelOptions(RequestModel):
    model_config = ConfigDict(extra="forbid")

    size: int = Field(default=5, ge=2, le=30, description="Panel size.")
    quota_counts: dict[Annotated[str, StringConstraints(max_length=32)], int] = Field(
        default={},
        max_length=MAX_QUOTAS,
        description="Override quota counts by name (at most 10): senior, young, enterprise, academic, disciplines, per_institution.",
        examples=[{"senior": 2, "young": 1}],
    )
    young_age_max: int = Field(
        default=45, ge=20, le=80, description="Age up to which a scientist counts as young."
    )
    locked: list[Ref] = Field(
        default=[],
        max_length=30,
        description="Scientist ids that must sit on the panel (at most 30).",
    )
    excluded: list[Ref] = Field(
        default=[],
        max_length=MAX_EXCLUDED,
        description="Scientist ids that must not (at most 1,000).",
    )
    conflict_with: list[Ref] = Field(
        default=[],
        max_length=100,
        description="Organisations with a stake in the topic (at most 100): their staff are excluded.",
    )
    max_prior_share: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Exposure cap: exclude experts who sat on more than this share of recent panels.",
    )
    lottery_q: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Randomise among near-optimal panels, each expert selected with probability at most q.",
    )
    seed: int | None = Field(default=None, description="Seed of the lottery draw.")
    relax: bool = Field(
        default=False,
        description="When quotas conflict, lower the lowest-priority ones to what the pool allows (and say from what to what) instead of failing.",
    )


class TopicCreate(RequestModel):
    """A government topic (课题); answered with a proposed think-tank panel."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "成渝地区新能源汽车产业链协同发展",
                    "text": "研究电池、整车与智能网联协同布局。",
                    "issuer": "重庆市经济和信息化委员会",
                    "panel": {"size": 5},
                }
            ]
        },
    )

    id: str | None = Field(
        default=None, max_length=128, description="Topic id; generated when absent."
    )
    title: str = Field(min_length=1, max_length=300, description="Short title.")
    text: str = Field(default="", max_length=10_000, description="The question the panel studies.")
    issuer: str | None = Field(
        default=None, max_length=300, description="The government body asking."
    )
    disciplines: list[Ref] = Field(
        default=[],
        max_length=MAX_DISCIPLINES,
        description="Discipline codes (often several: cross-disciplinary; at most 50).",
    )
    panel: PanelOptions = Field(default_factory=PanelOptions, description="How to form the panel.")


class ConsortiumCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"theme": "智能网联新能源汽车产业集群", "max_size": 5}]},
    )

    theme: str = Field(min_length=1, max_length=2000, description="The theme or industry cluster.")
    disciplines: list[Ref] = Field(
        default=[],
        max_length=MAX_DISCIPLINES,
        description="Discipline codes the consortium must cover (at most 50); inferred when empty.",
    )
    max_size: int = Field(default=5, ge=2, le=20, description="Most member organisations.")
    min_size: int = Field(default=3, ge=1, le=20, description="Fewest member organisations.")


class AssignmentCreate(RequestModel):
    model_config = ConfigDict(extra="forbid")

    demand_ids: list[Ref] = Field(
        min_length=1, max_length=500, description="Demands to staff at once (1 to 500)."
    )
    team_min: int = Field(default=1, ge=1, le=10, description="Fewest experts per demand.")
    team_max: int = Field(default=3, ge=1, le=10, description="Most experts per demand.")
