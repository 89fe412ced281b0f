"""Running the pipeline: :func:`analyse` joins and measures loaded layers into a :class:`Plan`;
:func:`reanalyse` runs it again on a plan's own inputs with the options it was made with."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from planmap_gis import settings
from planmap_gis._errors import SchemaError
from planmap_gis._lanes import LANE_VILLAGES, Step, side_by_side
from planmap_gis._schema import (
    HOUSEHOLDS,
    KCHCH2C,
    POPULATION,
    STAND_IN,
    TAMBON_CODE,
    VILLAGE_CODE,
    VILLAGE_TH,
)
from planmap_gis._years import parse_years, years_key, years_label
from planmap_gis.join import allocate
from planmap_gis.measure.alignment import alignment, needs_met
from planmap_gis.measure.change import compare, yearly_trend
from planmap_gis.measure.combined import (
    equity_table,
    need_tables,
    one_household_source,
    select_years,
)
from planmap_gis.measure.hotspots import hotspots, neighbour_matrix
from planmap_gis.measure.metrics import (
    coverage,
    duplication,
    facilitator_load,
    priorities,
    projects_by_amphoe,
)
from planmap_gis.measure.need import underserved
from planmap_gis.measure.strength import strength_index
from planmap_gis.measure.support import support_tables
from planmap_gis.measure.yearly import yearly_units
from planmap_gis.plan.result import Plan
from planmap_gis.read.boundaries import fidelity_notes
from planmap_gis.read.hierarchy import amphoes
from planmap_gis.read.masterplan import NEED_COLUMNS
from planmap_gis.report import ImportReport, origin

__all__ = ["analyse", "reanalyse"]

log = logging.getLogger("planmap_gis")

#: Allocation rows from which the analysis uses a second lane: below it (a province: tens of
#: thousands) the permutations take about a second and a fork would not pay for itself.
LANES_FROM = 200_000


def _village_frame(villages: gpd.GeoDataFrame | None, tambons: gpd.GeoDataFrame,
                   reports: dict[str, ImportReport]) -> gpd.GeoDataFrame:
    """Villages as given, or one stand-in unit per tambon (code tambon + '00') without them.

    A village whose tambon is not in the boundary layer (a register wart, or a village of another
    province) is left out of the analysis and reported by its register row (``reports["villages"]``).
    """
    if villages is not None:
        inside = villages[TAMBON_CODE].astype(str).isin(set(tambons[TAMBON_CODE].astype(str)))
        if inside.all():
            return villages
        report = reports.setdefault("villages", ImportReport(source="villages", rows_in=len(villages),
                                                             rows_loaded=len(villages)))
        for pos in map(int, (~inside.to_numpy()).nonzero()[0]):
            code, tambon = villages[VILLAGE_CODE].iloc[pos], villages[TAMBON_CODE].iloc[pos]
            report.add("warning", f"village {code}: tambon {tambon} is not in the boundary layer; the village "
                       "is left out of the analysis. Correct its code in the register, or give the boundary "
                       "layer that holds it.",
                       f"หมู่บ้าน {code}: ไม่พบตำบล {tambon} ในชั้นขอบเขต จึงไม่นำหมู่บ้านนี้มาวิเคราะห์ "
                       "แก้รหัสในทะเบียนหมู่บ้าน หรือใช้ชั้นขอบเขตที่มีตำบลนี้", **origin(villages, pos),
                       column=TAMBON_CODE, value=tambon)
        report.rows_loaded -= int((~inside).sum())
        report.rows_rejected += int((~inside).sum())
        log.warning("analyse: %d villages lie in tambon not in the boundary layer: left out (see the "
                    "import report)", int((~inside).sum()))
        return villages[inside.to_numpy()]
    log.info("no villages given: each tambon stands for one village (code <tambon>00)")
    return gpd.GeoDataFrame({VILLAGE_CODE: tambons[TAMBON_CODE] + STAND_IN, TAMBON_CODE: tambons[TAMBON_CODE],
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
        Contiguity for hot spots (see :func:`~planmap_gis.measure.hotspots.hotspots`).
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
        Default households × (1 − strength index / 100). See :mod:`planmap_gis.measure.need`.
    compare_years : pair of years, optional
        ``(2568, 2569)``: analyse the later years, and compare them with the earlier
        (``Plan.change``, :func:`~planmap_gis.compare`). Excludes ``years``.
    facilitators : DataFrame, optional
        A facilitator register (:func:`~planmap_gis.read_facilitators`): each project's possible
        facilitators by sector and area, and the villages whose targeted projects have no
        skilled facilitator nearby (``Plan.support``, :func:`~planmap_gis.match_facilitators`).
    """
    seed = settings.seed if seed is None else seed
    options: dict[str, Any] = {"years": None, "compare_years": None,
               "need": need if isinstance(need, str) or need is None else "custom",
               "weights": weights, "method": method, "needs_within": needs_within, "top_needs": top_needs,
               "permutations": permutations, "seed": seed}
    if isinstance(need, pd.Series):
        options["need_values"] = need
    if compare_years is not None:
        return _compared(compare_years, years, tambons, projects, villages=villages, indicators=indicators,
                         master_plans=master_plans, top_needs=top_needs, needs_within=needs_within,
                         method=method, weights=weights, permutations=permutations, reports=reports,
                         notes=notes, seed=seed, need=need, facilitators=facilitators)
    notes = (*notes, *(n for n in fidelity_notes(tambons) if n not in notes))  # coarse outlines are said
    chosen: tuple[int, ...] = ()
    if years is not None:
        chosen, projects, year_report = select_years(projects, years)
        reports = {**(reports or {}), "years": year_report}
        options["years"] = list(chosen)
    start = time.perf_counter()
    reports = {**(reports or {})}
    areas = _village_frame(villages, tambons, reports)
    if villages is None and method in ("households", "population"):
        method = "area"
    if not areas[VILLAGE_CODE].is_unique:
        raise SchemaError("analyse: village codes repeat.")
    units = {"village": None, "tambon": tambons, "amphoe": tambons}

    def allocated() -> tuple[Any, ...]:
        return allocate(projects, areas, method=method, return_report=True)

    def outlines() -> tuple[Any, ...]:
        # The villages' contiguity (made once for the spatial Gini and the hot spots, each takes its
        # rows, in the villages' order) and the amphoe outlines need the areas alone. Fuzzy only: it
        # gives villages without an area no neighbours, where libpysal's queen and rook fail on
        # them, so those are made per subset of villages with areas, as before.
        return (neighbour_matrix(areas, weights) if weights == "fuzzy" else None), amphoes(tambons)

    # At national scale the outlines take a second lane while this process allocates (what they
    # return is small: a sparse matrix and some hundred amphoe).
    (allocation, alloc_report), (shared, districts) = side_by_side(
        [Step("allocation", 2, allocated), Step("village neighbours and amphoe outlines", 1, outlines)],
        None if len(areas) >= LANE_VILLAGES else 1, say=False)

    def covered(*levels: str) -> Any:
        return lambda: {lv: coverage(allocation, projects, areas, level=lv, units=units[lv]) for lv in levels}

    # Each level's coverage reads the whole allocation: the villages' here, the tambon's and
    # amphoe's beside it at scale (what they return is small: a row per tambon or amphoe).
    near, far = side_by_side([Step("village coverage", 2, covered("village")),
                              Step("tambon and amphoe coverage", 1, covered("tambon", "amphoe"))],
                             None if len(allocation) >= LANES_FROM else 1, say=False)
    cover = {**near, **far}
    village_table = areas.set_index(areas[VILLAGE_CODE].astype(str), drop=False)
    village_table.index.name = None
    village_cov = cover["village"]
    measured = ["n_projects", "budget_thb", "budget_per_household"]
    reports = {**(reports or {})}
    said = ImportReport(source="households", rows_in=len(village_table), rows_loaded=len(village_table))
    strength = strength_index(indicators) if indicators is not None else None
    indicators = one_household_source(village_table, indicators, said)
    if len(said.problems):
        reports["households"] = said
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

    def spatial() -> tuple[pd.DataFrame, ...]:
        equity, curve = equity_table(allocation, projects, village_cov, strength, seed, areas=village_table,
                                     weights=weights, permutations=permutations, neighbours=shared)
        return equity, curve, hotspots(village_table, "budget_per_household", weights=weights,
                                       permutations=permutations, seed=seed,
                                       neighbours=shared), \
            {lv: yearly_units(allocation, projects, table, lv) for lv, table in cover.items()}

    def tables() -> tuple[Any, ...]:
        dup = {lv: duplication(allocation, projects, level=lv) for lv in ("tambon", "amphoe")}
        return dup, projects_by_amphoe(allocation, projects), facilitator_load(projects, allocation)

    # The permutations and bootstraps of the equity figures and hot spots and the yearly tables take
    # a second lane at scale (a forked process; what they return is small); the tambon and amphoe
    # duplication, each project's place in each amphoe and the facilitators' loads are made here
    # (at 100,000 projects: 7.2 s in the lane, 4.5 s here).
    (equity, curve, spots, yearly), (dup, by_amphoe, load) = side_by_side(
        [Step("equity, hot spots and years", 1, spatial), Step("duplication, placements and loads", 2, tables)],
        None if len(allocation) >= LANES_FROM else 1, say=False)
    # The village level once the lane has ended, not beside it: the largest step of this part (+0.34
    # GiB nationally, 2 s) met the lane's last seconds, the analysis's peak (1.62 GiB at 100,000
    # projects); alone it costs this process the wait of the lane's 2–3 s more than its own steps.
    dup = {"village": duplication(allocation, projects, level="village"), **dup}
    cover = {lv: table.join(yearly_trend(allocation, projects, table, lv, yearly=yearly[lv]))
             for lv, table in cover.items()}
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
        tambons=tambons, amphoes=districts, villages=gpd.GeoDataFrame(village_table),
        projects=projects, allocation=allocation, metrics=cover, duplication=dup,
        equity=equity, lorenz=curve, hotspots=spots, priorities=ranks,
        load=load, needs=needs, alignment=aligned,
        reports={**reports, "allocation": alloc_report}, method=method, notes=notes,
        years=chosen, underserved=underserved(cover["village"], village_table),
        facilitators=facilitators, support=support_tables(projects, allocation, facilitators, cover),
        yearly=yearly, options=options,
        amphoe_projects=by_amphoe,
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
    note = None
    if min(earlier) > max(later):  # "--compare 2569 2568": the change is always later minus earlier
        note = (f"compare_years {years_key(earlier)} {years_key(later)}: the earlier year was given second; "
                f"compared {years_key(later)} → {years_key(earlier)} (changes are later minus earlier)",
                f"ปีที่เปรียบเทียบระบุปีหลังก่อน จึงเปรียบเทียบ {years_key(later)} → {years_key(earlier)}")
        earlier, later = later, earlier
        log.warning(note[0])
    plan_a = analyse(tambons, projects, years=earlier, **options)
    plan_b = analyse(tambons, projects, years=later, **options)
    change = compare(plan_a, plan_b, seed=options["seed"])
    log.info("compare: %s", change.title("en"))
    if note is not None:
        plan_b.reports.setdefault("years", ImportReport(source="fiscal years")).add("info", *note)
    return replace(plan_b, change=change, reports={**plan_b.reports, **{
        f"{name} ({years_label(earlier, 'en')})": rep for name, rep in plan_a.reports.items()
        if name in ("years", "allocation")}},
        options={**plan_b.options, "years": None, "compare_years": [list(earlier), list(later)]})


