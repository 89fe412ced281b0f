"""Reading the spreadsheets agencies bring: CSV or Excel, Thai headers, title rows above.

Shared by every tabular loader. A table is read as text; the header row is the
first of the top rows that names at least two known columns, so merged title
rows and blank spacer rows above it are skipped. Each data row keeps its row
number as a user sees it in the file (``_row``, 1 = first line / Excel row 1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from planmap_gis._errors import InputFileError, SchemaError, show_values
from planmap_gis._tables.files import read_raw, sniff
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
        When the cell holds something that is not a number.
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    cleaned = thai_digits(str(text)).replace(",", "").strip()
    if cleaned == "" or cleaned.lower() in {"nan", "none", "-"}:
        return None
    return float(cleaned)


def read_table(
    path: str | Path,
    aliases: Mapping[str, str],
    *,
    sheet: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    required: tuple[str, ...] = (),
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

    Returns
    -------
    (DataFrame, sheet name)
        Text cells (empty string for blank), canonical columns that were
        recognised, other columns under their own header, and ``_row``.
        Blank rows are left out (they are not data rows).
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: file not found. Check the name and the folder you run from.",
                             th=f"{path}: ไม่พบไฟล์ ตรวจชื่อไฟล์และโฟลเดอร์ที่สั่งงาน")
    sheet_data = read_raw(path, sheet)
    sheet_name = sheet_data.sheet
    raw = pd.DataFrame(sheet_data.rows, dtype=object).map(lambda v: str(v).strip())
    nonblank = raw.ne("").any(axis=1) if not raw.empty else pd.Series(dtype=bool)
    if raw.empty or not nonblank.any():
        raise InputFileError(f"{path}{_sheet(sheet_name)}: the table is empty.",
                             th=f"{path}{_sheet(sheet_name)}: ตารางว่างเปล่า")
    keyed = {header_key(k): v for k, v in (columns or {}).items()}
    lookup = {**aliases, **keyed}
    header_at = None
    for pos in range(min(_HEADER_SCAN, len(raw))):
        hits = {lookup[header_key(c)] for c in raw.iloc[pos] if header_key(c) in lookup}
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
    for pos, cell in enumerate(raw.iloc[header_at]):
        name = lookup.get(header_key(cell)) or cell or f"column_{pos + 1}"
        names.append(name if name not in names else f"{name}_{pos + 1}")
    body = raw.iloc[header_at + 1:].copy()
    body.columns = names
    body[ROW] = body.index + 1
    body = body[nonblank.iloc[header_at + 1:].to_numpy()]
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
    body.attrs["notes"] = list(sheet_data.notes)
    return body, sheet_name


def is_table(path: str | Path) -> bool:
    """Whether a file is read as a table (anything but a GIS layer; by content first)."""
    path = Path(path)
    if path.is_file() and sniff(path) in ("xlsx", "ods", "xls", "encrypted", "html", "spreadsheetml"):
        return True
    return path.suffix.lower() not in GIS_SUFFIXES


def table_report(path: str | Path, table: pd.DataFrame, sheet: str | None = None) -> ImportReport:
    """The import report of a table read by :func:`read_table`, opened with what was learnt
    reading the file (encoding, separator, hidden sheets, real format) as notes."""
    report = ImportReport(source=str(path), rows_in=len(table))
    for en, th in table.attrs.get("notes", ()):
        report.add("info", en, th, sheet=sheet)
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
