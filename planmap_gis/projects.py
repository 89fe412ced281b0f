"""The project matrix: import what agencies bring, lose nothing, and write it back.

The canonical project table (columns ``_schema.PROJECT_COLUMNS``) has one row
per project:

==================  ==========================================================
column              meaning
==================  ==========================================================
project_id          the agency's id (generated ``<file>-r<row>`` when absent)
name_th, name_en    project name, Thai and (optional) English
agency              responsible agency (หน่วยงาน)
tier                central | regional | local | people
budget_layer        1 national strategy via the governor, 2 functional
                    ministries, 3 local government, 4 direct to communities
strategy, sector    the province's strategy and the sector (ด้าน)
fiscal_year         Buddhist-era fiscal year (2569 = Oct 2025 – Sep 2026);
                    a Christian-era year (2026) is converted (+543), reported
budget_thb          budget in baht (float; NaN when the sheet leaves it blank)
status, management_unit, facilitator (คุณอำนวย)
area_codes          list of DOPA codes of any level (village 8, tambon 6,
                    amphoe 4, province 2 digits)
area_shares         None, or budget shares (0–1) aligned to area_codes
location_precision  exact (a footprint) | village | tambon | amphoe | province
source_file, source_sheet, source_row   where the row came from
geometry            footprint (point, line, polygon; EPSG:4326) or None
==================  ==========================================================
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from planmap_gis import settings
from planmap_gis._areas import LEVEL_OF_LENGTH, AreaIndex
from planmap_gis._errors import CRSError, SchemaError, show_values
from planmap_gis._schema import (
    AGENCY,
    AREA_CODES,
    AREA_SHARES,
    BUDGET,
    BUDGET_LAYER,
    FACILITATOR,
    FISCAL_YEAR,
    GEOMETRY,
    LABELS,
    MANAGEMENT_UNIT,
    NAME_EN,
    NAME_TH,
    PRECISION,
    PRECISIONS,
    PROJECT_COLUMNS,
    PROJECT_ID,
    SECTOR,
    SOURCE_FILE,
    SOURCE_ROW,
    SOURCE_SHEET,
    STATUS,
    STRATEGY,
    TIER,
)
from planmap_gis._geo import repair
from planmap_gis._output import write_excel
from planmap_gis._text import clean_id, id_key
from planmap_gis._tables import (
    table_report,
    ROW,
    is_table,
    header_key,
    parse_number,
    read_layer_table,
    TableStream,
    stream_table,
)
from planmap_gis._values import (
    is_blank,
    parse_amount,
    parse_budget_layer,
    parse_fiscal_year,
    parse_mark,
    parse_tier,
)
from planmap_gis.report import ImportReport

__all__ = ["HEADERS", "read_project_files", "read_projects", "write_projects"]

log = logging.getLogger("planmap_gis")

LAT, LON, WKT = "lat", "lon", "wkt"
#: Optional column of budget percentages aligned to the listed areas ("60, 40").
PERCENTAGES = "area_percentages"
#: Percentages summing to 100 within this many points are accepted (rounding).
PERCENT_TOLERANCE = 0.5
#: Header variants recognised, by canonical column (compared after header_key()).
HEADERS: dict[str, tuple[str, ...]] = {
    PROJECT_ID: ("project_id", "รหัสโครงการ", "รหัส", "id", "project code", "project id",
                 "เลขที่โครงการ"),
    NAME_TH: ("name_th", "ชื่อโครงการ", "โครงการ", "project name", "project", "ชื่อโครงการ/กิจกรรม",
              "โครงการ/กิจกรรม", "ชื่อโครงการภาษาไทย"),
    NAME_EN: ("name_en", "ชื่อโครงการ (อังกฤษ)", "project name (english)", "english name",
              "ชื่อภาษาอังกฤษ"),
    AGENCY: ("agency", "หน่วยงาน", "หน่วยงานรับผิดชอบ", "หน่วยงานที่รับผิดชอบ", "หน่วยดำเนินการ",
             "ส่วนราชการ", "responsible agency"),
    TIER: ("tier", "ระดับหน่วยงาน", "ประเภทหน่วยงาน", "ภาคส่วน", "ระดับ"),
    BUDGET_LAYER: ("budget_layer", "ชั้นงบประมาณ", "แหล่งงบประมาณ", "ประเภทงบประมาณ", "แหล่งงบ",
                   "budget layer", "budget source"),
    STRATEGY: ("strategy", "ยุทธศาสตร์", "ประเด็นยุทธศาสตร์", "ยุทธศาสตร์จังหวัด"),
    SECTOR: ("sector", "ด้าน", "สาขา", "ประเด็นการพัฒนา", "แผนงาน"),
    FISCAL_YEAR: ("fiscal_year", "ปีงบประมาณ", "ปีงบ", "ปี", "fy", "year", "fiscal year", "พ.ศ."),
    BUDGET: ("budget_thb", "งบประมาณ", "งบประมาณ (บาท)", "จำนวนเงิน", "จำนวนเงิน (บาท)", "วงเงิน",
             "budget", "amount", "budget (thb)", "งบประมาณที่ได้รับ"),
    STATUS: ("status", "สถานะ", "สถานะโครงการ"),
    MANAGEMENT_UNIT: ("management_unit", "หน่วยจัดการ", "หน่วยจัดการชุมชน", "management unit"),
    FACILITATOR: ("facilitator", "คุณอำนวย", "ผู้อำนวยความสะดวก", "ผู้ประสานงาน"),
    AREA_CODES: ("area_codes", "พื้นที่ดำเนินการ", "พื้นที่", "พื้นที่เป้าหมาย", "สถานที่ดำเนินการ",
                 "areas", "area", "location", "locations", "พื้นที่ดำเนินการ (รหัสหรือชื่อ)"),
    LAT: ("lat", "latitude", "ละติจูด"),
    LON: ("lon", "lng", "longitude", "ลองจิจูด"),
    WKT: ("wkt", "footprint", "รูปร่าง", "footprint wkt"),
    PERCENTAGES: ("area_percentages", "สัดส่วนงบรายพื้นที่ (%)", "สัดส่วนงบรายพื้นที่", "ร้อยละรายพื้นที่",
                  "สัดส่วนพื้นที่ (%)", "location percentage", "location percentages",
                  "locationpercentage", "percentages"),
}
ALIASES = {header_key(v): k for k, vs in HEADERS.items() for v in vs}
ALIASES.update({header_key(th): k for k, (th, _) in LABELS.items() if k in HEADERS})
ALIASES.update({header_key(en): k for k, (_, en) in LABELS.items() if k in HEADERS})
_CRS_IN_HEADER = re.compile(r"\((EPSG:\d+)\)", re.IGNORECASE)
_CODE_IN_HEADER = re.compile(r"[\[(](?:TH)?(\d{2}|\d{4}|\d{6}|\d{8})[\])]\s*$")
_TOTALS = {"รวม", "รวมทั้งสิ้น", "รวมทั้งหมด", "ยอดรวม", "total", "grandtotal", "รวมงบประมาณ"}
#: A subtotal row's name: "รวม ต.ท่างิ้ว", "รวมอำเภอทุ่งสง", "รวมหน่วยงาน", "Subtotal", "Total (amphoe)".
_SUBTOTAL = re.compile(r"^(?:ยอด)?รวม(?:\s|ทั้ง|ต\.|อ\.|จ\.|ตำบล|อำเภอ|จังหวัด|หน่วยงาน|แผนงาน|งบ|ด้าน|$)|"
                       r"^(?:sub\s*-?\s*|grand\s*)?total\b", re.IGNORECASE)


def read_projects(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    boundaries: gpd.GeoDataFrame | str | Path | None = None,
    villages: pd.DataFrame | None = None,
    crs: Any = None,
    progress: bool = False,
    keep: bool = True,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read one agency's project sheet (or layer) into the canonical project table.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8, UTF-16 or TIS-620), XLSX, XLS, ODS, or a GeoPackage/GeoJSON/
        Shapefile whose features are project footprints. A CSV is read in chunks.
    sheet : str or int, optional
        Workbook sheet; the first visible one by default.
    columns : mapping, optional
        ``{header in the file: canonical column}`` for headers not recognised
        (see :data:`HEADERS` for the Thai and English variants recognised).
    boundaries : GeoDataFrame or path, optional
        The tambon layer whose codes and names areas are matched against.
        Without it the whole DOPA gazetteer is used, where tambon names repeat
        across provinces (more names will be reported as ambiguous).
    villages : DataFrame, optional
        Village register; when given, village codes must be in it.
    crs : optional
        CRS of a WKT footprint column, or of a GIS file without one. A WKT
        header may declare it instead, e.g. ``WKT (EPSG:32647)``. Latitude and
        longitude columns are WGS 84 decimal degrees.
    progress : bool, default False
        A progress bar over the file's bytes (a large CSV).
    keep : bool, default True
        Build the project table; False only checks and reports (``planmap validate``),
        so a CSV of a million rows is read in bounded memory.

    Returns
    -------
    (GeoDataFrame, ImportReport)
        The projects (EPSG:4326; no rows when ``keep`` is False) and the report accounting for every row:
        ``rows_in == rows_loaded + rows_rejected``.

    Notes
    -----
    Two sheet shapes are read, also mixed: *long* (areas as a list in one
    cell: codes or names, separated by commas, "/", new lines; prefixes
    ต./อ./ม. understood) and *wide* (one column per area — header a name such
    as ``ต.ท่างิ้ว`` or a code, optionally both as ``ต.ท่างิ้ว (800116)`` — with
    ✓, x, 1 or an amount in the cells; amounts become ``area_shares``).

    Explicit location shares (as AMP ``locationPercentage`` / IATI
    ``location@percentage``): a long sheet may write a percentage after each
    listed area (``ต.ท่างิ้ว 60%, ต.ท่าซัก 40%``, also ``(60%)`` or ``ร้อยละ 60``)
    or in a column ``สัดส่วนงบรายพื้นที่ (%)`` aligned to the list (``60, 40``).
    They become ``area_shares``. Percentages that do not add up to 100 (±
    :data:`PERCENT_TOLERANCE`), or are missing for some areas, are reported
    as a warning and the row is loaded with an even split over its areas.

    A row is rejected (error) when it has no name, an invalid budget (text or
    negative), a project id already used above, or no area and no footprint
    that can be placed. Unknown tiers, layers or years, blank budgets, areas
    that could not be matched while others could, and similarity matches are
    warnings: the row is loaded. Totals rows and repeated header rows are
    skipped and reported.

    Raises
    ------
    InputFileError
        Missing, unreadable or empty file.
    SchemaError
        No header row, or no project-name column.
    CRSError
        Footprints in WKT (or a GIS file) without a declared CRS.
    """
    path = Path(path)
    if isinstance(boundaries, (str, Path)):
        from planmap_gis.boundaries import read_boundaries

        boundaries = read_boundaries(boundaries)
    index = AreaIndex(boundaries, villages)
    if is_table(path):
        stream = stream_table(path, ALIASES, sheet=sheet, columns=columns, money=(BUDGET,), progress=progress)
        sheet_name, names, chunks = stream.sheet, stream.columns, stream.chunks
        opened: TableStream | pd.DataFrame = stream
    else:
        layer = read_layer_table(path, ALIASES, columns=columns, crs=crs)
        sheet_name, names, chunks, opened = None, list(layer.columns), iter([layer]), layer
    if NAME_TH not in names:
        raise SchemaError(
            f"{path}{f' (sheet {sheet_name!r})' if sheet_name else ''}: no project-name column "
            f"(ชื่อโครงการ). Columns: {show_values([c for c in names if c != ROW], 20)}. "
            "Rename it, or pass columns={'<your header>': 'name_th'}.",
            th=f"{path}: ไม่พบคอลัมน์ชื่อโครงการ แก้ไข: ตั้งหัวคอลัมน์ว่า ชื่อโครงการ",
        )
    body = ImportReport(source=str(path))  # the rows' problems; the file's notes open it below
    reader: _RowReader | None = None
    frames, rows = [], 0
    for table in chunks:
        rows += len(table)
        if isinstance(opened, TableStream):
            table, geometry_crs = _wkt_crs(table, crs, path, sheet_name)
        else:
            geometry_crs = settings.data_crs
        table = _budget_by_year(table, body, sheet_name)
        if reader is None:  # the sheet's columns are the same in every chunk
            wide, unused = _wide_columns(table, index, body, sheet_name)
            _report_missing_fields(table, wide, unused, body, sheet_name)
            reader = _RowReader(path, sheet_name, index, wide, body)
            reader.units = opened.attrs.get("units", {})
        records = [rec for rec in (reader.read(row) for row in table.to_dict("records")) if rec]
        if keep:
            frame = pd.DataFrame(records, columns=[c for c in PROJECT_COLUMNS if c != GEOMETRY] + [GEOMETRY])
            frames.append(gpd.GeoDataFrame(frame, geometry=GEOMETRY, crs=geometry_crs).to_crs(settings.data_crs))
    report = table_report(path, opened, sheet_name, rows=rows)
    report.absorb(body)
    projects = (pd.concat(frames, ignore_index=True) if frames else
                gpd.GeoDataFrame(pd.DataFrame(columns=list(PROJECT_COLUMNS)), geometry=GEOMETRY,
                                 crs=settings.data_crs))
    projects = gpd.GeoDataFrame(projects, geometry=GEOMETRY, crs=settings.data_crs)
    for col in (BUDGET_LAYER, FISCAL_YEAR, SOURCE_ROW):
        projects[col] = projects[col].astype("Int64")
    projects[BUDGET] = projects[BUDGET].astype(float)
    log.info(report.summary())
    return projects[list(PROJECT_COLUMNS)], report


