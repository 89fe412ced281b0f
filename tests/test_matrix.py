"""The integration matrix, on the hand-made 2-tambon / 5-village layout (tests/layout.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

import planmap_gis as pm
from planmap_gis.draw.matrix_book import DUPLICATION_FILL, GAP_FILL, HEADER_ROW
from tests import layout


def cells(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(project id, area) of the True cells."""
    stacked = frame.droplevel(list(range(1, frame.index.nlevels))).stack()
    return stacked[stacked.astype(bool)].index.tolist()


def projects() -> gpd.GeoDataFrame:
    """A and B: two agencies, same sector and year in tambon 990101 (duplication);
    C: another sector over both tambons with explicit shares; D: one village of 990102."""
    base = {"name_en": None, "tier": "regional", "budget_layer": 2, "strategy": "1 เกษตร",
            "fiscal_year": 2569, "status": None, "management_unit": None, "facilitator": None,
            "area_shares": None, "location_precision": "tambon", "source_file": "t", "source_sheet": None,
            "source_row": 1, "geometry": None}
    rows = [
        {"project_id": "A", "name_th": "ฝายเกษตร", "agency": "เกษตรจังหวัด", "sector": "เกษตร",
         "budget_thb": 400.0, "area_codes": ["990101"]},
        {"project_id": "B", "name_th": "แปลงสาธิต", "agency": "พัฒนาที่ดิน", "sector": "เกษตร",
         "budget_thb": 100.0, "area_codes": ["99010102"], "location_precision": "village"},
        {"project_id": "C", "name_th": "คัดกรองสุขภาพ", "agency": "สาธารณสุขจังหวัด", "sector": "สาธารณสุข",
         "budget_thb": 1000.0, "area_codes": ["990101", "990102"], "area_shares": [0.3, 0.7],
         "tier": "local", "budget_layer": 3},
        {"project_id": "D", "name_th": "ถนน", "agency": "อบต.สอง", "sector": "โครงสร้างพื้นฐาน",
         "budget_thb": 50.0, "area_codes": ["99010201"], "location_precision": "village"},
    ]
    return gpd.GeoDataFrame([{**base, **r} for r in rows], geometry="geometry", crs=4326)


@pytest.fixture(scope="module")
def plan():
    return pm.analyse(layout.tambons(), projects(), villages=layout.villages(), permutations=9)


def test_projects_by_areas_with_marks_and_budgets(plan):
    marks = pm.integration_matrix(plan, by="tambon")
    assert marks.index.names == ["project_id", "name_th", "agency", "tier", "budget_layer", "strategy",
                                 "sector", "fiscal_year"]
    assert marks.columns.tolist() == ["990101", "990102"]
    assert marks.droplevel(list(range(1, 8))).to_dict("index") == {
        "A": {"990101": True, "990102": False}, "B": {"990101": True, "990102": False},
        "C": {"990101": True, "990102": True}, "D": {"990101": False, "990102": True}}
    budget = pm.integration_matrix(plan, by="tambon", values="budget").droplevel(list(range(1, 8)))
    assert budget.loc["C"].tolist() == pytest.approx([300.0, 700.0])
    assert budget.sum().sum() == pytest.approx(plan.allocation.budget_thb.sum())
    village = pm.integration_matrix(plan, by="village", within="990102")
    assert village.index.get_level_values("project_id").tolist() == ["C", "D"]
    assert village.columns.tolist() == ["99010201", "99010202", "99010203"]


def test_a_project_without_budget_is_marked_but_has_no_baht():
    # Work in kind (no budget given): marked where it works, its baht blank, never 0.
    rows = projects()
    rows.loc[rows["project_id"] == "D", "budget_thb"] = None
    plan = pm.analyse(layout.tambons(), rows, villages=layout.villages(), permutations=0)
    marks = pm.integration_matrix(plan, by="tambon").droplevel(list(range(1, 8)))
    budget = pm.integration_matrix(plan, by="tambon", values="budget").droplevel(list(range(1, 8)))
    assert marks.loc["D"].tolist() == [False, True]
    assert budget.loc["D"].isna().all() and budget.loc["C"].tolist() == pytest.approx([300.0, 700.0])


def test_duplication_is_two_agencies_same_sector_year_and_area(plan):
    assert cells(pm.duplicated_cells(plan, by="tambon")) == [("A", "990101"), ("B", "990101")]
    assert cells(pm.duplicated_cells(plan, by="village")) == [("A", "99010102"), ("B", "99010102")]


