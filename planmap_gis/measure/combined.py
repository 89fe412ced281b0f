"""The measuring steps of :func:`~planmap_gis.analyse` that combine several measures.

Fiscal-year selection, the equity table (Gini, Theil, concentration index and the
spatial Gini per budget layer), need against response per level, and the trend.
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from planmap_gis._errors import SchemaError
from planmap_gis._schema import (
    BUDGET_LAYER,
    FISCAL_YEAR,
    HOUSEHOLDS,
    LEVEL_LENGTH,
    MIN_NONZERO,
    MIN_NONZERO_SHARE,
    PROJECT_ID,
    SOURCE_FILE,
    SOURCE_ROW,
    STRENGTH,
    VILLAGE_CODE,
)
from planmap_gis._years import parse_years, years_held, years_label
from planmap_gis.join.pairs import per_row
from planmap_gis.measure.equity import (
    concentration_indices,
    gini,
    lorenz,
    spatial_gini,
    theil,
)
from planmap_gis.measure.hotspots import neighbour_matrix, neighbours_within
from planmap_gis.measure.need import (
    bivariate_classes,
    fair_shares,
    roll_up,
    village_need,
)
from planmap_gis.report import ImportReport

log = logging.getLogger("planmap_gis")


def select_years(projects: gpd.GeoDataFrame, years: object
                  ) -> tuple[tuple[int, ...], gpd.GeoDataFrame, ImportReport]:
    """The projects of the chosen fiscal years, and a report naming those with no year."""
    try:
        chosen = parse_years(years)
    except ValueError as exc:
        raise SchemaError(f"years={years!r}: {exc}.", th=f"ปีงบประมาณ {years}: ไม่ใช่ปีหรือช่วงปี เช่น 2569 หรือ 2568-2570") from exc
    fiscal = pd.to_numeric(projects[FISCAL_YEAR], errors="coerce")
    keep = fiscal.isin(chosen).to_numpy()
    if len(projects) and not keep.any():
        held = years_label(years_held(fiscal), "en") or "no fiscal year"
        raise SchemaError(f"no project of {years_label(chosen, 'en')}: the projects are of {held}. Choose "
                          "one of those years, or add the projects of the years you want.",
                          th=f"ไม่มีโครงการของ{years_label(chosen)} โครงการที่มีเป็นของ "
                             f"{years_label(years_held(fiscal))}")
    report = ImportReport(source=f"fiscal years {', '.join(map(str, chosen))}", rows_in=len(projects),
                          rows_loaded=int(keep.sum()), rows_rejected=int((~keep).sum()))
    for pos in (fiscal.isna().to_numpy() & ~keep).nonzero()[0]:
        rec = projects.iloc[pos]
        report.add("warning", f"project {rec[PROJECT_ID]} has no fiscal year: left out of "
                   f"{years_label(chosen, 'en')}; give it its year to include it",
                   f"โครงการ {rec[PROJECT_ID]} ไม่ระบุปีงบประมาณ จึงไม่รวมใน{years_label(chosen)}",
                   row=None if pd.isna(rec.get(SOURCE_ROW)) else int(rec[SOURCE_ROW]), column=FISCAL_YEAR,
                   value=rec[PROJECT_ID], file=None if pd.isna(rec.get(SOURCE_FILE)) else str(rec[SOURCE_FILE]))
    others = int((fiscal.notna() & ~fiscal.isin(chosen)).sum())
    if others:
        report.add("info", f"{others} projects of other fiscal years left out of {years_label(chosen, 'en')}",
                   f"ไม่รวมโครงการปีงบประมาณอื่น {others} โครงการ")
    log.info("fiscal years %s: %d of %d projects", ", ".join(map(str, chosen)), int(keep.sum()), len(projects))
    return chosen, projects[keep].reset_index(drop=True), report


def equity_table(allocation: pd.DataFrame, projects: pd.DataFrame, village_cov: pd.DataFrame,
                 strength: pd.DataFrame | None, seed: int, *, areas: gpd.GeoDataFrame | None = None,
                 weights: Any = "fuzzy", permutations: int = 999,
                 neighbours: tuple[str, Any] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Equity of budget per household across villages with households: overall and per layer.

    ``neighbours``: the contiguity of every row of ``areas`` (:func:`~planmap_gis.measure.hotspots.neighbour_matrix`)
    when it is already made, for the spatial Gini; made here from ``areas`` and ``weights`` when None.
    """
    households = village_cov["households"]
    usable = households > 0
    if strength is not None:
        usable &= strength[STRENGTH].reindex(village_cov.index).notna()
    layer_of = projects.set_index("project_id")[BUDGET_LAYER]
    rows: dict[str, dict[str, Any]] = {}
    # Each row's layer as an array: the two columns summed are sliced, not a copy of the whole
    # allocation per layer (0.6 GiB at 100,000 projects).
    row_layer = per_row(allocation["project_id"], layer_of).to_numpy()
    village, budget = allocation[VILLAGE_CODE], allocation["budget_thb"]
    series = {"all": village_cov["budget_thb"]}
    for layer in (1, 2, 3, 4):
        in_layer = row_layer == layer
        part = budget[in_layer].groupby(village[in_layer]).sum()
        series[f"layer_{layer}"] = part.reindex(village_cov.index).fillna(0.0)
    groups = village_cov.index[usable].str[:4]
    contiguity = None
    if areas is not None and neighbours is not None:
        _, contiguity = neighbours_within(neighbours, areas.index, village_cov.index[usable])
    elif areas is not None:
        _, contiguity = neighbour_matrix(gpd.GeoDataFrame(areas.reindex(village_cov.index[usable])), weights)
    values = {name: (budget[usable] / households[usable]).fillna(0.0).to_numpy() for name, budget in series.items()}
    # Every series over the same villages: the bootstrap's resamples drawn once for all of them.
    cis = dict(zip(values, concentration_indices(list(values.values()), strength[STRENGTH].reindex(
        village_cov.index)[usable], seed=seed), strict=True)) if strength is not None else {}
    for name, budget in series.items():
        y = values[name]
        t = theil(y, groups)
        row = {"budget_thb": float(budget[usable].sum()), "villages": int(usable.sum()),
               "gini": gini(y), "theil": t["T"], "theil_between": t["between"],
               "theil_within": t["within"], "theil_between_share": t["between_share"]}
        if strength is not None:
            ci = cis[name]
            row.update(concentration=ci["C"], concentration_low=ci["low"], concentration_high=ci["high"],
                       concentration_note=ci["note"])
        else:
            row.update(concentration=float("nan"), concentration_low=float("nan"),
                       concentration_high=float("nan"), concentration_note="")
        row.update(_spatial(y, contiguity, permutations, seed))
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "budget"
    overall = (village_cov["budget_thb"][usable] / households[usable]).fillna(0.0)
    return table, lorenz(overall.to_numpy())


