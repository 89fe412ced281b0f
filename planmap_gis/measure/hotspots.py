"""Spatial concentration of the budget: Getis-Ord Gi* and local Moran's I, as esda defines them.

The statistics and their permutation scheme are esda's; they run on one sparse
matrix and in vectorised blocks (``_localstats``), which takes 75,000 villages
from about a minute to a few seconds; the tests hold them to esda and libpysal.

Weights. Village areas are clipped to their tambon, so two villages on either
side of a tambon border share the border but rarely a vertex: queen contiguity
(shared vertex) misses such neighbours (4.8 instead of 5.5 per village on the
national layer). The default is therefore *fuzzy* contiguity: areas that
intersect after growing each by ``buffer_m`` metres (1 m) in the analysis CRS
are neighbours. ``weights="queen"`` or ``"rook"`` or any ``libpysal`` ``W``
aligned to the units can be passed instead.

P-values are esda's folded ("directed") conditional-permutation pseudo
p-values, as in GeoDa: the share of permutations at least as extreme in the
observed direction (``gi_p``, kept to compare with GeoDa and esda). A folded p is
one-sided toward whichever side was observed: on data without structure
P(p ≤ 0.05) = 0.10, so a "5 %" test on it is a 10 % test. The hot/cold labels use
the two-sided p-value ``gi_p2 = min(1, 2 · gi_p)``, at the level they state. Gi* uses binary weights (row-standardised weights shrink the z-scores: their
spread was ~0.43 on random data instead of ~1) and its permutation p-values;
local Moran's I uses row-standardised weights. Simulations are not kept,
which keeps memory flat. Hot and cold spots are
the units whose Gi* pseudo p-value passes the false discovery rate threshold
(Benjamini–Hochberg q-values from ``scipy.stats.false_discovery_control``,
q ≤ ``alpha`` on the two-sided p-values; ``esda.fdr`` compares strictly and misses ties at
the smallest attainable p-value, 1 / (permutations + 1)).

Enough data, or no labels. Zeros dominate a workshop's first runs: a few projects, each over
whole tambon, and hundreds of zero-budget villages beside zero-budget villages pass as "cold"
against the permutation null although they say nothing but "no project yet". Labels are
therefore given only when at least :data:`MIN_NONZERO` units hold a non-zero value and they are
at least :data:`MIN_NONZERO_SHARE` of the units tested; below that every unit is ``not tested``
and ``result.attrs["not_tested"]`` says why (Thai and English). The rule is a design choice,
checked by the simulation in ``tests/test_hotspots.py`` (a 3-project run labels nothing).

A unit with no neighbour (an island: common off the Andaman and Gulf coasts) has
no local statistic to speak of: Gi* of a lone unit only restates its own value.
It gets ``gi_p`` = NaN, takes no part in the false discovery rate and is
labelled ``island`` ("no neighbour, not tested"), never hot or cold; the
islands are listed in ``result.attrs["islands"]``.
"""

from __future__ import annotations

import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from libpysal import weights as lps
from scipy.stats import false_discovery_control, norm

from planmap_gis import settings
from planmap_gis._errors import PlanmapError
from planmap_gis._geo import threaded
from planmap_gis._schema import MIN_NONZERO, MIN_NONZERO_SHARE
from planmap_gis.measure.localstats import (
    adjacency,
    gi_star,
    local_moran,
    local_pseudo_p,
)

__all__ = ["HOTSPOT_LABELS", "TEST_NAME", "contiguity", "hotspots", "neighbour_matrix", "neighbours_within"]

#: label → (Thai, English)
HOTSPOT_LABELS: dict[str, tuple[str, str]] = {
    "hot": ("จุดร้อน (งบกระจุก)", "hot spot"),
    "cold": ("จุดเย็น (งบน้อย)", "cold spot"),
    "ns": ("ไม่มีนัยสำคัญ", "not significant"),
    "island": ("ไม่มีหน่วยข้างเคียง (ไม่ทดสอบ)", "no neighbour (not tested)"),
    "not tested": ("ข้อมูลน้อยเกินกว่าจะทดสอบ", "too little data to test"),
    "no data": ("ไม่มีข้อมูล", "no data"),
}
#: How the hot-spot test is named wherever its result is shown.
TEST_NAME = ("Getis-Ord Gi*, two-sided conditional-permutation test ({permutations} permutations), "
             "Benjamini–Hochberg false discovery rate q ≤ {alpha:g}")
