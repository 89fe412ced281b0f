"""Screening proposals (issue 30): hand-made cases whose parts are counted by hand, the equity effect
recomputed by analysing the plan again with the proposal in it, and the suggested set against brute
force."""

from __future__ import annotations

import itertools
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import planmap_gis as pm
from planmap_gis._schema import PROJECT_COLUMNS
from planmap_gis.measure import portfolio
from planmap_gis.measure.need import money_to_move
from planmap_gis.plan.screen import screen


def _project(pid: str, agency: str, sector: str, codes: list[str], budget: float, *, layer: int = 2,
             year: int = 2570, name: str | None = None) -> dict:
    return {"project_id": pid, "name_th": name or f"โครงการ{sector} {pid}", "name_en": pid, "agency": agency,
            "tier": "regional", "budget_layer": layer, "strategy": None, "sector": sector, "fiscal_year": year,
            "budget_thb": budget, "status": None, "management_unit": None, "facilitator": None,
            "area_codes": codes, "area_shares": None, "location_precision": "village", "source_file": "hand",
            "source_sheet": None, "source_row": 1, "geometry": None}


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    for col in ("budget_layer", "fiscal_year", "source_row"):
        frame[col] = frame[col].astype("Int64")
    return frame[list(PROJECT_COLUMNS)]


@pytest.fixture(scope="module")
def small():
    """The fictional province with eight projects of four agencies (most villages untargeted)."""
    data = pm.demo.load(fictional=True)
    areas = pm.village_areas(data.villages, data.tambons)
    codes = sorted(areas["village_code"])
    rows = [_project("E1", "กรมพัฒนาที่ดิน", "เกษตร", codes[0:3], 900_000, name="โครงการส่งเสริมการปลูกพืชผสมผสาน"),
            _project("E2", "สำนักงานเกษตรจังหวัด", "เกษตร", codes[10:12], 400_000),
            _project("E3", "กรมทรัพยากรน้ำ", "แหล่งน้ำ", codes[20:26], 3_000_000),
            _project("E4", "สำนักงานสาธารณสุขจังหวัด", "สาธารณสุข", codes[30:40], 1_200_000),
            _project("E5", "อบจ.", "โครงสร้างพื้นฐาน", codes[40:42], 5_000_000, layer=3),
            _project("E6", "กองทุนหมู่บ้าน", "เศรษฐกิจชุมชน", codes[50:55], 200_000, layer=4),
            _project("E7", "สำนักงานจังหวัด", "การท่องเที่ยว", codes[60:61], 2_000_000, layer=1),
            _project("E8", "กรมพัฒนาที่ดิน", "เกษตร", codes[70:74], 600_000, year=2569)]
    projects = _frame(rows)
    kwargs = dict(villages=areas, indicators=data.indicators, permutations=0, seed=1)
    plan = pm.analyse(data.tambons, projects, **kwargs)
    return data, areas, projects, plan, kwargs


def test_identical_proposal_of_another_agency_repeats_naming_it(small):
    data, areas, projects, plan, _ = small
    codes = list(projects.loc[0, "area_codes"])
    copy = _project("X1", "สำนักงานเกษตรจังหวัด", "เกษตร", codes, 900_000, name="โครงการส่งเสริมการปลูกพืชผสมผสาน")
    result = screen(plan, _frame([copy]))
    row = result.proposals.iloc[0]
    assert row["verdict"] == "repeats"
    assert row["repeats_projects"] == "E1 (3)"
    assert (row["n_villages"], row["n_villages_repeated"], row["duplicates_created"]) == (3, 3, 3)
    assert row["repeats_agencies"] == "กรมพัฒนาที่ดิน"
    assert row["name_similarity"] == 100
    assert "E1" in row["reasons_en"] and "E1" in row["reasons_th"]
    # another year is not a repeat (E8 is 2569); the same agency's re-submission is (counted, no duplication)
    other_year = _project("X2", "กรมพัฒนาที่ดิน", "เกษตร", list(projects.loc[7, "area_codes"]), 100_000)
    own = _project("X3", "กรมพัฒนาที่ดิน", "เกษตร", codes, 100_000)
    rows = screen(plan, _frame([other_year, own])).proposals.set_index("project_id")
    assert rows.loc["X2", "n_villages_repeated"] == 0 and rows.loc["X2", "verdict"] != "repeats"
    assert rows.loc["X3", "n_villages_repeated"] == 3 and rows.loc["X3", "duplicates_created"] == 0


