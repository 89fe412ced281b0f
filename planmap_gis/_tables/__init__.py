"""Reading the spreadsheets agencies bring: CSV or Excel, Thai headers, title rows above.

Shared by every tabular loader. A table is read as text; the header row is the
first of the top rows that names at least two known columns, so merged title
rows and blank spacer rows above it are skipped. Each data row keeps its row
number as a user sees it in the file (``_row``, 1 = first line / Excel row 1).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from planmap_gis._errors import InputFileError, SchemaError, show_values
from planmap_gis._tables.files import read_raw, sniff
from planmap_gis._text import CONTROL, normalise_thai
from planmap_gis.report import ImportReport

ROW: str = "_row"
#: Spreadsheet and text names; any file that is not a GIS layer is read as a table.
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods")
#: GIS layers, read with GDAL.
GIS_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".parquet", ".fgb", ".kml", ".gml")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_HEADER_SCAN = 30


def thai_digits(text: str) -> str:
    """Replace Thai digits (๐–๙) by Arabic ones."""
    return text.translate(_THAI_DIGITS)


def header_key(text: object) -> str:
    """A header in comparable form: lower case, Thai digits, no spaces, dots, brackets."""
    return re.sub(r"[\s._()\[\]:/-]", "", thai_digits(str(text)).lower())


def parse_number(text: object) -> float | None:
    """A number from a cell: '1,234', '๑๒๓', ' 12.5 '; None for a blank cell.

    Raises
    ------
    ValueError
        When the cell holds something that is not a number, or an infinite one.
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    cleaned = re.sub(r"[,\s\u00a0\u202f\u2009]", "", thai_digits(str(text)))
    if cleaned == "" or cleaned.lower() in {"nan", "none", "-"}:
        return None
    number = float(cleaned)
    if not math.isfinite(number):  # "inf", "1e400": never a count, a rate or a coordinate
        raise ValueError(f"{text!r} is not a finite number")
    return number


