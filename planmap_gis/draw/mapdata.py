"""What a map draws for one metric at one level: units, names and values from a Plan.

Shared by the web map and the atlas so that both draw the same numbers.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd

from planmap_gis._errors import PlanmapError
from planmap_gis._schema import (
    AMPHOE_CODE,
    AMPHOE_EN,
    AMPHOE_TH,
    HOUSEHOLDS,
    MOO,
    NEEDS_HOUSEHOLDS,
    NEEDS_INDICATORS,
    STRENGTH,
    TAMBON_CODE,
    TAMBON_EN,
    TAMBON_TH,
    VILLAGE_CODE,
    VILLAGE_TH,
)
from planmap_gis.draw.classify import CHANGE_METRICS, METRICS, format_number
from planmap_gis.plan import Plan

log = logging.getLogger("planmap_gis")

CODE, NAME_TH, NAME_EN, VALUE = "code", "name_th", "name_en", "value"


def units(plan: Plan, level: str) -> gpd.GeoDataFrame:
    """Units of a level with ``code``, ``name_th``, ``name_en`` (Thai names with their prefix)."""
    if level == "amphoe":
        a = plan.amphoes
        return gpd.GeoDataFrame({CODE: a[AMPHOE_CODE], NAME_TH: "อ." + a[AMPHOE_TH],
                                 NAME_EN: a[AMPHOE_EN]}, geometry=a.geometry.values, crs=a.crs)
    if level == "tambon":
        t = plan.tambons
        return gpd.GeoDataFrame({CODE: t[TAMBON_CODE], NAME_TH: "ต." + t[TAMBON_TH] + " อ." + t[AMPHOE_TH],
                                 NAME_EN: t[TAMBON_EN] + ", " + t[AMPHOE_EN]},
                                geometry=t.geometry.values, crs=t.crs)
    if level == "village":
        v = plan.villages
        tambon = plan.tambons.set_index(TAMBON_CODE)
        codes = v[VILLAGE_CODE].astype(str)
        moo = codes.str[6:].astype(int) if MOO not in v else v[MOO]
        tname = codes.str[:6].map(tambon[TAMBON_TH]).fillna("")
        name = v[VILLAGE_TH].fillna("") if VILLAGE_TH in v else pd.Series("", index=v.index)
        th = (name + " ม." + moo.astype(str) + " ต." + tname).str.strip()
        en = "Moo " + moo.astype(str) + ", " + codes.str[:6].map(tambon[TAMBON_EN]).fillna("")
        return gpd.GeoDataFrame({CODE: codes.to_numpy(), NAME_TH: th.to_numpy(), NAME_EN: en.to_numpy()},
                                geometry=v.geometry.values, crs=v.crs)
    raise PlanmapError(f"level must be village, tambon or amphoe, got {level!r}.")


def check_layer(metric: str, level: str) -> None:
    """Raise a clear error unless the metric can be drawn at the level."""
    spec = METRICS.get(metric)
    if spec is None:
        raise PlanmapError(f"unknown metric {metric!r}; choose from {', '.join(METRICS)}.")
    if level not in spec.levels:
        raise PlanmapError(f"metric {metric!r} is drawn at {' or '.join(spec.levels)} level, not {level!r}.")


def values(plan: Plan, metric: str, level: str) -> pd.Series:
    """The metric's value per unit code of the level (NaN or None where there is none)."""
    check_layer(metric, level)
    if metric in plan.metrics[level]:
        return plan.metrics[level][metric]
    if metric in CHANGE_METRICS:
        if plan.change is None:
            raise PlanmapError(f"metric {metric!r} compares two fiscal years: analyse with "
                               "compare_years=(2568, 2569) (planmap run --compare 2568 2569).",
                               th="ตัวชี้วัดนี้เปรียบเทียบสองปีงบประมาณ ให้วิเคราะห์ด้วย --compare 2568 2569")
        return plan.change.units[level][metric]
    if metric == "trend_tau":
        raise PlanmapError("metric 'trend_tau' needs projects of three or more fiscal years.",
                           th="แนวโน้มรายปีต้องมีโครงการอย่างน้อยสามปีงบประมาณ")
    if metric == STRENGTH:
        return _strength(plan, level)
    if metric == "coverage_ratio":
        return plan.priorities["coverage_ratio"] if "coverage_ratio" in plan.priorities else _none(plan)
    if metric == "priority_score":
        return plan.priorities["score"] if "score" in plan.priorities else _none(plan)
    if metric == "alignment":
        table = plan.alignment.get(level)
        return table["alignment"] if table is not None else pd.Series(np.nan, index=plan.metrics[level].index)
    if metric == "hotspot":
        return plan.hotspots["hotspot"].where(plan.hotspots["hotspot"] != "no data")
    raise PlanmapError(f"metric {metric!r} has no values in this plan.")


def unmet_sectors(plan: Plan, level: str) -> pd.Series:
    """Per unit code, the Thai sectors of its unmet top needs ("; "); empty without master plans."""
    table = plan.alignment.get(level)
    if table is None:
        return pd.Series(dtype=object)
    return table["unmet_sectors"].fillna("")


