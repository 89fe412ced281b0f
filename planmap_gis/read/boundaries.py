"""Tambon boundary layers: read any schema, reconcile with the DOPA gazetteer, dissolve up.

The canonical tambon layer (see ``_schema.TAMBON_COLUMNS``) has one row per
tambon, sorted by ``tambon_code``, in EPSG:4326:

==============  ======================================================
column          meaning
==============  ======================================================
tambon_code     6-digit DOPA code, string (``"800101"``)
amphoe_code     4-digit DOPA code (first 4 digits of the tambon code)
province_code   2-digit DOPA code
tambon_th/_en   tambon name, Thai / English (gazetteer spelling)
amphoe_th/_en   amphoe name
province_th/_en province name
geometry        Polygon or MultiPolygon, longitude/latitude
==============  ======================================================
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, overload

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planmap_gis._errors import (
    GeometryError,
    InputFileError,
    PlanmapWarning,
    SchemaError,
    show_values,
)
from planmap_gis._geo import read_ogr, repair, set_data_crs
from planmap_gis._schema import (
    AMPHOE_CODE,
    AMPHOE_EN,
    AMPHOE_TH,
    GEOMETRY,
    PROVINCE_CODE,
    PROVINCE_EN,
    PROVINCE_TH,
    TAMBON_CODE,
    TAMBON_COLUMNS,
    TAMBON_EN,
    TAMBON_TH,
)
from planmap_gis.read.hierarchy import _reconcile_names, check_hierarchy
from planmap_gis.read.places import resolve_amphoes, resolve_provinces
from planmap_gis.read.sources import manifest, national_layer
from planmap_gis.report import ImportReport, reader_result

__all__ = ["FIDELITY", "SCHEMAS", "fidelity_notes", "read_boundaries"]

#: Column of the packaged and imported layers: "detailed", "official" or "simplified" (coarse).
FIDELITY = "boundary_fidelity"

log = logging.getLogger("planmap_gis")

#: Column names of the boundary schemas recognised, lower case, by canonical column.
SCHEMAS: dict[str, dict[str, str]] = {
    # boundary_fidelity (the packaged and imported layers): kept, so a map on coarse outlines says so
    "canonical": {**{c: c for c in TAMBON_COLUMNS if c != GEOMETRY}, FIDELITY: FIDELITY},
    "HDX COD-AB": {
        "adm3_pcode": TAMBON_CODE, "adm3_th": TAMBON_TH, "adm3_en": TAMBON_EN,
        "adm2_pcode": AMPHOE_CODE, "adm2_th": AMPHOE_TH, "adm2_en": AMPHOE_EN,
        "adm1_pcode": PROVINCE_CODE, "adm1_th": PROVINCE_TH, "adm1_en": PROVINCE_EN,
    },
    "DOPA": {
        "tam_code": TAMBON_CODE, "tam_th": TAMBON_TH, "tam_en": TAMBON_EN,
        "amp_code": AMPHOE_CODE, "amp_th": AMPHOE_TH, "amp_en": AMPHOE_EN,
        "pro_code": PROVINCE_CODE, "pro_th": PROVINCE_TH, "pro_en": PROVINCE_EN,
        "prov_code": PROVINCE_CODE, "prov_th": PROVINCE_TH, "prov_en": PROVINCE_EN,
    },
}


Places = str | int | Sequence[str | int] | None


@overload
def read_boundaries(
    path: str | Path | None = ..., *, province: Places = ..., amphoe: Places = ...,
    engine: str | None = ..., layer: str | int | None = ...,
    columns: Mapping[str, str] | None = ..., crs: Any = ..., return_report: None = ...,
) -> tuple[gpd.GeoDataFrame, ImportReport]: ...
@overload
def read_boundaries(
    path: str | Path | None = ..., *, province: Places = ..., amphoe: Places = ...,
    engine: str | None = ..., layer: str | int | None = ...,
    columns: Mapping[str, str] | None = ..., crs: Any = ..., return_report: Literal[True],
) -> tuple[gpd.GeoDataFrame, ImportReport]: ...
def read_boundaries(
    path: str | Path | None = None,
    *,
    province: Places = None,
    amphoe: Places = None,
    engine: str | None = None,
    layer: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    crs: Any = None,
    return_report: bool | None = None,
) -> gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, ImportReport]:
    """Read tambon polygons from any OGR source into the canonical schema.

    Parameters
    ----------
    path : str or Path, optional
        GeoJSON, GeoPackage, GeoParquet, Shapefile or zipped Shapefile. Without
        it, the national tambon layer: a fetched copy (``$PLANMAP_BOUNDARIES`` or
        the cache, see :func:`~planmap_gis.read.sources.fetch_boundaries`) when there
        is one, else the copy packaged with planmap-gis (OCHA / Royal Thai Survey
        Department, 2019, CC BY-IGO 3.0).
    province : str, int or list, optional
        Keep only these provinces: DOPA codes (``"80"``) or names in Thai
        (``"นครศรีธรรมราช"``) or English (``"Nakhon Si Thammarat"``).
    amphoe : str, int or list, optional
        Keep only these amphoe: codes (``"8001"``) or names, looked up within
        ``province`` when given.
    engine : {"pyogrio", "fiona"}, optional
        Reader; pyogrio by default.
    layer : str or int, optional
        Layer to read from a multi-layer source. If omitted, a layer whose name
        contains ``adm3`` or ``tambon`` is chosen when it is the only one.
    columns : mapping, optional
        ``{file column: canonical column}`` for schemas not recognised
        automatically, e.g. ``{"TB_IDN": "tambon_code"}``. Recognised without
        it: the canonical schema, HDX COD-AB (``adm3_pcode``, ``ADM3_TH`` …) and
        DOPA style (``tam_code``, ``amp_th``, ``pro_en`` …), in any case.
    crs : optional
        CRS to assume when the file has none (e.g. ``"EPSG:4326"``). A file
        without a CRS and no ``crs`` is an error.
    return_report : bool, optional
        Deprecated (0.2): every ``read_*`` returns ``(frame, report)``. Given, it still works for
        one release with a FutureWarning (``False``: the frame alone).

    Returns
    -------
    GeoDataFrame
        One row per tambon, columns ``TAMBON_COLUMNS``, sorted by code, in
        EPSG:4326. Names come from the DOPA gazetteer (``geothai``) where the
        code is known; truncated or outdated names are replaced and the change
        is reported. Tambon whose code the gazetteer lacks are kept with the
        file's names and reported; gazetteer tambon of the same provinces that
        the file lacks are reported too.

    Raises
    ------
    InputFileError
        Missing, unreadable or empty file.
    SchemaError
        No tambon code column, malformed or duplicate codes.
    CRSError
        No CRS and none passed, or a contradicting one passed.
    GeometryError
        Missing, non-polygonal or unrepairable geometries.
    HierarchyError
        A tambon code that does not start with its amphoe code (or an amphoe
        code with its province code).

    Examples
    --------
    >>> tambons, report = read_boundaries("nst_tambon_adm3.geojson")  # doctest: +SKIP
    >>> tambons.amphoe_code.nunique()  # doctest: +SKIP
    23
    """
    described = None
    if path is None:
        path, described = national_layer()
    source = str(path)
    raw = read_ogr(path, engine=engine, layer=layer, prefer=("adm3", "tambon"))
    if raw.empty:
        raise InputFileError(
            f"{source}: the layer has no features. Check that this is the tambon layer "
            "(ADM3) and that the export did not filter every row out.",
            th=f"{source}: ชั้นข้อมูลไม่มีรูปแปลงเลย ตรวจว่าเป็นชั้นขอบเขตตำบล (ADM3) และการส่งออกไม่ได้กรองทุกแถวทิ้ง",
        )
    frame = _recognise(raw, columns, source)
    frame = _clean_codes(frame, source)
    frame = _select(frame, province, amphoe, source)
    report = ImportReport(source=source, rows_in=len(frame))
    if described:
        log.info("Boundaries: %s", described)
    frame = set_data_crs(frame, crs, source)
    frame = _repair_geometry(frame, source, report)
    check_hierarchy(frame, source=source)
    frame = _reconcile_names(frame, report)
    frame = frame.sort_values(TAMBON_CODE, kind="stable").reset_index(drop=True)
    report.rows_loaded = len(frame)
    _announce(report)
    columns_out = [c for c in TAMBON_COLUMNS if c != GEOMETRY] + ([FIDELITY] if FIDELITY in frame else [])
    out = gpd.GeoDataFrame(frame[[*columns_out, GEOMETRY]], geometry=GEOMETRY)
    return reader_result(out, report, return_report, "read_boundaries")


def _select(frame: gpd.GeoDataFrame, province: Places, amphoe: Places, source: str) -> gpd.GeoDataFrame:
    """The tambon of the named provinces and amphoe (all when neither is given)."""
    if province is None and amphoe is None:
        return frame
    wanted_p = resolve_provinces(province) if province is not None else []
    keep = np.ones(len(frame), dtype=bool)
    if wanted_p:
        keep &= frame[PROVINCE_CODE].isin(wanted_p).to_numpy()
    if amphoe is not None:
        keep &= frame[AMPHOE_CODE].isin(resolve_amphoes(amphoe, wanted_p)).to_numpy()
    if not keep.any():
        asked = ", ".join(str(v) for v in (province, amphoe) if v is not None)
        raise SchemaError(
            f"{source}: no tambon of {asked} in this layer (it holds provinces "
            f"{show_values(sorted(frame[PROVINCE_CODE].unique()))}). Fix: read the national "
            "layer (no path, or --province alone), or a layer that covers the place.",
            th=f"{source}: ชั้นข้อมูลนี้ไม่มีตำบลของ {asked} แก้ไข: ใช้ชั้นขอบเขตทั้งประเทศ "
               "(ไม่ต้องระบุไฟล์) หรือไฟล์ที่ครอบคลุมพื้นที่นั้น",
        )
    out = frame[keep].reset_index(drop=True)
    out.attrs["cut_to_amphoe"] = amphoe is not None  # gazetteer checks then stop at these amphoe
    return out


def _recognise(
    raw: gpd.GeoDataFrame, columns: Mapping[str, str] | None, source: str
) -> gpd.GeoDataFrame:
    """Rename the file's columns to the canonical ones."""
    canonical = set(TAMBON_COLUMNS) - {GEOMETRY}
    rename: dict[str, str] = {}
    if columns:
        unknown_targets = set(columns.values()) - canonical
        missing = [c for c in columns if c not in raw.columns]
        if unknown_targets or missing:
            raise SchemaError(
                f"{source}: columns={dict(columns)!r} does not fit the file. "
                + (f"Not in the file: {show_values(missing)}. " if missing else "")
                + (f"Not canonical names: {show_values(sorted(unknown_targets))}. "
                   if unknown_targets else "")
                + f"File columns: {show_values(list(raw.columns), 20)}; "
                f"canonical: {', '.join(sorted(canonical))}."
            )
        rename.update(columns)
    aliases = {alias: target for schema in SCHEMAS.values() for alias, target in schema.items()}
    for col in raw.columns:
        target = aliases.get(str(col).lower())
        if col not in rename and target and target not in rename.values():
            rename[col] = target
    if TAMBON_CODE not in rename.values() and len(raw.columns) == 1 and source.lower().endswith(".shp"):
        raise InputFileError(
            f"{source}: the Shapefile has shapes but no attributes: its .dbf file is missing beside "
            "it. Fix: copy the .dbf (and .prj, .shx) with the same name into the same folder, or send "
            "the layer as one GeoPackage or zipped Shapefile.",
            th=f"{source}: Shapefile ไม่มีตารางข้อมูล (ไฟล์ .dbf หายไป) แก้ไข: คัดลอกไฟล์ .dbf .prj .shx "
               "ชื่อเดียวกันมาไว้ในโฟลเดอร์เดียวกัน หรือส่งเป็น GeoPackage",
        )
    if TAMBON_CODE not in rename.values():
        raise SchemaError(
            f"{source}: no tambon code column. Found: {show_values(list(raw.columns), 20)}. "
            "Recognised: adm3_pcode (HDX COD-AB), tam_code (DOPA), tambon_code. Fix: pass "
            "columns={'<your code column>': 'tambon_code'} (CLI: --column NAME=tambon_code)."
        )
    frame = raw[[*rename, raw.geometry.name]].rename(columns=rename)
    return frame.rename_geometry(GEOMETRY) if frame.geometry.name != GEOMETRY else frame


