"""A suggested set of proposals under the budget: a small mixed-integer programme solved exactly
with :func:`scipy.optimize.milp` (HiGHS).

The value of a set *S* of proposals, in households in need (README, "Screening proposals"):

    value(S) = w_new · Σ_u need_u · [some proposal of S targets u]          (u: villages no project targets)
             + w_gap · Σ_g need_g · min(1, Σ_{i∈S} d_ig / s_g)               (g: village × layer below its fair share)
             − w_repeat · ( Σ_{i∈S} rep_i + Σ_k need_k · max(0, |S ∩ P_k| − 1) )

``s_g`` is the shortfall of village v in layer k (g = v, k: THB below its fair share of the layer,
today's fair shares), ``d_ig`` the baht proposal i of layer k places in v, ``need_g`` the need of v
split over its layers in proportion to their shortfalls (closing all of them counts the need once), ``rep_i`` the need of the villages where i repeats an
existing project of its sector and year, and ``P_k`` the proposals of one sector and year that
target village k where no project of that kind works yet (two of them count the need once and the
second one as repetition). Two proposals reaching the same villages therefore do not both count
the same need. Subject to Σ_{i∈S, layer k} budget_i ≤ cap_k per capped layer (or one total).

The programme: x_i ∈ {0, 1}; c_u ≤ Σ_i A_iu x_i, c_u ∈ [0, 1]; z_g ≤ Σ_i (d_ig / s_g) x_i,
z_g ∈ [0, 1]; e_k ≥ Σ_{i∈P_k} x_i − 1, e_k ≥ 0; maximise w_new·need·c + w_gap·need·z − w_repeat·(rep·x + need·e).
"""

from __future__ import annotations

import contextlib
import numbers
import os
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from planmap_gis._errors import PlanmapError
from planmap_gis._schema import BUDGET, BUDGET_LAYER, PROJECT_ID, VILLAGE_CODE
from planmap_gis.measure.metrics import no_project

__all__ = ["WEIGHTS", "Candidates", "candidates", "cap_rows", "full_weights", "greedy", "marginals", "remaining", "solve", "terms", "value"]

#: The documented default weights: newly targeted need, fair-share gap closed, repetition.
WEIGHTS: dict[str, float] = {"new": 1.0, "gap": 1.0, "repeat": 1.0}


@dataclass(frozen=True)
class Candidates:
    """The proposals as the programme sees them (n proposals).

    Attributes
    ----------
    budget : ndarray (n,)
        THB; NaN or ≤ 0 = no budget (never chosen).
    layer : ndarray (n,)
        Budget layer 1–4, 0 unknown.
    reach : csr_matrix (n, U)
        1 where proposal i targets untargeted village u.
    reach_need : ndarray (U,)
        Need of those villages (households in need).
    closes : csr_matrix (n, G)
        Fraction d_ig / s_g (0–1) of village g's shortfall proposal i's baht would close.
    gap_need : ndarray (G,)
        Need of those villages.
    repeat : ndarray (n,)
        Need of the villages where proposal i repeats existing work.
    groups : csr_matrix (K, n)
        1 where proposal i belongs to group k (same sector, year and village, no existing work).
    group_need : ndarray (K,)
        Need of each group's village.
    """

    budget: np.ndarray
    layer: np.ndarray
    reach: sp.csr_matrix
    reach_need: np.ndarray
    closes: sp.csr_matrix
    gap_need: np.ndarray
    repeat: np.ndarray
    groups: sp.csr_matrix
    group_need: np.ndarray

    @property
    def n(self) -> int:
        return len(self.budget)


def _matrix(rows: np.ndarray, cols: pd.Series, data: np.ndarray, n: int) -> tuple[sp.csr_matrix, pd.Index]:
    """(n × distinct cols) sparse matrix and its column labels."""
    labels, pos = np.unique(cols.to_numpy().astype(str), return_inverse=True)
    matrix = sp.csr_matrix((data, (rows, pos)), shape=(n, len(labels)))
    matrix.sum_duplicates()
    return matrix, pd.Index(labels)


