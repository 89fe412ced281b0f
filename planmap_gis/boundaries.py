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
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, overload

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from geothai.abolished import abolished_areas

from planmap_gis import _gazetteer
from planmap_gis._errors import (
    GeometryError,
    HierarchyError,
    InputFileError,
    PlanmapWarning,
    SchemaError,
    show_values,
)
from planmap_gis._geo import read_ogr, repair, set_data_crs
from planmap_gis._places import resolve_amphoes, resolve_provinces
from planmap_gis._schema import (
    AMPHOE_CODE,
    AMPHOE_COLUMNS,
    AMPHOE_EN,
    AMPHOE_TH,
    GEOMETRY,
    PROVINCE_CODE,
    PROVINCE_COLUMNS,
    PROVINCE_EN,
    PROVINCE_TH,
    TAMBON_CODE,
    TAMBON_COLUMNS,
    TAMBON_EN,
    TAMBON_TH,
)
from planmap_gis.report import ImportReport
from planmap_gis.sources import national_layer

__all__ = ["SCHEMAS", "amphoes", "check_hierarchy", "provinces", "read_boundaries"]

log = logging.getLogger("planmap_gis")

#: Column names of the boundary schemas recognised, lower case, by canonical column.
SCHEMAS: dict[str, dict[str, str]] = {
    "canonical": {c: c for c in TAMBON_COLUMNS if c != GEOMETRY},
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

_LEVELS = (  # code column, Thai name, English name, gazetteer table
    (TAMBON_CODE, TAMBON_TH, TAMBON_EN, _gazetteer.tambons),
    (AMPHOE_CODE, AMPHOE_TH, AMPHOE_EN, _gazetteer.amphoes),
    (PROVINCE_CODE, PROVINCE_TH, PROVINCE_EN, _gazetteer.provinces),
)
_PREFIX = re.compile(r"^(?:จังหวัด|อำเภอ|เขต|ตำบล|แขวง|กิ่งอำเภอ)")
_MARKS = re.compile(r"[\s.'()-]")


Places = str | int | Sequence[str | int] | None


@overload
def read_boundaries(
    path: str | Path | None = ..., *, province: Places = ..., amphoe: Places = ...,
    engine: str | None = ..., layer: str | int | None = ...,
    columns: Mapping[str, str] | None = ..., crs: Any = ..., return_report: Literal[False] = ...,
) -> gpd.GeoDataFrame: ...
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
    return_report: bool = False,
) -> gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, ImportReport]:
    """Read tambon polygons from any OGR source into the canonical schema.

    Parameters
    ----------
    path : str or Path, optional
        GeoJSON, GeoPackage, GeoParquet, Shapefile or zipped Shapefile. Without
        it, the national tambon layer: a fetched copy (``$PLANMAP_BOUNDARIES`` or
        the cache, see :func:`~planmap_gis.sources.fetch_boundaries`) when there
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
    return_report : bool, default False
        Also return the :class:`~planmap_gis.report.ImportReport`.

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
    >>> tambons = read_boundaries("nst_tambon_adm3.geojson")  # doctest: +SKIP
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
    out = gpd.GeoDataFrame(frame[list(TAMBON_COLUMNS)], geometry=GEOMETRY)
    return (out, report) if return_report else out


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


def check_hierarchy(tambons: pd.DataFrame, *, source: str = "tambon layer") -> None:
    """Check that codes nest: tambon in amphoe in province.

    Every ``tambon_code`` must start with its ``amphoe_code`` and every
    ``amphoe_code`` with its ``province_code``.

    Raises
    ------
    HierarchyError
        Listing the rows whose codes do not nest.
    SchemaError
        When one of the three code columns is missing.
    """
    missing = [c for c in (TAMBON_CODE, AMPHOE_CODE, PROVINCE_CODE) if c not in tambons]
    if missing:
        raise SchemaError(f"{source}: missing code columns {missing}; read it with read_boundaries.")
    t = tambons[TAMBON_CODE].astype(str)
    a = tambons[AMPHOE_CODE].astype(str)
    p = tambons[PROVINCE_CODE].astype(str)
    problems = []
    for pos in np.flatnonzero(~np.array([x.startswith(y) for x, y in zip(t, a, strict=True)])):
        problems.append(f"row {pos + 1}: tambon {t.iloc[pos]} not in amphoe {a.iloc[pos]}")
    for pos in np.flatnonzero(~np.array([x.startswith(y) for x, y in zip(a, p, strict=True)])):
        problems.append(f"row {pos + 1}: amphoe {a.iloc[pos]} not in province {p.iloc[pos]}")
    if problems:
        raise HierarchyError(
            f"{source}: {len(problems)} codes do not nest: {show_values(problems)}. "
            "DOPA codes nest by prefix (tambon 800101 is in amphoe 8001, province 80); "
            "fix the amphoe/province code columns, or drop them to derive them from the "
            "tambon code."
        )


def _key(name: object) -> str:
    """A name in comparable form: no level word, spaces, dots, hyphens or brackets."""
    if not isinstance(name, str):
        return ""
    return _MARKS.sub("", _PREFIX.sub("", name.strip())).lower()


def _reconcile_names(frame: gpd.GeoDataFrame, report: ImportReport) -> gpd.GeoDataFrame:
    """Take names from the gazetteer by code; report each change and each one-sided code."""
    frame = frame.copy()
    rows = pd.Series(np.arange(1, len(frame) + 1), index=frame.index)
    for code_col, th_col, en_col, table in _LEVELS:
        gaz = table()
        codes = frame[code_col]
        known = codes.isin(gaz.index)
        for col in (th_col, en_col):
            given = frame[col] if col in frame else pd.Series(pd.NA, index=frame.index)
            official = codes.map(gaz[col])
            changed = known & (given.astype("string").fillna("") != official.astype("string"))
            # One report line per distinct code and name, not per tambon row.
            seen: set[tuple[str, object]] = set()
            for idx in frame.index[changed]:
                key = (codes[idx], given[idx])
                if key in seen:
                    continue
                seen.add(key)
                _report_name(report, code_col, col, codes[idx], given[idx], official[idx],
                             rows[idx])
            frame[col] = official.where(known, given).astype(object)
        if code_col == TAMBON_CODE:
            _report_unknown(report, frame.loc[~known], rows)
            _report_absent(report, frame)
    return frame


def _report_name(
    report: ImportReport, code_col: str, col: str, code: str, given: object,
    official: str, row: int,
) -> None:
    if given is None or pd.isna(given) or given == "":
        report.add("info", f"{col} of {code} was empty: filled from the DOPA gazetteer "
                   f"({official})", f"เติมชื่อ {official} จากทะเบียน มท. (รหัส {code})",
                   row=row, column=col, value=code)
        return
    given_text = str(given)
    if _key(given_text) == _key(official) or col.endswith("_en"):
        kind_en, kind_th = "written differently", "เขียนต่างกัน"
    elif official.startswith(given_text):
        kind_en, kind_th = "truncated", "ชื่อถูกตัด"
    else:
        report.add("warning",
                   f"{code_col} {code}: the file names it {given_text!r}, the DOPA gazetteer "
                   f"{official!r} (renamed?). The gazetteer name is used; check the code.",
                   f"รหัส {code}: ในไฟล์ชื่อ {given_text} แต่ทะเบียน มท. ชื่อ {official} "
                   "(อาจเปลี่ยนชื่อ) ใช้ชื่อตามทะเบียน โปรดตรวจรหัส",
                   row=row, column=col, value=given_text)
        return
    report.add("info",
               f"{code_col} {code}: name {kind_en} in the file ({given_text!r}); "
               f"gazetteer name {official!r} used",
               f"รหัส {code}: {kind_th} ({given_text}) ใช้ชื่อตามทะเบียน มท. {official}",
               row=row, column=col, value=given_text)


def _report_unknown(report: ImportReport, unknown: pd.DataFrame, rows: pd.Series) -> None:
    """Tambon codes the gazetteer lacks: kept with the file's names, reported."""
    gone = {a.code: a for a in abolished_areas()}
    for idx, code in unknown[TAMBON_CODE].items():
        old = gone.get(code)
        if old is not None:
            detail_en = (f"abolished on {old.abolished_on}, succeeded by "
                         f"{', '.join(old.successors) or 'no listed successor'}")
            detail_th = f"ยุบเมื่อ {old.abolished_on} แทนที่ด้วย {', '.join(old.successors)}"
        else:
            detail_en, detail_th = "not found at all", "ไม่พบเลย"
        report.add(
            "warning",
            f"tambon {code} is not in the DOPA gazetteer ({_gazetteer.VERSION}): {detail_en}. "
            "Kept with the file's names; the boundary layer is older than the gazetteer — "
            "update the layer or map projects to the successor codes.",
            f"ตำบลรหัส {code} ไม่อยู่ในทะเบียน มท. ({detail_th}) เก็บไว้ตามชื่อในไฟล์",
            row=int(rows[idx]), column=TAMBON_CODE, value=code,
        )


