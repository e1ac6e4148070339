"""Request and response models of the HTTP API (``XCreate / XPublic / XsPublic(data, count)``).

Every field is described; examples use Chinese where the data is Chinese.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from matcher.types import ExpertFilters

T = TypeVar("T")

__all__ = [
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


class ExpertSearch(BaseModel):
    """Find experts for a text."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": "新能源汽车动力电池热管理与液冷仿真", "k": 5,
                                         "filters": {"districts": ["500112"], "min_grade": "member"}}]},
    )

    text: str = Field(min_length=1, max_length=10_000, description="What the experts must know: a demand, a topic or keywords, in Chinese, English or both.")
    k: int = Field(default=10, ge=1, le=100, description="How many experts to return.")
    filters: ExpertFilters = Field(default_factory=ExpertFilters, description="Who may be recommended.")
    disciplines: list[str] = Field(default=[], description="GB/T 13745 discipline codes of the request; inferred from the text when empty.", examples=[["58010"]])
    mode: Literal["hybrid", "dense", "lexical"] = Field(default="hybrid", description="Retrieval paths to use; `hybrid` unless evaluating.")


class ExpertRank(BaseModel):
    """Score a given shortlist against a text; every candidate comes back."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": "城市交通流预测", "candidates": ["S00012", "S00345"]}]},
    )

    text: str = Field(min_length=1, max_length=10_000, description="What the experts must know.")
    candidates: list[str] = Field(min_length=1, max_length=5_000, description="Scientist ids to score (all are returned, ineligible ones flagged).")
    filters: ExpertFilters = Field(default_factory=ExpertFilters, description="Eligibility rules; failing candidates come back with `eligible=false` and the reasons.")
    disciplines: list[str] = Field(default=[], description="Discipline codes of the request.")


class EvidencePublic(BaseModel):
    id: str = Field(description="Evidence id.")
    kind: str | None = Field(description="publication, project, patent, standard or award.")
    title: str = Field(description="Title of the evidence.", examples=["动力电池液冷板热管理系统优化设计"])
    year: int | None = Field(description="Year.")
    score: float = Field(description="How well this item matches the text, in [0, 1].")
    dense: float | None = Field(description="Calibrated embedding similarity of this item, in [0, 1].")
    lexical: float = Field(description="Share of the text's weighted terms found in this item.")
    matched_terms: list[str] = Field(description="Terms of the text found in this item.", examples=[["电池", "液冷"]])


class ExplanationPublic(BaseModel):
    components: dict[str, float] = Field(description="Component affinities in [0, 1]: dense, lexical, discipline, graph.")
    weights: dict[str, float] = Field(description="Weights of the components used in the fused score (sum to 1).")
    evidence: list[EvidencePublic] = Field(description="The evidence that matched best.")
    matched_terms: list[str] = Field(description="Terms of the text found in the expert's evidence.")
    matched_disciplines: list[dict[str, str]] = Field(description="Disciplines shared with the request (code, name).")
    query_disciplines_inferred: bool = Field(description="True when the request's disciplines were inferred from the text.")
    facts: dict[str, Any] = Field(description="Graph facts used: title, institution, district, societies and grades, load.")
    exclusions: list[str] = Field(description="Why the expert is not eligible (empty when eligible).")
    query_language: str = Field(description="Detected language of the text: zh, en or mixed.")


class ExpertPublic(BaseModel):
    scientist_id: str = Field(description="Scientist id.", examples=["S00012"])
    name: str = Field(description="Name.", examples=["张伟"])
    score: float = Field(description="Absolute affinity in [0, 1], comparable across requests.")
    eligible: bool = Field(description="False when a filter or conflict of interest excludes the expert.")
    explanation: ExplanationPublic = Field(description="Why this score.")
    contact: dict[str, str | None] | None = Field(default=None, description="Email, phone, ORCID — only for keys with the `contact` scope.")


class ExpertsPublic(BaseModel):
    data: list[ExpertPublic] = Field(description="Experts by descending score.")
    count: int = Field(description="Number of results in `data`.")


class Page(BaseModel, Generic[T]):
    """A page of a list; pass `next_cursor` as `cursor` for the next one (null at the end)."""

    data: list[T] = Field(description="Items of this page.")
    count: int = Field(description="Number of items in this page.")
    next_cursor: str | None = Field(description="Opaque cursor of the next page, or null.")


class SyncRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"records": [{"id": "S90001", "name": "刘洋", "institution": "U-CQU", "birth_year": 1986}]}]},
    )

    records: list[dict[str, Any]] = Field(min_length=1, max_length=10_000, description="Records of one kind, with the fields of the import format (docs/import-format.md).")
    dry_run: bool = Field(default=False, description="Validate and check references only; write nothing.")


class SyncReject(BaseModel):
    index: int = Field(description="0-based position of the record in `records`.")
    field: str | None = Field(description="The field at fault, when one is.")
    reason: str = Field(description="Why the record was rejected.")
    key: str | None = Field(default=None, description="The record's id when known.")


class SyncResult(BaseModel):
    kind: str = Field(description="Record kind, e.g. scientists.")
    received: int = Field(description="Records in the request.")
    accepted: int = Field(description="Records written (or that would be, in a dry run).")
    rejected: int = Field(description="Records rejected (see `rejects`).")
    rejects: list[SyncReject] = Field(description="Each rejected record with its index, field and reason.")
    created: int = Field(description="Nodes and relationships created (0 when re-sent).")
    dry_run: bool = Field(description="True when nothing was written.")
