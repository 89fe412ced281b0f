"""Reading the spreadsheets agencies bring: CSV or any workbook, Thai headers, title rows above.

Shared by every tabular loader, in three layers: :mod:`~planmap_gis.read.sheets.files` turns the
bytes of any format into rows of text; :mod:`~planmap_gis.read.sheets.headers` finds the header
row among the first rows and what each column means (units, years); this module streams the
data rows below it as DataFrame chunks (bounded memory for a CSV of any size) and opens the
import report with what was learnt. The header row is the first of the top rows that names at
least two known columns, so merged title rows and blank spacer rows above it are skipped. Each
data row keeps its row number as a user sees it in the file (``_row``, 1 = first line / Excel
row 1).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from planmap_gis._errors import InputFileError, SchemaError, show_values
from planmap_gis._geo import read_ogr, set_data_crs
from planmap_gis.read.cells import UNIT_NAMES, parse_number
from planmap_gis.read.sheets.files import open_text, read_raw, sheet_names, sniff
from planmap_gis.read.sheets.headers import (
    clean_cells,
    find_header,
    header,
    header_key,
    unit_row,
    year_subheader,
)
from planmap_gis.report import ImportReport

__all__ = ["GIS_SUFFIXES", "ROW", "TABLE_SUFFIXES", "TableStream", "formula_note", "header_key", "hidden_row",
           "is_table", "parse_number",
           "read_layer_table", "read_table", "stream_table", "table_report"]

ROW: str = "_row"
#: Spreadsheet and text names; any file that is not a GIS layer is read as a table.
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods")
#: GIS layers, read with GDAL.
GIS_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".parquet", ".fgb", ".kml", ".gml")
_HEADER_SCAN = 30
#: Data rows per chunk: about 100 MB of Python strings for a wide project sheet.
CHUNK_ROWS = 100_000


@dataclass
class TableStream:
    """A table's header and its data rows as chunks; ``attrs`` is complete once ``chunks`` is spent.

    ``attrs`` holds ``notes`` (what was learnt reading the file), ``units``
    (``{column or "*": (factor, where it was stated)}``) and ``hidden_rows``
    (``{row: first cells}``), which :func:`table_report` reports.
    """

    path: Path
    sheet: str | None
    columns: list[str]
    chunks: Iterator[pd.DataFrame]
    attrs: dict[str, Any] = field(default_factory=dict)


def stream_table(
    path: str | Path,
    aliases: Mapping[str, str],
    *,
    sheet: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    required: tuple[str, ...] = (),
    money: tuple[str, ...] = (),
    chunk_rows: int = CHUNK_ROWS,
    progress: bool = False,
) -> TableStream:
    """Find a table's header and stream its data rows; see :func:`read_table` for the parameters.

    A CSV is read as it goes (its memory does not grow with its length); a workbook is
    read whole by python-calamine first. ``progress`` shows a tqdm bar over the file's bytes.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: file not found. Check the name and the folder you run from.",
                             th=f"{path}: ไม่พบไฟล์ ตรวจชื่อไฟล์และโฟลเดอร์ที่สั่งงาน")
    if sniff(path) == "text":
        text = open_text(path)
        rows, sheet_name, notes = text.rows, None, list(text.notes)
        hidden_in_sheet: set[int] = set()
        formulas: list[str] = []
        size, position = text.size, text.position
    else:
        book = read_raw(path, sheet)
        rows, sheet_name, notes = iter(book.rows), book.sheet, list(book.notes)
        hidden_in_sheet, formulas = book.hidden_rows, book.formulas_without_value
        size, position = 0, (lambda: 0)
    head_rows = list(itertools.islice(rows, _HEADER_SCAN + 2))
    width = max((len(r) for r in head_rows), default=0)
    head, cleaned = clean_cells(pd.DataFrame([r + [""] * (width - len(r)) for r in head_rows], dtype=object))
    nonblank = head.ne("").any(axis=1) if not head.empty else pd.Series(dtype=bool)
    if head.empty or not nonblank.any():
        raise InputFileError(f"{path}{_sheet(sheet_name)}: the table is empty.{_other_sheets(path, sheet_name)}",
                             th=f"{path}{_sheet(sheet_name)}: ตารางว่างเปล่า{_other_sheets(path, sheet_name, 'th')}")
    lookup = {**aliases, **{header_key(k): v for k, v in (columns or {}).items()}}
    header_at = find_header(head, lookup, scan=_HEADER_SCAN, loose=bool(columns))
    if header_at is None:
        first = next(pos for pos in range(len(head)) if nonblank.iloc[pos])
        raise SchemaError(
            f"{path}{_sheet(sheet_name)}: no header row found in the first {_HEADER_SCAN} rows. "
            f"Row {first + 1} reads {show_values([c for c in head.iloc[first] if c])}. "
            f"Expected headers such as {show_values(sorted(set(aliases.values())), 24)}; rename "
            "the headers or pass --columns '<your header>=<column>' (Python: columns={'<your header>': '<column>'})."
            f"{_other_sheets(path, sheet_name)}",
            th=f"{path}{_sheet(sheet_name)}: ไม่พบแถวหัวตารางใน {_HEADER_SCAN} แถวแรก "
               f"(แถว {first + 1}: {show_values([c for c in head.iloc[first] if c])}) "
               "แก้ไข: ตั้งชื่อหัวคอลัมน์ตามแบบ เช่น รหัสโครงการ ชื่อโครงการ หน่วยงาน งบประมาณ (บาท)",
        )
    names, units = _names(head.iloc[header_at], lookup, money)
    sheet_unit = unit_row(head, header_at)
    if sheet_unit is not None:
        units["*"] = sheet_unit
        for name in money:
            units.setdefault(name, sheet_unit)
    first_data = header_at + 1
    by_year = year_subheader(head, header_at, names)
    if by_year:
        first_data += 1
        for pos, year in by_year.items():
            owner = names[pos]
            names[pos] = f"{owner}@{year}"
            if owner in units:
                units[names[pos]] = units[owner]
        split = sorted({names[pos] for pos in by_year})
        notes.append((f"two-row header (rows {header_at + 1}–{header_at + 2}): columns by fiscal year "
                      f"{show_values(split)}", f"หัวตารางสองแถว (แถว {header_at + 1}–{header_at + 2}) "
                      f"แยกคอลัมน์ตามปีงบประมาณ {show_values(split)}"))
    missing = [c for c in required if c not in names]
    if missing:
        raise SchemaError(
            f"{path}{_sheet(sheet_name)}: header row {header_at + 1} has no column for "
            f"{show_values(missing)}. Headers found: {show_values(list(head.iloc[header_at]))}. "
            "Add the column, or map yours with --columns '<your header>=<column>' (Python: columns={'<your header>': '<column>'}).",
            th=f"{path}{_sheet(sheet_name)}: แถวหัวตารางที่ {header_at + 1} ไม่มีคอลัมน์ "
               f"{show_values(missing)} แก้ไข: เพิ่มคอลัมน์นั้น หรือจับคู่ชื่อหัวคอลัมน์ของท่าน",
        )
    for name, (factor, where) in units.items():
        if name != "*" and factor != 1:
            notes.append((f"amounts in {name} are in {UNIT_NAMES[factor][0]} ({where}): multiplied by "
                          f"{factor:,.0f}", f"จำนวนเงินในคอลัมน์ {name} มีหน่วยเป็น{UNIT_NAMES[factor][1]} "
                          f"({where}) คูณด้วย {factor:,.0f}"))
    if formulas:
        notes.append(formula_note(formulas))
    # The agency's own header of each field, for reports a clerk reads beside the sheet.
    written = {n: str(c) for n, c in zip(names, head.iloc[header_at], strict=False) if c and n != c}
    stream = TableStream(path, sheet_name, names, iter(()), {"notes": notes, "units": units, "hidden_rows": {},
                                                             "headers": written})
    body = itertools.chain(head_rows[first_data:], rows)
    stream.chunks = _chunks(stream, body, first_data + 1, hidden_in_sheet, cleaned, chunk_rows,
                            tqdm(total=size, unit="B", unit_scale=True, desc=f"reading {path.name}",
                                 disable=not (progress and size), leave=False), position)
    return stream