def read_project_files(
    paths: list[str | Path],
    *,
    boundaries: gpd.GeoDataFrame | None = None,
    villages: pd.DataFrame | None = None,
    crs: Any = None,
    sheet: str | int | None = None,
) -> tuple[gpd.GeoDataFrame, dict[str, ImportReport]]:
    """Read several agencies' sheets into one project table.

    Each file is read with :func:`read_projects`; a project id already used in an
    earlier file is rejected in the later file's report (the row is named), so the
    table holds each project once.

    Returns
    -------
    (GeoDataFrame, dict)
        The projects in file order, and each file's report by file name (by its path
        when two files share a name, as agencies' ``โครงการ.xlsx`` often do).
    """
    frames, reports = [], {}
    seen: dict[str, str] = {}
    for path in paths:
        frame, report = read_projects(path, boundaries=boundaries, villages=villages, crs=crs,
                                      sheet=sheet if is_table(path) else None)
        keys = frame[PROJECT_ID].map(id_key)
        clash = keys.isin(seen)
        for rec, key in zip(frame[clash].itertuples(), keys[clash], strict=True):
            earlier = seen[key]
            report.add("error", f"project id {getattr(rec, PROJECT_ID)} is already used in {earlier}: "
                       "row rejected; give each project its own id across agencies",
                       f"รหัสโครงการ {getattr(rec, PROJECT_ID)} ซ้ำกับไฟล์ {earlier} ไม่นำเข้าแถวนี้",
                       row=int(getattr(rec, SOURCE_ROW)), column=PROJECT_ID,
                       value=getattr(rec, PROJECT_ID), sheet=getattr(rec, SOURCE_SHEET))
        report.rows_loaded -= int(clash.sum())
        report.rows_rejected += int(clash.sum())
        frame = frame[~clash]
        seen.update(dict.fromkeys(keys[~clash], str(path)))
        frames.append(frame)
        reports[report_key(path, paths)] = report
    projects = pd.concat(frames, ignore_index=True) if frames else gpd.GeoDataFrame()
    return gpd.GeoDataFrame(projects, geometry=GEOMETRY, crs=settings.data_crs), reports


