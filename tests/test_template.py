"""The workshop template: every agency fills the same workbook, the data team reads a folder of them."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis.cli import main
from planmap_gis.read.template import PROJECT_FIELDS, Stamp, template_stamp

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(not SOFFICE and not os.environ.get("CI"),
                                   reason="LibreOffice not installed (make test installs it)")
COLUMN = {f.key: openpyxl.utils.get_column_letter(i) for i, f in enumerate(PROJECT_FIELDS, start=1)}


@pytest.fixture(scope="module")
def nst():
    return demo.load()  # packaged layer, illustrative projects of 25 agencies


@pytest.fixture(scope="module")
def blank(nst, tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "แบบฟอร์ม.xlsx"
    return pm.template(path, province=80, agency="สำนักงานเกษตรจังหวัด", year=2569)


@pytest.fixture(scope="module")
def returned(nst, tmp_path_factory):
    """The demo's 300 projects, each agency's in its own pre-filled template, in one folder."""
    folder = tmp_path_factory.mktemp("returned")
    for number, (agency, group) in enumerate(nst.projects.groupby("agency", sort=True), start=1):
        pm.template(folder / f"{number:02d}.xlsx", boundaries=nst.tambons, agency=agency, year=2569,
                    projects=group)
    return folder


def _soffice(source: Path, fmt: str, folder: Path, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{folder}/profile",
                           "--convert-to", fmt, "--outdir", str(folder), str(source)],
                          capture_output=True, text=True, timeout=240, check=False)
    out = folder / (name or f"{source.stem}.{fmt.split(':')[0]}")
    assert out.is_file(), done.stdout + done.stderr
    return out


def test_the_projects_sheet_is_frozen_protected_and_validated(blank):
    book = openpyxl.load_workbook(blank)
    assert book.sheetnames == ["วิธีกรอก", "โครงการ", "อ้างอิง"]
    sheet = book["โครงการ"]
    assert [c.value for c in sheet[1]] == [f.th for f in PROJECT_FIELDS]
    assert [c.value for c in sheet[2]] == [f.en for f in PROJECT_FIELDS]
    assert sheet.freeze_panes == "C3" and sheet.protection.sheet
    assert sheet["A1"].protection.locked and not sheet["A3"].protection.locked
    checks = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    expected = {"tier": "list", "budget_layer": "list", "sector": "list", "fiscal_year": "list",
                "amphoe": "list", "tambon": "list", "moo": "whole", "budget_thb": "decimal", "lat": "decimal",
                "lon": "decimal", "status": "list"}
    for key, kind in expected.items():
        dv = checks[f"{COLUMN[key]}3:{COLUMN[key]}1002"]
        assert dv.type == kind and dv.showErrorMessage and dv.errorStyle == "stop", key
    assert checks[f"{COLUMN['budget_thb']}3:{COLUMN['budget_thb']}1002"].operator == "greaterThanOrEqual"
    lat = checks[f"{COLUMN['lat']}3:{COLUMN['lat']}1002"]
    assert 7.5 < float(lat.formula1) < float(lat.formula2) < 9.5  # Nakhon Si Thammarat, not Thailand


def test_the_stamp_is_hidden_and_says_what_the_file_is(blank):
    book = openpyxl.load_workbook(blank)
    names = book.defined_names
    assert names["planmap_template"].hidden and names["planmap_template"].attr_text == '"projects"'
    assert template_stamp(blank) == Stamp("projects", 1, "80", "สำนักงานเกษตรจังหวัด", 2569)


def test_the_reference_sheet_lists_every_amphoe_and_tambon_of_the_packaged_layer(blank):
    tambons, _ = pm.read_boundaries(province=80)
    book = openpyxl.load_workbook(blank)
    listed = [v for (v,) in _rows(book, "L_tambon")]
    assert len(listed) == len(tambons) == 170
    assert {v.split()[0] for v in listed} == set(tambons.tambon_code)
    assert len(_rows(book, "L_amphoe")) == 23


def _cells(book, name):
    for sheet, ref in book.defined_names[name].destinations:
        yield from book[sheet][ref.replace("$", "")] if ":" in ref else [[book[sheet][ref.replace("$", "")]]]


def _rows(book, name):
    return [[c.value for c in row] for row in _cells(book, name)]


def test_the_tambon_list_follows_the_amphoe_chosen(blank):
    """Evaluate the validation formula's named range for every amphoe, as a spreadsheet would."""
    tambons, _ = pm.read_boundaries(province=80)
    book = openpyxl.load_workbook(blank)
    sheet = book["โครงการ"]
    tambon_check = next(dv for dv in sheet.data_validations.dataValidation
                        if str(dv.sqref).startswith(COLUMN["tambon"]))
    formula = tambon_check.formula1
    assert formula == f'INDIRECT("T_"&LEFT(${COLUMN["amphoe"]}3,4))'
    prefix, length = re.fullmatch(r'INDIRECT\("(\w+)"&LEFT\(\$\w+3,(\d)\)\)', formula).groups()
    for (choice,) in _rows(book, "L_amphoe"):
        name = prefix + choice[: int(length)]  # what INDIRECT looks up for this amphoe
        offered = [v for (v,) in _rows(book, name)]
        expected = tambons[tambons.amphoe_code == choice[:4]].sort_values("tambon_code")
        assert offered == [f"{c} {n}" for c, n in zip(expected.tambon_code, expected.tambon_th, strict=True)]


