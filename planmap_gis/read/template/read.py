"""Reading a returned workshop template strictly: its stamp, its fixed columns, its lists.

A template says what it is (hidden defined names, :data:`~planmap_gis.read.template.STAMP`), so
nothing is guessed: a header moved or removed stops the file, and a value outside a dropdown
list rejects the row with an error naming the sheet, the cell and the allowed values. The
checked cells are then read by the ordinary row readers (areas, budgets, ids), so a template
and a free-form sheet give the same project table.
"""

from __future__ import annotations

import functools
import html
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from planmap_gis._errors import PlanmapError, SchemaError
from planmap_gis._schema import (
    AGENCY,
    AREA_CODES,
    BUDGET,
    BUDGET_LAYER,
    BUDGET_LAYERS_SHORT,
    FISCAL_YEAR,
    SECTOR,
    TIER,
)
from planmap_gis.read.areas import AreaIndex
from planmap_gis.read.boundaries import read_boundaries
from planmap_gis.read.sheets import (
    ROW,
    formula_note,
    header_key,
    hidden_row,
    parse_number,
)
from planmap_gis.read.sheets.files import read_raw, sniff
from planmap_gis.read.template.fields import (
    AMPHOE,
    AREAS,
    FIRST_ROW,
    MOO,
    PROJECT_FIELDS,
    REFERENCE_HEADS,
    SHEET_FACILITATORS,
    SHEET_PROJECTS,
    SHEET_REFERENCE,
    STAMP,
    STATUSES,
    TAMBON,
    TEMPLATE_VERSION,
    Field,
    layer_choices,
    tier_choices,
    year_choices,
)
from planmap_gis.report import ImportReport

__all__ = ["Stamp", "TemplateRows", "template_stamp"]


@dataclass(frozen=True)
class Stamp:
    """What a template says about itself."""

    kind: str
    version: int
    province: str
    agency: str
    year: int | None

    def boundaries(self) -> Any:
        """The tambon of the template's province (the national layer), or None when it cannot be read."""
        return _province_tambons(self.province) if self.province else None


@functools.lru_cache(maxsize=4)
def _province_tambons(province: str) -> Any:
    """Read once per province: a folder of 25 returned templates needs the layer once."""

    try:
        return read_boundaries(province=province)[0]
    except PlanmapError:
        return None


_DEFINED = re.compile(r'<(?:\w+:)?definedName\b([^>]*)>([^<]*)</(?:\w+:)?definedName>')
_NAMED_EXPRESSION = re.compile(r'<table:named-expression\b([^>]*)/?>')