def test_proposal_reaching_only_untargeted_villages_fills_a_gap(small):
    data, areas, projects, plan, _ = small
    village = plan.metrics["village"]
    free = list(village.index[(village["n_targeted_projects"] == 0)
                              & (village["need"] > 0)][:4])
    result = screen(plan, _frame([_project("G1", "สำนักงานพัฒนาชุมชนจังหวัด", "สังคม", free, 800_000)]))
    row = result.proposals.iloc[0]
    assert row["verdict"] == "fills_gap"
    assert row["untargeted_share"] == pytest.approx(1.0) and row["gap_share"] == pytest.approx(1.0)
    assert row["n_villages_repeated"] == 0 and row["n_villages"] == 4
    # hand count: its baht per village, against each village's shortfall in layer 2
    alloc = result.allocation.set_index("village_code")["budget_thb"]
    short = (-village["gap_layer_2"]).clip(lower=0)
    assert row["gap_closed_thb"] == pytest.approx(sum(min(alloc[v], short[v]) for v in free))
    assert row["below_fair_share"] == pytest.approx(sum(alloc[v] for v in free if short[v] > 0) / 800_000)
    assert row["need_reached"] == pytest.approx(village.loc[free, "need"].sum())
    hh = village.loc[free, "households"].astype(float)
    strength = plan.villages.loc[free, "strength_index"]
    assert row["mean_strength"] == pytest.approx((strength * hh).sum() / hh.sum())
    assert result.proposals.iloc[0]["in_set"]  # no cap: everything of value is in


def test_outside_the_plan_and_no_budget(small):
    _, _, _, plan, _ = small
    far = _project("O1", "อบต.", "สังคม", ["10010101"], 100_000)
    none = _project("O2", "อบต.", "สังคม", [plan.metrics["village"].index[100]], float("nan"))
    result = screen(plan, _frame([far, none]), budget=1e9)
    rows = result.proposals.set_index("project_id")
    assert rows.loc["O1", "verdict"] == "outside" and "reaches no village" in rows.loc["O1", "reasons_en"]
    assert rows.loc["O2", "left_out_en"] == "no budget given" and not rows.loc["O2", "in_set"]
    assert result.report.rows_rejected == 1


def test_equity_effect_equals_the_plan_analysed_again_with_the_proposal(small):
    data, areas, projects, plan, kwargs = small
    village = plan.metrics["village"]
    codes = list(village.index[[5, 6, 90, 150]])
    proposal = _project("Q1", "สำนักงานพัฒนาชุมชนจังหวัด", "สังคม", codes, 2_500_000)
    row = screen(plan, _frame([proposal])).proposals.iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = pm.analyse(data.tambons, pd.concat([projects, _frame([proposal])], ignore_index=True), **kwargs)
    moved = money_to_move(again.metrics["village"]["fair_share_gap"]) - money_to_move(village["fair_share_gap"])
    assert row["money_to_move_change"] == pytest.approx(moved, rel=1e-9, abs=1e-3)
    change = again.equity.loc["all", "concentration"] - plan.equity.loc["all", "concentration"]
    assert row["concentration_change"] == pytest.approx(change, rel=1e-9, abs=1e-12)


def _random_candidates(rng: np.random.Generator, n: int) -> portfolio.Candidates:
    u, g = 12, 10
    reach = sp.csr_matrix((rng.random((n, u)) < 0.25).astype(float))
    closes = sp.csr_matrix(np.where(rng.random((n, g)) < 0.3, rng.uniform(0.1, 1.0, (n, g)), 0.0))
    groups = sp.csr_matrix((rng.random((3, n)) < 0.3).astype(float))
    return portfolio.Candidates(
        budget=np.where(rng.random(n) < 0.1, np.nan, rng.uniform(1e5, 1e6, n)).round(-3),
        layer=rng.integers(1, 5, n), reach=reach, reach_need=rng.uniform(5, 50, u), closes=closes,
        gap_need=rng.uniform(5, 50, g), repeat=np.where(rng.random(n) < 0.3, rng.uniform(1, 40, n), 0.0),
        groups=groups, group_need=rng.uniform(5, 30, 3))


