"""The analysis result, and the one call that runs the pipeline: load → join → measure.

:class:`Plan` is a plain frozen dataclass. The web map, the atlas, the tables
and the workspace all take a ``Plan``; none of them reaches back into the
loaders or recomputes a metric.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from planmap_gis import settings
from planmap_gis._errors import SchemaError
from planmap_gis._values import parse_years, years_label
from planmap_gis._schema import (
    BUDGET_LAYER,
    FISCAL_YEAR,
    PROJECT_ID,
    SOURCE_FILE,
    SOURCE_ROW,
    HOUSEHOLDS,
    POPULATION,
    STRENGTH,
    TAMBON_CODE,
    VILLAGE_CODE,
    VILLAGE_TH,
)
from planmap_gis.boundaries import amphoes
from planmap_gis.equity import concentration_index, gini, lorenz, theil
from planmap_gis.hotspots import hotspots
from planmap_gis.indicators import strength_index
from planmap_gis.join import allocate
from planmap_gis.masterplan import alignment, needs_met
from planmap_gis.metrics import coverage, duplication, facilitator_load, priorities
from planmap_gis.report import ImportReport

__all__ = ["Plan", "analyse"]

log = logging.getLogger("planmap_gis")


@dataclass(frozen=True)
class Plan:
    """Everything one planning analysis produced.

    Attributes
    ----------
    tambons, amphoes : GeoDataFrame
        Boundary layers (EPSG:4326).
    villages : GeoDataFrame
        Village areas indexed by ``village_code``, with households,
        population, the indicators and the strength index when given.
    projects : GeoDataFrame
        Canonical project table.
    allocation : DataFrame
        One row per (project, village): share and THB (see :mod:`planmap_gis.join`).
    metrics : dict of DataFrame
        ``village``, ``tambon``, ``amphoe`` coverage tables indexed by code.
    duplication : dict of DataFrame
        Same-sector, same-year work of two or more agencies, per level.
    equity : DataFrame
        Gini, Theil (between/within amphoe) and concentration index of budget
        per household across villages: overall and per budget layer.
    lorenz : DataFrame
        Lorenz curve of budget per household across villages.
    hotspots : DataFrame
        Gi* and local Moran's I per village (see :mod:`planmap_gis.hotspots`).
    priorities : DataFrame
        Village ranking with reasons (see :func:`planmap_gis.metrics.priorities`).
    load : dict of DataFrame
        Facilitator and management-unit load.
    needs : DataFrame or None
        The master-plan needs considered, each with ``met`` and ``met_by``
        (:func:`planmap_gis.masterplan.needs_met`); None without master plans.
    alignment : dict of DataFrame
        ``village``, ``tambon``, ``amphoe``: needs, met, alignment score 0–1
        and unmet sectors (:func:`planmap_gis.masterplan.alignment`); empty
        without master plans.
    reports : dict of ImportReport
        Import and allocation reports by name.
    method : str
        Allocation method used.
    notes : tuple of str
        Labels every output must carry (e.g. "illustrative data").
    years : tuple of int
        The Buddhist-era fiscal years analysed (``analyse(years=...)``); empty
        when every project was analysed whatever its year.
    """

    tambons: gpd.GeoDataFrame
    amphoes: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame
    projects: gpd.GeoDataFrame
    allocation: pd.DataFrame
    metrics: dict[str, pd.DataFrame]
    duplication: dict[str, pd.DataFrame]
    equity: pd.DataFrame
    lorenz: pd.DataFrame
    hotspots: pd.DataFrame
    priorities: pd.DataFrame
    load: dict[str, pd.DataFrame]
    needs: pd.DataFrame | None = None
    alignment: dict[str, pd.DataFrame] = field(default_factory=dict)
    reports: dict[str, ImportReport] = field(default_factory=dict)
    method: str = "households"
    notes: tuple[str, ...] = ()
    years: tuple[int, ...] = ()

    def years_label(self, lang: str = "th") -> str:
        """The fiscal years the plan covers, as every output's title says them: the selected
        years, or the years its projects carry when none were selected."""
        years = self.years or tuple(sorted({int(y) for y in self.projects[FISCAL_YEAR].dropna()}))
        return years_label(years, lang)

    def summary(self) -> str:
        """A few lines for a terminal or a notebook."""
        eq = self.equity.loc["all"]
        lines = [
            f"{len(self.tambons)} tambon, {len(self.amphoes)} amphoe, {len(self.villages)} villages; "
            f"{len(self.projects)} projects, {self.allocation['project_id'].nunique()} placed "
            f"({self.method}), {self.allocation['budget_thb'].sum():,.0f} THB",
            f"villages with no project: {(self.metrics['village']['n_projects'] == 0).sum()}; "
            f"tambon sector-years with duplication: {len(self.duplication['tambon'])}",
            f"Gini {eq['gini']:.3f}, Theil {eq['theil']:.3f} ({eq['theil_between_share']:.0%} between "
            f"amphoe), concentration index {eq['concentration']:+.3f} "
            f"[{eq['concentration_low']:+.3f}, {eq['concentration_high']:+.3f}]",
            f"hot spots {(self.hotspots['hotspot'] == 'hot').sum()}, cold spots "
            f"{(self.hotspots['hotspot'] == 'cold').sum()} (Gi*, FDR 5%)",
        ]
        if self.needs is not None:
            v = self.alignment["village"]
            lines.append(f"master plans: {int(v['n_met'].sum())} of {int(v['n_needs'].sum())} top needs "
                         f"met; {int((v['alignment'] < 1).sum())} villages with an unmet need")
        if self.years:
            lines.insert(0, f"fiscal years / {self.years_label()}")
        return "\n".join([*self.notes, *lines])


def _village_frame(villages: gpd.GeoDataFrame | None, tambons: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Villages as given, or one stand-in unit per tambon (code tambon + '00') without them."""
    if villages is not None:
        return villages
    log.info("no villages given: each tambon stands for one village (code <tambon>00)")
    return gpd.GeoDataFrame({VILLAGE_CODE: tambons[TAMBON_CODE] + "00", TAMBON_CODE: tambons[TAMBON_CODE],
                             VILLAGE_TH: tambons["tambon_th"], HOUSEHOLDS: pd.NA, POPULATION: pd.NA},
                            geometry=tambons.geometry.values, crs=tambons.crs)


