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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from planmap_gis import settings
from planmap_gis._errors import CRSError, SchemaError, show_values
from planmap_gis._schema import (
    AREA_CODES,
    BUDGET,
    BUDGET_LAYER,
    FISCAL_YEAR,
    GEOMETRY,
    LEVEL_LENGTH,
    LEVEL_OF_LENGTH,
    NAME_TH,
    PROJECT_COLUMNS,
    PROJECT_ID,
    PROVINCE_CODE,
    SOURCE_ROW,
)
from planmap_gis._years import parse_fiscal_year
from planmap_gis.read.area_columns import AREA_PARTS
from planmap_gis.read.areas import AreaIndex
from planmap_gis.read.boundaries import read_boundaries
from planmap_gis.read.cells import is_blank
from planmap_gis.read.row_halves import read_rows
from planmap_gis.read.rows import (  # noqa: F401  (HEADERS and ALIASES are public here)
    ALIASES,
    CODE_IN_HEADER,
    CRS_IN_HEADER,
    HEADERS,
    LAT,
    LON,
    PERCENT_TOLERANCE,
    PERCENTAGES,
    WKT,
    RowReader,
    looks_like_area,
)
from planmap_gis.read.sheets import (
    ROW,
    TableStream,
    header_key,
    is_table,
    read_layer_table,
    stream_table,
    table_report,
)
from planmap_gis.read.template.fields import SHEET_PROJECTS
from planmap_gis.read.template.read import template_index, template_projects
from planmap_gis.report import ImportReport

__all__ = ["HEADERS", "read_projects"]

log = logging.getLogger("planmap_gis")

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
        boundaries, _ = read_boundaries(boundaries)
    options = {"sheet": sheet, "columns": columns, "villages": villages, "crs": crs, "progress": progress,
               "keep": keep}
    projects, report, provinces = _read_once(path, boundaries, **options)
    wide = boundaries is None or boundaries[PROVINCE_CODE].nunique() > 1
    ambiguous = report.problems["message_en"].str.contains("is ambiguous", regex=False).sum()
    if wide and ambiguous and len(provinces) == 1:
        # Names several provinces share (อ.เฉลิมพระเกียรติ: five) are read where the file's other
        # rows all lie, as the agency meant them.
        (province,) = provinces
        local = (read_boundaries(province=province)[0] if boundaries is None
                 else boundaries[boundaries[PROVINCE_CODE] == province])
        projects, report, _ = _read_once(path, local, **options)
        name = local["province_th"].iloc[0] if len(local) else province
        report.add("info", f"area names were matched within {name} ({province}): every row that could be placed "
                   f"lies there, so the {ambiguous} names other provinces share too were read in it",
                   f"จับคู่ชื่อพื้นที่ภายในจังหวัด{name} ({province}) เพราะทุกแถวที่ระบุพื้นที่ได้อยู่ในจังหวัดนี้ "
                   f"ชื่อที่ซ้ำกับจังหวัดอื่น {ambiguous} แห่งจึงอ่านในจังหวัดนี้")
    return projects, report