def _names(cells: pd.Series, lookup: Mapping[str, str], money: tuple[str, ...],
           ) -> tuple[list[str], dict[str, tuple[float, str]]]:
    names: list[str] = []
    units: dict[str, tuple[float, str]] = {}
    for pos, cell in enumerate(cells):
        key, factor = header(cell, lookup)
        name = lookup.get(key) or cell or f"column_{pos + 1}"
        if factor is not None and name in money:
            units[name] = (factor, f"header {cell!r}")
        names.append(name if name not in names else f"{name}_{pos + 1}")
    return names, units


def _chunks(stream: TableStream, rows: Iterator[list[str]], first_row: int, hidden_in_sheet: set[int],
            cleaned: int, chunk_rows: int, bar: Any, position: Any) -> Iterator[pd.DataFrame]:
    width = len(stream.columns)
    extra: list[int] = []
    number = first_row
    try:
        while True:
            batch = list(itertools.islice(rows, chunk_rows))
            if not batch:
                break
            numbers = range(number, number + len(batch))
            number += len(batch)
            for row, cells in zip(numbers, batch, strict=True):
                if len(cells) > width and any(str(c).strip() for c in cells[width:]):
                    extra.append(row)
            frame, changed = clean_cells(pd.DataFrame([r[:width] + [""] * (width - len(r)) for r in batch],
                                                      columns=stream.columns, dtype=object))
            cleaned += changed
            frame[ROW] = numbers
            frame = frame[frame.drop(columns=ROW).ne("").any(axis=1).to_numpy()]
            hidden = frame[ROW].isin(hidden_in_sheet)
            stream.attrs["hidden_rows"].update({int(r[ROW]): " | ".join(v for v in r.drop(ROW) if v)[:80]
                                                for _, r in frame[hidden].iterrows()})
            bar.update(max(position() - bar.n, 0))
            yield frame[~hidden].reset_index(drop=True)
    finally:
        bar.close()
        if cleaned:
            stream.attrs["notes"].append((
                f"{cleaned} cells had control or invisible characters removed, or ำ typed as two keys "
                "(ํ + า) joined", f"{cleaned} เซลล์มีอักขระควบคุมหรืออักขระที่มองไม่เห็นถูกลบออก "
                "หรือ ำ ที่พิมพ์แยกเป็น ํ + า ถูกรวม"))
        if extra:
            stream.attrs["notes"].append((
                f"rows {show_values(extra)} have cells to the right of the last header: not read; give "
                "those columns a header", f"แถว {show_values(extra)} มีข้อมูลเลยคอลัมน์สุดท้ายที่มีหัวตาราง "
                "ไม่ได้อ่าน โปรดตั้งหัวคอลัมน์"))