def read_table(
    path: str | Path,
    aliases: Mapping[str, str],
    *,
    sheet: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    required: tuple[str, ...] = (),
    money: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, str | None]:
    """Read a CSV/XLSX table and name its columns canonically.

    Parameters
    ----------
    path : str or Path
        The file.
    aliases : mapping
        ``{header_key(header variant): canonical column}``.
    sheet : str or int, optional
        Excel sheet; the first one by default.
    columns : mapping, optional
        ``{header in the file: canonical column}``, applied before the aliases.
    required : tuple of str
        Canonical columns that must be found (one of them is enough when
        several alternatives are listed by the caller separately).
    money : tuple of str
        Canonical columns that hold baht, whose unit a header (``งบประมาณ
        (ล้านบาท)``) or a unit row above the header (``หน่วย: ล้านบาท``) may state.

    Returns
    -------
    (DataFrame, sheet name)
        Text cells (empty string for blank; Thai in NFC with ``ำ`` composed, no
        control or invisible characters), canonical columns that were recognised,
        other columns under their own header, and ``_row``. Blank rows are left
        out (they are not data rows); rows hidden in the sheet are left out too
        and listed. ``attrs`` holds ``notes`` (what was learnt reading the file),
        ``units`` (``{column or "*": (factor, where it was stated)}``) and
        ``hidden_rows`` (``{row: first cells}``), which :func:`table_report` reports.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: file not found. Check the name and the folder you run from.",
                             th=f"{path}: ไม่พบไฟล์ ตรวจชื่อไฟล์และโฟลเดอร์ที่สั่งงาน")
    sheet_data = read_raw(path, sheet)
    sheet_name = sheet_data.sheet
    raw = pd.DataFrame(sheet_data.rows, dtype=object).map(lambda v: str(v).strip())
    raw, cleaned = _clean_cells(raw)
    nonblank = raw.ne("").any(axis=1) if not raw.empty else pd.Series(dtype=bool)
    if raw.empty or not nonblank.any():
        raise InputFileError(f"{path}{_sheet(sheet_name)}: the table is empty.",
                             th=f"{path}{_sheet(sheet_name)}: ตารางว่างเปล่า")
    keyed = {header_key(k): v for k, v in (columns or {}).items()}
    lookup = {**aliases, **keyed}
    header_at = None
    for pos in range(min(_HEADER_SCAN, len(raw))):
        hits = {lookup[k] for k in (_header(c, lookup)[0] for c in raw.iloc[pos]) if k in lookup}
        if len(hits) >= 2 or (columns and hits):
            header_at = pos
            break
    if header_at is None:
        first = next(pos for pos in range(len(raw)) if nonblank.iloc[pos])
        raise SchemaError(
            f"{path}{_sheet(sheet_name)}: no header row found in the first {_HEADER_SCAN} rows. "
            f"Row {first + 1} reads {show_values([c for c in raw.iloc[first] if c])}. "
            f"Expected headers such as {show_values(sorted(set(aliases.values())), 24)}; rename "
            "the headers or pass columns={'<your header>': '<column>'}.",
            th=f"{path}{_sheet(sheet_name)}: ไม่พบแถวหัวตารางใน {_HEADER_SCAN} แถวแรก "
               f"(แถว {first + 1}: {show_values([c for c in raw.iloc[first] if c])}) "
               "แก้ไข: ตั้งชื่อหัวคอลัมน์ตามแบบ เช่น รหัสโครงการ ชื่อโครงการ หน่วยงาน งบประมาณ (บาท)",
        )
    names: list[str] = []
    units: dict[str, tuple[float, str]] = {}
    for pos, cell in enumerate(raw.iloc[header_at]):
        key, factor = _header(cell, lookup)
        name = lookup.get(key) or cell or f"column_{pos + 1}"
        if factor is not None and name in money:
            units[name] = (factor, f"header {cell!r}")
        names.append(name if name not in names else f"{name}_{pos + 1}")
    sheet_unit = _unit_row(raw, header_at)
    if sheet_unit is not None:
        units["*"] = sheet_unit
        for name in money:
            units.setdefault(name, sheet_unit)
    first_data = header_at + 1
    by_year = _year_subheader(raw, header_at, names)
    if by_year:
        first_data += 1
        for pos, year in by_year.items():
            owner = names[pos]
            names[pos] = f"{owner}@{year}"
            if owner in units:
                units[names[pos]] = units[owner]
    body = raw.iloc[first_data:].copy()
    body.columns = names
    body[ROW] = body.index + 1
    body = body[nonblank.iloc[first_data:].to_numpy()]
    hidden = body[ROW].isin(sheet_data.hidden_rows)
    hidden_rows = {int(r[ROW]): " | ".join(v for v in r.drop(ROW) if v)[:80]
                   for _, r in body[hidden].iterrows()}
    body = body[~hidden]
    missing = [c for c in required if c not in body.columns]
    if missing:
        raise SchemaError(
            f"{path}{_sheet(sheet_name)}: header row {header_at + 1} has no column for "
            f"{show_values(missing)}. Headers found: {show_values(list(raw.iloc[header_at]))}. "
            "Add the column, or map yours with columns={'<your header>': '<column>'}.",
            th=f"{path}{_sheet(sheet_name)}: แถวหัวตารางที่ {header_at + 1} ไม่มีคอลัมน์ "
               f"{show_values(missing)} แก้ไข: เพิ่มคอลัมน์นั้น หรือจับคู่ชื่อหัวคอลัมน์ของท่าน",
        )
    body = body.reset_index(drop=True)
    notes = list(sheet_data.notes)
    if by_year:
        split = sorted({names[pos] for pos in by_year})
        notes.append((f"two-row header (rows {header_at + 1}–{header_at + 2}): columns by fiscal year "
                      f"{show_values(split)}", f"หัวตารางสองแถว (แถว {header_at + 1}–{header_at + 2}) "
                      f"แยกคอลัมน์ตามปีงบประมาณ {show_values(split)}"))
    if cleaned:
        notes.append((f"{cleaned} cells had control or invisible characters removed, or ำ typed as "
                      "two keys (ํ + า) joined", f"{cleaned} เซลล์มีอักขระควบคุมหรืออักขระที่มองไม่เห็น "
                      "ถูกลบออก หรือ ำ ที่พิมพ์แยกเป็น ํ + า ถูกรวม"))
    for name, (factor, where) in units.items():
        if name != "*" and factor != 1:
            notes.append((f"amounts in {name} are in {_UNIT_NAMES[factor][0]} ({where}): multiplied by "
                          f"{factor:,.0f}", f"จำนวนเงินในคอลัมน์ {name} มีหน่วยเป็น{_UNIT_NAMES[factor][1]} "
                          f"({where}) คูณด้วย {factor:,.0f}"))
    if sheet_data.formulas_without_value:
        cells = show_values(sheet_data.formulas_without_value)
        notes.append((f"cells with a formula but no saved value, read as blank: {cells}. Open the file in "
                      "Excel or LibreOffice, let it calculate, and save it again",
                      f"เซลล์ที่มีสูตรแต่ไม่มีค่าที่คำนวณไว้ อ่านเป็นค่าว่าง: {cells} "
                      "เปิดไฟล์ใน Excel ให้คำนวณแล้วบันทึกใหม่"))
    body.attrs.update(notes=notes, units=units, hidden_rows=hidden_rows)
    return body, sheet_name


#: Unit factor → (English, Thai) name.
_UNIT_NAMES = {1.0: ("baht", "บาท"), 1e3: ("thousand baht", "พันบาท"), 1e6: ("million baht", "ล้านบาท")}
_UNIT_WORDS = re.compile(r"(ล้านบาท|พันบาท|บาท|millionbaht|million|thousandbaht|thousand|mthb|kthb|thb|baht)",
                         re.IGNORECASE)
_FACTORS = {"ล้านบาท": 1e6, "millionbaht": 1e6, "million": 1e6, "mthb": 1e6, "พันบาท": 1e3,
            "thousandbaht": 1e3, "thousand": 1e3, "kthb": 1e3, "บาท": 1.0, "thb": 1.0, "baht": 1.0}


def _header(cell: object, lookup: Mapping[str, str]) -> tuple[str, float | None]:
    """A header's key in ``lookup`` and the unit of money it states, if any."""
    key = header_key(cell)
    if key in lookup:
        return key, None
    bare, factor = _unitless(cell)
    for candidate in (bare, bare.replace("บาท", ""), bare.replace("บาท", "thb")):
        if candidate in lookup:  # "Budget (million baht)" is "budget", "budget (thb)" …
            return candidate, factor
    return key, None


