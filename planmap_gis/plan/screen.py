"""จัดทัพ — screening the proposals that crowd into the province against the plan, and a suggested set
under the budget: :func:`screen` returns a :class:`Screening` every output takes. The plan itself is
never changed: proposals are allocated over its villages the way its projects were."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planmap_gis._errors import PlanmapError, PlanmapWarning, SchemaError
from planmap_gis._schema import BUDGET, BUDGET_LAYER, HOUSEHOLDS, POINT, PROJECT_ID, STRENGTH, VILLAGE_CODE
from planmap_gis.join import allocate
from planmap_gis.measure import portfolio
from planmap_gis.measure.metrics import targeted
from planmap_gis.measure.need import NEED
from planmap_gis.measure.screening import VERDICTS, proposal_parts, repetition, verdicts
from planmap_gis.measure.support import match_facilitators
from planmap_gis.plan.result import Plan
from planmap_gis.plan.screen_reasons import left_out_reasons, stability_table
from planmap_gis.report import ImportReport

__all__ = ["Screening", "screen"]

#: The order of verdicts in every table.
VERDICT_ORDER = {key: i for i, key in enumerate(VERDICTS)}


@dataclass(frozen=True)
class Screening:
    """Proposals screened against a plan, and the suggested set.

    Attributes
    ----------
    proposals : GeoDataFrame
        One row per proposal in the order read: its own columns, the parts
        (:func:`~planmap_gis.measure.screening.proposal_parts`), ``verdict`` (+ ``_th``/``_en``),
        ``reasons_th``/``reasons_en``, ``in_set`` (bool), ``value_added`` (households in need the set
        loses without it; for one left out, what it would add), ``left_out_th``/``left_out_en`` (why
        it is not in the set) and ``in_set_variations`` (in how many of the weight variations it
        stays in the set).
    allocation : DataFrame
        The proposals over the plan's villages (:func:`~planmap_gis.allocate`).
    suggestion : dict
        ``value``, ``terms`` (new, gap, repeat; households in need), ``status``, ``optimal``,
        ``seconds`` (HiGHS), ``caps`` and ``used`` (THB by cap), ``greedy_value`` (the greedy ranking by
        value per baht under the same caps), ``need_basis`` and ``weights``.
    stability : DataFrame
        The set again with each weight at 50 % and 150 %: value, proposals, added and dropped ids.
    report : ImportReport
        Allocation of the proposals (placed or not).
    notes : tuple of str
        The plan's notes and the screening's own (need basis, uncapped layers).
    """

    proposals: gpd.GeoDataFrame
    allocation: pd.DataFrame
    suggestion: dict[str, Any]
    stability: pd.DataFrame
    report: ImportReport
    notes: tuple[str, ...] = ()
    plan_years: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """The proposals sorted by verdict (fills a gap first), in the set first, then value added."""
        order = self.proposals["verdict"].map(VERDICT_ORDER)
        frame = pd.DataFrame(self.proposals.drop(columns="geometry"))
        return frame.assign(_o=order, _s=~frame["in_set"]).sort_values(
            ["_o", "_s", "value_added"], ascending=[True, True, False], kind="stable").drop(columns=["_o", "_s"])

    def summary(self) -> str:
        """A few lines for a terminal or a notebook."""
        p, s = self.proposals, self.suggestion
        counts = p["verdict"].value_counts()
        lines = [*self.notes,
                 f"proposals / ข้อเสนอ: {len(p)}; " + "; ".join(
                     f"{VERDICTS[k][1]} {int(counts.get(k, 0))}" for k in VERDICTS),
                 "ข้อเสนอ: " + "; ".join(f"{VERDICTS[k][0]} {int(counts.get(k, 0))}" for k in VERDICTS)]
        chosen = p[p["in_set"]]
        caps = "; ".join(f"{name} {used:,.0f} of {cap:,.0f} THB" for name, (used, cap) in s["used"].items())
        lines.append(f"suggested set / ชุดที่เสนอ: {len(chosen)} proposals, {chosen[BUDGET].sum():,.0f} THB"
                     + (f" ({caps})" if caps else " (no cap given)"))
        t = s["terms"]
        state = "optimal" if s["optimal"] else f"not proven optimal ({s['status']})"
        lines.append(f"value {s['value']:,.1f} households in need = newly targeted {t['new']:,.1f} + fair-share gap "
                     f"closed {t['gap']:,.1f} − repetition {t['repeat']:,.1f} (weights {s['weights']}); {state}, "
                     f"HiGHS {s['seconds']:.2f} s; greedy by value per baht {s['greedy_value']:,.1f}")
        same = int(self.stability["same_set"].sum())
        moved = self.stability["added"].str.count(";") + self.stability["dropped"].str.count(";") + \
            self.stability["added"].ne("").astype(int) + self.stability["dropped"].ne("").astype(int)
        lines.append(f"stability: the same set in {same} of {len(self.stability)} weight variations (each weight "
                     f"× 0.5 and × 1.5); at most {int(moved.max())} of {len(chosen)} proposals in or out; "
                     f"{int((p['in_set_variations'] == len(self.stability)).sum() if len(chosen) else 0)} stay in "
                     "under every variation")
        return "\n".join(lines)


def _caps(budget: object) -> dict[object, float]:
    """``budget`` as ``{layer or "total": THB}``."""
    if budget is None:
        return {}
    if isinstance(budget, Mapping):
        caps: dict[object, float] = {}
        for key, cap in budget.items():
            name: object = "total" if str(key).lower() == "total" else int(key)
            if name != "total" and name not in (1, 2, 3, 4):
                raise PlanmapError(f"budget: layer {key!r} is not a budget layer (1–4 or 'total').",
                                   th=f"วงเงิน: {key!r} ไม่ใช่ชั้นงบประมาณ (1–4 หรือ total)")
            caps[name] = float(cap)
    else:
        caps = {"total": float(budget)}  # type: ignore[arg-type]
    if any(not np.isfinite(c) or c < 0 for c in caps.values()):
        raise PlanmapError("budget: every cap must be a number of baht ≥ 0.", th="วงเงินต้องเป็นจำนวนบาทไม่ติดลบ")
    return caps


def _places(plan: Plan, proposals: gpd.GeoDataFrame, alloc: pd.DataFrame) -> tuple[gpd.GeoSeries, list[str]]:
    """Where each proposal is drawn: its footprint, else the points of the villages it targets; a
    province- or amphoe-wide one targets none and is not drawn (``area-wide``)."""
    villages = plan.villages
    points = (gpd.GeoSeries(villages[POINT], crs=villages.crs) if POINT in villages
              else villages.geometry.representative_point())
    points.index = villages[VILLAGE_CODE].astype(str).to_numpy()
    points = points.to_crs(proposals.crs or 4326)
    reached = targeted(alloc).groupby(PROJECT_ID)[VILLAGE_CODE].agg(list)
    placed = set(alloc[PROJECT_ID].astype(str))
    geoms, kinds = [], []
    for pid, footprint in zip(proposals[PROJECT_ID].astype(str), proposals.geometry, strict=True):
        if footprint is not None and not footprint.is_empty:
            geoms.append(footprint)
            kinds.append("footprint")
        elif pid in reached.index:
            codes = [c for c in reached[pid] if c in points.index]
            geoms.append(shapely.multipoints(points.loc[codes].to_numpy()) if codes else None)
            kinds.append("villages targeted")
        else:
            geoms.append(None)
            kinds.append("area-wide" if pid in placed else "not placed")
    return gpd.GeoSeries(geoms, index=proposals.index, crs=proposals.crs or 4326), kinds


def _need(plan: Plan) -> tuple[pd.Series, str]:
    """The need that weighs every term: the plan's need, else households, else one per village."""
    village = plan.metrics["village"]
    if NEED in village and village[NEED].notna().any():
        return village[NEED].fillna(0.0), "need (households in need, as the plan's fair shares)"
    hh = pd.to_numeric(village[HOUSEHOLDS], errors="coerce")
    if hh.notna().any():
        return hh.fillna(0.0), "households (the plan has no need on record)"
    return pd.Series(1.0, index=village.index), "villages (the plan has neither need nor households)"


