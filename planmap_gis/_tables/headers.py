"""The header of an agency's table: which row it is, what each column means, its units and years.

Also the one form every cell is compared in (:func:`clean_cells`). Used by the sheet layer's
front (:mod:`planmap_gis._tables`) on the first rows of a file, before any data row is read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from planmap_gis._text import CONTROL, normalise_thai

__all__ = ["UNIT_NAMES", "clean_cells", "find_header", "header", "header_key", "thai_digits", "unit_row",
           "year_subheader"]

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def thai_digits(text: str) -> str:
    """Replace Thai digits (๐–๙) by Arabic ones."""
    return text.translate(_THAI_DIGITS)


def header_key(text: object) -> str:
    """A header in comparable form: lower case, Thai digits, no spaces, dots, brackets."""
    return re.sub(r"[\s._()\[\]:/-]", "", thai_digits(str(text)).lower())


def find_header(raw: pd.DataFrame, lookup: Mapping[str, str], *, scan: int, loose: bool) -> int | None:
    """The first row that names at least two known columns (one when ``loose``), or None."""
    for pos in range(min(scan, len(raw))):
        hits = {lookup[k] for k in (header(c, lookup)[0] for c in raw.iloc[pos]) if k in lookup}
        if len(hits) >= 2 or (loose and hits):
            return pos
    return None


#: Unit factor → (English, Thai) name.
UNIT_NAMES = {1.0: ("baht", "บาท"), 1e3: ("thousand baht", "พันบาท"), 1e6: ("million baht", "ล้านบาท")}
_UNIT_WORDS = re.compile(r"(ล้านบาท|พันบาท|บาท|millionbaht|million|thousandbaht|thousand|mthb|kthb|thb|baht)",
                         re.IGNORECASE)
_FACTORS = {"ล้านบาท": 1e6, "millionbaht": 1e6, "million": 1e6, "mthb": 1e6, "พันบาท": 1e3,
            "thousandbaht": 1e3, "thousand": 1e3, "kthb": 1e3, "บาท": 1.0, "thb": 1.0, "baht": 1.0}


def header(cell: object, lookup: Mapping[str, str]) -> tuple[str, float | None]:
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


def year_subheader(raw: pd.DataFrame, header_at: int, names: list[str]) -> dict[int, int]:
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


def unit_row(raw: pd.DataFrame, header_at: int) -> tuple[float, str] | None:
    """A unit stated above the header ("หน่วย: ล้านบาท", "(หน่วย : พันบาท)", "Unit: million baht")."""
    for pos in range(header_at):
        for cell in raw.iloc[pos]:
            text = re.sub(r"\s", "", str(cell)).lower()
            found = re.search(r"(?:หน่วย|unit|in)[:：]?(ล้านบาท|พันบาท|บาท|millionbaht|thousandbaht|baht)", text)
            if found:
                return _FACTORS[found.group(1)], f"row {pos + 1}: {cell!r}"
    return None


def clean_cells(raw: pd.DataFrame) -> tuple[pd.DataFrame, int]:
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