def _none(plan: Plan) -> pd.Series:
    return pd.Series(np.nan, index=plan.villages.index)


def _strength(plan: Plan, level: str) -> pd.Series:
    """Village strength; for tambon and amphoe the household-weighted mean of their villages."""
    if STRENGTH not in plan.villages:
        return pd.Series(np.nan, index=plan.metrics[level].index)
    v = plan.villages
    if level == "village":
        return v[STRENGTH]
    key = v[VILLAGE_CODE].astype(str).str[: 6 if level == "tambon" else 4]
    weight = pd.to_numeric(v[HOUSEHOLDS], errors="coerce").fillna(0).astype(float)
    ok = v[STRENGTH].notna() & (weight > 0)
    num = (v[STRENGTH] * weight)[ok].groupby(key[ok]).sum()
    den = weight[ok].groupby(key[ok]).sum()
    return (num / den).reindex(plan.metrics[level].index)


def metric_layer(plan: Plan, metric: str, level: str) -> gpd.GeoDataFrame:
    """Units of ``level`` with ``code``, names and the metric's ``value``, in EPSG:4326."""
    frame = units(plan, level)
    series = values(plan, metric, level)
    frame[VALUE] = frame[CODE].map(series).to_numpy()
    return frame.to_crs(4326)


#: The theme shown instead when a plan has no households (a workshop's first runs): budget per tambon.
FALLBACK_LAYER = ("budget_thb", "tambon")


def has_data(plan: Plan, metric: str, level: str) -> bool:
    """Whether the plan holds a value of the metric for any unit of the level."""
    try:
        return bool(values(plan, metric, level).notna().any())
    except (KeyError, PlanmapError):
        return False


def missing_data(plan: Plan) -> tuple[str, str]:
    """What data would add the themes the plan cannot show: households first, then indicators."""
    village = plan.metrics["village"]
    if HOUSEHOLDS not in village or not (village[HOUSEHOLDS].fillna(0) > 0).any():
        return NEEDS_HOUSEHOLDS
    return NEEDS_INDICATORS


def shown_metric(plan: Plan, metric: str, level: str = "village") -> str:
    """The metric a page draws: the one asked for, or the total budget when the plan holds no value
    of it (no households yet: budget per household would be grey everywhere)."""
    if has_data(plan, metric, level):
        return metric
    log.info("%s has no values in this plan (%s): the pages show %s instead", metric,
             missing_data(plan)[0], FALLBACK_LAYER[0])
    return FALLBACK_LAYER[0]


_TERCILE_WORDS = {"need": (("ต่ำ", "low"), ("กลาง", "middle"), ("สูง", "high")),
                  "budget": (("น้อย", "little"), ("ปานกลาง", "middling"), ("มาก", "much"))}
_AXIS_WORDS = {"need": ("ครัวเรือนที่ยังต้องการการพัฒนา (% ของครัวเรือน)", "households in need (% of households)", 100),
               "budget": ("งบต่อครัวเรือน (บาท/ครัวเรือน)", "budget per household (THB per household)", 1)}


def bivariate_key(plan: Plan, level: str) -> list[tuple[str, str]]:
    """The ranges each tercile of the 3 × 3 need × budget classes holds, one (Thai, English) line per
    axis, e.g. ("ครัวเรือนที่ยังต้องการการพัฒนา (% ของครัวเรือน): ต่ำ 2.9–19.9 · …", "households in need …").

    Empty when the plan holds no classes at ``level``.
    """
    breaks = plan.bivariate.get(level)
    if breaks is None or breaks.empty:
        return []
    lines = []
    for axis in ("need", "budget"):
        if axis not in breaks.index.get_level_values(0):
            continue
        th_axis, en_axis, scale = _AXIS_WORDS[axis]
        decimals = 1 if axis == "need" else 0
        parts = []
        for tercile, row in breaks.loc[axis].iterrows():
            low, high = (format_number(row[c] * scale, decimals) for c in ("low", "high"))
            parts.append((_TERCILE_WORDS[axis][int(tercile) - 1], low if low == high else f"{low}–{high}"))
        lines.append((f"{th_axis}: " + " · ".join(f"{w[0]} {r}" for w, r in parts),
                      f"{en_axis}: " + " · ".join(f"{w[1]} {r}" for w, r in parts)))
    return lines


def legend_notes(plan: Plan, metric: str, level: str) -> list[tuple[str, str]]:
    """What a legend of ``metric`` must say beyond its classes, (Thai, English) per line: the tercile
    ranges of the need × budget classes; the hot-spot test, its level and permutations, or why the
    data were not tested."""
    if metric == "need_budget":
        return bivariate_key(plan, level)
    if metric == "hotspot":
        attrs = plan.hotspots.attrs
        if attrs.get("not_tested"):
            en, th = attrs["not_tested"]
            return [(th, en)]
        if attrs.get("test"):
            return [(attrs.get("test_th", attrs["test"]), attrs["test"])]
    return []
