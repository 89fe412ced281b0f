"""Village master plans (แผนแม่บทชุมชน) and whether the projects answer them.

Communities rank their needs by sector from their household data. The
planning session asks: are the top needs met?

**The rule** (:func:`needs_met`): a village's need counts as *met* when at
least one project of the same sector works in that village or — with
``within="tambon"``, the default — anywhere in its tambon (a tambon-level
need: anywhere in the tambon). Only each unit's ``top`` best-ranked needs are
considered (3 by default); ties in rank keep sheet order. Sectors are compared
through :data:`~planmap_gis._schema.SECTORS` (Thai or English name, or a
listed synonym), otherwise as written after removing spaces and case.
The alignment score of a unit is met / considered (0–1).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from planmap_gis._errors import SchemaError, show_values
from planmap_gis._schema import (
    LEVEL,
    NEED_TH,
    RANK,
    SECTOR,
    SECTORS,
    SOURCE_ROW,
    UNIT_CODE,
)
from planmap_gis.read.areas import AreaIndex
from planmap_gis.read.cells import is_blank
from planmap_gis.read.sheets import (
    ROW,
    header_key,
    parse_number,
    read_table,
    table_report,
)
from planmap_gis.report import ImportReport

__all__ = ["NEED_COLUMNS", "alignment", "needs_met", "read_master_plans", "sector_key"]

log = logging.getLogger("planmap_gis")

#: The master-plan table: one row per (unit, need).
NEED_COLUMNS = (UNIT_CODE, LEVEL, SECTOR, RANK, NEED_TH, SOURCE_ROW)
_HEADERS = {
    UNIT_CODE: ("unit_code", "รหัสหมู่บ้าน", "รหัสพื้นที่", "หมู่บ้าน", "ชุมชน", "พื้นที่", "village",
                "village_code", "area", "หมู่บ้าน/ตำบล"),
    SECTOR: ("sector", "ด้าน", "สาขา", "ประเด็น", "ประเด็นการพัฒนา"),
    RANK: ("rank", "priority", "ลำดับความสำคัญ", "ลำดับความต้องการ", "ความสำคัญ", "ลำดับ"),
    NEED_TH: ("need_th", "need", "ความต้องการ", "ปัญหา/ความต้องการ", "ปัญหาและความต้องการ", "ปัญหา",
              "รายละเอียด", "กิจกรรม/โครงการที่ต้องการ", "โครงการที่ต้องการ"),
}
ALIASES = {header_key(v): k for k, vs in _HEADERS.items() for v in vs}
_SECTOR_KEYS = {re.sub(r"\s", "", w).lower(): th for th, (en, words) in SECTORS.items()
                for w in (th, en, *words)}


def sector_key(value: object) -> str | None:
    """The canonical Thai sector of a name (see ``SECTORS``), else the text without spaces."""
    if is_blank(value):
        return None
    text = re.sub(r"\s", "", str(value)).lower()
    text = re.sub(r"^(?:ด้าน|สาขา)", "", text)
    return _SECTOR_KEYS.get(text, text)


def read_master_plans(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    boundaries: pd.DataFrame | None = None,
    villages: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, ImportReport]:
    """Read village (or tambon) master-plan needs.

    Parameters
    ----------
    path : str or Path
        CSV or XLSX, one row per need: the area (8-digit village code,
        6-digit tambon code, or ``ม.3 ต.ท่างิ้ว``), the sector (ด้าน), the
        priority rank (1 = most important) and optionally the need in words.
    sheet, columns
        As for :func:`~planmap_gis.read_projects`.
    boundaries : DataFrame, optional
        Tambon layer whose names and codes areas are matched against.
    villages : DataFrame, optional
        Village register; village codes must then be in it.

    Returns
    -------
    (DataFrame, ImportReport)
        Columns :data:`NEED_COLUMNS` (``sector`` canonical via
        :func:`sector_key`); every row is loaded or reported.

    Raises
    ------
    SchemaError
        No area, sector or rank column.
    """
    path = Path(path)
    table, sheet_name = read_table(path, ALIASES, sheet=sheet, columns=columns)
    missing = [c for c in (UNIT_CODE, SECTOR, RANK) if c not in table]
    if missing:
        raise SchemaError(
            f"{path}: master plan without {', '.join(missing)} column(s). Columns: "
            f"{show_values([c for c in table.columns if c != ROW], 20)}. Expected headers such as "
            "รหัสหมู่บ้าน / ด้าน / ลำดับความสำคัญ / ความต้องการ, or pass columns={'<header>': "
            "'unit_code' | 'sector' | 'rank' | 'need_th'}.",
            th=f"{path}: แผนแม่บทชุมชนขาดคอลัมน์ {', '.join(missing)} แก้ไข: ใช้หัวคอลัมน์ "
               "รหัสหมู่บ้าน / ด้าน / ลำดับความสำคัญ / ความต้องการ")
    index = AreaIndex(boundaries, villages)
    report = table_report(path, table, sheet_name)
    records, resolved = [], {}
    for rec in table.to_dict("records"):
        row = int(rec[ROW])
        problems = []
        cell = rec.get(UNIT_CODE)
        found = resolved.get(str(cell)) or resolved.setdefault(str(cell), index.resolve(cell))
        codes = [c for c in found.codes if len(c) in (6, 8)]
        if found.problems and not found.codes:
            problems += [(UNIT_CODE, rec.get(UNIT_CODE), en, th) for _, _, en, th in found.problems]
        elif len(codes) != 1 or len(found.codes) != 1:
            problems.append((UNIT_CODE, rec.get(UNIT_CODE), "one village or tambon per row is needed "
                             f"(found {', '.join(found.codes) or 'none'}); write 'ม.3 ต.ท่างิ้ว' or "
                             "the 8-digit village code", "ต้องระบุหมู่บ้านหรือตำบลเดียวต่อแถว"))
        sector = sector_key(rec.get(SECTOR))
        if sector is None:
            problems.append((SECTOR, None, "no sector (ด้าน)", "ไม่ระบุด้าน"))
        try:
            rank = parse_number(rec.get(RANK))
        except ValueError:
            rank = None
        if rank is None or rank < 1 or rank != int(rank):
            problems.append((RANK, rec.get(RANK), "the rank must be a whole number from 1 (most "
                             "important)", "ลำดับความสำคัญต้องเป็นจำนวนเต็มตั้งแต่ 1"))
        if report.reject(row, problems, sheet=sheet_name):
            continue
        if str(rec.get(SECTOR)).strip() and sector not in SECTORS:
            report.add("warning", f"sector {rec.get(SECTOR)!r} is not one the projects use "
                       f"({', '.join(SECTORS)}): it is met only by projects of the same name",
                       f"ด้าน {rec.get(SECTOR)} ไม่อยู่ในรายการด้านของโครงการ", row=row, column=SECTOR,
                       value=rec.get(SECTOR), sheet=sheet_name)
        report.rows_loaded += 1
        records.append({UNIT_CODE: codes[0], LEVEL: "village" if len(codes[0]) == 8 else "tambon",
                        SECTOR: sector, RANK: int(rank),
                        NEED_TH: None if is_blank(rec.get(NEED_TH)) else str(rec[NEED_TH]).strip(),
                        SOURCE_ROW: row})
    needs = pd.DataFrame(records, columns=list(NEED_COLUMNS))
    repeated = needs[needs.duplicated([UNIT_CODE, SECTOR], keep="first")]
    for rec in repeated.itertuples():
        report.add("warning", f"{rec.unit_code} lists sector {rec.sector} twice; the better rank is "
                   "used", f"{rec.unit_code} ระบุด้าน {rec.sector} ซ้ำ ใช้ลำดับที่ดีกว่า",
                   row=rec.source_row, column=SECTOR, value=rec.sector, sheet=sheet_name)
    log.info(report.summary())
    return needs, report