TEST_NAME_TH = ("Getis-Ord Gi* ทดสอบสองทางด้วยการสลับตำแหน่ง ({permutations} ครั้ง) ควบคุมอัตราการค้นพบเท็จแบบ "
                "Benjamini–Hochberg ที่ q ≤ {alpha:g}")
_QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


def contiguity(units: gpd.GeoDataFrame, kind: str = "fuzzy", *, buffer_m: float = 1.0) -> lps.W:
    """Contiguity weights of polygons (binary), ids = the frame's index.

    Parameters
    ----------
    units : GeoDataFrame
        Polygons; projected to ``settings.analysis_crs`` first.
    kind : {"fuzzy", "queen", "rook"}
    buffer_m : float
        Growth in metres for ``fuzzy``.
    """
    metric = units.to_crs(settings.analysis_crs)
    ids = list(units.index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about islands; reported in the result
        if kind == "fuzzy":
            left, right = _fuzzy_pairs(np.asarray(metric.geometry.values), buffer_m)
            cuts = np.searchsorted(left, np.arange(len(ids) + 1))
            label = np.asarray(ids, dtype=object)
            w = lps.W({ids[i]: label[right[cuts[i]:cuts[i + 1]]].tolist() for i in range(len(ids))},
                      id_order=ids)
        elif kind == "queen":
            w = lps.Queen.from_dataframe(metric, ids=ids, use_index=False)
        elif kind == "rook":
            w = lps.Rook.from_dataframe(metric, ids=ids, use_index=False)
        else:
            raise PlanmapError(f"contiguity: kind must be fuzzy, queen or rook, got {kind!r}.")
    return w


def _fuzzy_pairs(geoms: np.ndarray, buffer_m: float) -> tuple[np.ndarray, np.ndarray]:
    """The neighbour pairs of ``libpysal.weights.fuzzy_contiguity(buffering=True, buffer=buffer_m)``.

    libpysal grows every unit by ``buffer_m`` (16 segments a quarter circle) and pairs the
    grown units that intersect, scanning all pairs once per unit (quadratic: 26 s for 75,000
    villages). The same pairs, cheaper: units that intersect are neighbours (a unit lies
    inside its grown self); grown units can only meet when the units lie within
    ``2 * buffer_m``, so only those few pairs (gaps in the source layer) are grown and
    tested. Each pair is tested once, on threads. Sorted by unit, then neighbour; self pairs
    dropped.
    """
    reach = 2 * buffer_m
    tree = shapely.STRtree(geoms)
    boxes = shapely.box(*(shapely.bounds(geoms) + [-reach, -reach, reach, reach]).T)
    left, right = tree.query(boxes)
    once = left < right
    left, right = left[once], right[once]
    # Not prepared: a unit meets some six others, too few tests to pay for its index, and the
    # indexes of 66,000 villages held 366 MiB (unprepared: 0.72 s against 0.85, the same pairs).
    # keys: should a caller's units be prepared already, each is tested in one thread only (GEOS
    # builds a prepared geometry's index on first use, not thread-safe).
    touch = threaded(lambda a, b: (shapely.intersects(geoms[a], geoms[b]),), left, right,
                     min_chunk=20_000, keys=left)[0]
    gap = np.flatnonzero(~touch)
    gap = gap[threaded(lambda a, b: (shapely.dwithin(geoms[a], geoms[b], reach),), left[gap],
                       right[gap], min_chunk=20_000, keys=left[gap])[0]]
    units, at = np.unique(np.concatenate([left[gap], right[gap]]), return_inverse=True)
    grown = threaded(lambda g: (shapely.buffer(g, buffer_m, quad_segs=16),), geoms[units],
                     min_chunk=2_000)[0]
    touch[gap] = shapely.intersects(grown[at[:len(gap)]], grown[at[len(gap):]])
    left, right = np.concatenate([left[touch], right[touch]]), np.concatenate([right[touch], left[touch]])
    order = np.lexsort((right, left))
    return left[order], right[order]


def _binary(w: lps.W) -> Any:
    """A libpysal W as a binary CSR adjacency in its id order, without self-neighbours."""
    matrix = w.sparse.tocoo()
    return adjacency(matrix.row, matrix.col, w.n)


def neighbour_matrix(units: gpd.GeoDataFrame, weights: str | lps.W = "fuzzy") -> tuple[str, Any]:
    """Binary contiguity of polygons as a CSR matrix in the frame's row order, and its kind.

    The hot spots and the spatial Gini use the same neighbours (see the module docstring).
    """
    if isinstance(weights, str) and weights == "fuzzy":
        metric = np.asarray(units.geometry.to_crs(settings.analysis_crs).values)
        return weights, adjacency(*_fuzzy_pairs(metric, 1.0), len(units))
    if isinstance(weights, str):
        return weights, _binary(contiguity(units, weights))
    return "given", _binary(weights)


def neighbours_within(shared: tuple[str, Any], index: pd.Index, subset: pd.Index) -> tuple[str, Any]:
    """The contiguity of the units ``subset`` out of ``shared``, the contiguity of every unit of
    ``index`` (:func:`neighbour_matrix` of the whole frame, in its row order).

    Whether two units are neighbours depends on those two units only (they meet, or their grown
    outlines do), so the rows and columns of the subset are the matrix :func:`neighbour_matrix`
    gives for the subset itself: the villages' contiguity is built once for the hot spots and the
    spatial Gini (1.4 s at 66,000 villages).
    """
    kind, matrix = shared
    at = index.get_indexer(subset)
    if (at < 0).any():
        raise PlanmapError("neighbours_within: the subset holds units the shared contiguity does not.")
    part = matrix[at][:, at].tocsr()
    part.sort_indices()
    return kind, part


def hotspots(
    units: gpd.GeoDataFrame,
    column: str,
    *,
    weights: str | lps.W = "fuzzy",
    permutations: int = 999,
    alpha: float = 0.05,
    seed: int | None = None,
    neighbours: tuple[str, Any] | None = None,
) -> pd.DataFrame:
    """Gi* hot/cold spots and local Moran's I of one column over polygons.

    Parameters
    ----------
    units : GeoDataFrame
        Village (or tambon) areas with ``column``; rows with no geometry or
        no value are left out of the weights and get ``no data``.
    column : str
        The variable, e.g. ``budget_per_household`` (THB per household).
    weights : {"fuzzy", "queen", "rook"} or libpysal W
        Contiguity (see the module docstring).
    permutations : int
        Conditional permutations for pseudo p-values.
    alpha : float
        False discovery rate for the hot/cold labels.
    seed : int, optional
        Permutation seed; ``settings.seed`` by default.
    neighbours : (kind, CSR matrix), optional
        The contiguity of every row of ``units`` (:func:`neighbour_matrix`), when it is already
        made; ``weights`` is then not used. Made here when None.

    Returns
    -------
    DataFrame
        Aligned to ``units.index``: ``gi_z``, ``gi_p`` (folded, as esda), ``gi_p2`` (two-sided),
        ``gi_q`` (BH q-value of ``gi_p2``), ``moran_i``, ``moran_p``, ``moran_quadrant`` (HH, LH, LL,
        HL), ``hotspot`` (hot / cold / ns / island / not tested / no data), ``hotspot_th`` and
        ``neighbours``.
        ``result.attrs`` holds the weights kind, mean neighbours, islands,
        permutations and the largest p-value that passed the FDR (0 if none).
    """
    seed = settings.seed if seed is None else seed
    value = pd.to_numeric(units[column], errors="coerce")
    usable = units.geometry.notna() & ~units.geometry.is_empty & value.notna()
    subset = units[usable]
    out = pd.DataFrame(index=units.index, data={
        "gi_z": np.nan, "gi_p": np.nan, "gi_p2": np.nan, "gi_q": np.nan, "moran_i": np.nan, "moran_p": np.nan,
        "moran_quadrant": None, "hotspot": "no data", "neighbours": 0})
    if len(subset) < 3:
        out["hotspot_th"] = out["hotspot"].map(lambda k: HOTSPOT_LABELS[k][0])
        return out
    kind, matrix = (neighbour_matrix(subset, weights) if neighbours is None
                    else neighbours_within(neighbours, units.index, subset.index))
    y = value[usable].to_numpy(dtype=float)
    cardinality = np.diff(matrix.indptr)
    gi, gi_z = gi_star(matrix, y)
    moran, quadrant = local_moran(matrix, y)
    if permutations:
        p_gi, p_moran = local_pseudo_p(y, cardinality, gi, moran, permutations=permutations, seed=seed)
    else:  # the normal approximation of Gi*
        p_gi, p_moran = norm.sf(np.abs(gi_z)), np.full(len(y), np.nan)
    island = cardinality == 0
    p_gi = np.where(island, np.nan, p_gi)
    p_moran = np.where(island, np.nan, p_moran)
    p_two = np.minimum(1.0, 2.0 * p_gi)  # the folded p is one-sided toward the side observed
    q = np.full(len(y), np.nan)
    tested = ~island & np.isfinite(p_two)
    nonzero = int(np.count_nonzero(y[tested]))
    enough = nonzero >= MIN_NONZERO and nonzero >= MIN_NONZERO_SHARE * max(int(tested.sum()), 1)
    if tested.any():
        q[tested] = false_discovery_control(p_two[tested], method="bh")
    significant = tested & (np.nan_to_num(q, nan=1.0) <= alpha) & enough
    threshold = float(p_two[significant].max()) if significant.any() else 0.0
    label = np.where(significant & (gi_z > 0), "hot", np.where(significant & (gi_z < 0), "cold",
                                                                np.where(island, "island", "ns")))
    if not enough:
        label = np.where(island, "island", "not tested")
        out.attrs["not_tested"] = (
            f"hot and cold spots not tested: {nonzero} units have a non-zero value; a test needs at least "
            f"{MIN_NONZERO} and {MIN_NONZERO_SHARE:.0%} of the units (more projects placed on villages make it "
            "testable)",
            f"ไม่ทดสอบจุดร้อน/จุดเย็น: มีเพียง {nonzero} หน่วยที่ได้งบ ต้องมีอย่างน้อย {MIN_NONZERO} หน่วย และ "
            f"{MIN_NONZERO_SHARE:.0%} ของหน่วยทั้งหมด (เมื่อมีโครงการลงหมู่บ้านมากขึ้นจึงทดสอบได้)")
    out.loc[usable, "gi_z"] = gi_z
    out.loc[usable, "gi_p"] = p_gi
    out.loc[usable, "gi_p2"] = p_two
    out.loc[usable, "gi_q"] = q
    out.loc[usable, "moran_i"] = moran
    out.loc[usable, "moran_p"] = p_moran
    out.loc[usable, "moran_quadrant"] = np.asarray(["", *_QUADRANTS.values()], dtype=object)[quadrant]
    out.loc[usable, "hotspot"] = label
    out.loc[usable, "neighbours"] = cardinality
    out["hotspot_th"] = out["hotspot"].map(lambda k: HOTSPOT_LABELS[k][0])
    out.attrs.update(weights=kind, mean_neighbours=float(cardinality.mean()),
                     islands=list(subset.index[cardinality == 0]),
                     permutations=permutations, fdr_threshold=float(threshold), alpha=alpha,
                     test=TEST_NAME.format(alpha=alpha, permutations=permutations),
                     test_th=TEST_NAME_TH.format(alpha=alpha, permutations=permutations))
    return out