def read_table(
    path: str | Path,
    aliases: Mapping[str, str],
    *,
    sheet: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    required: tuple[str, ...] = (),
    money: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, str | None]:
    """Read a CSV or workbook table whole and name its columns canonically.

    Parameters
    ----------
    path : str or Path
        The file.
    aliases : mapping
        ``{header_key(header variant): canonical column}``.
    sheet : str or int, optional
        Workbook sheet; the first visible one by default.
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
        and listed. ``attrs`` as :class:`TableStream`'s.
    """
    stream = stream_table(path, aliases, sheet=sheet, columns=columns, required=required, money=money)
    chunks = list(stream.chunks)
    body = (pd.concat(chunks, ignore_index=True) if chunks
            else pd.DataFrame(columns=[*stream.columns, ROW], dtype=object))
    body.attrs.update(stream.attrs)
    return body, stream.sheet


def is_table(path: str | Path) -> bool:
    """Whether a file is read as a table (anything but a GIS layer; by content first)."""
    path = Path(path)
    if path.is_file() and sniff(path) in ("xlsx", "ods", "xls", "encrypted", "html", "spreadsheetml"):
        return True
    return path.suffix.lower() not in GIS_SUFFIXES


def table_report(path: str | Path, table: pd.DataFrame | TableStream, sheet: str | None = None,
                 *, rows: int | None = None) -> ImportReport:
    """The import report of a table read by :func:`read_table` (or streamed, with its ``rows``
    counted by the caller), opened with what was learnt reading the file (encoding, separator,
    hidden sheets, real format, units) as notes, and a line for each hidden row, counted among
    the rows in and the rows rejected."""
    attrs = table.attrs
    hidden = attrs.get("hidden_rows", {})
    count = len(table) if rows is None and isinstance(table, pd.DataFrame) else rows or 0
    report = ImportReport(source=str(path), rows_in=count + len(hidden), rows_rejected=len(hidden))
    for en, th in attrs.get("notes", ()):
        report.add("info", en, th, sheet=sheet)
    for row, cells in hidden.items():
        hidden_row(report, row, cells, sheet)
    return report