@pytest.mark.parametrize("seed", range(8))
def test_suggested_set_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(6, 16))
    c = _random_candidates(rng, n)
    caps = {"total": 2e6} if seed % 2 else {1: 6e5, 2: 8e5, 3: 5e5}
    weights = {"new": 1.0, "gap": float(rng.uniform(0.5, 2)), "repeat": float(rng.uniform(0.5, 2))}
    best = portfolio.solve(c, caps, weights)
    money = np.nan_to_num(c.budget, nan=0.0)
    top = -np.inf
    for bits in itertools.product([False, True], repeat=n):
        x = np.array(bits)
        if (x & ~portfolio.fundable(c)).any():
            continue
        if any(money[x & members].sum() > cap for _, members, cap in portfolio.cap_rows(c, caps)):
            continue
        top = max(top, portfolio.value(c, x, weights))
    assert best["optimal"]
    assert best["value"] == pytest.approx(top, rel=1e-7, abs=1e-7)
    for _, members, cap in portfolio.cap_rows(c, caps):  # every cap respected
        assert money[best["chosen"] & members].sum() <= cap + 1e-6
    assert portfolio.value(c, portfolio.greedy(c, caps, weights), weights) <= best["value"] + 1e-9


def test_two_proposals_on_the_same_villages_do_not_count_the_same_need_twice():
    one = sp.csr_matrix(np.array([[1.0, 1.0], [1.0, 1.0]]))
    c = portfolio.Candidates(budget=np.array([1e5, 1e5]), layer=np.array([2, 2]), reach=one,
                             reach_need=np.array([10.0, 20.0]), closes=sp.csr_matrix((2, 0)), gap_need=np.zeros(0),
                             repeat=np.zeros(2), groups=sp.csr_matrix((0, 2)), group_need=np.zeros(0))
    assert portfolio.value(c, np.array([True, True])) == portfolio.value(c, np.array([True, False])) == 30.0
    best = portfolio.solve(c, {"total": 1e6})
    assert best["value"] == 30.0


def test_demo_screening_reasons_and_stability():
    data = pm.demo.load(fictional=True)
    areas = pm.village_areas(data.villages, data.tambons)
    plan = pm.analyse(data.tambons, data.projects, villages=areas, indicators=data.indicators,
                      master_plans=data.master_plans, facilitators=data.facilitators, permutations=0)
    from planmap_gis.demo.proposals import demo_proposals
    proposals = demo_proposals(data.tambons, data.villages, data.projects, data.indicators, n=30)
    result = screen(plan, proposals, budget={1: 5e6, 2: 8e6, 3: 3e6, 4: 5e5})
    table = result.proposals
    assert len(table) == 30 and table["verdict"].notna().all()
    assert (table["reasons_en"].str.len() > 0).all() and (table["reasons_th"].str.len() > 0).all()
    left = table[~table["in_set"]]
    assert (left["left_out_en"].str.len() > 0).all() and (table.loc[table["in_set"], "left_out_en"] == "").all()
    for name, (used, cap) in result.suggestion["used"].items():
        assert used <= cap, name
    assert len(result.stability) == 6 and table["in_set_variations"].between(0, 6).all()
    assert result.suggestion["greedy_value"] <= result.suggestion["value"] + 1e-9
    text = result.summary()
    assert "nan" not in text and "suggested set" in text


def test_weights_are_checked_with_a_bilingual_error():
    import numpy as np

    assert portfolio.full_weights({"gap": np.int64(2)})["gap"] == 2.0  # a NumPy number is a number
    for bad in ({"gaps": 1.0}, {"gap": -1.0}, {"gap": float("nan")}, {"gap": "2"}):
        with pytest.raises(pm.PlanmapError) as error:
            portfolio.full_weights(bad)
        assert error.value.message_th  # said in Thai too, as every error planmap raises
