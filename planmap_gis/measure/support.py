"""Facilitator support: who can support which project by sector and area, and which villages have nobody."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from planmap_gis._schema import (
    AREA_CODES,
    CONTACT,
    FACILITATOR,
    MANAGEMENT_UNIT,
    NAME_TH,
    ORGANISATION,
    PROJECT_ID,
    SECTOR,
    SKILLS,
    VILLAGE_CODE,
)
from planmap_gis._text import joined_texts
from planmap_gis.join.pairs import per_row
from planmap_gis.measure.metrics import no_project, targeted
from planmap_gis.read.masterplan import sector_key

#: What a project without a possible facilitator says.
NEEDS_FACILITATOR = ("ต้องการคุณอำนวย", "needs a facilitator")


def served_villages(register: pd.DataFrame, villages: Sequence[str]) -> pd.DataFrame:
    """(facilitator, village_code) for every village a facilitator serves (codes of any level)."""
    codes = pd.Series(sorted(set(map(str, villages))), dtype=object)
    rows = []
    for name, areas in zip(register[FACILITATOR], register[AREA_CODES], strict=True):
        inside = codes[codes.str.startswith(tuple(areas))] if len(areas) else codes.iloc[:0]
        rows += [(name, v) for v in inside]
    return pd.DataFrame(rows, columns=[FACILITATOR, VILLAGE_CODE]).drop_duplicates()


def match_facilitators(projects: pd.DataFrame, allocation: pd.DataFrame, register: pd.DataFrame,
                       villages: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Who can support which project, by sector and area.

    Parameters
    ----------
    projects : DataFrame
        Canonical projects.
    allocation : DataFrame
        Project × village rows (:func:`~planmap_gis.allocate`), with ``location_precision``.
    register : DataFrame
        :func:`read_facilitators`.
    villages : sequence of str
        Every village code of the plan.

    Returns
    -------
    dict of DataFrame
        ``project`` (by ``project_id``, in the projects' order): ``facilitators`` (names, "; "),
        ``n_facilitators``, ``n_villages`` reached, ``n_villages_supported`` (reached villages a
        skilled facilitator serves), ``needs_facilitator`` and ``support`` (the names, or
        ต้องการคุณอำนวย / needs a facilitator). ``facilitator`` (by name, register order):
        ``n_projects`` they could support, ``project_ids``, ``n_targeted_villages`` (villages those
        projects target inside the facilitator's area), ``n_blanket_projects`` (matched only
        through province- or amphoe-wide rows), ``n_villages_served`` (and ``contact`` when the
        register was read with it). ``village`` (by
        ``village_code``, every village): ``n_targeted_projects``, ``n_unsupported_projects``
        (targeted projects with no skilled facilitator serving the village or its tambon) and
        ``unsupported_sectors``.
    """
    written = projects.set_index(PROJECT_ID)[SECTOR]
    sectors = written.map(sector_key)
    reach = allocation[[PROJECT_ID, VILLAGE_CODE, "location_precision"]].copy()
    reach["targeted"] = reach.index.isin(targeted(reach).index)
    reach[SECTOR] = per_row(reach[PROJECT_ID], sectors)
    served = served_villages(register, villages)
    skills = pd.DataFrame([(n, s) for n, ss in zip(register[FACILITATOR], register[SKILLS], strict=True) for s in ss],
                          columns=[FACILITATOR, SECTOR])
    able = served.merge(skills, on=FACILITATOR)  # (facilitator, village, sector)
    hits = reach.merge(able, on=[VILLAGE_CODE, SECTOR])
    by_project = _by_project(projects, reach, hits)
    by_facilitator = _by_facilitator(register, served, hits)
    # Nearby: a skilled facilitator serving the village or another village of its tambon.
    able_tambon = able.assign(tambon=able[VILLAGE_CODE].str[:6])[["tambon", SECTOR]].drop_duplicates()
    aimed = reach[reach["targeted"]].drop_duplicates([PROJECT_ID, VILLAGE_CODE]).assign(
        tambon=lambda f: f[VILLAGE_CODE].str[:6])
    aimed = aimed.merge(able_tambon.assign(nearby=True), on=["tambon", SECTOR], how="left")
    lacking = aimed[aimed["nearby"].isna()]
    index = pd.Index(sorted(set(map(str, villages))), name=VILLAGE_CODE)
    by_village = pd.DataFrame({
        "n_targeted_projects": aimed.groupby(VILLAGE_CODE)[PROJECT_ID].nunique(),
        "n_unsupported_projects": lacking.groupby(VILLAGE_CODE)[PROJECT_ID].nunique(),
        # Named as the agencies wrote them (the canonical key drops spaces of unknown sectors).
        "unsupported_sectors": per_row(lacking[PROJECT_ID], written).groupby(lacking[VILLAGE_CODE]).agg(
            lambda s: ", ".join(sorted({str(v) for v in s.dropna()}))),
    }).reindex(index)
    by_village = by_village.fillna({"n_targeted_projects": 0, "n_unsupported_projects": 0, "unsupported_sectors": ""})
    by_village = by_village.astype({"n_targeted_projects": int, "n_unsupported_projects": int})
    return {"project": by_project, "facilitator": by_facilitator, "village": by_village}