@needs_soffice
def test_libreoffice_opens_the_template_and_resolves_the_dependent_list(blank, tmp_path):
    pdf = _soffice(blank, "pdf", tmp_path / "pdf")
    assert pdf.stat().st_size > 10_000
    probe = tmp_path / "probe.xlsx"
    book = openpyxl.load_workbook(blank)
    sheet = book["โครงการ"]
    sheet["K3"] = "8007 ชะอวด"
    sheet["L3"] = '=COUNTA(INDIRECT("T_"&LEFT(K3,4)))'  # the validation's own expression
    sheet["M3"] = '=INDEX(INDIRECT("T_"&LEFT(K3,4)),1)'
    book.save(probe)
    # every sheet to CSV, formulas evaluated by LibreOffice
    out = _soffice(probe, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                   tmp_path / "csv", name="probe-โครงการ.csv")
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[2][10:13] == ["8007 ชะอวด", "11", "800701 ชะอวด"]


def test_a_folder_of_returned_templates_reads_back_to_the_same_300_projects(nst, returned):
    projects, reports = pm.read_project_files([returned], boundaries=nst.tambons)
    assert len(reports) == 25 and len(projects) == 300
    before = nst.projects.set_index("project_id").sort_index()
    after = projects.set_index("project_id").sort_index()
    same = ["name_th", "name_en", "agency", "tier", "budget_layer", "strategy", "sector", "fiscal_year",
            "budget_thb", "status", "management_unit", "facilitator", "location_precision"]
    pd.testing.assert_frame_equal(after[same], before[same], check_dtype=False)
    assert after.area_codes.map(list).equals(before.area_codes.map(list))
    located = before.geometry.notna()
    assert located.sum() == 72 and after.geometry[located].geom_equals_exact(before.geometry[located], 1e-6).all()
    table = pm.submissions(reports, projects)
    assert len(table) == 25
    assert set(table.agency) == set(nst.projects.agency)
    assert (table.loaded == table.rows).all() and table.loaded.sum() == 300 and (table.problems == 0).all()
    assert (table.template == "v1").all() and table.last_modified.str.match(r"\d{4}-\d\d-\d\d \d\d:\d\d").all()


def test_a_value_outside_a_list_is_an_error_naming_sheet_cell_and_allowed_values(nst, returned, tmp_path):
    book = openpyxl.load_workbook(returned / "01.xlsx")
    sheet = book["โครงการ"]
    sheet[f"{COLUMN['tier']}3"] = "ส่วนกลางฯ"          # pasted over the dropdown
    sheet[f"{COLUMN['amphoe']}4"] = "8001 เมืองนครศรีธรรมราช"
    sheet[f"{COLUMN['tambon']}4"] = "800701 ชะอวด"     # a tambon of another amphoe
    sheet[f"{COLUMN['area_list']}4"] = None
    sheet[f"{COLUMN['budget_thb']}5"] = "หนึ่งล้าน"
    book.save(tmp_path / "edited.xlsx")
    projects, report = pm.read_projects(tmp_path / "edited.xlsx", boundaries=nst.tambons)
    errors = report.problems[report.problems.severity == "error"].set_index("row")
    assert report.rows_rejected == 3 and report.balanced()
    assert "sheet 'โครงการ', cell E3" in errors.loc[3, "message_en"]
    assert "allowed: ส่วนกลาง, ส่วนภูมิภาค, ส่วนท้องถิ่น, ภาคประชาชน" in errors.loc[3, "message_en"]
    assert "ช่อง E3" in errors.loc[3, "message_th"]
    assert f"cell {COLUMN['tambon']}4" in errors.loc[4, "message_en"]
    allowed = errors.loc[4, "message_en"].split("allowed: ")[1]
    assert allowed.startswith("800101 ในเมือง, 800102 ท่าวัง") and "800701" not in allowed
    assert f"cell {COLUMN['budget_thb']}5" in errors.loc[5, "message_en"]


