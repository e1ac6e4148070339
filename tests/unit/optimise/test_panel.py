from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.errors import InfeasibleError, InvalidProblemError
from matcher.optimise import (
    GRADES,
    SECTORS,
    PanelProblem,
    Quota,
    default_panel_quotas,
    diagnose_panel,
    panel_diversity,
    solve_panel,
)
from tests.unit.optimise._helpers import panel_brute_force, panel_ok, quota_holds

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

QUOTA_POOL = (
    Quota("senior", "min", "grade", ("fellow", "senior_member"), 2),
    Quota("young", "min", "is_young", True, 1),
    Quota("enterprise", "min", "sector", "enterprise", 1),
    Quota("academic", "min", "sector", "academic", 1),
    Quota("disciplines", "min_distinct", "discipline", None, 3),
    Quota("per_institution", "max_per_value", "institution", None, 1),
    Quota("few_students", "max", "grade", "student_member", 0),
)


def tiny_panel(
    seed: int, n: int, size: int, quota_mask: int, p_allowed: float = 0.85
) -> PanelProblem:
    rng = np.random.default_rng(seed)
    ids = tuple(f"E{i}" for i in range(n))
    allowed = rng.random(n) < p_allowed
    return PanelProblem(
        candidates=ids,
        relevance=rng.random(n),
        grade=tuple(GRADES[int(g)] for g in rng.integers(0, 4, n)),
        is_young=rng.random(n) < 0.3,
        sector=tuple(SECTORS[int(g)] for g in rng.integers(0, 3, n)),
        disciplines=tuple(
            tuple(
                str(d)
                for d in rng.choice(
                    ["d1", "d2", "d3", "d4"], size=int(rng.integers(1, 3)), replace=False
                )
            )
            for _ in range(n)
        ),
        institution=tuple(f"u{int(v)}" for v in rng.integers(0, 4, n)),
        size=size,
        quotas=tuple(q for b, q in enumerate(QUOTA_POOL) if quota_mask >> b & 1),
        embeddings=rng.normal(size=(n, 4)),
        allowed=allowed,
        excluded_reasons={ids[i]: "COI" for i in range(n) if not allowed[i]},
    )


tiny = st.builds(
    tiny_panel,
    seed=st.integers(0, 2**31),
    n=st.integers(4, 10),
    size=st.integers(2, 4),
    quota_mask=st.integers(0, 2 ** len(QUOTA_POOL) - 1),
)


@SETTINGS
@given(p=tiny)
def test_panel_is_optimal_and_meets_every_quota_or_is_truly_infeasible(p: PanelProblem) -> None:
    best = panel_brute_force(p)
    if best is None:
        with pytest.raises(InfeasibleError) as info:
            solve_panel(p)
        assert info.value.reasons and info.value.advice
        reasons, names, _ = diagnose_panel(p)
        assert reasons
        for nm in names:  # named quotas exist and the text mentions each one
            assert any(nm in r for r in reasons)
        return
    sol = solve_panel(p)
    assert panel_ok(p, sol.members)
    assert sol.feasible and sol.optimal
    assert sol.objective == pytest.approx(best, abs=1e-6)


@SETTINGS
@given(p=tiny)
def test_relaxation_keeps_every_unrelaxed_quota(p: PanelProblem) -> None:
    try:
        sol = solve_panel(p, on_infeasible="relax")
    except InfeasibleError:
        assert panel_brute_force(p.replace(quotas=())) is None  # only the pool/size can be at fault
        return
    assert panel_ok(p, sol.members, skip=sol.relaxed)
    if sol.relaxed:
        assert sol.reasons
        assert panel_brute_force(p) is None
        # minimal: putting any one relaxed quota back makes it infeasible again
        kept = tuple(q for q in p.quotas if q.name not in sol.relaxed)
        for nm in sol.relaxed:
            back = kept + tuple(q for q in p.quotas if q.name == nm)
            if len(sol.relaxed) == 1:
                assert panel_brute_force(p.replace(quotas=back)) is None


def _pool() -> PanelProblem:
    n = 8
    return PanelProblem(
        candidates=tuple(f"E{i}" for i in range(n)),
        relevance=np.linspace(0.9, 0.2, n),
        grade=(
            "fellow",
            "member",
            "member",
            "senior_member",
            "member",
            "student_member",
            "member",
            "member",
        ),
        is_young=[False, True, False, False, False, True, False, False],
        sector=(
            "academic",
            "enterprise",
            "enterprise",
            "research",
            "academic",
            "academic",
            "enterprise",
            "research",
        ),
        disciplines=(
            ("材料",),
            ("机械",),
            ("材料", "化工"),
            ("信息",),
            ("材料",),
            ("生物",),
            ("机械",),
            ("环境",),
        ),
        institution=("重大", "长安", "长安", "中科院", "重大", "西大", "长安", "中科院"),
        size=4,
        quotas=default_panel_quotas(min_senior=2, min_disciplines=3, max_per_institution=2),
        allowed=[True, True, True, False, True, True, True, True],
        excluded_reasons={"E3": "declared conflict"},
    )