def _budget_by_year(table: pd.DataFrame, report: ImportReport, sheet: str | None) -> pd.DataFrame:
    """A sheet with a budget column per fiscal year (a two-row header) as one budget per row.

    A row with a fiscal year takes the budget of that year's column. A row without one holds
    a project over several years: it becomes one project per year that has an amount, with
    the year in its id (``P-001/2569``), each said; nothing is summed or guessed.
    """
    year_columns = {int(c.split("@")[1]): c for c in table.columns if str(c).startswith(f"{BUDGET}@")}
    if not year_columns or BUDGET in table:
        return table
    out = []
    for rec in table.to_dict("records"):
        row = int(rec[ROW])
        try:
            year, _ = parse_fiscal_year(rec.get(FISCAL_YEAR))
        except ValueError:
            year = None
        if year is not None:
            rec[BUDGET] = rec.get(year_columns[year], "") if year in year_columns else ""
            if year not in year_columns:
                report.add("warning", f"fiscal year {year} has no budget column (columns for "
                           f"{', '.join(map(str, sorted(year_columns)))})", f"ไม่มีคอลัมน์งบประมาณของปี {year}",
                           row=row, column=FISCAL_YEAR, value=year, sheet=sheet)
            out.append(rec)
            continue
        amounts = {y: rec.get(c) for y, c in sorted(year_columns.items()) if not is_blank(rec.get(c))}
        if len(amounts) <= 1:
            only = next(iter(amounts.items()), (None, ""))
            rec[BUDGET], rec[FISCAL_YEAR] = only[1], only[0] or rec.get(FISCAL_YEAR, "")
            out.append(rec)
            continue
        pid = "" if is_blank(rec.get(PROJECT_ID)) else str(rec[PROJECT_ID]).strip()
        for y, amount in amounts.items():
            out.append({**rec, BUDGET: amount, FISCAL_YEAR: y, PROJECT_ID: f"{pid}/{y}" if pid else ""})
        report.add("info", f"budgets for {len(amounts)} fiscal years ({', '.join(map(str, amounts))}): loaded "
                   "as one project per year", f"มีงบประมาณ {len(amounts)} ปี นำเข้าเป็นโครงการแยกรายปี",
                   row=row, column=BUDGET, value=pid, sheet=sheet)
        report.rows_in += len(amounts) - 1
    frame = pd.DataFrame(out, columns=[*table.columns, *(c for c in (BUDGET, FISCAL_YEAR) if c not in table)])
    frame.attrs = table.attrs
    return frame.drop(columns=list(year_columns.values()))