def _spatial(y: np.ndarray, neighbours: Any, permutations: int, seed: int) -> dict[str, Any]:
    """The spatial Gini's columns of the equity table, and what they say in words."""
    if neighbours is None:
        return {}
    nonzero = int(np.count_nonzero(np.nan_to_num(y)))
    if nonzero < MIN_NONZERO or nonzero < MIN_NONZERO_SHARE * len(y):  # as for hot spots: too few to test
        return {"spatial_inequality": "not tested",
                "gini_spatial_note": f"{nonzero} villages have a non-zero value; the test needs at least "
                                     f"{MIN_NONZERO} and {MIN_NONZERO_SHARE:.0%} of them"}
    sg = spatial_gini(y, neighbours, permutations=permutations, seed=seed)
    observed, expected, p = sg["nonneighbour_share"], sg["expected_nonneighbour_share"], sg["p"]
    p2 = min(1.0, 2.0 * p)  # the pseudo p is folded toward the side observed: two-sided, at the level said
    if not p2 <= 0.05:
        reading = "no spatial pattern"
    else:
        reading = "between regions" if observed > expected else "between neighbours"
    return {"gini_nonneighbour_share": observed, "gini_nonneighbour_expected": expected,
            "gini_spatial_p": p, "gini_spatial_p2": p2, "gini_polarization": sg["polarization"],
            "spatial_inequality": reading}


