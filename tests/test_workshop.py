"""The workshop day: a returned folder of templates and free-form sheets, and no village register."""

from __future__ import annotations

import re
import subprocess

import openpyxl
import pandas as pd
import pyogrio
import pytest

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis.cli import main
from tests.workshop import SOFFICE, build, register_with_warts

NAN = re.compile(r"(?<![A-Za-z])(nan|NaN|\+nan)(?![A-Za-z])|(?<![\d.,])-0(?:\.0+)?(?![\d.,])")


def shows_nan(text: str) -> bool:
    """Whether ``text`` shows a nan or a minus zero; pytest's numbered folders (``pytest-0``) in the
    paths a run prints are not figures."""
    return bool(NAN.search(re.sub(r"pytest-\d+", "pytest", text)))


@pytest.fixture(scope="module")
def data():
    return demo.load()


@pytest.fixture(scope="module")
def workshop(data, tmp_path_factory):
    return build(tmp_path_factory.mktemp("returned"), data)


@pytest.fixture(scope="module")
def run(workshop, tmp_path_factory):
    """`planmap run --province 80 --projects returned/` without a register."""
    out = tmp_path_factory.mktemp("out")
    done = subprocess.run(["planmap", "run", "--province", "80", "--projects", str(workshop.folder),
                           "--out", str(out)], capture_output=True, text=True, timeout=900)
    return out, done


def _texts(out):
    for path in sorted(out.rglob("*")):
        if path.suffix == ".csv":
            yield path, path.read_text(encoding="utf-8-sig")
        elif path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path, read_only=True)
            for sheet in book.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    for value in row:
                        if isinstance(value, float) and value != value:
                            yield path, "nan"
                        elif isinstance(value, str):
                            yield path, value
        elif path.suffix == ".pdf":
            yield path, subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


def test_every_loadable_project_and_every_baht_is_on_the_plan(run, workshop):
    out, done = run
    assert done.returncode == 0, done.stderr[-3000:]
    projects = pyogrio.read_dataframe(out / "workspace.gpkg", layer="projects")
    assert len(projects) == workshop.loadable
    allocation = pyogrio.read_dataframe(out / "workspace.gpkg", layer="allocation")
    assert allocation.budget_thb.sum() == pytest.approx(workshop.baht, abs=0.5)
    assert projects.budget_thb.sum() == pytest.approx(workshop.baht, abs=0.5)


def test_separate_area_columns_are_read_as_one_area(run):
    out, _ = run
    projects = pyogrio.read_dataframe(out / "workspace.gpkg", layer="projects")
    by_name = dict(zip(projects.name_th, projects.area_codes, strict=True))
    assert by_name["ส่งเสริมปลูกผักปลอดภัย"] == '["80011603"]'  # ม.3 ต.ท่างิ้ว อ.เมือง
    assert by_name["ประชุมเกษตรกรทั้งอำเภอ"] == '["8009"]'  # an amphoe column alone: amphoe-wide
    assert len(by_name["ปลูกป่าชายเลน"].split(",")) == 2  # two tambon in one cell
    assert "ยกเลิกแล้ว" not in by_name  # the hidden row: cancelled
    assert by_name["ตลาดชุมชน"] == '["80020102"]'  # "อำเภอพรหมคีรี", "ตำบลพรหมโลก", "หมู่ที่ 2"


def test_nothing_prints_nan_or_minus_zero(run):
    out, done = run
    assert not shows_nan(done.stdout) and not shows_nan(done.stderr)
    assert "not computed" in done.stdout and "--villages" in done.stdout  # said in words instead
    found = [(str(path), text[:80]) for path, text in _texts(out) if shows_nan(text)]
    assert found == []


def test_the_summary_counts_tambon_not_villages_without_a_register(run):
    out, done = run
    assert "no village register (each tambon counted as one area" in done.stdout
    assert re.search(r"^tambon with no project: \d+", done.stdout, re.M)
    assert not re.search(r"\d+ villages[;, ]|villages with no project", done.stdout)
    # Without households the change of budget per household is blank: not said to be "in the tables".
    assert "is in the tables" not in done.stdout
    assert re.search(r"not computed: .*change of budget per household over the fiscal years", done.stdout)
    notes = pd.read_excel(out / "import_report.xlsx", sheet_name="notes", engine="calamine")
    assert notes["message_en"].str.contains(r"^\d+ tambon \(no village register\): no need on record").any()
    assert not notes["message_en"].str.contains(r"^\d+ villages: no need", regex=True).any()