def report_key(path: str | Path, paths: list[str | Path]) -> str:
    """A file's key among several inputs: its name, or its path when another input shares the name."""
    name = Path(path).name
    return name if sum(Path(p).name == name for p in paths) == 1 else str(path)


def _wkt_crs(table: pd.DataFrame, crs: Any, path: Path, sheet: str | None) -> tuple[pd.DataFrame, Any]:
    """The table with its WKT column named ``wkt``, and that column's CRS.

    The CRS is declared in the header (``WKT (EPSG:32647)``) or by ``crs``;
    a WKT column in use with neither is an error.
    """
    declared = None
    for col in list(table.columns):
        found = _CRS_IN_HEADER.search(str(col))
        if found and ALIASES.get(header_key(_CRS_IN_HEADER.sub("", str(col)))) == WKT:
            declared = found.group(1)
            table = table.rename(columns={col: WKT})
    if WKT not in table or not table[WKT].map(lambda v: not is_blank(v)).any():
        return table, crs or settings.data_crs
    if declared and crs and not CRS.from_user_input(declared).equals(CRS.from_user_input(crs)):
        raise CRSError(f"{path}: the WKT header declares {declared} but crs={crs!r} was passed. "
                       "Fix: drop --crs, or correct the header.",
                       th=f"{path}: หัวคอลัมน์ WKT ระบุ {declared} แต่สั่ง --crs {crs} แก้ไข: เอา --crs ออก หรือแก้หัวคอลัมน์")
    if not (declared or crs):
        raise CRSError(
            f"{path}{f' (sheet {sheet!r})' if sheet else ''}: the footprint column (WKT) has no "
            "declared CRS. Write it in the header, e.g. 'WKT (EPSG:4326)' for longitude/latitude "
            "or 'WKT (EPSG:32647)' for UTM 47N metres, or pass crs=... (CLI: --crs).",
            th=f"{path}: คอลัมน์รูปแปลง (WKT) ไม่ระบุระบบพิกัด แก้ไข: เขียนในหัวคอลัมน์ เช่น "
               "WKT (EPSG:4326) หรือ WKT (EPSG:32647) หรือสั่ง --crs",
        )
    return table, declared or crs


