"""The API's expert results: read from the matcher's dataclasses, the same as a deep copy."""

from __future__ import annotations

from dataclasses import asdict

from api.routes.experts import to_public
from api.schemas import ExpertPublic
from graph_schema.apikeys import ApiKey
from matcher.types import EvidenceExplanation, ExpertResult, Explanation


def _result() -> ExpertResult:
    return ExpertResult(
        scientist_id="S1",
        name="张伟",
        score=0.8123,
        eligible=False,
        explanation=Explanation(
            components={"dense": 0.7, "lexical": 0.5},
            weights={"dense": 0.6, "lexical": 0.4},
            evidence=(
                EvidenceExplanation(
                    "P1", "publication", "电池热管理", 2023, 0.9, 0.8, 0.5, ("电池",)
                ),
                EvidenceExplanation("P2", None, "Traffic", None, 0.4, None, 0.0, ()),
            ),
            matched_terms=("电池",),
            matched_disciplines=({"code": "580", "name": "能源"},),
            query_disciplines_inferred=True,
            facts={"title": "教授", "societies": [{"id": "G1", "grade": "fellow"}], "load": None},
            exclusions=("availability busy",),
            query_language="zh",
        ),
        contact={"email": "zw@example.cn", "phone": None, "orcid": None},
    )


def test_public_result_equals_the_deep_copy_and_hides_contact_without_the_scope() -> None:
    r = _result()
    with_contact = ApiKey("k1", "k", ("read", "contact"), "", False, None)
    plain = ApiKey("k2", "k", ("read",), "", False, None)
    for key, contact in ((with_contact, r.contact), (plain, None)):
        want = ExpertPublic.model_validate(asdict(r) | {"contact": contact})
        assert to_public(r, key).model_dump_json() == want.model_dump_json()
    assert to_public(r, plain).contact is None
    assert to_public(r, with_contact).contact == {
        "email": "zw@example.cn",
        "phone": None,
        "orcid": None,
    }
