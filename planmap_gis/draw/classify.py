"""One place for class breaks, palettes and legend labels, shared by the web map and the atlas.

A printed map and the browser map of the same metric therefore show the same
classes in the same colours. Palettes are ColorBrewer schemes that are
colour-blind safe: sequential ``YlGnBu``, ``YlOrRd``, ``PuBu``, ``Purples`` for
amounts and counts; diverging ``RdBu`` and ``PuOr`` for values around a centre;
the hot/cold-spot classes use the two ends of ``RdBu``. "No data" is always a
neutral grey (``NO_DATA_COLOR``) that no palette contains, so a unit with no
value never looks like a unit with zero.
"""

from __future__ import annotations

import math
import warnings
from typing import Any
from dataclasses import dataclass, field

import mapclassify
import matplotlib
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex

from planmap_gis import settings
from planmap_gis._errors import PlanmapError
from planmap_gis.measure.need import BIVARIATE

__all__ = ["CHANGE_METRICS", "LAYER_COLORS", "METRICS", "NO_DATA_COLOR", "SCHEMES", "Classes", "Metric", "classify", "format_number"]

NO_DATA_COLOR = "#bdbdbd"
#: Project footprints by budget layer (ColorBrewer Dark2), on the web map and in print alike.
LAYER_COLORS = {1: "#1b9e77", 2: "#d95f02", 3: "#7570b3", 4: "#e7298a"}
SCHEMES = {
    "quantiles": "Quantiles",
    "natural_breaks": "FisherJenks",
    "equal_interval": "EqualInterval",
    "user": "UserDefined",
}
_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


@dataclass(frozen=True)
class Metric:
    """What a map layer shows: labels, unit, levels, palette and number format."""

    key: str
    th: str
    en: str
    unit_th: str
    unit_en: str
    levels: tuple[str, ...]
    palette: str
    kind: str = "sequential"  # sequential | diverging | categorical
    decimals: int = 0
    reverse: bool = False
    categories: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # value → colour, th, en
    #: Fixed upper bounds used instead of quantiles (values with few distinct levels).
    breaks: tuple[float, ...] = ()
    #: Diverging around this value: classes on either side come from the quantiles of the
    #: distances to it, so no class straddles it and the two sides take opposite colours.
    center: float | None = None
    #: What a unit without a value means, (Thai, English).
    no_data: tuple[str, str] = ("ไม่มีข้อมูล", "no data")