def reanalyse(plan: Plan, *, years: object = None, compare_years: object = None,
              permutations: int | None = None, seed: int | None = None) -> Plan:
    """The analysis of a plan's own inputs again, for other fiscal years or a comparison.

    For a plan read back from a workspace (:func:`~planmap_gis.open_workspace`), whose
    loaders are gone: the boundaries, village areas, indicators, projects and considered
    master-plan needs it holds are analysed with ``years`` or ``compare_years`` as
    :func:`analyse` takes them, and with the options the plan was made with (``Plan.options``:
    need, weights, method, needs_within, top_needs, permutations, seed) unless given here.
    ``planmap atlas --year`` and ``planmap webmap --year`` use it.
    """
    opts = plan.options
    village = plan.villages
    measured = [c for c in village.columns if c.startswith("bmn_") or c == KCHCH2C]
    indicators = village[measured] if measured else None
    needs = None
    if plan.needs is not None and len(plan.needs):
        needs = plan.needs[[c for c in NEED_COLUMNS if c in plan.needs]]
    top = opts.get("top_needs") or (int(needs.groupby("unit_code").size().max()) if needs is not None else 3)
    need: str | pd.Series | None = opts.get("need")
    if need == "custom":  # a Series given to analyse: the values it measured, per village
        need = opts.get("need_values", plan.metrics["village"].get("need"))
    return analyse(plan.tambons, plan.projects, villages=village, indicators=indicators, master_plans=needs,
                   top_needs=int(top), method=str(opts.get("method", plan.method)),
                   needs_within=str(opts.get("needs_within", "tambon")),
                   weights=str(opts.get("weights", "fuzzy")),
                   permutations=int(permutations if permutations is not None else opts.get("permutations", 999)),
                   notes=plan.notes,
                   reports={k: v for k, v in plan.reports.items() if k not in ("years", "allocation", "need")},
                   seed=seed if seed is not None else opts.get("seed"), years=years, compare_years=compare_years,
                   facilitators=plan.facilitators, need=need)