def _wide_columns(
    table: pd.DataFrame, index: AreaIndex, report: ImportReport, sheet: str | None
) -> tuple[dict[str, str], list[str]]:
    """Columns that are areas (wide sheet), by column name → area code, and the columns with
    data that are neither a project field nor an area (reported)."""
    known = set(HEADERS) | {ROW, GEOMETRY}
    wide: dict[str, str] = {}
    unused: list[str] = []
    for col in table.columns:
        if col in known:
            continue
        text = str(col)
        coded = _CODE_IN_HEADER.search(text)
        if coded and len(coded.group(1)) in LEVEL_OF_LENGTH:
            found = index.resolve(coded.group(1))
        else:
            found = index.resolve(text) if _looks_like_area(text) else None
        if found and len(found.codes) == 1 and not found.problems:
            wide[col] = found.codes[0]
        elif table[col].map(lambda v: not is_blank(v)).any():
            unused.append(text)
            report.add("info", f"column {text!r} is not a project field nor an area: not used",
                       f"คอลัมน์ {text} ไม่ใช่ข้อมูลโครงการหรือพื้นที่ จึงไม่ได้นำเข้า",
                       column=text, sheet=sheet)
    return wide, unused


#: Fields a sheet is expected to have, with the header to suggest when none was recognised.
_EXPECTED = {BUDGET: "งบประมาณ (บาท)", PROJECT_ID: "รหัสโครงการ"}


def _report_missing_fields(table: pd.DataFrame, wide: dict[str, str], unused: list[str],
                           report: ImportReport, sheet: str | None) -> None:
    """One sheet-level warning per expected field with no column, naming the unrecognised
    headers and how to map one (each row is reported on its own too)."""
    for field, header in _EXPECTED.items():
        if field in table or (field == BUDGET and wide):  # a wide sheet's area amounts are budgets
            continue
        others = f" Headers not recognised: {show_values(unused, 10)}." if unused else ""
        report.add("warning", f"no {field} column ({header}): every row loads without it.{others} "
                   f"If one of them holds it, rename that header to {header!r} or {field!r}, or "
                   f"pass columns={{'<your header>': '{field}'}}.",
                   f"ไม่พบคอลัมน์ {header} ทุกแถวจะไม่มีข้อมูลนี้ หากมีอยู่ในคอลัมน์อื่น "
                   f"ให้เปลี่ยนหัวคอลัมน์เป็น '{header}'", column=field, sheet=sheet)


def _looks_like_area(text: str) -> bool:
    return bool(re.match(r"^\s*(?:TH)?\d{2,8}\s*$|^\s*(?:ต\.|อ\.|จ\.|ม\.|ตำบล|อำเภอ|หมู่)", text))


