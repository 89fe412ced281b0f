"""The join and the per-unit totals on Dask, partitioned by province (dask-geopandas).

When project or household points outgrow one machine, :func:`allocate_dask`
runs :func:`~planmap_gis.join.allocate` partition by partition on a Dask cluster
and :func:`unit_totals_dask` adds the allocation up per village, tambon or
amphoe. The results are those of the in-memory path (the tests compare them on
a local cluster of two workers):

1. each project is tagged with a province — the province containing its
   footprint's representative point, or the first listed area's province;
2. the projects are shuffled so that each partition holds whole provinces;
3. every partition is allocated against the village layer, which is sent to
   each worker once. A project's allocation depends only on the project and
   the villages, so any split of the projects gives the same rows; partitioning
   by province keeps each village's rows (mostly) in one partition, so the
   per-unit totals combine little data between workers.

Inside a task the join runs in one thread (``settings.threads = 1``): the
workers are the parallelism. dask, distributed and dask-geopandas are an
optional extra: ``pip install "planmap-gis[scale]"``.
"""

from __future__ import annotations

import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planmap_gis import settings
from planmap_gis._errors import PlanmapError, PlanmapWarning
from planmap_gis._schema import (
    AMPHOE_CODE,
    AREA_CODES,
    BUDGET,
    CODE_LENGTH,
    LEVEL_KEYS,
    PROBLEM_COLUMNS,
    PROJECT_ID,
    PROVINCE_CODE,
    SOURCE_ROW,
    TAMBON_CODE,
)
from planmap_gis._text import plain
from planmap_gis.join import allocate, rollup
from planmap_gis.join.pairs import ALLOCATION_COLUMNS

__all__ = ["allocate_dask", "to_dask", "unit_totals", "unit_totals_dask"]


def _dask() -> tuple[Any, Any]:
    try:
        import dask.dataframe as dd
        import dask_geopandas
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise PlanmapError(
            "the Dask path needs dask[dataframe], distributed and dask-geopandas: "
            'pip install "planmap-gis[scale]".') from err
    return dd, dask_geopandas


def _area_of(projects: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> np.ndarray:
    """Code of the area (province or amphoe: ``areas``' first column) holding each project: where
    its footprint lies, else its first listed area's."""
    key = areas.columns[0]
    width = CODE_LENGTH[key]
    codes = np.full(len(projects), "", dtype=object)
    geoms = np.asarray(projects.geometry.values)
    located = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if located.any():
        points = shapely.point_on_surface(geoms[located])
        if projects.crs is not None and not projects.crs.equals(areas.crs):
            points = gpd.GeoSeries(points, crs=projects.crs).to_crs(areas.crs).to_numpy()
        left, right = shapely.STRtree(np.asarray(areas.geometry.values)).query(points, predicate="intersects")
        found = np.full(located.sum(), "", dtype=object)
        found[left[::-1]] = areas[key].to_numpy()[right[::-1]]  # the first hit wins
        codes[located] = found
    listed = [c[0][:width] if isinstance(c, (list, tuple, np.ndarray)) and len(c) else ""
              for c in projects[AREA_CODES]]
    return np.where(codes == "", np.asarray(listed, dtype=object), codes)


def _allocate_part(part: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, method: str) -> pd.DataFrame:
    """The allocation rows of one partition, then its report's problems (``severity`` set).

    Problem rows name the agency's sheet row where the project came from a sheet (``source_row``,
    as :func:`~planmap_gis.allocate` does), else the row of the frame the user passed in: index + 1
    for an integer index (a GeoDataFrame's own row number), else left empty.
    """
    numbered = pd.api.types.is_integer_dtype(part.index)
    known = part[SOURCE_ROW] if SOURCE_ROW in part else pd.Series(pd.NA, index=part.index, dtype="Int64")
    if numbered:  # the whole frame's row, not the partition's position
        part = part.assign(**{SOURCE_ROW: known.fillna(pd.Series(part.index + 1, index=part.index))})
    threads, settings.threads = settings.threads, 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PlanmapWarning)  # they are in the report
            allocation, report = allocate(part.drop(columns="_area"), villages, method=method,
                                          return_report=True)
    finally:
        settings.threads = threads
    problems = report.problems
    if not numbered and known.isna().all():  # positions within a partition mean nothing to the user
        problems["row"] = pd.NA
    problems["row"] = problems["row"].astype("Int64")
    text = [c for c in PROBLEM_COLUMNS if c != "row"]  # one dtype whether a partition has problems or not
    problems[text] = problems[text].astype("str").where(problems[text].notna())
    # Each partition's categoricals would hold its own ids and codes: text, one dtype in every one.
    allocation = allocation.astype({c: "str" for c in ALLOCATION_COLUMNS
                                    if isinstance(allocation[c].dtype, pd.CategoricalDtype)})
    return pd.concat([allocation, problems], ignore_index=True)


