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


def test_when_no_file_could_be_read_the_error_says_why_not_which_headers_to_rename(tmp_path, capsys):
    sheet = _sheet(tmp_path / "เกษตร.xlsx", [["ฝาย", "เกษตร", 50_000, 2569, "ชะอวด", "ชะอวด"]])
    book = openpyxl.load_workbook(sheet)
    book.active["G1"] = "wkt"  # footprints without a CRS: the file is not read at all
    book.active["G2"] = "POINT (100.1 8.1)"
    book.save(sheet)
    assert main(["-q", "run", "--province", "80", "--projects", str(sheet), "--out", str(tmp_path / "o")]) == 2
    said = capsys.readouterr().err
    assert "no file could be read" in said and "has no declared CRS" in said and "EPSG:4326" in said
    assert "อ่านไฟล์ไม่ได้เลย" in said and "ไม่ระบุระบบพิกัด" in said
    assert "Headers it expects" not in said  # its headers were never the trouble


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


def test_a_crs_typo_a_device_and_a_full_disk_are_the_users_to_fix(tmp_path, capsys, monkeypatch, nst_path):
    sheet = _sheet(tmp_path / "p.xlsx", [["ฝาย", "เกษตร", 50_000, 2569, "ชะอวด", "ชะอวด"]])
    assert main(["-q", "run", "--boundaries", str(nst_path), "--boundaries-crs", "UTM47", "--projects", str(sheet),
                 "--out", str(tmp_path / "o")]) == 2
    assert "'UTM47' is not a coordinate reference system" in capsys.readouterr().err
    out = tmp_path / "run"
    assert main(["-q", "run", "--province", "80", "--projects", str(sheet), "--out", str(out), "--no-atlas"]) == 0
    before = (out / "webmap.html").read_bytes()
    assert main(["webmap", str(out / "workspace.gpkg"), "--out", "/dev/full"]) == 2
    assert "not a regular file" in capsys.readouterr().err
    import os as _os

    def full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_os, "replace", full)
    assert main(["webmap", str(out / "workspace.gpkg"), "--out", str(out / "webmap.html")]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert (out / "webmap.html").read_bytes() == before  # the previous output intact
    assert not list(out.glob(".*.part*"))


def test_webmap_and_atlas_never_write_over_a_file_planmap_did_not_write(tmp_path, capsys):
    sheet = _sheet(tmp_path / "p.xlsx", [["ฝาย", "เกษตร", 50_000, 2569, "ชะอวด", "ชะอวด"]])
    out = tmp_path / "run"
    assert main(["-q", "run", "--province", "80", "--projects", str(sheet), "--out", str(out), "--no-atlas"]) == 0
    theirs = tmp_path / "หน้าเว็บของจังหวัด.html"
    theirs.write_text("<html>the province's own page</html>", encoding="utf-8")
    assert main(["webmap", str(out / "workspace.gpkg"), "--out", str(theirs)]) == 2
    assert "--replace" in capsys.readouterr().err and "own page" in theirs.read_text(encoding="utf-8")
    assert main(["webmap", str(out / "workspace.gpkg"), "--out", str(out / "webmap.html")]) == 0  # its own
    assert main(["webmap", str(out / "workspace.gpkg"), "--out", str(theirs), "--replace"]) == 0


def test_an_absurd_footprint_is_refused_with_its_row(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ชื่อโครงการ", "หน่วยงาน", "งบประมาณ (บาท)", "ปีงบประมาณ", "พื้นที่ดำเนินการ", "WKT (EPSG:4326)"])
    sheet.append(["ถนน", "ทางหลวง", 1_000_000, 2569, "ต.ชะอวด อ.ชะอวด", "POINT (1e308 1e308)"])
    book.save(tmp_path / "wkt.xlsx")
    projects, report = pm.read_projects(tmp_path / "wkt.xlsx", boundaries=pm.read_boundaries(province=80)[0])
    assert len(projects) == 1 and projects.geometry.isna().all()  # placed by its area instead
    said = report.problems.query("row == 2")
    assert said.message_en.str.contains("absurd").any()


def test_a_second_run_lists_only_its_own_outputs(tmp_path):
    import json

    sheet = _sheet(tmp_path / "p.xlsx", [["ฝาย", "เกษตร", 50_000, 2569, "ชะอวด", "ชะอวด"]])
    register = tmp_path / "reg.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["ชื่อ-สกุล", "พื้นที่ที่ดูแล", "ทักษะ"])
    book.active.append(["สมศรี", "ต.ชะอวด", "เศรษฐกิจ"])
    book.save(register)
    out = tmp_path / "out"
    run = ["-q", "run", "--province", "80", "--projects", str(sheet), "--out", str(out), "--no-atlas"]
    assert main([*run, "--facilitators", str(register)]) == 0
    assert list((out / "tables").glob("support_*.csv"))
    assert main(run) == 0
    listed = {e["path"] for e in json.loads((out / "outputs.json").read_text("utf-8"))["outputs"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != "outputs.json"}
    assert listed == on_disk and not any("support_" in p for p in listed)


def test_a_cover_sheet_first_names_the_sheet_that_holds_the_table(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "ปก"
    book.active.append(["แผนพัฒนาจังหวัด ปี 2569"])
    table = book.create_sheet("โครงการ")
    table.append(["ชื่อโครงการ", "หน่วยงาน", "งบประมาณ (บาท)", "ปีงบประมาณ", "อำเภอ", "ตำบล"])
    table.append(["ฝาย", "เกษตร", 50_000, 2569, "ชะอวด", "ชะอวด"])
    book.save(tmp_path / "cover.xlsx")
    with pytest.raises(pm.PlanmapError, match="other sheets: โครงการ; read the one with the table with --sheet"):
        pm.read_projects(tmp_path / "cover.xlsx")
    projects, _ = pm.read_projects(tmp_path / "cover.xlsx", sheet="โครงการ")
    assert len(projects) == 1


def test_text_longer_than_a_cell_is_cut_and_said(tmp_path, caplog):
    from planmap_gis._output import write_excel

    with caplog.at_level("WARNING", logger="planmap_gis"):
        write_excel({"t": pd.DataFrame({"note": ["ก" * 40_000, "สั้น"]})}, tmp_path / "long.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "long.xlsx")["t"]["A2"].value
    assert len(cell) <= 32_767 and cell.endswith("[cut: longer than an Excel cell holds]")
    assert "longer than Excel's 32,767 characters were cut" in caplog.text
    # A categorical (a duplication table's lists of agencies and projects): each row's cell, cut
    # where it is long, blank where the row has none; counted once per row.
    caplog.clear()
    listed = pd.Categorical(["ก" * 40_000, "ข; ค", None, "ก" * 40_000], categories=["ก" * 40_000, "ข; ค"])
    with caplog.at_level("WARNING", logger="planmap_gis"):
        write_excel({"t": pd.DataFrame({"agencies": listed})}, tmp_path / "cats.xlsx")
    cells = [r[0] for r in openpyxl.load_workbook(tmp_path / "cats.xlsx")["t"].iter_rows(min_row=2, values_only=True)]
    assert cells[0] == cells[3] and cells[0].endswith("[cut: longer than an Excel cell holds]")
    assert cells[1:3] == ["ข; ค", None] and "2 cells longer than Excel's" in caplog.text


def test_outputs_never_land_among_the_returns_nor_are_read_as_returns(folder, tmp_path, capsys):
    assert main(["-q", "run", "--province", "80", "--projects", str(folder), "--out", str(folder / "ผลลัพธ์"),
                 "--no-atlas"]) == 2
    assert "inside the returned folder" in capsys.readouterr().err
    # An older run's output folder already among the returns: its files are listed, not read.
    out = tmp_path / "out"
    assert main(["-q", "run", "--province", "80", "--projects", str(folder), "--out", str(out), "--no-atlas"]) == 0
    shutil.copytree(out, folder / "ผลลัพธ์เก่า")
    paths, skipped = pm.project_paths([folder])
    assert not any("ผลลัพธ์เก่า" in str(p) for p in paths)
    assert any("planmap's own output" in en for _, en, _ in skipped)


def test_cli_messages_name_cli_options_never_python_arguments(tmp_path, capsys):
    (tmp_path / "noname.csv").write_text("Dept,Money\nA,1\n", encoding="utf-8")
    assert main(["validate", str(tmp_path / "noname.csv"), "--province", "80"]) == 2
    out = capsys.readouterr()
    text = out.out + out.err
    assert "--columns" in text and "columns={" not in text and "Python" not in text


def test_run_never_writes_over_files_no_planmap_run_wrote(tmp_path, capsys):
    sheet = _sheet(tmp_path / "p.xlsx", [["ฝาย", "เกษตร", 50_000, 2569, "ชะอวด", "ชะอวด"]])
    out = tmp_path / "out"
    out.mkdir()
    (out / "matrix.xlsx").write_bytes(b"the governor's office's own matrix")
    run = ["-q", "run", "--province", "80", "--projects", str(sheet), "--out", str(out), "--no-atlas"]
    assert main(run) == 2 and "matrix.xlsx" in capsys.readouterr().err
    assert (out / "matrix.xlsx").read_bytes() == b"the governor's office's own matrix"
    assert main([*run, "--replace"]) == 0
    assert main(run) == 0  # planmap's own outputs, listed in outputs.json: rewritten


def test_run_reads_the_named_layer_of_a_boundary_file(tmp_path, nst_path):
    import geopandas as gpd

    tambons = gpd.read_file(nst_path)
    both = tmp_path / "two.gpkg"
    tambons.to_file(both, layer="tambon_a", driver="GPKG")
    tambons.head(3).to_file(both, layer="rivers", driver="GPKG")
    sheet = _sheet(tmp_path / "p.xlsx", [["ฝาย", "เกษตร", 50_000, 2569, "ชะอวด", "ชะอวด"]])
    assert main(["-q", "run", "--boundaries", str(both), "--layer", "tambon_a", "--projects", str(sheet),
                 "--out", str(tmp_path / "o"), "--no-atlas"]) == 0


def test_a_template_with_an_inserted_column_is_skipped_and_the_others_go_on(folder, tmp_path):
    data = pm.demo.load()
    group = data.projects[data.projects.agency == data.projects.agency.iloc[0]].head(3)
    changed = pm.template(folder / "แก้คอลัมน์.xlsx", boundaries=data.tambons, agency=group.agency.iloc[0], year=2569,
                          projects=group)
    book = openpyxl.load_workbook(changed)
    sheet = book["โครงการ"]
    sheet.protection.sheet = False
    sheet.insert_cols(3)  # the agency inserted a column of its own
    book.save(changed)
    out = tmp_path / "out"
    assert main(["-q", "run", "--province", "๘๐", "--projects", str(folder), "--out", str(out), "--no-atlas"]) == 0
    submitted = pd.read_excel(out / "import_report.xlsx", sheet_name="submissions", engine="calamine")
    status = dict(zip(submitted.file, submitted.status, strict=True))
    assert status["แก้คอลัมน์.xlsx"].startswith("อ่านไม่ได้ ข้ามไฟล์นี้") and "fresh template" in status["แก้คอลัมน์.xlsx"]
    projects = pyogrio.read_dataframe(out / "workspace.gpkg", layer="projects")
    assert sorted(projects.name_th) == ["คลอง", "ฝาย"]  # the others, read; the province given in Thai digits
