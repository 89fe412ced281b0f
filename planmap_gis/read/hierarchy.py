"""The administrative hierarchy of a tambon layer: codes that nest, names reconciled with the DOPA
gazetteer, and amphoe and provinces dissolved from the tambon."""

from __future__ import annotations

import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from geothai.abolished import abolished_areas

from planmap_gis._errors import (
    HierarchyError,
    SchemaError,
    show_values,
)
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
    TAMBON_EN,
    TAMBON_TH,
)
from planmap_gis.read import gazetteer as _gazetteer
from planmap_gis.report import ImportReport

__all__ = ["amphoes", "check_hierarchy", "provinces"]

_LEVELS = (  # code column, Thai name, English name, gazetteer table
    (TAMBON_CODE, TAMBON_TH, TAMBON_EN, _gazetteer.tambons),
    (AMPHOE_CODE, AMPHOE_TH, AMPHOE_EN, _gazetteer.amphoes),
    (PROVINCE_CODE, PROVINCE_TH, PROVINCE_EN, _gazetteer.provinces),
)


_PREFIX = re.compile(r"^(?:จังหวัด|อำเภอ|เขต|ตำบล|แขวง|กิ่งอำเภอ)")


_MARKS = re.compile(r"[\s.'()-]")


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
            if col == en_col:  # the gazetteer's English has warts of its own ("Padang Besa", "Lan SaKa")
                official = official.where(~_better_english(given, official), given)
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


def _better_english(given: pd.Series, official: pd.Series) -> pd.Series:
    """Where the file's English name beats the gazetteer's: the gazetteer's is cut from it ("Padang
    Besa" of "Padang Besar") or differs only in capitals ("Lan SaKa" of "Lan Saka")."""
    file_name = given.astype("string").fillna("").str.strip()
    gazetteer = official.astype("string").fillna("")
    cut = (gazetteer != "") & (file_name.str.len() > gazetteer.str.len()) & pd.Series(
        [f.startswith(g) for f, g in zip(file_name, gazetteer, strict=True)], index=given.index)
    capitals = (file_name != gazetteer) & (file_name.str.lower() == gazetteer.str.lower())
    return (cut | capitals).fillna(False).astype(bool)


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
    elif official == f"เมือง{given_text}":  # the capital district written as its province (อ.เมือง…)
        kind_en, kind_th = "written without เมือง", "เขียนโดยไม่มีคำว่าเมือง"
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
