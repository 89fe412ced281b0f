"""Need against response: each village's fair share of each budget layer, and the gap.

The equity figures (:mod:`planmap_gis.measure.equity`) say *whether* the budget is
unequal; this module says *where* each village stands against a fair share of
it, the "need vs response" reading of OCHA's 3W/4W practice and the World
Bank's Mapping for Results.

* **Need** of a village: by default ``households × (1 − strength index / 100)``
  — the households a community's weakness puts in need; or any column the
  analyst names (households failing BMN indicators, TPMAP target households…).
* **Fair share** of budget layer *k* for village *v*:
  ``fair = B_k × need_v / Σ need``, with ``B_k`` the layer's budget allocated to
  the villages that have a need on record (the *pool*). Villages with no need on
  record (no strength index or no households) are left out of the pool and
  reported; within the pool the fair shares of a layer sum to ``B_k``.
* **Gap** = allocated − fair (THB): negative = less than the fair share. The
  gaps of a layer sum to 0 over the pool. Per household: gap / households.

Tambon and amphoe figures are sums over their villages in the pool.
"""

from __future__ import annotations

import warnings

import mapclassify
import numpy as np
import pandas as pd

from planmap_gis._errors import SchemaError
from planmap_gis._schema import HOUSEHOLDS, STRENGTH, VILLAGE_CODE, stand_ins
from planmap_gis.report import ImportReport

__all__ = ["BIVARIATE", "LAYERS", "bivariate_breaks", "bivariate_classes", "fair_shares", "money_to_move", "roll_up", "underserved", "village_need"]

LAYERS = (1, 2, 3, 4)
NEED = "need"

#: Bivariate classes need × budget per household: key → (colour, Thai, English). Key "n3b1" is
#: need tercile 3 (highest) and budget tercile 1 (lowest). Joshua Stevens' 3 × 3 green-blue
#: scheme: need runs to green, budget to blue, both to dark teal.
BIVARIATE: dict[str, tuple[str, str, str]] = {
    "n3b1": ("#73ae80", "ความจำเป็นสูง งบน้อย (ยังไม่ได้รับการตอบสนอง)", "high need, little budget (under-served)"),
    "n3b2": ("#5a9178", "ความจำเป็นสูง งบปานกลาง", "high need, middling budget"),
    "n3b3": ("#2a5a5b", "ความจำเป็นสูง งบมาก (ได้รับการตอบสนอง)", "high need, much budget (answered)"),
    "n2b1": ("#b8d6be", "ความจำเป็นปานกลาง งบน้อย", "middling need, little budget"),
    "n2b2": ("#90b2b3", "ความจำเป็นปานกลาง งบปานกลาง", "middling need, middling budget"),
    "n2b3": ("#567994", "ความจำเป็นปานกลาง งบมาก", "middling need, much budget"),
    "n1b1": ("#e8e8e8", "ความจำเป็นต่ำ งบน้อย", "low need, little budget"),
    "n1b2": ("#b5c0da", "ความจำเป็นต่ำ งบปานกลาง", "low need, middling budget"),
    "n1b3": ("#6c83b5", "ความจำเป็นต่ำ งบมาก (ได้เกินความจำเป็น)", "low need, much budget (beyond its need)"),
}


def village_need(villages: pd.DataFrame, column: str | pd.Series | None = None) -> pd.Series:
    """Need per village (a number of households, or the unit of the named column).

    Parameters
    ----------
    villages : DataFrame
        Indexed by village code, with ``households`` and, for the default, ``strength_index``
        (0–100).
    column : str or Series, optional
        A column of ``villages`` (or a Series by village code) holding the need, e.g.
        households failing BMN indicators. Default ``households × (1 − strength / 100)``.

    Returns
    -------
    Series
        Need ≥ 0 aligned to ``villages.index``; NaN where it is not on record.
    """
    if column is None:
        if STRENGTH not in villages:
            return pd.Series(np.nan, index=villages.index, name=NEED)
        households = pd.to_numeric(villages[HOUSEHOLDS], errors="coerce")
        need = households * (1 - villages[STRENGTH].astype(float) / 100)
    elif isinstance(column, pd.Series):
        need = pd.to_numeric(column, errors="coerce").reindex(villages.index)
    else:
        if column not in villages:
            raise SchemaError(f"need column {column!r} is not among the village columns "
                              f"({', '.join(map(str, villages.columns))}).",
                              th=f"ไม่พบคอลัมน์ความจำเป็น {column!r} ในข้อมูลหมู่บ้าน")
        need = pd.to_numeric(villages[column], errors="coerce")
    if (need < 0).any():
        raise SchemaError(f"need: {int((need < 0).sum())} villages have a negative need; a need is a "
                          "count of households or people (≥ 0).",
                          th="ความจำเป็นของบางหมู่บ้านติดลบ ต้องเป็นจำนวนครัวเรือนหรือคน (ไม่ติดลบ)")
    return need.astype(float).rename(NEED)