def _report_absent(report: ImportReport, frame: pd.DataFrame) -> None:
    """Gazetteer tambon of the file's provinces that have no polygon in the file."""
    gaz = _gazetteer.tambons()
    provinces_in_file = set(frame[PROVINCE_CODE])
    present = set(frame[TAMBON_CODE])
    absent = [c for c in gaz.index if c[:2] in provinces_in_file and c not in present]
    if frame.attrs.get("cut_to_amphoe"):
        amphoe_in_file = set(frame[AMPHOE_CODE])
        absent = [c for c in absent if c[:4] in amphoe_in_file]
    for code in absent:
        report.add(
            "warning",
            f"tambon {code} ({gaz.at[code, TAMBON_TH]}) is in the DOPA gazetteer but has no "
            "polygon in this file (boundary vintage older than the gazetteer?). Projects "
            "listing it cannot be mapped until the layer is updated.",
            f"ตำบล {gaz.at[code, TAMBON_TH]} ({code}) มีในทะเบียน มท. แต่ไม่มีขอบเขตในไฟล์นี้",
            column=TAMBON_CODE, value=code,
        )


def _announce(report: ImportReport) -> None:
    log.info(report.summary())
    if report.count("warning"):
        warnings.warn(
            f"{report.source}: {report.count('warning')} boundary problems need attention "
            "(codes on one side only, renamed units). Read with return_report=True and see "
            "report.problems.",
            PlanmapWarning,
            stacklevel=3,
        )


