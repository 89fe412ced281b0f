"""The analysis result, and the one call that runs the pipeline: load → join → measure.

:class:`Plan` is a plain frozen dataclass. The web map, the atlas, the tables
and the workspace all take a ``Plan``; none of them reaches back into the
loaders or recomputes a metric.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import pandas as pd

from planmap_gis import settings
from planmap_gis._analysis import (
    SPATIAL_READING_TH,
    equity_table,
    need_tables,
    select_years,
)
from planmap_gis._errors import SchemaError
from planmap_gis._schema import (
    FISCAL_YEAR,
    HOUSEHOLDS,
    KCHCH2C,
    NO_PROJECT_RULE,
    POPULATION,
    TAMBON_CODE,
    VILLAGE_CODE,
    VILLAGE_TH,
)
from planmap_gis._values import parse_years, years_label
from planmap_gis.boundaries import amphoes
from planmap_gis.change import Change, compare, yearly_trend
from planmap_gis.facilitators import support_tables
from planmap_gis.hotspots import TEST_NAME, hotspots
from planmap_gis.indicators import strength_index
from planmap_gis.join import allocate
from planmap_gis.masterplan import alignment, needs_met
from planmap_gis.metrics import coverage, duplication, facilitator_load, priorities
from planmap_gis.need import underserved
from planmap_gis.report import ImportReport

__all__ = ["Plan", "analyse", "reanalyse"]

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
    underserved : DataFrame or None
        The villages furthest below their fair share (:func:`planmap_gis.need.underserved`).
    change : Change or None
        The comparison with an earlier year (``analyse(compare=...)``, :func:`~planmap_gis.compare`).
    facilitators : DataFrame or None
        The facilitator register analysed (never with contacts unless they were read).
    support : dict of DataFrame or None
        ``project``, ``facilitator``, ``village``: who can support what
        (:func:`~planmap_gis.match_facilitators`); the village coverage table then carries
        ``n_unsupported_projects`` (NaN where no project targets the village) and
        ``unsupported_sectors``, tambon and amphoe ``n_villages_unsupported``.

    The coverage tables (``metrics``) also carry need against response (``need``,
    ``fair_layer_k``, ``gap_layer_k``, ``fair_thb``, ``fair_share_gap``,
    ``fair_share_gap_per_household``, ``need_per_household``, ``need_budget``: see
    :mod:`planmap_gis.need`) and, over three or more fiscal years, ``trend_tau`` and
    ``trend_p`` (:func:`planmap_gis.change.trend`).
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
    underserved: pd.DataFrame | None = None
    change: Change | None = None
    facilitators: pd.DataFrame | None = None
    support: dict[str, pd.DataFrame] | None = None

    def years_label(self, lang: str = "th") -> str:
        """The fiscal years the plan covers, as every output's title says them: the selected
        years, or the years its projects carry when none were selected; with a comparison,
        the earlier years too ("ปีงบประมาณ 2569 เทียบกับ 2568")."""
        if self.change is not None:
            return self.change.title(lang)
        years = self.years or tuple(sorted({int(y) for y in self.projects[FISCAL_YEAR].dropna()}))
        return years_label(years, lang)

    def summary(self) -> str:
        """A few lines for a terminal or a notebook."""
        eq = self.equity.loc["all"]
        lines = [
            f"{len(self.tambons)} tambon, {len(self.amphoes)} amphoe, {len(self.villages)} villages; "
            f"{len(self.projects)} projects, {self.allocation['project_id'].nunique()} placed "
            f"({self.method}), {self.allocation['budget_thb'].sum():,.0f} THB",
            f"villages with no project: {(self.metrics['village']['n_targeted_projects'] == 0).sum()} "
            f"({NO_PROJECT_RULE[1]}); "
            f"tambon sector-years with duplication: {len(self.duplication['tambon'])}",
            f"Gini {eq['gini']:.3f}, Theil {eq['theil']:.3f} ({eq['theil_between_share']:.0%} between "
            f"amphoe), concentration index {eq['concentration']:+.3f} "
            f"[{eq['concentration_low']:+.3f}, {eq['concentration_high']:+.3f}]",
            f"hot spots {(self.hotspots['hotspot'] == 'hot').sum()}, cold spots "
            f"{(self.hotspots['hotspot'] == 'cold').sum()}, islands not tested "
            f"{(self.hotspots['hotspot'] == 'island').sum()} "
            f"({self.hotspots.attrs.get('test', TEST_NAME.format(alpha=0.05))})",
        ]
        if "spatial_inequality" in self.equity:
            lines.append(f"spatial Gini: inequality lies {eq['spatial_inequality']} "
                         f"(p = {eq['gini_spatial_p']:.3f}); "
                         f"{SPATIAL_READING_TH.get(eq['spatial_inequality'], '')}")
        if "fair_share_gap" in self.metrics["village"]:
            v = self.metrics["village"]
            short = v["fair_share_gap"] < 0
            lines.append(f"need vs response: {int(short.sum())} villages below their fair share, "
                         f"{-v.loc[short, 'fair_share_gap'].sum():,.0f} THB short in all")
        if self.change is not None:
            t = self.change.totals()
            a, b = self.change.labels
            lines.append(f"change {a} → {b}: {t[a]:,.0f} → {t[b]:,.0f} THB ({t['change']:+,.0f}); "
                         f"villages gained coverage "
                         f"{(self.change.units['village']['coverage_change'] == 'gained').sum()}, lost "
                         f"{(self.change.units['village']['coverage_change'] == 'lost').sum()}")
        if self.needs is not None:
            v = self.alignment["village"]
            lines.append(f"master plans: {int(v['n_met'].sum())} of {int(v['n_needs'].sum())} top needs "
                         f"met; {int((v['alignment'] < 1).sum())} villages with an unmet need")
        if self.years:
            lines.insert(0, f"fiscal years / {self.years_label()}")
        if self.support is not None and self.facilitators is not None:
            need = int(self.support["project"]["needs_facilitator"].sum())
            lacking = int((self.support["village"]["n_unsupported_projects"] > 0).sum())
            lines.append(f"facilitators: {len(self.facilitators)} in the register; {need} of "
                         f"{len(self.support['project'])} projects need a facilitator (no skilled one serves "
                         f"their area); {lacking:,} villages have a targeted project with no skilled "
                         "facilitator in their tambon")
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
    need: str | pd.Series | None = None,
    compare_years: object = None,
    facilitators: pd.DataFrame | None = None,
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
    need : str or Series, optional
        The need of each village for the fair shares: a column of ``indicators`` or of
        ``villages`` (e.g. households failing BMN indicators), or a Series by village code.
        Default households × (1 − strength index / 100). See :mod:`planmap_gis.need`.
    compare_years : pair of years, optional
        ``(2568, 2569)``: analyse the later years, and compare them with the earlier
        (``Plan.change``, :func:`~planmap_gis.compare`). Excludes ``years``.
    facilitators : DataFrame, optional
        A facilitator register (:func:`~planmap_gis.read_facilitators`): each project's possible
        facilitators by sector and area, and the villages whose targeted projects have no
        skilled facilitator nearby (``Plan.support``, :func:`~planmap_gis.match_facilitators`).
    """
    seed = settings.seed if seed is None else seed
    if compare_years is not None:
        return _compared(compare_years, years, tambons, projects, villages=villages, indicators=indicators,
                         master_plans=master_plans, top_needs=top_needs, needs_within=needs_within,
                         method=method, weights=weights, permutations=permutations, reports=reports,
                         notes=notes, seed=seed, need=need, facilitators=facilitators)
    chosen: tuple[int, ...] = ()
    if years is not None:
        chosen, projects, year_report = select_years(projects, years)
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
    reports = {**(reports or {})}
    reports["need"] = ImportReport(source="need against response", rows_in=len(village_table),
                                   rows_loaded=len(village_table), rows_rejected=0)
    need_tables(village_table, cover, need, reports["need"])
    for level in cover:
        cover[level] = cover[level].join(yearly_trend(allocation, projects, cover[level], level))
    equity, curve = equity_table(allocation, projects, village_cov, strength, seed, areas=village_table,
                                 weights=weights, permutations=permutations)
    spots = hotspots(village_table, "budget_per_household", weights=weights,
                     permutations=permutations, seed=seed)
    islands = spots.attrs.get("islands", [])
    if islands:
        reports["hotspots"] = ImportReport(source="hot spots", rows_in=len(spots), rows_loaded=len(spots),
                                           rows_rejected=0)
        for code in islands:
            reports["hotspots"].add("info", f"village {code} has no neighbour (an island): no hot- or "
                                    "cold-spot test, p = NaN", f"หมู่บ้าน {code} ไม่มีหน่วยข้างเคียง "
                                    "(เกาะ) จึงไม่ทดสอบจุดร้อน/จุดเย็น", value=code, column="hotspot")
    ranks = priorities(village_cov, strength) if strength is not None else pd.DataFrame(index=village_cov.index)
    needs, aligned = None, {}
    if master_plans is not None:
        needs = needs_met(master_plans, allocation, projects, top=top_needs, within=needs_within)
        aligned = {lv: alignment(needs, lv, units=cover[lv].index) for lv in ("village", "tambon", "amphoe")}
    result = Plan(
        tambons=tambons, amphoes=amphoes(tambons), villages=gpd.GeoDataFrame(village_table),
        projects=projects, allocation=allocation, metrics=cover, duplication=dup,
        equity=equity, lorenz=curve, hotspots=spots, priorities=ranks,
        load=facilitator_load(projects, allocation), needs=needs, alignment=aligned,
        reports={**reports, "allocation": alloc_report}, method=method, notes=notes,
        years=chosen, underserved=underserved(cover["village"], village_table),
        facilitators=facilitators, support=support_tables(projects, allocation, facilitators, cover),
    )
    log.info("analyse: %d projects over %d villages in %.2f s", len(projects), len(areas),
             time.perf_counter() - start)
    return result


