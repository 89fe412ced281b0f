"""A returned folder is hostile too: one bad file never stops the others (issue 26)."""

from __future__ import annotations

import shutil

import openpyxl
import pandas as pd
import pyogrio
import pytest

import planmap_gis as pm
from planmap_gis.cli import main


def _sheet(path, rows, title="บัญชีโครงการ"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(["ชื่อโครงการ", "หน่วยงาน", "งบประมาณ (บาท)", "ปีงบประมาณ", "อำเภอ", "ตำบล"])
    for row in rows:
        sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


@pytest.fixture()
def folder(tmp_path):
    returned = tmp_path / "returned"
    _sheet(returned / "เกษตร.xlsx", [["ฝาย", "เกษตร", 50_000, 2569, "เมืองนครศรีธรรมราช", "ท่างิ้ว"]])
    _sheet(returned / "ส่งช้า" / "ชลประทาน.xlsx", [["คลอง", "ชลประทาน", 70_000, 2569, "ชะอวด", "ชะอวด"]])
    (returned / "บันทึก.txt").write_text("ประชุมวันที่ 2 ส่งครบแล้ว\n", encoding="utf-8")
    openpyxl.Workbook().save(returned / "ว่าง.xlsx")
    pm.template(returned / "สงขลา.xlsx", province=90, agency="สำนักงานจังหวัดสงขลา", year=2569)
    return returned


def test_a_note_an_empty_workbook_and_another_provinces_template_are_skipped(folder, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["-q", "run", "--province", "80", "--projects", str(folder), "--out", str(out), "--no-atlas"])
    assert code == 0  # the others were analysed
    projects = pyogrio.read_dataframe(out / "workspace.gpkg", layer="projects")
    assert sorted(projects.name_th) == ["คลอง", "ฝาย"]  # the sub-folder's file too
    submitted = pd.read_excel(out / "import_report.xlsx", sheet_name="submissions", engine="calamine")
    status = dict(zip(submitted.file, submitted.status, strict=True))
    assert "ส่งช้า/ชลประทาน.xlsx" in status
    for name in ("บันทึก.txt", "ว่าง.xlsx", "สงขลา.xlsx"):
        assert status[name].startswith("อ่านไม่ได้ ข้ามไฟล์นี้ / not read, skipped"), name
    assert "this template is for สงขลา (90), not นครศรีธรรมราช (80)" in status["สงขลา.xlsx"]


def test_nothing_loadable_in_the_whole_folder_exits_2(tmp_path):
    returned = tmp_path / "returned"
    returned.mkdir()
    (returned / "บันทึก.txt").write_text("ยังไม่มีใครส่ง\n", encoding="utf-8")
    assert main(["-q", "run", "--province", "80", "--projects", str(returned), "--out", str(tmp_path / "o")]) == 2


def test_same_named_files_of_two_days_without_ids_do_not_clash(tmp_path):
    day1 = _sheet(tmp_path / "วันที่1" / "โครงการ.xlsx", [["ฝาย", "เกษตร", 50_000, 2569, "ชะอวด", "ชะอวด"]])
    day2 = tmp_path / "วันที่2" / "โครงการ.xlsx"
    day2.parent.mkdir()
    shutil.copy(day1, day2)
    tambons, _ = pm.read_boundaries(province=80)
    projects, reports = pm.read_project_files([day1.parent, day2.parent], boundaries=tambons)
    assert len(projects) == 2 and sorted(projects.project_id) == ["วันที่1/โครงการ-r2", "วันที่2/โครงการ-r2"]
    assert all(r.count("error") == 0 for r in reports.values())


def test_sheet_applies_to_the_files_that_have_it(tmp_path):
    returned = tmp_path / "returned"
    _sheet(returned / "ปก.xlsx", [["ฝาย", "เกษตร", 50_000, 2569, "ชะอวด", "ชะอวด"]], title="โครงการ")
    _sheet(returned / "อื่น.xlsx", [["คลอง", "ชลประทาน", 70_000, 2569, "ชะอวด", "ชะอวด"]], title="Sheet1")
    tambons, _ = pm.read_boundaries(province=80)
    projects, reports = pm.read_project_files([returned], boundaries=tambons, sheet="โครงการ")
    assert sorted(projects.name_th) == ["คลอง", "ฝาย"]


def test_a_template_sheet_copied_into_another_workbook_reads_by_its_headers(tmp_path):
    data = pm.demo.load()
    group = data.projects[data.projects.agency == data.projects.agency.iloc[0]].head(5)
    source = pm.template(tmp_path / "t.xlsx", boundaries=data.tambons, agency=group.agency.iloc[0], year=2569,
                         projects=group)
    values = [list(r) for r in openpyxl.load_workbook(source)["โครงการ"].iter_rows(values_only=True)]
    book = openpyxl.Workbook()  # pasted into a new workbook: the stamp is gone
    for row in values[:7]:
        book.active.append(row)
    book.save(tmp_path / "copied.xlsx")
    projects, report = pm.read_projects(tmp_path / "copied.xlsx", boundaries=data.tambons)
    assert len(projects) == 5, report.problems.message_en.tolist()
    unused = report.problems.message_en.str.contains("is not a project field")
    assert not unused.any(), report.problems[unused].column.tolist()


def test_template_never_writes_over_an_agencys_workbook_or_a_device(tmp_path, capsys):
    filled = _sheet(tmp_path / "ของเกษตร.xlsx", [["ฝาย", "เกษตร", 50_000, 2569, "ชะอวด", "ชะอวด"]])
    before = filled.read_bytes()
    assert main(["template", "--province", "80", "--out", str(filled)]) == 2
    assert filled.read_bytes() == before and "--replace" in capsys.readouterr().err
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    assert main(["template", "--province", "80", "--out", str(folder), "--replace"]) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_reversed_compare_is_reordered_and_said(tmp_path):
    data = pm.demo.load()
    areas = pm.village_areas(data.villages, data.tambons)
    plan = pm.analyse(data.tambons, data.projects, villages=areas, permutations=0, compare_years="2569 2568")
    assert plan.change.years == ((2568,), (2569,))
    said = plan.reports["years"].problems.message_en
    assert said.str.contains("the earlier year was given second").any()
