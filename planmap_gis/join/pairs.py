"""What the allocation is made of: its columns, methods and precisions, and the integer pairs
(project row, village row, share, method, precision) every kind of footprint is turned into."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planmap_gis._schema import (
    AMPHOE_CODE,
    BUDGET,
    LEVEL_OF_LENGTH,
    PRECISION,
    PRECISIONS,
    PROJECT_ID,
    TAMBON_CODE,
    VILLAGE_CODE,
)
from planmap_gis._text import plain

SHARE, METHOD = "share", "method"
METHODS = ("equal", "area", "households", "population")


#: A code's length → the precision rank of a project placed by it (village … province).
_PRECISION_RANK = {n: PRECISIONS.index(level) for n, level in LEVEL_OF_LENGTH.items()}


#: One row per (project, village).
ALLOCATION_COLUMNS = (PROJECT_ID, VILLAGE_CODE, TAMBON_CODE, AMPHOE_CODE, SHARE, BUDGET, METHOD,
                      PRECISION)


# Intermediate pairs are integers: project row (p), village row (v), method code (m) and
# precision rank; strings are taken once, at the end (a million points stay cheap).
_METHOD_NAMES = ("point", "line", "polygon", *METHODS)


# The allocation's text columns are categoricals: 3.4 M rows nationally repeat some 100,000 project
# ids, 66,000 village codes and a handful of labels; as text they held 300 MiB of the plan, as
# integer codes into their distinct values 60 (the values the same, compared, sorted, written).
_METHOD_LABELS = pd.CategoricalDtype(pd.array(_METHOD_NAMES, dtype="str"))


_PRECISION_LABELS = pd.CategoricalDtype(pd.array(PRECISIONS, dtype="str"))


_LABELS = {METHOD: _METHOD_LABELS, PRECISION: _PRECISION_LABELS}


def labels(values: pd.api.extensions.ExtensionArray, rows: np.ndarray) -> pd.Categorical:
    """``values.take(rows)`` as a categorical of the values it holds, sorted (as
    ``astype("category")`` makes them): each distinct text kept once."""
    codes, distinct = pd.factorize(values, sort=True)
    # 32-bit codes: a national allocation's columns are 3.4 M rows (64-bit: 27 MiB each temporary).
    taken = codes.astype(np.int32)[rows]
    # The values the rows hold, renumbered in order (integers: pandas' remove_unused_categories
    # hashes every row, 0.2 s a column nationally).
    used = np.bincount(taken[taken >= 0], minlength=len(distinct)) > 0
    number = (np.cumsum(used) - 1).astype(np.int32)
    taken = np.where(taken >= 0, number[np.maximum(taken, 0)], np.int32(-1))
    return pd.Categorical.from_codes(taken, dtype=pd.CategoricalDtype(distinct[used]), validate=False)


def per_row(keys: pd.Series, values: pd.Series) -> pd.Series:
    """``values`` looked up for each row of ``keys`` (missing where absent), aligned to ``keys``, in
    the dtype of ``values``: ``keys.map(values)`` whether ``keys`` is text or categorical (whose
    ``map`` gives objects), looked up once per category, not per row."""
    if not isinstance(keys.dtype, pd.CategoricalDtype):
        return keys.map(values)
    found = values.reindex(keys.cat.categories).array.take(keys.cat.codes.to_numpy(), allow_fill=True)
    return pd.Series(found, index=keys.index, name=keys.name)


def project_columns(projects: pd.DataFrame, columns: list[str], ids: object) -> pd.DataFrame:
    """``columns`` of each project of ``ids`` (the allocation's distinct ids, text or categorical), in
    their order: an id's first row where it repeats, missing where the projects lack it. What code
    counting on the allocation's integer codes looks each project's sector, year or people up in."""
    return projects.drop_duplicates(PROJECT_ID).set_index(PROJECT_ID)[columns].reindex(plain(ids))


def with_projects(allocation: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """``allocation`` with the columns of ``table`` (one row per project id, its index) on each row:
    ``allocation.join(table, on=PROJECT_ID)``, looked up per id rather than joined on millions of
    categorical rows (3 s nationally, against 0.3 as text)."""
    if not table.index.is_unique or not isinstance(allocation[PROJECT_ID].dtype, pd.CategoricalDtype):
        return allocation.join(table, on=PROJECT_ID)
    return allocation.assign(**{c: per_row(allocation[PROJECT_ID], table[c]) for c in table.columns})


def as_allocation(frame: pd.DataFrame) -> pd.DataFrame:
    """An allocation read back (a workspace, a merged partition) with the dtypes :func:`allocate`
    gives: codes and ids as categoricals of the texts they hold, method and precision of theirs."""
    texts = [c for c in (PROJECT_ID, VILLAGE_CODE, TAMBON_CODE, AMPHOE_CODE) if c in frame]
    return frame.astype({c: "str" for c in texts}).astype(
        {**dict.fromkeys(texts, "category"), **{c: t for c, t in _LABELS.items() if c in frame}})


_EXACT = PRECISIONS.index("exact")


_PAIRS = ("p", "v", SHARE, "m", "rank")

#: The pairs' dtypes once merged and assembled (projects and villages number under 2³¹, methods and
#: precisions a handful): a national plan's 3.4 M pairs are 27 MiB an int64 array, 3 MiB an int8.
_COMPACT = {"p": np.int32, "v": np.int32, SHARE: np.float64, "m": np.int8, "rank": np.int8}


Pairs = dict[str, np.ndarray]


def _pairs(p: np.ndarray, v: np.ndarray, share: np.ndarray, m: np.ndarray, rank: np.ndarray | int,
           ) -> Pairs:
    n = len(p)
    return {"p": np.asarray(p, dtype=np.int64), "v": np.asarray(v, dtype=np.int64),
            SHARE: np.asarray(share, dtype=float), "m": np.broadcast_to(np.asarray(m, dtype=np.int8), n),
            "rank": np.broadcast_to(np.asarray(rank, dtype=np.int8), n)}