#: Metrics a map can show, by key.
METRICS: dict[str, Metric] = {m.key: m for m in (
    Metric("budget_per_household", "งบประมาณต่อครัวเรือน", "Budget per household", "บาท/ครัวเรือน",
           "THB per household", ("village", "tambon", "amphoe"), "YlGnBu"),
    Metric("budget_thb", "งบประมาณรวม", "Total budget", "บาท", "THB", ("village", "tambon", "amphoe"),
           "YlGnBu"),
    Metric("n_projects", "จำนวนโครงการ", "Number of projects", "โครงการ", "projects",
           ("village", "tambon", "amphoe"), "PuBu"),
    Metric("n_agencies", "จำนวนหน่วยงาน", "Number of agencies", "หน่วยงาน", "agencies",
           ("village", "tambon", "amphoe"), "Purples"),
    Metric("n_duplications", "ความซ้ำซ้อน (ด้าน-ปี ที่มี ≥2 หน่วยงาน)", "Duplication (sector-years with ≥2 agencies)",
           "กรณี", "cases", ("village", "tambon", "amphoe"), "YlOrRd"),
    Metric("strength_index", "ดัชนีความเข้มแข็งของชุมชน", "Community strength index", "คะแนน (0–100)",
           "score (0–100)", ("village", "tambon", "amphoe"), "RdBu", kind="diverging", decimals=1),
    # Not a "gap": it is budget per household against the provincial median, not the fair share.
    Metric("coverage_ratio", "งบต่อครัวเรือนเทียบค่ากลางจังหวัด",
           "Budget per household relative to the provincial median", "เท่าของค่ากลาง", "× median",
           ("village",), "PuOr", kind="diverging", decimals=2, reverse=True),
    Metric("priority_score", "คะแนนลำดับความสำคัญ (ความจำเป็น × ความขาดแคลน)",
           "Priority score (need × under-coverage)", "คะแนน", "score", ("village",), "YlOrRd", decimals=2),
    Metric("alignment", "ความสอดคล้องกับแผนแม่บทชุมชน (สัดส่วนความต้องการอันดับต้นที่มีโครงการรองรับ)",
           "Master-plan alignment (share of top needs met)", "สัดส่วน (0–1)", "share (0–1)",
           ("village", "tambon", "amphoe"), "RdYlBu", kind="diverging", decimals=2,
           breaks=(0.0, 0.34, 0.67, 1.0)),
    Metric("hotspot", "จุดร้อน/จุดเย็นของงบประมาณ (Gi*)", "Budget hot and cold spots (Gi*)", "", "",
           ("village",), "RdBu", kind="categorical", categories={
               "hot": ("#b2182b", "จุดร้อน (งบกระจุก)", "hot spot"),
               "cold": ("#2166ac", "จุดเย็น (งบน้อย)", "cold spot"),
               "ns": ("#f7f7f7", "ไม่มีนัยสำคัญ", "not significant"),
               "not tested": ("#e0e0e0", "ข้อมูลน้อยเกินกว่าจะทดสอบ", "too little data to test"),
               "island": ("#fee391", "ไม่มีหน่วยข้างเคียง (ไม่ทดสอบ)", "no neighbour (not tested)"),
           }),
    Metric("need", "ความจำเป็น (ครัวเรือนที่ยังต้องการการพัฒนา)", "Need (households in need)", "ครัวเรือน",
           "households", ("village", "tambon", "amphoe"), "YlOrRd", decimals=0),
    Metric("fair_share_gap", "งบที่ได้เทียบส่วนที่ควรได้ตามความจำเป็น (ได้รับ − ส่วนที่ควรได้)",
           "Budget against the fair share by need (allocated − fair share)", "บาท", "THB",
           ("village", "tambon", "amphoe"), "RdBu", kind="diverging", center=0.0),
    Metric("fair_share_gap_per_household", "ส่วนต่างจากส่วนที่ควรได้ต่อครัวเรือน",
           "Gap to the fair share per household", "บาท/ครัวเรือน", "THB per household",
           ("village", "tambon", "amphoe"), "RdBu", kind="diverging", center=0.0),
    Metric("need_budget", "ความจำเป็นเทียบงบประมาณต่อครัวเรือน (3 × 3 ระดับ)",
           "Need against budget per household (3 × 3 classes)", "", "", ("village", "tambon", "amphoe"),
           "bivariate", kind="categorical", categories=dict(BIVARIATE)),
    Metric("trend_tau", "แนวโน้มงบประมาณต่อครัวเรือนรายปี (Kendall's tau)",
           "Trend of yearly budget per household (Kendall's tau)", "tau (−1 ลด … 1 เพิ่ม)",
           "tau (−1 falling … 1 rising)", ("village", "tambon", "amphoe"), "RdBu", kind="diverging",
           decimals=2, breaks=(-0.5, -1e-9, 1e-9, 0.5, 1.0)),
    Metric("n_unsupported_projects", "โครงการที่ไม่มีคุณอำนวยที่มีทักษะในตำบล",
           "Projects without a skilled facilitator nearby", "โครงการ", "projects", ("village",), "OrRd",
           breaks=(0.0, 1.0, 2.0), no_data=("ไม่มีโครงการที่ระบุหมู่บ้านนี้", "no project targets it")),
    Metric("budget_change", "งบประมาณที่เปลี่ยนไปจากปีก่อน", "Change of budget since the earlier year",
           "บาท", "THB", ("village", "tambon", "amphoe"), "RdBu", kind="diverging", center=0.0),
    Metric("budget_per_household_change", "งบต่อครัวเรือนที่เปลี่ยนไปจากปีก่อน",
           "Change of budget per household since the earlier year", "บาท/ครัวเรือน", "THB per household",
           ("village", "tambon", "amphoe"), "RdBu", kind="diverging", center=0.0),
)}
#: Metrics drawn from a comparison of two years (``Plan.change``).
CHANGE_METRICS = ("budget_change", "budget_per_household_change")


