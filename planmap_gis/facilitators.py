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
  :func:`~planmap_gis.metrics.facilitator_load`, and are counted apart);
* per village, the targeted projects with no skilled facilitator *nearby*: none serving the
  village or another village of its tambon.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from planmap_gis._areas import AreaIndex
from planmap_gis._errors import SchemaError, show_values
from planmap_gis._schema import (
    AREA_CODES,
    FACILITATOR,
    MANAGEMENT_UNIT,
    NAME_TH,
    PROJECT_ID,
    SECTOR,
    SECTORS,
    SOURCE_FILE,
    SOURCE_ROW,
    VILLAGE_CODE,
)
from planmap_gis._tables import ROW, header_key, read_table, table_report
from planmap_gis._template.fields import FACILITATOR_FIELDS, SKILLS
from planmap_gis._template.read import TemplateRows, template_index
from planmap_gis._values import is_blank
from planmap_gis.masterplan import sector_key
from planmap_gis.metrics import targeted
from planmap_gis.report import ImportReport

__all__ = ["FACILITATOR_COLUMNS", "NEEDS_FACILITATOR", "match_facilitators", "read_facilitators", "support_tables"]

log = logging.getLogger("planmap_gis")

ORGANISATION, CONTACT = "organisation", "contact"
#: The register, one row per facilitator (``contact`` only when read with ``contact=True``).
FACILITATOR_COLUMNS = (FACILITATOR, ORGANISATION, AREA_CODES, SKILLS, MANAGEMENT_UNIT, SOURCE_FILE, SOURCE_ROW)
#: What a project without a possible facilitator says.
NEEDS_FACILITATOR = ("ต้องการคุณอำนวย", "needs a facilitator")
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
                "pass columns={'<your header>': 'facilitator'}; planmap template --facilitators writes a "
                "ready register.", th=f"{path}: ไม่พบคอลัมน์ชื่อในทะเบียนคุณอำนวย แก้ไข: ใช้หัวคอลัมน์ ชื่อ-สกุล")
        report = table_report(path, frame, sheet_name)
        report.rows_in = len(frame)
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
                        **({CONTACT: _text(rec.get(CONTACT))} if contact else {})})
    return records


def _text(value: object) -> str | None:
    return None if is_blank(value) else str(value).strip()


def served_villages(register: pd.DataFrame, villages: Sequence[str]) -> pd.DataFrame:
    """(facilitator, village_code) for every village a facilitator serves (codes of any level)."""
    codes = pd.Series(sorted(set(map(str, villages))), dtype=object)
    rows = []
    for name, areas in zip(register[FACILITATOR], register[AREA_CODES], strict=True):
        inside = codes[codes.str.startswith(tuple(areas))] if len(areas) else codes.iloc[:0]
        rows += [(name, v) for v in inside]
    return pd.DataFrame(rows, columns=[FACILITATOR, VILLAGE_CODE]).drop_duplicates()


