"""Scoring one candidate row for a query, and saying why. Pure: no driver (rows come in).

:func:`expert_result` turns a candidate's row (:class:`graph_schema.search.CandidateRow`) into an
:class:`~matcher.types.ExpertResult`: the component affinities and their fusion
(:mod:`matcher.scoring`), the evidence that matched and the words it matched or missed
(:func:`matcher.text.matched_words`), the facts a reader checks, the filters the candidate
fails (:func:`exclusions`) and whether the match is too weak to trust (``low_confidence``).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

from graph_schema import search as S
from matcher.retrieval_config import RetrievalConfig
from matcher.retrieval_query import Query
from matcher.scoring import Calibration, fuse, score_candidate, text_match
from matcher.text import matched_words
from matcher.types import EvidenceExplanation, ExpertFilters, ExpertResult, Explanation, Msg

__all__ = ["expert_result", "exclusions"]


def expert_result(
    row: S.CandidateRow,
    q: Query,
    query_disciplines: set[str],
    inferred: bool,
    calibration: Calibration,
    flt: ExpertFilters,
    names: dict[str, str],
    config: RetrievalConfig,
) -> ExpertResult:
    """One candidate scored for ``q``, with its explanation.

    Args:
        row: the candidate's facts and evidence, read for this query.
        q: the planned query.
        query_disciplines: the query's discipline codes; ``inferred``: whether they were
            inferred from the text rather than given.
        calibration: the model's cosine calibration.
        flt: the filters that decide eligibility.
        names: discipline code → name, for every code the explanation shows.
        config: the retrieval settings (recency, flags, how many missed words to show).
    """
    weights, lang = q.weights, q.lang
    sci_disc = set(row.disciplines) | set(row.evidence_disciplines)
    comps = score_candidate(
        row.evidence,
        lexical_query=q.lexical,
        query_disciplines=query_disciplines,
        scientist_disciplines=sci_disc,
        best_grade=row.best_grade,
        calibration=calibration,
        weights=weights,
        half_life=config.fusion.recency_half_life,
        feedback=row.feedback,
        union_terms=row.union_terms,
        evidence_years=row.evidence_years,
        profile_cos=row.profile_cos if q.scores_dense else None,
    )
    score, used = fuse(comps, weights)
    matched_text = text_match(comps.available(), used)
    words = q.words
    hit, miss = matched_words(words, comps.matched_terms)
    org = row.organizations[0] if row.organizations else {}
    facts = {
        "title": row.title,
        "institution": {k: org.get(k) for k in ("id", "name", "kind")} if org else None,
        "district": row.district,
        "societies": [
            {k: s.get(k) for k in ("id", "name", "grade", "role")} for s in row.societies
        ],
        "best_grade": row.best_grade,
        "disciplines": sorted(row.disciplines),
        "discipline_names": [{"code": c, "name": names.get(c, c)} for c in sorted(row.disciplines)],
        "talent_kinds": row.talent_kinds,
        "birth_year": row.birth_year,
        "availability": row.availability,
        "active_teams": row.active_teams,
        "max_active_teams": row.max_active_teams,
        "evidence_count": len(row.evidence_years),
        "feedback": dict(row.feedback),
    }
    excluded = tuple(exclusions(row, flt))
    explanation = Explanation(
        components={k: round(v, 4) for k, v in comps.available().items()},
        weights={k: round(v, 4) for k, v in used.items()},
        evidence=tuple(
            EvidenceExplanation(
                m.id,
                m.kind,
                m.title,
                m.year,
                round(m.score, 4),
                None if m.dense is None else round(m.dense, 4),
                round(m.lexical, 4),
                tuple(matched_words(words, m.matched_terms)[0]),
            )
            for m in comps.evidence
        ),
        matched_terms=tuple(hit),
        unmatched_terms=tuple(miss[: config.unmatched_shown]),
        matched_disciplines=tuple(
            {"code": c, "name": names.get(c, c)} for c in comps.matched_disciplines
        ),
        query_disciplines_inferred=inferred,
        facts=facts,
        exclusions=excluded,
        query_language=lang,
        text_match=round(matched_text, 4),
        low_confidence=comps.lexical < config.low_lexical
        and (comps.dense is None or comps.dense < config.low_dense),
    )
    return ExpertResult(
        scientist_id=row.id,
        name=row.name,
        score=round(score, 6),
        eligible=not excluded,
        explanation=explanation,
        contact={"email": row.email, "phone": row.phone, "orcid": row.orcid},
    )


def exclusions(row: S.CandidateRow, flt: ExpertFilters) -> Iterable[str]:
    """Why the filters leave a candidate out, one reason a filter (none: eligible)."""
    org_ids = {o.get("id") for o in row.organizations}
    org_districts = {o.get("district") for o in row.organizations} | {row.district}
    if row.id in flt.exclude_ids:
        yield Msg("why.request_coi", "excluded by the request (conflict of interest)")
    hit = set(flt.conflict_with) & (org_ids | set(row.conflicts) | {row.id})
    if hit:
        yield Msg(
            "why.coi",
            f"conflict of interest with {', '.join(sorted(hit))}",
            organisations=sorted(hit),
        )
    if flt.districts and not (org_districts & set(flt.districts)):
        yield Msg(
            "why.outside_districts",
            f"works outside the districts {', '.join(flt.districts)}",
            districts=list(flt.districts),
        )
    kinds = {o.get("kind") for o in row.organizations}
    if flt.institution_kinds and not (kinds & set(flt.institution_kinds)):
        yield Msg(
            "why.institution_kind",
            f"institution kind not in {', '.join(flt.institution_kinds)}",
            kinds=list(flt.institution_kinds),
        )
    if flt.institutions and not (org_ids & set(flt.institutions)):
        yield Msg("why.institution_not_listed", "institution not in the requested list")
    if flt.min_grade and S.GRADE_RANK.get(row.best_grade or "", 0) < S.GRADE_RANK[flt.min_grade]:
        yield Msg(
            "why.grade_below",
            f"grade {row.best_grade or 'none'} below {flt.min_grade}",
            grade=row.best_grade,
            min=flt.min_grade,
        )
    if flt.talent_kinds and not (set(row.talent_kinds) & set(flt.talent_kinds)):
        yield Msg(
            "why.talent_kinds",
            f"none of the talent kinds {', '.join(flt.talent_kinds)}",
            kinds=list(flt.talent_kinds),
        )
    if flt.age_min is not None or flt.age_max is not None:
        if row.birth_year is None:
            yield Msg("why.age_unknown", "age unknown")
        else:
            age = _dt.date.today().year - row.birth_year
            if flt.age_min is not None and age < flt.age_min:
                yield Msg(
                    "why.age_below", f"age {age} below {flt.age_min}", age=age, min=flt.age_min
                )
            if flt.age_max is not None and age > flt.age_max:
                yield Msg(
                    "why.age_above", f"age {age} above {flt.age_max}", age=age, max=flt.age_max
                )
    if row.availability not in flt.availability:
        yield Msg(
            "why.availability", f"availability {row.availability}", availability=row.availability
        )
    if flt.respect_load and row.active_teams >= row.max_active_teams:
        yield Msg(
            "why.load",
            f"already on {row.active_teams} active teams (limit {row.max_active_teams})",
            active=row.active_teams,
            limit=row.max_active_teams,
        )