def test_quota_that_fails_alone_is_named_with_the_excluded_candidates() -> None:
    p = _pool()
    with pytest.raises(InfeasibleError) as info:
        solve_panel(p)
    text = " | ".join(info.value.reasons)
    assert "quota 'senior'" in text and "only 1 allowed candidate match" in text
    assert "E3 declared conflict" in text
    assert "senior" in info.value.advice


def test_quotas_that_conflict_together_are_named_and_relaxed() -> None:
    p = _pool().replace(
        quotas=(
            Quota("enterprise3", "min", "sector", "enterprise", 3, priority=1),
            Quota("academic2", "min", "sector", "academic", 2, priority=2),
            Quota("young", "min", "is_young", True, 1, priority=5),
        )
    )
    with pytest.raises(InfeasibleError) as info:
        solve_panel(p)
    assert "'enterprise3'" in info.value.reasons[0] and "'academic2'" in info.value.reasons[0]
    assert "'young'" not in info.value.reasons[0]
    sol = solve_panel(p, on_infeasible="relax")
    assert sol.relaxed == ("enterprise3",)  # lowest priority in the conflict
    checks = {c.name: c.holds for c in sol.checks}
    assert checks["quota:academic2"] and checks["quota:young"]
    assert not checks["quota:enterprise3"]
    # lowered to what the pool allows beside academic2 in a panel of 4, not dropped
    (lowered,) = sol.relaxations
    assert (lowered.quota, lowered.from_count, lowered.to_count, lowered.by) == (
        "enterprise3",
        3,
        2,
        1,
    )
    sectors = [p.sector[p.candidates.index(m)] for m in sol.members]
    assert sectors.count("enterprise") == 2


def test_relaxing_a_quota_keeps_as_much_of_it_as_the_pool_allows() -> None:
    # 2 young candidates are allowed; "≥ 3 young" is lowered to 2, not dropped (which would
    # let the solver seat fewer young members for relevance)
    p = _pool().replace(
        quotas=(Quota("young", "min", "is_young", True, 3),),
        relevance=np.array([0.9, 0.1, 0.8, 0.7, 0.85, 0.05, 0.75, 0.6]),
    )
    sol = solve_panel(p, on_infeasible="relax")
    assert [(r.quota, r.from_count, r.to_count) for r in sol.relaxations] == [("young", 3, 2)]
    young = [m for m in sol.members if p.is_young[p.candidates.index(m)]]
    assert sorted(young) == ["E1", "E5"]
    assert sol.relaxed == ("young",)


def test_exposure_cap_excludes_with_reason_and_penalty_shifts_choice() -> None:
    p = _pool().replace(quotas=(), size=2)
    assert set(solve_panel(p).members) == {"E0", "E1"}
    capped = p.replace(prior_share=[0.6, 0, 0, 0, 0, 0, 0, 0], max_prior_share=0.5)
    assert "E0" not in solve_panel(capped).members
    assert "60%" in capped.reason(0)
    penalised = p.replace(prior_share=[1.0, 0, 0, 0, 0, 0, 0, 0], exposure_penalty=0.8)
    assert "E0" not in solve_panel(penalised).members


def test_diversity_measures() -> None:
    p = _pool().replace(
        embeddings=np.array([[1, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 1]])
    )
    d = panel_diversity(p, ["E0", "E1", "E2", "E4"])
    # pairs: (0,1)=1,(0,2)=0,(0,4)=0,(1,2)=1,(1,4)=1,(2,4)=0 → mean 0.5
    assert d.mean_cosine_distance == pytest.approx(0.5)
    assert d.n_disciplines == 3 and d.n_institutions == 2
    assert d.institution_entropy == pytest.approx(math.log(2) / math.log(4))
    assert d.institution_gini == pytest.approx(0.0)
    assert d.sectors == {"academic": 2, "enterprise": 2} and d.n_young == 1


def test_quota_validation() -> None:
    with pytest.raises(InvalidProblemError):
        Quota("x", "min", "grade", None, 1)
    with pytest.raises(InvalidProblemError):
        Quota("x", "between", "grade", "fellow", 1)  # type: ignore[arg-type]
    q = Quota("senior", "min", "grade", ("fellow", "senior_member"), 2)
    assert quota_holds(_pool(), q, ["E0", "E3"])