def test_long_form_holds_the_marked_cells_only_and_slices_like_the_whole(plan):
    rows, units, marked = pm.matrix_cells(plan, by="village")
    assert rows["project_id"].tolist() == ["A", "B", "C", "D"] and len(units) == 5
    pairs = {(rows["project_id"].iloc[r], units[c]): (b, d) for r, c, b, d in marked.itertuples(index=False)}
    expected = plan.allocation.groupby(["project_id", "village_code"])["budget_thb"].sum()
    assert {k: pytest.approx(v) for k, v in expected.items()} == {k: v[0] for k, v in pairs.items()}
    assert {k for k, v in pairs.items() if v[1]} == {("A", "99010102"), ("B", "99010102")}
    assert marked[["row", "column"]].apply(tuple, axis=1).is_monotonic_increasing
    part_rows, part_units, part = pm.matrix_cells(plan, by="village", within="990102")
    assert part_rows["project_id"].tolist() == ["C", "D"]  # only the projects working there
    assert part_units == ["99010201", "99010202", "99010203"]
    sliced = {(part_rows["project_id"].iloc[r], part_units[c]): (b, d) for r, c, b, d in part.itertuples(index=False)}
    assert sliced == {k: v for k, v in pairs.items() if k[1].startswith("990102")}
    with pytest.raises(pm.PlanmapError):
        pm.matrix_cells(plan, by="tambon", within="99010201")  # a village is finer than the level


def test_cross_tabs_and_gaps(plan):
    tabs = pm.cross_tabs(plan)
    count = tabs["agency_strategy_layer_count"]
    assert count.loc[("รวม", "รวม"), "รวม"] == 4
    assert tabs["agency_strategy_layer_budget"].loc[("รวม", "รวม"), "รวม"] == 1550
    sector = tabs["sector_amphoe_budget"]
    assert sector.loc["เกษตร", "9901"] == 500 and sector.loc["รวม", "รวม"] == pytest.approx(1550)
    gaps = pm.gap_table(plan)
    assert gaps.empty  # every village is in a tambon some project targets


def test_no_project_means_the_same_everywhere():
    """Villages with no project: one rule (amphoe- and province-wide programmes do not count) and
    one number in the summary, the matrix's gap sheet, the tables and the atlas pages."""
    from planmap_gis import demo
    from planmap_gis.draw.printed.maps import _summary_lines, priority_villages

    data = demo.load()
    areas = pm.village_areas(data.villages, data.tambons)
    plan = pm.analyse(data.tambons, data.projects, villages=areas, indicators=data.indicators, permutations=0)
    village = plan.metrics["village"]
    alloc = plan.allocation
    aimed = alloc[~alloc.location_precision.isin(["province", "amphoe"])]
    expected = len(set(village.index) - set(aimed.village_code))
    assert 0 < expected < len(village)
    assert (village.n_targeted_projects == 0).sum() == expected
    assert (pm.gap_table(plan).level == "village").sum() == expected
    assert f"villages with no project: {expected} " in plan.summary()
    pages = 0
    for code in plan.amphoes.amphoe_code:
        text = "\n".join(_summary_lines(plan, code, "x", priority_villages(plan, code), []))
        pages += int(text.split("หมู่บ้านที่ไม่มีโครงการ ")[1].split()[0])
    assert pages == expected


@pytest.fixture(scope="module")
def book(plan, tmp_path_factory):
    return pm.save_matrix(plan, tmp_path_factory.mktemp("matrix") / "matrix.xlsx")


def _grid(sheet) -> tuple[dict[str, int], dict[str, int]]:
    header = {str(c.value): c.column for c in sheet[HEADER_ROW] if c.value is not None}
    rows = {str(sheet.cell(r, 1).value): r for r in range(HEADER_ROW + 1, sheet.max_row + 1)
            if sheet.cell(r, 1).value}
    return header, rows


def test_workbook_sheets_frozen_panes_and_print_setup(book):
    wb = load_workbook(book)
    assert wb.sheetnames[:3] == ["อ่านก่อน", "จังหวัด", "อ.ทดสอบ"]
    assert {"ช่องว่าง", "ซ้ำซ้อน", "หน่วยงาน×ยุทธศาสตร์ (จำนวน)", "ด้าน×อำเภอ (บาท)"} <= set(wb.sheetnames)
    district = wb["อ.ทดสอบ"]
    header, _ = _grid(district)
    assert "ชื่อโครงการ" in header and "หน่วยงาน" in header and "ต.หนึ่ง (990101)" in header
    first_area = header["ต.หนึ่ง (990101)"]
    assert district.freeze_panes == f"{get_column_letter(first_area)}{HEADER_ROW + 1}"
    assert district.page_setup.orientation == "landscape" and int(district.page_setup.paperSize) == 8


