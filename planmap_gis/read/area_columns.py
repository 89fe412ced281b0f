"""The area of a row written as Thai government sheets write it: separate columns for the
province, amphoe, tambon and หมู่ (จังหวัด | อำเภอ | ตำบล | หมู่ที่), in any order, with names or codes,
with or without the ``จ.``/``อ.``/``ต.``/``ม.`` prefixes.

The columns become one area text that :class:`~planmap_gis.read.areas.AreaIndex` reads, the finer
unit qualified by the coarser ones (``ม.3 ต.ท่างิ้ว อ.เมืองนครศรีธรรมราช``): an amphoe column
alone is the whole amphoe, several names in the finest column (``ท่างิ้ว, ท่าซัก``) are several
areas. Codes in two columns that do not nest (tambon 800701 under amphoe 8001) are a conflict,
reported on the row naming both columns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from planmap_gis._schema import LEVEL_LENGTH
from planmap_gis._text import is_blank, thai_digits

__all__ = ["AREA_PART_HEADERS", "AREA_PARTS", "compose"]

#: The separate area columns, coarse to fine (the canonical names a template uses too).
AREA_PARTS = ("province", "amphoe", "tambon", "moo")
#: Header variants of each (compared after ``header_key``: no spaces, dots or brackets).
AREA_PART_HEADERS: dict[str, tuple[str, ...]] = {
    "province": ("province", "จังหวัด", "จ.", "changwat"),
    "amphoe": ("amphoe", "อำเภอ", "อำเภอ/เขต", "อ.", "amphur", "amphoe/district", "district"),
    "tambon": ("tambon", "ตำบล", "ตำบล/แขวง", "ต.", "subdistrict", "sub-district", "sub district"),
    "moo": ("moo", "หมู่ที่", "หมู่", "ม.", "moo no", "village no", "village no.", "village number"),
}
_PREFIX = {"province": "จ.", "amphoe": "อ.", "tambon": "ต.", "moo": "ม."}
_WORDS = {
    "province": re.compile(r"^(?:จังหวัด|จ\.)\s*"),
    "amphoe": re.compile(r"^(?:อำเภอ|กิ่งอำเภอ|เขต|อ\.)\s*"),
    "tambon": re.compile(r"^(?:ตำบล|แขวง|ต\.)\s*"),
    "moo": re.compile(r"^(?:หมู่ที่|หมู่|ม\.)\s*"),
}
_SPLIT = re.compile(r"\s*[,;/\n]\s*|\s+และ\s+")
#: "8001 เมืองนครศรีธรรมราช" (as a template's dropdown writes it): the code speaks.
_CODE_FIRST = re.compile(r"^(\d{2}|\d{4}|\d{6}|\d{8})(?:\s+\S.*)?$")


def _values(level: str, cell: object) -> list[str]:
    """The names or codes a cell of one area column lists, without their prefixes."""
    if is_blank(cell):
        return []
    text = thai_digits(str(cell)).strip().removesuffix(".0")
    out = []
    for piece in _SPLIT.split(text):
        piece = _WORDS[level].sub("", piece.strip())
        coded = _CODE_FIRST.match(piece)
        if coded:
            piece = coded.group(1)
        if piece:
            out.append(piece)
    return out


def _written(level: str, value: str) -> str:
    """A value as the area reader takes it: with its level's prefix (a code too, so that it
    qualifies the finer unit before it)."""
    return f"{_PREFIX[level]}{value}"


def compose(rec: Mapping[str, object]) -> tuple[str | None, list[tuple[str, str, str, str]]]:
    """The area text of a row's separate area columns, and its conflicts.

    Returns
    -------
    (str or None, list)
        The text (None when the row has no area column filled) and, for each pair of columns
        whose codes do not nest, ``(column, value, English, Thai)``.
    """
    values = {level: _values(level, rec.get(level)) for level in AREA_PARTS}
    filled = [lv for lv in AREA_PARTS if values[lv]]
    if not filled:
        return None, []
    conflicts = []
    coded = {lv: v[0] for lv, v in values.items() if len(v) == 1 and v[0].isdigit() and lv != "moo"}
    for fine in ("tambon", "amphoe"):
        for coarse in ("amphoe", "province"):
            if fine in coded and coarse in coded and LEVEL_LENGTH[coarse] < LEVEL_LENGTH[fine] \
                    and not coded[fine].startswith(coded[coarse]):
                conflicts.append((fine, str(rec.get(fine)),
                                  f"{fine} {coded[fine]} is not in {coarse} {coded[coarse]} (column "
                                  f"'{coarse}'): correct one of the two cells",
                                  f"รหัส{_THAI[fine]} {coded[fine]} ไม่อยู่ใน{_THAI[coarse]} {coded[coarse]} "
                                  "แก้ไขช่องใดช่องหนึ่ง"))
    if conflicts:
        return None, conflicts
    finest = filled[-1]
    # The coarser columns qualify the finest one; a coarser column listing several names is
    # not a qualifier but areas of its own.
    qualifiers = " ".join(_written(lv, values[lv][0]) for lv in reversed(filled[:-1]) if len(values[lv]) == 1)
    pieces = [f"{_written(finest, v)} {qualifiers}".strip() for v in values[finest]]
    pieces += [_written(lv, v) for lv in filled[:-1] if len(values[lv]) > 1 for v in values[lv]]
    return ", ".join(pieces), []


_THAI = {"province": "จังหวัด", "amphoe": "อำเภอ", "tambon": "ตำบล", "moo": "หมู่"}