def _by_project(projects: pd.DataFrame, reach: pd.DataFrame, hits: pd.DataFrame) -> pd.DataFrame:
    ids = projects[PROJECT_ID]
    names = joined_texts(hits, [PROJECT_ID], FACILITATOR)
    frame = pd.DataFrame({
        NAME_TH: projects[NAME_TH].to_numpy(), SECTOR: projects[SECTOR].to_numpy(),
        "n_villages": reach.groupby(PROJECT_ID)[VILLAGE_CODE].nunique().reindex(ids).fillna(0).astype(int).to_numpy(),
        "n_villages_supported": hits.groupby(PROJECT_ID)[VILLAGE_CODE].nunique().reindex(ids).fillna(0)
        .astype(int).to_numpy(),
        "n_facilitators": hits.groupby(PROJECT_ID)[FACILITATOR].nunique().reindex(ids).fillna(0).astype(int)
        .to_numpy(),
        "facilitators": names.reindex(ids).fillna("").to_numpy(),
    }, index=pd.Index(ids, name=PROJECT_ID))
    # Support met only where a province- or amphoe-wide programme reaches (no targeted village of
    # the project lies in the facilitator's area) is counted apart: anyone anywhere "supports" it.
    in_targets = hits[hits["targeted"]].groupby(PROJECT_ID)[FACILITATOR].nunique().reindex(ids).fillna(0)
    frame["n_facilitators_in_targets"] = in_targets.astype(int).to_numpy()
    frame["support_through_blanket_only"] = (frame["n_facilitators"] > 0) & (frame["n_facilitators_in_targets"] == 0)
    frame["needs_facilitator"] = frame["n_facilitators"] == 0
    frame["support"] = frame["facilitators"].where(~frame["needs_facilitator"],
                                                   f"{NEEDS_FACILITATOR[0]} ({NEEDS_FACILITATOR[1]})")
    return frame


def _by_facilitator(register: pd.DataFrame, served: pd.DataFrame, hits: pd.DataFrame) -> pd.DataFrame:
    names = pd.Index(register[FACILITATOR], name=FACILITATOR)
    aimed = hits[hits["targeted"]]
    through_targets = aimed.groupby(FACILITATOR)[PROJECT_ID].agg(set)
    frame = pd.DataFrame({
        ORGANISATION: register[ORGANISATION].to_numpy(), MANAGEMENT_UNIT: register[MANAGEMENT_UNIT].to_numpy(),
        SKILLS: [", ".join(s) for s in register[SKILLS]],
        "n_villages_served": served.groupby(FACILITATOR)[VILLAGE_CODE].nunique().reindex(names).fillna(0)
        .astype(int).to_numpy(),
        "n_projects": hits.groupby(FACILITATOR)[PROJECT_ID].nunique().reindex(names).fillna(0).astype(int).to_numpy(),
        "n_targeted_villages": aimed.groupby(FACILITATOR)[VILLAGE_CODE].nunique().reindex(names).fillna(0)
        .astype(int).to_numpy(),
    }, index=names)
    projects_of = hits.groupby(FACILITATOR)[PROJECT_ID].agg(set).reindex(names)
    frame["n_blanket_projects"] = [len(p - through_targets.get(n, set())) if isinstance(p, set) else 0
                                   for n, p in zip(names, projects_of, strict=True)]
    frame["project_ids"] = ["; ".join(sorted(p)) if isinstance(p, set) else "" for p in projects_of]
    if CONTACT in register:  # read only when asked (``contact=True``)
        frame[CONTACT] = register[CONTACT].to_numpy()
    return frame


def support_tables(projects: pd.DataFrame, allocation: pd.DataFrame, register: pd.DataFrame | None,
                   cover: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame] | None:
    """:func:`match_facilitators` for :func:`~planmap_gis.analyse`; the village counts join the
    coverage tables (``cover``, in place). None without a register."""
    if register is None:
        return None
    support = match_facilitators(projects, allocation, register, cover["village"].index)
    village = support["village"]
    cover["village"] = cover["village"].drop(columns=["n_unsupported_projects", "unsupported_sectors"],
                                             errors="ignore")
    # A village no project targets has nothing to support: no value (grey on the maps), not 0.
    shown = village[["n_unsupported_projects", "unsupported_sectors"]].astype({"n_unsupported_projects": float})
    shown.loc[no_project(village), "n_unsupported_projects"] = float("nan")
    cover["village"] = cover["village"].join(shown)
    lacking = village[village["n_unsupported_projects"] > 0].index.to_series()
    for level, width in (("tambon", 6), ("amphoe", 4)):
        counts = lacking.str[:width].value_counts()
        cover[level]["n_villages_unsupported"] = counts.reindex(cover[level].index).fillna(0).astype(int)
    return support
