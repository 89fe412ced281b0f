"""The whole analysis on the NST demo: one Plan that the maps and tables take."""

from __future__ import annotations

import time

import numpy as np
import pytest

import planmap_gis as pm
from planmap_gis import demo


@pytest.fixture(scope="module")
def nst_plan(nst_path):
    data = demo.load(boundaries=nst_path)
    areas = pm.village_areas(data.villages, data.tambons)
    start = time.perf_counter()
    plan = pm.analyse(data.tambons, data.projects, villages=areas, indicators=data.indicators,
                      notes=(data.note_en,))
    return plan, time.perf_counter() - start


def test_plan_holds_aligned_layers(nst_plan):
    plan, _ = nst_plan
    assert len(plan.villages) == 1550 and plan.villages.index.is_unique
    assert plan.metrics["village"].index.equals(plan.villages.index)
    assert plan.metrics["tambon"].index.tolist() == plan.tambons.tambon_code.tolist()
    assert plan.metrics["amphoe"].index.tolist() == plan.amphoes.amphoe_code.tolist()
    assert plan.hotspots.index.equals(plan.villages.index)
    assert plan.priorities.index.equals(plan.villages.index)
    assert {"strength_index", "strength_class", "budget_per_household", "bmn_income"} <= set(plan.villages)


def test_plan_totals_agree(nst_plan):
    plan, _ = nst_plan
    total = plan.projects.budget_thb.sum()
    assert plan.allocation.budget_thb.sum() == pytest.approx(total, abs=0.01)
    for level in ("village", "tambon", "amphoe"):
        assert plan.metrics[level].budget_thb.sum() == pytest.approx(total, abs=0.01)
    layers = plan.metrics["amphoe"][[f"budget_layer_{k}" for k in (1, 2, 3, 4)]].sum().sum()
    assert layers == pytest.approx(total, abs=0.01)
    assert plan.equity.loc["all", "budget_thb"] == pytest.approx(total, abs=0.01)


def test_equity_table_and_summary(nst_plan):
    plan, seconds = nst_plan
    assert plan.equity.index.tolist() == ["all", "layer_1", "layer_2", "layer_3", "layer_4"]
    assert plan.equity[["gini", "theil", "concentration"]].notna().all().all()
    assert np.allclose(plan.equity.theil, plan.equity.theil_between + plan.equity.theil_within)
    assert (plan.equity.concentration_low <= plan.equity.concentration).all()
    assert plan.lorenz.value_share.iloc[-1] == pytest.approx(1)
    text = plan.summary()
    assert text.startswith("Illustrative") and "Gini" in text and "hot spots" in text
    print(f"\nanalyse on NST (1,550 villages, 300 projects): {seconds:.2f} s")


def test_without_villages_each_tambon_stands_in(nst_tambons):
    projects = demo.demo_projects(nst_tambons, demo.demo_villages(nst_tambons), n=40)
    plan = pm.analyse(nst_tambons, projects, permutations=0)
    assert len(plan.villages) == 170 and plan.method == "area"
    assert plan.allocation.project_id.nunique() == 40
    assert plan.reports["allocation"].balanced()
