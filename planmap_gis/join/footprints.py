"""Which village each point lies in, and how much of each line or polygon lies in each village.

The geometric half of :func:`~planmap_gis.join.allocate`: pairs of (project row, village
position) with the count, length (m) or area (m²) measured in ``settings.analysis_crs``, from
shapely's bulk STRtree queries and GEOS's tests and overlays on threads.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planmap_gis._geo import projected, threaded
from planmap_gis._schema import VILLAGE_CODE


def _point_pairs(points: gpd.GeoSeries, villages: gpd.GeoDataFrame, rows: np.ndarray) -> pd.DataFrame:
    """Each point with the village containing it (on a shared border: the lowest village code).

    A MultiPoint counts each of its points once, so its budget follows where its points are.
    """
    # Containment needs no projection: query in the villages' own CRS, on their cached tree.
    if villages.crs is not None and points.crs is not None and not points.crs.equals(villages.crs):
        points = points.to_crs(villages.crs)
    geoms = np.asarray(points.values)
    owner = np.arange(len(geoms))
    if (shapely.get_type_id(geoms) != 0).any():
        geoms, owner = shapely.get_parts(geoms, return_index=True)
    # Bounding boxes first, then point-in-polygon on prepared polygons: faster than asking
    # the tree for "intersects", which prepares each point instead of each village.
    tree = villages.geometry.sindex
    areas = np.asarray(villages.geometry.values)
    # Prepared here, their indexes dropped once the points are placed: the objects are the caller's
    # villages, which the plan keeps, so they are left as they came (a national register's point
    # indexes are small, 5 MiB, but would live as long as the plan). The caller's own preparations stay.
    ours = ~shapely.is_prepared(areas)
    shapely.prepare(areas)

    def candidates(part: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        left, right = tree.query(part)  # bounding boxes only: the tree is read, never changed
        return index[left], right

    # Points in Hilbert order: neighbouring points meet the same tree nodes while they are in the
    # cache (a million points arrive in no spatial order); the tests then run polygon by polygon,
    # each polygon in one thread only (its prepared index is built on first use, not thread-safe).
    xy = shapely.get_coordinates(geoms)
    order = _hilbert_order(xy, villages.total_bounds) if len(geoms) > 10_000 else np.arange(len(geoms))
    left, right = threaded(candidates, geoms[order], order)
    by_area = np.argsort(right, kind="stable")
    left, right = left[by_area], right[by_area]

    def contained(point: np.ndarray, area: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        inside = shapely.intersects_xy(areas[area], xy[point, 0], xy[point, 1])
        return point[inside], area[inside]

    left, right = threaded(contained, left, right, keys=right)
    shapely.destroy_prepared(areas[ours])
    if len(left) > 1 and (left[1:] <= left[:-1]).any():
        codes = villages[VILLAGE_CODE].astype(str).to_numpy()
        order = np.lexsort((codes[right], left))
        left, right = left[order], right[order]
        first = np.r_[True, left[1:] != left[:-1]]
        left, right = left[first], right[first]
    pairs = pd.DataFrame({"p": rows[owner[left]], "v": right, "m_len": np.ones(len(left))})
    if len(owner) > len(points):  # several points of one MultiPoint in one village
        pairs = pairs.groupby(["p", "v"], as_index=False, sort=False)["m_len"].sum()
    return pairs


def _hilbert_order(xy: np.ndarray, bounds: np.ndarray, level: int = 16) -> np.ndarray:
    """Positions of points sorted along a Hilbert curve over ``bounds`` (x0, y0, x1, y1)."""
    span = np.maximum(np.asarray(bounds[2:]) - np.asarray(bounds[:2]), 1e-12)
    side = (1 << level) - 1
    cell = np.clip((xy - np.asarray(bounds[:2])) / span * side, 0, side).astype(np.int64)
    x, y, d = cell[:, 0], cell[:, 1], np.zeros(len(xy), dtype=np.int64)
    s = 1 << (level - 1)
    while s > 0:  # the classic xy → d walk, vectorised over the points
        rx, ry = (x & s) > 0, (y & s) > 0
        d += s * s * ((3 * rx) ^ ry)
        flip = ~ry
        x, y = np.where(flip & rx, side - x, x), np.where(flip & rx, side - y, y)
        x, y = np.where(flip, y, x), np.where(flip, x, y)
        s >>= 1
    return np.argsort(d, kind="stable")


def _measured_pairs(shapes: gpd.GeoSeries, villages: gpd.GeoDataFrame, rows: np.ndarray,
                    dim: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Length (lines) or area (polygons) of each footprint inside each village, and in all (m, m²)."""
    # One after the other, each on every thread (see `projected`): side by side in two threads, as
    # they were, P2's two layers took as long as in turn (0.47 s; 0.35 s now).
    shapes_m, areas_m = projected(shapes), projected(villages.geometry)
    footprints, areas = np.asarray(shapes_m.values), np.asarray(areas_m.values)
    usable = np.flatnonzero(~(shapely.is_missing(areas) | shapely.is_empty(areas)))
    targets = areas[usable]
    full = np.where(dim == 1, shapely.length(footprints), shapely.area(footprints))
    # Boxes, then tests on each village prepared (pairs by village: one thread each, see `threaded`),
    # and GEOS's overlay only where a footprint crosses a village's edge. A footprint inside a village
    # is measured whole, a village inside a footprint is its area: their intersection's figures to
    # 1e-15 of the footprint. P2 in one thread: overlays 4.8 → 4.1 s, tests 0.64 s (the tree's, on
    # each footprint prepared) → 0.4.
    left, right = shapely.STRtree(targets).query(footprints)
    by_target = np.argsort(right, kind="stable")
    left, right = left[by_target], right[by_target]
    shapely.prepare(targets)
    box, target_box = shapely.bounds(footprints), shapely.bounds(targets)

    def measured(foot: np.ndarray, target: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, ...]:
        shape, area = footprints[foot], targets[target]
        # Only a footprint whose box lies in the village's box can lie in the village (and the other
        # way round): the tests run on those pairs only.
        a, b = box[foot], target_box[target]
        inside = np.zeros(len(foot), dtype=bool)
        may = _box_within(a, b)
        inside[may] = shapely.contains_properly(area[may], shape[may])
        crossing = np.flatnonzero(~inside)
        crossing = crossing[shapely.intersects(area[crossing], shape[crossing])]
        covered = np.zeros(len(crossing), dtype=bool)
        may = _box_within(b[crossing], a[crossing])
        covered[may] = shapely.contains_properly(shape[crossing[may]], area[crossing[may]])
        measure = np.zeros(len(foot))
        measure[inside] = full[foot[inside]]
        measure[crossing[covered]] = shapely.area(area[crossing[covered]])
        cut = crossing[~covered]
        pieces = _overlay(shape[cut], area[cut], a[cut])
        measure[cut] = np.where(dim[foot[cut]] == 1, shapely.length(pieces), shapely.area(pieces))
        keep = measure > 0
        return foot[keep], target[keep], measure[keep], at[keep]

    left, right, measure, at = threaded(measured, left, right, by_target, min_chunk=2_000, keys=right)
    back = np.argsort(at)  # the pairs in the tree's order again, as the rows were before
    left, right, measure = left[back], right[back], measure[back]
    return pd.DataFrame({"p": rows[left], "v": usable[right], "m_len": measure}), full


