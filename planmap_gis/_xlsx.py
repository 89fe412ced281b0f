"""XLSX cells planmap writes: one value made safe (:func:`clean_value`, the one rule for repairs;
see :mod:`planmap_gis._output`), and a sheet's rows written straight as SpreadsheetML
(:class:`SheetRows`).

openpyxl builds, styles and serialises a Python cell object per value — about 11 µs a cell, minutes
for a national matrix of six million cells and the national tables. :class:`SheetRows` renders the
XML openpyxl would write for the same cells (inline text, numbers as ``%.16g``, style ids from the
workbook's own style table) into a temporary file and splices it into the sheet when openpyxl
closes it: openpyxl still writes everything around the rows (columns, panes, merges, filters, print
set-up) and the workbook's styles. Text is always written as text, so it can never be a formula.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from copy import copy
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from zlib_ng import zlib_ng

__all__ = ["EXCEL_CELL_LIMIT", "SheetRows", "clean_value", "fast_deflate", "fit_cells", "repairs_said"]

log = logging.getLogger("planmap_gis")

EXCEL_CELL_LIMIT = 32_767
#: Characters XML 1.0 (so XLSX) cannot hold: control characters, lone surrogates, U+FFFE/U+FFFF.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same characters in RE2's syntax (Arrow's regular expressions; Arrow text holds no surrogates).
_ARROW_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{FFFE}\x{FFFF}]"
_LETTERS = [get_column_letter(i) for i in range(1, 16_385)]
_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData\b.*?</sheetData>", re.S)
_FLUSH = 1 << 22  # characters of rendered rows held before they go to the spool file


def clean_value(value: Any, changed: list[str], name: str, row: int) -> Any:
    """One value as an XLSX cell value: blanks for NaN/NA, plain numbers, text without the
    characters XLSX cannot hold, cut at Excel's 32,767 characters — each repair said in ``changed``
    (``name``, ``row``: where, as the user reads the sheet). Text stays text, even "=…"."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _number(float(value))
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return value
    text = str(value)
    clean = _ILLEGAL.sub("", text)
    if len(clean) > EXCEL_CELL_LIMIT:
        changed.append(f"{name}, row {row}: {len(clean):,} characters cut to {EXCEL_CELL_LIMIT:,} (Excel's limit)")
        clean = clean[:EXCEL_CELL_LIMIT - 1] + "…"
    elif clean != text:
        changed.append(f"{name}, row {row}: control characters removed")
    return clean


#: A repair as :func:`clean_value` says it: where (sheet, or sheet!column), the row, what was done.
_REPAIR = re.compile(r"^(?P<where>.*), row (?P<row>\d+): (?P<what>.*)$")
#: Repairs said one by one up to this many of a kind in a sheet; beyond, counted in one line.
REPAIRS_LISTED = 3
_KINDS = {"cut": ("cells longer than Excel's 32,767 characters cut", "ข้อความยาวเกินช่อง Excel ถูกตัด"),
          "control": ("cells with control characters removed", "ลบอักขระควบคุมที่ XLSX เก็บไม่ได้")}


def repairs_said(changed: Sequence[str]) -> list[str]:
    """The repairs :func:`clean_value` made, as lines to log: each one while a sheet has few of a
    kind, else one line per sheet and kind with the count and the first and last rows (a national
    matrix cut 1,014 cells of one sheet, and said so in 1,014 lines)."""
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for line in changed:
        found = _REPAIR.match(line)
        kind = ("cut" if "cut to" in found["what"] else "control") if found else line
        groups.setdefault((found["where"] if found else "", kind), []).append(
            (line, found["row"] if found else ""))
    said = []
    for (where, kind), lines in groups.items():
        if len(lines) <= REPAIRS_LISTED or kind not in _KINDS:
            said += [line for line, _ in lines]
            continue
        rows = [int(row) for _, row in lines]
        en, th = _KINDS[kind]
        said.append(f"{where}: {len(lines):,} {en} (rows {', '.join(f'{r:,}' for r in rows[:REPAIRS_LISTED])} … "
                    f"{rows[-1]:,}) / {th} {len(lines):,} ช่อง")
    return said


def _number(value: float) -> float | str | None:
    """A float as a cell: NaN blank, ±inf as the text "inf"/"-inf" (XLSX has no infinity)."""
    if math.isnan(value):
        return None
    return value if math.isfinite(value) else ("inf" if value > 0 else "-inf")


def _text(value: str) -> str:
    # A bare CR would be read back as LF (XML normalises line ends): written as a character reference.
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