def _compared(pair: object, years: object, tambons: gpd.GeoDataFrame, projects: gpd.GeoDataFrame,
              **options: Any) -> Plan:
    """The later years' plan, carrying its comparison with the earlier years'."""
    if years is not None:
        raise SchemaError("analyse: give years= or compare_years=, not both.",
                          th="ระบุปีที่วิเคราะห์ (years) หรือปีที่เปรียบเทียบ (compare_years) อย่างใดอย่างหนึ่ง")
    parts = pair.split() if isinstance(pair, str) else list(pair)  # type: ignore[arg-type]
    if len(parts) != 2:
        raise SchemaError(f"compare_years={pair!r}: give two years (or ranges), e.g. (2568, 2569).",
                          th=f"ปีที่เปรียบเทียบ {pair}: ระบุสองปี เช่น 2568 2569")
    try:
        earlier, later = (parse_years(p) for p in parts)
    except ValueError as exc:
        raise SchemaError(f"compare_years={pair!r}: {exc}.",
                          th=f"ปีที่เปรียบเทียบ {pair}: ไม่ใช่ปีงบประมาณ เช่น 2568 2569") from exc
    plan_a = analyse(tambons, projects, years=earlier, **options)
    plan_b = analyse(tambons, projects, years=later, **options)
    change = compare(plan_a, plan_b, seed=options["seed"])
    log.info("compare: %s", change.title("en"))
    return replace(plan_b, change=change, reports={**plan_b.reports, **{
        f"{name} ({years_label(earlier, 'en')})": rep for name, rep in plan_a.reports.items()
        if name in ("years", "allocation")}})


