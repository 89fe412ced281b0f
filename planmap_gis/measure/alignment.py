"""Whether the projects answer the villages' master-plan needs: needs met per unit and the alignment score."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planmap_gis._errors import PlanmapError
from planmap_gis._schema import (
    AMPHOE_CODE,
    LEVEL,
    MET,
    MET_BY,
    PROJECT_ID,
    RANK,
    SECTOR,
    SOURCE_ROW,
    TAMBON_CODE,
    UNIT_CODE,
    VILLAGE_CODE,
)
from planmap_gis._text import joined_texts
from planmap_gis.join.pairs import per_row
from planmap_gis.read.masterplan import sector_key


def needs_met(
    needs: pd.DataFrame,
    allocation: pd.DataFrame,
    projects: pd.DataFrame,
    *,
    top: int = 3,
    within: str = "tambon",
) -> pd.DataFrame:
    """Each unit's top needs, and whether a project of that sector answers them.

    Parameters
    ----------
    needs : DataFrame
        :func:`read_master_plans` output.
    allocation, projects : DataFrame
        The plan's allocation and project table.
    top : int
        How many of each unit's best-ranked needs count.
    within : {"tambon", "village"}
        Where a project must work for a village need: the village itself, or
        anywhere in its tambon.

    Returns
    -------
    DataFrame
        The considered needs (:data:`NEED_COLUMNS`) with ``tambon_code``,
        ``amphoe_code``, ``met`` (bool) and ``met_by`` (project ids, "; ").
    """
    if within not in ("tambon", "village"):
        raise PlanmapError(f"within must be 'tambon' or 'village', got {within!r}.")
    if top < 1:
        raise PlanmapError(f"top must be at least 1, got {top}.")
    ranked = needs.sort_values([UNIT_CODE, RANK, SOURCE_ROW], kind="stable")
    ranked = ranked.drop_duplicates([UNIT_CODE, SECTOR]).groupby(UNIT_CODE, sort=False).head(top)
    ranked = ranked.assign(**{TAMBON_CODE: ranked[UNIT_CODE].str[:6], AMPHOE_CODE: ranked[UNIT_CODE].str[:4]})
    sector_of = pd.DataFrame(projects).set_index(PROJECT_ID)[SECTOR].map(sector_key)
    work = allocation[[PROJECT_ID, VILLAGE_CODE, TAMBON_CODE]].assign(
        **{SECTOR: per_row(allocation[PROJECT_ID], sector_of)}).dropna(subset=[SECTOR])
    village_scope = ranked[LEVEL] == "village" if within == "village" else pd.Series(False, ranked.index)
    place = np.where(village_scope, ranked[UNIT_CODE], ranked[TAMBON_CODE])
    by_village = joined_texts(work, [VILLAGE_CODE, SECTOR], PROJECT_ID)
    by_tambon = joined_texts(work, [TAMBON_CODE, SECTOR], PROJECT_ID)
    keys = list(zip(place, ranked[SECTOR], strict=True))
    found = [by_village.get(k) if v else by_tambon.get(k) for k, v in zip(keys, village_scope, strict=True)]
    out = ranked.assign(**{MET: [f is not None for f in found], MET_BY: found})
    return out.reset_index(drop=True)


def alignment(met: pd.DataFrame, level: str = "village", units: pd.Index | None = None) -> pd.DataFrame:
    """Alignment of projects with master-plan needs per unit.

    Parameters
    ----------
    met : DataFrame
        :func:`needs_met` output.
    level : {"village", "tambon", "amphoe"}
        ``village``: village needs only; ``tambon`` and ``amphoe``: the needs
        of all villages (and tambon-level needs) in the unit added up.
    units : Index, optional
        Units to report (e.g. all villages); those without needs get NaN.

    Returns
    -------
    DataFrame
        Indexed by the level's code: ``n_needs`` (considered), ``n_met``,
        ``alignment`` (0–1), ``unmet_sectors`` (Thai, "; " in rank order),
        and for tambon/amphoe ``n_units_unmet`` (units with an unmet need).
    """
    keys = {"village": VILLAGE_CODE, "tambon": TAMBON_CODE, "amphoe": AMPHOE_CODE}
    if level not in keys:
        raise PlanmapError(f"level must be village, tambon or amphoe, got {level!r}.")
    frame = met[met[LEVEL] == "village"] if level == "village" else met
    key = frame[UNIT_CODE] if level == "village" else frame[keys[level]]
    grouped = frame.groupby(key.rename(keys[level]), sort=True)
    out = pd.DataFrame({
        "n_needs": grouped.size(),
        "n_met": grouped[MET].sum().astype(int),
    })
    out["alignment"] = out["n_met"] / out["n_needs"]
    unmet = frame[~frame[MET]].sort_values([RANK, SOURCE_ROW])
    out["unmet_sectors"] = unmet.groupby(key[unmet.index].rename(keys[level]))[SECTOR].agg(
        lambda s: "; ".join(dict.fromkeys(s))).reindex(out.index).fillna("")
    if level != "village":
        per_unit = frame.groupby([key.rename("_k"), frame[UNIT_CODE]])[MET].all()
        out["n_units_unmet"] = (~per_unit).groupby(level=0).sum().reindex(out.index).astype(int)
    if units is not None:
        out = out.reindex(pd.Index(units, name=keys[level]))
    return out
