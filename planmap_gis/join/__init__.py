"""Apportioning projects to villages: one allocation row per (project, village).

Where a project happens decides how its budget is spread:

* a **footprint** (exact location): a point goes to the village containing it;
  a line is split by its length inside each village; a polygon by its area of
  intersection. Parts outside every village do not count (the shares are of
  the part inside the province), and this is reported.
* a **list of areas** (village, tambon, amphoe or province codes): the budget
  is spread over all the villages of those areas together by ``method`` —
  ``equal``, ``area`` (km² in the analysis CRS), ``households`` or
  ``population``. When the project gives ``area_shares`` (explicit location
  percentages, or amounts per area), each listed area first receives its share,
  which is then spread over its own villages: given shares come before any method.

For every placed project the shares sum to 1 and the allocated budget to the
project's budget. A project that reaches no village is reported and left out of
the allocation (it stays in the project table). Geometry work is vectorised
with shapely 2 (one STRtree query for all footprints) in ``settings.analysis_crs``.
"""

from __future__ import annotations

import logging
import warnings
from typing import Literal, overload

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planmap_gis._errors import PlanmapError, PlanmapWarning, SchemaError
from planmap_gis._geo import projected, repair
from planmap_gis._schema import (
    AMPHOE_CODE,
    AREA_CODES,
    BUDGET,
    GEOMETRY,
    HOUSEHOLDS,
    LEVEL_KEYS,
    MIN_TARGET_SHARE,
    MIN_TARGET_THB,
    POPULATION,
    PRECISION,
    PROJECT_ID,
    SOURCE_ROW,
    TAMBON_CODE,
    VILLAGE_CODE,
)
from planmap_gis.join.areas import _allocate_areas
from planmap_gis.join.footprints import _measured_pairs, _point_pairs
from planmap_gis.join.pairs import (
    _COMPACT,
    _EXACT,
    _METHOD_LABELS,
    _PAIRS,
    _PRECISION_LABELS,
    ALLOCATION_COLUMNS,
    METHOD,
    METHODS,
    SHARE,
    Pairs,
    _pairs,
    labels,
)
from planmap_gis.report import ImportReport, origin

__all__ = ["ALLOCATION_COLUMNS", "METHODS", "allocate", "rollup", "slivers"]

log = logging.getLogger("planmap_gis")



@overload
def allocate(projects: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, *, method: str = ...,
             return_report: Literal[False] = ...) -> pd.DataFrame: ...
@overload
def allocate(projects: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, *, method: str = ...,
             return_report: Literal[True]) -> tuple[pd.DataFrame, ImportReport]: ...