def test_totals_equal_the_allocation_and_highlights_sit_on_duplication(plan, book, tmp_path):
    wb = load_workbook(book)
    sheet = wb["อ.ทดสอบ"]
    header, rows = _grid(sheet)
    columns = {"990101": header["ต.หนึ่ง (990101)"], "990102": header["ต.สอง (990102)"]}
    name_col = header["ชื่อโครงการ"]
    totals = {sheet.cell(r, name_col).value: r for r in range(HEADER_ROW + 1, sheet.max_row + 1)}
    per_tambon = plan.allocation.groupby("tambon_code").budget_thb.sum()
    for code, col in columns.items():
        # Exact baht in the cell, shown in millions: a marks sheet's area columns are too narrow for baht.
        budget_total = sheet.cell(totals["รวมงบประมาณ (ล้านบาท)"], col)
        assert budget_total.value == pytest.approx(per_tambon[code]) and budget_total.number_format == "#,##0.0,,"
        assert sheet.cell(totals["รวม"], col).value == plan.allocation[
            plan.allocation.tambon_code == code].project_id.nunique()
    assert sheet.cell(rows["C"], header["รวม (พื้นที่)"]).value == 2
    filled = {(pid, code) for pid, r in rows.items() for code, col in columns.items()
              if sheet.cell(r, col).fill.fgColor.rgb == "00" + DUPLICATION_FILL}
    assert filled == {("A", "990101"), ("B", "990101")}
    assert sheet.cell(rows["A"], columns["990101"]).value == "✓"

    budget_book = load_workbook(pm.save_matrix(plan, tmp_path / "budget.xlsx", values="budget"))
    b = budget_book["อ.ทดสอบ"]
    header, rows = _grid(b)
    assert b.cell(rows["C"], columns["990102"]).value == pytest.approx(700.0)
    assert b.cell(rows["C"], header["รวม (บาท)"]).value == pytest.approx(1000.0)


def test_a_district_with_no_project_has_its_header_marked_as_a_gap(tmp_path):
    few = projects()
    few = few[few.project_id.isin(["A", "B"])]
    plan = pm.analyse(layout.tambons(), few, villages=layout.villages(), permutations=9)
    sheet = load_workbook(pm.save_matrix(plan, tmp_path / "m.xlsx"))["อ.ทดสอบ"]
    header, _ = _grid(sheet)
    assert sheet.cell(HEADER_ROW, header["ต.สอง (990102)"]).fill.fgColor.rgb == "00" + GAP_FILL
    assert sheet.cell(HEADER_ROW, header["ต.หนึ่ง (990101)"]).fill.fgColor.rgb != "00" + GAP_FILL


def test_the_matrix_reads_back_as_a_wide_project_sheet(plan, book):
    for sheet, by in (("จังหวัด", "amphoe"), ("อ.ทดสอบ", "tambon")):
        back, report = pm.read_projects(book, sheet=sheet, boundaries=plan.tambons)
        pairs = {(p, c) for p, codes in zip(back.project_id, back.area_codes, strict=True) for c in codes}
        assert pairs == set(cells(pm.integration_matrix(plan, by=by)))
        assert report.balanced() and report.rows_loaded == 4
        back = back.set_index("project_id")
        assert back.loc["C", "tier"] == "local" and back.loc["C", "budget_layer"] == 3
        assert back.loc["C", "budget_thb"] == 1000