def reanalyse(plan: Plan, *, years: object = None, compare_years: object = None,
              permutations: int = 999, seed: int | None = None) -> Plan:
    """The analysis of a plan's own inputs again, for other fiscal years or a comparison.

    For a plan read back from a workspace (:func:`~planmap_gis.open_workspace`), whose
    loaders are gone: the boundaries, village areas, indicators, projects and considered
    master-plan needs it holds are analysed with ``years`` or ``compare_years`` as
    :func:`analyse` takes them. ``planmap atlas --year`` and ``planmap webmap --year`` use it.
    """
    from planmap_gis.masterplan import NEED_COLUMNS

    village = plan.villages
    measured = [c for c in village.columns if c.startswith("bmn_") or c == KCHCH2C]
    indicators = village[measured] if measured else None
    needs = None
    if plan.needs is not None and len(plan.needs):
        needs = plan.needs[[c for c in NEED_COLUMNS if c in plan.needs]]
    top = int(needs.groupby("unit_code").size().max()) if needs is not None else 3
    return analyse(plan.tambons, plan.projects, villages=village, indicators=indicators, master_plans=needs,
                   top_needs=top, method=plan.method, permutations=permutations, notes=plan.notes,
                   reports={k: v for k, v in plan.reports.items() if k not in ("years", "allocation", "need")},
                   seed=seed, years=years, compare_years=compare_years, facilitators=plan.facilitators)