def allocate(
    projects: gpd.GeoDataFrame,
    villages: gpd.GeoDataFrame,
    *,
    method: str = "households",
    return_report: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, ImportReport]:
    """Spread each project's budget over the villages it reaches.

    Parameters
    ----------
    projects : GeoDataFrame
        Canonical project table (:func:`~planmap_gis.read_projects`).
    villages : GeoDataFrame
        Village areas (:func:`~planmap_gis.village_areas`): ``village_code``,
        ``tambon_code``, ``households``, ``population``, polygon geometry
        (None allowed: such a village receives area-list projects but no
        footprint).
    method : {"equal", "area", "households", "population"}
        How an area-list project spreads over the villages of its areas. A
        village with no value for the weight gets the mean of the project's
        other villages (reported); when none has one, the spread is equal.
    return_report : bool
        Also return an :class:`~planmap_gis.report.ImportReport` (one row per
        project: placed or not).

    Returns
    -------
    DataFrame
        Columns ``ALLOCATION_COLUMNS``: ``share`` (0–1), ``budget_thb`` (THB;
        NaN when the project has no budget), ``method`` (``point``, ``line``,
        ``polygon`` or the area method) and ``location_precision`` of this
        row: ``exact`` for a footprint, else the level of the listed area that
        reached the village (``village``, ``tambon``, ``amphoe``, ``province``;
        the finest when two did). Sorted by project order, then village code.
        The ids, codes and labels are categoricals (integer codes into the
        sorted texts the rows hold: a national allocation's 3.4 M rows repeat
        100,000 ids); compare, sort, group and ``.str`` them as text, and
        ``astype(str)`` for plain text.
    """
    if method not in METHODS:
        raise PlanmapError(f"allocate: method must be one of {METHODS}, got {method!r}.")
    for col in (PROJECT_ID, AREA_CODES, BUDGET):
        if col not in projects:
            raise SchemaError(f"allocate: projects have no {col!r} column; read them with read_projects().")
    if not villages[VILLAGE_CODE].is_unique:
        raise SchemaError("allocate: village codes repeat; each village must be one row.")
    report = ImportReport(source="allocate", rows_in=len(projects))
    projects = _repaired(projects, report)
    table = _village_table(villages, with_area=method == "area")
    has_footprint = projects.geometry.notna().to_numpy() & ~projects.geometry.is_empty.to_numpy()
    footprint_rows, area_rows = np.flatnonzero(has_footprint), np.flatnonzero(~has_footprint)
    parts = [_allocate_footprints(projects.iloc[footprint_rows], villages, report, footprint_rows),
             _allocate_areas(projects.iloc[area_rows], table, method, report, area_rows)]
    placed = sum(int(np.count_nonzero(np.bincount(part["p"], minlength=len(projects)))) for part in parts)
    reached = int(np.count_nonzero(np.bincount(np.concatenate([part["v"] for part in parts]),
                                               minlength=len(table))))
    frame = _assemble(parts, projects, table)
    for rec in frame[slivers(frame)].itertuples():
        baht = getattr(rec, BUDGET)
        money = f", {baht:,.2f} THB" if baht == baht else ""  # a project without a budget has no baht to say
        report.add("info", f"project {getattr(rec, PROJECT_ID)} touches village {getattr(rec, VILLAGE_CODE)} with a "
                   f"sliver (share {rec.share:.2g}{money}): placed, but not counted as targeting the village", f"โครงการ {getattr(rec, PROJECT_ID)} แตะหมู่บ้าน "
                   f"{getattr(rec, VILLAGE_CODE)} เพียงเล็กน้อย ไม่นับว่าลงพื้นที่หมู่บ้านนี้",
                   column=GEOMETRY, value=getattr(rec, VILLAGE_CODE))
    report.rows_loaded = placed
    report.rows_rejected = len(projects) - placed
    log.info("allocate (%s): %d of %d projects placed over %d villages", method, placed,
             len(projects), reached)
    if report.rows_rejected:
        warnings.warn(f"allocate: {report.rows_rejected} projects reach no village and are not in "
                      "the allocation; pass return_report=True to see which.", PlanmapWarning,
                      stacklevel=2)
    return (frame, report) if return_report else frame


def _repaired(projects: gpd.GeoDataFrame, report: ImportReport) -> gpd.GeoDataFrame:
    """Projects with invalid footprints made valid (GEOS would stop the whole run), each reported."""
    fixed, where = repair(projects.geometry.values)
    if not where:
        return projects
    for pos, reason in where:
        report.add("warning", f"project {projects[PROJECT_ID].iloc[pos]}: invalid footprint ({reason}) "
                   "repaired with make_valid before the overlay", f"โครงการ {projects[PROJECT_ID].iloc[pos]}: "
                   f"รูปแปลงไม่ถูกต้อง ({reason}) ซ่อมด้วย make_valid", **origin(projects, pos), column=GEOMETRY,
                   value=projects[PROJECT_ID].iloc[pos])
    projects = projects.copy()
    projects[projects.geometry.name] = gpd.GeoSeries(fixed, index=projects.index, crs=projects.crs)
    return projects