def _read_once(path: Path, boundaries: Any, *, sheet: Any, columns: Any, villages: Any, crs: Any,
               progress: bool, keep: bool) -> tuple[gpd.GeoDataFrame, ImportReport, set[str]]:
    """One reading of a project file against one area index; also the provinces its loaded rows lie in."""
    stamp, index = template_index(path, sheet, columns, boundaries, villages)
    if stamp is not None and stamp.kind == "projects":
        report = ImportReport(source=str(path))
        reader = RowReader(path, SHEET_PROJECTS, index, {}, report)
        records = template_projects(path, stamp, reader, report)
        log.info(report.summary())
        return _project_frame(records if keep else [], settings.data_crs), report, _provinces(records)
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
            "Rename it, or pass --columns '<your header>=name_th' (Python: columns={'<your header>': 'name_th'}).",
            th=f"{path}: ไม่พบคอลัมน์ชื่อโครงการ แก้ไข: ตั้งหัวคอลัมน์ว่า ชื่อโครงการ",
        )
    body = ImportReport(source=str(path))  # the rows' problems; the file's notes open it below
    reader: RowReader | None = None
    frames, rows = [], 0
    provinces: set[str] = set()
    for table in chunks:
        rows += len(table)
        if isinstance(opened, TableStream):
            table, geometry_crs = _wkt_crs(table, crs, path, sheet_name, opened.attrs.get("headers"))
        else:
            geometry_crs = settings.data_crs
        table = _budget_by_year(table, body, sheet_name)
        if reader is None:  # the sheet's columns are the same in every chunk
            wide, unused = _wide_columns(table, index, body, sheet_name)
            _report_missing_fields(table, wide, unused, body, sheet_name)
            reader = RowReader(path, sheet_name, index, wide, body)
            reader.units = opened.attrs.get("units", {})
        records = read_rows(reader, table.to_dict("records"))
        provinces |= _provinces(records)
        if keep:
            frames.append(_project_frame(records, geometry_crs))
    report = table_report(path, opened, sheet_name, rows=rows)
    report.absorb(body)
    report.name_columns(opened.attrs.get("headers", {}) if isinstance(opened, TableStream) else {})
    log.info(report.summary())
    return _concat_projects(frames), report, provinces


def _provinces(records: list[dict[str, Any]]) -> set[str]:
    """The provinces (2-digit codes) the records' areas lie in."""
    return {str(c)[:LEVEL_LENGTH["province"]] for rec in records for c in rec.get(AREA_CODES) or []}


def _project_frame(records: list[dict[str, Any]], crs: Any) -> gpd.GeoDataFrame:
    """Project records as the canonical table in the data CRS."""
    frame = pd.DataFrame(records, columns=[c for c in PROJECT_COLUMNS if c != GEOMETRY] + [GEOMETRY])
    return _concat_projects([gpd.GeoDataFrame(frame, geometry=GEOMETRY, crs=crs).to_crs(settings.data_crs)])


def _concat_projects(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    projects = (pd.concat(frames, ignore_index=True) if frames else
                gpd.GeoDataFrame(pd.DataFrame(columns=list(PROJECT_COLUMNS)), geometry=GEOMETRY,
                                 crs=settings.data_crs))
    projects = gpd.GeoDataFrame(projects, geometry=GEOMETRY, crs=settings.data_crs)
    for col in (BUDGET_LAYER, FISCAL_YEAR, SOURCE_ROW):
        projects[col] = projects[col].astype("Int64")
    projects[BUDGET] = projects[BUDGET].astype(float)
    return projects[list(PROJECT_COLUMNS)]


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


def _wkt_crs(table: pd.DataFrame, crs: Any, path: Path, sheet: str | None,
             headers: dict[str, str] | None = None) -> tuple[pd.DataFrame, Any]:
    """The table with its WKT column named ``wkt``, and that column's CRS.

    The CRS is declared in the header (``WKT (EPSG:32647)``) or by ``crs``;
    a WKT column in use with neither is an error.
    """
    declared = None
    written = CRS_IN_HEADER.search((headers or {}).get(WKT, ""))  # the template's "รูปร่าง (WKT, EPSG:4326)"
    if written:
        declared = written.group(1)
    for col in list(table.columns):
        found = CRS_IN_HEADER.search(str(col))
        if found and ALIASES.get(header_key(CRS_IN_HEADER.sub("", str(col)))) == WKT:
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
    known = set(HEADERS) | set(AREA_PARTS) | {ROW, GEOMETRY}
    wide: dict[str, str] = {}
    unused: list[str] = []
    for col in table.columns:
        if col in known:
            continue
        text = str(col)
        coded = CODE_IN_HEADER.search(text)
        if coded and len(coded.group(1)) in LEVEL_OF_LENGTH:
            found = index.resolve(coded.group(1))
        else:
            found = index.resolve(text) if looks_like_area(text) else None
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
                   f"pass --columns '<your header>={field}' (Python: columns={{'<your header>': '{field}'}}).",
                   f"ไม่พบคอลัมน์ {header} ทุกแถวจะไม่มีข้อมูลนี้ หากมีอยู่ในคอลัมน์อื่น "
                   f"ให้เปลี่ยนหัวคอลัมน์เป็น '{header}'", column=field, sheet=sheet)


