"""The analysis result: one frozen :class:`Plan` every output takes; none of them reaches back into the
loaders or recomputes a figure it holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from planmap_gis import settings
from planmap_gis._schema import (
    FISCAL_YEAR,
    NO_PROJECT_RULE,
)
from planmap_gis._years import years_held, years_label
from planmap_gis.measure.change import Change
from planmap_gis.measure.metrics import projects_by_amphoe
from planmap_gis.measure.need import bivariate_breaks
from planmap_gis.measure.yearly import yearly_units
from planmap_gis.plan.summary import has_register, summary_lines
from planmap_gis.report import ImportReport

__all__ = ["Plan"]


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
        Gi* and local Moran's I per village (see :mod:`planmap_gis.measure.hotspots`).
    priorities : DataFrame
        Village ranking with reasons (see :func:`planmap_gis.measure.metrics.priorities`).
    load : dict of DataFrame
        Facilitator and management-unit load.
    needs : DataFrame or None
        The master-plan needs considered, each with ``met`` and ``met_by``
        (:func:`planmap_gis.read.masterplan.needs_met`); None without master plans.
    alignment : dict of DataFrame
        ``village``, ``tambon``, ``amphoe``: needs, met, alignment score 0–1
        and unmet sectors (:func:`planmap_gis.read.masterplan.alignment`); empty
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
        The villages furthest below their fair share (:func:`planmap_gis.measure.need.underserved`).
    change : Change or None
        The comparison with an earlier year (``analyse(compare=...)``, :func:`~planmap_gis.compare`).
    facilitators : DataFrame or None
        The facilitator register analysed (never with contacts unless they were read).
    yearly : dict of DataFrame
        ``village``, ``tambon``, ``amphoe``: each unit's budget (THB), projects and budget per
        household in each fiscal year (:func:`~planmap_gis.measure.yearly.yearly_units`).
    amphoe_projects : DataFrame
        Every project working in each amphoe, with the baht placed there, its tambon and whether it is
        duplicated (:func:`~planmap_gis.measure.metrics.projects_by_amphoe`): the atlas's project sheets.
    bivariate : dict of DataFrame
        ``village``, ``tambon``, ``amphoe``: the range of need per household and of budget per
        household each tercile of the 3 × 3 ``need_budget`` classes holds
        (:func:`~planmap_gis.measure.need.bivariate_breaks`), printed on keys and legends.
    options : dict
        The options the plan was made with (``years``, ``need``, ``weights``, ``method``,
        ``needs_within``, ``top_needs``, ``permutations``, ``seed``, ``compare_years``), kept in the
        workspace; :func:`reanalyse` uses them again.
    support : dict of DataFrame or None
        ``project``, ``facilitator``, ``village``: who can support what
        (:func:`~planmap_gis.match_facilitators`); the village coverage table then carries
        ``n_unsupported_projects`` (NaN where no project targets the village) and
        ``unsupported_sectors``, tambon and amphoe ``n_villages_unsupported``.

    The coverage tables (``metrics``) also carry need against response (``need``,
    ``fair_layer_k``, ``gap_layer_k``, ``fair_thb``, ``fair_share_gap``,
    ``fair_share_gap_per_household``, ``need_per_household``, ``need_budget``: see
    :mod:`planmap_gis.measure.need`) and, over three or more fiscal years, ``trend_tau`` and
    ``trend_p`` (:func:`planmap_gis.measure.change.trend`).
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
    yearly: dict[str, pd.DataFrame] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    amphoe_projects: pd.DataFrame | None = None
    bivariate: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Tables every output reads, derived from what the plan holds (also for a plan read back
        # from a workspace), so no output regroups the allocation itself.
        if not self.yearly and not self.allocation.empty:
            object.__setattr__(self, "yearly", {lv: yearly_units(self.allocation, self.projects, table, lv)
                                                for lv, table in self.metrics.items()})
        if self.amphoe_projects is None:
            object.__setattr__(self, "amphoe_projects",
                               projects_by_amphoe(self.allocation, self.projects))
        if not self.bivariate:  # the range of each need and budget tercile, for the keys to print
            object.__setattr__(self, "bivariate", {lv: bivariate_breaks(table) for lv, table in self.metrics.items()
                                                   if "need_budget" in table})

    @property
    def fiscal_years(self) -> tuple[int, ...]:
        """The fiscal years the plan covers: the selected ones, else those its projects carry."""
        return self.years or years_held(self.projects[FISCAL_YEAR])

    def years_label(self, lang: str | None = None) -> str:
        """The fiscal years the plan covers, as every output's title says them: the selected
        years, or the years its projects carry when none were selected; with a comparison,
        the earlier years too ("ปีงบประมาณ 2569 เทียบกับ 2568")."""
        lang = settings.language(lang)
        if self.change is not None:
            return self.change.title(lang)
        return years_label(self.fiscal_years, lang)

    def summary(self) -> str:
        """A few lines for a terminal or a notebook."""
        lines = summary_lines(self)
        units = "villages" if has_register(self) else "tambon"
        if self.change is not None:
            t = self.change.totals()
            a, b = self.change.labels
            lines.append(f"change {a} → {b}: {t[a]:,.0f} → {t[b]:,.0f} THB ({t['change']:+,.0f}); "
                         f"{units} gained a targeted project "
                         f"{(self.change.units['village']['coverage_change'] == 'gained').sum()}, lost every "
                         f"targeted project {(self.change.units['village']['coverage_change'] == 'lost').sum()} "
                         f"({NO_PROJECT_RULE[1]})")
            lines += self.change.equity_lines()
        if self.needs is not None:
            v = self.alignment["village"]
            lines.append(f"master plans: {int(v['n_met'].sum())} of {int(v['n_needs'].sum())} top needs "
                         f"met; {int((v['alignment'] < 1).sum())} {units} with an unmet need")
        if self.years:
            lines.insert(0, f"fiscal years / {self.years_label()}")
        if self.support is not None and self.facilitators is not None:
            need = int(self.support["project"]["needs_facilitator"].sum())
            blanket = int(self.support["project"].get("support_through_blanket_only", pd.Series(dtype=bool)).sum())
            lacking = int((self.support["village"]["n_unsupported_projects"] > 0).sum())
            lines.append(f"facilitators: {len(self.facilitators)} in the register; {need} of "
                         f"{len(self.support['project'])} projects need a facilitator (no skilled one serves "
                         f"their area); {blanket} more are matched only through a province- or amphoe-wide reach "
                         f"(not in a village they target); {lacking:,} {units} have a targeted project with no "
                         "skilled facilitator in their tambon")
        return "\n".join([*self.notes, *lines])
