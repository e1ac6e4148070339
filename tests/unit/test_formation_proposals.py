"""The proposals' shared base: ``feasible``, ``member_ids`` and ``to_dict`` written once."""

from __future__ import annotations

import json
from dataclasses import fields

import numpy as np

from matcher.formation import ConsortiumProposal, PanelMember, PanelProposal, TeamProposal
from matcher.optimise import TeamProblem, TeamWeights
from matcher.types import Check


def _panel(checks: tuple[Check, ...]) -> PanelProposal:
    member = PanelMember(
        "E1", "甲", None, "academic", "fellow", False, ("520",), 0.9, 0.0, None, ()
    )
    return PanelProposal(
        topic_id="T1",
        topic_title="题",
        members=(member,),
        objective=0.9,
        relevance_mean=0.9,
        checks=checks,
        quotas=(),
        diversity={},
        relaxed=(),
        reasons=(),
        excluded=(),
        lottery=None,
        solver="exact",
        seconds=0.0,
    )


def test_feasible_and_violated_follow_the_checks() -> None:
    ok, bad = Check("size", True, "1 of 1"), Check("quota:young", False, "0 young; need 1")
    assert _panel((ok,)).feasible and _panel(()).feasible
    panel = _panel((ok, bad))
    assert not panel.feasible and panel.violated == [bad]
    assert panel.member_ids == ("E1",)


def test_to_dict_is_the_fields_then_feasible() -> None:
    panel = _panel((Check("size", False, "0 of 1"),))
    d = panel.to_dict()
    assert list(d)[-1] == "feasible" and d["feasible"] is False
    assert list(d)[:-1] == [f.name for f in fields(PanelProposal)]
    json.dumps(d, ensure_ascii=False)  # JSON-ready


def test_a_team_leaves_its_encoded_problem_out() -> None:
    problem = TeamProblem(
        candidates=("S1",),
        relevance=np.array([0.5]),
        skills=(),
        coverage=np.zeros((1, 0)),
        comm_cost=np.zeros((1, 1)),
        institution=("I1",),
        senior=np.array([True]),
        k_min=1,
        k_max=1,
        weights=TeamWeights(1.0, 0.0, 0.0),
    )
    team = TeamProposal(
        demand_id="D1",
        demand_title="需求",
        enterprise=None,
        skills=(),
        members=(),
        objective={},
        checks=(Check("team_size", True, "1"),),
        excluded=(),
        ties=(),
        skills_covered={},
        solver="exhaustive",
        optimal=True,
        seconds=0.0,
        problem=problem,
    )
    d = team.to_dict()
    assert "problem" not in d and d["feasible"] is True and team.problem is problem
    assert list(d) == [f.name for f in fields(TeamProposal) if f.name != "problem"] + ["feasible"]
    cons = ConsortiumProposal("主题", (), (), 0.0, 0.0, 0.0, (), "exact", True, 0.0)
    assert cons.member_ids == () and cons.to_dict()["feasible"] is True