def test_nst_demo_matrix_round_trip(nst_path, tmp_path):
    data = pm.demo.load(boundaries=nst_path)
    plan = pm.analyse(data.tambons, data.projects, villages=pm.village_areas(data.villages, data.tambons),
                      permutations=9)
    path = pm.save_matrix(plan, tmp_path / "nst.xlsx")
    for sheet, by, within in (("จังหวัด", "amphoe", None), ("อ.ชะอวด", "tambon", "8007")):
        back, report = pm.read_projects(path, sheet=sheet, boundaries=plan.tambons)
        marks = pm.integration_matrix(plan, by=by, within=within)
        pairs = {(p, c) for p, codes in zip(back.project_id, back.area_codes, strict=True) for c in codes}
        assert pairs == set(cells(marks))
        assert report.rows_loaded == int(marks.any(axis=1).sum()) and report.balanced()
    assert len(load_workbook(path, read_only=True).sheetnames) == 1 + 1 + 23 + 2 + 4
    assert isinstance(pd.read_excel(path, sheet_name="ช่องว่าง", header=HEADER_ROW - 1, engine="calamine"), pd.DataFrame)


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice") and not os.environ.get("CI"), reason="LibreOffice not installed")
def test_the_matrix_prints_like_a_document(tmp_path):
    """LibreOffice prints every sheet with its title, the date, the sheet name and 'page x of y';
    years read 2569 and baht are whole; every project sheet has an autofilter."""
    from openpyxl import load_workbook

    from planmap_gis import demo

    data = demo.load()
    areas = pm.village_areas(data.villages, data.tambons)
    plan = pm.analyse(data.tambons, data.projects, villages=areas, indicators=data.indicators, permutations=0)
    path = pm.save_matrix(plan, tmp_path / "matrix.xlsx")
    book = load_workbook(path)
    for name in ["จังหวัด", *[n for n in book.sheetnames if n.startswith("อ.")]]:
        assert book[name].auto_filter.ref and book[name].auto_filter.ref.startswith("A5:")
    dup = book["ซ้ำซ้อน"]
    header = {c.value: c.column for c in dup[5]}
    year = dup.cell(6, header["ปีงบประมาณ"])
    assert year.value == 2569 or year.value in (2568, 2570)
    assert year.number_format == "0"
    money = dup.cell(6, header["งบประมาณ (บาท)"])
    assert float(money.value).is_integer() and money.number_format == "#,##0"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=300)
    text = subprocess.run(["pdftotext", str(tmp_path / "matrix.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    numbers = {tuple(map(int, m)) for m in re.findall(r"หน้า (\d+) จาก (\d+)", text)}
    total = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(tmp_path / "matrix.pdf")], capture_output=True, text=True).stdout).group(1))
    # Every printed page carries its number (LibreOffice 7.4 may add one empty page to a long
    # sheet in a long book; it prints nothing on it).
    blank = {page for page in range(1, total + 1) if not subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), str(tmp_path / "matrix.pdf"), "-"],
        capture_output=True, text=True).stdout.strip()}
    assert len(blank) <= 1
    assert numbers == {(page, total) for page in range(1, total + 1)} - {(page, total) for page in blank}
    assert "แผ่นงาน ซ้ำซ้อน" in text and "จัดทำเมื่อ" in text
    # A year printed as money ("2,569"), not a sum that happens to hold those digits ("12,569,000").
    assert not re.search(r"(?<![\d,])2,56[89](?![\d,])", text)


def test_a_repeated_label_needing_a_repair_is_said_on_each_row(tmp_path, caplog):
    """Labels are rendered once per distinct value, but a value that needed a repair is rendered,
    and said, on every row that holds it."""
    frame = projects()
    frame["agency"] = ["กรม\x07ทดสอบ", "กรม\x07ทดสอบ", "สาธารณสุขจังหวัด", "สาธารณสุขจังหวัด"]
    plan = pm.analyse(layout.tambons(), frame, villages=layout.villages(), permutations=0)
    with caplog.at_level("WARNING", logger="planmap_gis"):
        book = load_workbook(pm.save_matrix(plan, tmp_path / "m.xlsx"))
    said = [r.getMessage() for r in caplog.records if "matrix labels" in r.getMessage()]
    assert said == [f"XLSX output: matrix labels, project table, row {r}: control characters removed" for r in (2, 3)]
    sheet = book["อ.ทดสอบ"]
    header, rows = _grid(sheet)
    agencies = [sheet.cell(rows[p], header["หน่วยงาน"]).value for p in "ABCD"]
    assert agencies == ["กรมทดสอบ", "กรมทดสอบ", "สาธารณสุขจังหวัด", "สาธารณสุขจังหวัด"]


def test_cell_sums_run_by_run_equal_pandas_grouping():
    """Pairs in runs (an allocation's order) are summed run by run; pairs met again later, or a
    blank budget, go to pandas: every way the same figures, in order of first appearance."""
    from planmap_gis.draw.matrix import _cell_sums

    rng = np.random.default_rng(2)
    runs = np.repeat(rng.permutation(200), rng.integers(1, 6, 200)).astype(np.int64)
    budget = rng.random(len(runs)) * 1e6 / 7
    later = np.r_[runs, runs[:3]]  # a pair met again after other pairs
    blank = budget.copy()
    blank[[0, 5]] = np.nan
    for pair, values in ((runs, budget), (later, np.r_[budget, budget[:3]]), (runs, blank), (runs[:0], budget[:0])):
        expected = pd.Series(values).groupby(pair, sort=False).sum(min_count=1)
        where, sums = _cell_sums(pair, values)
        assert where.tolist() == expected.index.tolist()
        np.testing.assert_array_equal(sums, expected.to_numpy())  # to the bit, NaN where all are blank