class SheetRows:
    """The rows of one sheet of an openpyxl write-only workbook, rendered here and spliced in at
    :meth:`close` (call it after the sheet's last row; :func:`~planmap_gis._output.save_book` closes
    any left open). A cell is given as its *tail* — the XML after its reference, from :meth:`tail`
    or :meth:`cell` — so a tail made once (a project's label, a ✓) is reused on every row and sheet.

    Parameters
    ----------
    ws : openpyxl write-only worksheet
        Nothing may be appended to it through openpyxl.
    changed : list of str
        Where the repairs made to text are said (see :func:`clean_value`).
    """

    def __init__(self, ws: Any, changed: list[str]) -> None:
        self.ws, self.changed, self.row = ws, changed, 0
        self._book = ws.parent
        self._styles: dict[tuple, str] = self._book.__dict__.setdefault("_planmap_style_tails", {})
        self._spool = tempfile.TemporaryFile()
        self._chunks: list[str] = []
        self._held = 0
        self._book.__dict__.setdefault("_planmap_open_rows", []).append(self)

    def style(self, key: tuple, make: Callable[[], dict[str, Any]] = dict) -> str:
        """The style named by ``key`` as a cell attribute: built once per workbook from ``make()``
        (font, fill, border, alignment, number format) into the workbook's style table."""
        found = self._styles.get(key)
        if found is None:
            cell = WriteOnlyCell(self.ws)
            for attr, value in make().items():
                setattr(cell, attr, value)
            sid = cell.style_id
            found = self._styles[key] = f' s="{sid}"' if sid else ""
        return found

    def tail(self, value: Any, style: str = "") -> str | None:
        """A cell's XML after its reference, for a value :func:`clean_value` made (None unstyled:
        no cell)."""
        kind = type(value)
        if kind is str:
            if not value:
                return f'{style} t="inlineStr"/>'
            space = ' xml:space="preserve"' if value != value.strip() else ""
            return f'{style} t="inlineStr"><is><t{space}>{_text(value)}</t></is></c>'
        if kind is float or kind is int:
            return f'{style} t="n"><v>{"%.16g" % value}</v></c>'
        if value is None:
            return f"{style}/>" if style else None
        if kind is bool:
            return f'{style} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (dt.date, dt.time, dt.timedelta)):
            return self._date(value, style)
        raise TypeError(f"not a cell value planmap writes: {value!r}")

    def _date(self, value: Any, style: str) -> str:
        # The date number format openpyxl gives such a value, on top of the cell's own style.
        cell = WriteOnlyCell(self.ws)
        if style:
            cell._style = copy(self._book._cell_styles[int(style[4:-1])])
        cell.value = value
        return f' s="{cell.style_id}" t="n"><v>{"%.16g" % to_excel(value, self._book.epoch)}</v></c>'

    def cell(self, value: Any, key: tuple | None = None, make: Callable[[], dict[str, Any]] = dict) -> str | None:
        """``value`` cleaned (repairs said as on the row being built) and styled as ``key`` names."""
        value = clean_value(value, self.changed, self.ws.title, self.row + 1)
        return self.tail(value, self.style(key, make) if key else "")

    def append(self, cells: Sequence[str | None]) -> None:
        """A row of tails from column A (None: no cell)."""
        self.add([(c, t) for c, t in enumerate(cells) if t is not None])

    def add(self, cells: Iterable[tuple[int, str]]) -> None:
        """A row of ``(column, tail)`` pairs, columns zero-based and rising: a sparse row."""
        self.row += 1
        r = str(self.row)
        dims = self.ws.row_dimensions
        head = f'<row r="{r}">'
        if self.row in dims:
            head = "".join([f'<row r="{r}"', *(f' {k}="{v}"' for k, v in dict(dims[self.row]).items()), ">"])
        line = "".join([head, *[f'<c r="{_LETTERS[c]}{r}"{t}' for c, t in cells], "</row>"])
        self._chunks.append(line)
        self._held += len(line)
        if self._held > _FLUSH:
            self._flush()

    def add_columns(self, columns: Sequence[Sequence[str | None]]) -> None:
        """Rows given column by column (tails, None: no cell)."""
        for cells in zip(*columns, strict=True):
            self.add([(c, t) for c, t in enumerate(cells) if t is not None])

    def _flush(self) -> None:
        self._spool.write("".join(self._chunks).encode("utf-8"))
        self._chunks, self._held = [], 0

    def close(self) -> None:
        """Close the sheet: openpyxl writes it around an empty ``sheetData``, the rows go in there."""
        if self._spool.closed:
            return
        self._flush()
        self.ws.close()
        out = self.ws._writer.out
        with open(out, "rb") as f:
            around = f.read()  # small: everything but the rows
        found = _SHEET_DATA.search(around)
        with open(out, "wb") as f:
            f.write(around[:found.start()])
            f.write(b"<sheetData>")
            self._spool.seek(0)
            shutil.copyfileobj(self._spool, f, 1 << 20)
            f.write(b"</sheetData>")
            f.write(around[found.end():])
        self._spool.close()


