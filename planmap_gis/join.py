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
from planmap_gis._geo import projected
from planmap_gis._schema import (
    AMPHOE_CODE,
    AREA_CODES,
    AREA_SHARES,
    BUDGET,
    GEOMETRY,
    HOUSEHOLDS,
    POPULATION,
    PRECISION,
    PRECISIONS,
    PROJECT_ID,
    TAMBON_CODE,
    VILLAGE_CODE,
)
from planmap_gis.report import ImportReport

__all__ = ["ALLOCATION_COLUMNS", "METHODS", "allocate", "rollup"]

log = logging.getLogger("planmap_gis")

METHODS = ("equal", "area", "households", "population")
_PRECISION_RANK = {8: PRECISIONS.index("village"), 6: PRECISIONS.index("tambon"),
                   4: PRECISIONS.index("amphoe"), 2: PRECISIONS.index("province")}
SHARE, METHOD = "share", "method"
#: One row per (project, village).
ALLOCATION_COLUMNS = (PROJECT_ID, VILLAGE_CODE, TAMBON_CODE, AMPHOE_CODE, SHARE, BUDGET, METHOD,
                      PRECISION)


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
    """
    if method not in METHODS:
        raise PlanmapError(f"allocate: method must be one of {METHODS}, got {method!r}.")
    for col in (PROJECT_ID, AREA_CODES, BUDGET):
        if col not in projects:
            raise SchemaError(f"allocate: projects have no {col!r} column; read them with read_projects().")
    if not villages[VILLAGE_CODE].is_unique:
        raise SchemaError("allocate: village codes repeat; each village must be one row.")
    report = ImportReport(source="allocate", rows_in=len(projects))
    village_table = _village_table(villages)
    has_footprint = projects.geometry.notna().to_numpy() & ~projects.geometry.is_empty.to_numpy()
    parts = [
        _allocate_footprints(projects[has_footprint], villages, village_table, report,
                             np.flatnonzero(has_footprint)),
        _allocate_areas(projects[~has_footprint], village_table, method, report,
                        np.flatnonzero(~has_footprint)),
    ]
    frame = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) \
        else pd.DataFrame(columns=[PROJECT_ID, VILLAGE_CODE, SHARE, METHOD, "rank"])
    # A village reached through two listed areas keeps the finer one's precision.
    frame = frame.groupby([PROJECT_ID, VILLAGE_CODE, METHOD], sort=False, as_index=False).agg(
        **{SHARE: (SHARE, "sum"), "rank": ("rank", "min")})
    frame[PRECISION] = np.asarray(PRECISIONS, dtype=object)[frame["rank"].to_numpy(dtype=int)]
    info = projects.set_index(PROJECT_ID)
    frame[BUDGET] = frame[SHARE] * frame[PROJECT_ID].map(info[BUDGET]).astype(float)
    frame[TAMBON_CODE] = frame[VILLAGE_CODE].map(village_table[TAMBON_CODE])
    frame[AMPHOE_CODE] = frame[TAMBON_CODE].str[:4]
    order = pd.Series(np.arange(len(projects)), index=projects[PROJECT_ID])
    frame = frame.assign(_o=frame[PROJECT_ID].map(order)).sort_values(["_o", VILLAGE_CODE])
    frame = frame.drop(columns="_o").reset_index(drop=True)[list(ALLOCATION_COLUMNS)]
    placed = set(frame[PROJECT_ID])
    report.rows_loaded = len(placed)
    report.rows_rejected = len(projects) - len(placed)
    log.info("allocate (%s): %d of %d projects placed over %d villages", method, len(placed),
             len(projects), frame[VILLAGE_CODE].nunique())
    if report.rows_rejected:
        warnings.warn(f"allocate: {report.rows_rejected} projects reach no village and are not in "
                      "the allocation; pass return_report=True to see which.", PlanmapWarning,
                      stacklevel=2)
    return (frame, report) if return_report else frame


def _village_table(villages: gpd.GeoDataFrame) -> pd.DataFrame:
    table = pd.DataFrame({
        TAMBON_CODE: villages[TAMBON_CODE].astype(str).to_numpy()
        if TAMBON_CODE in villages else villages[VILLAGE_CODE].astype(str).str[:6].to_numpy(),
        "area": projected(villages.geometry).area.to_numpy() / 1e6,
        HOUSEHOLDS: _numbers(villages, HOUSEHOLDS),
        POPULATION: _numbers(villages, POPULATION),
    }, index=pd.Index(villages[VILLAGE_CODE].astype(str).to_numpy(), name=VILLAGE_CODE))
    table["equal"] = 1.0
    return table


def _numbers(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").astype(float).to_numpy()


def _allocate_footprints(projects: gpd.GeoDataFrame, villages: gpd.GeoDataFrame,
                         table: pd.DataFrame, report: ImportReport, positions: np.ndarray) -> pd.DataFrame:
    if projects.empty:
        return pd.DataFrame()
    footprints = projected(projects.geometry).values
    areas = projected(villages.geometry).values
    usable = ~(shapely.is_missing(areas) | shapely.is_empty(areas))
    village_codes = table.index.to_numpy()[usable]
    tree = shapely.STRtree(areas[usable])
    left, right = tree.query(footprints, predicate="intersects")
    dim = shapely.get_dimensions(footprints)
    measure = np.ones(len(left))
    lines, polys = dim[left] == 1, dim[left] == 2
    if lines.any() or polys.any():
        cut = shapely.intersection(footprints[left[lines | polys]], areas[usable][right[lines | polys]])
        measure[lines | polys] = np.where(dim[left[lines | polys]] == 1, shapely.length(cut),
                                          shapely.area(cut))
    pairs = pd.DataFrame({"p": left, VILLAGE_CODE: village_codes[right], "m": measure})
    points = dim[pairs["p"].to_numpy()] == 0
    # A point on a shared border touches two villages: it goes to the first (lowest code).
    first = pairs[points].sort_values(["p", VILLAGE_CODE]).drop_duplicates("p")
    pairs = pd.concat([first, pairs[~points & (pairs["m"] > 0)]])
    totals = pairs.groupby("p")["m"].transform("sum")
    pairs[SHARE] = pairs["m"] / totals
    pairs[METHOD] = np.array(["point", "line", "polygon"])[dim[pairs["p"].to_numpy()]]
    ids = projects[PROJECT_ID].to_numpy()
    pairs[PROJECT_ID] = ids[pairs["p"].to_numpy()]
    full = np.where(dim == 1, shapely.length(footprints), shapely.area(footprints))
    inside = pairs.groupby("p")["m"].sum()
    outside = np.flatnonzero(~np.isin(np.arange(len(projects)), inside.index))
    partial = [p for p in inside.index if dim[p] > 0 and inside[p] < 0.99 * full[p]]
    for p in sorted([*outside, *partial]):
        if p in outside:
            report.add("warning", f"project {ids[p]}: its footprint touches no village (outside the "
                       "province or on villages without an area); not allocated. Check the "
                       "coordinates.", f"โครงการ {ids[p]}: ตำแหน่งไม่อยู่ในหมู่บ้านใด ไม่ได้กระจายงบ",
                       row=int(positions[p]) + 1, column=GEOMETRY, value=ids[p])
        elif dim[p] > 0 and inside[p] < 0.99 * full[p]:
            report.add("info", f"project {ids[p]}: {100 * (1 - inside[p] / full[p]):.0f}% of its "
                       "footprint lies outside the villages; its budget goes to the part inside.",
                       f"โครงการ {ids[p]}: บางส่วนอยู่นอกพื้นที่ กระจายงบตามส่วนที่อยู่ในพื้นที่",
                       column=GEOMETRY, value=ids[p])
    pairs["rank"] = PRECISIONS.index("exact")
    return pairs[[PROJECT_ID, VILLAGE_CODE, SHARE, METHOD, "rank"]]


def _allocate_areas(projects: pd.DataFrame, table: pd.DataFrame, method: str,
                    report: ImportReport, positions: np.ndarray) -> pd.DataFrame:
    """Area-list projects over the villages of their areas, weighted by ``method`` (vectorised).

    Without ``area_shares`` a project's areas form one pool of villages; with them, each
    area first gets its share. ``positions`` are the projects' rows in the full table.
    """
    if projects.empty:
        return pd.DataFrame()
    lists = pd.DataFrame({"p": np.arange(len(projects)), PROJECT_ID: projects[PROJECT_ID].to_numpy(),
                          "code": projects[AREA_CODES].to_numpy(), "given": projects[AREA_SHARES].to_numpy()})
    lists["code"] = [list(c) if c is not None else [] for c in lists["code"]]
    lists["given"] = [list(g) if g is not None and len(g) == len(c) else None
                      for g, c in zip(lists["given"], lists["code"], strict=True)]
    lists["share"] = [g if g is not None else [1.0] * len(c) for g, c in zip(lists["given"], lists["code"], strict=True)]
    lists["pooled"] = lists["given"].isna()
    areas = lists.drop(columns="given").explode(["code", "share"], ignore_index=True).dropna(subset=["code"])
    areas["code"] = areas["code"].astype(str)
    areas["share"] = areas["share"].astype(float)
    # Every village under each of its prefixes: province (2), amphoe (4), tambon (6), itself (8).
    villages = pd.Series(np.asarray(table.index, dtype=str))
    prefixes = pd.DataFrame({"key": pd.concat([villages.str[:n] for n in (2, 4, 6, 8)], ignore_index=True),
                             VILLAGE_CODE: np.tile(villages.to_numpy(), 4)})
    known = set(prefixes["key"])
    missing = ~areas["code"].isin(known)
    fallback = missing & (areas["code"].str.len() == 8) & areas["code"].str[:6].isin(known)
    for rec in areas[fallback].itertuples():
        report.add("info", f"project {getattr(rec, PROJECT_ID)}: village {rec.code} is not in the "
                   f"village layer; placed on its tambon {rec.code[:6]}.",
                   f"โครงการ {getattr(rec, PROJECT_ID)}: ไม่พบหมู่บ้าน {rec.code} ใช้ตำบล {rec.code[:6]} แทน",
                   row=int(positions[rec.p]) + 1, column=AREA_CODES, value=rec.code)
    areas.loc[fallback, "code"] = areas.loc[fallback, "code"].str[:6]
    for rec in areas[missing & ~fallback].itertuples():
        report.add("warning", f"project {getattr(rec, PROJECT_ID)}: area {rec.code} has no villages in "
                   "the village layer; its share goes to the project's other areas.",
                   f"โครงการ {getattr(rec, PROJECT_ID)}: พื้นที่ {rec.code} ไม่มีหมู่บ้านในชั้นข้อมูล",
                   row=int(positions[rec.p]) + 1, column=AREA_CODES, value=rec.code)
    pairs = areas[~(missing & ~fallback)].merge(prefixes, left_on="code", right_on="key")
    placed = set(pairs["p"])
    for p in sorted(set(range(len(projects))) - placed):
        codes = projects[AREA_CODES].iloc[p] or []
        report.add("warning", f"project {projects[PROJECT_ID].iloc[p]}: none of its areas "
                   f"({', '.join(codes) or 'none'}) has villages; not allocated.",
                   f"โครงการ {projects[PROJECT_ID].iloc[p]}: ไม่มีพื้นที่ที่มีหมู่บ้าน ไม่ได้กระจายงบ",
                   row=int(positions[p]) + 1, column=AREA_CODES, value=", ".join(codes))
    if pairs.empty:
        return pd.DataFrame()
    # A pooled project's areas form one group; otherwise each listed area is its own group.
    pairs["group"] = np.where(pairs["pooled"], -1, pairs.groupby(["p", "code"], sort=False).ngroup())
    pairs = pairs.drop_duplicates(["p", "group", VILLAGE_CODE])
    pairs["w"] = table[method].reindex(pairs[VILLAGE_CODE]).to_numpy(dtype=float)
    keys = [pairs["p"], pairs["group"]]
    groups = pairs["w"].groupby(keys, sort=False)
    n_nan = pairs["w"].isna().groupby(keys, sort=False).transform("sum")
    total, mean, size = groups.transform("sum"), groups.transform("mean"), groups.transform("size")
    equal = (n_nan == size) | (total <= 0)
    pairs[METHOD] = np.where(equal, "equal", method)
    pairs["w"] = np.where(equal, 1.0, pairs["w"].fillna(mean))
    for p in sorted(set(pairs.loc[(n_nan > 0) & ~equal, "p"])):
        report.add("info", f"project {projects[PROJECT_ID].iloc[p]}: some villages have no {method}; "
                   "they weigh as the mean of the others.",
                   f"โครงการ {projects[PROJECT_ID].iloc[p]}: บางหมู่บ้านไม่มีข้อมูล {method} ใช้ค่าเฉลี่ย",
                   row=int(positions[p]) + 1, column=method)
    within = pairs["w"] / pairs.groupby(["p", "group"], sort=False)["w"].transform("sum")
    area_share = pairs.groupby(["p", "group"], sort=False)["share"].transform("first")
    group_total = (pairs.drop_duplicates(["p", "group"]).groupby("p")["share"].sum())
    pairs[SHARE] = np.where(pairs["pooled"], within, area_share / pairs["p"].map(group_total) * within)
    pairs["rank"] = pairs["code"].str.len().map(_PRECISION_RANK)
    return pairs[[PROJECT_ID, VILLAGE_CODE, SHARE, METHOD, "rank"]]


def rollup(allocation: pd.DataFrame, level: str) -> pd.DataFrame:
    """Sum the village allocation to ``tambon`` or ``amphoe``: one row per (project, unit).

    Shares and budgets of a project's villages in the same unit are added, so
    the roll-up keeps the invariants (shares sum to 1 per project).
    """
    key = {"tambon": TAMBON_CODE, "amphoe": AMPHOE_CODE, "village": VILLAGE_CODE}.get(level)
    if key is None:
        raise PlanmapError(f"rollup: level must be village, tambon or amphoe, got {level!r}.")
    return allocation.groupby([PROJECT_ID, key], sort=False, as_index=False)[[SHARE, BUDGET]].sum(
        min_count=1)