def candidates(proposals: pd.DataFrame, allocation: pd.DataFrame, mine: pd.DataFrame, pairs: pd.DataFrame,
               village: pd.DataFrame, need: pd.Series) -> Candidates:
    """The programme's view of the proposals (in ``proposals``' order).

    Parameters
    ----------
    proposals : DataFrame
        ``project_id``, ``budget_thb``, ``budget_layer``.
    allocation : DataFrame
        The proposals' allocation (every row: its baht).
    mine, pairs : DataFrame
        :func:`~planmap_gis.measure.screening.work_rows` of the proposals and their
        :func:`~planmap_gis.measure.screening.repeat_pairs` against the plan and each other.
    village : DataFrame
        The plan's village coverage table.
    need : Series
        Need per village code (households in need), the weight of every term.
    """
    ids = pd.Index(proposals[PROJECT_ID].astype(str))
    n = len(ids)
    weight = need.reindex(village.index).fillna(0.0)
    untargeted = village.index[no_project(village).to_numpy() & (weight > 0).to_numpy()]
    new = mine[mine[VILLAGE_CODE].isin(untargeted)]
    reach, reach_cols = _matrix(ids.get_indexer(new[PROJECT_ID].astype(str)), new[VILLAGE_CODE],
                                np.ones(len(new)), n)
    reach.data[:] = 1.0
    # Shortfall per village and layer (THB below the fair share of that layer); a village's need is
    # split over its layers in proportion to their shortfalls, so closing all of them counts it once.
    layers = [k for k in (1, 2, 3, 4) if f"gap_layer_{k}" in village]
    short = pd.DataFrame({k: (-village[f"gap_layer_{k}"]).clip(lower=0).fillna(0.0) for k in layers},
                         index=village.index)
    short = short[(weight > 0) & (short.sum(axis=1) > 0)] if layers else short
    long = short.stack()
    long = long[long > 0]
    split = (long / long.groupby(level=0).transform("sum")) * weight.reindex(long.index.get_level_values(0)).to_numpy()
    layer_of = pd.to_numeric(proposals.set_index(ids)[BUDGET_LAYER], errors="coerce")
    rows = allocation[allocation[VILLAGE_CODE].isin(short.index) & (allocation[BUDGET].fillna(0) > 0)]
    rows = rows.assign(layer=rows[PROJECT_ID].astype(str).map(layer_of))
    key = pd.MultiIndex.from_arrays([rows[VILLAGE_CODE], rows["layer"]])
    gap = long.reindex(key).to_numpy()
    rows = rows[np.nan_to_num(gap) > 0]
    gap = gap[np.nan_to_num(gap) > 0]
    fraction = np.minimum(rows[BUDGET].to_numpy() / gap, 1.0)
    close_key = rows[VILLAGE_CODE].astype(str) + "|" + rows["layer"].astype(int).astype(str)
    closes, close_cols = _matrix(ids.get_indexer(rows[PROJECT_ID].astype(str)), close_key, fraction, n)
    closes.data = np.minimum(closes.data, 1.0)
    split.index = [f"{v}|{k}" for v, k in split.index]
    on_projects = pairs[pairs["source_other"] == "project"].drop_duplicates([PROJECT_ID, VILLAGE_CODE])
    repeat = (on_projects[VILLAGE_CODE].map(weight).astype(float).groupby(on_projects[PROJECT_ID].astype(str)).sum()
              .reindex(ids).fillna(0.0).to_numpy())
    worked = set(zip(on_projects[VILLAGE_CODE], on_projects["sector"], on_projects["year"], strict=True))
    known = mine.dropna(subset=["sector"])  # a proposal without a sector repeats nothing
    key = list(zip(known[VILLAGE_CODE], known["sector"], known["year"], strict=True))
    fresh = known[np.array([k not in worked for k in key], dtype=bool)]
    size = fresh.groupby([VILLAGE_CODE, "sector", "year"])[PROJECT_ID].transform("size")
    shared = fresh[size >= 2]
    group_key = shared[VILLAGE_CODE].astype(str) + "|" + shared["sector"].astype(str) + "|" + shared["year"].astype(str)
    members, group_cols = _matrix(ids.get_indexer(shared[PROJECT_ID].astype(str)), group_key, np.ones(len(shared)), n)
    members.data[:] = 1.0
    group_need = group_cols.str.split("|").str[0].map(weight).to_numpy(dtype=float) if len(group_cols) else np.zeros(0)
    layer = pd.to_numeric(proposals[BUDGET_LAYER], errors="coerce").fillna(0).astype(int).to_numpy()
    return Candidates(budget=pd.to_numeric(proposals[BUDGET], errors="coerce").to_numpy(dtype=float), layer=layer,
                      reach=reach, reach_need=weight.reindex(reach_cols).to_numpy(dtype=float),
                      closes=closes, gap_need=split.reindex(close_cols).to_numpy(dtype=float),
                      repeat=repeat, groups=members.T.tocsr(), group_need=group_need)


