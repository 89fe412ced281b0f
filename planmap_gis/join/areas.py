"""Area-list projects (codes of any level, with or without shares) over the villages of their areas."""

from __future__ import annotations

from itertools import chain

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
    # A missing list may arrive as None, NaN or pd.NA (e.g. after a Dask shuffle).
    codes = [list(c) if _is_list(c) else [] for c in projects[AREA_CODES].to_numpy()]
    given = [list(g) if _is_list(g) and len(g) == len(c) else None
             for g, c in zip(projects[AREA_SHARES].to_numpy(), codes, strict=True)]
    # One row per listed area (flattened lists and repeated project columns: pandas' explode of
    # the same lists took four times as long).
    p = np.repeat(np.arange(len(projects)), [len(c) for c in codes])
    areas = pd.DataFrame({"p": p, PROJECT_ID: projects[PROJECT_ID].to_numpy()[p],
                          "code": list(chain.from_iterable(codes)),
                          "share": list(chain.from_iterable(g if g is not None else [1.0] * len(c)
                                                            for g, c in zip(given, codes, strict=True))),
                          "pooled": np.array([g is None for g in given], dtype=bool)[p]})
    areas = areas[areas["code"].notna()]
    areas["code"] = areas["code"].astype(str)
    areas["share"] = areas["share"].astype(float)
    # Every village (by position) under each of its prefixes: province (2), amphoe (4), tambon (6),
    # itself (8). Positions, not codes, travel through the millions of pairs a national plan makes.
    villages = pd.Series(np.asarray(table.index, dtype=str))
    prefixes = pd.DataFrame({"key": pd.concat([villages.str[:n] for n in (2, 4, 6, 8)], ignore_index=True),
                             "v": np.tile(np.arange(len(villages)), 4)})
    # An Index's hash table: Series.isin against 74,000 codes took 0.33 s, get_indexer 0.04 s.
    known = pd.Index(prefixes["key"].unique())
    missing = pd.Series(known.get_indexer(areas["code"]) < 0, index=areas.index)
    unknown = areas.loc[missing, "code"]  # few: the string tests on these only
    fallback = missing.copy()
    fallback[missing] = (unknown.str.len() == 8).to_numpy() & (known.get_indexer(unknown.str[:6]) >= 0)
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
    # 32-bit rows, groups and villages, 8-bit ranks: the merge makes a row per listed area and village
    # (3.4 million nationally), so each byte a column saves is 3 MiB.
    listed = listed.assign(p=listed["p"].to_numpy(np.int32),
                           group=np.where(listed["pooled"], -1, listed.groupby(["p", "code"], sort=False).ngroup()
                                          ).astype(np.int32),
                           rank=listed["code"].str.len().map(_PRECISION_RANK).to_numpy(np.int8))
    keys, _ = pd.factorize(pd.concat([listed["code"], prefixes["key"]], ignore_index=True))
    pairs = (listed[["p", "share", "pooled", "group", "rank"]].assign(k=keys[:len(listed)])
             .merge(prefixes[["v"]].assign(v=prefixes["v"].to_numpy(np.int32), k=keys[len(listed):]), on="k")
             .drop(columns="k"))
    placed = np.zeros(len(projects), dtype=bool)
    placed[pairs["p"].to_numpy()] = True
    for p in np.flatnonzero(~placed):
        codes = projects[AREA_CODES].iloc[p] or []
        report.add("warning", f"project {projects[PROJECT_ID].iloc[p]}: none of its areas "
                   f"({', '.join(codes) or 'none'}) has villages; not allocated.",
                   f"โครงการ {projects[PROJECT_ID].iloc[p]}: ไม่มีพื้นที่ที่มีหมู่บ้าน ไม่ได้กระจายงบ",
                   **origin(projects, int(p), at=positions[p]), column=AREA_CODES, value=", ".join(codes))
    if pairs.empty:
        return _pairs(*(np.empty(0),) * 5)
    # One integer key per (project, group) and per (project, group, village): hashing one int64
    # column is several times as fast as pandas' multi-column keys on millions of pairs.
    group_key = pairs["p"].to_numpy(np.int64) * (int(listed["group"].max()) + 2) + pairs["group"].to_numpy() + 1
    once = ~pd.Series(group_key * len(table) + pairs["v"].to_numpy()).duplicated().to_numpy()
    pairs = pairs[once].reset_index(drop=True)
    keys = pd.factorize(group_key[once])[0]
    del group_key, once  # each per-pair array freed once used (3.4 M pairs nationally: 27 MiB each)
    pairs["w"] = table[method].to_numpy(dtype=float)[pairs["v"].to_numpy()]
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
    del groups, n_nan, total, mean, size, equal
    within = pairs["w"] / pairs["w"].groupby(keys, sort=False).transform("sum")
    area_share = pairs["share"].groupby(keys, sort=False).transform("first")
    group_total = pairs[~pd.Series(keys).duplicated().to_numpy()].groupby("p")["share"].sum()
    share = np.where(pairs["pooled"], within, area_share / pairs["p"].map(group_total) * within)
    out = _pairs(positions[pairs["p"].to_numpy()], pairs["v"].to_numpy(), share, code, pairs["rank"].to_numpy())
    # The frame and its per-pair columns go before the merge, not after it: nationally 3.4 million
    # pairs, about 0.3 GiB held while the merge made its own copies.
    del pairs, keys, code, within, area_share, share
    return _merged(out, len(table))


def _merged(pairs: Pairs, villages: int) -> Pairs:
    """One pair per (project, village, method), in the order each first appears: the shares of a
    village reached through two listed areas added, the finer area's precision kept.

    The few repeated pairs are added by pandas (its compensated sum, as before); the millions of
    others are taken as they are, keyed by one int64 per pair instead of a three-column groupby.
    """
    key = (pairs["p"] * villages + pairs["v"]) * len(_METHOD_NAMES) + pairs["m"]
    at, unique = pd.factorize(key)  # groups numbered in the order they first appear
    out = {k: np.empty(len(unique), dtype=values.dtype) for k, values in pairs.items()}
    for k, values in pairs.items():
        out[k][at] = values  # a group's rows share p, v and m; share and rank are set again below
    repeated = np.bincount(at)[at] > 1
    if repeated.any():
        added = pd.DataFrame({"at": at[repeated], SHARE: pairs[SHARE][repeated], "rank": pairs["rank"][repeated]}
                             ).groupby("at", sort=False).agg(**{SHARE: (SHARE, "sum"), "rank": ("rank", "min")})
        out[SHARE][added.index] = added[SHARE].to_numpy()
        out["rank"][added.index] = added["rank"].to_numpy()
    return out