def fair_shares(budgets: pd.DataFrame, need: pd.Series, households: pd.Series,
                report: ImportReport | None = None) -> pd.DataFrame:
    """Fair share and gap of every budget layer per village.

    Parameters
    ----------
    budgets : DataFrame
        Per village code, ``budget_layer_1`` … ``budget_layer_4`` (THB allocated).
    need : Series
        :func:`village_need`, same index.
    households : Series
        Households per village, same index (for the per-household gap).
    report : ImportReport, optional
        Receives one line per village left out of the pool.

    Returns
    -------
    DataFrame
        Aligned to ``budgets.index``: ``need``, ``need_share`` (of Σ need),
        ``fair_layer_k`` and ``gap_layer_k`` (THB) per layer, ``fair_thb``,
        ``fair_share_gap`` (THB, allocated − fair over all layers) and
        ``fair_share_gap_per_household`` (THB per household). NaN outside the pool.
    """
    need = need.reindex(budgets.index)
    pool = need.notna().to_numpy()
    total_need = float(need[pool].sum())
    out = pd.DataFrame(index=budgets.index)
    out[NEED] = need
    out["need_share"] = need / total_need if total_need > 0 else np.nan
    fair_total = pd.Series(0.0, index=budgets.index)
    gap_total = pd.Series(0.0, index=budgets.index)
    for k in LAYERS:
        allocated = budgets[f"budget_layer_{k}"].astype(float)
        layer_budget = float(allocated[pool].sum())
        fair = layer_budget * out["need_share"] if total_need > 0 else pd.Series(np.nan, index=budgets.index)
        fair = fair.where(pool)
        out[f"fair_layer_{k}"] = fair
        out[f"gap_layer_{k}"] = allocated.where(pool) - fair
        fair_total += fair
        gap_total += out[f"gap_layer_{k}"]
    out["fair_thb"] = fair_total.where(pool)
    out["fair_share_gap"] = gap_total.where(pool)
    hh = pd.to_numeric(households.reindex(budgets.index), errors="coerce")
    out["fair_share_gap_per_household"] = out["fair_share_gap"] / hh.where(hh > 0)
    if report is not None:
        _left_out(report, budgets.index[~pool].tolist())
        if not pool.any():  # a workshop without a register: said as such, not as needs of 0
            report.add("warning", "no village has need on record: no fair shares",
                       "ไม่มีหมู่บ้านใดมีข้อมูลความจำเป็น จึงคำนวณส่วนที่ควรได้ไม่ได้")
        elif total_need == 0:
            report.add("warning", "no village has a need above 0: no fair shares",
                       "ไม่มีหมู่บ้านใดมีความจำเป็นมากกว่า 0 จึงคำนวณส่วนที่ควรได้ไม่ได้")
    return out


#: Villages without need said one by one up to this many; beyond, one line with their count (a
#: workshop without a register has a stand-in village per tambon: 170 lines saying the same).
LEFT_OUT_LISTED = 10


def _left_out(report: ImportReport, codes: list[str]) -> None:
    """The villages left out of the fair shares for want of need, in the report."""
    why_en, why_th = "no need on record (no strength index or households); left out of the fair shares", \
        "ไม่มีข้อมูลความจำเป็น (ไม่มีดัชนีความเข้มแข็งหรือจำนวนครัวเรือน) จึงไม่คำนวณส่วนที่ควรได้"
    if len(codes) <= LEFT_OUT_LISTED:
        for code in codes:
            report.add("info", f"village {code}: {why_en}", f"หมู่บ้าน {code}: {why_th}", value=code, column=NEED)
        return
    shown = ", ".join(map(str, codes[:LEFT_OUT_LISTED])) + f" … {codes[-1]}"
    # Without a register the units are the tambon's stand-ins: counted as tambon.
    en, th = (("tambon (no village register)", "ตำบล (ไม่มีทะเบียนหมู่บ้าน)") if stand_ins(codes).all()
              else ("villages", "หมู่บ้าน"))
    report.add("info", f"{len(codes):,} {en}: {why_en} (their need is blank in the village tables)",
               f"{len(codes):,} {th}: {why_th} (ช่องความจำเป็นในตารางหมู่บ้านว่าง)", value=shown, column=NEED)


def money_to_move(gap: object) -> float:
    """The money that would have to move from villages above their fair share to villages below it
    (THB): the sum of the shortfalls, Σ max(0, −gap) over the villages with a gap (fair shares of a
    layer sum to its budget, so the gaps sum to 0 and this is money to move, not money short)."""
    values = np.asarray(gap, dtype=float)
    return float(-values[values < 0].sum())


_SUMMED = [NEED, *[f"fair_layer_{k}" for k in LAYERS], *[f"gap_layer_{k}" for k in LAYERS],
           "fair_thb", "fair_share_gap"]