def screen(plan: Plan, proposals: gpd.GeoDataFrame, *, budget: object = None,
           weights: Mapping[str, float] | None = None, time_limit: float = 120.0) -> Screening:
    """Screen proposals against a plan and suggest a set under the budget.

    Parameters
    ----------
    plan : Plan
        The plan as it is (:func:`~planmap_gis.analyse` or :func:`~planmap_gis.open_workspace`).
    proposals : GeoDataFrame
        Canonical project table of the proposals (:func:`~planmap_gis.read_projects`), EPSG:4326.
    budget : float or mapping, optional
        One total cap (THB) or ``{layer: THB}`` (1–4, or ``"total"``); a layer without a cap is not
        limited. None: no cap (every proposal that adds value is in the set).
    weights : mapping, optional
        ``new``, ``gap``, ``repeat`` (:data:`~planmap_gis.measure.portfolio.WEIGHTS`).
    time_limit : float
        Seconds the solver may take per solve.

    Returns
    -------
    Screening
    """
    for col in (PROJECT_ID, BUDGET, BUDGET_LAYER):
        if col not in proposals:
            raise SchemaError(f"screen: proposals have no {col!r} column; read them with read_projects().",
                              th=f"ข้อเสนอไม่มีคอลัมน์ {col!r} ให้อ่านด้วย read_projects()")
    if proposals.empty:
        raise PlanmapError("screen: no proposal to screen.", th="ไม่มีข้อเสนอโครงการให้คัดกรอง")
    caps = _caps(budget)
    weights = portfolio.full_weights(weights)
    proposals = proposals.reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlanmapWarning)  # the report below says which reach no village
        alloc, report = allocate(proposals, plan.villages, method=plan.method, return_report=True)
    report.source = "proposals"
    clash = sorted(set(proposals[PROJECT_ID].astype(str)) & set(plan.projects[PROJECT_ID].astype(str)))
    for pid in clash:
        report.add("warning", f"proposal {pid} has the id of a project in the plan; read as a proposal, the "
                   "project is not changed", f"ข้อเสนอ {pid} ใช้รหัสเดียวกับโครงการในแผน อ่านเป็นข้อเสนอ "
                   "โครงการในแผนไม่เปลี่ยน", column=PROJECT_ID, value=pid)
    village = plan.metrics["village"]
    strength = plan.villages[STRENGTH] if STRENGTH in plan.villages else None
    support = None
    if plan.facilitators is not None and len(plan.facilitators):
        support = match_facilitators(proposals, alloc, plan.facilitators, list(village.index))["project"]
    work = repetition(alloc, proposals, plan.allocation, plan.projects)
    parts = proposal_parts(proposals, alloc, projects=plan.projects, plan_allocation=plan.allocation,
                           village=village, strength=strength, needs=plan.needs, support=support, work=work)
    verdict = verdicts(parts)
    need, basis = _need(plan)
    cand = portfolio.candidates(proposals, alloc, *work, village, need)
    best = portfolio.solve(cand, caps, weights, time_limit=time_limit)
    chosen = best["chosen"]
    greedy = portfolio.greedy(cand, caps, weights)
    stability, variations = stability_table(cand, caps, weights, chosen, proposals[PROJECT_ID].astype(str),
                                            time_limit=time_limit)
    added = portfolio.marginals(cand, chosen, weights)
    left_th, left_en = left_out_reasons(cand, caps, weights, chosen, added, parts,
                                        proposals[PROJECT_ID].astype(str))
    money = np.nan_to_num(cand.budget, nan=0.0)
    used = {name: (float(money[members & chosen].sum()), cap) for name, members, cap in portfolio.cap_rows(cand, caps)}
    notes = list(plan.notes)
    notes.append(f"screening weighs need by {basis}")
    uncapped = [k for k in (1, 2, 3, 4) if caps and "total" not in caps and k not in caps
                and (cand.layer == k).any()]
    if uncapped:
        notes.append("layers without a cap, not limited: " + ", ".join(map(str, uncapped)) +
                     " / ชั้นงบที่ไม่ได้กำหนดวงเงิน ไม่จำกัด: " + ", ".join(map(str, uncapped)))
    table = proposals.join(parts.drop(columns=[c for c in parts if c in proposals]))
    table["geometry"], table["geometry_kind"] = _places(plan, proposals, alloc)
    table = table.join(verdict).assign(in_set=chosen, value_added=added, left_out_th=left_th,
                                       left_out_en=left_en, in_set_variations=variations)
    suggestion = {**best, "caps": caps, "used": used, "greedy_value": portfolio.value(cand, greedy, weights),
                  "greedy_chosen": greedy, "need_basis": basis, "weights": weights}
    return Screening(proposals=gpd.GeoDataFrame(table, geometry="geometry", crs=proposals.crs), allocation=alloc,
                     suggestion=suggestion, stability=stability, report=report, notes=tuple(notes),
                     plan_years=plan.years_label("en"), extra={"candidates": cand})
