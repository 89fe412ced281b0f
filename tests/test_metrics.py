"""Coverage, gaps, duplication, facilitator load and priorities on the hand-made layout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planmap_gis.join import allocate
from planmap_gis.measure import metrics
from tests import layout
from tests.test_join import projects


@pytest.fixture()
def case():
    villages = layout.villages()
    p = projects(
        {"project_id": "R1", "agency": "กรมทางหลวงชนบท", "sector": "ถนน", "budget_layer": 2,
         "tier": "central", "area_codes": ["990101"], "budget_thb": 400.0, "facilitator": "สมศรี",
         "management_unit": "หน่วย 1"},
        {"project_id": "R2", "agency": "อบต.หนึ่ง", "sector": "ถนน", "budget_layer": 3, "tier": "local",
         "area_codes": ["99010102"], "budget_thb": 300.0, "facilitator": "สมศรี",
         "management_unit": "หน่วย 1"},
        {"project_id": "H1", "agency": "สสจ.", "sector": "สุขภาพ", "budget_layer": 2, "tier": "regional",
         "area_codes": ["99010202"], "budget_thb": 50.0, "facilitator": "มาลี",
         "management_unit": "หน่วย 2"},
        {"project_id": "R3", "agency": "อบต.หนึ่ง", "sector": "ถนน", "budget_layer": 3, "tier": "local",
         "fiscal_year": 2570, "area_codes": ["99010101"], "budget_thb": 100.0, "facilitator": "มาลี",
         "management_unit": "หน่วย 2"},
    )
    return villages, p, allocate(p, villages)


def test_village_coverage_by_hand(case):
    villages, p, a = case
    cov = metrics.coverage(a, p, villages)

    assert cov.index.tolist() == villages.village_code.tolist()
    # R1 (400 THB) by households 100:300 → 100 and 300; R2 300 to 99010102; R3 100 to 99010101.
    assert cov.budget_thb.tolist() == [200.0, 600.0, 0.0, 50.0, 0.0]
    assert cov.n_projects.tolist() == [2, 2, 0, 1, 0]
    assert cov.n_agencies.tolist() == [2, 2, 0, 1, 0]
    assert cov.budget_per_household.tolist()[:2] == [2.0, 2.0]
    assert cov.budget_layer_2.tolist() == [100.0, 300.0, 0.0, 50.0, 0.0]
    assert cov.budget_layer_3.tolist() == [100.0, 300.0, 0.0, 0.0, 0.0]
    assert cov.share_layer_3.iloc[1] == 0.5 and np.isnan(cov.share_layer_3.iloc[2])
    assert cov.budget_tier_local.tolist() == [100.0, 300.0, 0.0, 0.0, 0.0]
    # R1 and R2: two agencies, same sector and year, in 99010102 only (R3 is 2570).
    assert cov.n_duplications.tolist() == [0, 1, 0, 0, 0]


def test_tambon_and_amphoe_coverage_sum_the_villages(case):
    villages, p, a = case
    tambons = layout.tambons()
    village = metrics.coverage(a, p, villages)
    tambon = metrics.coverage(a, p, villages, level="tambon", units=tambons)
    amphoe = metrics.coverage(a, p, villages, level="amphoe", units=tambons)

    assert tambon.index.tolist() == ["990101", "990102"]
    assert tambon.budget_thb.tolist() == [800.0, 50.0]
    assert tambon.households.tolist() == [400.0, 400.0]
    assert amphoe.budget_thb.iloc[0] == village.budget_thb.sum() == a.budget_thb.sum()
    assert tambon.n_duplications.tolist() == [1, 0]


def test_gaps_overall_and_within_a_sector(case):
    villages, p, a = case
    assert metrics.gaps(a, p, villages).gap.tolist() == [False, False, True, False, True]
    health = metrics.gaps(a, p, villages, sector="สุขภาพ")
    assert health.gap.tolist() == [True, True, True, False, True]
    local = metrics.gaps(a, p, villages, level="tambon", units=layout.tambons(), budget_layer=3)
    assert local.gap.tolist() == [False, True]


def test_duplication_lists_agencies_and_projects(case):
    _, p, a = case
    dup = metrics.duplication(a, p, level="village")
    assert len(dup) == 1
    row = dup.iloc[0]
    assert (row.village_code, row.sector, row.fiscal_year, row.n_agencies) == ("99010102", "ถนน", 2569, 2)
    assert row.agencies == "กรมทางหลวงชนบท; อบต.หนึ่ง" and row.project_ids == "R1; R2"
    assert row.budget_thb == 600.0


def test_facilitator_and_management_unit_load(case):
    _, p, a = case
    load = metrics.facilitator_load(p, a)
    assert load["facilitator"].loc["สมศรี", ["n_projects", "n_villages", "budget_thb"]].tolist() == [2, 2, 700.0]
    assert load["facilitator"].loc["มาลี", ["n_projects", "n_villages", "budget_thb"]].tolist() == [2, 2, 150.0]
    assert load["management_unit"].n_projects.tolist() == [2, 2]


def test_priorities_explain_themselves(case):
    villages, p, a = case
    cov = metrics.coverage(a, p, villages)
    strength = pd.DataFrame({"strength_index": [90.0, 50.0, 20.0, 60.0, 85.0]}, index=cov.index)

    ranks = metrics.priorities(cov, strength)

    assert ranks.index.equals(cov.index)
    # Reference: median of [2, 2, 0, 0.5, 0] = 0.5 THB per household.
    assert ranks.attrs["reference_budget_per_household"] == 0.5
    assert ranks.coverage_ratio.tolist() == [4.0, 4.0, 0.0, 1.0, 0.0]
    assert ranks["rank"].tolist() == [5, 4, 1, 2, 3]
    top = ranks.loc["99010201"]
    assert top.score == pytest.approx(0.8) and "strength 20/100" in top.reason_en
    assert "ความเข้มแข็ง 20/100" in top.reason_th


def test_equal_values_share_a_class_whatever_the_float_noise():
    from planmap_gis.draw.classify import classify

    values = pd.Series([0.1 + 0.2, 0.3, 0.3, 0.9, 1.5, 2.0, 0.0, 0.6])  # 0.30000000000000004 and 0.3
    classes = classify(values, "budget_per_household", scheme="user", breaks=[0.3, 1.0, 2.0])  # a break at 0.3
    assert len({int(c) for c in classes.yb[:3]}) == 1


@pytest.mark.parametrize("categorical", [False, True])
def test_distinct_values_per_group_as_pandas_counts_them(categorical):
    rng = np.random.default_rng(4)
    n = 2_000
    groups = pd.Series(pd.array(np.where(rng.random(n) < 0.05, None, rng.choice(list("abcdefg"), n)), dtype="str"))
    values = pd.Series(pd.array(np.where(rng.random(n) < 0.1, None, rng.integers(0, 40, n).astype(str)),
                                dtype="str"))
    rows = rng.random(n) < 0.6
    if categorical:  # a category no row holds is counted 0
        groups = groups.astype(pd.CategoricalDtype([*"abcdefg", "z"]))
        values = values.astype("category")
    for mask in (None, rows):
        got = metrics._distinct(groups, values, rows=mask)
        picked = slice(None) if mask is None else mask
        expected = values[picked].groupby(groups[picked], observed=True).nunique()
        assert got.reindex(expected.index.astype(str)).tolist() == expected.tolist()
        assert set(got.index) - set(expected.index.astype(str)) <= {"z"} and got.get("z", 0) == 0
    # Several columns as one value: numbers given, each ≥ 0 counted.
    codes = np.array([0, 1, 1, 2, 0])
    got = metrics._distinct(pd.Series(["x", "x", "x", "y", "y"]), codes)
    assert got.to_dict() == {"x": 2, "y": 2}