def analyse(
    tambons: gpd.GeoDataFrame,
    projects: gpd.GeoDataFrame,
    *,
    villages: gpd.GeoDataFrame | None = None,
    indicators: pd.DataFrame | None = None,
    master_plans: pd.DataFrame | None = None,
    top_needs: int = 3,
    needs_within: str = "tambon",
    method: str = "households",
    weights: str = "fuzzy",
    permutations: int = 999,
    reports: dict[str, ImportReport] | None = None,
    notes: tuple[str, ...] = (),
    seed: int | None = None,
    years: object = None,
) -> Plan:
    """Run join and measures on loaded layers.

    Parameters
    ----------
    tambons : GeoDataFrame
        Canonical tambon layer.
    projects : GeoDataFrame
        Canonical project table (one or several agencies' sheets concatenated).
    villages : GeoDataFrame, optional
        Village *areas* (:func:`~planmap_gis.village_areas`). Without them each
        tambon stands for one village and area-list projects spread by area.
    indicators : DataFrame, optional
        Village indicators (:func:`~planmap_gis.read_indicators`); the strength
        index is computed from them and drives the concentration index and the
        priorities.
    method : str
        Allocation method (see :func:`~planmap_gis.join.allocate`).
    weights : str
        Contiguity for hot spots (see :func:`~planmap_gis.hotspots.hotspots`).
    permutations : int
        Permutations for hot-spot p-values.
    reports : dict, optional
        Import reports to carry in the result.
    notes : tuple of str
        Labels for every output, e.g. the demo's "illustrative data".
    seed : int, optional
        Seed for permutations and bootstraps; ``settings.seed`` by default.
    years : int, str or list, optional
        Analyse only the projects of these Buddhist-era fiscal years: ``2569``,
        ``"2568-2570"``, ``[2568, 2570]`` (Christian-era years are converted).
        Projects of other years are left out; projects with no year are left
        out too and each is reported (``reports["years"]``). All projects when
        omitted.
    """
    seed = settings.seed if seed is None else seed
    chosen: tuple[int, ...] = ()
    if years is not None:
        chosen, projects, year_report = _select_years(projects, years)
        reports = {**(reports or {}), "years": year_report}
    start = time.perf_counter()
    areas = _village_frame(villages, tambons)
    if villages is None and method in ("households", "population"):
        method = "area"
    if not areas[VILLAGE_CODE].is_unique:
        raise SchemaError("analyse: village codes repeat.")
    allocation, alloc_report = allocate(projects, areas, method=method, return_report=True)
    units = {"village": None, "tambon": tambons, "amphoe": tambons}
    cover = {lv: coverage(allocation, projects, areas, level=lv, units=u) for lv, u in units.items()}
    dup = {lv: duplication(allocation, projects, level=lv) for lv in units}
    village_table = areas.set_index(areas[VILLAGE_CODE].astype(str), drop=False)
    village_table.index.name = None
    village_cov = cover["village"]
    measured = ["n_projects", "budget_thb", "budget_per_household"]
    strength = strength_index(indicators) if indicators is not None else None
    added = [*measured, *(indicators.columns if indicators is not None else []),
             *(strength.columns if strength is not None else [])]
    # Recomputed columns replace any the villages already carry (e.g. a reloaded Plan's).
    village_table = village_table.drop(columns=[c for c in added if c in village_table.columns])
    if indicators is not None:
        village_table = village_table.join(indicators).join(strength)
    village_table = village_table.join(village_cov[measured])
    equity_table, curve = _equity(allocation, projects, village_cov, strength, seed)
    spots = hotspots(village_table, "budget_per_household", weights=weights,
                     permutations=permutations, seed=seed)
    ranks = priorities(village_cov, strength) if strength is not None else pd.DataFrame(index=village_cov.index)
    needs, aligned = None, {}
    if master_plans is not None:
        needs = needs_met(master_plans, allocation, projects, top=top_needs, within=needs_within)
        aligned = {lv: alignment(needs, lv, units=cover[lv].index) for lv in ("village", "tambon", "amphoe")}
    result = Plan(
        tambons=tambons, amphoes=amphoes(tambons), villages=gpd.GeoDataFrame(village_table),
        projects=projects, allocation=allocation, metrics=cover, duplication=dup,
        equity=equity_table, lorenz=curve, hotspots=spots, priorities=ranks,
        load=facilitator_load(projects, allocation), needs=needs, alignment=aligned,
        reports={**(reports or {}), "allocation": alloc_report}, method=method, notes=notes,
        years=chosen,
    )
    log.info("analyse: %d projects over %d villages in %.2f s", len(projects), len(areas),
             time.perf_counter() - start)
    return result


