"""Sheets as agencies send them: every row loaded or reported, no number read wrong in silence."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

import planmap_gis as pm
from planmap_gis.cli import main

from .conftest import agency_sheet

AREA = "ต.ท่างิ้ว อ.เมืองนครศรีธรรมราช"


@pytest.fixture(scope="module")
def nst():
    return pm.read_boundaries(province="80")[0]


def _read(path, nst):
    projects, report = pm.read_projects(path, boundaries=nst)
    assert report.balanced()
    return projects.set_index("project_id"), report, report.problems


def test_a_hidden_row_is_reported_and_not_counted(tmp_path, nst):
    path = agency_sheet(tmp_path / "p.xlsx", [["A", "ถนน", "อบต.", "", "ถนน", 2569, 100, AREA],
                                              ["B", "ยกเลิกแล้ว", "อบต.", "", "ถนน", 2569, 900, AREA],
                                              ["C", "ฝาย", "อบต.", "", "น้ำ", 2569, 50, AREA]])
    from openpyxl import load_workbook

    book = load_workbook(path)
    book.active.row_dimensions[5].hidden = True  # row 5 = project B
    book.save(path)
    projects, report, problems = _read(path, nst)
    assert list(projects.index) == ["A", "C"] and projects.budget_thb.sum() == 150
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (3, 2, 1)
    hidden = problems[problems.row == 5]
    assert hidden.severity.tolist() == ["warning"] and "hidden" in hidden.message_en.iloc[0]
    assert "ยกเลิกแล้ว" in hidden.value.iloc[0]


@pytest.mark.parametrize(("where", "cells", "baht"), [
    ("unit row", {"A1": "หน่วย: ล้านบาท"}, 1_500_000),
    ("unit row", {"A1": "(หน่วย : พันบาท)"}, 1_500),
    ("header", {"G3": "งบประมาณ (ล้านบาท)"}, 1_500_000),
    ("header", {"G3": "Budget (million baht)"}, 1_500_000),
])
def test_a_stated_unit_is_applied_and_said(tmp_path, nst, where, cells, baht):
    path = agency_sheet(tmp_path / "u.xlsx", [["U-1", "ถนน", "อบต.", "", "ถนน", 2569, 1.5, AREA],
                                              ["U-2", "ฝาย", "อบต.", "", "น้ำ", 2569, "1.5 บาท", AREA]])
    from openpyxl import load_workbook

    book = load_workbook(path)
    for ref, text in cells.items():
        book.active[ref] = text
    book.save(path)
    projects, _, problems = _read(path, nst)
    assert projects.at["U-1", "budget_thb"] == baht
    assert projects.at["U-2", "budget_thb"] == 1.5  # a unit written in the cell wins
    assert problems.message_en.str.contains("multiplied by").any()


def test_subtotal_rows_are_not_projects(tmp_path, nst):
    rows = [["S-1", "ถนน", "อบต.", "", "ถนน", 2569, 100, AREA],
            [None, "รวม ต.ท่างิ้ว", None, None, None, None, 100, None],
            ["S-2", "ฝาย", "อบต.", "", "น้ำ", 2569, 50, AREA],
            [None, "รวมอำเภอเมืองนครศรีธรรมราช", None, None, None, None, 150, None],
            [None, "Subtotal", None, None, None, None, 150, None],
            [None, "รวมทั้งสิ้น", None, None, None, None, 150, None],
            ["S-3", "รวมพลังสร้างฝาย", "ชุมชน", "", "น้ำ", 2569, 10, AREA]]  # a project, not a total
    projects, report, problems = _read(agency_sheet(tmp_path / "s.xlsx", rows), nst)
    assert list(projects.index) == ["S-1", "S-2", "S-3"] and projects.budget_thb.sum() == 160
    skipped = problems[problems.message_en.str.contains("total or subtotal row")]
    assert sorted(skipped.row) == [5, 7, 8, 9] and report.rows_rejected == 4


@pytest.mark.parametrize("budget", ["inf", "Infinity", "1e400", "-1", "1e15"])
def test_impossible_budgets_are_rejected_with_the_row(tmp_path, nst, budget):
    path = agency_sheet(tmp_path / "b.xlsx", [["B-1", "ถนน", "อบต.", "", "ถนน", 2569, budget, AREA]])
    projects, report, problems = _read(path, nst)
    assert projects.empty and report.rows_rejected == 1
    assert problems.set_index("row").at[4, "column"] == "งบประมาณ (บาท)"  # named by the agency's header


def test_the_same_project_with_cosmetically_different_ids_loads_once(tmp_path, nst):
    ids = ["P-001", "p-001", "P\u2013001", "P-๐๐๑", "P-\u200b001", "Ｐ-001", " P-001 "]
    rows = [[pid, f"โครงการ {i}", "อบต.", "", "ถนน", 2569, 100, AREA] for i, pid in enumerate(ids)]
    projects, report, problems = _read(agency_sheet(tmp_path / "ids.xlsx", rows), nst)
    assert list(projects.index) == ["P-001"] and report.rows_rejected == len(ids) - 1
    assert problems[problems.severity == "error"].message_en.str.contains("is the same as row 4").all()


def test_thai_typed_two_ways_matches_the_same_place(tmp_path, nst):
    typed = "ต.ท่างิ\u0e49ว อ.เมืองนครศรีธรรมราช".replace("ำ", "\u0e4d\u0e32")
    split_am = "อ.ถ\u0e49\u0e4d\u0e32พรรณรา"  # ถ้ำพรรณรา with ำ typed as ํ + า
    rows = [["T-1", "ถนน", "อบต.", "", "ถนน", 2569, 100, typed],
            ["T-2", "น\u0e4d\u0e32ประปา", "อบต.", "", "น้ำ", 2569, 100, split_am]]
    projects, _, problems = _read(agency_sheet(tmp_path / "t.xlsx", rows), nst)
    assert projects.at["T-2", "name_th"] == "นำประปา"
    assert projects.at["T-2", "area_codes"] == ["8018"]
    assert problems.message_en.str.contains("ำ typed as").any()


def test_dates_and_long_numbers_in_the_year_column(tmp_path, nst):
    import datetime as dt

    rows = [["Y-1", "ถนน", "อบต.", "", "ถนน", dt.datetime(2025, 10, 1), 100, AREA],
            ["Y-2", "ฝาย", "อบต.", "", "น้ำ", dt.datetime(2025, 9, 30), 100, AREA],
            ["Y-3", "ประปา", "อบต.", "", "น้ำ", 25690, 100, AREA]]
    projects, _, problems = _read(agency_sheet(tmp_path / "y.xlsx", rows), nst)
    assert projects.at["Y-1", "fiscal_year"] == 2569 and projects.at["Y-2", "fiscal_year"] == 2568
    assert projects.fiscal_year.isna()["Y-3"]
    p = problems.set_index("row")
    assert "a date in the fiscal-year column" in p.at[4, "message_en"]
    assert "25690 is not a four-digit year" in p.at[6, "message_en"]


def test_a_formula_without_a_saved_value_is_said(tmp_path, nst):
    path = agency_sheet(tmp_path / "f.xlsx", [["F-1", "ถนน", "อบต.", "", "ถนน", 2569, "=1000*5", AREA]])
    from openpyxl import load_workbook

    book = load_workbook(path)
    book.active["G4"].data_type = "f"  # a live formula, saved by a program that never calculated it
    book.save(path)
    _, _, problems = _read(path, nst)
    assert problems.message_en.str.contains("formula but no saved value, read as blank: G4").any()


def test_control_characters_in_names_do_not_break_the_outputs(tmp_path, capsys):
    path = tmp_path / "k.csv"  # Excel refuses such characters; exports from other systems carry them
    path.write_text("รหัสโครงการ,ชื่อโครงการ,หน่วยงาน,ปีงบประมาณ,งบประมาณ (บาท),พื้นที่ดำเนินการ\n"
                    f"K-1,ถนน\x0bสาย\x1b[31m ๑,อบต.\x07,2569,100,{AREA}\n", encoding="utf-8")
    assert main(["-q", "run", "--province", "80", "--projects", str(path), "--out", str(tmp_path / "o"),
                 "--no-atlas"]) == 0
    projects = pm.open_workspace(tmp_path / "o" / "workspace.gpkg").projects
    assert projects.name_th.tolist() == ["ถนนสาย[31m ๑"] and projects.agency.tolist() == ["อบต."]


def test_a_canal_longer_than_csvs_default_field_limit(tmp_path, nst):
    import shapely

    line = shapely.LineString([(99.95 + i * 1.234567e-6, 8.40 + (i % 7) * 1.1e-6) for i in range(6000)])
    wkt = shapely.to_wkt(line, rounding_precision=9)
    assert len(wkt) > 131_072
    path = tmp_path / "canal.csv"
    path.write_text("รหัสโครงการ,ชื่อโครงการ,หน่วยงาน,งบประมาณ (บาท),WKT (EPSG:4326)\n"
                    f'W-1,ขุดลอกคลอง,กรมชลประทาน,5000000,"{wkt}"\n', encoding="utf-8")
    projects, _, _ = _read(path, nst)
    assert projects.at["W-1", "geometry"].equals_exact(line, 1e-8)


def test_an_xls_is_never_called_a_gis_file(tmp_path, capsys):
    book = Workbook()
    book.active.append(["รหัสโครงการ", "ชื่อโครงการ"])
    junk = tmp_path / "old.xls"
    junk.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)  # OLE2, broken inside
    assert main(["-q", "validate", str(junk)]) == 2
    out = capsys.readouterr().out
    assert "GIS" not in out and "could not be read as xls" in out and "อ่านไฟล์ xls ไม่ได้" in out


def test_a_self_intersecting_footprint_is_repaired_and_reported_not_fatal(tmp_path, nst, capsys):
    bowtie = "POLYGON ((99.95 8.40, 100.00 8.45, 100.00 8.40, 99.95 8.45, 99.95 8.40))"
    overlapping = ("MULTIPOLYGON (((99.90 8.30, 99.95 8.30, 99.95 8.35, 99.90 8.35, 99.90 8.30)), "
                   "((99.93 8.33, 99.98 8.33, 99.98 8.38, 99.93 8.38, 99.93 8.33)))")
    path = tmp_path / "shapes.csv"
    path.write_text("รหัสโครงการ,ชื่อโครงการ,หน่วยงาน,งบประมาณ (บาท),WKT (EPSG:4326)\n"
                    f'G-1,ฝาย,ชป.,1000000,"{bowtie}"\nG-2,ป่าชุมชน,ทส.,500000,"{overlapping}"\n', encoding="utf-8")
    projects, report, problems = _read(path, nst)
    assert projects.geometry.is_valid.all() and report.rows_loaded == 2
    assert problems.message_en.str.contains("Self-intersection").any()
    assert main(["-q", "run", "--province", "80", "--projects", str(path), "--out", str(tmp_path / "o"),
                 "--no-atlas"]) == 0
    allocation = pm.open_workspace(tmp_path / "o" / "workspace.gpkg").allocation
    assert allocation.groupby("project_id").budget_thb.sum().round(2).to_dict() == {"G-1": 1e6, "G-2": 5e5}


def test_allocate_repairs_invalid_footprints_given_through_the_api(nst):
    import geopandas as gpd
    import shapely

    from planmap_gis import demo

    villages = pm.village_areas(demo.demo_villages(nst), nst)
    projects = demo.demo_projects(nst, demo.demo_villages(nst), n=3)
    projects = projects.set_geometry([shapely.from_wkt(
        "POLYGON ((99.95 8.40, 100.00 8.45, 100.00 8.40, 99.95 8.45, 99.95 8.40))")] * 3, crs=4326)
    allocation, report = pm.allocate(gpd.GeoDataFrame(projects), villages, return_report=True)
    assert report.count("warning") == 3 and allocation.groupby("project_id").share.sum().round(9).eq(1).all()


def test_data_behind_a_cover_sheet_is_read_with_sheet(tmp_path, capsys):
    path = agency_sheet(tmp_path / "cover.xlsx", [["V-1", "ถนน", "อบต.", "", "ถนน", 2569, 100, AREA]])
    from openpyxl import load_workbook

    book = load_workbook(path)
    book.active.title = "โครงการ"
    cover = book.create_sheet("ปก", 0)
    cover["A1"] = "แผนพัฒนาท้องถิ่น อบต.ท่างิ้ว"
    book.save(path)
    out = tmp_path / "o"
    assert main(["-q", "run", "--province", "80", "--projects", str(path), "--out", str(out), "--no-atlas"]) == 2
    assert "no header row found" in capsys.readouterr().err
    assert main(["-q", "run", "--province", "80", "--projects", str(path), "--sheet", "โครงการ",
                 "--out", str(out), "--no-atlas"]) == 0


def test_a_shapefile_without_its_dbf(tmp_path, nst):
    nst.head(3)[["tambon_code", "geometry"]].rename(columns={"tambon_code": "tam_code"}).to_file(tmp_path / "t.shp", engine="pyogrio")
    (tmp_path / "t.dbf").unlink()
    with pytest.raises(pm.InputFileError, match=r"\.dbf file is missing"):
        pm.read_boundaries(tmp_path / "t.shp")


def test_boundaries_in_utm_without_a_prj_need_boundaries_crs(tmp_path, nst, capsys):
    nst[["tambon_code", "geometry"]].rename(columns={"tambon_code": "tam_code"}).to_crs(32647).to_file(tmp_path / "utm.shp", engine="pyogrio")
    (tmp_path / "utm.prj").unlink()
    sheet = agency_sheet(tmp_path / "p.xlsx", [["Z-1", "ถนน", "อบต.", "", "ถนน", 2569, 100, AREA]])
    command = ["-q", "run", "--boundaries", str(tmp_path / "utm.shp"), "--projects", str(sheet), "--no-atlas",
               "--out", str(tmp_path / "o")]
    assert main(command) == 2
    assert "no coordinate reference system" in capsys.readouterr().err
    assert main([*command, "--boundaries-crs", "EPSG:32647"]) == 0


def test_a_backwards_village_range_is_read_and_said(tmp_path, nst):
    villages = pm.read_villages  # the range needs only the boundary layer's tambon
    path = agency_sheet(tmp_path / "r.xlsx", [["R-1", "ถนน", "อบต.", "", "ถนน", 2569, 300,
                                               "ม.5-3 ต.ท่างิ้ว อ.เมืองนครศรีธรรมราช"]])
    projects, _, problems = _read(path, nst)
    assert len(projects.at["R-1", "area_codes"]) == 3 and villages
    assert problems.message_en.str.contains("runs backwards; read as 3-5").any()


def test_a_damaged_workspace_is_a_message(tmp_path, capsys):
    broken = tmp_path / "workspace.gpkg"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x13" * 3000)
    assert main(["-q", "webmap", str(broken), "--out", str(tmp_path / "m.html")]) == 2
    err = capsys.readouterr().err
    assert "not a readable workspace" in err and "อ่านพื้นที่ทำงานไม่ได้" in err


def test_one_percent_cell_in_a_column_of_fractions_is_named_not_rescaling_all(tmp_path):
    path = tmp_path / "bmn.csv"
    path.write_text("รหัสหมู่บ้าน,ครัวเรือน,จปฐ. ตัวชี้วัดที่ 1\n80010101,10,0.85\n80010102,10,0.9\n"
                    "80010103,10,87.5\n80010104,10,0.7\n",
                    encoding="utf-8")
    indicators, report = pm.read_indicators(path)
    column = [c for c in indicators.columns if c.startswith("bmn_")][0]
    assert indicators[column].tolist()[:2] == [0.85, 0.9] and indicators[column].isna().tolist() == [
        False, False, True, False]
    named = report.problems[report.problems.row == 4]
    assert "written as percent in a column of the other scale" in named.message_en.iloc[0]


def _two_row_header(path, rows, *, with_year):
    book = Workbook()
    sheet = book.active
    top = ["รหัสโครงการ", "ชื่อโครงการ", "หน่วยงาน", *(["ปีงบประมาณ"] if with_year else []),
           "งบประมาณ (บาท)", None, None, "พื้นที่ดำเนินการ"]
    sheet.append(top)
    money = top.index("งบประมาณ (บาท)") + 1
    sheet.merge_cells(start_row=1, end_row=1, start_column=money, end_column=money + 2)
    sheet.append([None] * (money - 1) + [2568, 2569, 2570])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_merged_header_with_a_budget_per_year_uses_the_rows_year(tmp_path, nst):
    rows = [["M-1", "ถนน", "อบต.", 2569, 100, 200, 300, AREA],
            ["M-2", "ฝาย", "อบต.", 2570, 1, 2, 3, AREA]]
    projects, report, problems = _read(_two_row_header(tmp_path / "m.xlsx", rows, with_year=True), nst)
    assert projects.budget_thb.to_dict() == {"M-1": 200, "M-2": 3}  # not the first year's column
    assert problems.message_en.str.contains(r"two-row header \(rows 1–2\)").any()


def test_a_row_over_several_years_becomes_one_project_per_year(tmp_path, nst):
    rows = [["N-1", "ถนน", "อบต.", 100, 200, None, AREA], ["N-2", "ฝาย", "อบต.", None, 50, None, AREA]]
    projects, report, problems = _read(_two_row_header(tmp_path / "n.xlsx", rows, with_year=False), nst)
    assert projects.budget_thb.to_dict() == {"N-1/2568": 100, "N-1/2569": 200, "N-2": 50}
    assert projects.fiscal_year.to_dict() == {"N-1/2568": 2568, "N-1/2569": 2569, "N-2": 2569}
    assert problems.message_en.str.contains("loaded as one project per year").sum() == 1
    assert report.balanced() and report.rows_loaded == 3


def test_baht_per_area_with_thousands_separators_are_shares_not_split(tmp_path, nst):
    cell = "ต.ท่างิ้ว อ.เมืองนครศรีธรรมราช 600,000 บาท, ต.ท่าซัก อ.เมืองนครศรีธรรมราช 400,000 บาท"
    path = agency_sheet(tmp_path / "a.xlsx", [["A-1", "ถนน", "อบต.", "", "ถนน", 2569, 1_000_000, cell]])
    projects, _, problems = _read(path, nst)
    assert len(projects.at["A-1", "area_codes"]) == 2
    assert [round(x, 6) for x in projects.at["A-1", "area_shares"]] == [0.6, 0.4]
    assert not problems.message_en.str.contains("000").any()  # no "000 บาท" left over as a place
