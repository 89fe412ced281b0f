"""One value as an XLSX cell: the repairs every workbook planmap writes makes (see :mod:`planmap_gis._output`)."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.cell import WriteOnlyCell

__all__ = ["EXCEL_CELL_LIMIT", "inert_rows", "inert_value"]

EXCEL_CELL_LIMIT = 32_767
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def inert_value(sheet: Any, value: Any, changed: list[str], name: str, row: int) -> Any:
    """One value as an XLSX cell value: blanks for NaN/NA, plain numbers, text that can never be a
    formula (a text starting with "=" is written as a text cell), without the control characters
    XLSX cannot hold, cut at Excel's 32,767 characters — each repair said."""
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
    if not clean.startswith("="):
        return clean
    cell = WriteOnlyCell(sheet, value=clean)
    cell.data_type = "s"  # text, never a formula
    return cell


def _number(value: float) -> float | str | None:
    """A float as a cell: NaN blank, ±inf as the text "inf"/"-inf" (XLSX has no infinity)."""
    if math.isnan(value):
        return None
    return value if math.isfinite(value) else ("inf" if value > 0 else "-inf")


def inert_rows(sheet: Any, frame: pd.DataFrame, changed: list[str], name: str, first_row: int) -> Any:
    """The rows of ``frame`` as :func:`inert_value` makes each value, a column at a time: numbers of
    a NumPy column are converted in one pass (NaN blank, ±inf as text), only other columns value by
    value. ``first_row`` is the sheet row of the frame's first row (for the repairs said)."""
    columns = []
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        kind = values.dtype.kind if isinstance(values.dtype, np.dtype) else ""
        if kind and kind in "iub":
            columns.append(values.to_numpy().tolist())
        elif kind == "f":
            array = values.to_numpy()
            out = array.tolist()
            for at in np.flatnonzero(~np.isfinite(array)):
                out[at] = _number(out[at])
            columns.append(out)
        else:
            columns.append([inert_value(sheet, v, changed, name, row)
                            for row, v in enumerate(values.tolist(), start=first_row)])
    return zip(*columns, strict=True)
