"""Facilitators (คุณอำนวย): who can support which project, and which villages have nobody.

A register lists each facilitator once: name, agency or community organisation, the villages,
tambon or amphoe served, skills as sectors (ด้าน), management unit and a contact. The contact
is read only when asked (``contact=True``): no map, table or workbook carries it otherwise.

Matching (:func:`match_facilitators`) is by sector and area:

* a facilitator *can support* a project when one of their skills is the project's sector and
  the villages they serve meet the villages the project reaches;
* a project with no such facilitator *needs a facilitator*;
* per facilitator, the projects they could support and the villages of those projects they
  would work in: villages the projects *target* inside the facilitator's area (province- and
  amphoe-wide programmes reach every village without targeting it, as in
  :func:`~planmap_gis.measure.metrics.facilitator_load`, and are counted apart);
* per village, the targeted projects with no skilled facilitator *nearby*: none serving the
  village or another village of its tambon.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from planmap_gis._errors import SchemaError, show_values
from planmap_gis._schema import (
    AREA_CODES,
    CONTACT,
    FACILITATOR,
    MANAGEMENT_UNIT,
    ORGANISATION,
    SECTORS,
    SKILLS,
    SOURCE_FILE,
    SOURCE_ROW,
)
from planmap_gis.read.areas import AreaIndex
from planmap_gis.read.cells import CONTACTS_TAKEN, is_blank, take_contacts
from planmap_gis.read.masterplan import sector_key
from planmap_gis.read.sheets import ROW, header_key, read_table, table_report
from planmap_gis.read.template.fields import FACILITATOR_FIELDS
from planmap_gis.read.template.read import TemplateRows, template_index
from planmap_gis.report import ImportReport

__all__ = ["FACILITATOR_COLUMNS", "NEEDS_FACILITATOR", "match_facilitators", "read_facilitators", "support_tables"]

log = logging.getLogger("planmap_gis")

#: The register, one row per facilitator (``contact`` only when read with ``contact=True``).
FACILITATOR_COLUMNS = (FACILITATOR, ORGANISATION, AREA_CODES, SKILLS, MANAGEMENT_UNIT, SOURCE_FILE, SOURCE_ROW)
_HEADERS: dict[str, tuple[str, ...]] = {
    FACILITATOR: ("facilitator", "name", "ชื่อ-สกุล", "ชื่อ - สกุล", "ชื่อสกุล", "ชื่อ", "ชื่อคุณอำนวย",
                  "คุณอำนวย", "ผู้อำนวยความสะดวก", "ชื่อผู้อำนวยความสะดวก"),
    ORGANISATION: ("organisation", "organization", "หน่วยงานหรือองค์กรชุมชน", "หน่วยงาน", "องค์กร",
                   "สังกัด", "agency", "องค์กรชุมชน", "หน่วยงาน/องค์กร"),
    AREA_CODES: ("areas", "serves", "area", "พื้นที่ที่ดูแล", "พื้นที่รับผิดชอบ", "พื้นที่",
                 "พื้นที่อื่นที่ดูแล (ชื่อหรือรหัส)", "พื้นที่ปฏิบัติงาน"),
    SKILLS: ("skills", "ทักษะ", "ทักษะ (ด้าน)", "ความเชี่ยวชาญ", "ความถนัด", "ด้านที่ถนัด", "ด้าน"),
    MANAGEMENT_UNIT: ("management_unit", "หน่วยจัดการ", "หน่วยจัดการชุมชน", "management unit"),
    CONTACT: ("contact", "ติดต่อ", "ติดต่อ (โทร/ไลน์)", "โทร", "เบอร์โทร", "โทรศัพท์", "phone", "line", "ไลน์",
              "อีเมล", "email"),
}
ALIASES = {header_key(v): k for k, vs in _HEADERS.items() for v in vs}


def read_facilitators(
    path: str | Path,
    *,
    boundaries: pd.DataFrame | None = None,
    villages: pd.DataFrame | None = None,
    sheet: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    contact: bool = False,
) -> tuple[pd.DataFrame, ImportReport]:
    """Read a facilitator register: a returned register template or any sheet with such columns.

    Parameters
    ----------
    path : str or Path
        CSV or workbook; a register template (``planmap template --facilitators``) is read
        strictly, like a project template.
    boundaries : DataFrame, optional
        Tambon layer the areas are matched against (the DOPA gazetteer without it).
    villages : DataFrame, optional
        Village register; village codes must be in it.
    sheet, columns : optional
        As for :func:`~planmap_gis.read_projects`.
    contact : bool, default False
        Keep the contact column. Without it the contact is not read at all, so no output
        can carry it.

    Returns
    -------
    (DataFrame, ImportReport)
        :data:`FACILITATOR_COLUMNS` (+ ``contact``): ``area_codes`` a list of DOPA codes of any
        level, ``skills`` a list of canonical sectors (``SECTORS``). A row without a name or
        without an area that can be placed is rejected; unknown skills are left out and
        reported; a name listed twice is rejected (list every area and skill on one row).
    """
    path = Path(path)
    stamp, index = template_index(path, sheet, columns, boundaries, villages)
    if stamp is not None and stamp.kind == "facilitators":
        report = ImportReport(source=str(path))
        rows = TemplateRows(path, stamp, FACILITATOR_FIELDS, report)
        sheet_name = rows.sheet
        table = []
        for values in rows.checked():
            table.append({ROW: values[ROW], FACILITATOR: values["name"], ORGANISATION: values[ORGANISATION],
                          AREA_CODES: ", ".join(v for v in (values[AREA_CODES], values["serves"]) if v),
                          SKILLS: ", ".join(values[f"{SKILLS}_{i}"] for i in (1, 2, 3) if values[f"{SKILLS}_{i}"]),
                          MANAGEMENT_UNIT: values[MANAGEMENT_UNIT], CONTACT: values[CONTACT]})
        frame = pd.DataFrame(table, columns=[ROW, *_HEADERS])
    else:
        frame, sheet_name = read_table(path, ALIASES, sheet=sheet, columns=columns)
        if FACILITATOR not in frame:
            raise SchemaError(
                f"{path}: no name column in the facilitator register. Columns: "
                f"{show_values([c for c in frame.columns if c != ROW], 20)}. Use the header ชื่อ-สกุล, or "
                "pass --columns '<your header>=facilitator' (Python: columns={'<your header>': 'facilitator'}); planmap template --facilitators writes a "
                "ready register.", th=f"{path}: ไม่พบคอลัมน์ชื่อในทะเบียนคุณอำนวย แก้ไข: ใช้หัวคอลัมน์ ชื่อ-สกุล")
        report = table_report(path, frame, sheet_name)
        report.rows_in = len(frame)
    frame = _one_contact_column(frame)
    if CONTACT in frame and frame[CONTACT].map(lambda v: not is_blank(v)).any() and not contact:
        report.add("info", "the contact column was not read: no output carries it (contact=True, CLI "
                   "--with-contacts, to keep it)", "ไม่ได้อ่านคอลัมน์ติดต่อ ผลลัพธ์จึงไม่มีข้อมูลติดต่อ "
                   "(สั่ง --with-contacts หากต้องการ)", column=CONTACT, sheet=sheet_name)
    records = _records(frame, index, report, sheet_name, path, contact)
    out = pd.DataFrame(records, columns=[*FACILITATOR_COLUMNS, *([CONTACT] if contact else [])])
    log.info(report.summary())
    return out, report


def _records(frame: pd.DataFrame, index: AreaIndex, report: ImportReport, sheet: str | None, path: Path,
             contact: bool) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for rec in frame.to_dict("records"):
        row = int(rec[ROW])
        typed = _private(rec, row, report, sheet)  # contacts typed into other cells: out, and said
        name = "" if is_blank(rec.get(FACILITATOR)) else re.sub(r"\s+", " ", str(rec[FACILITATOR])).strip()
        errors: list[tuple[str, object, str, str]] = []
        if not name:
            errors.append((FACILITATOR, None, "no name", "ไม่มีชื่อ"))
        elif name in seen:
            errors.append((FACILITATOR, name, f"{name} is already listed in row {seen[name]}; list every area "
                           "and skill of one person on one row", f"{name} อยู่ในแถว {seen[name]} แล้ว "
                           "ให้รวมพื้นที่และทักษะไว้ในแถวเดียว"))
        found = index.resolve(rec.get(AREA_CODES))
        if not found.codes:
            errors.append((AREA_CODES, rec.get(AREA_CODES), "no area served that can be placed (write "
                           "tambon or village names or codes)", "ไม่มีพื้นที่ที่ดูแลที่ระบุได้"))
        if report.reject(row, errors, sheet=sheet):
            continue
        for severity, token, en, th in found.problems:
            report.add("warning" if severity == "error" else severity, en, th, row=row, column=AREA_CODES,
                       value=token, sheet=sheet)
        skills = []
        for word in re.split(r"[,;/|\n、]+", "" if is_blank(rec.get(SKILLS)) else str(rec[SKILLS])):
            key = sector_key(word)
            if key in SECTORS and key not in skills:
                skills.append(key)
            elif key:
                report.add("warning", f"skill {word.strip()!r} is not a sector ({', '.join(SECTORS)}): left out",
                           f"ทักษะ {word.strip()} ไม่ใช่ด้านในรายการ ไม่นำเข้า", row=row, column=SKILLS,
                           value=word.strip(), sheet=sheet)
        if not skills:
            report.add("warning", "no skill (sector): this facilitator matches no project",
                       "ไม่ระบุทักษะ (ด้าน) จึงจับคู่กับโครงการไม่ได้", row=row, column=SKILLS, sheet=sheet)
        seen[name] = row
        report.rows_loaded += 1
        records.append({FACILITATOR: name, ORGANISATION: _text(rec.get(ORGANISATION)),
                        AREA_CODES: list(found.codes), SKILLS: skills,
                        MANAGEMENT_UNIT: _text(rec.get(MANAGEMENT_UNIT)), SOURCE_FILE: str(path), SOURCE_ROW: row,
                        **({CONTACT: "; ".join(c for c in (_text(rec.get(CONTACT)), *typed) if c) or None}
                           if contact else {})})
    return records


#: Register cells a contact may be typed into besides the contact columns.
_TEXT_CELLS = (FACILITATOR, ORGANISATION, MANAGEMENT_UNIT, AREA_CODES, SKILLS)


def _private(rec: dict[str, Any], row: int, report: ImportReport, sheet: str | None) -> list[str]:
    """Take contacts out of the register's other cells (in place), each reported by cell with the value
    masked; returns them (kept only with ``contact=True``)."""
    taken = take_contacts(rec, _TEXT_CELLS)
    for column, masked, _ in taken:
        report.add("warning", *CONTACTS_TAKEN, row=row, column=column, value=masked, sheet=sheet)
    return [c for _, _, found in taken for c in found]


def _one_contact_column(frame: pd.DataFrame) -> pd.DataFrame:
    """Phone, LINE and e-mail columns (each read as ``contact``) joined into one ``contact`` column."""
    # The sheet layer names the first such column ``contact``, the others ``contact_<position>``.
    where = [i for i, c in enumerate(frame.columns) if re.fullmatch(rf"{CONTACT}(?:_\d+)?", str(c))]
    if len(where) < 2:
        return frame
    joined = frame.iloc[:, where].apply(lambda r: "; ".join(str(v).strip() for v in r if not is_blank(v)) or None,
                                        axis=1)
    frame = frame.iloc[:, [i for i in range(frame.shape[1]) if i not in where]].copy()
    frame[CONTACT] = joined
    return frame


def _text(value: object) -> str | None:
    return None if is_blank(value) else str(value).strip()


