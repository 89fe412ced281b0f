"""Need against response: fair shares of each budget layer, gaps, roll-ups, the bivariate classes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis._schema import PROJECT_COLUMNS
from planmap_gis.measure.need import BIVARIATE, LEFT_OUT_LISTED, bivariate_classes, fair_shares, village_need


@pytest.fixture(scope="module")
def layout(fictional):
    """Four villages in two tambon, split in halves, with a need and households known by hand.

    Village   households  poor households (need)
    A (T1)    100         10
    B (T1)    200         30
    C (T2)    100          0
    D (T2)    100         60      Σ need = 100
    """
    tambons = fictional[fictional.amphoe_code == fictional.amphoe_code.iloc[0]].iloc[:2].reset_index(drop=True)
    rows = []
    for t, (code, geom) in enumerate(zip(tambons.tambon_code, tambons.geometry, strict=True)):
        x0, y0, x1, y1 = geom.bounds
        mid = (x0 + x1) / 2
        for moo, part in enumerate((shapely.box(x0, y0, mid, y1), shapely.box(mid, y0, x1, y1)), start=1):
            rows.append({"village_code": f"{code}{moo:02d}", "tambon_code": code, "village_th": "ABCD"[2 * t + moo - 1],
                         "geometry": geom.intersection(part)})
    villages = gpd.GeoDataFrame(rows, crs=4326)
    villages["households"] = [100, 200, 100, 100]
    villages["population"] = villages["households"] * 3
    villages["poor_households"] = [10, 30, 0, 60]

    def project(pid, village, layer, baht):
        spot = villages.geometry[villages.village_th == village].iloc[0].representative_point()
        return {"project_id": pid, "agency": f"agency {layer}", "tier": "central", "budget_layer": layer,
                "sector": "เศรษฐกิจ", "fiscal_year": 2569, "budget_thb": baht, "geometry": spot}

    projects = gpd.GeoDataFrame([project("P1", "A", 1, 1_000_000.0), project("P2", "B", 2, 400_000.0),
                                 project("P3", "D", 2, 600_000.0)], crs=4326)
    projects = projects.reindex(columns=list(PROJECT_COLUMNS)).set_geometry("geometry")
    projects["area_codes"] = [[] for _ in range(len(projects))]
    return tambons, villages, projects


def test_fair_shares_and_gaps_match_the_hand_computation(layout):
    tambons, villages, projects = layout
    plan = pm.analyse(tambons, projects, villages=villages, need="poor_households", permutations=0)
    v = plan.metrics["village"].loc[villages.village_code]
    # Layer 1: 1,000,000 THB shared 10:30:0:60; layer 2 the same for its 1,000,000 THB.
    assert v["fair_layer_1"].tolist() == pytest.approx([100_000, 300_000, 0, 600_000], abs=1e-6)
    assert v["gap_layer_1"].tolist() == pytest.approx([900_000, -300_000, 0, -600_000], abs=1e-6)
    assert v["fair_layer_2"].tolist() == pytest.approx([100_000, 300_000, 0, 600_000], abs=1e-6)
    assert v["gap_layer_2"].tolist() == pytest.approx([-100_000, 100_000, 0, 0], abs=1e-6)
    assert v["fair_share_gap"].tolist() == pytest.approx([800_000, -200_000, 0, -600_000], abs=1e-6)
    assert v["fair_share_gap_per_household"].tolist() == pytest.approx([8_000, -1_000, 0, -6_000], abs=1e-9)
    t = plan.metrics["tambon"].loc[tambons.tambon_code]
    assert t["fair_share_gap"].tolist() == pytest.approx([600_000, -600_000], abs=1e-6)
    assert t["fair_share_gap_per_household"].tolist() == pytest.approx([2_000, -3_000], abs=1e-9)
    # The most under-served first: D (600,000 short), then B.
    worst = plan.underserved
    assert worst.village_th.tolist() == ["D", "B"]
    assert worst[["need", "budget_thb", "fair_thb"]].iloc[0].tolist() == pytest.approx([60, 600_000, 1_200_000])


def test_default_need_is_households_times_weakness():
    villages = pd.DataFrame({"households": [100, 250, 80, np.nan], "strength_index": [40.0, 100.0, np.nan, 50.0]},
                            index=["a", "b", "c", "d"])
    need = village_need(villages)
    assert need.tolist()[:2] == [60.0, 0.0] and need.iloc[2:].isna().all()
    with pytest.raises(pm.SchemaError, match="negative need"):
        village_need(villages.assign(bad=[-1, 0, 0, 0]), "bad")
    with pytest.raises(pm.SchemaError, match="not among the village columns"):
        village_need(villages, "bmn_fail")


@pytest.fixture(scope="module")
def demo_plan():
    data = demo.load()
    areas = pm.village_areas(data.villages, data.tambons)
    return pm.analyse(data.tambons, data.projects, villages=areas, indicators=data.indicators, permutations=99)


def test_on_the_demo_each_layer_s_fair_shares_sum_to_its_budget(demo_plan):
    v = demo_plan.metrics["village"]
    assert v["need"].notna().all()
    for k in (1, 2, 3, 4):
        assert v[f"fair_layer_{k}"].sum() == pytest.approx(v[f"budget_layer_{k}"].sum(), abs=0.01)
        assert abs(v[f"gap_layer_{k}"].sum()) <= 0.01
    for level in ("tambon", "amphoe"):  # the roll-ups keep every baht
        assert demo_plan.metrics[level]["fair_thb"].sum() == pytest.approx(v["fair_thb"].sum(), abs=0.01)
    assert (demo_plan.underserved.fair_share_gap < 0).all() and len(demo_plan.underserved) == 20
    assert demo_plan.underserved.fair_share_gap.is_monotonic_increasing


def test_bivariate_classes_are_terciles_of_both_and_every_corner_says_what_it_means(demo_plan):
    v = demo_plan.metrics["village"]
    assert set(v["need_budget"]) == set(BIVARIATE)
    import mapclassify
    # On the values as printed: need to 0.1 % of households, budget to the baht
    need_t = mapclassify.Quantiles(v["need_per_household"].round(3).to_numpy(), k=3).yb + 1
    budget_t = mapclassify.Quantiles(v["budget_per_household"].round(0).to_numpy(), k=3).yb + 1
    assert v["need_budget"].tolist() == [f"n{a}b{b}" for a, b in zip(need_t, budget_t, strict=True)]
    assert BIVARIATE["n3b1"][2] == "high need, little budget (under-served)"
    assert "ความจำเป็นสูง งบน้อย" in BIVARIATE["n3b1"][1]
    assert bivariate_classes(pd.Series([1.0, np.nan]), pd.Series([1.0, 2.0])).isna().all()


def test_the_bivariate_key_prints_each_tercile_s_range_with_its_unit(demo_plan):
    """Issue 27.7: the breaks stood nowhere; now the plan holds each tercile's range, classes are on the
    printed values (0.1 % of households, whole baht) and the ranges the key prints never overlap."""
    v = demo_plan.metrics["village"]
    breaks = demo_plan.bivariate["village"]
    for axis, column, at, digits in (("need", "need_per_household", 1, 3), ("budget", "budget_per_household", 3, 0)):
        ranges = breaks.loc[axis]
        assert list(ranges.index) == [1, 2, 3] and ranges["n"].sum() == v["need_budget"].notna().sum()
        assert (ranges["high"].to_numpy()[:-1] < ranges["low"].to_numpy()[1:]).all()  # no overlap
        tercile = v["need_budget"].str[at].astype(int)
        printed = v[column].round(digits)
        for t, row in ranges.iterrows():  # every village lies in its tercile's printed range
            assert printed[tercile == t].between(row["low"], row["high"]).all()
    from planmap_gis.draw.mapdata import bivariate_key
    (need_th, need_en), (budget_th, budget_en) = bivariate_key(demo_plan, "village")
    low = breaks.loc[("budget", 1)]
    assert f"{low['low']:,.0f}–{low['high']:,.0f}" in budget_en and "THB per household" in budget_en
    assert "บาท/ครัวเรือน" in budget_th and "% ของครัวเรือน" in need_th and "% of households" in need_en
    high = breaks.loc[("need", 3)]
    assert f"high {high['low'] * 100:.1f}–{high['high'] * 100:.1f}" in need_en


def test_equal_values_share_a_bivariate_class_despite_float_noise():
    # Unrounded, the tercile break falls at 0.3 and puts 0.1 + 0.2 (0.30000000000000004) above it.
    need = pd.Series([0.1, 0.2, 0.3, 0.3, 0.1 + 0.2, 0.1 + 0.2, 0.7, 0.8, 0.9])
    budget = pd.Series(np.arange(9, dtype=float))
    classes = bivariate_classes(need, budget)
    assert classes.str[1].iloc[2:6].nunique() == 1


def test_fair_share_gap_is_a_metric_for_atlas_and_web_map(demo_plan):
    from planmap_gis.draw.mapdata import metric_layer
    layer = metric_layer(demo_plan, "fair_share_gap", "tambon")
    assert layer["value"].sum() == pytest.approx(0, abs=0.01)
    classes = pm.classify(layer["value"], "fair_share_gap")
    # Diverging around 0: no class straddles 0, shortfalls and surpluses take opposite colours.
    signs = pd.Series(np.sign(layer["value"].to_numpy())).groupby(classes.yb).nunique()
    assert (signs == 1).all() and len(signs) >= 4
    first, last = classes.yb[layer["value"].argmin()], classes.yb[layer["value"].argmax()]
    assert classes.colors[first].startswith("#") and classes.colors[first] != classes.colors[last]
    assert metric_layer(demo_plan, "need_budget", "village")["value"].notna().all()


def test_a_workspace_remembers_its_need_and_year_analysis_reuses_it(layout, tmp_path):
    """`planmap atlas --year` on a workspace made with `--need X` analyses with need X, not the default."""
    tambons, villages, projects = layout
    two_years = pd.concat([projects, projects.assign(project_id=projects.project_id + "b", fiscal_year=2568)])
    two_years = gpd.GeoDataFrame(two_years, geometry="geometry", crs=4326)
    plan = pm.analyse(tambons, two_years, villages=villages, need="poor_households", permutations=0, seed=7)
    assert plan.options["need"] == "poor_households" and plan.options["seed"] == 7
    pm.save_workspace(plan, tmp_path / "ws.gpkg")
    back = pm.open_workspace(tmp_path / "ws.gpkg")
    assert back.options["need"] == "poor_households" and back.options["permutations"] == 0
    again = pm.reanalyse(back, years=2569)
    need = again.metrics["village"].loc[villages.village_code, "need"]
    assert need.tolist() == [10, 30, 0, 60]  # the workspace's need column, not households × weakness
    assert again.options["need"] == "poor_households" and again.options["years"] == [2569]
    assert again.options["seed"] == 7 and again.options["permutations"] == 0
    v = again.metrics["village"].loc[villages.village_code]
    assert v["fair_layer_1"].tolist() == pytest.approx([100_000, 300_000, 0, 600_000], abs=1e-6)


def test_a_need_given_as_values_is_reused_from_the_plan(layout):
    tambons, villages, projects = layout
    values = pd.Series([1.0, 1.0, 1.0, 7.0], index=villages.village_code.to_numpy())
    plan = pm.analyse(tambons, projects, villages=villages, need=values, permutations=0)
    assert plan.options["need"] == "custom"
    again = pm.reanalyse(plan, years=2569)
    assert again.metrics["village"].loc[villages.village_code, "need"].tolist() == [1, 1, 1, 7]


def test_households_come_from_one_source_and_disagreements_are_said(layout):
    """0 households in the register beside 149 in the indicator sheet: the register's count is used
    for need and per-household figures alike (it gave a need of 33.9 and a fair share with no gap)."""
    tambons, villages, projects = layout
    villages = villages.assign(households=[0, 200, 100, 100])
    indicators = pd.DataFrame({"households": [149, 200, 100, 100], "bmn_income": [80.0, 90, 70, 60]},
                              index=villages.village_code.to_numpy())
    plan = pm.analyse(tambons, projects, villages=villages, indicators=indicators, permutations=0)
    v = plan.metrics["village"].loc[villages.village_code]
    assert v["need"].iloc[0] == 0 and not (v["fair_thb"].iloc[0] > 0)
    said = plan.reports["households"].problems
    assert said.query("severity == 'warning'").value.tolist() == [villages.village_code.iloc[0]]
    assert said.message_en.str.contains("0 households in the register, 149 in the indicator sheet").any()


@pytest.mark.parametrize("missing", [2, 170, 200])
def test_villages_without_need_are_said_one_by_one_when_few_and_counted_when_many(missing):
    codes = [f"8001{i:04d}" for i in range(200)]
    budgets = pd.DataFrame({f"budget_layer_{k}": 1000.0 for k in (1, 2, 3, 4)}, index=pd.Index(codes))
    need = pd.Series([np.nan] * missing + [5.0] * (200 - missing), index=codes)
    report = pm.ImportReport(source="need")
    out = fair_shares(budgets, need, pd.Series(10.0, index=codes), report)
    assert out["fair_thb"].isna().sum() == missing and out["fair_thb"].sum() == pytest.approx(4 * 1000.0 * (200 - missing))
    said = report.problems
    notes = said[said.severity == "info"]
    if missing <= LEFT_OUT_LISTED:
        assert notes["value"].tolist() == codes[:missing]
        assert notes["message_en"].str.startswith(tuple(f"village {c}: no need on record" for c in codes)).all()
    else:  # a workshop's stand-in villages: one line, with the count and the first and last codes
        assert len(notes) == 1 and notes["message_en"].iloc[0].startswith(f"{missing} villages: no need on record")
        assert notes["message_th"].iloc[0].startswith(f"{missing} หมู่บ้าน")
        assert notes["value"].iloc[0] == ", ".join(codes[:LEFT_OUT_LISTED]) + f" … {codes[missing - 1]}"
    # No need anywhere is said as that, not as needs of 0.
    warned = said.loc[said.severity == "warning", "message_en"].tolist()
    assert warned == (["no village has need on record: no fair shares"] if missing == 200 else [])