def _code_strings(values: pd.Series) -> pd.Series:
    """Codes as plain digit strings: 'TH800101', 800101 and 800101.0 all become '800101'."""
    text = values.astype("string").str.strip()
    text = text.str.replace(r"^[Tt][Hh]", "", regex=True).str.replace(r"\.0+$", "", regex=True)
    return text


def _clean_codes(frame: gpd.GeoDataFrame, source: str) -> gpd.GeoDataFrame:
    frame = frame.copy()
    code = _code_strings(frame[TAMBON_CODE])
    bad = ~code.fillna("").str.fullmatch(r"\d{6}")
    if bad.any():
        rows = [f"row {i + 1}: {frame[TAMBON_CODE].iloc[i]!r}" for i in np.flatnonzero(bad)]
        raise SchemaError(
            f"{source}: {int(bad.sum())} tambon codes are not 6-digit DOPA codes "
            f"(column {TAMBON_CODE}): {show_values(rows)}. Fix the codes in the file, "
            "or map the right column with columns=..."
        )
    dup = code.duplicated(keep=False)
    if dup.any():
        groups = code[dup].groupby(code[dup]).groups
        detail = [f"{c} (rows {', '.join(str(i + 1) for i in idx)})" for c, idx in groups.items()]
        raise SchemaError(
            f"{source}: duplicate tambon codes: {show_values(detail)}. Each tambon must be one "
            "feature; dissolve multi-part tambon into one MultiPolygon (e.g. in QGIS, "
            "Vector > Geoprocessing > Dissolve by the code) and read again."
        )
    frame[TAMBON_CODE] = code.astype(object)
    for col, n in ((AMPHOE_CODE, 4), (PROVINCE_CODE, 2)):
        if col in frame:
            given = _code_strings(frame[col])
            frame[col] = given.where(given.notna() & (given != ""), code.str[:n]).astype(object)
        else:
            frame[col] = code.str[:n].astype(object)
    return frame


