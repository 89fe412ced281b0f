"""Area-list projects (codes of any level, with or without shares) over the villages of their areas."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planmap_gis._schema import (
    AREA_CODES,
    AREA_SHARES,
    PROJECT_ID,
    VILLAGE_CODE,
)
from planmap_gis.join.pairs import (
    _METHOD_NAMES,
    _PAIRS,
    _PRECISION_RANK,
    SHARE,
    Pairs,
    _pairs,
)
from planmap_gis.report import ImportReport, origin


def _is_list(value: object) -> bool:
    return isinstance(value, (list, tuple, np.ndarray))


def _allocate_areas(projects: pd.DataFrame, table: pd.DataFrame, method: str,
                    report: ImportReport, positions: np.ndarray) -> Pairs:
    """Area-list projects over the villages of their areas, weighted by ``method`` (vectorised).

    Without ``area_shares`` a project's areas form one pool of villages; with them, each
    area first gets its share. ``positions`` are the projects' rows in the full table.
    """
    if projects.empty:
        return _pairs(*(np.empty(0),) * 5)
    lists = pd.DataFrame({"p": np.arange(len(projects)), PROJECT_ID: projects[PROJECT_ID].to_numpy(),
                          "code": projects[AREA_CODES].to_numpy(), "given": projects[AREA_SHARES].to_numpy()})
    # A missing list may arrive as None, NaN or pd.NA (e.g. after a Dask shuffle).
    lists["code"] = [list(c) if _is_list(c) else [] for c in lists["code"]]
    lists["given"] = [list(g) if _is_list(g) and len(g) == len(c) else None
                      for g, c in zip(lists["given"], lists["code"], strict=True)]
    lists["share"] = [g if g is not None else [1.0] * len(c)
                      for g, c in zip(lists["given"], lists["code"], strict=True)]
    lists["pooled"] = lists["given"].isna()
    areas = lists.drop(columns="given").explode(["code", "share"], ignore_index=True).dropna(subset=["code"])
    areas["code"] = areas["code"].astype(str)
    areas["share"] = areas["share"].astype(float)
    # Every village (by position) under each of its prefixes: province (2), amphoe (4), tambon (6),
    # itself (8). Positions, not codes, travel through the millions of pairs a national plan makes.
    villages = pd.Series(np.asarray(table.index, dtype=str))
    prefixes = pd.DataFrame({"key": pd.concat([villages.str[:n] for n in (2, 4, 6, 8)], ignore_index=True),
                             "v": np.tile(np.arange(len(villages)), 4)})
    known = set(prefixes["key"])
    missing = ~areas["code"].isin(known)
    fallback = missing & (areas["code"].str.len() == 8) & areas["code"].str[:6].isin(known)
    for rec in areas[fallback].itertuples():
        report.add("info", f"project {getattr(rec, PROJECT_ID)}: village {rec.code} is not in the "
                   f"village layer; placed on its tambon {rec.code[:6]}.",
                   f"โครงการ {getattr(rec, PROJECT_ID)}: ไม่พบหมู่บ้าน {rec.code} ใช้ตำบล {rec.code[:6]} แทน",
                   **origin(projects, int(rec.p), at=positions[rec.p]), column=AREA_CODES, value=rec.code)
    areas.loc[fallback, "code"] = areas.loc[fallback, "code"].str[:6]
    for rec in areas[missing & ~fallback].itertuples():
        report.add("warning", f"project {getattr(rec, PROJECT_ID)}: area {rec.code} has no villages in "
                   "the village layer; its share goes to the project's other areas.",
                   f"โครงการ {getattr(rec, PROJECT_ID)}: พื้นที่ {rec.code} ไม่มีหมู่บ้านในชั้นข้อมูล",
                   **origin(projects, int(rec.p), at=positions[rec.p]), column=AREA_CODES, value=rec.code)
    listed = areas[~(missing & ~fallback)]
    # A pooled project's areas form one group; otherwise each listed area is its own group.
    listed = listed.assign(group=np.where(listed["pooled"], -1, listed.groupby(["p", "code"], sort=False).ngroup()),
                           rank=listed["code"].str.len().map(_PRECISION_RANK).to_numpy())
    keys, _ = pd.factorize(pd.concat([listed["code"], prefixes["key"]], ignore_index=True))
    pairs = (listed[["p", "share", "pooled", "group", "rank"]].assign(k=keys[:len(listed)])
             .merge(prefixes[["v"]].assign(k=keys[len(listed):]), on="k"))
    placed = set(pairs["p"])
    for p in sorted(set(range(len(projects))) - placed):
        codes = projects[AREA_CODES].iloc[p] or []
        report.add("warning", f"project {projects[PROJECT_ID].iloc[p]}: none of its areas "
                   f"({', '.join(codes) or 'none'}) has villages; not allocated.",
                   f"โครงการ {projects[PROJECT_ID].iloc[p]}: ไม่มีพื้นที่ที่มีหมู่บ้าน ไม่ได้กระจายงบ",
                   **origin(projects, int(p), at=positions[p]), column=AREA_CODES, value=", ".join(codes))
    if pairs.empty:
        return _pairs(*(np.empty(0),) * 5)
    pairs = pairs.drop_duplicates(["p", "group", "v"])
    pairs["w"] = table[method].to_numpy(dtype=float)[pairs["v"].to_numpy()]
    keys = [pairs["p"], pairs["group"]]
    groups = pairs["w"].groupby(keys, sort=False)
    n_nan = pairs["w"].isna().groupby(keys, sort=False).transform("sum")
    total, mean, size = groups.transform("sum"), groups.transform("mean"), groups.transform("size")
    equal = (n_nan == size) | (total <= 0)
    methods = list(_METHOD_NAMES)
    code = np.where(equal, methods.index("equal"), methods.index(method))
    pairs["w"] = np.where(equal, 1.0, pairs["w"].fillna(mean))
    for p in sorted(set(pairs.loc[(n_nan > 0) & ~equal, "p"])):
        report.add("info", f"project {projects[PROJECT_ID].iloc[p]}: some villages have no {method}; "
                   "they weigh as the mean of the others.",
                   f"โครงการ {projects[PROJECT_ID].iloc[p]}: บางหมู่บ้านไม่มีข้อมูล {method} ใช้ค่าเฉลี่ย",
                   **origin(projects, int(p), at=positions[p]), column=method)
    within = pairs["w"] / pairs.groupby(["p", "group"], sort=False)["w"].transform("sum")
    area_share = pairs.groupby(["p", "group"], sort=False)["share"].transform("first")
    group_total = (pairs.drop_duplicates(["p", "group"]).groupby("p")["share"].sum())
    pairs[SHARE] = np.where(pairs["pooled"], within, area_share / pairs["p"].map(group_total) * within)
    frame = _pairs(positions[pairs["p"].to_numpy()], pairs["v"].to_numpy(), pairs[SHARE].to_numpy(), code,
                   pairs["rank"].to_numpy())
    # A village reached through two listed areas keeps the finer one's precision.
    frame = pd.DataFrame(frame).groupby(["p", "v", "m"], sort=False, as_index=False).agg(
        **{SHARE: (SHARE, "sum"), "rank": ("rank", "min")})
    return {k: frame[k].to_numpy() for k in _PAIRS}