def format_number(value: float, decimals: int = 0, *, thai_digits: bool = False) -> str:
    """A number with thousands separators ('1,234,567'); Thai digits on request ('๑,๒๓๔')."""
    try:  # float() first: pd.isna and np.isfinite on one number cost 1 µs, and a web map asks 850,000 times
        number = float(value)
    except TypeError:  # None, pd.NA, NaT
        return "–"
    if not math.isfinite(number):
        return "–"
    text = f"{number:,.{decimals}f}"
    if text.startswith("-") and not text.strip("-0.,"):  # -0.0001 rounds to "-0": a zero has no sign
        text = text[1:]
    return text.translate(_THAI_DIGITS) if thai_digits else text


@dataclass(frozen=True)
class Classes:
    """The classes of one metric's values.

    Attributes
    ----------
    bins : tuple of float
        Upper bound of each class (empty for categorical metrics).
    yb : ndarray of int
        Class of each value, aligned to the input; −1 where there is no value.
    colors : tuple of str
        Hex colour of each class.
    labels_th, labels_en : tuple of str
        Legend label of each class ("0 – 1,250", or the category name).
    scheme : str
    no_data_color : str
    """

    bins: tuple[float, ...]
    yb: np.ndarray
    colors: tuple[str, ...]
    labels_th: tuple[str, ...]
    labels_en: tuple[str, ...]
    scheme: str
    no_data_color: str = NO_DATA_COLOR

    def color_of(self) -> list[str]:
        """Colour of each input value (no-data grey where yb is −1)."""
        return [self.colors[c] if c >= 0 else self.no_data_color for c in self.yb]

    def labels(self, lang: str | None = None) -> tuple[str, ...]:
        lang = settings.language(lang)
        return self.labels_th if lang == "th" else self.labels_en


def _palette(name: str, k: int, reverse: bool) -> list[str]:
    cmap = matplotlib.colormaps[name + ("_r" if reverse else "")]
    if k == 1:
        return [to_hex(cmap(0.6))]
    # Stay off the extreme ends: the lightest ColorBrewer shade is too close to white.
    return [to_hex(cmap(x)) for x in np.linspace(0.12, 0.95, k)]


def classify(
    values: pd.Series | np.ndarray,
    metric: str | Metric,
    *,
    scheme: str = "quantiles",
    k: int = 5,
    breaks: list[float] | None = None,
    thai_digits: bool = False,
) -> Classes:
    """Classify a metric's values with mapclassify and give each class a colour and a label.

    Parameters
    ----------
    values : Series or ndarray
        One value per unit; NaN is "no data".
    metric : str or Metric
        Key of :data:`METRICS` (decides palette, kind and number format).
    scheme : {"quantiles", "natural_breaks", "equal_interval", "user"}
        mapclassify scheme (Quantiles, FisherJenks, EqualInterval, UserDefined).
    k : int
        Number of classes (fewer when the values have fewer distinct values).
    breaks : list of float, optional
        Upper bounds for ``scheme="user"``.
    thai_digits : bool
        Write legend numbers in Thai digits.
    """
    spec = METRICS[metric] if isinstance(metric, str) else metric
    raw = pd.Series(values)
    if spec.kind == "categorical":
        keys = list(spec.categories)
        yb = np.array([keys.index(v) if v in keys else -1 for v in raw])
        return Classes((), yb, tuple(c[0] for c in spec.categories.values()),
                       tuple(c[1] for c in spec.categories.values()),
                       tuple(c[2] for c in spec.categories.values()), "categorical")
    if spec.center is not None and breaks is None and scheme == "quantiles":
        return _centred(np.round(pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float), spec.decimals) + 0.0,
                        spec, k, thai_digits)
    if spec.breaks and breaks is None and scheme == "quantiles":
        scheme, breaks = "user", list(spec.breaks)
    if scheme not in SCHEMES:
        raise PlanmapError(f"classify: scheme must be one of {tuple(SCHEMES)}, got {scheme!r}.")
    # Classes on the values as printed: equal printed values (and float noise, 0.30000000000000004
    # beside 0.3) share a class, and adjacent classes' printed ranges never overlap.
    y = np.round(pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float), spec.decimals) + 0.0
    valid = ~np.isnan(y)
    yb = np.full(len(y), -1)
    if not valid.any():
        return Classes((), yb, (), (), (), scheme)
    distinct = np.unique(y[valid])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # too few distinct values: k is lowered below
        if scheme == "user":
            if not breaks:
                raise PlanmapError("classify: scheme='user' needs breaks=[...] (upper bounds).")
            bins = np.unique(mapclassify.UserDefined(y[valid], bins=sorted(breaks)).bins)
        elif len(distinct) <= k:  # few values (0, ⅓, ⅔, 1): one class each, named by its value
            bins = distinct
        else:
            bins = np.unique(getattr(mapclassify, SCHEMES[scheme])(y[valid], k=k).bins)
    yb[valid] = np.searchsorted(bins, y[valid], side="left").clip(0, len(bins) - 1)
    colors = _palette(spec.palette, len(bins), spec.reverse)
    fmt = lambda v: format_number(v, spec.decimals, thai_digits=thai_digits)  # noqa: E731
    labels = range_labels(y, yb, bins, fmt)
    return Classes(tuple(float(b) for b in bins), yb, tuple(colors), labels, labels, scheme)


