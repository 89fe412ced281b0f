"""The whole analysis on the NST demo: one Plan that the maps and tables take."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pandas as pd
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


def _categoricals(name, table):
    """(table, column or index) holding a categorical, walking dicts of tables."""
    if isinstance(table, dict):
        return [hit for key, part in table.items() for hit in _categoricals(f"{name}.{key}", part)]
    if not isinstance(table, pd.DataFrame):
        return []
    levels = getattr(table.index, "levels", [table.index])
    return ([(name, c) for c in table.columns if isinstance(table[c].dtype, pd.CategoricalDtype)]
            + [(name, "index") for lv in levels if isinstance(lv.dtype, pd.CategoricalDtype)])


def test_allocation_keeps_its_texts_as_categoricals_and_no_other_table_does(nst_plan, tmp_path):
    plan, _ = nst_plan
    alloc = plan.allocation
    texts = ["project_id", "village_code", "tambon_code", "amphoe_code", "method", "location_precision"]
    assert _categoricals("allocation", alloc) == [("allocation", c) for c in texts]
    for col in texts[:4]:  # the ids and codes it holds, sorted, each once: as astype("category") gives
        categories = alloc[col].cat.categories
        assert categories.tolist() == sorted(set(alloc[col].astype(str))) and categories.dtype == "str"
    # The same rows as text: each village's tambon and amphoe are its code's prefixes.
    village = alloc.village_code.astype(str)
    assert (village.str[:6] == alloc.tambon_code.astype(str)).all()
    assert (village.str[:4] == alloc.amphoe_code.astype(str)).all()
    assert set(alloc.project_id.astype(str)) <= set(plan.projects.project_id)
    assert set(alloc.method.cat.categories) == {"point", "line", "polygon", "equal", "area", "households",
                                                "population"}
    # Every other table (and its index) holds text: the categoricals stay inside the allocation and
    # the duplication tables' joined lists (of agencies, of projects: each distinct list once).
    leaks = [hit for f in dataclasses.fields(plan) if f.name != "allocation"
             for hit in _categoricals(f.name, getattr(plan, f.name))]
    assert leaks == [(f"duplication.{lv}", c) for lv in ("village", "tambon", "amphoe")
                     for c in ("agencies", "project_ids")]
    for table in plan.duplication.values():
        for col in ("agencies", "project_ids"):
            categories = table[col].cat.categories
            assert categories.tolist() == sorted(set(table[col].astype(str))) and categories.dtype == "str"
    # A workspace read back gives the same dtypes.
    back = pm.open_workspace(pm.save_workspace(plan, tmp_path / "ws.gpkg"))
    pd.testing.assert_frame_equal(back.allocation, alloc)
    for lv, table in plan.duplication.items():
        pd.testing.assert_frame_equal(back.duplication[lv][["agencies", "project_ids"]],
                                      table[["agencies", "project_ids"]])