def _unitless(cell: object) -> tuple[str, float | None]:
    """A header's key with any unit of money taken out, and that unit's factor.

    ``งบประมาณ (ล้านบาท)`` → (``งบประมาณบาท``, 1e6): the key of ``งบประมาณ (บาท)``.
    """
    key = header_key(cell)
    found = _UNIT_WORDS.search(key)
    if not found:
        return key, None
    return _UNIT_WORDS.sub("บาท", key, count=1), _FACTORS[found.group(1).lower()]


_YEAR_CELL = re.compile(r"^(?:ปีงบประมาณ|ปีงบ|ปี|พ\.ศ\.|fy|ค\.ศ\.)?\s*((?:25|20)\d\d)$", re.IGNORECASE)


def _year_subheader(raw: pd.DataFrame, header_at: int, names: list[str]) -> dict[int, int]:
    """Columns under a merged header split by year in the row below it ("งบประมาณ (บาท)" over
    "2568 | 2569 | 2570"): ``{column position: Buddhist-era year}``, or empty when the row
    below the header is data (any cell that is not a year under a spanned header)."""
    if header_at + 1 >= len(raw):
        return {}
    below = raw.iloc[header_at + 1]
    header = raw.iloc[header_at]
    cells = {pos: str(v) for pos, v in enumerate(below) if str(v)}
    if not cells:
        return {}
    years: dict[int, int] = {}
    for pos, text in cells.items():
        found = _YEAR_CELL.match(thai_digits(text).strip())
        owner = pos
        while owner > 0 and not str(header.iloc[owner]):
            owner -= 1  # a merged header cell reads only at its left end
        if not found or not str(header.iloc[owner]):
            return {}
        year = int(found.group(1))
        years[pos] = year + 543 if year < 2400 else year
    owners = {pos: next(o for o in range(pos, -1, -1) if str(header.iloc[o])) for pos in years}
    for pos, owner in owners.items():  # the owner's name carries over to its merged columns
        names[pos] = names[owner].split("@")[0]
    return years