def template_stamp(path: str | Path) -> Stamp | None:
    """The stamp of a planmap template (.xlsx, or .ods saved by LibreOffice), or None."""
    path = Path(path)
    try:
        kind = sniff(path)
        if kind not in ("xlsx", "ods"):
            return None
        with zipfile.ZipFile(path) as archive:
            xml = archive.read("xl/workbook.xml" if kind == "xlsx" else "content.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    values: dict[str, str] = {}
    if kind == "xlsx":
        for attrs, text in _DEFINED.findall(xml):
            name = re.search(r'\bname="([^"]+)"', attrs)
            if name:
                values[name.group(1)] = html.unescape(text)
    else:
        for attrs in _NAMED_EXPRESSION.findall(xml):
            name = re.search(r'table:name="([^"]+)"', attrs)
            expression = re.search(r'table:expression="([^"]*)"', attrs)
            if name and expression:
                values[name.group(1)] = html.unescape(expression.group(1)).removeprefix("of:").lstrip("=")
    if STAMP["kind"] not in values:
        return None
    text = {k: _constant(values.get(v, "")) for k, v in STAMP.items()}
    try:
        version = int(text["version"] or 0)
        year = int(text["year"]) if text["year"] else None
    except ValueError:
        return None
    return Stamp(text["kind"], version, text["province"], text["agency"], year)


def template_index(path: Path, sheet: Any, columns: Any, boundaries: Any, villages: Any) -> tuple[Stamp | None, Any]:
    """A file's template stamp (when read without a chosen sheet or column mapping) and the area
    index to read it with: a template's names are matched within its own province."""

    stamp = template_stamp(path) if sheet is None and columns is None else None
    if stamp is not None and boundaries is None:
        boundaries = stamp.boundaries()
    return stamp, AreaIndex(boundaries, villages)


def _constant(text: str) -> str:
    """A defined name's text constant ``"abc"`` (doubled quotes inside) as ``abc``."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return text


class TemplateRows:
    """The checked rows of a returned template, as records for the row readers.

    Parameters
    ----------
    path : Path
    stamp : Stamp
    fields : tuple of Field
        The template's columns (``PROJECT_FIELDS`` or ``FACILITATOR_FIELDS``).
    report : ImportReport
        Filled with each refused cell; the allowed values come from the template's own
        reference sheet (tiers, layers and statuses from the package).
    """

    def __init__(self, path: Path, stamp: Stamp, fields: tuple[Field, ...], report: ImportReport) -> None:
        if stamp.version > TEMPLATE_VERSION:
            raise SchemaError(f"{path}: a planmap template of version {stamp.version}, newer than this "
                              f"planmap reads ({TEMPLATE_VERSION}). Fix: update planmap-gis.",
                              th=f"{path}: แบบฟอร์มรุ่นที่ {stamp.version} ใหม่กว่าโปรแกรม แก้ไข: ปรับรุ่น planmap-gis")
        self.path, self.stamp, self.fields, self.report = path, stamp, fields, report
        self.sheet = SHEET_FACILITATORS if stamp.kind == "facilitators" else SHEET_PROJECTS
        raw = read_raw(path, self.sheet)
        self.rows = raw.rows
        self.hidden = raw.hidden_rows
        if raw.formulas_without_value:
            report.add("warning", *formula_note(raw.formulas_without_value), sheet=self.sheet)
        self._check_headers()
        self.lists = self._lists()
        report.add("info", f"read as a planmap {stamp.kind} template (version {stamp.version}, province "
                   f"{stamp.province}{', ' + stamp.agency if stamp.agency else ''}"
                   f"{', fiscal year ' + str(stamp.year) if stamp.year else ''}): values are checked "
                   "against the template's lists", f"อ่านเป็นแบบฟอร์มของ planmap (รุ่น {stamp.version} "
                   f"จังหวัด {stamp.province}{' ' + stamp.agency if stamp.agency else ''}) ตรวจค่าตามรายการของแบบฟอร์ม", sheet=self.sheet)

    def _check_headers(self) -> None:
        found = [header_key(c) for c in (self.rows[0] if self.rows else [])]
        for col, field in enumerate(self.fields):
            if col >= len(found) or found[col] != header_key(field.th):
                letter = get_column_letter(col + 1)
                raise SchemaError(
                    f"{self.path} (sheet {self.sheet!r}): cell {letter}1 should be the header "
                    f"{field.th!r} ({field.en}); the template's columns were changed. Fix: copy the rows "
                    "into a fresh template (planmap template) without adding, deleting or moving columns.",
                    th=f"{self.path} (ชีต {self.sheet}): ช่อง {letter}1 ต้องเป็นหัวคอลัมน์ {field.th} "
                       "คอลัมน์ของแบบฟอร์มถูกแก้ไข แก้ไข: คัดลอกข้อมูลลงแบบฟอร์มใหม่ โดยไม่เพิ่ม ลบ หรือย้ายคอลัมน์")

    def _lists(self) -> dict[str, list[str]]:
        """Allowed values of each list, from the template's own reference sheet."""
        ref = read_raw(self.path, SHEET_REFERENCE).rows
        heads = ref[2] if len(ref) > 2 else []
        columns: dict[str, list[str]] = {}
        for col, head in enumerate(heads):
            if head:
                columns[head] = [r[col] for r in ref[3:] if col < len(r) and r[col]]
        listed = {key: columns.get(head, []) for key, head in REFERENCE_HEADS.items()}
        return {"tier": tier_choices(), "layer": layer_choices(), "sector": listed["sector"],
                "status": list(STATUSES), "amphoe": listed["amphoe"], "tambon": listed["tambon"],
                "year": [str(y) for y in year_choices(self.stamp.year)] if self.stamp.year else
                [v.removesuffix(".0") for v in listed["year"]]}

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any] | None]]:
        """(sheet row, record) per filled row; the record is None when the row is not loaded (a cell
        broke a list, or the row is hidden: cancelled, as in any sheet)."""
        for number, cells in enumerate(self.rows[FIRST_ROW - 1:], start=FIRST_ROW):
            if not any(str(c).strip() for c in cells):
                continue
            if number in self.hidden:
                hidden_row(self.report, number, " | ".join(c for c in cells[:3] if c), self.sheet)
                yield number, None
                continue
            yield number, self._record(number, cells)

    def checked(self) -> Iterator[dict[str, Any]]:
        """The records of the rows that kept to the lists, each filled row counted in the report."""
        for _, values in self:
            self.report.rows_in += 1
            if values is None:
                self.report.rows_rejected += 1
            else:
                yield values

    def _record(self, number: int, cells: list[str]) -> dict[str, Any] | None:
        values = {f.key: (cells[i].strip() if i < len(cells) else "") for i, f in enumerate(self.fields)}
        ok = True
        for col, field in enumerate(self.fields):
            value = values[field.key]
            if not value:
                continue
            allowed = self._allowed(field, values)
            if allowed is not None and _plain(value) not in {_plain(a) for a in allowed}:
                self.refuse(number, col, field, value, allowed)
                ok = False
            elif field.check in ("moo", "money", "lat", "lon"):
                ok &= self._number(number, col, field, value)
        if values.get(TAMBON) and not values.get(AMPHOE) or values.get(MOO) and not values.get(TAMBON):
            col = [f.key for f in self.fields].index(MOO if values.get(MOO) else TAMBON)
            self.error(number, col, values[self.fields[col].key],
                       "needs the column to its left filled too (amphoe before tambon, tambon before moo)",
                       "ต้องกรอกช่องทางซ้ายด้วย (อำเภอก่อนตำบล ตำบลก่อนหมู่)")
            ok = False
        if AREAS in values and values[AREAS] and values.get(AMPHOE):
            self.error(number, [f.key for f in self.fields].index(AREAS), values[AREAS],
                       "both one place (amphoe/tambon/moo) and several areas are filled: keep one "
                       "(write every place in the several-areas column)",
                       "กรอกทั้งพื้นที่เดียว (อำเภอ/ตำบล/หมู่) และพื้นที่หลายแห่ง ให้เลือกอย่างใดอย่างหนึ่ง")
            ok = False
        if not ok:
            return None
        values[ROW] = number
        values[AREA_CODES] = _place(values) or values.pop(AREAS, "")
        return values

    def _allowed(self, field: Field, values: dict[str, str]) -> list[str] | None:
        if field.check.startswith("list:"):
            return self.lists[field.check.removeprefix("list:")]
        if field.check == "year":
            return self.lists["year"]
        if field.check == "tambon":
            amphoe = values.get(AMPHOE, "")[:4]
            return [t for t in self.lists["tambon"] if t[:4] == amphoe] if amphoe else None
        return None

    def _number(self, number: int, col: int, field: Field, value: str) -> bool:
        try:
            parsed = parse_number(value)
        except ValueError:
            parsed = None
        fine = parsed is not None and parsed >= 0 and (field.check != "moo" or (parsed == int(parsed)
                                                                              and 1 <= parsed <= 99))
        if not fine:
            what = {"moo": ("a whole number 1–99", "จำนวนเต็ม 1–99"),
                    "money": ("a number of baht ≥ 0", "จำนวนเงินบาทไม่ติดลบ"),
                    "lat": ("decimal degrees", "องศาทศนิยม"), "lon": ("decimal degrees", "องศาทศนิยม")}[field.check]
            self.error(number, col, value, f"must be {what[0]}", f"ต้องเป็น{what[1]}")
        return fine

    def refuse(self, number: int, col: int, field: Field, value: str, allowed: list[str]) -> None:
        shown = ", ".join(allowed[:30]) + (f", … ({len(allowed)} in all)" if len(allowed) > 30 else "")
        self.error(number, col, value, f"{value!r} is not in the list; allowed: {shown}. Pick one from "
                   "the cell's dropdown", f"{value} ไม่อยู่ในรายการ ค่าที่เลือกได้: {shown} "
                   "โปรดเลือกจากรายการในช่อง")

    def error(self, number: int, col: int, value: object, en: str, th: str) -> None:
        field = self.fields[col]
        cell = f"{get_column_letter(col + 1)}{number}"
        self.report.add("error", f"sheet {self.sheet!r}, cell {cell} ({field.th} / {field.en}): {en}: row "
                        "rejected", f"ชีต {self.sheet} ช่อง {cell} ({field.th}): {th} ไม่นำเข้าแถวนี้",
                        row=number, column=field.key, value=value, sheet=self.sheet)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", str(text).removesuffix(".0")).strip()


