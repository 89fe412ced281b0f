"""What changed between two fiscal years, and each unit's trend over three or more.

:func:`compare` takes two plans of the same villages (``analyse(..., years=2568)``
and ``years=2569``) and returns a :class:`Change`: per village, tambon and
amphoe the budget and budget per household of each year and the difference,
projects and agencies of each year, units that gained or lost all coverage;
each equity figure of each year with the change and a paired bootstrap interval
of the change (villages resampled together in both years); and the hot spots
that appeared, persisted or disappeared. :func:`trend` gives Kendall's tau of
the yearly budget per household of each unit (``scipy.stats.kendalltau``, tau-b,
with its p-value) when a plan spans three or more fiscal years.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import kendalltau

from planmap_gis import settings
from planmap_gis._errors import PlanmapError
from planmap_gis._schema import BUDGET, FISCAL_YEAR, HOUSEHOLDS, LEVEL_LENGTH, MIN_NONZERO, STRENGTH
from planmap_gis._years import years_held, years_key, years_label
from planmap_gis.measure.equity import SMALL, _ci, interval_note
from planmap_gis.measure.metrics import no_project
from planmap_gis.measure.yearly import yearly_units, yearly_wide

__all__ = ["COVERAGE_CHANGE", "Change", "compare", "equity_change", "trend", "yearly_trend"]

LEVELS = ("village", "tambon", "amphoe")
#: A trend is tested from this many fiscal years on (see :func:`yearly_trend`).
MIN_TREND_YEARS = 5
#: coverage change → (Thai, English)
COVERAGE_CHANGE = {
    "gained": ("เริ่มมีโครงการลงพื้นที่", "gained a targeted project"),
    "lost": ("ไม่มีโครงการลงพื้นที่แล้ว", "lost every targeted project"),
    "kept": ("มีโครงการลงพื้นที่ทั้งสองปี", "targeted in both years"),
    "none": ("ไม่มีโครงการลงพื้นที่ทั้งสองปี", "targeted in neither year"),
}
_FIGURES = ("gini", "theil", "concentration")


@dataclass(frozen=True)
class Change:
    """Two fiscal years side by side.

    Attributes
    ----------
    years : tuple of (tuple of int, tuple of int)
        The years of the earlier and of the later plan.
    units : dict of DataFrame
        ``village``, ``tambon``, ``amphoe``, indexed by unit code: ``budget_thb_<year>``,
        ``budget_per_household_<year>``, ``n_projects_<year>``, ``n_agencies_<year>`` for each
        year, ``budget_change`` (THB), ``budget_per_household_change`` (THB per household),
        ``n_projects_change``, ``budget_layer_<k>_change`` (THB) and ``coverage_change``
        (gained, lost, kept, none: under the targeted rule, ``NO_PROJECT_RULE``); tambon and
        amphoe also ``villages_gained`` and ``villages_lost`` (their villages' coverage change).
    equity : DataFrame
        One row per budget (``all``, ``layer_1`` …) and figure (gini, theil, concentration):
        the value of each year, ``change`` and its paired bootstrap interval
        ``change_low`` … ``change_high``; ``interval_note`` says why there is none (fewer than
        ``MIN_NONZERO`` villages with a non-zero value in either year).
    hotspots : DataFrame
        Per village: ``hotspot_<year>`` of each year and ``hotspot_change`` ("hot appeared",
        "hot persisted", "hot disappeared", the same for cold, or "").
    """

    years: tuple[tuple[int, ...], tuple[int, ...]]
    units: dict[str, pd.DataFrame]
    equity: pd.DataFrame
    hotspots: pd.DataFrame
    attrs: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Each tambon's and amphoe's villages that gained or lost (also for a change read back from
        # an older workspace), so no output regroups the village table.
        if "village" not in self.units or "coverage_change" not in self.units["village"]:
            return
        villages = self.units["village"]["coverage_change"]
        for level in ("tambon", "amphoe"):
            table = self.units.get(level)
            if table is None or "villages_gained" in table:
                continue
            unit_of = villages.index.astype(str).str[:LEVEL_LENGTH[level]]
            for what in ("gained", "lost"):
                table[f"villages_{what}"] = (villages.eq(what).groupby(unit_of).sum()
                                             .reindex(table.index, fill_value=0).astype(int))

    @property
    def labels(self) -> tuple[str, str]:
        """Column suffixes of the two years ("2568", "2568-2570")."""
        return tuple(years_key(y) for y in self.years)  # type: ignore[return-value]

    def title(self, lang: str | None = None) -> str:
        """'ปีงบประมาณ 2569 เทียบกับ 2568' / 'fiscal year 2569 against 2568'."""
        lang = settings.language(lang)
        a, b = self.labels
        return f"ปีงบประมาณ {b} เทียบกับ {a}" if lang == "th" else f"fiscal year {b} against {a}"

    def equity_lines(self) -> list[str]:
        """The change of each equity figure of all budget, with its paired bootstrap interval or why
        there is none: "Gini change +0.012 [−0.004, +0.027] (paired bootstrap, 95%)"."""
        table = self.equity
        if table.empty or "budget" not in table:
            return []
        out = []
        for _, row in table[table["budget"] == "all"].iterrows():
            if pd.isna(row["change"]):
                continue
            name = {"gini": "Gini", "theil": "Theil", "concentration": "concentration index"}.get(row["figure"],
                                                                                             row["figure"])
            sign = lambda v: f"{v:+.3f}".replace("+0.000", "0.000").replace("-0.000", "0.000")  # noqa: E731
            if pd.notna(row.get("change_low")) and pd.notna(row.get("change_high")):
                level = float(self.attrs.get("level", 0.95))  # type: ignore[arg-type]
                said = f"[{sign(row['change_low'])}, {sign(row['change_high'])}] (paired bootstrap, {level:.0%})"
            else:
                said = f"({row.get('interval_note') or 'no interval'})"
            out.append(f"{name} change {sign(row['change'])} {said}")
        return out

    def totals(self) -> pd.Series:
        """Province totals (THB) of each year and the change, from the village table."""
        v = self.units["village"]
        a, b = self.labels
        return pd.Series({a: v[f"{BUDGET}_{a}"].sum(), b: v[f"{BUDGET}_{b}"].sum(),
                          "change": v["budget_change"].sum()})


def compare(plan_a: object, plan_b: object, *, n_boot: int = 999, level: float = 0.95,
            seed: int | None = None) -> Change:
    """Compare two plans of the same villages (usually two fiscal years).

    Parameters
    ----------
    plan_a, plan_b : Plan
        The earlier and the later plan (:func:`~planmap_gis.analyse` with ``years=``).
    n_boot, level, seed
        Paired bootstrap of the equity changes: resamples, confidence level, seed.
    """
    seed = settings.seed if seed is None else seed
    if not plan_a.villages.index.equals(plan_b.villages.index):  # type: ignore[attr-defined]
        raise PlanmapError("compare: the two plans cover different villages; analyse both on the same "
                           "boundaries and villages.",
                           th="เปรียบเทียบไม่ได้: สองแผนมีหมู่บ้านไม่ตรงกัน ให้วิเคราะห์บนขอบเขตและหมู่บ้านชุดเดียวกัน")
    years = (_plan_years(plan_a), _plan_years(plan_b))
    change = Change(years=years, units={}, equity=pd.DataFrame(), hotspots=pd.DataFrame())
    a, b = change.labels
    if a == b:
        raise PlanmapError(f"compare: both plans are of fiscal year {a}.",
                           th=f"เปรียบเทียบไม่ได้: ทั้งสองแผนเป็นปีงบประมาณ {a}")
    units = {lv: _unit_change(plan_a.metrics[lv], plan_b.metrics[lv], a, b) for lv in LEVELS}  # type: ignore[attr-defined]
    spots = _hotspot_change(plan_a.hotspots, plan_b.hotspots, a, b)  # type: ignore[attr-defined]
    table = equity_change(plan_a, plan_b, n_boot=n_boot, level=level, seed=seed)
    return Change(years=years, units=units, equity=table, hotspots=spots,
                  attrs={"n_boot": n_boot, "level": level, "seed": seed})


def _plan_years(plan: object) -> tuple[int, ...]:
    years = plan.fiscal_years  # type: ignore[attr-defined]
    if not years:
        raise PlanmapError("compare: a plan has no fiscal year; analyse each with years=...",
                           th="เปรียบเทียบไม่ได้: แผนไม่มีปีงบประมาณ ให้วิเคราะห์แต่ละแผนด้วย years=...")
    return tuple(years)


def _unit_change(ma: pd.DataFrame, mb: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    out = pd.DataFrame(index=mb.index)
    ma = ma.reindex(mb.index)
    for col in (BUDGET, "budget_per_household", "n_projects", "n_agencies"):
        out[f"{col}_{a}"] = ma[col]
        out[f"{col}_{b}"] = mb[col]
    out[HOUSEHOLDS] = mb[HOUSEHOLDS]
    out["budget_change"] = mb[BUDGET] - ma[BUDGET]
    out["budget_per_household_change"] = mb["budget_per_household"] - ma["budget_per_household"]
    out["n_projects_change"] = mb["n_projects"] - ma["n_projects"]
    for k in (1, 2, 3, 4):
        out[f"budget_layer_{k}_change"] = mb[f"budget_layer_{k}"] - ma[f"budget_layer_{k}"]
    # The one targeted rule (NO_PROJECT_RULE): province- and amphoe-wide programmes do not cover.
    before, after = ~no_project(ma), ~no_project(mb)
    out["coverage_change"] = np.select([~before & after, before & ~after, before & after],
                                       ["gained", "lost", "kept"], "none")
    return out


def _hotspot_change(ha: pd.DataFrame, hb: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    before = ha["hotspot"].reindex(hb.index).fillna("no data")
    after = hb["hotspot"]
    words = []
    for x, y in zip(before, after, strict=True):
        if x in ("hot", "cold") and y == x:
            words.append(f"{x} persisted")
        elif y in ("hot", "cold"):
            words.append(f"{y} appeared")
        elif x in ("hot", "cold"):
            words.append(f"{x} disappeared")
        else:
            words.append("")
    return pd.DataFrame({f"hotspot_{a}": before, f"hotspot_{b}": after, "hotspot_change": words},
                        index=hb.index)


def _layer_values(plan: object, usable: pd.Index) -> dict[str, np.ndarray]:
    """Budget per household per village (THB), overall and per budget layer, on ``usable`` villages."""
    cov = plan.metrics["village"].reindex(usable)  # type: ignore[attr-defined]
    hh = cov[HOUSEHOLDS].to_numpy(dtype=float)
    out = {"all": cov[BUDGET].to_numpy(dtype=float) / hh}
    for k in (1, 2, 3, 4):
        out[f"layer_{k}"] = cov[f"budget_layer_{k}"].to_numpy(dtype=float) / hh
    return {name: np.nan_to_num(v) for name, v in out.items()}


def equity_change(plan_a: object, plan_b: object, *, n_boot: int = 999, level: float = 0.95,
                  seed: int | None = None) -> pd.DataFrame:
    """Each equity figure in both plans, the change and its paired bootstrap interval.

    The villages are those with households (and a strength index, when the plans have one),
    as in the plans' own equity tables; each resample draws villages with replacement and
    measures both years on the same draw, so the interval is of the change itself.
    """
    seed = settings.seed if seed is None else seed
    cov = plan_b.metrics["village"]  # type: ignore[attr-defined]
    usable = cov[HOUSEHOLDS] > 0
    strength = plan_b.villages.get(STRENGTH)  # type: ignore[attr-defined]
    if strength is not None:
        usable &= strength.reindex(cov.index).notna()
    index = cov.index[usable]
    ya, yb = _layer_values(plan_a, index), _layer_values(plan_b, index)
    grade = None
    if strength is not None:
        _, grade = np.unique(strength.reindex(index).to_numpy(dtype=float), return_inverse=True)
    n = len(index)
    a_label, b_label = (years_label(_plan_years(p), "en").split()[-1] for p in (plan_a, plan_b))
    jobs = [(budget, figure) for budget in ya for figure in _FIGURES
            if figure != "concentration" or grade is not None]
    draws: dict[tuple[str, str], list[np.ndarray]] = {job: [] for job in jobs}
    # An interval needs enough villages with a non-zero value in each year (MIN_NONZERO), per budget.
    nonzero = {budget: min(int(np.count_nonzero(ya[budget])), int(np.count_nonzero(yb[budget]))) for budget in ya}
    jobs_tested = [(budget, figure) for budget, figure in jobs if nonzero[budget] >= MIN_NONZERO]
    if n_boot and n > 2:
        rng = np.random.default_rng(seed)
        block = max(1, 4_000_000 // n)  # resamples drawn and measured in blocks: flat memory
        for start in range(0, n_boot, block):
            picks = rng.integers(0, n, size=(min(block, n_boot - start), n))
            for budget, figure in jobs_tested:
                draws[budget, figure].append(_figure(figure, yb[budget], grade, picks)
                                             - _figure(figure, ya[budget], grade, picks))
    rows = []
    whole = np.arange(n)[None, :]
    for budget, figure in jobs:
        va = float(_figure(figure, ya[budget], grade, whole)[0]) if n else np.nan
        vb = float(_figure(figure, yb[budget], grade, whole)[0]) if n else np.nan
        found = np.concatenate(draws[budget, figure]) if draws[budget, figure] else np.empty(0)
        found = found[~np.isnan(found)]
        low, high = np.quantile(found, [(1 - level) / 2, (1 + level) / 2]) if len(found) else (np.nan,) * 2
        rows.append({"budget": budget, "figure": figure, f"value_{a_label}": va, f"value_{b_label}": vb,
                     "change": vb - va, "change_low": float(low), "change_high": float(high),
                     "villages": n, "interval_note": "" if not n_boot or nonzero[budget] >= MIN_NONZERO
                     else interval_note(nonzero[budget])})
    return pd.DataFrame(rows)


def _figure(name: str, y: np.ndarray, grade: np.ndarray | None, picks: np.ndarray) -> np.ndarray:
    """One equity figure of ``y`` on each resample (a row of ``picks``: village positions)."""
    if name == "gini":
        return gini_rows(y[picks])
    if name == "theil":
        return theil_rows(y[picks])
    return _ci(y[None, :], grade, picks)[0]


def gini_rows(y: np.ndarray) -> np.ndarray:
    """Gini of each row (``inequality``'s relative mean difference form); NaN for all-zero rows."""
    n = y.shape[1]
    s = np.sort(y, axis=1)
    total = s.sum(axis=1)
    r = (2.0 * np.arange(1, n + 1) * s).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (r - n * total - total) / (n * total), np.nan)


def theil_rows(y: np.ndarray) -> np.ndarray:
    """Theil T of each row (zeros replaced by the smallest float, as in :func:`equity.theil`)."""
    n = y.shape[1]
    total = y.sum(axis=1, keepdims=True)
    y = y + SMALL * (y == 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = y / y.sum(axis=1, keepdims=True)
        t = (s * np.log(n * s)).sum(axis=1)
    return np.where(total[:, 0] > 0, t, np.nan)


def trend(plan: object, level: str = "village") -> pd.DataFrame:
    """Kendall's tau of each unit's yearly budget per household (see :func:`yearly_trend`)."""
    return yearly_trend(plan.allocation, plan.projects, plan.metrics[level], level)  # type: ignore[attr-defined]


def yearly_trend(allocation: pd.DataFrame, projects: pd.DataFrame, metrics: pd.DataFrame,
                 level: str = "village", *, yearly: pd.DataFrame | None = None,
                 min_years: int = MIN_TREND_YEARS) -> pd.DataFrame:
    """Kendall's tau of each unit's yearly budget per household, over the plan's fiscal years.

    With fewer than ``min_years`` years (default :data:`MIN_TREND_YEARS` = 5) there is no test:
    Kendall's tau over three years can only be ±1/3 or ±1 and its exact p-value never falls below
    0.33 (four years: 0.083), so no trend could ever be called. The change of budget per household
    between the first and the last year is given instead, untested (``trend_change``).

    Returns
    -------
    DataFrame
        Indexed like ``metrics`` (a coverage table of ``level``): ``trend_tau`` (−1 falling … 1 rising,
        tau-b) and ``trend_p`` (scipy's exact two-sided p-value), NaN below ``min_years``, for units
        without households or with a constant series; ``trend_change`` (THB per household, last
        year minus first, untested) from two years on.
    """
    out = pd.DataFrame({"trend_tau": np.nan, "trend_p": np.nan, "trend_change": np.nan}, index=metrics.index)
    years = years_held(projects[FISCAL_YEAR])
    if len(years) < 2:
        return out
    if yearly is None:
        yearly = yearly_units(allocation, projects, metrics, level)
    per_hh = yearly_wide(yearly, "budget_per_household", metrics.index)
    out["trend_change"] = per_hh[years[-1]] - per_hh[years[0]]
    if len(years) < min_years:
        return out
    x = np.asarray(years, dtype=float)
    for code, row in per_hh.iterrows():
        values = row.to_numpy(dtype=float)
        if np.isnan(values).any() or np.ptp(values) == 0:
            continue
        result = kendalltau(x, values)
        out.loc[code, ["trend_tau", "trend_p"]] = [result.statistic, result.pvalue]
    return out

