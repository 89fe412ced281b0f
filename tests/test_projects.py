"""Importing the project matrix: what agencies bring, with every row accounted for."""

from __future__ import annotations

import multiprocessing.context
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis import settings as settings_module
from planmap_gis.read import row_halves

HEADER = ["รหัสโครงการ", "ชื่อโครงการ", "หน่วยงาน", "ระดับหน่วยงาน", "ชั้นงบประมาณ", "ด้าน",
          "ปีงบประมาณ", "งบประมาณ (บาท)", "พื้นที่ดำเนินการ"]


def xlsx(path: Path, rows: list[list[object]], *, title: str | None = "แผนงานโครงการ (ทดสอบ)") -> Path:
    """Write rows under an optional merged title row and a blank row, as agencies do."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
        sheet.append([])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def project(pid: object, area: object, budget: object = "100,000", year: object = 2569, **kw) -> list[object]:
    name = kw.get("name", f"โครงการทดสอบ {pid}")
    return [pid, name, kw.get("agency", "สำนักงานเกษตรจังหวัด"), kw.get("tier", "ส่วนภูมิภาค"),
            kw.get("layer", 2), kw.get("sector", "เกษตร"), year, budget, area]


@pytest.fixture(scope="module")
def nst_demo(nst_tambons):
    villages = demo.demo_villages(nst_tambons)
    projects = demo.demo_projects(nst_tambons, villages)
    return nst_tambons, villages, projects


# --- round trips --------------------------------------------------------------

def _same_projects(read: gpd.GeoDataFrame, original: gpd.GeoDataFrame) -> None:
    a, b = original.set_index("project_id"), read.set_index("project_id")
    assert a.index.equals(b.index)
    for col in ("name_th", "name_en", "agency", "tier", "budget_layer", "strategy", "sector",
                "fiscal_year", "status", "management_unit", "facilitator", "location_precision"):
        assert a[col].astype(str).equals(b[col].astype(str)), col
    assert np.allclose(a.budget_thb, b.budget_thb, atol=0.005)
    assert [sorted(x) for x in a.area_codes] == [sorted(x) for x in b.area_codes]
    has = a.geometry.notna()
    assert has.equals(b.geometry.notna())
    assert shapely.hausdorff_distance(a.geometry[has].values, b.geometry[has].values).max() < 1e-6


def test_messy_demo_sheets_read_back_to_the_same_projects(nst_demo, tmp_path):
    tambons, villages, projects = nst_demo
    data = demo.DemoData(tambons, villages, projects, demo.demo_indicators(villages), "test", False)
    paths = demo.write_demo_sheets(data, tmp_path)

    long, report = pm.read_projects(paths["projects_long"], boundaries=tambons, villages=villages)
    wide, wide_report = pm.read_projects(paths["projects_wide"], boundaries=tambons)

    _same_projects(long, projects)
    _same_projects(wide, projects)
    assert report.balanced() and wide_report.balanced()
    assert report.rows_loaded == wide_report.rows_loaded == 300
    # The totals row is skipped and said so; CE years are converted and said so.
    skipped = report.problems[report.problems.message_en.str.contains("a total or subtotal row")]
    assert len(skipped) == 1 and report.rows_rejected == 1
    assert report.problems.message_en.str.contains("Christian-era").sum() == (
        pd.Series(range(300)) % 11 == 4).sum()
    assert report.count("error") == report.count("warning") == 0


def test_clean_writer_round_trip_with_codes_and_without_boundaries(fictional, tmp_path):
    villages = demo.demo_villages(fictional)
    projects = demo.demo_projects(fictional, villages, n=60)
    path = pm.write_projects(projects, tmp_path / "codes.xlsx", shape="long", lang="en")

    with pytest.warns(pm.PlanmapWarning, match="boundary problems"):  # fictional codes, see formats
        tambons, _ = pm.read_boundaries(_gpkg(fictional, tmp_path))
    read, report = pm.read_projects(path, boundaries=tambons)

    _same_projects(read, projects)
    assert report.ok


def _gpkg(frame: gpd.GeoDataFrame, folder: Path) -> Path:
    frame.to_file(folder / "f.gpkg", engine="pyogrio")
    return folder / "f.gpkg"


# --- what agencies actually write -----------------------------------------------

def test_area_lists_in_every_style(nst_tambons, tmp_path):
    rows = [HEADER,
            project("A1", "ต.ท่างิ้ว, ต.นาเคียน"),
            project("A2", "ม.3 ต.ปากแพรก อ.ทุ่งสง\nม.1-2 ต.ท่างิ้ว"),
            project("A3", "อ.ชะอวด / อ.เมือง"),
            project("A4", "ทั้งจังหวัด"),
            project("A5", "800116 80011503 TH8002"),
            project("A6", "ตำบลท่างิ้ว อำเภอเมืองนครศรีธรรมราช และ Na Khian")]
    projects, report = pm.read_projects(xlsx(tmp_path / "areas.xlsx", rows), boundaries=nst_tambons)

    codes = dict(zip(projects.project_id, projects.area_codes, strict=True))
    assert codes == {"A1": ["800116", "800115"], "A2": ["80090103", "80011601", "80011602"],
                     "A3": ["8007", "8001"], "A4": ["80"], "A5": ["800116", "80011503", "8002"],
                     "A6": ["800116", "800115"]}
    precision = dict(zip(projects.project_id, projects.location_precision, strict=True))
    assert precision == {"A1": "tambon", "A2": "village", "A3": "amphoe", "A4": "province",
                         "A5": "amphoe", "A6": "tambon"}
    assert report.ok and report.balanced()


def test_unknown_and_ambiguous_names_are_reported_not_guessed(nst_tambons, tmp_path):
    rows = [HEADER,
            project("B1", "ต.ไม่มีจริง"),                 # unknown, nothing else: rejected
            project("B2", "ปากแพรก"),                    # tambon in two amphoe: rejected
            project("B3", "ชะอวด, ต.ท่างิ้ว"),            # amphoe or tambon? the rest loads
            project("B4", "ต.ปากแพรก อ.ปากพนัง"),         # qualified: fine
            project("B5", "ต.ทางิ้ว")]                    # misspelt: similarity match, warned
    projects, report = pm.read_projects(xlsx(tmp_path / "names.xlsx", rows), boundaries=nst_tambons)

    assert projects.project_id.tolist() == ["B3", "B4", "B5"]
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (5, 3, 2)
    p = report.problems.set_index("row")
    assert "no such area" in p.loc[4].query("severity == 'error'").message_en.iloc[0]
    ambiguous = p.loc[5].query("severity == 'error'").message_en.iloc[0]
    assert "ambiguous" in ambiguous and "800901" in ambiguous and "801217" in ambiguous
    b3 = p.loc[[6]]
    assert (b3.severity == "warning").all() and b3.message_en.str.contains("800701").any()
    assert projects.set_index("project_id").at["B3", "area_codes"] == ["800116"]
    assert projects.set_index("project_id").at["B4", "area_codes"] == ["801217"]
    fuzzy = p.loc[[8]]
    assert fuzzy.severity.tolist() == ["warning"] and "similarity" in fuzzy.message_en.iloc[0]


def test_budgets_years_and_ids(fictional, tmp_path):
    rows = [HEADER,
            project("C1", "990101", budget="1.5 ล้านบาท", year="พ.ศ. ๒๕๖๙"),
            project("C2", "990101", budget="๑๒๐,๐๐๐ บาท", year=2026),
            project("C3", "990101", budget=-5000),
            project("C4", "990101", budget="รอจัดสรร"),
            project("C5", "990101", budget=None, year="ไม่ทราบ"),
            project("C1", "990102"),
            project(None, "990102"),
            ["", "", "", "", "", "", "", "", ""],
            project(None, "", name="รวมทั้งสิ้น")]
    projects, report = pm.read_projects(xlsx(tmp_path / "money.xlsx", rows), boundaries=fictional)

    got = projects.set_index("project_id")
    assert got.loc["C1", "budget_thb"] == 1_500_000 and got.loc["C1", "fiscal_year"] == 2569
    assert got.loc["C2", "budget_thb"] == 120_000 and got.loc["C2", "fiscal_year"] == 2569
    assert np.isnan(got.loc["C5", "budget_thb"]) and pd.isna(got.loc["C5", "fiscal_year"])
    assert f"{tmp_path.name}/money-r10" in got.index  # generated id: folder, file stem and row
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (8, 4, 4)
    p = report.problems.set_index("row")
    assert "cannot be negative" in p.at[6, "message_en"] and p.at[6, "severity"] == "error"
    assert "not an amount" in p.at[7, "message_en"]
    assert "is the same as row 4's" in p.at[9, "message_en"]
    assert "Christian-era" in p.at[5, "message_en"] and p.at[5, "severity"] == "info"
    assert set(p.loc[[8]].column) == {"งบประมาณ (บาท)", "ปีงบประมาณ"}  # the agency's own headers
    assert "a total or subtotal row 'รวมทั้งสิ้น'" in p.at[12, "message_en"]


def test_an_unrecognised_budget_header_is_named_with_the_fix(fictional, tmp_path):
    header = [("เงิน" if h == "งบประมาณ (บาท)" else h) for h in HEADER]
    rows = [header, project("B1", "990101"), project("B2", "990102")]

    projects, report = pm.read_projects(xlsx(tmp_path / "money.xlsx", rows), boundaries=fictional)

    assert len(projects) == 2 and projects.budget_thb.isna().all()  # loaded, without budgets
    sheet = report.problems[report.problems.row.isna() & (report.problems.column == "budget_thb")]
    assert sheet.severity.tolist() == ["warning"]
    assert "Headers not recognised: เงิน" in sheet.message_en.iloc[0]
    assert "rename that header to 'งบประมาณ (บาท)'" in sheet.message_en.iloc[0]
    rows_told = report.problems[report.problems.row.notna() & (report.problems.column == "budget_thb")]
    assert sorted(rows_told.row) == [4, 5]  # and each row on its own


def test_wide_sheet_with_marks_and_amounts(fictional, tmp_path):
    rows = [["รหัสโครงการ", "ชื่อโครงการ", "หน่วยงาน", "งบประมาณ", "ลำดับที่", "990101", "990102",
             "อ.สมมุติใต้ (9903)"],
            ["W1", "ถนน", "อบจ.", 300_000, 1, "✓", "x", None],
            ["W2", "ฝาย", "อบต.", None, 2, "100,000", "200,000", None],
            ["W3", "อบรม", "พช.", 10_000, 3, None, None, 1],
            ["W4", "ผิด", "พช.", 10_000, 4, "maybe", None, None]]
    projects, report = pm.read_projects(xlsx(tmp_path / "wide.xlsx", rows, title=None),
                                        boundaries=fictional)

    got = projects.set_index("project_id")
    assert got.at["W1", "area_codes"] == ["990101", "990102"] and got.at["W1", "area_shares"] is None
    assert got.at["W2", "area_codes"] == ["990101", "990102"]
    assert got.at["W2", "area_shares"] == pytest.approx([1 / 3, 2 / 3])
    assert got.at["W2", "budget_thb"] == 300_000
    assert got.at["W3", "area_codes"] == ["9903"]
    assert "W4" not in got.index and report.balanced()
    assert report.problems.query("row == 5 and severity == 'error'").message_en.str.contains(
        "not a mark").any()
    assert report.problems.query("column == 'ลำดับที่'").severity.tolist() == ["info"]


def test_footprints_need_a_crs(fictional, tmp_path):
    inside = fictional.geometry.iloc[0].representative_point()
    rows = [HEADER + ["WKT"], project("F1", None) + [inside.wkt]]
    path = xlsx(tmp_path / "wkt.xlsx", rows)

    with pytest.raises(pm.CRSError, match=r"wkt\.xlsx.*no declared CRS.*WKT \(EPSG:4326\)"):
        pm.read_projects(path, boundaries=fictional)
    projects, report = pm.read_projects(path, boundaries=fictional, crs="EPSG:4326")
    assert projects.geometry.iloc[0].equals(inside) and projects.location_precision.iloc[0] == "exact"

    utm = gpd.GeoSeries([inside], crs=4326).to_crs(32647).iloc[0]
    declared = xlsx(tmp_path / "utm.xlsx", [HEADER + ["WKT (EPSG:32647)"], project("F2", None) + [utm.wkt]])
    projects, _ = pm.read_projects(declared, boundaries=fictional)
    assert projects.geometry.iloc[0].distance(inside) < 1e-7


@pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning")
def test_footprint_file_without_crs(fictional, tmp_path):
    layer = gpd.GeoDataFrame({"name_th": ["ฝายชะลอน้ำ"], "agency": ["กรมทรัพยากรน้ำ"]},
                             geometry=[fictional.geometry.iloc[0].centroid], crs=None)
    layer.to_file(tmp_path / "weirs.shp", engine="pyogrio")
    with pytest.raises(pm.CRSError, match="weirs.shp: the layer has no coordinate reference system"):
        pm.read_projects(tmp_path / "weirs.shp", boundaries=fictional)
    projects, report = pm.read_projects(tmp_path / "weirs.shp", boundaries=fictional, crs=4326)
    assert len(projects) == 1 and projects.location_precision.iloc[0] == "exact" and report.balanced()


def test_unusable_files_raise_one_clear_error(fictional, tmp_path):
    wrong = xlsx(tmp_path / "wrong.xlsx", [["โครงการที่", "เงิน", "ที่ไหน"], ["x", 1, "y"]])
    with pytest.raises(pm.SchemaError, match=r"wrong\.xlsx.*no header row.*columns=\{"):
        pm.read_projects(wrong, boundaries=fictional)
    no_name = xlsx(tmp_path / "noname.xlsx", [["หน่วยงาน", "งบประมาณ"], ["พช.", 1]])
    with pytest.raises(pm.SchemaError, match="no project-name column"):
        pm.read_projects(no_name, boundaries=fictional)
    empty = tmp_path / "empty.xlsx"
    Workbook().save(empty)
    with pytest.raises(pm.InputFileError, match="empty.xlsx.*the table is empty"):
        pm.read_projects(empty, boundaries=fictional)
    csv = tmp_path / "renamed.csv"
    csv.write_text("กิจกรรม,งบ\nอบรม,1000\n", encoding="utf-8")
    projects, report = pm.read_projects(csv, boundaries=fictional,
                                        columns={"กิจกรรม": "name_th", "งบ": "budget_thb"})
    assert report.rows_rejected == 1 and "no area" in report.problems.message_en.iloc[-1]


def test_report_can_be_handed_back_to_the_agency(fictional, tmp_path):
    rows = [HEADER, project("R1", "ต.ไม่มี"), project("R2", "990101", budget=-1)]
    _, report = pm.read_projects(xlsx(tmp_path / "agency.xlsx", rows), boundaries=fictional)
    back = pd.read_excel(report.to_excel(tmp_path / "report.xlsx"), sheet_name="problems", engine="calamine")
    assert back.row.tolist() == [4, 4, 5] and set(back.severity) == {"error"}
    assert back.message_th.str.len().gt(0).all() and (back.file == str(tmp_path / "agency.xlsx")).all()


# --- property: random cells never crash the importer --------------------------------

TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12)  # what Excel can hold
CELLS = st.one_of(st.none(), TEXT, st.integers(-10**7, 10**7),
                  st.floats(allow_nan=True, allow_infinity=True),
                  st.sampled_from(["✓", "x", "2026", "๒๕๖๙", "1.5 ล้านบาท", "ต.ท่างิ้ว", "990101",
                                   "ม.1-3 ต.", "รวม", "ชื่อโครงการ", "-", "=SUM(A1)", "ปากแพรก"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(CELLS, min_size=9, max_size=9), min_size=1, max_size=8))
def test_random_cells_never_break_the_accounting(fictional, tmp_path_factory, rows):
    path = xlsx(tmp_path_factory.mktemp("h") / "random.xlsx", [HEADER] + rows)
    try:
        projects, report = pm.read_projects(path, boundaries=fictional)
    except pm.PlanmapError:
        return
    assert report.balanced()
    assert len(projects) == report.rows_loaded
    assert projects.project_id.is_unique


# --- explicit location shares (AMP locationPercentage, IATI location@percentage) ---------

def test_percentages_after_each_area_become_shares(fictional, tmp_path):
    rows = [HEADER,
            project("S1", "ต.ดอนห้วย 60%, ต.สวนเขา (40%)", budget=1_000_000),
            project("S2", "990101 ร้อยละ 25 / ม.1-3 ต.สวนเขา 75%", budget=1_000_000),
            project("S3", "ต.ดอนห้วย, อ.สมมุติใต้", budget=1_000_000)]
    projects, report = pm.read_projects(xlsx(tmp_path / "pct.xlsx", rows), boundaries=fictional)

    got = projects.set_index("project_id")
    assert got.at["S1", "area_shares"] == pytest.approx([0.6, 0.4])
    # a range carries one percentage: its villages split it evenly
    assert got.at["S2", "area_codes"] == ["990101", "99010201", "99010202", "99010203"]
    assert got.at["S2", "area_shares"] == pytest.approx([0.25, 0.25, 0.25, 0.25])
    assert got.at["S3", "area_shares"] is None  # no percentage: the method decides
    assert report.count("warning") == 0 and report.balanced()


def test_percentages_not_adding_up_load_with_an_even_split_and_a_warning(fictional, tmp_path):
    header = [*HEADER, "สัดส่วนงบรายพื้นที่ (%)"]
    rows = [header,
            [*project("B1", "ต.ดอนห้วย 70%, ต.สวนเขา 40%"), None],
            [*project("B2", "ต.ดอนห้วย 50%, ต.สวนเขา"), None],
            [*project("B3", "ต.ดอนห้วย, ต.สวนเขา, ต.หลวงไม้"), "20, 30, 50"],
            [*project("B4", "ต.ดอนห้วย, ต.สวนเขา"), "20, 30, 50"]]
    projects, report = pm.read_projects(xlsx(tmp_path / "bad.xlsx", rows), boundaries=fictional)

    got = projects.set_index("project_id")
    assert got.index.tolist() == ["B1", "B2", "B3", "B4"]  # every row loaded
    assert got.at["B1", "area_shares"] == pytest.approx([0.5, 0.5])
    assert got.at["B2", "area_shares"] == pytest.approx([0.5, 0.5])
    assert got.at["B3", "area_shares"] == pytest.approx([0.2, 0.3, 0.5])
    assert got.at["B4", "area_shares"] == pytest.approx([0.5, 0.5])
    warned = report.problems.query("severity == 'warning'")
    assert warned.row.tolist() == [4, 5, 7]
    assert warned.message_en.str.contains("add up to 110, not 100").iloc[0]
    assert warned.message_en.str.contains("even split").all()
    assert warned.message_th.str.contains("รวมเป็น 100").all()


def test_shares_survive_the_long_writer(fictional, tmp_path):
    rows = [HEADER, project("S1", "ต.ดอนห้วย 62.5%, ต.สวนเขา 37.5%"), project("S2", "ต.ดอนห้วย")]
    projects, _ = pm.read_projects(xlsx(tmp_path / "in.xlsx", rows), boundaries=fictional)

    back, report = pm.read_projects(pm.write_projects(projects, tmp_path / "out.xlsx",
                                                      boundaries=fictional), boundaries=fictional)

    assert back.area_shares.iloc[0] == pytest.approx([0.625, 0.375])
    assert back.area_shares.iloc[1] is None and report.count("warning") == 0


@pytest.mark.parametrize("again", [None, "D1"], ids=["ids-apart", "an-id-in-both-halves"])
def test_a_long_sheet_read_in_two_halves_is_the_sheet_read_row_by_row(fictional, tmp_path, monkeypatch, again):
    """From 20,000 rows the second half of a sheet is read in a forked lane: the same projects and the
    same report, row for row, as one by one; an id in both halves is said of the later row either way."""
    rows = [HEADER,
            project("D1", "990101", budget="1.5 ล้านบาท"),
            project("D2", "990102", name="ซ่อมถนน โทร 086-555-1234"),  # a contact taken out
            project("D3", "ไม่มีตำบลนี้"),  # rejected
            project(None, "990103"),  # a generated id
            project("D4", "990104", budget=None),
            project("D5", "990101, 990102"),
            project(again or "D6", "990105"),  # the second half from here
            project("D7", "990201", budget=-1),  # rejected
            project("D8", "990202", year="พ.ศ. ๒๕๖๙"),
            project("D8", "990203"),  # the same id in the same half
            project(None, "", name="รวมทั้งสิ้น"),  # a total row: skipped
            project("D9", "990102", name="ฝึกอาชีพ line: somchai99")]
    sheet = xlsx(tmp_path / "long.xlsx", rows)
    monkeypatch.setattr(settings_module, "processes", 1)
    one, one_report = pm.read_projects(sheet, boundaries=fictional)
    monkeypatch.setattr(settings_module, "processes", 2)
    monkeypatch.setattr(row_halves, "LANE_ROWS", 4)
    forked = []
    start = multiprocessing.context.ForkProcess.start
    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start",
                        lambda self: (forked.append(self), start(self))[1])
    two, two_report = pm.read_projects(sheet, boundaries=fictional)
    assert len(forked) == 1
    pd.testing.assert_frame_equal(two, one, check_exact=True)
    pd.testing.assert_frame_equal(two_report.problems, one_report.problems)
    assert (two_report.rows_in, two_report.rows_loaded, two_report.rows_rejected) == \
        (one_report.rows_in, one_report.rows_loaded, one_report.rows_rejected) == (12, 7 if again else 8, 5 if again else 4)
    if again:
        said = two_report.problems.set_index("row").loc[10, "message_en"]  # the title, a blank row, the header
        assert "is the same as row 4's" in " ".join(np.atleast_1d(said))
    assert "086-555-1234" not in " ".join(two.name_th) and "somchai99" not in " ".join(two.name_th)
