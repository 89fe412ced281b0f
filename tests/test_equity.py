"""Equity measures against reference computations written differently."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from inequality.theil import TheilD

from planmap_gis import PlanmapError
from planmap_gis.measure import equity as equity_module
from planmap_gis.measure.equity import concentration_index, concentration_indices, gini, lorenz, theil


def reference_gini(y):
    """Mean absolute difference over all ordered pairs / (2 × mean)."""
    pairs = [abs(a - b) for a, b in itertools.product(y, y)]
    return sum(pairs) / (2 * len(y) ** 2 * np.mean(y))


def test_gini_known_values():
    assert gini([5, 5, 5, 5]) == 0
    assert gini([0, 0, 0, 1]) == pytest.approx(0.75)
    rng = np.random.default_rng(1)
    y = rng.lognormal(0, 1, 200)
    assert gini(y) == pytest.approx(reference_gini(y), rel=1e-12)
    assert np.isnan(gini([0, 0, 0]))


def test_lorenz_curve():
    curve = lorenz([0, 0, 0, 1])
    assert curve.population_share.tolist() == [0, 0.25, 0.5, 0.75, 1]
    assert curve.value_share.tolist() == [0, 0, 0, 0, 1]


def test_theil_split_by_hand():
    """Groups that are internally equal: all inequality is between groups."""
    t = theil([1, 1, 3, 3], ["a", "a", "b", "b"])
    expected = 0.25 * np.log(0.5) + 0.75 * np.log(1.5)  # s_g ln(s_g / (n_g/n))
    assert t["T"] == pytest.approx(expected)
    assert t["between"] == pytest.approx(expected) and t["within"] == pytest.approx(0, abs=1e-15)
    assert t["between_share"] == pytest.approx(1)


def test_theil_matches_the_inequality_package_with_zeros_and_many_groups():
    rng = np.random.default_rng(7)
    y = rng.lognormal(0, 1.2, 1550) * (rng.random(1550) > 0.1)   # 10 % zeros
    groups = rng.integers(0, 23, 1550).astype(str)
    ours = theil(y, groups)
    ref = TheilD(y, groups)
    assert ours["T"] == pytest.approx(float(ref.T), rel=1e-12)
    assert ours["between"] == pytest.approx(float(ref.bg[0]), rel=1e-10)
    assert ours["within"] == pytest.approx(float(ref.wg[0]), rel=1e-10)


def reference_concentration(y, strength):
    """Kakwani's sum form: C = 2 / (n μ) Σ y_i R_i − 1, R the fractional rank, weakest first."""
    frame = pd.DataFrame({"y": y, "s": strength}).sort_values("s", kind="stable")
    n = len(frame)
    rank = (np.arange(1, n + 1) - 0.5) / n
    return 2 / (n * frame.y.mean()) * np.sum(frame.y.to_numpy() * rank) - 1


def test_concentration_index_sign_value_and_interval():
    strength = np.array([10, 20, 30, 40, 50, 60, 70, 80])
    to_the_weak = np.array([8, 7, 6, 5, 4, 3, 2, 1.0])
    result = concentration_index(to_the_weak, strength, n_boot=499)
    assert result["C"] < 0
    assert result["C"] == pytest.approx(reference_concentration(to_the_weak, strength), rel=1e-12)
    # Eight villages are too few for an interval (fewer than 30 with a non-zero value): said, not drawn.
    assert np.isnan(result["low"]) and "8 villages have a non-zero value" in result["note"]
    strength, to_the_weak = np.repeat(strength, 4), np.repeat(to_the_weak, 4)
    result = concentration_index(to_the_weak, strength, n_boot=499)
    assert result["note"] == "" and result["low"] <= result["C"] <= result["high"] < 0.05
    to_the_strong = concentration_index(to_the_weak[::-1], strength, n_boot=0)
    assert to_the_strong["C"] == pytest.approx(-result["C"])
    rng = np.random.default_rng(3)
    y, s = rng.lognormal(size=300), rng.normal(size=300)
    assert concentration_index(y, s, n_boot=0)["C"] == pytest.approx(reference_concentration(y, s), rel=1e-10)


def test_bad_input_is_refused():
    with pytest.raises(PlanmapError, match="≥ 0"):
        gini([1, -1])
    with pytest.raises(PlanmapError, match="NaN"):
        theil([1, np.nan], ["a", "b"])
    with pytest.raises(PlanmapError, match="one strength value"):
        concentration_index([1, 2], [1.0])


def test_villages_of_equal_strength_share_their_mean_rank():
    from scipy.stats import rankdata

    y, strength = np.array([5, 1, 3, 3, 2, 8.0]), np.array([1, 1, 2, 2, 2, 3.0])
    rank = (rankdata(strength) - 0.5) / len(y)
    expected = 2 * np.mean((y - y.mean()) * (rank - rank.mean())) / y.mean()
    assert concentration_index(y, strength, n_boot=0)["C"] == pytest.approx(expected, rel=1e-12)


def test_several_series_share_their_resamples_and_give_each_series_its_own_index():
    # A plan's whole budget and each layer: one set of resamples, each series' result what it gets alone.
    rng = np.random.default_rng(8)
    strength = rng.integers(0, 12, 400).astype(float)  # ties: villages share their strength level
    whole = rng.gamma(0.8, 1000.0, 400)
    layer = np.where(rng.random(400) < 0.5, whole, 0.0)
    sparse = np.zeros(400)
    sparse[:5] = 100.0  # too few villages with a value for an interval
    together = concentration_indices([whole, layer, sparse], strength, n_boot=199, seed=4)
    for values, got in zip([whole, layer, sparse], together, strict=True):
        assert pd.Series(got).equals(pd.Series(concentration_index(values, strength, n_boot=199, seed=4)))
    assert together[0]["low"] < together[0]["C"] < together[0]["high"]
    assert np.isnan(together[2]["low"]) and "no interval" in together[2]["note"]
    with pytest.raises(PlanmapError):
        concentration_indices([whole, whole[:10]], strength)


@pytest.mark.parametrize("at_a_time", [400, 1_200, 7_777])
def test_resamples_ranked_a_few_at_a_time_give_the_same_interval(monkeypatch, at_a_time):
    """The bootstrap ranks a bounded number of values at a time (memory): the figures are the same."""
    rng = np.random.default_rng(3)
    strength, values = rng.integers(0, 30, 400).astype(float), rng.gamma(0.8, 1000.0, 400)
    whole = concentration_index(values, strength, n_boot=199, seed=5)
    monkeypatch.setattr(equity_module, "_CI_VALUES", at_a_time)  # one, three, nineteen resamples
    assert pd.Series(concentration_index(values, strength, n_boot=199, seed=5)).equals(pd.Series(whole))
