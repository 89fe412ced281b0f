"""Community-strength indicators (BMN/จปฐ., กชช.2ค) and the strength index.

Indicator tables are village level (8-digit codes) or tambon level (6-digit).
Recognised columns:

==================  ==============================================================
column              source
==================  ==============================================================
bmn_health …        BMN (จปฐ.) pass rates: share of households passing (0–1; a
                    column with values above 1 is read as percent and divided by
                    100). Category headers map to ``bmn_health`` (สุขภาพ),
                    ``bmn_environment`` (สภาพแวดล้อม), ``bmn_education`` (การศึกษา),
                    ``bmn_income`` (การมีงานทำและรายได้), ``bmn_values`` (ค่านิยม);
                    a numbered indicator ("จปฐ. ตัวชี้วัดที่ 12") to ``bmn_12``.
kchch2c_level       กชช.2ค village development level: 1 lagging (ล้าหลัง),
                    2 moderate (ปานกลาง), 3 advanced (ก้าวหน้า)
households          ครัวเรือน
population          ประชากร
(extra)             any numeric column named in ``extra=``
==================  ==============================================================
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from planmap_gis._errors import SchemaError
from planmap_gis._schema import (
    HOUSEHOLDS,
    KCHCH2C,
    LEVEL,
    POPULATION,
    UNIT_CODE,
)
from planmap_gis._text import thai_digits
from planmap_gis.read.sheets import (
    ROW,
    header_key,
    parse_number,
    read_table,
    table_report,
)
from planmap_gis.report import ImportReport

__all__ = ["BMN_CATEGORIES", "read_indicators", "strength_index"]

log = logging.getLogger("planmap_gis")

#: BMN (จปฐ.) categories: canonical column → (Thai header words, English).
BMN_CATEGORIES: dict[str, tuple[tuple[str, ...], str]] = {
    "bmn_health": (("สุขภาพ", "health"), "Health"),
    "bmn_environment": (("สภาพแวดล้อม", "ที่อยู่อาศัย", "environment", "housing"), "Living environment"),
    "bmn_education": (("การศึกษา", "education"), "Education"),
    "bmn_income": (("รายได้", "การมีงานทำ", "income", "employment"), "Employment and income"),
    "bmn_values": (("ค่านิยม", "values"), "Thai values"),
}
_HEADERS = {
    UNIT_CODE: ("unit_code", "รหัส", "รหัสหมู่บ้าน", "รหัสตำบล", "village_code", "tambon_code", "code"),
    KCHCH2C: ("kchch2c_level", "กชช.2ค", "ระดับ กชช.2ค", "ระดับการพัฒนาหมู่บ้าน", "กชช2ค", "kchch2c"),
    HOUSEHOLDS: ("households", "ครัวเรือน", "จำนวนครัวเรือน"),
    POPULATION: ("population", "ประชากร", "จำนวนประชากร"),
}
ALIASES = {header_key(v): k for k, vs in _HEADERS.items() for v in vs}
_KCHCH_WORDS = {"ล้าหลัง": 1, "ปานกลาง": 2, "ก้าวหน้า": 3, "lagging": 1, "moderate": 2, "advanced": 3}


def _bmn_column(header: str) -> str | None:
    key = header_key(header)
    if "จปฐ" not in key and not key.startswith("bmn"):
        return None
    for column, (words, _) in BMN_CATEGORIES.items():
        if column.replace("_", "") == key or any(header_key(w) in key for w in words):
            return column
    number = re.search(r"(\d+)", key)
    return f"bmn_{int(number.group(1)):02d}" if number else None


def read_indicators(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    extra: Sequence[str] = (),
) -> tuple[pd.DataFrame, ImportReport]:
    """Read a village- or tambon-level indicator table.

    Parameters
    ----------
    path : str or Path
        CSV or XLSX, headers in Thai or English (see the module docstring).
    sheet : str or int, optional
        Excel sheet; the first by default.
    columns : mapping, optional
        ``{header in the file: canonical column}``.
    extra : sequence of str
        Further numeric columns to keep, by their header in the file.

    Returns
    -------
    (DataFrame, ImportReport)
        Indexed by ``unit_code`` (8 digits: village, 6: tambon), with ``level``
        (``"village"`` or ``"tambon"``) and the recognised numeric columns.
        Rows with no valid code or a repeated code are rejected; values that
        are not numbers, rates outside 0–100 % or levels outside 1–3 are left
        empty; all reported.
    """
    extra_map = {header_key(e): e for e in extra}
    table, sheet_name = read_table(path, {**ALIASES, **{k: v for k, v in extra_map.items()}},
                                   sheet=sheet, columns=columns)
    renames = {c: _bmn_column(c) for c in table.columns if c not in _HEADERS and _bmn_column(str(c))}
    table = table.rename(columns=renames)
    if UNIT_CODE not in table:
        raise SchemaError(f"{path}: no code column (รหัสหมู่บ้าน or รหัสตำบล); add one or map it "
                          "with --columns '<header>=unit_code' (Python: columns={'<header>': 'unit_code'}).",
                          th=f"{path}: ไม่พบคอลัมน์รหัสหมู่บ้านหรือรหัสตำบล แก้ไข: เพิ่มคอลัมน์รหัส")
    numeric = [c for c in table.columns if c.startswith("bmn_")] + [
        c for c in (KCHCH2C, HOUSEHOLDS, POPULATION, *extra) if c in table.columns]
    if not numeric:
        raise SchemaError(f"{path}: no indicator columns found (จปฐ. …, กชช.2ค, ครัวเรือน, …); "
                          "name them or pass extra=[...].",
                          th=f"{path}: ไม่พบคอลัมน์ตัวชี้วัด (จปฐ. กชช.2ค ครัวเรือน) แก้ไข: ตั้งชื่อหัวคอลัมน์ตามแบบ")
    report = table_report(path, table, sheet_name)
    out, seen = [], {}
    for rec in table.to_dict("records"):
        row = int(rec[ROW])
        code = thai_digits(str(rec[UNIT_CODE])).strip().removesuffix(".0")
        if not (code.isdigit() and len(code) in (6, 8)):
            report.add("error", f"code {code!r} is not a 6-digit tambon or 8-digit village code: row "
                       "rejected", "รหัสไม่ใช่รหัสตำบล 6 หลักหรือรหัสหมู่บ้าน 8 หลัก ไม่นำเข้าแถวนี้",
                       row=row, column=UNIT_CODE, value=code, sheet=sheet_name)
            report.rows_rejected += 1
            continue
        if code in seen:
            report.add("error", f"code {code} already on row {seen[code]}: row rejected",
                       f"รหัส {code} ซ้ำกับแถว {seen[code]} ไม่นำเข้าแถวนี้", row=row, column=UNIT_CODE,
                       value=code, sheet=sheet_name)
            report.rows_rejected += 1
            continue
        seen[code] = row
        values: dict[str, object] = {UNIT_CODE: code, LEVEL: "village" if len(code) == 8 else "tambon"}
        for col in numeric:
            values[col] = _number(rec.get(col), col, row, report, sheet_name)
        out.append(values)
        report.rows_loaded += 1
    frame = pd.DataFrame(out, columns=[UNIT_CODE, LEVEL, *numeric]).set_index(UNIT_CODE)
    for col in [c for c in numeric if c.startswith("bmn_")]:
        _one_scale(frame, col, seen, report, sheet_name)
    if frame[LEVEL].nunique() > 1:
        report.add("warning", "the table mixes village (8-digit) and tambon (6-digit) codes",
                   "ตารางมีทั้งรหัสหมู่บ้านและรหัสตำบลปนกัน", column=UNIT_CODE, sheet=sheet_name)
    log.info(report.summary())
    return frame, report


def _one_scale(frame: pd.DataFrame, col: str, rows: dict[str, int], report: ImportReport,
               sheet: str | None) -> None:
    """Pass rates as fractions 0–1. A column in percent (values above 1) is divided by 100 and
    said; a column mixing both (0.85 beside 87.5) is never rescaled as a whole: the cells of
    the smaller group are left empty, each named, since either reading could be the slip."""
    values = frame[col]
    percent = values > 1
    fraction = (values > 0) & (values < 1) & (values != values.round())
    if percent.any() and fraction.any():
        # The smaller group is the slip; with as many of each, neither reading can be trusted.
        odd = (percent | fraction if percent.sum() == fraction.sum() else
               percent if percent.sum() < fraction.sum() else fraction)
        for code in values.index[odd]:
            scale_en, scale_th = ("percent", "ร้อยละ") if percent[code] else ("a fraction", "สัดส่วน")
            report.add("warning", f"{col}: {values[code]:g} is written as {scale_en} in a column of the "
                       "other scale (or as many of each): left empty; write every cell the same way "
                       "(0–1 or 0–100)",
                       f"{col}: {values[code]:g} เขียนเป็น{scale_th} ต่างจากเซลล์อื่นในคอลัมน์ เว้นว่าง "
                       "โปรดเขียนทุกเซลล์แบบเดียวกัน (0–1 หรือ 0–100)", row=rows[code], column=col,
                       value=values[code], sheet=sheet)
        frame.loc[odd, col] = np.nan
        percent = percent & ~odd
    if percent.any():
        frame[col] = frame[col] / 100
        report.add("info", f"{col}: values above 1 read as percent and divided by 100",
                   f"{col}: ค่ามากกว่า 1 ถือเป็นร้อยละ หารด้วย 100", column=col, sheet=sheet)


def _number(value: object, col: str, row: int, report: ImportReport, sheet: str | None) -> float:
    text = str(value or "").strip()
    if col == KCHCH2C and header_key(text) in _KCHCH_WORDS:
        return float(_KCHCH_WORDS[header_key(text)])
    try:
        number = parse_number(text.rstrip("%"))
    except ValueError:
        number = None
        report.add("warning", f"{col}: {text!r} is not a number: left empty",
                   f"{col}: {text} ไม่ใช่ตัวเลข เว้นว่าง", row=row, column=col, value=text, sheet=sheet)
    if number is None:
        return np.nan
    bad = ((col.startswith("bmn_") and not 0 <= number <= 100)
           or (col == KCHCH2C and number not in (1, 2, 3))
           or (col in (HOUSEHOLDS, POPULATION) and number < 0))
    if bad:
        report.add("warning", f"{col}: {number:g} is out of range: left empty",
                   f"{col}: {number:g} อยู่นอกช่วงที่เป็นไปได้ เว้นว่าง", row=row, column=col,
                   value=text, sheet=sheet)
        return np.nan
    return number