#: How far the box a village is clipped to lies outside its footprint's box: this share of the
#: footprint's larger side, and at least a metre (the clip's new edges stay off the footprint).
_CLIP_MARGIN, _CLIP_MARGIN_M = 0.01, 1.0


def _overlay(shapes: np.ndarray, areas: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """``shapely.intersection(shapes, areas)``, each village first clipped to its footprint's box
    (x0, y0, x1, y1), widened by the margin: the same pieces (their areas to 1e-12), faster.

    GEOS's overlay builds a point locator over the whole of each input, so a village of 400
    vertices cost a footprint 80 µs where the part of it near the footprint costs 45; a rectangle
    clip is linear. P2's 82,216 overlays: 4.7 s of CPU → 4.0–4.3 with the clips (0.6–0.7) in it.
    """
    grown = boxes + np.outer(np.maximum(_CLIP_MARGIN * np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] -
                                                                   boxes[:, 1]), _CLIP_MARGIN_M), [-1, -1, 1, 1])
    # A village whose box lies in the footprint's is kept whole: clipping would copy it for nothing.
    clip = np.ones(len(areas), dtype=bool)
    clip[_box_within(shapely.bounds(areas), grown)] = False
    clipped = areas.copy()
    clipped[clip] = _clip_by_rects(areas[clip], grown[clip])
    try:
        return shapely.intersection(shapes, clipped)
    except shapely.errors.GEOSException:
        # A rectangle clip may leave a "dirty" ring (shapely's word) where it meets the box's edge,
        # away from the footprint; an overlay that fails on one is done on the villages as they are.
        return shapely.intersection(shapes, areas)


#: shapely's ufunc beneath ``shapely.clip_by_rect``: a rectangle per geometry, where the public
#: function takes one rectangle for all (P2's 75,944 clips, a call each: 0.8–0.9 s; the ufunc
#: 0.6–0.7). Not part of shapely's API, so only used while it is a ufunc of (geometry, x0, y0, x1, y1).
_RECT_CLIP = getattr(shapely.lib, "clip_by_rect", None)
_RECT_CLIP = _RECT_CLIP if isinstance(_RECT_CLIP, np.ufunc) and _RECT_CLIP.nin == 5 else None


def _clip_by_rects(geoms: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Each geometry clipped to its own rectangle (x0, y0, x1, y1), as ``shapely.clip_by_rect``."""
    if _RECT_CLIP is not None:
        return _RECT_CLIP(geoms, *boxes.T)
    out = np.empty(len(geoms), dtype=object)
    out[:] = [shapely.clip_by_rect(g, *b) for g, b in zip(geoms, boxes, strict=True)]
    return out


def _box_within(inner: np.ndarray, outer: np.ndarray) -> np.ndarray:
    """Positions where the box ``inner`` (x0, y0, x1, y1) lies strictly inside the box ``outer``."""
    return np.flatnonzero((inner[:, :2] > outer[:, :2]).all(axis=1) & (inner[:, 2:] < outer[:, 2:]).all(axis=1))
