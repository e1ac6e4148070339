"""Node labels, relationship types and enumerations of the Kexie Match graph.

Every Cypher statement in :mod:`graph_schema.queries` names labels through these constants, so
a rename happens in one place. Labels are never taken from user input.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = [
    "Label",
    "Rel",
    "GRADES",
    "Grade",
    "TALENT_KINDS",
    "TalentKind",
    "EVIDENCE_KINDS",
    "EvidenceKind",
    "ORG_KINDS",
    "OrgKind",
    "PRESENCE_KINDS",
    "PresenceKind",
    "AVAILABILITIES",
    "Availability",
    "SENIOR_GRADES",
    "FORMATION_STATUSES",
    "FormationStatus",
    "ACTIVE_STATUSES",
    "ITEM_KINDS",
    "ItemKind",
    "ROUND_KINDS",
    "RoundKind",
    "COI_TIES",
    "CoiTie",
    "COUNCIL_ROLES",
]


class Label:
    """Node labels."""

    SCIENTIST: Final = "Scientist"
    SOCIETY: Final = "Society"
    NATIONAL_SOCIETY: Final = "NationalSociety"
    ORGANIZATION: Final = "Organization"  # super-label of Enterprise, University, Institute
    ENTERPRISE: Final = "Enterprise"
    UNIVERSITY: Final = "University"
    INSTITUTE: Final = "Institute"
    DISTRICT: Final = "District"
    DISCIPLINE: Final = "Discipline"
    EVIDENCE: Final = "Evidence"  # super-label of the five evidence kinds
    PUBLICATION: Final = "Publication"
    PROJECT: Final = "Project"
    PATENT: Final = "Patent"
    STANDARD: Final = "Standard"
    AWARD: Final = "Award"
    DEMAND: Final = "Demand"
    TOPIC: Final = "Topic"
    TEAM: Final = "Team"
    PANEL: Final = "Panel"
    CONSORTIUM: Final = "Consortium"
    EVALUATION_ITEM: Final = "EvaluationItem"  # achievement, award nomination, standard draft…
    REVIEW_ROUND: Final = "ReviewRound"
    REVIEW_AUDIT: Final = "ReviewAudit"
    MIGRATION: Final = "KexieMigration"
    API_KEY: Final = "KexieApiKey"


class Rel:
    """Relationship types, written as (start)-[:TYPE]->(end)."""

    MEMBER_OF: Final = "MEMBER_OF"  # Scientist -> Society {grade, role, since}
    WORKS_AT: Final = "WORKS_AT"  # Scientist -> Organization {title, since, current}
    CONTRIBUTED: Final = "CONTRIBUTED"  # Scientist -> Evidence {role, position}
    SPECIALIZES_IN: Final = "SPECIALIZES_IN"  # Scientist -> Discipline
    IN_DISCIPLINE: Final = "IN_DISCIPLINE"  # Evidence -> Discipline
    SUBFIELD_OF: Final = "SUBFIELD_OF"  # Discipline (level 2) -> Discipline (level 1)
    COVERS: Final = "COVERS"  # Society | NationalSociety -> Discipline
    COUNTERPART_OF: Final = "COUNTERPART_OF"  # Society -> NationalSociety
    PRESENT_IN: Final = "PRESENT_IN"  # Society -> District {kind: branch | liaison_office}
    LOCATED_IN: Final = "LOCATED_IN"  # Organization | Society -> District
    CONFLICT_WITH: Final = "CONFLICT_WITH"  # Scientist -> Organization | Scientist {reason}
    POSTED: Final = "POSTED"  # Enterprise -> Demand
    NEEDS: Final = "NEEDS"  # Demand -> Discipline
    CONCERNS: Final = "CONCERNS"  # Topic -> Discipline
    SERVED_ON: Final = (
        "SERVED_ON"  # Scientist -> Team | Panel {role, skills, accepted, rating, comment}
    )
    FOR_DEMAND: Final = "FOR_DEMAND"  # Team -> Demand
    FOR_TOPIC: Final = "FOR_TOPIC"  # Panel -> Topic
    PART_OF: Final = "PART_OF"  # Organization | Society | NationalSociety -> Consortium {role}
    APPLIED_FOR: Final = "APPLIED_FOR"  # Scientist -> EvaluationItem {position}
    SUBMITTED: Final = "SUBMITTED"  # Organization -> EvaluationItem
    IN_ROUND: Final = "IN_ROUND"  # EvaluationItem -> ReviewRound
    FOR_ITEM: Final = "FOR_ITEM"  # Panel -> EvaluationItem (an evaluation panel)
    REVIEWS: Final = "REVIEWS"  # Scientist -> EvaluationItem {round_id, relevance, assignment}
    AUDITS: Final = "AUDITS"  # ReviewAudit -> Panel | ReviewRound


Grade = Literal["student_member", "member", "senior_member", "fellow"]
GRADES: Final[tuple[Grade, ...]] = ("student_member", "member", "senior_member", "fellow")
SENIOR_GRADES: Final[frozenset[str]] = frozenset({"senior_member", "fellow"})

TalentKind = Literal[
    "strategic_scientist",
    "leading_talent",
    "young_scientist",
    "overseas_scientist",
    "outstanding_engineer",
    "enterprise_innovator",
]
TALENT_KINDS: Final[tuple[TalentKind, ...]] = (
    "strategic_scientist",
    "leading_talent",
    "young_scientist",
    "overseas_scientist",
    "outstanding_engineer",
    "enterprise_innovator",
)

EvidenceKind = Literal["publication", "project", "patent", "standard", "award"]
EVIDENCE_KINDS: Final[tuple[EvidenceKind, ...]] = (
    "publication",
    "project",
    "patent",
    "standard",
    "award",
)

OrgKind = Literal["enterprise", "university", "institute"]
ORG_KINDS: Final[tuple[OrgKind, ...]] = ("enterprise", "university", "institute")

PresenceKind = Literal["branch", "liaison_office"]
PRESENCE_KINDS: Final[tuple[PresenceKind, ...]] = ("branch", "liaison_office")

FormationStatus = Literal["proposed", "confirmed", "declined"]
FORMATION_STATUSES: Final[tuple[FormationStatus, ...]] = ("proposed", "confirmed", "declined")
#: Statuses that occupy an expert (count towards load and exposure).
ACTIVE_STATUSES: Final[tuple[str, ...]] = ("proposed", "confirmed")

#: What an evaluation item is: 成果评价, 科技奖励推荐, 标准评审, 项目评审.
ItemKind = Literal["achievement", "award_nomination", "standard_draft", "project_evaluation"]
ITEM_KINDS: Final[tuple[ItemKind, ...]] = (
    "achievement",
    "award_nomination",
    "standard_draft",
    "project_evaluation",
)
RoundKind = Literal["achievement", "award", "standard", "project"]
ROUND_KINDS: Final[tuple[RoundKind, ...]] = ("achievement", "award", "standard", "project")
#: Person-level ties between a reviewer and an item (its applicants or organisations), as the
#: conflict-of-interest policy of a round names them (``exclude`` / ``disclose``).
CoiTie = Literal[
    "applicant",
    "coauthor",
    "institution",
    "service",
    "declared",
    "organisation",
    "society_council",
    "district",
]
COI_TIES: Final[tuple[CoiTie, ...]] = (
    "applicant",
    "coauthor",
    "institution",
    "service",
    "declared",
    "organisation",
    "society_council",
    "district",
)
#: Society roles that sit on its council (a shared council is a soft tie).
COUNCIL_ROLES: Final[tuple[str, ...]] = (
    "council_member",
    "standing_council_member",
    "vice_president",
    "president",
    "secretary_general",
)

Availability = Literal["available", "limited", "unavailable"]
AVAILABILITIES: Final[tuple[Availability, ...]] = ("available", "limited", "unavailable")

EVIDENCE_LABEL: Final[dict[str, str]] = {
    "publication": Label.PUBLICATION,
    "project": Label.PROJECT,
    "patent": Label.PATENT,
    "standard": Label.STANDARD,
    "award": Label.AWARD,
}
ORG_LABEL: Final[dict[str, str]] = {
    "enterprise": Label.ENTERPRISE,
    "university": Label.UNIVERSITY,
    "institute": Label.INSTITUTE,
}

#: Bookkeeping labels of the embedding job.
EMBEDDING_STATE: Final = "KexieEmbeddingState"
CORPUS_STATS: Final = "KexieCorpusStats"
#: A change to the corpus term counts, written with the vectors it comes from and folded into
#: the ``KexieCorpusStats`` node by the embedding job (:mod:`graph_schema.vectors`).
CORPUS_DELTA: Final = "KexieCorpusDelta"
IDEMPOTENCY: Final = "KexieIdempotency"
#: Bookkeeping labels of the stored organisation ties (:mod:`graph_schema.ties`).
ORG_TIE: Final = "KexieOrgTie"
ORG_TIE_STATE: Final = "KexieOrgTieState"