def _select_years(projects: gpd.GeoDataFrame, years: object
                  ) -> tuple[tuple[int, ...], gpd.GeoDataFrame, ImportReport]:
    """The projects of the chosen fiscal years, and a report naming those with no year."""
    try:
        chosen = parse_years(years)
    except ValueError as exc:
        raise SchemaError(f"years={years!r}: {exc}.", th=f"ปีงบประมาณ {years}: ไม่ใช่ปีหรือช่วงปี เช่น 2569 หรือ 2568-2570") from exc
    fiscal = pd.to_numeric(projects[FISCAL_YEAR], errors="coerce")
    keep = fiscal.isin(chosen).to_numpy()
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


def _equity(allocation: pd.DataFrame, projects: pd.DataFrame, village_cov: pd.DataFrame,
            strength: pd.DataFrame | None, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Equity of budget per household across villages with households: overall and per layer."""
    households = village_cov["households"]
    usable = households > 0
    if strength is not None:
        usable &= strength[STRENGTH].reindex(village_cov.index).notna()
    layer_of = projects.set_index("project_id")[BUDGET_LAYER]
    rows: dict[str, dict[str, Any]] = {}
    per_layer = allocation.assign(layer=allocation["project_id"].map(layer_of))
    series = {"all": village_cov["budget_thb"]}
    for layer in (1, 2, 3, 4):
        part = per_layer[per_layer["layer"] == layer].groupby(VILLAGE_CODE)["budget_thb"].sum()
        series[f"layer_{layer}"] = part.reindex(village_cov.index).fillna(0.0)
    groups = village_cov.index[usable].str[:4]
    for name, budget in series.items():
        y = (budget[usable] / households[usable]).fillna(0.0).to_numpy()
        t = theil(y, groups)
        row = {"budget_thb": float(budget[usable].sum()), "villages": int(usable.sum()),
               "gini": gini(y), "theil": t["T"], "theil_between": t["between"],
               "theil_within": t["within"], "theil_between_share": t["between_share"]}
        if strength is not None:
            ci = concentration_index(y, strength[STRENGTH].reindex(village_cov.index)[usable], seed=seed)
            row.update(concentration=ci["C"], concentration_low=ci["low"], concentration_high=ci["high"])
        else:
            row.update(concentration=float("nan"), concentration_low=float("nan"),
                       concentration_high=float("nan"))
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "budget"
    overall = (village_cov["budget_thb"][usable] / households[usable]).fillna(0.0)
    return table, lorenz(overall.to_numpy())
