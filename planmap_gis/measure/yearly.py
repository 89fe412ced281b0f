"""Each unit's figures per fiscal year: budget (THB), projects, budget per household (THB/household).

Defined once for the trend (:func:`~planmap_gis.measure.change.yearly_trend`), the web map's year
selector and any output that shows one year of a plan spanning several; the Plan holds the tables
(``Plan.yearly``) and the outputs read them.
"""

from __future__ import annotations

import pandas as pd

from planmap_gis._schema import BUDGET, FISCAL_YEAR, HOUSEHOLDS, LEVEL_KEYS, PROJECT_ID
from planmap_gis._years import years_held
from planmap_gis.join.pairs import with_projects

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
    alloc = with_projects(allocation, projects.set_index(PROJECT_ID)[[FISCAL_YEAR]])
    alloc = alloc.dropna(subset=[FISCAL_YEAR])
    alloc = alloc.assign(**{FISCAL_YEAR: alloc[FISCAL_YEAR].astype(int)})
    grouped = alloc.groupby([key, FISCAL_YEAR])
    out = pd.DataFrame({BUDGET: grouped[BUDGET].sum(), "n_projects": grouped[PROJECT_ID].nunique()})
    out = out.reindex(index).fillna({BUDGET: 0.0, "n_projects": 0})
    out.index = index  # reindex keeps an equal index as it is: the allocation's categorical codes
    out["n_projects"] = out["n_projects"].astype(int)
    households = metrics[HOUSEHOLDS].where(metrics[HOUSEHOLDS] > 0).astype(float)
    out["budget_per_household"] = out[BUDGET] / households.reindex(out.index.get_level_values(0)).to_numpy()
    return out


def yearly_wide(yearly: pd.DataFrame, metric: str, codes: list[str] | pd.Index) -> pd.DataFrame:
    """One figure of :func:`yearly_units` as units × years (rows in ``codes`` order)."""
    if yearly.empty:
        return pd.DataFrame(index=pd.Index(codes))
    return yearly[metric].unstack(FISCAL_YEAR).reindex(codes)