def _assemble(parts: list[Pairs], projects: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Allocation rows in project order, then village code, with the canonical columns."""
    # Compact dtypes (positions 32-bit), and each array put in order in place of the unordered one:
    # a national plan's 3.4 M pairs held each array twice.
    pairs = {k: np.concatenate([part[k] for part in parts], dtype=_COMPACT[k], casting="same_kind")
             for k in _PAIRS}
    parts.clear()  # the caller's list too: its arrays (a national plan's 3.4 M pairs) go now, not on return
    order = np.lexsort((table["order"].to_numpy()[pairs["v"]], pairs["p"]))
    for k in _PAIRS:
        pairs[k] = pairs[k][order]
    del order
    p, v, share = pairs["p"], pairs["v"], pairs[SHARE]
    budget = pd.to_numeric(projects[BUDGET], errors="coerce").to_numpy(dtype=float)
    return pd.DataFrame({
        PROJECT_ID: labels(projects[PROJECT_ID].array, p),
        VILLAGE_CODE: labels(table.index.array, v),
        TAMBON_CODE: labels(table[TAMBON_CODE].array, v),
        AMPHOE_CODE: labels(table[AMPHOE_CODE].array, v),
        SHARE: share,
        BUDGET: share * budget[p],
        METHOD: pd.Categorical.from_codes(pairs["m"], dtype=_METHOD_LABELS),
        PRECISION: pd.Categorical.from_codes(pairs["rank"], dtype=_PRECISION_LABELS),
    })


def _village_table(villages: gpd.GeoDataFrame, *, with_area: bool) -> pd.DataFrame:
    """Village codes, parents, weights and sort order, in the villages' row order."""
    codes = villages[VILLAGE_CODE].astype(str).to_numpy()
    tambon = villages[TAMBON_CODE].astype(str).to_numpy() if TAMBON_CODE in villages \
        else np.array([c[:6] for c in codes], dtype=object)
    table = pd.DataFrame({
        TAMBON_CODE: pd.array(tambon, dtype="str"),
        AMPHOE_CODE: pd.array([t[:4] for t in tambon], dtype="str"),
        # Projecting a national layer costs seconds: measure areas only when they weigh.
        "area": projected(villages.geometry).area.to_numpy() / 1e6 if with_area else np.nan,
        HOUSEHOLDS: _numbers(villages, HOUSEHOLDS),
        POPULATION: _numbers(villages, POPULATION),
    }, index=pd.Index(pd.array(codes, dtype="str"), name=VILLAGE_CODE))
    table["equal"] = 1.0
    table["order"] = np.argsort(np.argsort(codes, kind="stable"), kind="stable")
    return table


def _numbers(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").astype(float).to_numpy()


def _allocate_footprints(projects: gpd.GeoDataFrame, villages: gpd.GeoDataFrame,
                         report: ImportReport, positions: np.ndarray) -> Pairs:
    """Points to the village containing them; lines and polygons by length or area inside each."""
    if projects.empty:
        return _pairs(*(np.empty(0),) * 5)
    dim = shapely.get_dimensions(np.asarray(projects.geometry.values))
    parts = []
    # Whole measure of each footprint: how many points; metres or m² for lines and polygons.
    full = shapely.get_num_geometries(np.asarray(projects.geometry.values)).astype(float)
    points = np.flatnonzero(dim == 0)
    if len(points):
        parts.append(_point_pairs(projects.geometry.iloc[points], villages, points))
    shapes = np.flatnonzero(dim > 0)
    if len(shapes):
        pairs, full[shapes] = _measured_pairs(projects.geometry.iloc[shapes], villages, shapes, dim[shapes])
        parts.append(pairs)
    pairs = pd.concat(parts, ignore_index=True)
    p, measure = pairs["p"].to_numpy(), pairs["m_len"].to_numpy()
    inside = np.bincount(p, weights=measure, minlength=len(projects))
    reached = np.bincount(p, minlength=len(projects)) > 0
    _report_outside(report, projects, positions, reached, inside / full)
    return _pairs(positions[p], pairs["v"].to_numpy(), measure / inside[p], dim[p], _EXACT)


#: Shares of a footprint outside every village below this are rounding in the overlay, not a place.
_OUTSIDE_TOLERANCE = 1e-9


def _report_outside(report: ImportReport, projects: pd.DataFrame, positions: np.ndarray,
                    reached: np.ndarray, inside: np.ndarray) -> None:
    """Footprints that reach no village (not allocated), or lie partly outside (the rest counts).

    Any share outside is reported, with the project's sheet row: a footprint that crosses the
    provincial border may be a typing slip in a coordinate as well as a project shared with
    the neighbouring province, and only the agency can say which.
    """
    ids = projects[PROJECT_ID].array
    rows = projects[SOURCE_ROW].array if SOURCE_ROW in projects else None  # a column, not a row Series each
    for p in np.flatnonzero(~reached | (inside < 1 - _OUTSIDE_TOLERANCE)):
        # row: the agency's sheet row when the project came from a sheet, as every stage names it.
        where = {"column": GEOMETRY, "value": ids[p], **origin(projects, int(p), at=positions[p])}
        sheet_row = f" (sheet row {int(rows[p])})" if rows is not None and pd.notna(rows[p]) else ""
        sheet_row_th = f" (แถวที่ {int(rows[p])} ในไฟล์)" if sheet_row else ""
        if not reached[p]:
            report.add("warning", f"project {ids[p]}{sheet_row}: its footprint touches no village (outside the "
                       "province or on villages without an area); not allocated. Check the "
                       "coordinates.", f"โครงการ {ids[p]}{sheet_row_th}: ตำแหน่งไม่อยู่ในหมู่บ้านใด ไม่ได้กระจายงบ",
                       **where)
        else:
            share = 100 * (1 - inside[p])
            shown = f"{share:.0f}" if share >= 1 else f"{share:.2g}"
            report.add("warning" if share >= 1 else "info",
                       f"project {ids[p]}{sheet_row}: {shown}% of its footprint lies outside the province's "
                       "villages; its budget goes to the part inside. Check the footprint if the "
                       "project is not shared with a neighbouring area.",
                       f"โครงการ {ids[p]}{sheet_row_th}: รูปแปลงอยู่นอกพื้นที่หมู่บ้านของจังหวัด {shown}% "
                       "งบประมาณกระจายตามส่วนที่อยู่ในพื้นที่ ตรวจรูปแปลงหากไม่ใช่โครงการร่วมกับพื้นที่ข้างเคียง",
                       **where)


def slivers(allocation: pd.DataFrame) -> pd.Series:
    """Allocation rows that only touch their village: a share under ``MIN_TARGET_SHARE`` of the
    project, or more than 0 but under ``MIN_TARGET_THB`` baht."""
    share = allocation["share"] < MIN_TARGET_SHARE if "share" in allocation else False
    # A project of no budget (0 THB: work in kind) targets its villages all the same.
    baht = allocation[BUDGET].fillna(0).between(0, MIN_TARGET_THB, inclusive="neither") if BUDGET in allocation \
        else False
    return pd.Series(share | baht, index=allocation.index)


def rollup(allocation: pd.DataFrame, level: str) -> pd.DataFrame:
    """Sum the village allocation to ``tambon`` or ``amphoe``: one row per (project, unit).

    Shares and budgets of a project's villages in the same unit are added, so
    the roll-up keeps the invariants (shares sum to 1 per project).
    """
    key = LEVEL_KEYS.get(level)
    if key is None:
        raise PlanmapError(f"rollup: level must be village, tambon or amphoe, got {level!r}.")
    return allocation.groupby([PROJECT_ID, key], sort=False, as_index=False)[[SHARE, BUDGET]].sum(
        min_count=1)