def to_dask(projects: gpd.GeoDataFrame, npartitions: int | None = None) -> Any:
    """A dask-geopandas frame of projects that keeps list columns (area codes, shares) as lists.

    Dask turns object columns into text by default (``dataframe.convert-string``), which
    would make ``["800101"]`` the string ``"['800101']"``.
    """
    import dask

    _, dask_geopandas = _dask()
    with dask.config.set({"dataframe.convert-string": False}):
        return dask_geopandas.from_geopandas(
            projects, npartitions=npartitions or max(1, min(len(projects) // 5000, 64)))


def allocate_dask(projects: Any, villages: gpd.GeoDataFrame, tambons: gpd.GeoDataFrame, *,
                  method: str = "households", by: str = "province", npartitions: int | None = None,
                  return_report: bool = False) -> Any:
    """Allocate projects to villages on Dask, one province's (or amphoe's) projects per partition.

    Parameters
    ----------
    projects : GeoDataFrame or dask_geopandas.GeoDataFrame
        Canonical project table (:func:`~planmap_gis.read_projects`); a
        GeoDataFrame is split with :func:`to_dask` first.
    villages : GeoDataFrame
        Village areas, as for :func:`~planmap_gis.join.allocate`; sent to each worker once.
    tambons : GeoDataFrame
        The tambon layer, dissolved to provinces to tag the projects.
    method : str
        As for :func:`~planmap_gis.join.allocate`.
    by : {"province", "amphoe"}
        What a partition holds: a country's work splits by province; one province's by amphoe.
    npartitions : int, optional
        Partitions after the shuffle (default: as many as provinces or amphoe, at most 64).
    return_report : bool
        Also return the problems (``PROBLEM_COLUMNS``): projects that reach no
        village, footprints partly outside, unknown area codes — what
        ``allocate(..., return_report=True).problems`` lists. ``row`` is the
        project's index + 1 (its row number in a GeoDataFrame passed in).

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy allocation rows with ``ALLOCATION_COLUMNS``; ``.compute()`` gives
        the rows of the in-memory :func:`~planmap_gis.join.allocate` (in
        another order: sort by ``project_id``, ``village_code`` to compare), its
        ids, codes and labels as text where the in-memory one holds categoricals
        (each partition's would hold other categories; ``join.pairs.as_allocation``
        gives the in-memory dtypes).
    dask.dataframe.DataFrame, optional
        With ``return_report``: the lazy problems. Both come from the same
        tasks; compute them together (``dask.compute(allocation, problems)``)
        so the join runs once.
    """
    _dask()
    from dask import delayed

    if by not in ("province", "amphoe"):
        raise PlanmapError(f"allocate_dask: by must be 'province' or 'amphoe', got {by!r}.")
    key = PROVINCE_CODE if by == "province" else AMPHOE_CODE
    areas = tambons.assign(**{key: tambons[TAMBON_CODE].astype(str).str[:CODE_LENGTH[key]]})
    areas = areas.dissolve(key, as_index=False)[[key, "geometry"]]
    if isinstance(projects, gpd.GeoDataFrame):
        projects = to_dask(projects)
    elif AREA_CODES in projects.columns and projects._meta[AREA_CODES].dtype != object:
        raise PlanmapError("allocate_dask: area_codes arrived as text, not lists; Dask turned them into "
                           "strings. Pass the GeoDataFrame, or build the Dask frame with "
                           "planmap_gis.scaleout.to_dask().")
    tagged = projects.map_partitions(
        lambda part: part.assign(_area=pd.array(_area_of(part, areas), dtype="str")),
        meta=projects._meta.assign(_area=pd.array([], dtype="str")))
    n = npartitions or max(1, min(len(areas), 64))
    # The task-based shuffle pickles partitions; the P2P one goes through Arrow, which has no geometry.
    by_area = tagged.shuffle(on="_area", npartitions=n, shuffle_method="tasks")
    shared = delayed(villages, pure=True)
    meta = _allocate_part(projects._meta.assign(_area=""), villages.iloc[:0], method)
    both = by_area.map_partitions(_allocate_part, shared, method, meta=meta, align_dataframes=False)
    allocation = both[both["severity"].isna()][list(ALLOCATION_COLUMNS)]
    if not return_report:
        return allocation
    return allocation, both[~both["severity"].isna()][list(PROBLEM_COLUMNS)]


def unit_totals(allocation: pd.DataFrame, level: str = "village") -> pd.DataFrame:
    """Projects and allocated budget per unit: ``n_projects``, ``budget_thb`` (THB), indexed by code.

    The in-memory reference of :func:`unit_totals_dask`; ``n_projects`` counts the
    distinct projects that reach the unit; a project without a budget adds 0 THB.
    """
    out = _per_unit(rollup(allocation, level), LEVEL_KEYS[level]).sort_index()
    out.index = plain(out.index)  # the codes as text, as the Dask one gives them
    return out


def unit_totals_dask(allocation: Any, level: str = "village") -> pd.DataFrame:
    """:func:`unit_totals` of a Dask allocation (:func:`allocate_dask`), computed on the cluster."""
    key = rollup(allocation._meta, level).columns[1]  # rollup's check of the level, on no rows
    # One row per (project, unit) first, as rollup gives, so counting rows counts projects.
    pairs = allocation.groupby([PROJECT_ID, key])[BUDGET].sum().reset_index()
    return _per_unit(pairs, key).compute().sort_index()


def _per_unit(pairs: Any, key: str) -> Any:
    """Projects and THB per unit from one row per (project, unit); pandas or Dask alike."""
    return pairs.groupby(key).agg(n_projects=(PROJECT_ID, "count"), budget_thb=(BUDGET, "sum"))