def amphoes(tambons: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Dissolve tambon into amphoe (districts).

    Parameters
    ----------
    tambons : GeoDataFrame
        The canonical tambon layer (as from :func:`read_boundaries`).

    Returns
    -------
    GeoDataFrame
        One row per amphoe, columns ``AMPHOE_COLUMNS`` (``n_tambon`` counts the
        tambon), sorted by ``amphoe_code``, in the CRS of ``tambons``.

    Raises
    ------
    HierarchyError
        When codes do not nest (see :func:`check_hierarchy`).
    """
    return _dissolve(tambons, AMPHOE_CODE, AMPHOE_COLUMNS)


def provinces(tambons: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Dissolve tambon into provinces; columns ``PROVINCE_COLUMNS``, sorted by code."""
    return _dissolve(tambons, PROVINCE_CODE, PROVINCE_COLUMNS)


def _dissolve(tambons: gpd.GeoDataFrame, by: str, out_columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    check_hierarchy(tambons)
    names = [c for c in out_columns if c in tambons.columns and c not in (by, GEOMETRY)]
    agg: dict[str, Any] = {c: "first" for c in names}
    agg[TAMBON_CODE] = "count"
    if "n_amphoe" in out_columns:
        agg[AMPHOE_CODE] = "nunique"
    out = tambons.dissolve(by=by, aggfunc=agg, sort=True).reset_index()
    out = out.rename(columns={TAMBON_CODE: "n_tambon", AMPHOE_CODE: "n_amphoe"}
                     if by == PROVINCE_CODE else {TAMBON_CODE: "n_tambon"})
    return gpd.GeoDataFrame(out[list(out_columns)], geometry=GEOMETRY, crs=tambons.crs)