@needs_soffice
def test_a_template_saved_again_by_libreoffice_is_still_read_strictly(nst, returned, tmp_path):
    original, _ = pm.read_projects(returned / "03.xlsx", boundaries=nst.tambons)
    for fmt in ("xlsx", "ods"):
        copy = _soffice(returned / "03.xlsx", fmt, tmp_path / fmt)
        assert template_stamp(copy) is not None
        again, report = pm.read_projects(copy, boundaries=nst.tambons)
        assert "planmap projects template" in report.problems.message_en.iloc[0]
        assert again.project_id.tolist() == original.project_id.tolist()
        assert again.budget_thb.tolist() == original.budget_thb.tolist()


def test_an_id_clash_between_agencies_names_both_files(nst, returned, tmp_path):
    shutil.copy(returned / "04.xlsx", tmp_path / "a.xlsx")
    shutil.copy(returned / "04.xlsx", tmp_path / "b.xlsx")
    projects, reports = pm.read_project_files([tmp_path], boundaries=nst.tambons)
    clash = reports["b.xlsx"].problems.query("severity == 'error'").message_en.iloc[0]
    assert str(tmp_path / "a.xlsx") in clash and str(tmp_path / "b.xlsx") in clash and "(row 3)" in clash
    assert reports["b.xlsx"].rows_rejected == reports["b.xlsx"].rows_in == 12


def test_planmap_template_and_a_run_over_the_folder(nst, returned, tmp_path, capsys):
    out = tmp_path / "แบบฟอร์ม.xlsx"
    assert main(["template", "--province", "80", "--agency", "สำนักงานประมงจังหวัด", "--year", "2569",
                 "--out", str(out)]) == 0
    assert template_stamp(out).agency == "สำนักงานประมงจังหวัด"
    assert main(["template", "--province", "80", "--out", str(out)]) == 2  # may hold an agency's rows
    assert "--replace" in capsys.readouterr().err
    assert main(["template", "--province", "80", "--facilitators", "--out", str(tmp_path / "reg.xlsx")]) == 0
    (returned / "~$01.xlsx").write_bytes(b"lock")
    try:
        code = main(["--quiet", "run", "--province", "80", "--projects", str(returned), "--out",
                     str(tmp_path / "run"), "--no-atlas"])
    finally:
        (returned / "~$01.xlsx").unlink()
    assert code == 0
    screen = capsys.readouterr().out
    assert "01.xlsx — " in screen and "12 rows, 12 loaded, 0 rejected, 0 problems" in screen
    assert "~$01.xlsx" in screen and "not read" in screen
    submitted = pd.read_excel(tmp_path / "run" / "import_report.xlsx", sheet_name="submissions", engine="calamine")
    assert len(submitted) == 26 and submitted.loaded.sum() == 300


def test_validate_reads_a_folder_and_knows_a_register_template(returned, tmp_path, capsys):
    assert main(["--quiet", "validate", str(returned), "--province", "80"]) == 0
    screen = capsys.readouterr().out
    assert screen.count("(projects) — ") == 25 and "clean" in screen
    register = pm.template(tmp_path / "ทะเบียน.xlsx", province=80, facilitators=True)
    assert main(["--quiet", "validate", str(register)]) == 0
    assert "(facilitators) — " in capsys.readouterr().out


def test_a_template_whose_columns_were_moved_stops_with_the_fix(returned, tmp_path):
    book = openpyxl.load_workbook(returned / "02.xlsx")
    sheet = book["โครงการ"]
    sheet.protection.sheet = False
    sheet.delete_cols(3)  # the English name column, deleted by hand
    book.save(tmp_path / "moved.xlsx")
    with pytest.raises(pm.SchemaError, match=r"cell C1 should be the header 'ชื่อโครงการ \(อังกฤษ\)'.*fresh template"):
        pm.read_projects(tmp_path / "moved.xlsx")


def test_hidden_rows_and_formulas_in_a_template_are_said(nst, returned, tmp_path):
    book = openpyxl.load_workbook(returned / "05.xlsx")
    sheet = book["โครงการ"]
    sheet.row_dimensions[4].hidden = True  # cancelled, as in any agency sheet: not loaded
    sheet["B5"] = '=HYPERLINK("http://example.com","x")'  # a formula Excel never calculated
    book.save(tmp_path / "hidden.xlsx")
    projects, report = pm.read_projects(tmp_path / "hidden.xlsx", boundaries=nst.tambons)
    assert len(projects) == 10 and report.rows_rejected == 2 and report.balanced()
    problems = report.problems
    assert problems.query("row == 4 and severity == 'warning'").message_en.str.contains("hidden").any()
    assert problems.message_en.str.contains("formula but no saved value, read as blank: B5").any()
    assert problems.query("row == 5 and severity == 'error'").message_en.str.contains("no project name").any()