def test_the_web_map_opens_on_a_theme_with_data_and_has_a_title(run):
    out, _ = run
    html = (out / "webmap.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", html)
    assert title and title.group(1).startswith("งบประมาณรวม (ตำบล)")
    assert "ต้องมีจำนวนครัวเรือนรายหมู่บ้าน" in html  # the themes left out, and what would add them


def test_atlas_pages_show_the_budget_not_grey(run):
    out, _ = run
    text = subprocess.run(["pdftotext", str(out / "atlas.pdf"), "-"], capture_output=True, text=True).stdout
    assert "งบประมาณรวม" in text
    assert "งบประมาณต่อครัวเรือน (" not in text.split("\f")[0]  # the overview's theme has data


def test_project_sheets_name_a_tambon_without_a_register_as_a_tambon_not_as_moo_0(run):
    out, _ = run
    text = subprocess.run(["pdftotext", str(out / "atlas.pdf"), "-"], capture_output=True, text=True).stdout
    assert "ตำบลที่ไม่มีโครงการ" in text and "(ไม่มีทะเบียนหมู่บ้าน)" in text and ": ทั้งตำบล" in text
    assert not re.search(r"ม\.0(?![0-9])", text) and "หมู่บ้านที่ไม่มีโครงการ" not in text
    assert re.search(r"อำเภอเมืองนครศรีธรรมราช: \d+ ตำบล \(ไม่มีทะเบียนหมู่บ้าน\)", text)  # the map page
    assert "ระดับหมู่บ้าน" not in text and "village level" not in text  # the maps' subtitles say tambon
    assert "ระดับตำบล ไม่มีทะเบียนหมู่บ้าน (tambon level: no village register)" in text
    gaps = pd.read_excel(out / "matrix.xlsx", sheet_name="ช่องว่าง", header=None, engine="calamine").astype(str)
    assert not gaps.apply(lambda c: c.str.contains(r"ม\.0(?![0-9])")).any().any()  # the matrix's gaps
    assert gaps.apply(lambda c: c.str.contains("หมู่บ้าน: ไม่มีทะเบียนหมู่บ้าน")).any().any()


def test_the_import_report_opens_on_the_real_errors(run, workshop):
    out, _ = run
    book = openpyxl.load_workbook(out / "import_report.xlsx", read_only=True)
    assert book.sheetnames[0] == "problems" and "notes" in book.sheetnames
    first = pd.read_excel(out / "import_report.xlsx", sheet_name=0, engine="calamine")
    assert set(first.severity) <= {"error", "warning"} and first.severity.iloc[0] == "error"
    name, row = workshop.pasted
    pasted = first[first.file.str.endswith(name) & (first.row == row)]
    assert (pasted.severity == "error").any()
    submitted = pd.read_excel(out / "import_report.xlsx", sheet_name="submissions", engine="calamine")
    assert {"~$เกษตรอำเภอ.xlsx", "บันทึกการประชุม.docx"} <= set(submitted.file)
    if SOFFICE:
        assert "03.ods" in set(submitted.file)


def test_the_same_folder_with_a_warty_register_completes(workshop, data, tmp_path):
    register = tmp_path / "ทะเบียน.csv"
    lines = register_with_warts(register, data)
    out = tmp_path / "out"
    code = main(["-q", "run", "--province", "80", "--projects", str(workshop.folder), "--villages",
                 str(register), "--out", str(out), "--no-atlas"])
    assert code == 0
    report = pd.concat([pd.read_excel(out / "import_report.xlsx", sheet_name=s, engine="calamine")
                        for s in ("problems", "notes")])
    mine = report[report.file.astype(str).str.endswith("ทะเบียน.csv")]
    for wart, line in lines.items():
        assert line in set(mine.row.dropna().astype(int)), wart
    unknown = mine[mine.row == lines["unknown tambon"]]
    assert unknown.message_en.str.contains("not in the boundary layer").any()