class _RowReader:
    """Turns one sheet row into a project record, reporting every problem."""

    def __init__(self, path: Path, sheet: str | None, index: AreaIndex, wide: dict[str, str],
                 report: ImportReport) -> None:
        self.path, self.sheet, self.index, self.wide, self.report = path, sheet, index, wide, report
        self.seen: dict[str, int] = {}
        #: {column: (factor, where the unit was stated)} from the sheet layer
        self.units: dict[str, tuple[float, str]] = {}

    def problem(self, severity: str, row: int, column: str | None, value: object,
                en: str, th: str) -> None:
        self.report.add(severity, en, th, row=row, column=column, value=value, sheet=self.sheet)

    def fatal(self, row: int, column: str | None, value: object, en: str, th: str) -> None:
        """An error that keeps the row out; the row's other problems are still checked."""
        self.problem("error", row, column, value, f"{en}: row rejected", f"{th} ไม่นำเข้าแถวนี้")

    def read(self, rec: dict[str, Any]) -> dict[str, Any] | None:
        row = int(rec[ROW])
        name = "" if is_blank(rec.get(NAME_TH)) else str(rec[NAME_TH]).strip()
        given = "" if is_blank(rec.get(PROJECT_ID)) else str(rec[PROJECT_ID]).strip().removesuffix(".0")
        pid = clean_id(given)
        if pid != given:
            self.problem("info", row, PROJECT_ID, given, f"project id {given!r} read as {pid!r} (Thai "
                         "digits, full-width letters, invisible characters or dash variants)",
                         f"อ่านรหัสโครงการ {given} เป็น {pid}")
        if ALIASES.get(header_key(name)) == NAME_TH:
            return self._skip(row, "a repeated header row", "แถวหัวตารางซ้ำ")
        total = re.sub(r"\s", "", name).lower() in _TOTALS
        if not pid and (total or _SUBTOTAL.match(name)):
            amount = rec.get(BUDGET)
            said = "" if is_blank(amount) else f" ({amount} baht)"
            # A grand total is certain; a subtotal's name is a judgement, so it is a warning.
            return self._skip(row, f"a total or subtotal row {name!r}{said}",
                              f"แถวผลรวมหรือผลรวมย่อย {name}{said}", severity="info" if total else "warning")
        failed = False
        if not name:
            self.fatal(row, NAME_TH, None, "no project name (ชื่อโครงการ)", "ไม่มีชื่อโครงการ")
            failed = True
        if not pid:
            pid = f"{self.path.stem}-r{row}"
            self.problem("info", row, PROJECT_ID, pid, f"no project id: generated {pid!r}",
                         f"ไม่มีรหัสโครงการ กำหนดให้เป็น {pid}")
        if id_key(pid) in self.seen:
            earlier = self.seen[id_key(pid)]
            self.fatal(row, PROJECT_ID, given, f"project id {given!r} is the same as row {earlier}'s "
                       "(ids are compared without case, spaces, Thai digits or invisible characters)",
                       f"รหัสโครงการ {given} ซ้ำกับแถว {earlier}")
            failed = True
        try:
            budget = parse_amount(rec.get(BUDGET), self.units.get(BUDGET, (1.0, ""))[0])
        except ValueError as exc:
            self.fatal(row, BUDGET, rec.get(BUDGET), f"budget {rec.get(BUDGET)!r} is invalid ({exc}); "
                       "write a number of baht ≥ 0, e.g. 1,250,000 or 1.25 ล้านบาท",
                       "งบประมาณไม่ถูกต้อง ต้องเป็นจำนวนเงินบาทไม่ติดลบ")
            budget, failed = None, True
        footprint = self._footprint(rec, row)
        codes, shares, ok = self._areas(rec, row, footprint is not None)
        if failed or not ok:
            self.report.rows_rejected += 1
            return None
        amounts_total = None if shares is None or len(shares) == len(codes) else shares.pop()
        if budget is None and amounts_total is not None:
            budget = amounts_total
            self.problem("info", row, BUDGET, budget, "budget blank: taken as the sum of the "
                         "amounts in the area columns", "ไม่ระบุงบประมาณ ใช้ผลรวมรายพื้นที่")
        elif budget is None:
            self.problem("warning", row, BUDGET, None, "budget blank: loaded without a budget",
                         "ไม่ระบุงบประมาณ")
        elif amounts_total is not None and abs(amounts_total - budget) > 1:
            self.problem("warning", row, BUDGET, budget, f"area amounts add up to {amounts_total:,.2f} "
                         f"but the budget is {budget:,.2f}: the amounts are used as shares",
                         "ผลรวมรายพื้นที่ไม่เท่ากับงบประมาณ ใช้เป็นสัดส่วน")
        self.seen[id_key(pid)] = row
        self.report.rows_loaded += 1
        return {
            PROJECT_ID: pid, NAME_TH: name, NAME_EN: _text(rec.get(NAME_EN)),
            AGENCY: self._agency(rec, row), TIER: self._coded(rec, row, TIER, parse_tier),
            BUDGET_LAYER: self._coded(rec, row, BUDGET_LAYER, parse_budget_layer),
            STRATEGY: _text(rec.get(STRATEGY)), SECTOR: _text(rec.get(SECTOR)),
            FISCAL_YEAR: self._year(rec, row), BUDGET: np.nan if budget is None else budget,
            STATUS: _text(rec.get(STATUS)), MANAGEMENT_UNIT: _text(rec.get(MANAGEMENT_UNIT)),
            FACILITATOR: _text(rec.get(FACILITATOR)), AREA_CODES: codes, AREA_SHARES: shares,
            PRECISION: _precision(codes, footprint), SOURCE_FILE: str(self.path),
            SOURCE_SHEET: self.sheet, SOURCE_ROW: row, GEOMETRY: footprint,
        }

    def _skip(self, row: int, en: str, th: str, severity: str = "info") -> None:
        self.problem(severity, row, None, None, f"{en}, not a project: skipped", f"{th} ไม่ใช่โครงการ ข้าม")
        self.report.rows_rejected += 1
        return None

    def _agency(self, rec: dict[str, Any], row: int) -> str | None:
        agency = _text(rec.get(AGENCY))
        if agency is None:
            self.problem("warning", row, AGENCY, None, "no agency (หน่วยงาน)", "ไม่ระบุหน่วยงาน")
        return agency

    def _coded(self, rec: dict[str, Any], row: int, col: str, parse: Any) -> Any:
        try:
            return parse(rec.get(col))
        except ValueError as exc:
            self.problem("warning", row, col, rec.get(col), f"{exc}: left empty",
                         f"ค่าไม่ถูกต้อง เว้นว่าง ({rec.get(col)})")
            return None

    def _year(self, rec: dict[str, Any], row: int) -> int | None:
        try:
            year, converted = parse_fiscal_year(rec.get(FISCAL_YEAR))
        except ValueError as exc:
            self.problem("warning", row, FISCAL_YEAR, rec.get(FISCAL_YEAR), f"{exc}: left empty",
                         "ปีงบประมาณไม่ถูกต้อง เว้นว่าง")
            return None
        if converted == "date":
            self.problem("warning", row, FISCAL_YEAR, rec.get(FISCAL_YEAR),
                         f"a date in the fiscal-year column: taken as fiscal year {year} (October to "
                         "September); write the year itself, e.g. 2569",
                         f"ช่องปีงบประมาณเป็นวันที่ ถือเป็นปีงบประมาณ {year} (ต.ค.–ก.ย.) โปรดใส่เฉพาะปี เช่น 2569")
        elif converted:
            self.problem("info", row, FISCAL_YEAR, rec.get(FISCAL_YEAR),
                         f"Christian-era year converted to Buddhist era {year}",
                         f"แปลงปี ค.ศ. เป็น พ.ศ. {year}")
        return year

    def _footprint(self, rec: dict[str, Any], row: int) -> shapely.Geometry | None:
        geom = rec.get(GEOMETRY)
        if isinstance(geom, shapely.Geometry) and not geom.is_empty:
            return geom
        if not is_blank(rec.get(WKT)):
            try:
                geom = shapely.from_wkt(str(rec[WKT]))
            except shapely.errors.GEOSException:
                self.problem("warning", row, WKT, str(rec[WKT])[:60], "footprint is not valid WKT: "
                             "ignored", "รูปร่างพื้นที่ (WKT) ไม่ถูกต้อง ไม่ได้ใช้")
            else:
                fixed, where = repair(np.array([geom], dtype=object))
                for _, reason in where:
                    self.problem("warning", row, WKT, str(rec[WKT])[:60], f"footprint is not a valid "
                                 f"shape ({reason}): repaired with make_valid; check it in a GIS",
                                 f"รูปแปลงไม่ถูกต้อง ({reason}) ซ่อมด้วย make_valid แล้ว โปรดตรวจใน GIS")
                if fixed[0] is not None and not fixed[0].is_empty:
                    return fixed[0]
        if not is_blank(rec.get(LAT)) or not is_blank(rec.get(LON)):
            try:
                lat, lon = parse_number(rec.get(LAT)), parse_number(rec.get(LON))
            except ValueError:
                lat = lon = None
            if lat is None or lon is None or not (5.4 <= lat <= 20.6 and 97.0 <= lon <= 106.0):
                self.problem("warning", row, f"{LAT}/{LON}", f"{rec.get(LAT)}, {rec.get(LON)}",
                             "coordinates missing, not numbers or outside Thailand: ignored",
                             "พิกัดไม่ครบ ไม่ใช่ตัวเลข หรืออยู่นอกประเทศไทย ไม่ได้ใช้")
            else:
                return shapely.Point(lon, lat)
        return None

    def _areas(self, rec: dict[str, Any], row: int, has_footprint: bool) -> tuple[list[str], list[float] | None, bool]:
        codes: list[str] = []
        errors: list[tuple[str, str, str]] = []
        found = self.index.resolve(rec.get(AREA_CODES))
        codes += found.codes
        percent_shares = self._percentages(rec, row, found)
        for severity, token, en, th in found.problems:
            if severity == "error":
                errors.append((token, en, th))
            else:
                self.problem(severity, row, AREA_CODES, token, en, th)
        amounts: dict[str, float] = {}
        for col, code in self.wide.items():
            try:
                marked, amount = parse_mark(rec.get(col))
            except ValueError as exc:
                errors.append((str(rec.get(col)), f"column {col!r}: {exc}", f"คอลัมน์ {col}: ไม่ใช่เครื่องหมายหรือจำนวนเงิน"))
                continue
            if marked and code not in codes:
                codes.append(code)
            if amount is not None:
                amounts[code] = amount
        if not codes and not has_footprint:
            for token, en, th in errors:
                self.problem("error", row, AREA_CODES, token, en, th)
            self.fatal(row, AREA_CODES, _text(rec.get(AREA_CODES)),
                       "no area or footprint that can be placed", "ไม่มีพื้นที่ดำเนินการที่ระบุได้")
            return [], None, False
        for token, en, th in errors:
            self.problem("warning", row, AREA_CODES, token, f"{en} (left out; the other areas were "
                         "loaded)", f"{th} (ไม่นำเข้าพื้นที่นี้ พื้นที่อื่นนำเข้าแล้ว)")
        shares = None
        if percent_shares is not None:
            if amounts:
                self.problem("warning", row, AREA_CODES, None, "both percentages and amounts per area "
                             "given: the percentages are used", "ระบุทั้งร้อยละและจำนวนเงินรายพื้นที่ ใช้ร้อยละ")
            shares = ([1 / len(codes)] * len(codes) if percent_shares == "even"
                      else [percent_shares.get(c, 0.0) for c in codes])
        elif amounts:
            if set(amounts) == set(codes) and sum(amounts.values()) > 0:
                total = sum(amounts.values())
                shares = [amounts[c] / total for c in codes] + [total]
            else:
                self.problem("warning", row, AREA_CODES, None, "amounts given for some areas only: "
                             "shares ignored", "ระบุจำนวนเงินไม่ครบทุกพื้นที่ ไม่ใช้สัดส่วน")
        return codes, shares, True


    def _percentages(self, rec: dict[str, Any], row: int, found: Any) -> dict[str, float] | str | None:
        """Shares by code from the percentages in the area cell or column.

        None when no percentage is written; ``"even"`` when they are unusable (reported).
        """
        parts = list(found.parts)
        column = rec.get(PERCENTAGES)
        if not is_blank(column):
            try:
                given = [parse_number(v) for v in re.split(r"[,;/|\n]+", str(column).replace("%", ""))
                         if v.strip()]
            except ValueError:
                given = []
            if len(given) == len(parts) and all(p is None for _, p in parts) and None not in given:
                parts = [(codes, float(p)) for (codes, _), p in zip(parts, given, strict=True)]
            else:
                parts = [(codes, p) for codes, p in parts] + [([], None)]  # even split below
        if all(p is None for _, p in parts) and is_blank(column):
            return None
        total = sum(p for _, p in parts if p is not None)
        complete = all(piece and p is not None for piece, p in parts)
        if complete and abs(total - 100) <= PERCENT_TOLERANCE and total > 0:
            shares: dict[str, float] = {}
            for piece, p in parts:
                for code in piece:  # a range "ม.1-3 ต.X 30%" splits its 30 % evenly
                    shares[code] = shares.get(code, 0.0) + p / total / len(piece)
            return shares
        why = (f"the percentages add up to {total:g}, not 100" if complete else
               "a percentage is missing, or given for an area that could not be placed, "
               "or the percentage column does not match the listed areas")
        self.problem("warning", row, PERCENTAGES if not is_blank(column) else AREA_CODES,
                     str(column) if not is_blank(column) else str(rec.get(AREA_CODES)),
                     f"{why}: loaded with an even split over the areas; correct the percentages "
                     "so that each area has one and they add up to 100",
                     "ร้อยละรายพื้นที่ไม่ครบหรือรวมไม่เท่ากับ 100 กระจายงบเท่ากันทุกพื้นที่ "
                     "โปรดแก้ให้ครบทุกพื้นที่และรวมเป็น 100")
        return "even"


