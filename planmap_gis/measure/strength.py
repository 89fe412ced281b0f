"""The community-strength index (0–100) of each village from its indicators, and its classes."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping

import mapclassify
import numpy as np
import pandas as pd

from planmap_gis._errors import PlanmapError, SchemaError
from planmap_gis._schema import (
    KCHCH2C,
    STRENGTH,
    STRENGTH_CLASS,
    STRENGTH_CLASS_TH,
    STRENGTH_CLASSES,
)

log = logging.getLogger("planmap_gis")


def strength_index(
    indicators: pd.DataFrame,
    *,
    weights: Mapping[str, float] | None = None,
    method: str = "mean",
    breaks: tuple[float, float] | None = None,
    min_weight_share: float = 0.5,
) -> pd.DataFrame:
    """A 0–100 community-strength index and a weak/moderate/strong class per unit.

    Each input is first put on a 0–1 scale where 1 is strongest:

    * BMN pass rates (``bmn_*``) as they are (share of households passing);
    * ``kchch2c_level`` 1–3 as (level − 1) / 2;
    * any other column named in ``weights`` by min–max over the units; a
      negative weight means higher values are *weaker* (e.g. debt per
      household), and its absolute value is the weight.

    ``method="mean"`` then takes the weighted mean of the scaled inputs;
    ``method="rank"`` the weighted mean of their percentile ranks (robust to
    skewed inputs; the index then says how a unit stands among the others).
    The result is multiplied by 100.

    Parameters
    ----------
    indicators : DataFrame
        As returned by :func:`read_indicators` (one row per unit).
    weights : mapping, optional
        Column → weight. Default: weight 1 for every ``bmn_*`` column and for
        ``kchch2c_level``, i.e. equal weights.
    method : {"mean", "rank"}
    breaks : (float, float), optional
        Class breaks on the 0–100 index: below the first is weak, from the
        first up to the second moderate, above strong. Default: terciles of
        the index over the units given (``mapclassify.Quantiles(k=3)``),
        i.e. strength *relative to the province*.
    min_weight_share : float, default 0.5
        A missing input is skipped and the other weights rescaled; a unit
        whose available inputs carry less than this share of the total weight
        gets no index (NaN) and the class ``"no data"``.

    Returns
    -------
    DataFrame
        Aligned to ``indicators.index``: ``strength_index`` (0–100),
        ``strength_class`` (weak / moderate / strong / no data),
        ``strength_class_th`` (อ่อน / ปานกลาง / เข้มแข็ง / ไม่มีข้อมูล) and
        ``inputs_used``. ``result.attrs`` holds ``strength_breaks``,
        ``weights`` and ``method``.
    """
    if method not in ("mean", "rank"):
        raise PlanmapError(f"strength_index: method must be 'mean' or 'rank', got {method!r}.")
    if weights is None:
        weights = {c: 1.0 for c in indicators.columns if c.startswith("bmn_") or c == KCHCH2C}
    missing = [c for c in weights if c not in indicators]
    if missing or not weights:
        raise SchemaError(f"strength_index: no column {missing or 'to use'} in the indicators; "
                          f"available: {list(indicators.columns)}.")
    scaled = pd.DataFrame(index=indicators.index)
    for col, weight in weights.items():
        values = pd.to_numeric(indicators[col], errors="coerce").astype(float)
        if col.startswith("bmn_"):
            values = values.clip(0, 1)
        elif col == KCHCH2C:
            values = (values - 1) / 2
        else:
            span = values.max() - values.min()
            values = (values - values.min()) / span if span > 0 else values * 0 + 0.5
        scaled[col] = 1 - values if weight < 0 else values
    if method == "rank":
        scaled = scaled.rank(pct=True)
    w = pd.Series({c: abs(float(v)) for c, v in weights.items()})
    present = scaled.notna()
    used_weight = present.mul(w, axis=1).sum(axis=1)
    index = scaled.fillna(0).mul(w, axis=1).sum(axis=1) / used_weight.where(used_weight > 0) * 100
    index = index.where(used_weight >= min_weight_share * w.sum())
    valid = index.dropna()
    if breaks is None:
        breaks = _terciles(valid.to_numpy())
    codes = np.select([index.isna(), index <= breaks[0], index <= breaks[1]],
                      ["no data", "weak", "moderate"], default="strong")
    th = {**{k: v[0] for k, v in STRENGTH_CLASSES.items()}, "no data": "ไม่มีข้อมูล"}
    result = pd.DataFrame({STRENGTH: index, STRENGTH_CLASS: codes,
                           STRENGTH_CLASS_TH: [th[c] for c in codes],
                           "inputs_used": present.sum(axis=1)}, index=indicators.index)
    result.attrs.update(strength_breaks=breaks, weights=dict(weights), method=method)
    log.info("strength index (%s): class breaks %.1f / %.1f; %d units without an index", method,
             breaks[0], breaks[1], int(index.isna().sum()))
    return result


def _terciles(values: np.ndarray) -> tuple[float, float]:
    """Tercile breaks (mapclassify Quantiles, k=3); thirds of 0–100 when too few distinct values."""
    if len(np.unique(values)) >= 3:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # fewer classes than asked: handled below
            bins = mapclassify.Quantiles(values, k=3).bins
        if len(bins) == 3:
            return float(bins[0]), float(bins[1])
    return 100 / 3, 200 / 3