def hidden_row(report: ImportReport, row: int, cells: object, sheet: str | None) -> None:
    """Report a row hidden in the sheet, which is not loaded (the caller counts it rejected)."""
    report.add("warning", "row hidden in the sheet (cancelled?): not loaded. Unhide it if it should "
               "count, or delete it", "แถวนี้ถูกซ่อนไว้ในชีต (ยกเลิกแล้ว?) ไม่ได้นำเข้า หากต้องการให้นับ "
               "ให้เลิกซ่อน หรือลบทิ้ง", row=row, value=cells, sheet=sheet)


def formula_note(cells: list[str]) -> tuple[str, str]:
    """(English, Thai) note on cells holding a formula with no saved value, which read as blank."""
    shown = show_values(cells)
    return (f"cells with a formula but no saved value, read as blank: {shown}. Open the file in "
            "Excel or LibreOffice, let it calculate, and save it again",
            f"เซลล์ที่มีสูตรแต่ไม่มีค่าที่คำนวณไว้ อ่านเป็นค่าว่าง: {shown} เปิดไฟล์ใน Excel ให้คำนวณแล้วบันทึกใหม่")


def _sheet(name: str | None) -> str:
    return f" (sheet {name!r})" if name else ""


def _other_sheets(path: Path, read: str | None, lang: str = "en") -> str:
    """Where the table may be instead: the workbook's other sheets and the option that reads one
    (a cover sheet or an empty first sheet is common)."""
    others = [s for s in sheet_names(path) if s != read]
    if not others:
        return ""
    if lang == "th":
        return f" ชีตอื่นในไฟล์: {', '.join(others)} อ่านชีตที่มีตารางด้วย --sheet ชื่อชีต"
    return f" The workbook's other sheets: {', '.join(others)}; read the one with the table with --sheet NAME."


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

    layer = read_ogr(path)
    if layer.empty:
        raise InputFileError(f"{path}: the layer has no features.", th=f"{path}: ชั้นข้อมูลไม่มีรูปแปลง")
    layer = set_data_crs(layer, crs, str(path))
    table = pd.DataFrame(layer.drop(columns=layer.geometry.name)).astype(str)
    table = table.rename(columns=lambda c: (columns or {}).get(c) or aliases.get(header_key(c), c))
    table["geometry"] = layer.geometry.values
    table[ROW] = range(1, len(table) + 1)
    return table
