"""The header of an agency's table: which row it is, what each column means, its units and years.

Also the one form every cell is compared in (:func:`clean_cells`). Used by the sheet layer's
front (:mod:`planmap_gis.read.sheets`) on the first rows of a file, before any data row is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from planmap_gis._errors import SchemaError
from planmap_gis._text import CONTROL, normalise_thai, thai_digits
from planmap_gis._years import be_year
from planmap_gis.read.cells import HEADER_UNITS, unit_factor, unit_words

__all__ = ["clean_cells", "column_map", "find_header", "header", "header_key", "unit_row", "year_subheader"]


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


_UNIT_WORDS = re.compile(f"({unit_words(HEADER_UNITS)})", re.IGNORECASE)
_UNIT_ROW = re.compile(f"(?:หน่วย|unit|in)[:：]?({unit_words(HEADER_UNITS)})")


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
    return _UNIT_WORDS.sub("บาท", key, count=1), unit_factor(found.group(1))


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
        years[pos] = be_year(year)
    owners = {pos: next(o for o in range(pos, -1, -1) if str(header.iloc[o])) for pos in years}
    for pos, owner in owners.items():  # the owner's name carries over to its merged columns
        names[pos] = names[owner].split("@")[0]
    return years


def unit_row(raw: pd.DataFrame, header_at: int) -> tuple[float, str] | None:
    """A unit stated above the header ("หน่วย: ล้านบาท", "(หน่วย : พันบาท)", "Unit: million baht")."""
    for pos in range(header_at):
        for cell in raw.iloc[pos]:
            text = re.sub(r"\s", "", str(cell)).lower()
            found = _UNIT_ROW.search(text)
            if found:
                return unit_factor(found.group(1)), f"row {pos + 1}: {cell!r}"
    return None


def clean_cells(raw: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Cells as stripped text in one comparable form (see :func:`~planmap_gis._text.normalise_thai`),
    control characters dropped; returns how many cells that form changed (stripping aside).

    Each distinct text of a column is cleaned once (a sheet repeats its agencies, years and tambon
    in every row); a column holding other values than text is cleaned cell by cell.
    """
    changed = 0
    columns = []
    for position in range(raw.shape[1]):
        values = raw.iloc[:, position].to_numpy(dtype=object)
        if len(values) and pd.api.types.infer_dtype(values, skipna=False) == "string":
            codes, distinct = pd.factorize(values)
        else:  # 1, 1.0 and True are one key to a hash table, and three texts
            codes, distinct = np.arange(len(values)), values
        stripped = [str(value).strip() for value in distinct]
        clean = [_clean(text) for text in stripped]
        differ = np.fromiter((a != b for a, b in zip(clean, stripped, strict=True)), bool, len(clean))
        if differ.any():
            changed += int(np.bincount(codes, minlength=len(clean))[differ].sum())
        columns.append(np.asarray(clean, dtype=object)[codes])
    out = pd.DataFrame(dict(enumerate(columns)), index=raw.index, dtype=object) if columns else raw.copy()
    out.columns = raw.columns
    return out, changed


def _clean(text: str) -> str:
    if text.isascii() and not CONTROL.search(text):
        return text
    return CONTROL.sub("", normalise_thai(text)).strip()


def column_map(specs: list[str] | None, aliases: Mapping[str, str]) -> dict[str, str]:
    """Headers mapped to fields as a user writes them on the command line: ``Money=budget``
    (repeatable), or a file (``.csv``/``.txt`` of ``header,field`` lines, or ``.json``). The field
    may be a canonical name (``budget_thb``) or any header the reader knows for it (``budget``,
    ``งบประมาณ``). Raises SchemaError naming the spec that maps to no field."""
    pairs: list[tuple[str, str]] = []
    for spec in specs or []:
        path = Path(spec)
        if "=" not in spec and path.is_file():
            if path.suffix.lower() == ".json":
                pairs += [(str(k), str(v)) for k, v in json.loads(path.read_text(encoding="utf-8-sig")).items()]
            else:
                for line in path.read_text(encoding="utf-8-sig").splitlines():
                    if line.strip() and not line.lstrip().startswith("#"):
                        header, _, field = line.replace("=", ",", 1).partition(",")
                        pairs.append((header.strip(), field.strip()))
            continue
        header, sep, field = spec.partition("=")
        if not sep or not header.strip() or not field.strip():
            raise SchemaError(f"--columns {spec!r}: write HEADER=FIELD, e.g. --columns 'Money=budget'.",
                              th=f"--columns {spec}: เขียนเป็น หัวคอลัมน์=ชื่อข้อมูล เช่น --columns 'เงิน=งบประมาณ'")
        pairs.append((header.strip(), field.strip()))
    canonical = set(aliases.values())
    out: dict[str, str] = {}
    for header, field in pairs:
        target = field if field in canonical else aliases.get(header_key(field))
        if target is None:
            raise SchemaError(f"--columns {header}={field}: {field!r} is not a field; use one of "
                              f"{', '.join(sorted(canonical))} (or a header planmap knows, e.g. งบประมาณ).",
                              th=f"--columns {header}={field}: ไม่รู้จัก {field} ใช้ชื่อข้อมูลเช่น "
                                 f"{', '.join(sorted(canonical))}")
        out[header] = target
    return out