def match_facilitators(projects: pd.DataFrame, allocation: pd.DataFrame, register: pd.DataFrame,
                       villages: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Who can support which project, by sector and area.

    Parameters
    ----------
    projects : DataFrame
        Canonical projects.
    allocation : DataFrame
        Project × village rows (:func:`~planmap_gis.allocate`), with ``location_precision``.
    register : DataFrame
        :func:`read_facilitators`.
    villages : sequence of str
        Every village code of the plan.

    Returns
    -------
    dict of DataFrame
        ``project`` (by ``project_id``, in the projects' order): ``facilitators`` (names, "; "),
        ``n_facilitators``, ``n_villages`` reached, ``n_villages_supported`` (reached villages a
        skilled facilitator serves), ``needs_facilitator`` and ``support`` (the names, or
        ต้องการคุณอำนวย / needs a facilitator). ``facilitator`` (by name, register order):
        ``n_projects`` they could support, ``project_ids``, ``n_targeted_villages`` (villages those
        projects target inside the facilitator's area), ``n_blanket_projects`` (matched only
        through province- or amphoe-wide rows), ``n_villages_served`` (and ``contact`` when the
        register was read with it). ``village`` (by
        ``village_code``, every village): ``n_targeted_projects``, ``n_unsupported_projects``
        (targeted projects with no skilled facilitator serving the village or its tambon) and
        ``unsupported_sectors``.
    """
    written = projects.set_index(PROJECT_ID)[SECTOR]
    sectors = written.map(sector_key)
    reach = allocation[[PROJECT_ID, VILLAGE_CODE, "location_precision"]].copy()
    reach["targeted"] = reach.index.isin(targeted(reach).index)
    reach[SECTOR] = reach[PROJECT_ID].map(sectors)
    served = served_villages(register, villages)
    skills = pd.DataFrame([(n, s) for n, ss in zip(register[FACILITATOR], register[SKILLS], strict=True) for s in ss],
                          columns=[FACILITATOR, SECTOR])
    able = served.merge(skills, on=FACILITATOR)  # (facilitator, village, sector)
    hits = reach.merge(able, on=[VILLAGE_CODE, SECTOR])
    by_project = _by_project(projects, reach, hits)
    by_facilitator = _by_facilitator(register, served, hits)
    # Nearby: a skilled facilitator serving the village or another village of its tambon.
    able_tambon = able.assign(tambon=able[VILLAGE_CODE].str[:6])[["tambon", SECTOR]].drop_duplicates()
    aimed = reach[reach["targeted"]].drop_duplicates([PROJECT_ID, VILLAGE_CODE]).assign(
        tambon=lambda f: f[VILLAGE_CODE].str[:6])
    aimed = aimed.merge(able_tambon.assign(nearby=True), on=["tambon", SECTOR], how="left")
    lacking = aimed[aimed["nearby"].isna()]
    index = pd.Index(sorted(set(map(str, villages))), name=VILLAGE_CODE)
    by_village = pd.DataFrame({
        "n_targeted_projects": aimed.groupby(VILLAGE_CODE)[PROJECT_ID].nunique(),
        "n_unsupported_projects": lacking.groupby(VILLAGE_CODE)[PROJECT_ID].nunique(),
        # Named as the agencies wrote them (the canonical key drops spaces of unknown sectors).
        "unsupported_sectors": lacking[PROJECT_ID].map(written).groupby(lacking[VILLAGE_CODE]).agg(
            lambda s: ", ".join(sorted({str(v) for v in s.dropna()}))),
    }).reindex(index)
    by_village = by_village.fillna({"n_targeted_projects": 0, "n_unsupported_projects": 0, "unsupported_sectors": ""})
    by_village = by_village.astype({"n_targeted_projects": int, "n_unsupported_projects": int})
    return {"project": by_project, "facilitator": by_facilitator, "village": by_village}


def _by_project(projects: pd.DataFrame, reach: pd.DataFrame, hits: pd.DataFrame) -> pd.DataFrame:
    ids = projects[PROJECT_ID]
    names = hits.groupby(PROJECT_ID)[FACILITATOR].agg(lambda s: "; ".join(sorted(set(s))))
    frame = pd.DataFrame({
        NAME_TH: projects[NAME_TH].to_numpy(), SECTOR: projects[SECTOR].to_numpy(),
        "n_villages": reach.groupby(PROJECT_ID)[VILLAGE_CODE].nunique().reindex(ids).fillna(0).astype(int).to_numpy(),
        "n_villages_supported": hits.groupby(PROJECT_ID)[VILLAGE_CODE].nunique().reindex(ids).fillna(0)
        .astype(int).to_numpy(),
        "n_facilitators": hits.groupby(PROJECT_ID)[FACILITATOR].nunique().reindex(ids).fillna(0).astype(int)
        .to_numpy(),
        "facilitators": names.reindex(ids).fillna("").to_numpy(),
    }, index=pd.Index(ids, name=PROJECT_ID))
    frame["needs_facilitator"] = frame["n_facilitators"] == 0
    frame["support"] = frame["facilitators"].where(~frame["needs_facilitator"],
                                                   f"{NEEDS_FACILITATOR[0]} ({NEEDS_FACILITATOR[1]})")
    return frame


def _by_facilitator(register: pd.DataFrame, served: pd.DataFrame, hits: pd.DataFrame) -> pd.DataFrame:
    names = pd.Index(register[FACILITATOR], name=FACILITATOR)
    aimed = hits[hits["targeted"]]
    through_targets = aimed.groupby(FACILITATOR)[PROJECT_ID].agg(set)
    frame = pd.DataFrame({
        ORGANISATION: register[ORGANISATION].to_numpy(), MANAGEMENT_UNIT: register[MANAGEMENT_UNIT].to_numpy(),
        SKILLS: [", ".join(s) for s in register[SKILLS]],
        "n_villages_served": served.groupby(FACILITATOR)[VILLAGE_CODE].nunique().reindex(names).fillna(0)
        .astype(int).to_numpy(),
        "n_projects": hits.groupby(FACILITATOR)[PROJECT_ID].nunique().reindex(names).fillna(0).astype(int).to_numpy(),
        "n_targeted_villages": aimed.groupby(FACILITATOR)[VILLAGE_CODE].nunique().reindex(names).fillna(0)
        .astype(int).to_numpy(),
    }, index=names)
    projects_of = hits.groupby(FACILITATOR)[PROJECT_ID].agg(set).reindex(names)
    frame["n_blanket_projects"] = [len(p - through_targets.get(n, set())) if isinstance(p, set) else 0
                                   for n, p in zip(names, projects_of, strict=True)]
    frame["project_ids"] = ["; ".join(sorted(p)) if isinstance(p, set) else "" for p in projects_of]
    if CONTACT in register:  # read only when asked (``contact=True``)
        frame[CONTACT] = register[CONTACT].to_numpy()
    return frame


def support_tables(projects: pd.DataFrame, allocation: pd.DataFrame, register: pd.DataFrame | None,
                   cover: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame] | None:
    """:func:`match_facilitators` for :func:`~planmap_gis.analyse`; the village counts join the
    coverage tables (``cover``, in place). None without a register."""
    if register is None:
        return None
    support = match_facilitators(projects, allocation, register, cover["village"].index)
    village = support["village"]
    cover["village"] = cover["village"].drop(columns=["n_unsupported_projects", "unsupported_sectors"],
                                             errors="ignore")
    # A village no project targets has nothing to support: no value (grey on the maps), not 0.
    shown = village[["n_unsupported_projects", "unsupported_sectors"]].astype({"n_unsupported_projects": float})
    shown.loc[village["n_targeted_projects"] == 0, "n_unsupported_projects"] = float("nan")
    cover["village"] = cover["village"].join(shown)
    lacking = village[village["n_unsupported_projects"] > 0].index.to_series()
    for level, width in (("tambon", 6), ("amphoe", 4)):
        counts = lacking.str[:width].value_counts()
        cover[level]["n_villages_unsupported"] = counts.reindex(cover[level].index).fillna(0).astype(int)
    return support
