"""The duplication rule and table: two or more agencies in one unit, sector and fiscal year.

:func:`duplicated` is the rule, defined once (coverage, the matrix's highlights and the tables all
call it); :func:`duplication` lists each such place with its agencies, projects and budget. Both
work on integer codes: a national allocation has millions of rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planmap_gis._schema import AGENCY, BUDGET, FISCAL_YEAR, PROJECT_ID, SECTOR, level_key
from planmap_gis._text import run_firsts, sorted_codes
from planmap_gis.join.pairs import project_columns

__all__ = ["DUPLICATION_AGENCIES", "LISTS", "as_duplication", "duplicated", "duplication"]


#: Agencies in one unit, sector and fiscal year from which their work counts as duplicated.
DUPLICATION_AGENCIES = 2

#: The table's joined lists: categoricals of their sorted texts (see :func:`_joined`).
LISTS = ("agencies", "project_ids")


def as_duplication(frame: pd.DataFrame) -> pd.DataFrame:
    """A duplication table read back (a workspace) with the dtypes :func:`duplication` gives (as
    :func:`~planmap_gis.join.pairs.as_allocation` does for an allocation)."""
    lists = [c for c in LISTS if c in frame]
    return frame.astype(dict.fromkeys(lists, "str")).astype(dict.fromkeys(lists, "category"))


def duplicated(work: pd.DataFrame, key: str) -> pd.Series:
    """The duplication rule, defined once: True for each row of ``work`` (a project present in a
    unit: ``key``, ``sector``, ``fiscal_year``, ``agency``) whose unit, sector and fiscal year hold
    :data:`DUPLICATION_AGENCIES` or more agencies. A blank year is a year of its own; rows without
    a sector or an agency are never duplicated. Aligned to ``work``."""
    known = (work[key].notna() & work[SECTOR].notna() & work[AGENCY].notna()).to_numpy()
    year = work[FISCAL_YEAR][known]
    year = year.fillna(-1) if pd.api.types.is_numeric_dtype(year) else year.astype(object).where(year.notna(), -1)
    # Counted on codes (a national allocation has millions of rows): each (unit, sector, year,
    # agency) one number, sorted in place; a unit-sector-year is that number // agencies. Hashed
    # afresh after each column, a village level took +0.165 GiB and 0.63 s; this +0.12 and 0.44.
    group, size, agencies = np.zeros(int(known.sum()), dtype=np.int64), 1, 1
    for column in (work[key][known], work[SECTOR][known], year, work[AGENCY][known]):
        group, size, agencies = _numbered(group, size, column)
    place = group // agencies
    group.sort()
    # The unit-sector-year of each distinct agency in it, in order.
    each = group[run_firsts(group)] // agencies
    del group
    starts = np.flatnonzero(run_firsts(each))
    busy = each[starts][np.diff(np.r_[starts, len(each)]) >= DUPLICATION_AGENCIES]
    out = np.zeros(len(work), dtype=bool)
    if len(busy):
        at = np.minimum(np.searchsorted(busy, place), len(busy) - 1)
        out[known] = busy[at] == place
    return pd.Series(out, index=work.index)


def _numbered(group: np.ndarray, size: int, column: pd.Series) -> tuple[np.ndarray, int, int]:
    """``group`` (numbers below ``size``) with ``column``'s codes as its next digit, in place; the
    new bound and the column's number of values. Numbered afresh first where the product would pass
    2**62 (no overflow: a digit of millions of units times sectors, years and agencies fits)."""
    codes, uniques = pd.factorize(column)
    n = max(len(uniques), 1)
    if size * n >= 1 << 62:
        group, seen = pd.factorize(group)
        group, size = group.astype(np.int64), max(len(seen), 1)
    group *= n
    group += codes
    return group, size * n, n


def duplication(allocation: pd.DataFrame, projects: pd.DataFrame, *, level: str = "tambon") -> pd.DataFrame:
    """Places where two or more agencies run projects in the same sector and fiscal year.

    Returns
    -------
    DataFrame
        One row per (unit, sector, fiscal_year) with ``n_agencies`` ≥ 2,
        ``agencies`` and ``project_ids`` (joined by "; "), and ``budget_thb``.
        Sorted by unit, sector and year. The two lists are categoricals (each
        distinct list once: they repeat from place to place); compare, sort and
        ``.str`` them as text, ``astype(str)`` for plain text.
    """
    key = level_key(level)
    # Worked on integer codes: the units and projects of 3.4 million national allocation rows are
    # factorised once; each project's sector, year and agency are looked up by its position (texts
    # grouped row by row cost 5 s and 0.7 GiB at village level). Codes of units, sectors and
    # agencies are in the order of their texts, so sorting codes sorts as the texts did.
    project, ids = pd.factorize(allocation[PROJECT_ID])
    project, ids = project.astype(np.int32), pd.Index(ids)
    unit, units = sorted_codes(allocation[key])
    info = project_columns(projects, [SECTOR, AGENCY, FISCAL_YEAR], ids)
    sector, sectors = sorted_codes(info[SECTOR])
    agency, agencies = sorted_codes(info[AGENCY])
    year = pd.to_numeric(info[FISCAL_YEAR], errors="coerce").fillna(-1).to_numpy(dtype=np.int32)
    # Rows without a unit, sector or agency are never duplicated (a blank year is a year of its own).
    kept = (project >= 0) & (unit >= 0)
    kept[kept] &= (sector[project[kept]] >= 0) & (agency[project[kept]] >= 0)
    # A project's budget in a unit (its sector, year and agency are the project's own).
    u, p, budget = _per_project(unit[kept], project[kept], allocation[BUDGET].to_numpy(dtype=float)[kept])
    del unit, project, kept
    per_project = pd.DataFrame({key: u, SECTOR: sector[p], FISCAL_YEAR: year[p], AGENCY: agency[p],
                                "project": p, BUDGET: budget}, copy=False)
    del u, p, budget
    busy = per_project[duplicated(per_project, key).to_numpy()]
    del per_project
    u, sec, yr = (busy[c].to_numpy() for c in (key, SECTOR, FISCAL_YEAR))
    # The busy rows by unit, sector and year; within each group in their order of appearance (a
    # stable sort). Budgets equal a row-by-row groupby's to float precision (summed in runs first).
    order = np.lexsort((yr, sec, u))
    u, sec, yr = u[order], sec[order], yr[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (sec[1:] != sec[:-1]) | (yr[1:] != yr[:-1])
    group = np.cumsum(first) - 1
    names, n_agencies = _joined(group, busy[AGENCY].to_numpy()[order], agencies, unique=True)
    id_texts = np.asarray(ids.astype(str), dtype=object)
    by_text = np.argsort(id_texts, kind="stable")
    project_rank = np.empty(len(by_text), dtype=np.int64)
    project_rank[by_text] = np.arange(len(by_text))
    listed, _ = _joined(group, project_rank[busy["project"].to_numpy()[order]], pd.Index(id_texts[by_text]),
                        unique=False)
    out = pd.DataFrame({
        key: units.take(u[first]), SECTOR: pd.array(sectors.take(sec[first]), dtype=projects[SECTOR].dtype),
        FISCAL_YEAR: pd.array(yr[first], dtype="Int64"), "n_agencies": n_agencies, "agencies": names,
        "project_ids": listed,
        BUDGET: pd.Series(busy[BUDGET].to_numpy()[order]).groupby(group, sort=False).sum().to_numpy(),
    })
    out[FISCAL_YEAR] = out[FISCAL_YEAR].replace(-1, pd.NA)
    return out


def _joined(group: np.ndarray, codes: np.ndarray, texts: pd.Index, *, unique: bool) -> tuple[pd.Categorical, np.ndarray]:
    """Per group (``group``: sorted numbers from 0), the texts of ``codes`` (positions in ``texts``,
    numbered in the texts' sorted order) sorted and joined by "; ", each once when ``unique``; and
    how many texts each group holds.

    The joined texts come as a categorical, each distinct text once: the same agencies (or the same
    projects) meet in many places — a national village table's 333,000 rows hold 432 lists of
    agencies and 52,000 of projects, whose texts took 98 MiB for as long as the plan lived (and in
    each writer's fork); as categories, 7 MiB.
    """
    if not len(group):
        return pd.Categorical([], categories=pd.Index([], dtype="str")), np.zeros(0, dtype=np.int64)
    order = np.lexsort((codes, group))
    group, codes = group[order], codes[order]
    if unique:
        kept = np.ones(len(order), dtype=bool)
        kept[1:] = (group[1:] != group[:-1]) | (codes[1:] != codes[:-1])
        group, codes = group[kept], codes[kept]
    bounds = np.flatnonzero(np.r_[True, group[1:] != group[:-1], True])
    # Each group's codes as bytes, to find the distinct lists before any text is joined.
    raw, width = codes.astype(np.int32).tobytes(), 4
    lists = np.empty(len(bounds) - 1, dtype=object)
    lists[:] = [raw[a * width:b * width] for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)]
    which, distinct = pd.factorize(lists)
    del lists
    words = np.asarray(texts.astype(str), dtype=object)
    joined = ["; ".join(words[np.frombuffer(one, dtype=np.int32)]) for one in distinct]
    # Two lists can join to one text (a text holding "; "): one category.
    final, categories = pd.factorize(pd.Index(joined, dtype="str"), sort=True)
    return pd.Categorical.from_codes(final[which], categories=pd.Index(categories, dtype="str")), np.diff(bounds)


def _per_project(unit: np.ndarray, project: np.ndarray, budget: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each (unit, project) pair once, in order of first appearance, with its budget summed.

    An allocation comes in project order and, within a project, in village-code order, so each
    pair's rows are next to each other: summed run by run, without hashing millions of rows. Rows
    in another order are grouped."""
    if not len(unit):
        return unit, project, budget
    start = np.ones(len(unit), dtype=bool)
    start[1:] = (unit[1:] != unit[:-1]) | (project[1:] != project[:-1])
    first = np.flatnonzero(start)
    pairs = project[first].astype(np.int64) * (int(unit.max()) + 1) + unit[first]
    if pd.Index(pairs).is_unique:
        return unit[first], project[first], np.add.reduceat(budget, first)
    pair = project.astype(np.int64) * (int(unit.max()) + 1) + unit
    sums = pd.Series(budget).groupby(pair, sort=False).sum()
    p, u = np.divmod(sums.index.to_numpy(), int(unit.max()) + 1)
    return u, p, sums.to_numpy()