def _unit_row(raw: pd.DataFrame, header_at: int) -> tuple[float, str] | None:
    """A unit stated above the header ("หน่วย: ล้านบาท", "(หน่วย : พันบาท)", "Unit: million baht")."""
    for pos in range(header_at):
        for cell in raw.iloc[pos]:
            text = re.sub(r"\s", "", str(cell)).lower()
            found = re.search(r"(?:หน่วย|unit|in)[:：]?(ล้านบาท|พันบาท|บาท|millionbaht|thousandbaht|baht)", text)
            if found:
                return _FACTORS[found.group(1)], f"row {pos + 1}: {cell!r}"
    return None


def _clean_cells(raw: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Cells in one comparable form (see :func:`~planmap_gis._text.normalise_thai`), control
    characters dropped; returns how many cells changed."""
    changed = 0

    def clean(value: str) -> str:
        nonlocal changed
        if value.isascii() and not CONTROL.search(value):
            return value
        out = CONTROL.sub("", normalise_thai(value)).strip()
        changed += out != value
        return out

    return raw.map(clean), changed


def is_table(path: str | Path) -> bool:
    """Whether a file is read as a table (anything but a GIS layer; by content first)."""
    path = Path(path)
    if path.is_file() and sniff(path) in ("xlsx", "ods", "xls", "encrypted", "html", "spreadsheetml"):
        return True
    return path.suffix.lower() not in GIS_SUFFIXES


def table_report(path: str | Path, table: pd.DataFrame, sheet: str | None = None) -> ImportReport:
    """The import report of a table read by :func:`read_table`, opened with what was learnt
    reading the file (encoding, separator, hidden sheets, real format, units) as notes, and
    a line for each hidden row, counted among the rows in and the rows rejected."""
    hidden = table.attrs.get("hidden_rows", {})
    report = ImportReport(source=str(path), rows_in=len(table) + len(hidden), rows_rejected=len(hidden))
    for en, th in table.attrs.get("notes", ()):
        report.add("info", en, th, sheet=sheet)
    for row, cells in hidden.items():
        report.add("warning", "row hidden in the sheet (cancelled?): not loaded. Unhide it if it should "
                   "count, or delete it", "แถวนี้ถูกซ่อนไว้ในชีต (ยกเลิกแล้ว?) ไม่ได้นำเข้า หากต้องการให้นับ "
                   "ให้เลิกซ่อน หรือลบทิ้ง", row=row, value=cells, sheet=sheet)
    return report


def _sheet(name: str | None) -> str:
    return f" (sheet {name!r})" if name else ""


def read_layer_table(
    path: str | Path,
    aliases: Mapping[str, str],
    *,
    columns: Mapping[str, str] | None = None,
    crs: object = None,
) -> pd.DataFrame:
    """A GIS file as a table like :func:`read_table`'s: text attributes under canonical
    names, the geometry (in ``settings.data_crs``) as ``geometry``, and ``_row`` (1 = first
    feature)."""
    from planmap_gis._geo import read_ogr, set_data_crs

    layer = read_ogr(path)
    if layer.empty:
        raise InputFileError(f"{path}: the layer has no features.")
    layer = set_data_crs(layer, crs, str(path))
    table = pd.DataFrame(layer.drop(columns=layer.geometry.name)).astype(str)
    table = table.rename(columns=lambda c: (columns or {}).get(c) or aliases.get(header_key(c), c))
    table["geometry"] = layer.geometry.values
    table[ROW] = range(1, len(table) + 1)
    return table
