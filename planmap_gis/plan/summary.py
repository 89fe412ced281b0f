"""The plan in a few lines for a terminal or a notebook: every figure with what it measures, and in
words (Thai and English) what data it needs where the data cannot support it — never ``nan``.
"""

from __future__ import annotations

import math
from typing import Any

from planmap_gis._schema import NEEDS_HOUSEHOLDS, NEEDS_INDICATORS, NO_PROJECT_RULE, VILLAGE_CODE, stand_ins
from planmap_gis.measure.change import MIN_TREND_YEARS
from planmap_gis.measure.combined import SPATIAL_READING_TH
from planmap_gis.measure.hotspots import TEST_NAME
from planmap_gis.measure.metrics import no_project
from planmap_gis.measure.need import money_to_move

__all__ = ["NEEDS_HOUSEHOLDS", "NEEDS_INDICATORS", "has_register", "number", "summary_lines"]

def number(value: Any, fmt: str = ",.0f") -> str | None:
    """A figure as text, or None when it is missing or not finite (the caller then says why).
    A zero never prints as ``-0``."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(x):
        return None
    return format(x + 0.0 if x != 0 else 0.0, fmt)


def _not_shown(missing: dict[tuple[str, str], list[str]]) -> list[str]:
    """One line per missing kind of data: which figures it keeps from being computed."""
    return [f"not computed: {', '.join(what)} — {why[0]} / {why[1]}" for why, what in missing.items()]


def _households(plan: Any) -> bool:
    village = plan.metrics["village"]
    return "households" in village and bool((village["households"].fillna(0) > 0).any())


def has_register(plan: Any) -> bool:
    """False when the plan's villages are the tambon's stand-ins (no village register was given):
    its units are then counted and named as tambon."""
    return not (len(plan.villages) and stand_ins(plan.villages[VILLAGE_CODE]).all())


def summary_lines(plan: Any) -> list[str]:
    """The lines of :meth:`Plan.summary`."""
    eq = plan.equity.loc["all"] if "all" in plan.equity.index else {}
    register = has_register(plan)
    units = (f"{len(plan.villages)} villages" if register else
             "no village register (each tambon counted as one area / ไม่มีทะเบียนหมู่บ้าน นับทั้งตำบล)")
    lines = [
        f"{len(plan.tambons)} tambon, {len(plan.amphoes)} amphoe, {units}; "
        f"{len(plan.projects)} projects, {plan.allocation['project_id'].nunique()} placed "
        f"({plan.method}), {number(plan.allocation['budget_thb'].sum())} THB",
        f"{'villages' if register else 'tambon'} with no project: {no_project(plan.metrics['village']).sum()} "
        f"({NO_PROJECT_RULE[1]}); "
        f"tambon sector-years with duplication: {len(plan.duplication['tambon'])}",
    ]
    households = _households(plan)
    missing: dict[tuple[str, str], list[str]] = {}

    def _skip(what: str, why: tuple[str, str]) -> None:
        missing.setdefault(why, []).append(what)

    gini, theil, share = (number(eq.get(k), f) for k, f in
                          (("gini", ".3f"), ("theil", ".3f"), ("theil_between_share", ".0%")))
    if gini is None:
        _skip("equity of budget per household (Gini, Theil)",
              NEEDS_HOUSEHOLDS if not households else
              ("no budget placed on villages with households", "ไม่มีงบลงหมู่บ้านที่มีครัวเรือน"))
    else:
        lines.append(f"Gini {gini}, Theil {theil}" + (f" ({share} between amphoe)" if share else ""))
    conc = [number(eq.get(k), "+.3f") for k in ("concentration", "concentration_low", "concentration_high")]
    if conc[0] is None:
        _skip("concentration index by community strength", NEEDS_HOUSEHOLDS if not households else NEEDS_INDICATORS)
    else:
        interval = (f" [{conc[1]}, {conc[2]}] (95 % bootstrap interval)" if conc[1] is not None and conc[2] is not None
                    else f" ({eq['concentration_note']})" if str(eq.get("concentration_note") or "") else "")
        lines.append(f"concentration index {conc[0]}{interval}")
    spots = plan.hotspots.get("hotspot")
    test = plan.hotspots.attrs.get("test", TEST_NAME.format(alpha=0.05, permutations="?"))
    if spots is None or not households:
        _skip("hot and cold spots", NEEDS_HOUSEHOLDS)
    elif plan.hotspots.attrs.get("not_tested"):
        en, th = plan.hotspots.attrs["not_tested"]
        lines.append(f"{en} / {th}")
    else:
        lines.append(f"hot spots {(spots == 'hot').sum()}, cold spots {(spots == 'cold').sum()}, islands not "
                     f"tested {(spots == 'island').sum()} ({test})")
    if "spatial_inequality" in getattr(plan.equity, "columns", ()):
        p = number(eq.get("gini_spatial_p2", eq.get("gini_spatial_p")), ".3f")
        observed, expected = (number(eq.get(k), ".4f") for k in ("gini_nonneighbour_share",
                                                                 "gini_nonneighbour_expected"))
        if not households:
            _skip("spatial Gini", NEEDS_HOUSEHOLDS)
        elif eq.get("spatial_inequality") == "not tested":
            lines.append(f"spatial Gini: not tested — {eq.get('gini_spatial_note', '')} / "
                         f"{SPATIAL_READING_TH['not tested']}")
        elif p is None or not isinstance(eq.get("spatial_inequality"), str):
            _skip("spatial Gini", NEEDS_HOUSEHOLDS)
        else:  # size beside significance: the share and what no spatial pattern would give
            lines.append(f"spatial Gini: {observed} of the Gini comes from pairs of villages that are not "
                         f"neighbours, {expected} expected without a spatial pattern (two-sided permutation "
                         f"test, p = {p}): inequality lies {eq['spatial_inequality']}; "
                         f"{SPATIAL_READING_TH.get(eq['spatial_inequality'], '')}")
    village = plan.metrics["village"]
    n_years = len(plan.fiscal_years)
    if 2 <= n_years < MIN_TREND_YEARS and "trend_change" in village and not village["trend_change"].notna().any():
        _skip("change of budget per household over the fiscal years", NEEDS_HOUSEHOLDS)
    elif 2 <= n_years < MIN_TREND_YEARS and "trend_change" in village:
        lines.append(f"trend: not tested over {n_years} fiscal years (a test needs {MIN_TREND_YEARS}); the "
                     "change of budget per household from the first to the last year is in the tables, untested "
                     f"/ แนวโน้ม: ไม่ทดสอบ มีเพียง {n_years} ปีงบประมาณ (ต้องมีอย่างน้อย {MIN_TREND_YEARS} ปี)")
    if "fair_share_gap" in village:
        gap = village["fair_share_gap"]
        if gap.notna().any():
            short = gap < 0
            moved = number(money_to_move(gap))
            layers = "; ".join(f"layer {k} {number(money_to_move(village[f'gap_layer_{k}']))} THB"
                               for k in (1, 2, 3, 4) if f"gap_layer_{k}" in village
                               and village[f"gap_layer_{k}"].notna().any())
            lines.append(f"need vs response: {int(short.sum())} villages below their fair share; {moved} THB "
                         "would have to move from villages above their fair share to villages below it "
                         f"({layers}) / งบ {moved} บาท ต้องย้ายจากหมู่บ้านที่ได้เกินส่วนที่ควรได้ไปยังหมู่บ้านที่ได้ต่ำกว่า "
                         "(ผลต่างรวมของแต่ละชั้นงบเป็นศูนย์: เป็นงบที่ต้องย้าย ไม่ใช่งบที่ขาด)")
        else:
            _skip("need against response (fair shares)", NEEDS_HOUSEHOLDS)
    return lines + _not_shown(missing)