#: spatial_inequality → Thai
SPATIAL_READING_TH = {"not tested": "ข้อมูลน้อยเกินกว่าจะทดสอบ",
                      "between regions": "ระหว่างพื้นที่ (หมู่บ้านใกล้กันได้ใกล้เคียงกัน)",
                      "between neighbours": "ระหว่างหมู่บ้านข้างเคียง",
                      "no spatial pattern": "ไม่มีรูปแบบเชิงพื้นที่"}


def need_tables(village_table: pd.DataFrame, cover: dict[str, pd.DataFrame], need: object,
                report: ImportReport) -> None:
    """Add need, fair shares, gaps and the bivariate class to each level's coverage table.

    ``need`` is what :func:`~planmap_gis.measure.need.village_need` takes (None for the default).
    """
    village_cov = cover["village"]
    households = village_cov[HOUSEHOLDS]
    need_values = village_need(village_table, need if need is not None else None)
    fair = fair_shares(village_cov, need_values, households, report)
    cover["village"] = village_cov.join(fair)
    for level in ("tambon", "amphoe"):
        cover[level] = cover[level].join(roll_up(fair, households, cover[level].index, LEVEL_LENGTH[level]))
    for level, table in cover.items():
        hh = table[HOUSEHOLDS].where(table[HOUSEHOLDS] > 0)
        table["need_per_household"] = table["need"] / hh
        table["need_budget"] = bivariate_classes(table["need_per_household"], table["budget_per_household"])
    log.info("need: %d villages with a need on record; fair shares per budget layer",
             int(need_values.notna().sum()))


def one_household_source(villages: pd.DataFrame, indicators: pd.DataFrame | None,
                         report: ImportReport) -> pd.DataFrame | None:
    """Households from one source for every figure: the village register's when it has them, else the
    indicator sheet's; said in ``report``, with each village where the two disagree.

    Per-household figures take the register's households; a need computed from the indicator
    sheet's would mix two counts of one village (0 in the register beside 149 in the sheet gave a
    need of 33.9, a fair share of 331,711 THB and no gap). Returns the indicators to join.
    """
    if indicators is None or HOUSEHOLDS not in indicators:
        return indicators
    register = pd.to_numeric(villages.get(HOUSEHOLDS), errors="coerce") if HOUSEHOLDS in villages else None
    if register is None or register.isna().all():
        report.add("info", "households come from the indicator sheet (the village register has none)",
                   "ใช้จำนวนครัวเรือนจากตารางตัวชี้วัด (ทะเบียนหมู่บ้านไม่มีจำนวนครัวเรือน)", column=HOUSEHOLDS)
        return indicators
    sheet = pd.to_numeric(indicators[HOUSEHOLDS], errors="coerce").reindex(register.index)
    differ = register.notna() & sheet.notna() & (register != sheet)
    for code in register.index[differ]:
        report.add("warning", f"village {code}: {register[code]:,.0f} households in the register, {sheet[code]:,.0f} "
                   "in the indicator sheet; the register's count is used for every figure",
                   f"หมู่บ้าน {code}: ทะเบียนมี {register[code]:,.0f} ครัวเรือน ตารางตัวชี้วัดมี {sheet[code]:,.0f} "
                   "ใช้จำนวนจากทะเบียนในทุกตัวเลข", column=HOUSEHOLDS, value=code)
    report.add("info", "households come from the village register; the indicator sheet's are not used",
               "ใช้จำนวนครัวเรือนจากทะเบียนหมู่บ้าน ไม่ใช้จากตารางตัวชี้วัด", column=HOUSEHOLDS)
    return indicators.drop(columns=HOUSEHOLDS)