def close_rows(book: Any) -> None:
    """Close every :class:`SheetRows` of ``book`` still open (before the book is saved)."""
    for rows in book.__dict__.pop("_planmap_open_rows", []):
        rows.close()


def frame_tails(rows: SheetRows, frame: pd.DataFrame, first_row: int,
                styles: Sequence[str] | None = None) -> list[list[str | None]]:
    """The cells of ``frame`` as tails, a column at a time: a NumPy number column in one pass (NaN
    blank, ±inf as text), other columns value by value through :func:`clean_value`. ``first_row``
    is the sheet row of the frame's first row (for the repairs said); ``styles`` one per column."""
    columns = []
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        style = styles[position] if styles else ""
        kind = values.dtype.kind if isinstance(values.dtype, np.dtype) else ""
        if kind and kind in "iu":
            columns.append([f'{style} t="n"><v>{"%.16g" % v}</v></c>' for v in values.to_numpy().tolist()])
            continue
        if kind == "f":
            array = values.to_numpy()
            clean = array.tolist()
            for at in np.flatnonzero(~np.isfinite(array)):
                clean[at] = _number(clean[at])
        elif isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
            # Arrow finds the few texts that need a repair; the rest are taken as they are.
            clean = values.tolist()
            for at in np.flatnonzero(values.isna().to_numpy()):
                clean[at] = None
            repair = values.str.contains(_ARROW_ILLEGAL, regex=True, na=False) | values.str.len().gt(EXCEL_CELL_LIMIT)
            for at in np.flatnonzero(repair.to_numpy()):
                clean[at] = clean_value(clean[at], rows.changed, rows.ws.title, first_row + at)
        else:
            clean = [clean_value(v, rows.changed, rows.ws.title, row)
                     for row, v in enumerate(values.tolist(), start=first_row)]
        columns.append([rows.tail(v, style) for v in clean])
    return columns


_swapped = {"depth": 0, "saved": None}
_swap_lock = threading.Lock()


@contextmanager
def fast_deflate() -> Iterator[None]:
    """While the block runs, :mod:`zipfile` deflates with zlib-ng instead of zlib.

    An XLSX is a zip of XML; deflating it took a third of the national matrix's and tables' time.
    zlib-ng writes the same format (any zip reader opens it) at the same level about 1.8 times as
    fast and slightly smaller (1,021 MB of national sheets: 17.9 s and 110 MB with zlib, 9.9 s and
    108 MB with zlib-ng). openpyxl offers no way to give the compressor, so the ``zlib`` that
    zipfile calls is swapped for the block; threads saving at the same time share one swap.
    """
    with _swap_lock:
        if _swapped["depth"] == 0:
            _swapped["saved"] = zipfile.zlib  # type: ignore[attr-defined]
            zipfile.zlib = zlib_ng  # type: ignore[attr-defined]
        _swapped["depth"] += 1
    try:
        yield
    finally:
        with _swap_lock:
            _swapped["depth"] -= 1
            if _swapped["depth"] == 0:
                zipfile.zlib = _swapped["saved"]  # type: ignore[attr-defined]


def fit_cells(frame: pd.DataFrame, path: object, sheet: str) -> pd.DataFrame:
    """Text longer than a cell holds (32,767 characters), cut with a mark and said in our words
    (openpyxl would cut it silently, with a library warning)."""
    def too_long(value: object) -> bool:
        return isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT

    def count(values: pd.Series) -> int:
        if isinstance(values.dtype, pd.CategoricalDtype):  # each text once; code -1 (blank) takes False
            return int(np.append(values.cat.categories.map(too_long), False)[values.cat.codes.to_numpy()].sum())
        if isinstance(values.dtype, pd.StringDtype):
            return int(values.str.len().gt(EXCEL_CELL_LIMIT).sum())
        return sum(map(too_long, values))

    counts = {i: count(frame.iloc[:, i]) for i in range(frame.shape[1])
              if pd.api.types.is_object_dtype(frame.iloc[:, i]) or pd.api.types.is_string_dtype(frame.iloc[:, i])}
    if not any(counts.values()):
        return frame
    frame = frame.copy()
    for i in (i for i, n in counts.items() if n):
        frame.isetitem(i, frame.iloc[:, i].astype(object))  # plain values (a categorical's cut texts may meet)
        frame.iloc[:, i] = [v[:EXCEL_CELL_LIMIT - 60] + " … [cut: longer than an Excel cell holds]"
                            if too_long(v) else v for v in frame.iloc[:, i]]
    log.warning("%s, sheet %s: %d cells longer than Excel's 32,767 characters were cut (the CSV keeps them "
                "whole) / ข้อความยาวเกินช่อง Excel ถูกตัด", path, sheet, sum(counts.values()))
    return frame
