"""Fiscal year as a dimension: analyse(years=...) selects, Plan.years records, every output says it."""

from __future__ import annotations

import subprocess

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import load_workbook

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis._years import parse_years
from planmap_gis.join.pairs import as_allocation
from planmap_gis.cli import main


@pytest.fixture(scope="module")
def data(fictional):
    villages = demo.demo_villages(fictional)
    return fictional, pm.village_areas(villages, fictional), demo.demo_projects(fictional, villages, n=80)


@pytest.mark.parametrize(("given", "years"), [
    (2569, (2569,)), ("2569", (2569,)), (2026, (2569,)), ("2568-2570", (2568, 2569, 2570)),
    ("2570–2568", (2568, 2569, 2570)), ([2568, 2570], (2568, 2570)), ("2568, 2570", (2568, 2570)),
    ("๒๕๖๙", (2569,)),
])
def test_years_as_people_write_them(given, years):
    assert parse_years(given) == years


@pytest.mark.parametrize("given", ["25690", "next year", "1850", ""])
def test_what_is_not_a_year(given):
    with pytest.raises(ValueError):
        parse_years(given)


def test_one_year_is_the_projects_of_that_year_and_allocated_as_in_the_whole(data):
    tambons, areas, projects = data
    whole = pm.analyse(tambons, projects, villages=areas, permutations=0)
    one = pm.analyse(tambons, projects, villages=areas, permutations=0, years=2026)
    assert one.years == (2569,) and whole.years == ()
    assert set(one.projects.fiscal_year) == {2569}
    assert len(one.projects) == (projects.fiscal_year == 2569).sum() > 0
    # Allocation is per project: a year's rows are the whole plan's rows of that year's projects.
    # (its ids and codes categoricals of its own rows: as_allocation makes the whole's subset so)
    expected = as_allocation(whole.allocation[whole.allocation.project_id.isin(one.projects.project_id)])
    pd.testing.assert_frame_equal(one.allocation.reset_index(drop=True), expected.reset_index(drop=True))
    by_year = sum(pm.analyse(tambons, projects, villages=areas, permutations=0, years=y)
                  .allocation.budget_thb.sum() for y in sorted(projects.fiscal_year.dropna().unique()))
    assert by_year == pytest.approx(whole.allocation.budget_thb.sum(), abs=0.01)
    assert one.years_label() == "ปีงบประมาณ 2569" and one.years_label("en") == "FY 2569"
    assert "fiscal years / ปีงบประมาณ 2569" in one.summary()


def test_projects_without_a_year_are_reported_not_lost_silently(data):
    tambons, areas, projects = data
    projects = projects.copy()
    projects.loc[projects.index[:3], "fiscal_year"] = pd.NA
    plan = pm.analyse(tambons, projects, villages=areas, permutations=0, years="2568-2570")
    report = plan.reports["years"]
    assert report.balanced() and report.rows_rejected >= 3
    missing = report.problems[report.problems.message_en.str.contains("has no fiscal year")]
    assert missing.value.tolist() == projects.project_id[:3].tolist()
    assert plan.years == (2568, 2569, 2570)


def test_the_workspace_keeps_the_years(data, tmp_path):
    tambons, areas, projects = data
    plan = pm.analyse(tambons, projects, villages=areas, permutations=0, years=[2568, 2570])
    assert pm.open_workspace(pm.save_workspace(plan, tmp_path / "ws.gpkg")).years == (2568, 2570)


@pytest.mark.slow
def test_demo_year_titles_every_output(tmp_path, no_reference):
    assert main(["-q", "demo", "--year", "2569", "--out", str(tmp_path), "--no-atlas"]) == 0
    assert "ปีงบประมาณ 2569" in (tmp_path / "webmap.html").read_text("utf-8")
    title = load_workbook(tmp_path / "matrix.xlsx")["จังหวัด"]["A1"].value
    assert "ปีงบประมาณ 2569" in title
    assert main(["-q", "demo", "--year", "ปีหน้า", "--out", str(tmp_path / "x"), "--no-atlas"]) == 2


@pytest.mark.slow
def test_run_compare_writes_the_change_everywhere(tmp_path, no_reference):
    """`planmap run --compare 2568 2569` on the demo's sheets: change table, layer, atlas page, web map."""
    sheets = tmp_path / "demo"
    assert main(["-q", "demo", "--out", str(sheets), "--no-atlas"]) == 0
    out = tmp_path / "out"
    args = ["-q", "run", "--province", "80", "--projects", str(sheets / "sheets" / "projects_long.xlsx"),
            "--villages", str(sheets / "sheets" / "villages.csv"), "--indicators",
            str(sheets / "sheets" / "indicators.xlsx"), "--compare", "2568", "2569", "--out", str(out),
            "--no-project-sheets"]  # the change and need pages are what this test reads
    assert main(args) == 0
    table = pd.read_csv(out / "tables" / "change_amphoe.csv", dtype={"amphoe_code": str})
    whole = pm.open_workspace(sheets / "workspace.gpkg")
    per_year = whole.allocation.join(whole.projects.set_index("project_id").fiscal_year, on="project_id") \
        .groupby("fiscal_year").budget_thb.sum()
    assert table.budget_change.sum() == pytest.approx(per_year[2569] - per_year[2568], abs=0.01)
    # The workspace holds the change as map layers, and gives it back.
    layer = gpd.read_file(out / "workspace.gpkg", layer="change_tambon")
    assert layer.geometry.notna().all() and layer.budget_change.sum() == pytest.approx(table.budget_change.sum())
    again = pm.open_workspace(out / "workspace.gpkg")
    assert again.change is not None and again.years_label() == "ปีงบประมาณ 2569 เทียบกับ 2568"
    pd.testing.assert_frame_equal(again.change.units["amphoe"].reset_index(drop=True)[["budget_change"]],
                                  table[["budget_change"]])
    html = (out / "webmap.html").read_text("utf-8")
    assert "ปีงบประมาณ 2569 เทียบกับ 2568" in html and "งบประมาณที่เปลี่ยนไปจากปีก่อน" in html
    pages = subprocess.run(["pdftotext", str(out / "atlas.pdf"), "-"], capture_output=True, text=True,
                           check=True).stdout.replace("\u200b", "").split("\f")
    change_page = next(p for p in pages if "งบประมาณที่เปลี่ยนไป" in p)
    assert "2569 เทียบกับ 2568" in change_page and "(layer 1)" in change_page
    assert any("Need against response" in p for p in pages)
    # The atlas and web map commands take other years from a workspace of all years.
    assert main(["-q", "atlas", str(sheets / "workspace.gpkg"), "--year", "2570", "--out",
                 str(tmp_path / "a2570.pdf"), "--no-project-sheets"]) == 0
    first = subprocess.run(["pdftotext", "-l", "1", str(tmp_path / "a2570.pdf"), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert "ปีงบประมาณ 2570" in first
    assert main(["-q", "webmap", str(sheets / "workspace.gpkg"), "--compare", "2568", "2570", "--out",
                 str(tmp_path / "w.html")]) == 0
    assert "ปีงบประมาณ 2570 เทียบกับ 2568" in (tmp_path / "w.html").read_text("utf-8")