def full_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """The weights given over the defaults (:data:`WEIGHTS`), each checked to be a number ≥ 0."""
    out = dict(WEIGHTS)
    for key, w in (weights or {}).items():
        if key not in WEIGHTS:
            raise PlanmapError(f"unknown weight {key!r}: the weights are {', '.join(WEIGHTS)}.",
                               th=f"ไม่มีน้ำหนัก {key!r} น้ำหนักที่ใช้ได้คือ {', '.join(WEIGHTS)}")
        if not isinstance(w, numbers.Real) or not np.isfinite(w) or w < 0:
            raise PlanmapError(f"weight {key!r} must be a number ≥ 0, got {w!r}.",
                               th=f"น้ำหนัก {key!r} ต้องเป็นตัวเลขตั้งแต่ 0 ขึ้นไป (ได้ {w!r})")
        out[key] = float(w)
    return out


def terms(c: Candidates, chosen: np.ndarray) -> dict[str, float]:
    """The three terms of value(S) for a 0/1 vector ``chosen`` (households in need)."""
    x = np.asarray(chosen, dtype=float)
    covered = np.minimum(1.0, c.reach.T @ x)
    closed = np.minimum(1.0, c.closes.T @ x)
    extra = np.maximum(0.0, c.groups @ x - 1.0)
    return {"new": float(c.reach_need @ covered), "gap": float(c.gap_need @ closed),
            "repeat": float(c.repeat @ x + c.group_need @ extra)}


def value(c: Candidates, chosen: np.ndarray, weights: Mapping[str, float] | None = None) -> float:
    """value(S) of the module's formula, computed directly (the brute-force check of :func:`solve`)."""
    w = full_weights(weights)
    t = terms(c, chosen)
    return w["new"] * t["new"] + w["gap"] * t["gap"] - w["repeat"] * t["repeat"]


def cap_rows(c: Candidates, caps: Mapping[object, float] | None) -> list[tuple[str, np.ndarray, float]]:
    """(name, member mask, cap THB) of every budget constraint."""
    out = []
    for key, cap in (caps or {}).items():
        if key == "total":
            out.append(("total", np.ones(c.n, dtype=bool), float(cap)))
        else:
            out.append((f"layer {int(key)}", c.layer == int(key), float(cap)))
    return out


@contextlib.contextmanager
def _native_stdout_quiet() -> Iterator[None]:
    """Silence what native code writes to the process's stdout: HiGHS 1.12 prints a stray debug line
    ("HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();") even with its output
    off (ERGO-Code/HiGHS#2783), hundreds of times on a national instance."""
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
        sys.stdout.flush()
        saved = os.dup(fd)
    except (AttributeError, OSError, ValueError):  # no real stdout (some notebook kernels): nothing to silence
        yield
        return
    with open(os.devnull, "wb") as null:
        os.dup2(null.fileno(), fd)
        try:
            yield
        finally:
            os.dup2(saved, fd)
            os.close(saved)


def fundable(c: Candidates) -> np.ndarray:
    """Proposals with a budget: the others are never chosen."""
    return np.nan_to_num(c.budget, nan=0.0) > 0


