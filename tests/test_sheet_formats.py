"""Every spreadsheet a Thai office keeps, read by what it is, not by what it is called."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis.read.sheets import read_table
from planmap_gis.read.sheets.headers import clean_cells
from planmap_gis.read.villages import ALIASES as VILLAGE_ALIASES

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(not SOFFICE and not os.environ.get("CI"),
                                   reason="LibreOffice not installed (make test installs it)")


@pytest.fixture(scope="module")
def nst_demo():
    return demo.load()  # the packaged layer: no file needed


@pytest.fixture(scope="module")
def sheets(nst_demo, tmp_path_factory):
    return demo.write_demo_sheets(nst_demo, tmp_path_factory.mktemp("sheets"))


def _convert(source: Path, fmt: str, folder: Path) -> Path:
    """LibreOffice headless, as an office would "Save As" the sheet."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{folder}/profile",
                           "--convert-to", fmt, "--outdir", str(folder), str(source)],
                          capture_output=True, text=True, timeout=240, check=False)
    out = folder / f"{source.stem}.{fmt}"
    assert out.is_file(), done.stdout + done.stderr
    return out


def _comparable(projects):
    return projects.drop(columns=["geometry", "source_file", "source_sheet"]).reset_index(drop=True)


@needs_soffice
def test_xls_and_ods_copies_load_the_same_300_projects(nst_demo, sheets, tmp_path):
    original, report = pm.read_projects(sheets["projects_long"], boundaries=nst_demo.tambons)
    assert len(original) == 300
    for fmt in ("xls", "ods"):
        copy = _convert(sheets["projects_long"], fmt, tmp_path / fmt)
        again, again_report = pm.read_projects(copy, boundaries=nst_demo.tambons)
        pd.testing.assert_frame_equal(_comparable(again), _comparable(original))
        located = original.geometry.notna()
        assert (again.geometry.notna() == located).all() and located.sum() > 0
        assert again.geometry[located].geom_equals_exact(original.geometry[located], 1e-9).all()
        assert again_report.rows_loaded == report.rows_loaded


def test_a_csv_named_xlsx_is_read_as_what_it_is(tmp_path):
    lying = tmp_path / "villages.xlsx"
    lying.write_text("รหัสหมู่บ้าน,ชื่อหมู่บ้าน,ครัวเรือน\n80010101,บ้านนาควน,120\n", encoding="utf-8")
    villages, report = pm.read_villages(lying)
    assert villages.village_code.tolist() == ["80010101"] and villages.households.tolist() == [120]
    assert "UTF-8" in report.problems.message_en.iloc[0]


def test_an_xlsx_named_csv_is_read_as_a_workbook(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["รหัสหมู่บ้าน", "ชื่อหมู่บ้าน", "ครัวเรือน"])
    book.active.append(["80010101", "บ้านนาควน", 120])
    book.save(tmp_path / "villages.csv")
    villages, report = pm.read_villages(tmp_path / "villages.csv")
    assert villages.households.tolist() == [120]
    assert report.problems.message_en.str.contains(r"read as Excel workbook \(\.xlsx\)").any()


@pytest.mark.parametrize(("encoding", "said"), [
    ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 with BOM"), ("cp874", "cp874"),
    ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16 (LE, no BOM)"),
])
@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_csv_in_every_thai_office_encoding_and_separator(tmp_path, encoding, said, separator):
    rows = [["รหัสหมู่บ้าน", "ชื่อหมู่บ้าน", "ครัวเรือน"], ["80010101", "บ้านน้ำตก", "1204"],
            ["80010102", "บ้านท่าศาลา", "๓๕๑"]]
    path = tmp_path / "register.csv"
    path.write_bytes("\r\n".join(separator.join(r) for r in rows).encode(encoding))
    villages, report = pm.read_villages(path)
    assert villages.village_th.tolist() == ["บ้านน้ำตก", "บ้านท่าศาลา"]
    assert villages.households.tolist() == [1204, 351]
    note = report.problems.message_en.iloc[0]
    assert said in note and {",": "comma", ";": "semicolon", "\t": "tab"}[separator] in note


def test_hidden_first_sheet_is_passed_over_and_said(tmp_path):
    book = openpyxl.Workbook()
    old = book.active
    old.title = "ปีที่แล้ว"
    old.append(["รหัสหมู่บ้าน", "ครัวเรือน"])
    old.append(["80010101", 1])
    old.sheet_state = "hidden"
    current = book.create_sheet("ปีนี้")
    current.append(["รหัสหมู่บ้าน", "ครัวเรือน"])
    current.append(["80010101", 99])
    book.save(tmp_path / "book.xlsx")
    villages, report = pm.read_villages(tmp_path / "book.xlsx")
    assert villages.households.tolist() == [99]
    assert report.problems.message_th.str.contains("ชีตที่ซ่อนไว้และไม่ได้อ่าน: ปีที่แล้ว").any()


def test_rows_keep_the_numbers_a_user_sees_when_data_starts_lower_right(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["C4"], sheet["D4"] = "รหัสหมู่บ้าน", "ครัวเรือน"
    sheet["C5"], sheet["D5"] = "80010101", 12
    book.save(tmp_path / "offset.xlsx")
    table, _ = read_table(tmp_path / "offset.xlsx", VILLAGE_ALIASES)
    assert table["_row"].tolist() == [5]


@pytest.mark.parametrize(("content", "what"), [
    (b"<html><body><table><tr><td>x</td></tr></table></body></html>", "web page"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64,
     "password-protected"),
])
def test_files_that_are_not_tables_say_what_they_are(tmp_path, content, what):
    path = tmp_path / "projects.xls"
    path.write_bytes(content)
    with pytest.raises(pm.InputFileError, match=what) as caught:
        pm.read_projects(path)
    assert "แก้ไข" in caught.value.message_th


def test_a_zip_that_is_no_workbook(tmp_path):
    with zipfile.ZipFile(tmp_path / "p.xlsx", "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(pm.InputFileError, match="ZIP archive, not a workbook"):
        pm.read_projects(tmp_path / "p.xlsx")


def test_each_distinct_text_is_cleaned_once_and_every_changed_cell_counted():
    zwsp, sara_am = "\u200b", "\u0e4d\u0e32"  # an invisible space; ำ typed as ํ + า
    raw = pd.DataFrame({"a": [f"ท่า{zwsp}งิ้ว", f"ท่า{zwsp}งิ้ว", "  ถนน  ", f"น{sara_am}"],
                        "b": [1, 1.0, True, " x\x07 "]}, dtype=object)
    out, changed = clean_cells(raw)
    assert out["a"].tolist() == ["ท่างิ้ว", "ท่างิ้ว", "ถนน", "นำ"]
    assert out["b"].tolist() == ["1", "1.0", "True", "x"]  # not one key: 1, 1.0 and True are three texts
    assert changed == 4  # both copies of the invisible space, ำ, the bell; stripping spaces is not a change
    assert out.dtypes.tolist() == [object, object] and out.columns.tolist() == ["a", "b"]
