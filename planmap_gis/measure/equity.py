"""Equity of the budget across villages: Gini, Lorenz curve, Theil decomposition, concentration index.

All measures treat each village as one observation (each community counts
once), on a value such as budget per household (THB per household).

* **Gini** from the ``inequality`` package (``inequality.gini.Gini``).
* **Theil T** decomposed into between- and within-group parts (groups: amphoe).
  ``inequality.theil.TheilD`` is the reference, but it slows sharply with the
  number of groups (44 s for 7,425 tambon); :func:`theil` computes the same
  values with ``numpy.bincount`` (equal to 1e-12 in the tests) in milliseconds.
  As in ``inequality``, zeros are replaced by the smallest positive float.
* **Concentration index** (Wagstaff, van Doorslaer & Paci 1991; O'Donnell et
  al. 2008): ``C = 2 cov(y, R) / mean(y)`` with R the fractional rank of the
  villages by *strength*, weakest first. C < 0: the budget goes more to weaker
  communities (pro-poor); C > 0: more to stronger ones. The confidence interval
  is a seeded percentile bootstrap over villages.
* **Spatial Gini** (Rey & Smith 2013; ``inequality.gini.Gini_Spatial``): the
  Gini's sum of absolute differences split into pairs of neighbours and pairs
  of non-neighbours. A non-neighbour part larger than under random placement
  (small ``p``) means inequality lies *between regions* — neighbours are alike
  and the budget gathers in some parts of the province; otherwise it lies
  *between neighbours*. :func:`spatial_gini` gives inequality's figures (same
  permutations for the same seed) with the pair sums vectorised.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from inequality.gini import Gini

from planmap_gis import settings
from planmap_gis._errors import PlanmapError
from planmap_gis._geo import thread_count
from planmap_gis._schema import MIN_NONZERO

__all__ = ["concentration_index", "concentration_indices", "gini", "lorenz", "spatial_gini", "theil"]

SMALL = np.finfo(float).tiny


def _clean(values: object) -> np.ndarray:
    y = np.asarray(values, dtype=float)
    if y.ndim != 1:
        raise PlanmapError("equity measures take one value per village (a 1-D array).")
    if np.isnan(y).any():
        raise PlanmapError("equity measures need a value for every village; drop or fill NaN first.")
    if (y < 0).any():
        raise PlanmapError("equity measures need values ≥ 0 (e.g. budget per household, THB).")
    return y


def gini(values: object) -> float:
    """Gini coefficient (0 = equal, 1 = all to one village); NaN for fewer than 2 or all-zero values."""
    y = _clean(values)
    if len(y) < 2 or y.sum() == 0:
        return float("nan")
    return float(Gini(y).g)


def lorenz(values: object) -> pd.DataFrame:
    """Lorenz curve: cumulative share of villages (poorest first) against cumulative share of the value.

    Returns
    -------
    DataFrame
        ``population_share`` and ``value_share``, from (0, 0) to (1, 1).
    """
    y = np.sort(_clean(values))
    total = y.sum()
    value = np.concatenate([[0.0], np.cumsum(y) / total]) if total > 0 else np.linspace(0, 1, len(y) + 1)
    return pd.DataFrame({"population_share": np.linspace(0, 1, len(y) + 1), "value_share": value})


def theil(values: object, groups: object) -> dict[str, float]:
    """Theil T and its decomposition into between- and within-group inequality.

    Parameters
    ----------
    values : array-like
        One value ≥ 0 per village.
    groups : array-like
        Group label per village (e.g. amphoe code).

    Returns
    -------
    dict
        ``T``, ``between``, ``within`` (T = between + within) and
        ``between_share`` (between / T).
    """
    y = _clean(values)
    labels, g = np.unique(np.asarray(groups), return_inverse=True)
    if len(y) == 0 or y.sum() == 0:
        nan = float("nan")
        return {"T": nan, "between": nan, "within": nan, "between_share": nan}
    y = y + SMALL * (y == 0)
    n, total = len(y), y.sum()
    s = y / total
    t = float(np.sum(s * np.log(n * s)))
    n_g = np.bincount(g, minlength=len(labels)).astype(float)
    s_g = np.bincount(g, weights=s, minlength=len(labels))
    between = float(np.sum(s_g * np.log(s_g / (n_g / n))))
    return {"T": t, "between": between, "within": t - between,
            "between_share": between / t if t > 0 else float("nan")}


def concentration_index(
    values: object,
    strength: object,
    *,
    n_boot: int = 999,
    level: float = 0.95,
    seed: int | None = None,
) -> dict[str, float]:
    """Concentration index of ``values`` ranked by ``strength`` (weakest first), with a bootstrap CI.

    Parameters
    ----------
    values : array-like
        One value ≥ 0 per village, e.g. budget per household (THB).
    strength : array-like
        Strength index per village (higher = stronger). Ties share their
        mean fractional rank.
    n_boot : int
        Bootstrap resamples for the confidence interval (0 for none).
    level : float
        Confidence level of the interval.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    dict
        ``C`` (−1 … 1; negative = more to weaker communities), ``low``,
        ``high``, ``n`` and ``note``: why there is no interval (fewer than
        :data:`~planmap_gis._schema.MIN_NONZERO` villages with a non-zero value; ``low`` and
        ``high`` are then NaN), else "".
    """
    return concentration_indices([values], strength, n_boot=n_boot, level=level, seed=seed)[0]


def concentration_indices(
    series: list[Any],
    strength: object,
    *,
    n_boot: int = 999,
    level: float = 0.95,
    seed: int | None = None,
) -> list[dict[str, float]]:
    """:func:`concentration_index` of several value series over the same villages and strengths
    (a plan's whole budget and each budget layer), each resample drawn once for all of them.

    The resamples do not depend on the values, so each series' result is what
    :func:`concentration_index` gives for it with the same seed; drawing and ranking them once
    instead of once a series saves about half the time (999 resamples of 66,000 villages, five series).
    """
    seed = settings.seed if seed is None else seed
    rank_by = np.asarray(strength, dtype=float)
    n = len(rank_by)
    cleaned = [_clean(values) for values in series]
    if any(len(y) != n for y in cleaned) or np.isnan(rank_by).any():
        raise PlanmapError("concentration_index: one strength value per village, none missing.")
    ys = np.stack(cleaned) if cleaned else np.zeros((0, n))
    # Villages of equal strength share a level (and so their mean rank).
    _, grade = np.unique(rank_by, return_inverse=True)
    c = _ci(ys, grade, np.arange(n)[None, :])[:, 0]
    nonzero = np.count_nonzero(ys, axis=1)
    notes = ["" if not n_boot or k >= MIN_NONZERO else interval_note(int(k)) for k in nonzero]
    low, high = np.full(len(ys), np.nan), np.full(len(ys), np.nan)
    tested = [j for j, note in enumerate(notes) if n_boot and n > 2 and not note]
    if tested:
        rng = np.random.default_rng(seed)
        # Resamples in blocks of about 4 million values, one block per thread at a time, keep
        # memory flat for 75,000 villages. The draws are made in order, so the interval does
        # not depend on the threads.
        block = max(1, 4_000_000 // n)
        threads = thread_count()
        starts = list(range(0, n_boot, block))
        parts = []
        with ThreadPoolExecutor(threads) as pool:
            for wave in range(0, len(starts), threads):
                picks = [rng.integers(0, n, size=(min(block, n_boot - s), n))
                         for s in starts[wave:wave + threads]]
                parts += list(pool.map(lambda p: _ci(ys[tested], grade, p), picks))
        draws = np.concatenate(parts, axis=1)
        for row, j in enumerate(tested):
            kept = draws[row][~np.isnan(draws[row])]
            if len(kept):
                low[j], high[j] = np.quantile(kept, [(1 - level) / 2, (1 + level) / 2])
    return [{"C": float(c[j]), "low": float(low[j]), "high": float(high[j]), "n": n, "note": notes[j]}
            for j in range(len(ys))]


def interval_note(nonzero: int) -> str:
    """Why a bootstrap interval is not given: too few villages with a non-zero value.

    With fewer than :data:`~planmap_gis._schema.MIN_NONZERO` the resamples hold a handful of
    non-zero values (often none) and a percentile interval is a few discrete points, not an interval.
    """
    return (f"no interval: {nonzero} villages have a non-zero value, an interval needs at least {MIN_NONZERO} "
            f"/ ไม่ให้ช่วงความเชื่อมั่น: มีเพียง {nonzero} หมู่บ้านที่ได้งบ ต้องมีอย่างน้อย {MIN_NONZERO} หมู่บ้าน")


#: Resampled values ranked at a time by :func:`_ci`: its per-value arrays (bins, ranks, values,
#: sums) were 7 of 4 million values per thread, +0.29 GiB for a national plan's equity.
_CI_VALUES = 1_000_000


def _ci(ys: np.ndarray, grade: np.ndarray, picks: np.ndarray) -> np.ndarray:
    """Concentration index of each series (a row of ``ys``) in each resample (a row of ``picks``,
    village positions): one row per series, one column per resample.

    The fractional rank of a village in a resample is (villages of lower strength level
    + half of its own level's count) / n: counting per level replaces a sort per resample
    (``rankdata``, 13 s for 999 resamples of 75,000 villages) and ties share their mean rank.
    """
    rows, n = picks.shape
    step = max(1, _CI_VALUES // n)
    if rows > step:  # a few resamples at a time: each is ranked and summed on its own, the same figures
        return np.concatenate([_ci(ys, grade, picks[i:i + step]) for i in range(0, rows, step)], axis=1)
    levels = int(grade.max()) + 1
    flat = (grade[picks] + levels * np.arange(rows)[:, None]).ravel()
    count = np.bincount(flat, minlength=rows * levels).reshape(rows, levels)
    rank = (np.cumsum(count, axis=1) - count / 2) / n
    out = np.empty((len(ys), rows))
    for j, y in enumerate(ys):
        y_sum = np.bincount(flat, weights=y[picks].ravel(), minlength=rows * levels).reshape(rows, levels)
        mean = y_sum.sum(axis=1) / n
        # cov(y, R) with the ranks' own mean, 1/2 by construction
        cov = (y_sum * rank).sum(axis=1) / n - mean * 0.5
        with np.errstate(invalid="ignore", divide="ignore"):
            out[j] = np.where(mean > 0, 2 * cov / mean, np.nan)
    return out


def spatial_gini(values: object, neighbours: Any, *, permutations: int = 999,
                 seed: int | None = None) -> dict[str, float]:
    """Spatial Gini of ``values`` with binary contiguity, as ``inequality.gini.Gini_Spatial``.

    Parameters
    ----------
    values : array-like
        One value ≥ 0 per unit, e.g. budget per household (THB).
    neighbours : scipy sparse matrix or libpysal W
        Binary contiguity in the order of ``values`` (a W's ``id_order``).
    permutations : int
        Random relabellings for the pseudo p-value (0 for none).
    seed : int
        Seed of ``numpy.random.RandomState``; ``Gini_Spatial`` draws the same
        shuffles after ``numpy.random.seed(seed)``.

    Returns
    -------
    dict
        ``gini``; ``neighbour_share`` and ``nonneighbour_share`` of the sum of
        absolute differences (they add to 1); ``wcg_share`` (``Gini_Spatial.wcg_share``:
        the non-neighbour part over the Gini's denominator); ``p`` (``p_sim``: folded
        pseudo p-value of the non-neighbour part); ``expected_nonneighbour_share``
        (under random placement) and ``polarization``.
    """
    seed = settings.seed if seed is None else seed
    y = _clean(values)
    matrix = neighbours.sparse if hasattr(neighbours, "sparse") else neighbours
    coo = matrix.tocoo()
    left, right = coo.row, coo.col
    # Contiguity is symmetric: each pair of neighbours is counted from one side and doubled, half the
    # work of every permutation (a national plan: 5 tables × 99 permutations of 400,000 pairs).
    upper = left < right
    pattern = (matrix != 0).astype(np.int8).tocsr()
    twice = 2.0 if 2 * int(upper.sum()) == len(left) and (pattern != pattern.T).nnz == 0 else 1.0
    if twice == 2.0:
        left, right = left[upper], right[upper]
    n = len(y)
    nan = float("nan")
    if n < 2 or y.sum() == 0 or len(left) == 0:
        return {"gini": gini(y) if n >= 2 else nan, "neighbour_share": nan, "nonneighbour_share": nan,
                "wcg_share": nan, "p": nan, "expected_nonneighbour_share": nan, "polarization": nan}
    d = float(np.abs(y[:, None] - y[None, :]).sum()) if n <= 4000 else _sad(y)
    wg = twice * float(np.abs(y[left] - y[right]).sum())
    wcg = d - wg
    pairs = n * (n - 1) / 2
    near_pairs = twice * len(left) / 2
    out = {"gini": gini(y), "neighbour_share": wg / d, "nonneighbour_share": wcg / d,
           "wcg_share": wcg / (y.mean() * 2 * n**2),
           "polarization": (wcg / wg) * (near_pairs / (pairs - near_pairs)) if wg > 0 else nan,
           "p": nan, "expected_nonneighbour_share": nan}
    if permutations:
        rng = np.random.RandomState(seed)
        ids = np.arange(n)
        simulated = np.empty(permutations)
        step = max(1, 2_000_000 // max(len(left), 1))
        for start in range(0, permutations, step):
            block = []
            for _ in range(min(step, permutations - start)):
                rng.shuffle(ids)  # in place and in sequence, as Gini_Spatial draws them
                block.append(ids.copy())
            shuffled = y[np.asarray(block)]
            far = d - twice * np.abs(shuffled[:, left] - shuffled[:, right]).sum(axis=1)
            simulated[start:start + len(block)] = far
        larger = int((simulated >= wcg).sum())
        larger = min(larger, permutations - larger)
        out["p"] = (larger + 1.0) / (permutations + 1.0)
        out["expected_nonneighbour_share"] = float(simulated.mean() / d)
    return out


def _sad(y: np.ndarray) -> float:
    """Sum of |y_i − y_j| over all ordered pairs, from the sorted values (O(n log n))."""
    s = np.sort(y)
    n = len(s)
    return float(2 * np.sum((2 * np.arange(1, n + 1) - n - 1) * s))