def range_labels(y: np.ndarray, yb: np.ndarray, bins: Any, fmt: Any) -> tuple[str, ...]:
    """Each class named by the range of the values it holds ("345 – 835", then "836 – 1,411": never
    overlapping, never a break shown twice); a class of one value by that value ("0.00", not
    "0.00 – 0.00"); an empty class (fixed breaks) by its bounds ("> 0.34 – 0.67")."""
    labels = []
    for j, upper in enumerate(bins):
        held = y[yb == j]
        if len(held):
            lo, hi = fmt(held.min()), fmt(held.max())
            labels.append(lo if lo == hi else f"{lo} – {hi}")
        else:
            labels.append(f"> {fmt(bins[j - 1])} – {fmt(upper)}" if j else f"≤ {fmt(upper)}")
    return tuple(labels)


def _centred(y: np.ndarray, spec: Metric, k: int, thai_digits: bool) -> Classes:
    """Classes on either side of ``spec.center``: quantiles of the distances below and above it.

    Values equal to the centre form a class of their own (a unit that gets exactly its fair
    share, or no change); no class straddles the centre; the colours run from one end of the
    diverging palette below to the other above, with its midpoint for the centre.
    """
    c = float(spec.center)  # type: ignore[arg-type]
    valid = ~np.isnan(y)
    yb = np.full(len(y), -1)
    if not valid.any():
        return Classes((), yb, (), (), (), "centred")
    half = max(1, k // 2)

    def magnitudes(d: np.ndarray) -> np.ndarray:
        if not len(d):
            return np.empty(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.unique(mapclassify.Quantiles(d, k=min(half, len(np.unique(d)))).bins)

    v = y[valid]
    below, above = magnitudes(c - v[v < c]), magnitudes(v[v > c] - c)
    fmt = lambda x: format_number(x, spec.decimals, thai_digits=thai_digits)  # noqa: E731
    bins, spots = [], []
    edges_below = (c - below)[::-1]  # most negative first
    for i in range(len(edges_below)):
        bins.append(edges_below[i + 1] if i + 1 < len(edges_below) else np.nextafter(c, -np.inf))
        spots.append(0.05 + 0.35 * (i / max(len(edges_below) - 1, 1)))
    if (v == c).any():
        bins.append(c)
        spots.append(0.5)
    edges_above = c + above
    for i, hi in enumerate(edges_above):
        bins.append(hi)
        spots.append(0.6 + 0.35 * (i / max(len(edges_above) - 1, 1)))
    cmap = matplotlib.colormaps[spec.palette + ("_r" if spec.reverse else "")]
    yb[valid] = np.searchsorted(np.asarray(bins), v, side="left").clip(0, len(bins) - 1)
    colors = tuple(to_hex(cmap(x)) for x in spots)
    labels = range_labels(y, yb, bins, fmt)
    return Classes(tuple(float(b) for b in bins), yb, colors, labels, labels, "centred")