def _repair_geometry(
    frame: gpd.GeoDataFrame, source: str, report: ImportReport
) -> gpd.GeoDataFrame:
    geoms = frame.geometry.values
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        rows = [f"row {i + 1} ({frame[TAMBON_CODE].iloc[i]})" for i in np.flatnonzero(missing)]
        raise GeometryError(
            f"{source}: {int(missing.sum())} tambon have no geometry: {show_values(rows)}. "
            "Every tambon needs its polygon; fix or remove these features."
        )
    kinds = shapely.get_type_id(geoms)
    not_polygon = ~np.isin(kinds, (3, 6))  # Polygon, MultiPolygon
    if not_polygon.any():
        rows = [
            f"row {i + 1} ({frame[TAMBON_CODE].iloc[i]}: {shapely.get_type_id(geoms[i])})"
            for i in np.flatnonzero(not_polygon)
        ]
        raise GeometryError(
            f"{source}: {int(not_polygon.sum())} features are not polygons: {show_values(rows)}. "
            "A tambon boundary layer holds polygons; check that this is the ADM3 area layer, "
            "not points or lines."
        )
    fixed, where = repair(geoms)
    for i, reason in where:
        geom = fixed[i]
        if geom is None or geom.is_empty or geom.area == 0:
            raise GeometryError(
                f"{source}: row {i + 1} ({frame[TAMBON_CODE].iloc[i]}) has a polygon that "
                f"cannot be repaired ({reason}). Redraw it in a GIS and read again.",
                th=f"{source}: แถว {i + 1} ({frame[TAMBON_CODE].iloc[i]}) รูปแปลงเสียหายจนซ่อมไม่ได้ "
                   "แก้ไข: วาดใหม่ในโปรแกรม GIS แล้วอ่านอีกครั้ง",
            )
        report.add(
            "info",
            f"invalid polygon repaired with shapely.make_valid ({reason})",
            f"ซ่อมรูปแปลงที่ไม่ถูกต้องด้วย make_valid ({reason})",
            row=int(i) + 1, column=GEOMETRY, value=frame[TAMBON_CODE].iloc[i],
        )
    if where:
        frame = frame.copy()
        frame[GEOMETRY] = gpd.GeoSeries(fixed, index=frame.index, crs=frame.crs)
    return frame


