"""Two fiscal years compared, trends over three, the spatial Gini, loads and islands."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse
import shapely
from inequality.gini import Gini, Gini_Spatial
from inequality.theil import Theil
from libpysal.weights import W, lat2W

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis.measure.change import gini_rows, theil_rows, yearly_trend
from planmap_gis.measure.equity import spatial_gini
from planmap_gis.measure.hotspots import neighbour_matrix
from planmap_gis.measure import metrics
from planmap_gis.measure.yearly import yearly_units


@pytest.fixture(scope="module")
def data():
    data = demo.load()
    return data, pm.village_areas(data.villages, data.tambons)


@pytest.fixture(scope="module")
def compared(data):
    data, areas = data
    return pm.analyse(data.tambons, data.projects, villages=areas, indicators=data.indicators,
                      permutations=99, compare_years=(2568, 2569))


def test_the_change_table_totals_are_the_difference_of_the_two_years(data, compared):
    data, areas = data
    years = {y: pm.analyse(data.tambons, data.projects, villages=areas, indicators=data.indicators,
                           permutations=0, years=y) for y in (2568, 2569)}
    change = compared.change
    assert compared.years == (2569,) and change.years == ((2568,), (2569,))
    assert compared.years_label() == "ปีงบประมาณ 2569 เทียบกับ 2568"
    totals = {y: p.allocation.budget_thb.sum() for y, p in years.items()}
    for level in ("village", "tambon", "amphoe"):
        units = change.units[level]
        assert units["budget_change"].sum() == pytest.approx(totals[2569] - totals[2568], abs=0.01)
        assert units["budget_thb_2568"].sum() == pytest.approx(totals[2568], abs=0.01)
        layers = sum(units[f"budget_layer_{k}_change"] for k in (1, 2, 3, 4))
        np.testing.assert_allclose(layers, units["budget_change"], atol=1e-6)
    t = change.units["tambon"]
    expected = years[2569].metrics["tambon"]["n_projects"] - years[2568].metrics["tambon"]["n_projects"]
    pd.testing.assert_series_equal(t["n_projects_change"], expected, check_names=False)

    # Coverage change under the one targeted rule: it agrees with each year's "no project" count.
    for level in ("village", "tambon", "amphoe"):
        change_of = change.units[level]["coverage_change"]
        empty = {y: years[y].metrics[level]["n_targeted_projects"].eq(0) for y in years}
        assert (change_of.isin(["none", "gained"])).sum() == empty[2568].sum()
        assert (change_of.isin(["none", "lost"])).sum() == empty[2569].sum()
        assert (change_of == "gained").sum() == (empty[2568] & ~empty[2569]).sum()
    village = change.units["village"]["coverage_change"]
    assert (village == "gained").sum() > 0 and (village == "lost").sum() > 0  # demo: 661 gained, 294 lost
    assert f"villages gained a targeted project {(village == 'gained').sum()}" in compared.summary()


def test_coverage_gained_and_lost_and_hot_spots_that_moved(data):
    data, areas = data
    projects = data.projects
    # Year A: only the first 40 projects; year B: the rest; so some villages change coverage.
    a = projects.iloc[:40].assign(fiscal_year=2568)
    b = projects.iloc[40:].assign(fiscal_year=2569)
    a = a[a.area_codes.map(lambda c: not c or all(len(x) > 4 for x in c))]  # no blanket programmes
    b = b[b.area_codes.map(lambda c: not c or all(len(x) > 4 for x in c))]
    plan = pm.analyse(data.tambons, pd.concat([a, b], ignore_index=True), villages=areas, permutations=99,
                      compare_years="2568 2569")
    units = plan.change.units["village"]
    before, after = units["n_projects_2568"] > 0, units["n_projects_2569"] > 0
    assert (units["coverage_change"] == "gained").sum() == (~before & after).sum() > 0
    assert (units["coverage_change"] == "lost").sum() == (before & ~after).sum() > 0
    spots = plan.change.hotspots
    what = spots["hotspot_change"].str.split().str[-1]
    gone = what == "disappeared"
    assert gone.sum() > 0 and spots.loc[gone, "hotspot_2568"].isin(["hot", "cold"]).all()
    assert (spots.loc[gone, "hotspot_2569"] != spots.loc[gone, "hotspot_2568"]).all()
    kept = what == "persisted"
    assert (spots.loc[kept, "hotspot_2569"] == spots.loc[kept, "hotspot_2568"]).all()
    new = what == "appeared"
    assert spots.loc[new, "hotspot_2569"].isin(["hot", "cold"]).all()


def test_equity_changes_and_their_paired_bootstrap_match_inequality(compared):
    table = compared.change.equity.set_index(["budget", "figure"])
    row = table.loc[("all", "gini")]
    assert row["value_2569"] == pytest.approx(compared.equity.loc["all", "gini"], abs=1e-12)
    assert row["change"] == pytest.approx(row["value_2569"] - row["value_2568"])
    assert row["change_low"] <= row["change"] <= row["change_high"]
    assert table.loc[("all", "concentration"), "value_2569"] == pytest.approx(
        compared.equity.loc["all", "concentration"], abs=1e-12)
    # The vectorised figures of the resamples are inequality's Gini and Theil.
    y = np.random.default_rng(3).lognormal(size=(5, 200)) * (np.random.default_rng(4).random((5, 200)) > .3)
    assert gini_rows(y) == pytest.approx([Gini(r).g for r in y], abs=1e-12)
    assert theil_rows(y[:, :]) == pytest.approx([Theil(r + np.finfo(float).tiny * (r == 0)).T for r in y],
                                                abs=1e-9)


def test_equity_changes_carry_their_interval_or_say_why_not(data, compared):
    lines = compared.summary()
    row = compared.change.equity.set_index(["budget", "figure"]).loc[("all", "gini")]
    assert f"Gini change {row['change']:+.3f} [{row['change_low']:+.3f}, {row['change_high']:+.3f}] " \
           "(paired bootstrap, 95%)" in lines
    # Three projects in one year and a handful in the other: too few villages with a budget for an interval.
    data, areas = data
    few = pd.concat([data.projects[data.projects.fiscal_year == 2568].head(3),
                     data.projects[data.projects.fiscal_year == 2569].head(3)])
    plan = pm.analyse(data.tambons, few, villages=areas, permutations=0, compare_years=(2568, 2569))
    table = plan.change.equity.set_index(["budget", "figure"])
    assert table["change_low"].isna().all()
    assert table.loc[("all", "gini"), "interval_note"].startswith("no interval:")
    assert "Gini change" in plan.summary() and "(no interval:" in plan.summary()


def test_trend_is_kendall_tau_from_five_years_and_a_change_below(data):
    data, areas = data
    plan = pm.analyse(data.tambons, data.projects, villages=areas, permutations=0)
    shown = plan.metrics["village"]
    # Three fiscal years: no test (tau could only be ±1/3 or ±1, p never below 0.33) …
    assert shown["trend_tau"].isna().all() and shown["trend_change"].notna().sum() > 1000
    assert "trend: not tested over 3 fiscal years" in plan.summary()
    # … the computation itself, asked over three years, is Kendall's tau.
    v = shown.drop(columns=["trend_tau", "trend_p", "trend_change"]).join(
        yearly_trend(plan.allocation, plan.projects, shown, min_years=3))
    assert {"trend_tau", "trend_p"} <= set(v.columns) and v["trend_tau"].notna().sum() > 1000
    # Kendall's tau by hand: concordant minus discordant pairs of (year, budget per household).
    alloc = plan.allocation.join(plan.projects.set_index("project_id")[["fiscal_year"]], on="project_id")
    code = v["trend_tau"].dropna().index[7]
    yearly = alloc[alloc.village_code == code].groupby("fiscal_year").budget_thb.sum().reindex(
        [2568, 2569, 2570]).fillna(0) / v.loc[code, "households"]
    pairs = [(i, j) for i in range(3) for j in range(i + 1, 3)]
    signs = [np.sign(yearly.iloc[j] - yearly.iloc[i]) for i, j in pairs]
    assert v.loc[code, "trend_tau"] == pytest.approx(sum(signs) / 3)
    two_years = plan.projects[plan.projects.fiscal_year != 2570]
    assert yearly_trend(plan.allocation, two_years, v).trend_tau.isna().all()


def test_yearly_figures_are_the_allocation_grouped_by_unit_and_year(data):
    """Each unit's budget and distinct projects per fiscal year, by hand (a groupby of the text
    allocation with each project's year), at every level, in the allocation's order and shuffled
    (the run-by-run count and the hash-table count), text or categorical; a project with villages
    in one tambon counts once there."""
    data, areas = data
    plan = pm.analyse(data.tambons, data.projects, villages=areas, permutations=0)
    text = plan.allocation.astype({c: "str" for c in ("project_id", "village_code", "tambon_code",
                                                      "amphoe_code")})
    with_year = text.join(plan.projects.set_index("project_id")[["fiscal_year"]], on="project_id")
    shuffled = plan.allocation.iloc[np.random.default_rng(3).permutation(len(plan.allocation))]
    for level, key in (("village", "village_code"), ("tambon", "tambon_code"), ("amphoe", "amphoe_code")):
        table = plan.metrics[level]
        grouped = with_year.dropna(subset=["fiscal_year"]).groupby([key, "fiscal_year"])
        budget = grouped.budget_thb.sum()
        projects = grouped.project_id.nunique()
        for allocation in (plan.allocation, text, shuffled):
            got = yearly_units(allocation, plan.projects, table, level)
            assert len(got) == len(table) * 3 and got.index.names == [key, "fiscal_year"]
            placed = got.loc[budget.index]
            np.testing.assert_allclose(placed.budget_thb, budget, rtol=1e-12)
            assert (placed.n_projects.to_numpy() == projects.to_numpy()).all()
            rest = got.drop(budget.index)
            assert (rest.budget_thb == 0).all() and (rest.n_projects == 0).all()
        if level == "tambon":  # some project reaches several villages of one tambon, counted once
            assert (with_year.groupby(["project_id", key]).size() > 1).any()
            assert (projects < grouped.size()).any()


def test_spatial_gini_is_inequality_s(data):
    rng = np.random.default_rng(1)
    y = rng.lognormal(size=100)
    w = lat2W(10, 10)
    np.random.seed(11)
    reference = Gini_Spatial(y, w, permutations=199)
    ours = spatial_gini(y, w, permutations=199, seed=11)
    assert ours["gini"] == pytest.approx(reference.g, abs=1e-12)
    assert ours["wcg_share"] == pytest.approx(reference.wcg_share, abs=1e-12)
    assert ours["p"] == reference.p_sim
    assert ours["polarization"] == pytest.approx(reference.polarization)
    assert ours["expected_nonneighbour_share"] == pytest.approx(reference.e_wcg / reference.dtotal)


def test_spatial_gini_counts_each_given_neighbour_pair_on_a_one_sided_matrix():
    # Symmetric contiguity is summed over one side and doubled; a one-sided (directed) matrix is
    # summed entry by entry, as before.
    y = np.array([1.0, 4.0, 2.0, 8.0, 3.0])
    one_sided = scipy.sparse.csr_matrix((np.ones(3), ([0, 1, 3], [1, 2, 4])), shape=(5, 5))
    d = float(np.abs(y[:, None] - y[None, :]).sum())
    near = abs(1 - 4) + abs(4 - 2) + abs(8 - 3)
    got = spatial_gini(y, one_sided, permutations=0)
    assert got["neighbour_share"] == pytest.approx(near / d, abs=1e-15)
    both = spatial_gini(y, one_sided + one_sided.T, permutations=0)
    assert both["neighbour_share"] == pytest.approx(2 * near / d, abs=1e-15)


def test_the_equity_table_s_spatial_gini_on_the_demo_is_inequality_s(data):
    data, areas = data
    plan = pm.analyse(data.tambons, data.projects, villages=areas, permutations=99)
    v = plan.metrics["village"]
    usable = v.index[v.households > 0]
    _, matrix = neighbour_matrix(gpd.GeoDataFrame(plan.villages.loc[usable]))
    coo = matrix.tocoo()
    w = W({i: coo.col[coo.row == i].tolist() for i in range(len(usable))}, silence_warnings=True)
    y = (v.loc[usable, "budget_thb"] / v.loc[usable, "households"]).to_numpy()
    np.random.seed(pm.settings.seed)
    reference = Gini_Spatial(y, w, permutations=99)
    row = plan.equity.loc["all"]
    assert row["gini"] == pytest.approx(reference.g, abs=1e-12)
    assert row["gini_spatial_p"] == reference.p_sim
    assert row["gini_nonneighbour_share"] == pytest.approx(reference.wcg / reference.dtotal)
    assert row["spatial_inequality"] in ("between regions", "between neighbours", "no spatial pattern")


def test_facilitators_carry_the_villages_they_target_and_blanket_programmes_apart(data):
    data, areas = data
    plan = pm.analyse(data.tambons, data.projects, villages=areas, permutations=0)
    load = plan.load["facilitator"]
    assert (load["n_villages"] < len(areas)).all()
    assert load["blanket_villages"].max() == len(areas)  # a province-wide programme, shown apart
    carried = plan.allocation.join(plan.projects.set_index("project_id")[["facilitator"]], on="project_id")
    carried = carried[~carried.location_precision.isin(["province", "amphoe"])]
    expected = carried.groupby("facilitator").village_code.nunique()
    pd.testing.assert_series_equal(load["n_villages"].sort_index(), expected.sort_index(), check_names=False)
    # Every column by hand (a groupby of the rows with their people), whatever the rows' order.
    shuffled = plan.allocation.iloc[np.random.default_rng(4).permutation(len(plan.allocation))]
    for col in ("facilitator", "management_unit"):
        rows = plan.allocation.join(plan.projects.set_index("project_id")[[col]], on="project_id")
        rows = rows.dropna(subset=[col]).assign(blanket=lambda r: ~metrics.targeted_mask(r))
        wide = rows[rows.blanket].groupby(col)
        expected = pd.DataFrame({
            "n_projects": rows.groupby(col).project_id.nunique(),
            "n_villages": rows[~rows.blanket].groupby(col).village_code.nunique(),
            "budget_thb": rows.groupby(col).budget_thb.sum(),
            "n_blanket_projects": wide.project_id.nunique(), "blanket_villages": wide.village_code.nunique(),
            "blanket_budget_thb": wide.budget_thb.sum()}).fillna(0)
        for allocation in (plan.allocation, shuffled):
            got = metrics.facilitator_load(plan.projects, allocation)[col]
            pd.testing.assert_frame_equal(got.sort_index(), expected.sort_index(), check_dtype=False,
                                          check_names=False, rtol=1e-12)
            assert got[["n_villages", "n_projects"]].apply(tuple, axis=1).is_monotonic_decreasing


def test_an_island_is_never_labelled_hot_or_cold(fictional):
    villages = demo.demo_villages(fictional)
    areas = pm.village_areas(villages, fictional)
    far = areas.index[-1]
    areas.loc[far, "geometry"] = shapely.affinity.translate(areas.geometry[far], xoff=0.8)
    values = pd.Series(1.0, index=areas.index)
    values[far] = 1e6  # the island holds all the budget: a lone extreme is still not a hot spot
    spots = pm.hotspots(areas.assign(v=values), "v", permutations=99)
    assert spots.loc[far, "hotspot"] == "island" and np.isnan(spots.loc[far, "gi_p"])
    assert spots.attrs["islands"] == [far]
    assert "Benjamini–Hochberg" in spots.attrs["test"] and "two-sided" in spots.attrs["test"]
