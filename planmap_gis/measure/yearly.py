"""Each unit's figures per fiscal year: budget (THB), projects, budget per household (THB/household).

Defined once for the trend (:func:`~planmap_gis.measure.change.yearly_trend`), the web map's year
selector and any output that shows one year of a plan spanning several; the Plan holds the tables
(``Plan.yearly``) and the outputs read them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planmap_gis._schema import BUDGET, FISCAL_YEAR, HOUSEHOLDS, LEVEL_KEYS, PROJECT_ID
from planmap_gis._years import years_held
from planmap_gis._text import sorted_codes
from planmap_gis.join.pairs import project_columns
from planmap_gis.measure.metrics import distinct_counts

__all__ = ["YEARLY_COLUMNS", "yearly_units", "yearly_wide"]

#: The yearly figures, per (unit, fiscal year).
YEARLY_COLUMNS = (BUDGET, "n_projects", "budget_per_household")


def yearly_units(allocation: pd.DataFrame, projects: pd.DataFrame, metrics: pd.DataFrame,
                 level: str = "village") -> pd.DataFrame:
    """Budget, projects and budget per household of every unit in every fiscal year of the projects.

    Parameters
    ----------
    allocation : DataFrame
        Project × village rows (:func:`~planmap_gis.allocate`) with the level's code column.
    projects : DataFrame
        Canonical projects (``fiscal_year`` as Buddhist-era integers; blank years left out).
    metrics : DataFrame
        The level's coverage table (indexed by unit code, with ``households``).
    level : {"village", "tambon", "amphoe"}

    Returns
    -------
    DataFrame
        Indexed by (unit code, ``fiscal_year``) for every unit of ``metrics`` and every year held:
        ``budget_thb`` (THB, 0 where nothing was placed), ``n_projects`` and
        ``budget_per_household`` (THB per household; NaN where the unit has no households).
        Empty (same columns) when the projects carry no year.
    """
    key = LEVEL_KEYS[level]
    years = list(years_held(projects[FISCAL_YEAR]))
    index = pd.MultiIndex.from_product([metrics.index, years], names=[key, FISCAL_YEAR])
    if not years:
        return pd.DataFrame(columns=list(YEARLY_COLUMNS), index=index, dtype=float)
    # On integer codes (a national allocation has 3.4 million rows): each row's unit and its
    # project's year as positions in the table's units and years, summed with bincount. A copy of
    # the allocation with each row's year took +340 MiB and 0.9 s at village level.
    codes, units = sorted_codes(allocation[key])
    # 32-bit positions, each freed when used: a national allocation's row arrays are 13 MiB each.
    unit = np.append(pd.Index(metrics.index).get_indexer(units), -1).astype(np.int32)[codes]  # blank: -1
    del codes
    project, ids = pd.factorize(allocation[PROJECT_ID])
    project = project.astype(np.int32)
    project_year = pd.to_numeric(project_columns(projects, [FISCAL_YEAR], ids)[FISCAL_YEAR],
                                 errors="coerce").to_numpy(dtype=float)
    year = np.append(pd.Index(years).get_indexer(project_year), -1).astype(np.int32)[project]
    kept = (unit >= 0) & (project >= 0) & (year >= 0)
    cell = unit[kept] * np.int32(len(years)) + year[kept]
    del unit, year
    budget = np.bincount(cell, weights=allocation[BUDGET].to_numpy(dtype=float)[kept], minlength=len(index))
    counted = _projects_per_cell(cell, project[kept], len(index))
    out = pd.DataFrame({BUDGET: budget, "n_projects": counted.astype(int)}, index=index)
    households = metrics[HOUSEHOLDS].where(metrics[HOUSEHOLDS] > 0).astype(float)
    out["budget_per_household"] = out[BUDGET] / households.reindex(out.index.get_level_values(0)).to_numpy()
    return out


def _projects_per_cell(cell: np.ndarray, project: np.ndarray, cells: int) -> np.ndarray:
    """Distinct projects in each cell: a project's rows in one cell (its villages in one tambon) count once.

    An allocation comes project by project and, within one, in village-code order, so a
    project's rows in a cell are next to each other: counted as runs (30 ms nationally). Rows in
    another order are counted as any distinct values per group are (:func:`distinct_counts`)."""
    step_p, step_c = np.diff(project), np.diff(cell)
    if ((step_p > 0) | ((step_p == 0) & (step_c >= 0))).all():
        first = np.r_[True, (step_p != 0) | (step_c != 0)] if len(cell) else np.zeros(0, dtype=bool)
        return np.bincount(cell[first], minlength=cells)
    return distinct_counts(cell, project, cells)


def yearly_wide(yearly: pd.DataFrame, metric: str, codes: list[str] | pd.Index) -> pd.DataFrame:
    """One figure of :func:`yearly_units` as units × years (rows in ``codes`` order)."""
    if yearly.empty:
        return pd.DataFrame(index=pd.Index(codes))
    return yearly[metric].unstack(FISCAL_YEAR).reindex(codes)
