"""Villages (muban): points from registers, areas derived as Thiessen polygons.

No public village boundary layer exists in Thailand: DOPA and the Community
Development Department register villages as points (the headman's office or
village centre). :func:`village_areas` turns the points into areas that tile
their tambon exactly: a Voronoi diagram is built per tambon (not one national
diagram, which leaves gaps near tambon borders) and each cell is clipped to the
village's own tambon. Computation is in ``settings.analysis_crs`` (UTM 47N, m);
results are returned in EPSG:4326.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, overload

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planmap_gis import settings
from planmap_gis._errors import GeometryError, PlanmapWarning, SchemaError
from planmap_gis._geo import projected
from planmap_gis._schema import (
    AREA_METHOD,
    GEOMETRY,
    HOUSEHOLDS,
    MOO,
    POINT,
    POPULATION,
    SOURCE_FILE,
    SOURCE_ROW,
    SOURCE_SHEET,
    TAMBON_CODE,
    VILLAGE_CODE,
    VILLAGE_POINT_COLUMNS,
    VILLAGE_TH,
)
from planmap_gis._text import thai_digits
from planmap_gis.read.sheets import (
    ROW,
    header_key,
    is_table,
    parse_number,
    read_layer_table,
    read_table,
    table_report,
)
from planmap_gis.report import ImportReport, origin, reader_result

__all__ = ["read_villages", "village_areas"]

log = logging.getLogger("planmap_gis")

LAT, LON = "lat", "lon"
#: Header variants recognised in village registers, by canonical column.
HEADERS: dict[str, tuple[str, ...]] = {
    VILLAGE_CODE: ("village_code", "รหัสหมู่บ้าน", "vill_code", "muban_code", "villcode"),
    MOO: ("moo", "หมู่ที่", "หมู่", "ม", "village_no"),
    VILLAGE_TH: ("village_th", "ชื่อหมู่บ้าน", "หมู่บ้าน", "village_name", "name_th", "name"),
    TAMBON_CODE: ("tambon_code", "รหัสตำบล", "tam_code", "subdistrict_code"),
    HOUSEHOLDS: ("households", "ครัวเรือน", "จำนวนครัวเรือน", "hh", "household"),
    POPULATION: ("population", "ประชากร", "จำนวนประชากร", "pop", "คน"),
    LAT: ("lat", "latitude", "ละติจูด", "y"),
    LON: ("lon", "lng", "long", "longitude", "ลองจิจูด", "x"),
}
ALIASES = {header_key(v): k for k, vs in HEADERS.items() for v in vs}
# Thailand with a margin, lon/lat: a point outside is a typo or swapped axes.
_THAILAND = (97.0, 5.4, 106.0, 20.6)
_NUDGE_M = 1.0


@overload
def read_villages(
    path: str | Path, *, sheet: str | int | None = ..., columns: Mapping[str, str] | None = ...,
    crs: Any = ..., return_report: None = ...,
) -> tuple[gpd.GeoDataFrame, ImportReport]: ...
@overload
def read_villages(
    path: str | Path, *, sheet: str | int | None = ..., columns: Mapping[str, str] | None = ...,
    crs: Any = ..., return_report: Literal[True],
) -> tuple[gpd.GeoDataFrame, ImportReport]: ...
def read_villages(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    crs: Any = None,
    return_report: bool | None = None,
) -> gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, ImportReport]:
    """Read a village register: CSV/XLSX with optional lat/lon, or a point layer.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8) or XLSX with headers in Thai or English (รหัสหมู่บ้าน,
        หมู่ที่, ชื่อหมู่บ้าน, รหัสตำบล, ครัวเรือน, ประชากร, ละติจูด, ลองจิจูด …), or
        a GeoPackage/GeoJSON/Shapefile of points (or of village polygons).
    sheet : str or int, optional
        Excel sheet; the first by default.
    columns : mapping, optional
        ``{header in the file: canonical column}`` for unrecognised headers.
    crs : optional
        CRS of a GIS file that declares none. Table coordinates are always
        WGS 84 longitude/latitude in decimal degrees.
    return_report : bool, optional
        Deprecated (0.2): every ``read_*`` returns ``(frame, report)``. Given, it still works for
        one release with a FutureWarning (``False``: the frame alone).

    Returns
    -------
    GeoDataFrame
        Columns ``VILLAGE_POINT_COLUMNS`` and where each came from (``source_file``,
        ``source_sheet``, ``source_row``: the row as the sheet shows it, which every later
        report about the village names too); geometry is the point (None when the
        register has no usable coordinates), EPSG:4326. The village code is the
        8-digit DOPA code; given a tambon code and a หมู่ number instead, it is
        built from them.

    Notes
    -----
    Rows with no usable code, or repeating an earlier row's code, are rejected
    and reported (error); rows with bad numbers or coordinates are loaded with
    the value left empty and reported (warning). ``rows_in == rows_loaded +
    rows_rejected`` always holds.
    """
    path = Path(path)
    if is_table(path):
        table, sheet_name = read_table(path, ALIASES, sheet=sheet, columns=columns)
    else:
        table, sheet_name = read_layer_table(path, ALIASES, columns=columns, crs=crs), None
    report = table_report(path, table, sheet_name)
    villages = _rows_to_villages(table, report, sheet_name)
    _announce(report)
    return reader_result(villages, report, return_report, "read_villages")


def _rows_to_villages(table: pd.DataFrame, report: ImportReport, sheet: str | None) -> gpd.GeoDataFrame:
    if VILLAGE_CODE not in table and not {TAMBON_CODE, MOO} <= set(table.columns):
        raise SchemaError(
            f"{report.source}: no village code column (รหัสหมู่บ้าน) and no tambon code + หมู่ที่ "
            f"pair. Columns found: {list(c for c in table.columns if c != ROW)}. Add one, or map "
            "yours with --columns '<header>=village_code' (Python: columns={'<header>': 'village_code'}).",
            th=f"{report.source}: ไม่พบคอลัมน์รหัสหมู่บ้าน หรือรหัสตำบลคู่กับหมู่ที่ แก้ไข: เพิ่มคอลัมน์ "
               "รหัสหมู่บ้าน (8 หลัก) หรือ รหัสตำบล และ หมู่ที่",
        )
    records: list[dict[str, Any]] = []
    seen: dict[str, int] = {}

    def problem(severity: str, row: int, column: str, value: object, en: str, th: str) -> None:
        report.add(severity, en, th, row=row, column=column, value=value, sheet=sheet)

    for rec in table.to_dict("records"):
        row = int(rec[ROW])
        code = _village_code(rec)
        if code is None:
            problem("error", row, VILLAGE_CODE, rec.get(VILLAGE_CODE, ""),
                    "no 8-digit village code (or 6-digit tambon code + หมู่ number): row "
                    "rejected. Write the DOPA village code, e.g. 80010101.",
                    "ไม่มีรหัสหมู่บ้าน 8 หลัก (หรือรหัสตำบล + หมู่ที่) ไม่นำเข้าแถวนี้")
            report.rows_rejected += 1
            continue
        if code in seen:
            problem("error", row, VILLAGE_CODE, code,
                    f"village code {code} already on row {seen[code]}: row rejected. Remove the "
                    "duplicate or correct the code.",
                    f"รหัสหมู่บ้าน {code} ซ้ำกับแถว {seen[code]} ไม่นำเข้าแถวนี้")
            report.rows_rejected += 1
            continue
        seen[code] = row
        out: dict[str, Any] = {VILLAGE_CODE: code, MOO: int(code[6:]), TAMBON_CODE: code[:6],
                               VILLAGE_TH: rec.get(VILLAGE_TH) or None}
        for col in (HOUSEHOLDS, POPULATION):
            out[col] = _count(rec.get(col), row, col, problem, blank_said=col == HOUSEHOLDS and col in table)
        out[GEOMETRY] = _point(rec, row, problem)
        out.update({SOURCE_FILE: report.source, SOURCE_SHEET: sheet, SOURCE_ROW: row})
        records.append(out)
        report.rows_loaded += 1
    frame = pd.DataFrame(records, columns=[*VILLAGE_POINT_COLUMNS, SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW])
    for col in (HOUSEHOLDS, POPULATION):
        frame[col] = frame[col].astype("Int64")
    frame[MOO] = frame[MOO].astype(int)
    return gpd.GeoDataFrame(frame, geometry=GEOMETRY, crs=settings.data_crs)


def _village_code(rec: Mapping[str, Any]) -> str | None:
    text = thai_digits(str(rec.get(VILLAGE_CODE, "") or "")).strip().removesuffix(".0")
    if len(text) == 8 and text.isdigit():
        return text
    tambon = thai_digits(str(rec.get(TAMBON_CODE, "") or "")).strip().removesuffix(".0")
    moo = thai_digits(str(rec.get(MOO, "") or "")).strip().removesuffix(".0")
    if len(tambon) == 6 and tambon.isdigit() and moo.isdigit() and 0 < int(moo) < 100:
        return f"{tambon}{int(moo):02d}"
    return None


def _count(value: object, row: int, col: str, problem: Any, *, blank_said: bool = False) -> int | None:
    try:
        number = parse_number(value)
    except ValueError:
        number = -1.0
    if number is None:
        if blank_said:  # a register with the column but not this village's count
            problem("warning", row, col, value,
                    "households blank: the village has no per-household figures and weighs as its "
                    "tambon's mean when budgets are spread by households. Fill in the count.",
                    "ไม่ระบุจำนวนครัวเรือน หมู่บ้านนี้จะไม่มีตัวเลขต่อครัวเรือน โปรดกรอกจำนวนครัวเรือน")
        return None
    if number < 0 or number != int(number):
        problem("warning", row, col, value,
                f"{col} must be a whole number ≥ 0: left empty. Correct the cell.",
                "ต้องเป็นจำนวนเต็มไม่ติดลบ เว้นว่างไว้ โปรดแก้ไข")
        return None
    return int(number)


def _point(rec: Mapping[str, Any], row: int, problem: Any) -> shapely.Geometry | None:
    geom = rec.get(GEOMETRY)
    if isinstance(geom, shapely.Geometry):
        return geom
    if LAT not in rec or LON not in rec or (rec[LAT] == "" and rec[LON] == ""):
        return None
    try:
        lat, lon = parse_number(rec[LAT]), parse_number(rec[LON])
    except ValueError:
        lat = lon = None
    if lat is None or lon is None:
        problem("warning", row, f"{LAT}/{LON}", f"{rec[LAT]}, {rec[LON]}",
                "coordinates are not two decimal-degree numbers: village kept without a point.",
                "พิกัดไม่ใช่ตัวเลของศาทศนิยม เก็บหมู่บ้านไว้โดยไม่มีจุด")
        return None
    x0, y0, x1, y1 = _THAILAND
    if not (x0 <= lon <= x1 and y0 <= lat <= y1):
        swapped = x0 <= lat <= x1 and y0 <= lon <= y1
        problem("warning", row, f"{LAT}/{LON}", f"{lat}, {lon}",
                "point is outside Thailand"
                + (" (latitude and longitude look swapped)" if swapped else "")
                + ": village kept without a point. Correct the coordinates.",
                "พิกัดอยู่นอกประเทศไทย" + (" (สลับละติจูด/ลองจิจูด?)" if swapped else "")
                + " เก็บหมู่บ้านไว้โดยไม่มีจุด")
        return None
    return shapely.Point(lon, lat)


@overload
def village_areas(
    villages: gpd.GeoDataFrame, tambons: gpd.GeoDataFrame, *, return_report: Literal[False] = ...
) -> gpd.GeoDataFrame: ...
@overload
def village_areas(
    villages: gpd.GeoDataFrame, tambons: gpd.GeoDataFrame, *, return_report: Literal[True]
) -> tuple[gpd.GeoDataFrame, ImportReport]: ...
def village_areas(
    villages: gpd.GeoDataFrame, tambons: gpd.GeoDataFrame, *, return_report: bool = False
) -> gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, ImportReport]:
    """Turn village points into areas that tile their tambon.

    Parameters
    ----------
    villages : GeoDataFrame
        Village points with ``village_code`` (8 digits) and optionally
        ``tambon_code``; polygon geometries are taken as given areas.
    tambons : GeoDataFrame
        The canonical tambon layer.
    return_report : bool, default False
        Also return an :class:`~planmap_gis.report.ImportReport` listing
        villages with no area, points outside their tambon, and points moved
        apart because they coincided.

    Returns
    -------
    GeoDataFrame
        Aligned to ``villages.index``: its columns, the area as ``geometry``
        (EPSG:4326; None where no area could be made), the point as ``point``,
        and ``area_method`` (see ``_schema.AREA_METHODS``). Within a tambon,
        Thiessen areas sum to the tambon area (to 1e-6 relative) and do not
        overlap.

    Notes
    -----
    The Voronoi diagram of each tambon's points is built in the analysis CRS
    (``settings.analysis_crs``) with ``ordered=True`` so cells follow the points,
    then clipped to the tambon, all with vectorised shapely calls. Points that
    coincide are moved 1 m apart (reported) so each keeps a cell.
    """
    if VILLAGE_CODE not in villages:
        raise SchemaError("villages: no village_code column; read them with read_villages().")
    if not villages.index.is_unique:
        raise SchemaError("villages: the index has repeated labels; call reset_index() first "
                          "so results can be aligned to it.")
    if villages.crs is None:
        raise GeometryError("villages: the layer has no CRS; set it (EPSG:4326 for lon/lat).")
    report = ImportReport(source="village_areas", rows_in=len(villages))
    out = gpd.GeoDataFrame(villages.drop(columns=villages.geometry.name), geometry=[None] * len(villages),
                           crs=settings.data_crs, index=villages.index)
    codes = villages[VILLAGE_CODE].astype(str)
    out[TAMBON_CODE] = villages[TAMBON_CODE].astype(str) if TAMBON_CODE in villages else codes.str[:6]
    out[AREA_METHOD] = "none"
    geoms = villages.geometry.to_crs(settings.data_crs).values
    kind = shapely.get_type_id(geoms)
    is_point, is_area = kind == 0, np.isin(kind, (3, 6))
    out[POINT] = gpd.GeoSeries(np.where(is_point, geoms, None), index=villages.index,
                               crs=settings.data_crs)
    out.loc[is_area, GEOMETRY] = geoms[is_area]
    out.loc[is_area, AREA_METHOD] = "given"

    tambon_geom = projected(tambons.set_index(tambons[TAMBON_CODE].astype(str)).geometry)
    pos = np.arange(len(villages))
    known = out[TAMBON_CODE].isin(tambon_geom.index).to_numpy()
    for i in pos[~known]:
        report.add("warning", f"village {codes.iloc[i]}: tambon {out[TAMBON_CODE].iloc[i]} is not in "
                   "the boundary layer; no area. Check the code or the layer's coverage.",
                   f"หมู่บ้าน {codes.iloc[i]}: ไม่พบตำบล {out[TAMBON_CODE].iloc[i]} ในชั้นขอบเขต",
                   **origin(villages, int(i)), column=TAMBON_CODE, value=out[TAMBON_CODE].iloc[i])
    for i in pos[known & ~is_point & ~is_area]:
        report.add("warning", f"village {codes.iloc[i]} has no point: no area. Add its coordinates.",
                   f"หมู่บ้าน {codes.iloc[i]} ไม่มีพิกัด จึงไม่มีพื้นที่", **origin(villages, int(i)),
                   column=GEOMETRY, value=codes.iloc[i])
    use = pos[known & is_point]
    if len(use):
        cells = _thiessen(out.iloc[use], out[POINT].iloc[use], tambon_geom, report, codes)
        methods = np.where(out[TAMBON_CODE].iloc[use].duplicated(keep=False), "thiessen", "tambon")
        empty = shapely.is_empty(cells)
        for i in use[empty]:
            report.add("warning", f"village {codes.iloc[i]}: its point lies outside tambon "
                       f"{out[TAMBON_CODE].iloc[i]} and no part of its Thiessen cell falls inside: "
                       "no area. Correct the point or the code.",
                       f"หมู่บ้าน {codes.iloc[i]}: จุดอยู่นอกตำบลของตน จึงไม่มีพื้นที่",
                       **origin(villages, int(i)), column=GEOMETRY, value=codes.iloc[i])
        back = gpd.GeoSeries(cells, crs=settings.analysis_crs).to_crs(settings.data_crs).values
        out.iloc[use, out.columns.get_loc(GEOMETRY)] = np.where(empty, None, back)
        out.iloc[use, out.columns.get_loc(AREA_METHOD)] = np.where(empty, "none", methods)
    report.rows_loaded = len(out)
    _announce(report)
    out = out.set_geometry(GEOMETRY, crs=settings.data_crs)
    return (out, report) if return_report else out


def _thiessen(
    rows: pd.DataFrame, points: gpd.GeoSeries, tambon_geom: gpd.GeoSeries,
    report: ImportReport, codes: pd.Series,
) -> np.ndarray:
    """Voronoi cells of the points, built per tambon and clipped to it (analysis CRS)."""
    xy = shapely.get_coordinates(points.to_crs(settings.analysis_crs).values)
    tambon = rows[TAMBON_CODE].to_numpy()
    order = np.argsort(tambon, kind="stable")
    group_codes, group_of = np.unique(tambon[order], return_inverse=True)
    xy_sorted = _separate(xy[order], group_of, rows.index.to_numpy()[order], report, codes, rows)
    clip = tambon_geom.loc[group_codes].values
    inside = shapely.contains_xy(clip[group_of], xy_sorted[:, 0], xy_sorted[:, 1])
    for label in rows.index.to_numpy()[order][~inside]:
        report.add("warning", f"village {codes.loc[label]}: point lies outside its tambon "
                   f"{rows.at[label, TAMBON_CODE]}; its area is the part of its Thiessen cell "
                   "inside the tambon. Check the point.",
                   f"หมู่บ้าน {codes.loc[label]}: จุดอยู่นอกตำบลของตน",
                   **origin(rows, rows.index.get_loc(label), at=codes.index.get_loc(label)), column=GEOMETRY, value=codes.loc[label])
    multipoints = shapely.multipoints(xy_sorted, indices=group_of)
    diagrams = shapely.voronoi_polygons(multipoints, extend_to=clip, ordered=True)
    parts, owner = shapely.get_parts(diagrams, return_index=True)
    if len(parts) != len(xy_sorted):
        raise GeometryError("internal: Voronoi cells do not match the village points")
    cells_sorted = shapely.intersection(parts, clip[owner])
    cells = np.empty(len(xy), dtype=object)
    cells[order] = cells_sorted
    return cells


def _separate(
    xy: np.ndarray, group: np.ndarray, labels: np.ndarray, report: ImportReport, codes: pd.Series,
    rows: pd.DataFrame,
) -> np.ndarray:
    """Move coinciding points of one tambon apart (1 m steps) so each keeps a cell."""
    xy = xy.copy()
    key = pd.DataFrame({"g": group, "x": xy[:, 0], "y": xy[:, 1]})
    repeat = key.groupby(["g", "x", "y"]).cumcount().to_numpy()
    for i in np.flatnonzero(repeat):
        angle = repeat[i] * 2.399963  # golden angle: successive copies never line up
        xy[i] += _NUDGE_M * repeat[i] * np.array([np.cos(angle), np.sin(angle)])
        report.add("info", **origin(rows, rows.index.get_loc(labels[i]), at=codes.index.get_loc(labels[i])),
                   message_en=f"village {codes.loc[labels[i]]} has the same point as another village "
                   f"of its tambon: moved {_NUDGE_M * repeat[i]:.0f} m so each has an area.",
                   message_th=f"หมู่บ้าน {codes.loc[labels[i]]} มีพิกัดซ้ำกับหมู่บ้านอื่น เลื่อนออก "
                   f"{_NUDGE_M * repeat[i]:.0f} ม.", column=GEOMETRY, value=codes.loc[labels[i]])
    return xy


def _announce(report: ImportReport) -> None:
    log.info(report.summary())
    if report.count("warning") or report.count("error"):
        warnings.warn(
            f"{report.source}: {report.count('error')} rows rejected and {report.count('warning')} "
            "problems need attention: see the report returned (report.problems).",
            PlanmapWarning,
            stacklevel=3,
        )
