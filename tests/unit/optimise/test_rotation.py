from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.errors import InfeasibleError
from matcher.optimise import Quota, randomised_panels, solve_panel
from tests.unit.optimise._helpers import panel_ok
from tests.unit.optimise.test_panel import tiny_panel


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(6, 10),
    q=st.sampled_from([0.5, 0.7, 1.0]),
    mask=st.sampled_from([0, 0b0000100, 0b0001010, 0b0100100]),
)
def test_every_sample_meets_quotas_and_marginals_respect_q(
    seed: int, n: int, q: float, mask: int
) -> None:
    p = tiny_panel(seed, n, 3, mask, p_allowed=1.0)
    try:
        lot = randomised_panels(p, q)
    except InfeasibleError as exc:
        assert exc.reasons
        return
    assert lot.probabilities.sum() == pytest.approx(1.0)
    for panel in lot.panels:
        assert panel_ok(p, panel)
    probs = np.array(list(lot.selection_probability.values()))
    assert probs.max() <= q + 1e-6
    assert probs.sum() == pytest.approx(p.size)
    det = solve_panel(p)
    assert lot.expected_objective <= det.objective + 1e-6
    assert lot.optimum_objective == pytest.approx(det.objective)
    assert 0.0 <= lot.price_of_randomisation + 1e-9
    if q == 1.0:
        assert lot.expected_objective == pytest.approx(det.objective, abs=1e-6)


def test_empirical_frequencies_match_reported_probabilities() -> None:
    p = tiny_panel(7, 10, 4, 0b0001100, p_allowed=1.0)
    lot = randomised_panels(p, 0.5)
    draws = lot.sample_many(4000, seed=123)
    for panel in draws[:50]:
        assert panel_ok(p, panel)
    for cid, prob in lot.selection_probability.items():
        freq = sum(cid in d for d in draws) / len(draws)
        assert freq == pytest.approx(prob, abs=0.035)
    # seeded: the same seed gives the same draws
    assert lot.sample_many(20, seed=1) == lot.sample_many(20, seed=1)
    assert lot.sample(5).members == lot.sample(5).members
    assert lot.sample(5).feasible


def test_caps_too_tight_are_infeasible_with_advice() -> None:
    p = tiny_panel(1, 8, 4, 0, p_allowed=1.0)
    with pytest.raises(InfeasibleError) as info:
        randomised_panels(p, 0.3)  # 8 × 0.3 = 2.4 < 4 seats
    assert "raise q" in info.value.advice
    # quotas that lean on one expert: only E-young can satisfy ≥1 young, so P(young) = 1 > q
    young = np.zeros(8, dtype=bool)
    young[2] = True
    p2 = p.replace(is_young=young, quotas=(Quota("young", "min", "is_young", True, 1),))
    with pytest.raises(InfeasibleError, match="selection probability"):
        randomised_panels(p2, 0.6)