def roll_up(village_fair: pd.DataFrame, households: pd.Series, units: pd.Index, width: int) -> pd.DataFrame:
    """Village fair shares summed to tambon (``width`` 6) or amphoe (4) codes, in ``units`` order.

    The per-household gap of a unit is its summed gap over its pool villages' households.
    """
    pool = village_fair[NEED].notna()
    key = village_fair.index.astype(str).str[:width]
    sums = village_fair.loc[pool, _SUMMED].groupby(key[pool]).sum(min_count=1)
    hh = pd.to_numeric(households.reindex(village_fair.index), errors="coerce")[pool].groupby(key[pool]).sum()
    out = sums.reindex(units)
    total_need = float(village_fair.loc[pool, NEED].sum())
    out.insert(1, "need_share", out[NEED] / total_need if total_need > 0 else np.nan)
    out["fair_share_gap_per_household"] = out["fair_share_gap"] / hh.reindex(units).where(lambda h: h > 0)
    return out


#: Decimals the 3 × 3 classes are computed and printed at: need per household (a share, 0.001 = 0.1 %),
#: budget per household (THB).
_PRECISION = {"need": 3, "budget": 0}


def bivariate_classes(need_per_household: pd.Series, budget_per_household: pd.Series) -> pd.Series:
    """3 × 3 class of each village: need tercile × budget-per-household tercile (``"n3b1"`` …).

    Terciles are mapclassify ``Quantiles(k=3)`` over the villages that have both values, rounded to
    :data:`_PRECISION` (need per household to 0.001, budget per household to 1 THB); a
    village lacking either gets None. Keys and colours: :data:`BIVARIATE`.
    """

    # Classes on the values as printed (need to 0.1 %, budget to the baht): equal printed values share
    # a class and a key's ranges never overlap.
    need_per_household = need_per_household.round(_PRECISION["need"])
    budget_per_household = budget_per_household.round(_PRECISION["budget"])
    ok = need_per_household.notna() & budget_per_household.notna()
    out = pd.Series(None, index=need_per_household.index, dtype=object)
    if ok.sum() < 3:
        return out

    def tercile(values: pd.Series) -> np.ndarray:
        y = values[ok].to_numpy(dtype=float)
        if len(np.unique(y)) < 3:  # too few levels for terciles: rank halves, ties kept together
            return np.where(y > np.median(y), 3, 1) if len(np.unique(y)) > 1 else np.full(len(y), 2)
        with warnings.catch_warnings():  # tied quantiles merge into fewer classes: that is the answer, not news
            warnings.simplefilter("ignore", UserWarning)
            return mapclassify.Quantiles(y, k=3).yb + 1

    n, b = tercile(need_per_household), tercile(budget_per_household)
    out[ok] = [f"n{i}b{j}" for i, j in zip(n, b, strict=True)]
    return out


def bivariate_breaks(table: pd.DataFrame) -> pd.DataFrame:
    """The range each tercile of the 3 × 3 classes holds, for keys and legends to print.

    Parameters
    ----------
    table : DataFrame
        A coverage table with ``need_budget`` (:func:`bivariate_classes`), ``need_per_household``
        (households in need per household, 0–1) and ``budget_per_household`` (THB per household).

    Returns
    -------
    DataFrame
        Indexed by (``axis`` ∈ {"need", "budget"}, ``tercile`` 1–3): ``low`` and ``high`` (the
        smallest and largest value of the units in that tercile) and ``n`` (units). Empty when no
        unit has a class. A tercile no unit falls in (ties merged it) is absent.
    """
    keys = table.get("need_budget", pd.Series(dtype=object))
    held = keys.dropna().astype(str)
    rows = []
    for axis, column, at in (("need", "need_per_household", 1), ("budget", "budget_per_household", 3)):
        if held.empty or column not in table:
            continue
        values = pd.to_numeric(table.loc[held.index, column], errors="coerce").round(_PRECISION[axis])
        grouped = values.groupby(held.str[at].astype(int)).agg(["min", "max", "size"])
        rows += [(axis, int(t), float(r["min"]), float(r["max"]), int(r["size"])) for t, r in grouped.iterrows()]
    out = pd.DataFrame(rows, columns=["axis", "tercile", "low", "high", "n"])
    return out.set_index(["axis", "tercile"])


def underserved(village_fair: pd.DataFrame, villages: pd.DataFrame, *, top: int = 20) -> pd.DataFrame:
    """The villages furthest below their fair share (THB), with what explains it.

    Returns
    -------
    DataFrame
        At most ``top`` villages with a negative gap, most under-served first: ``rank``,
        ``village_code``, name, ``households``, ``strength_index``, ``need``, ``budget_thb``
        (allocated), ``fair_thb``, ``fair_share_gap`` and ``fair_share_gap_per_household``.
    """
    short = village_fair[village_fair["fair_share_gap"] < 0].sort_values(
        ["fair_share_gap", NEED], ascending=[True, False]).head(top)
    cols = [c for c in ("village_th", HOUSEHOLDS, STRENGTH, "budget_thb") if c in villages]
    out = villages.reindex(short.index)[cols].join(
        short[[NEED, "fair_thb", "fair_share_gap", "fair_share_gap_per_household"]])
    out.insert(0, VILLAGE_CODE, short.index.astype(str))
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out.reset_index(drop=True)
