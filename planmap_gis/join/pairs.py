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


_METHOD_LABELS = pd.array(_METHOD_NAMES, dtype="str")


_PRECISION_LABELS = pd.array(PRECISIONS, dtype="str")


_EXACT = PRECISIONS.index("exact")


_PAIRS = ("p", "v", SHARE, "m", "rank")


Pairs = dict[str, np.ndarray]


def _pairs(p: np.ndarray, v: np.ndarray, share: np.ndarray, m: np.ndarray, rank: np.ndarray | int,
           ) -> Pairs:
    n = len(p)
    return {"p": np.asarray(p, dtype=np.int64), "v": np.asarray(v, dtype=np.int64),
            SHARE: np.asarray(share, dtype=float), "m": np.broadcast_to(np.asarray(m, dtype=np.int64), n),
            "rank": np.broadcast_to(np.asarray(rank, dtype=np.int64), n)}