def _text(value: object) -> str | None:
    return None if is_blank(value) else str(value).strip()


def _precision(codes: list[str], footprint: shapely.Geometry | None) -> str:
    if footprint is not None:
        return "exact"
    levels = [LEVEL_OF_LENGTH[len(c)] for c in codes]
    return max(levels, key=PRECISIONS.index) if levels else "province"


def write_projects(
    projects: gpd.GeoDataFrame,
    path: str | Path,
    *,
    shape: str = "long",
    boundaries: gpd.GeoDataFrame | None = None,
    lang: str = "th",
) -> Path:
    """Write projects to an XLSX sheet that :func:`read_projects` reads back.

    Parameters
    ----------
    projects : GeoDataFrame
        Canonical project table.
    path : str or Path
        The ``.xlsx`` file.
    shape : {"long", "wide"}
        ``long``: areas listed in one cell as address-style Thai names
        (``ต.ท่างิ้ว อ.เมืองนครศรีธรรมราช``), each followed by its percentage
        when the project has ``area_shares``; ``wide``: one column per area,
        headed ``ต.ท่างิ้ว (800116)``, with ✓ (or the amount when the project
        has ``area_shares``).
    boundaries : GeoDataFrame, optional
        Tambon layer for area names; codes are written without it.
    lang : {"th", "en"}
        Header language.

    Returns
    -------
    Path
    """
    path = Path(path)
    index = AreaIndex(boundaries) if boundaries is not None else None
    fields = [c for c in PROJECT_COLUMNS if c not in (AREA_CODES, AREA_SHARES, PRECISION, SOURCE_FILE,
                                                      SOURCE_SHEET, SOURCE_ROW, GEOMETRY)]
    sheet = pd.DataFrame({c: projects[c].astype(object).where(projects[c].notna(), None)
                          for c in fields})
    name = (lambda c: index.full_label(c)) if index else (lambda c: c)
    if shape == "long":
        sheet[AREA_CODES] = [
            ", ".join(name(c) if shares is None else f"{name(c)} {100 * share:.6g}%"
                      for c, share in zip(codes, shares if shares is not None else codes, strict=True))
            for codes, shares in zip(projects[AREA_CODES], projects[AREA_SHARES], strict=True)
        ]
    elif shape == "wide":
        all_codes = sorted({c for codes in projects[AREA_CODES] for c in codes}, key=lambda c: (len(c), c))
        for code in all_codes:
            header = f"{index.label(code)} ({code})" if index else code
            sheet[header] = [
                (round(shares[codes.index(code)] * budget, 2) if shares is not None else "✓")
                if code in codes else None
                for codes, shares, budget in zip(projects[AREA_CODES], projects[AREA_SHARES],
                                                 projects[BUDGET], strict=True)
            ]
    else:
        raise ValueError(f"shape must be 'long' or 'wide', got {shape!r}")
    geoms = projects.geometry.to_crs(settings.data_crs)
    points = (geoms.geom_type == "Point").to_numpy()
    xy = shapely.get_coordinates(geoms.values[points])
    sheet[LAT] = None
    sheet[LON] = None
    sheet.loc[points, LAT] = xy[:, 1].round(7)
    sheet.loc[points, LON] = xy[:, 0].round(7)
    other = geoms.notna() & ~points
    sheet[f"{WKT} ({settings.data_crs})"] = [
        shapely.to_wkt(g, rounding_precision=7) if keep else None
        for g, keep in zip(geoms, other, strict=True)
    ]
    labels = {c: LABELS[c][0 if lang == "th" else 1] for c in fields + [AREA_CODES] if c in LABELS}
    sheet = sheet.rename(columns=labels)
    return write_excel({"projects": sheet}, path)