def _announce(report: ImportReport) -> None:
    log.info(report.summary())
    if report.count("warning"):
        warnings.warn(
            f"{report.source}: {report.count('warning')} boundary problems need attention "
            "(codes on one side only, renamed units): see the report read_boundaries returns "
            "(report.problems).",
            PlanmapWarning,
            stacklevel=3,
        )




def fidelity_notes(tambons: pd.DataFrame) -> tuple[str, ...]:
    """The line every output must carry when some tambon are drawn from coarse outlines.

    The packaged layer holds simplified geometry for the provinces its detailed source lacks
    (``boundary_fidelity`` = "simplified": about 1.4 km median and 6 km worst from the official
    outline, measured in Nakhon Si Thammarat); a map of them must say so, and how to do better.
    Empty for detailed, official or unmarked layers.
    """
    if FIDELITY not in tambons or not (tambons[FIDELITY] == "simplified").any():
        return ()
    error = manifest()["packaged"].get("simplified_error_m", {"median": 1407, "max": 6257})
    names = sorted(set(tambons.loc[tambons[FIDELITY] == "simplified", PROVINCE_TH].astype(str)))
    return (f"เส้นขอบเขตตำบลของจังหวัด{'/'.join(names)}เป็นแบบย่ออย่างหยาบ (คลาดจากเส้นทางการราว "
            f"{error['median'] / 1000:.1f} กม. มากสุดราว {error['max'] / 1000:.0f} กม.) นำเข้าไฟล์ทางการด้วย "
            "planmap boundaries import · Coarse tambon outlines (simplified: about "
            f"{error['median'] / 1000:.1f} km from the official line, up to {error['max'] / 1000:.0f} km); import the "
            "official file with `planmap boundaries import`",)