def _place(values: dict[str, str]) -> str:
    """The one place chosen with the amphoe, tambon and moo cells, as a DOPA code."""
    if values.get(MOO):
        return f"{values[TAMBON][:6]}{int(float(values[MOO])):02d}"
    if values.get(TAMBON):
        return values[TAMBON][:6]
    if values.get(AMPHOE):
        return values[AMPHOE][:4]
    return ""


def project_record(values: dict[str, Any], stamp: Stamp) -> dict[str, Any]:
    """A checked template row in the canonical columns the project row reader takes."""
    rec = dict(values)
    if not rec.get(AGENCY) and stamp.agency:
        rec[AGENCY] = stamp.agency
    if not rec.get(FISCAL_YEAR) and stamp.year:
        rec[FISCAL_YEAR] = stamp.year
    layer = rec.get(BUDGET_LAYER)
    if layer:
        rec[BUDGET_LAYER] = next(k for k, v in BUDGET_LAYERS_SHORT.items() if _plain(v) == _plain(layer))
    rec[BUDGET] = rec.get(BUDGET) or ""
    rec[TIER], rec[SECTOR] = rec.get(TIER) or "", rec.get(SECTOR) or ""
    return rec


def template_projects(path: Path, stamp: Stamp, reader: Any, report: ImportReport) -> list[dict[str, Any]]:
    """The project records of a returned template, every filled row loaded or reported.

    ``reader`` is the project row reader (:class:`~planmap_gis.read.rows.RowReader`).
    """

    records = []
    for values in TemplateRows(path, stamp, PROJECT_FIELDS, report).checked():
        record = reader.read(project_record(values, stamp))
        if record is not None:
            records.append(record)
    return records
