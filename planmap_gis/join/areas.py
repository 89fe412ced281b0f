"""Area-list projects (codes of any level, with or without shares) over the villages of their areas."""

from __future__ import annotations

from itertools import chain

import numpy as np
import pandas as pd

from planmap_gis._lanes import release_free_pages
from planmap_gis._schema import (
    AREA_CODES,
    AREA_SHARES,
    PROJECT_ID,
    VILLAGE_CODE,
)
from planmap_gis.join.pairs import (
    _COMPACT,
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
    groups = int(listed["group"].max()) + 2
    group_key = pairs["p"].to_numpy(np.int64) * groups + pairs["group"].to_numpy() + 1
    # A village reached twice in one group (an area listed twice, or inside another listed area of the
    # same pool) is kept once. Looked for among the listed areas first: hashing every pair (3.4 M
    # nationally) for repeats most plans do not have made the allocation's peak.
    if _overlapping(listed, groups):
        once = ~pd.Series(group_key * len(table) + pairs["v"].to_numpy()).duplicated().to_numpy()
        pairs = pairs[once].reset_index(drop=True)
        group_key = group_key[once]
        del once
    keys = pd.factorize(group_key)[0]
    del group_key  # each per-pair array freed once used (3.4 M pairs nationally: 27 MiB each)
    # Each figure per group (a project's pool, or one listed area), then taken to each pair by its
    # group: a transform per figure made a per-pair array of each (27 MiB apiece nationally) and
    # grouped the 3.4 M keys again each time. The sums are pandas' (compensated), as before.
    n_groups = int(keys.max()) + 1
    weight = table[method].to_numpy(dtype=float)[pairs["v"].to_numpy()]
    blank = np.isnan(weight)
    by_group = pd.DataFrame({"w": weight, "share": pairs["share"].to_numpy(), "p": pairs["p"].to_numpy()},
                            copy=False).groupby(keys, sort=False)  # groups 0, 1, … as factorize numbered them
    first = by_group[["share", "p"]].first()
    total, mean = by_group["w"].sum().to_numpy(), by_group["w"].mean().to_numpy()
    n_nan = np.bincount(keys, weights=blank, minlength=n_groups)
    equal = (n_nan == np.bincount(keys, minlength=n_groups)) | (total <= 0)
    del by_group, total
    methods = list(_METHOD_NAMES)
    code = np.where(equal, methods.index("equal"), methods.index(method)).astype(np.int8)[keys]
    for p in sorted(set(first["p"].to_numpy()[(n_nan > 0) & ~equal])):
        report.add("info", f"project {projects[PROJECT_ID].iloc[p]}: some villages have no {method}; "
                   "they weigh as the mean of the others.",
                   f"โครงการ {projects[PROJECT_ID].iloc[p]}: บางหมู่บ้านไม่มีข้อมูล {method} ใช้ค่าเฉลี่ย",
                   **origin(projects, int(p), at=positions[p]), column=method)
    weight = np.where(equal[keys], 1.0, np.where(blank, mean[keys], weight))
    del blank, mean, equal, n_nan
    within = weight / pd.Series(weight).groupby(keys, sort=False).sum().to_numpy()[keys]
    del weight
    # A listed area's share of its project (1 for a pool): its given share over the project's shares.
    given = first["share"].to_numpy()
    ratio = given / pd.Series(given).groupby(first["p"].to_numpy()).sum().reindex(first["p"].to_numpy()).to_numpy()
    share = np.where(pairs["pooled"].to_numpy(), within, ratio[keys] * within)
    out = _pairs(positions[pairs["p"].to_numpy()], pairs["v"].to_numpy(), share, code, pairs["rank"].to_numpy())
    # The frame and its per-pair columns go before the merge, not after it: nationally 3.4 million
    # pairs, about 0.3 GiB held while the merge made its own copies.
    del pairs, keys, code, within, ratio, share
    # What the groupings above freed, glibc kept (0.15 GiB nationally): given back before the merge
    # makes its own arrays, as the allocation's peak is there (40 ms).
    release_free_pages()
    return _merged(out, len(table))


def _overlapping(listed: pd.DataFrame, groups: int) -> bool:
    """Whether some group of ``listed`` (one row per listed area: ``p``, ``group``, ``code``) reaches
    a village twice: a code listed twice, or a code inside another (a prefix of it) in the group."""
    group = pd.Series(listed["p"].to_numpy(np.int64) * groups + listed["group"].to_numpy() + 1).astype(str) + "|"
    codes = listed["code"].reset_index(drop=True)
    held = pd.Index(group + codes)
    if not held.is_unique:
        return True
    for n in (2, 4, 6):  # province, amphoe, tambon: the areas a longer code can lie in
        longer = (codes.str.len() > n).to_numpy()
        if (held.get_indexer(group[longer] + codes[longer].str[:n]) >= 0).any():
            return True
    return False


def _merged(pairs: Pairs, villages: int) -> Pairs:
    """One pair per (project, village, method), in the order each first appears: the shares of a
    village reached through two listed areas added, the finer area's precision kept.

    The few repeated pairs are added by pandas (its compensated sum, as before); the millions of
    others are taken as they are, keyed by one int64 per pair instead of a three-column groupby.
    """
    key = (pairs["p"] * villages + pairs["v"]) * len(_METHOD_NAMES) + pairs["m"]
    at, unique = pd.factorize(key)  # groups numbered in the order they first appear
    n = len(unique)
    del key, unique
    added = None
    if n < len(at):
        repeated = np.bincount(at, minlength=n)[at] > 1
        added = pd.DataFrame({"at": at[repeated], SHARE: pairs[SHARE][repeated], "rank": pairs["rank"][repeated]}
                             ).groupby("at", sort=False).agg(**{SHARE: (SHARE, "sum"), "rank": ("rank", "min")})
        del repeated
    # Each of the caller's arrays goes once taken (nationally 3.4 M pairs, 27 MiB each), into compact dtypes.
    out: Pairs = {}
    for k in list(pairs):
        out[k] = np.empty(n, dtype=_COMPACT[k])
        out[k][at] = pairs.pop(k)  # a group's rows share p, v and m; share and rank are set again below
    if added is not None:
        out[SHARE][added.index] = added[SHARE].to_numpy()
        out["rank"][added.index] = added["rank"].to_numpy()
    return out