def test_validate_reads_the_demo_sheet_in_its_province_without_being_told(tmp_path, capsys):
    folder = tmp_path / "demo"
    demo.write_demo_sheets(demo.load(), folder)
    code = main(["validate", str(folder / "projects_long.xlsx")])
    out = capsys.readouterr().out
    assert "300 of 301 rows loaded" in out and code in (0, 1)
    _, report = pm.read_projects(folder / "projects_long.xlsx")
    assert report.rows_loaded == 300
    assert report.problems.message_en.str.contains("matched within นครศรีธรรมราช (80)", regex=False).any()


def test_wrong_headers_exit_2_naming_them_and_columns_fixes_them(tmp_path, capsys):
    sheet = tmp_path / "wrong.csv"
    sheet.write_text("Project,Dept,Money,Location,Year\nRoad repair,Highways,250000,ต.ท่างิ้ว อ.เมืองนครศรีธรรมราช,"
                     "2569\nWell,Water,120000,800701,2569\n", encoding="utf-8")
    code = main(["-q", "run", "--province", "80", "--projects", str(sheet), "--out", str(tmp_path / "o1")])
    err = capsys.readouterr().err
    assert code == 2
    assert "Headers in the files that planmap did not use: Dept, Money" in err
    assert "งบประมาณ (บาท) / budget (THB)" in err and "--columns" in err and "หัวคอลัมน์ที่ต้องมี" in err
    code = main(["-q", "run", "--province", "80", "--projects", str(sheet), "--out", str(tmp_path / "o2"),
                 "--columns", "Money=budget", "--columns", "Dept=หน่วยงาน", "--no-atlas"])
    assert code == 0
    projects = pyogrio.read_dataframe(tmp_path / "o2" / "workspace.gpkg", layer="projects")
    assert projects.budget_thb.sum() == 370_000 and set(projects.agency) == {"Highways", "Water"}
    mapping = tmp_path / "headers.csv"
    mapping.write_text("Money,budget_thb\nDept,agency\n", encoding="utf-8")
    assert main(["-q", "validate", str(sheet), "--province", "80", "--columns", str(mapping)]) in (0, 1)


def test_a_stale_lock_never_stays_in_the_output_folder(run):
    out, _ = run
    assert not (out / ".planmap.lock").exists()


def test_screening_proposals_from_a_free_form_sheet_against_a_plan_without_a_register(run, tmp_path):
    """The next round's proposals on the workshop's plan (no register, no indicators): read from a
    free-form sheet with separate อำเภอ / ตำบล columns, screened, nothing printed as nan, text inert."""
    out, done = run
    assert done.returncode == 0, done.stderr[-3000:]
    sheet = tmp_path / "ข้อเสนอ.xlsx"
    from tests.workshop import _free_form
    _free_form(sheet, "สำนักงานพัฒนาชุมชนอำเภอ", [
        ["ส่งเสริมปลูกผักปลอดภัย", "เมืองนครศรีธรรมราช", "ท่างิ้ว", 3, 150_000, 2569],
        ["@SUM(1+1)*cmd|' /C calc'!A0", "อ.ชะอวด", "ต.ชะอวด", "", "200,000", 2569],
        ["ฝึกอาชีพ", "พิปูน", "ยางค้อม", "", 90_000, 2569],
    ])
    result = tmp_path / "screen"
    code = subprocess.run(["planmap", "screen", "--plan", str(out / "workspace.gpkg"), "--proposals", str(sheet),
                           "--budget", "total=250000", "--out", str(result)], capture_output=True, text=True,
                          timeout=600)
    assert code.returncode == 0, code.stderr[-3000:]
    assert "screening weighs need by" in code.stdout and "suggested set" in code.stdout
    found = [(p.name, text) for p, text in _texts(result) if shows_nan(text)]
    assert found == []
    book = openpyxl.load_workbook(result / "screening.xlsx")
    cells = [c for row in book["proposals"].iter_rows() for c in row if isinstance(c.value, str)
             and "@SUM" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)  # text, never a formula
    table = pd.read_excel(result / "screening.xlsx", sheet_name="proposals", engine="calamine")
    assert len(table) == 3 and table["verdict"].notna().all()