def solve(c: Candidates, caps: Mapping[object, float] | None = None, weights: Mapping[str, float] | None = None,
          *, time_limit: float = 120.0) -> dict[str, object]:
    """The set of greatest value within the caps (exact, HiGHS branch and bound).

    Parameters
    ----------
    c : Candidates
    caps : mapping, optional
        ``{layer: THB}`` and/or ``{"total": THB}``; a layer without a cap is not limited.
    weights : mapping, optional
        ``new``, ``gap``, ``repeat`` (default :data:`WEIGHTS`).
    time_limit : float
        Seconds HiGHS may take; past it the best set found is returned with its gap.

    Returns
    -------
    dict
        ``chosen`` (bool array), ``value``, ``terms``, ``status`` (HiGHS message), ``optimal`` (bool),
        ``mip_gap`` and ``seconds``.
    """
    w = full_weights(weights)
    n, u, g, k = c.n, c.reach.shape[1], c.closes.shape[1], c.groups.shape[0]
    # variables: x (n) | c (u) | z (g) | e (k); milp minimises, so the value is negated
    objective = np.concatenate([w["repeat"] * c.repeat, -w["new"] * c.reach_need, -w["gap"] * c.gap_need,
                                w["repeat"] * c.group_need])
    blocks = []
    if u:
        blocks.append(LinearConstraint(sp.hstack([-c.reach.T, sp.identity(u), sp.csr_matrix((u, g + k))]).tocsr(),
                                       -np.inf, 0.0))
    if g:
        blocks.append(LinearConstraint(sp.hstack([-c.closes.T, sp.csr_matrix((g, u)), sp.identity(g),
                                                  sp.csr_matrix((g, k))]).tocsr(), -np.inf, 0.0))
    if k:
        blocks.append(LinearConstraint(sp.hstack([c.groups, sp.csr_matrix((k, u + g)), -sp.identity(k)]).tocsr(),
                                       -np.inf, 1.0))
    money = np.nan_to_num(c.budget, nan=0.0)
    for _, members, cap in cap_rows(c, caps):
        row = np.concatenate([np.where(members, money, 0.0), np.zeros(u + g + k)])
        blocks.append(LinearConstraint(row[None, :], -np.inf, cap))
    upper = np.concatenate([fundable(c).astype(float), np.ones(u + g), np.full(k, np.inf)])
    integrality = np.concatenate([np.ones(n), np.zeros(u + g + k)])
    start = time.perf_counter()
    with _native_stdout_quiet():
        result = milp(objective, constraints=blocks, integrality=integrality,
                      bounds=Bounds(np.zeros(n + u + g + k), upper),
                      options={"time_limit": time_limit, "mip_rel_gap": 0.0})
    seconds = time.perf_counter() - start
    if result.x is None:  # infeasible cannot happen (the empty set fits); a solver failure can
        chosen = np.zeros(n, dtype=bool)
    else:
        chosen = np.round(result.x[:n]).astype(bool)
    return {"chosen": chosen, "value": value(c, chosen, w), "terms": terms(c, chosen),
            "status": str(result.message), "optimal": bool(result.status == 0),
            "mip_gap": float(getattr(result, "mip_gap", 0.0) or 0.0), "seconds": seconds}


def greedy(c: Candidates, caps: Mapping[object, float] | None = None,
           weights: Mapping[str, float] | None = None) -> np.ndarray:
    """The greedy ranking the programme is compared with: proposals by their value alone per baht,
    each added when it fits every cap and still adds value."""
    w = full_weights(weights)
    alone = np.array([value(c, np.eye(1, c.n, i, dtype=bool)[0], w) for i in range(c.n)])
    money = np.nan_to_num(c.budget, nan=0.0)
    ratio = np.where(money > 0, alone / np.where(money > 0, money, 1.0), -np.inf)
    chosen = np.zeros(c.n, dtype=bool)
    left = [(members, cap) for _, members, cap in cap_rows(c, caps)]
    current = 0.0
    for i in np.argsort(-ratio, kind="stable"):
        if ratio[i] <= 0 or not np.isfinite(ratio[i]):
            break
        if any(members[i] and money[i] > cap + 1e-6 for members, cap in left):
            continue
        chosen[i] = True
        gain = value(c, chosen, w) - current
        if gain <= 1e-9:
            chosen[i] = False
            continue
        current += gain
        left = [(members, cap - (money[i] if members[i] else 0.0)) for members, cap in left]
    return chosen


def marginals(c: Candidates, chosen: np.ndarray, weights: Mapping[str, float] | None = None) -> np.ndarray:
    """For a chosen proposal, the value lost without it; for another, the value it would add."""
    w = full_weights(weights)
    base = value(c, chosen, w)
    out = np.empty(c.n)
    for i in range(c.n):
        other = chosen.copy()
        other[i] = not other[i]
        delta = value(c, other, w) - base
        out[i] = -delta if chosen[i] else delta
    return out


def remaining(c: Candidates, chosen: np.ndarray, caps: Mapping[object, float] | None) -> list[tuple[str, np.ndarray, float]]:
    """(name, members, THB left) of each cap after the chosen set."""
    money = np.nan_to_num(c.budget, nan=0.0)
    return [(name, members, cap - float(money[members & chosen].sum())) for name, members, cap in cap_rows(c, caps)]
