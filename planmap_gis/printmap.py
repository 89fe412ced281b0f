"""Printed maps: one A3/A4 page per amphoe, and the atlas PDF a planning session pins up.

Every page carries a Thai title (metric, area, fiscal years), the legend with
the class breaks and the "no data" class, a scale bar in km (drawn in the
analysis CRS, UTM 47N, so its length is true), a north arrow, a locator inset
of the province, the source and licence line ("illustrative data" for the
demo) and the production date in the Buddhist era. Classes and colours come
from :func:`~planmap_gis.classify.classify`, computed over the whole province,
so every page and the web map of the same metric and level show the same
classes. Tambon names are placed largest tambon first; a name that would
overlap one already placed is shrunk, then dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from tqdm.auto import tqdm

from planmap_gis import _fonts, _mapdata, settings
from planmap_gis._output import atomic
from planmap_gis._errors import PlanmapError
from planmap_gis._schema import BUDGET_LAYER, BUDGET_LAYERS
from planmap_gis.classify import (
    LAYER_COLORS,
    METRICS,
    NO_DATA_COLOR,
    Classes,
    classify,
    format_number,
)
from planmap_gis.plan import Plan
from planmap_gis.sources import manifest

__all__ = ["PAPER_MM", "atlas", "atlas_pages", "district_map", "needs_map", "overview_map", "thai_date"]

log = logging.getLogger("planmap_gis")

PAPER_MM = {"A3": (297.0, 420.0), "A4": (210.0, 297.0)}
MONTHS_TH = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
             "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
CONTEXT_FILL, CONTEXT_EDGE = "#e4e4e4", "#ffffff"


def thai_date(day: dt.date | None = None) -> str:
    """A date in Thai with the Buddhist-era year: '24 พฤศจิกายน 2569'."""
    day = day or dt.date.today()
    return f"{day.day} {MONTHS_TH[day.month - 1]} {day.year + 543}"


def _figsize(paper: str, landscape: bool) -> tuple[float, float]:
    if paper not in PAPER_MM:
        raise PlanmapError(f"paper must be one of {tuple(PAPER_MM)}, got {paper!r}.")
    w, h = (x / 25.4 for x in PAPER_MM[paper])
    return (h, w) if landscape else (w, h)


def _landscape(bounds: np.ndarray, orientation: str) -> bool:
    if orientation not in ("auto", "portrait", "landscape"):
        raise PlanmapError(f"orientation must be auto, portrait or landscape, got {orientation!r}.")
    if orientation != "auto":
        return orientation == "landscape"
    width, height = bounds[2] - bounds[0], bounds[3] - bounds[1]
    return width > 1.15 * height


def _years(plan: Plan) -> str:
    return plan.years_label()


def _footer(plan: Plan) -> str:
    info = manifest()
    notes = " · ".join(plan.notes)
    parts = [f"ขอบเขตการปกครอง: {info['attribution_th']} ({info['licence']})",
             f"Boundaries: {info['attribution']}", notes, f"จัดทำเมื่อ {thai_date()}",
             "planmap-gis"]
    return "   ·   ".join(p for p in parts if p)


def _metric_classes(plan: Plan, metric: str, level: str) -> tuple[gpd.GeoDataFrame, Classes]:
    layer = _mapdata.metric_layer(plan, metric, level).to_crs(settings.analysis_crs)
    classes = classify(layer[_mapdata.VALUE], metric)
    layer["color"] = classes.color_of()
    layer["nodata"] = classes.yb < 0
    return layer, classes


def _legend(ax: Any, metric: str, classes: Classes, *, lang: str, projects: bool, loc: str,
            anchor: tuple[float, float] | None = None) -> None:
    """Legend on the axes, or on the figure (``ax`` a Figure) anchored at ``anchor``."""
    spec = METRICS[metric]
    handles = [Patch(facecolor=c, edgecolor="#666", label=lab) for c, lab in
               zip(classes.colors, classes.labels(lang), strict=True)]
    handles.append(Patch(facecolor=NO_DATA_COLOR, edgecolor="#666", hatch="///",
                         label="ไม่มีข้อมูล (no data)"))
    if projects:
        for k in (1, 2, 3, 4):
            handles.append(Line2D([], [], color=LAYER_COLORS[k], marker="o", lw=2, markersize=6,
                                  label=f"โครงการ ชั้นงบ {k}: {BUDGET_LAYERS[k][0]}"))
    unit = f" ({spec.unit_th})" if spec.unit_th else ""
    title = f"{spec.th}{unit}"
    if len(title) > 45:  # a long title would make the legend box cover the map
        title = title.replace(" (", "\n(", 1)
    legend = ax.legend(handles=handles, title=title, loc=loc, fontsize=8.5,
                       title_fontsize=9.5, frameon=True, framealpha=0.93, borderpad=0.7,
                       **({"bbox_to_anchor": anchor} if anchor else {}))
    legend.get_frame().set_edgecolor("#888")


def _scale_bar(ax: Any) -> None:
    """A km scale bar at the lower right (the axes are in metres, UTM 47N)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    target = (x1 - x0) / 5 / 1000
    nice = next((n for n in (0.5, 1, 2, 5, 10, 20, 25, 50, 100) if n >= target * 0.6), 100)
    length = nice * 1000
    left, base = x1 - (x1 - x0) * 0.04 - length, y0 + (y1 - y0) * 0.035
    height = (y1 - y0) * 0.008
    for i in range(4):
        ax.add_patch(Rectangle((left + i * length / 4, base), length / 4, height,
                               facecolor="black" if i % 2 == 0 else "white", edgecolor="black",
                               lw=0.6, zorder=20))
    ax.text(left, base + height * 1.8, "0", ha="center", va="bottom", fontsize=8, zorder=20)
    ax.text(left + length, base + height * 1.8, f"{format_number(nice, 1 if nice < 1 else 0)} กม. (km)",
            ha="center", va="bottom", fontsize=8, zorder=20)


def _north_arrow(ax: Any) -> None:
    ax.annotate("", xy=(0.05, 0.925), xytext=(0.05, 0.855), xycoords="axes fraction",
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.6, "mutation_scale": 18},
                zorder=20)
    ax.text(0.05, 0.93, "เหนือ\nN", transform=ax.transAxes, ha="center", va="bottom", fontsize=9,
            zorder=20)


def _place_labels(ax: Any, items: list[tuple[float, float, str]], *, size: float,
                  min_size: float = 6.0, color: str = "#111") -> tuple[int, int]:
    """Draw labels without overlaps: each is shrunk, then dropped, if it would collide."""
    ax.apply_aspect()  # where the labels land depends on the equal-aspect box, set at draw time
    renderer = ax.figure.canvas.get_renderer()
    placed: list[Any] = []
    dropped = 0
    for x, y, text in items:
        fontsize = size
        while True:
            label = ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=color,
                            zorder=15, clip_on=True)
            label.set_path_effects([patheffects.withStroke(linewidth=2.2, foreground="white")])
            box = label.get_window_extent(renderer).expanded(1.05, 1.1)
            if not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
            label.remove()
            fontsize *= 0.85
            if fontsize < min_size:
                dropped += 1
                break
    return len(placed), dropped


def _locator(fig: Figure, rect: list[float], province: gpd.GeoDataFrame, highlight: str | None) -> None:
    inset = fig.add_axes(rect)
    province.plot(ax=inset, facecolor="#f2f2f2", edgecolor="#888", lw=0.3)
    if highlight is not None:
        province[province["amphoe_code"] == highlight].plot(ax=inset, facecolor="#d73027",
                                                           edgecolor="#7f0000", lw=0.6)
    inset.set_axis_off()
    inset.set_aspect("equal")
    inset.add_patch(Rectangle((0, 0), 1, 1, transform=inset.transAxes, fill=False, lw=0.8,
                              edgecolor="#555", clip_on=False))


class _Canvas(FigureCanvasAgg):
    """An Agg canvas that measures text for label placement but does not redraw the page.

    geopandas asks for a redraw after every ``plot`` call; on a page of a dozen layers
    that drew each page ~9 times (35 of the atlas's 60 s). The page is drawn once, when saved.
    """

    def draw_idle(self, *args: Any, **kwargs: Any) -> None:
        pass


def _new_figure(paper: str, landscape: bool) -> Figure:
    fig = Figure(figsize=_figsize(paper, landscape))
    _Canvas(fig)
    return fig


def _header(fig: Figure, title: str, subtitle: str) -> None:
    fig.text(0.04, 0.975, title, fontsize=20, va="top", ha="left")
    fig.text(0.04, 0.947, subtitle, fontsize=11, va="top", ha="left", color="#333")


def _projects_in(plan: Plan, bounds: Any) -> gpd.GeoDataFrame:
    located = plan.projects[plan.projects.geometry.notna()].to_crs(settings.analysis_crs)
    return located[located.intersects(bounds)]


def _draw_projects(ax: Any, projects: gpd.GeoDataFrame) -> None:
    for layer, part in projects.groupby(BUDGET_LAYER):
        color = LAYER_COLORS.get(int(layer), "#333")
        points = part[part.geom_type == "Point"]
        others = part[part.geom_type != "Point"]
        if len(others):
            others.plot(ax=ax, color=color, lw=2.2, zorder=12)
        if len(points):
            points.plot(ax=ax, color=color, markersize=36, edgecolor="white", lw=0.8, zorder=13)


def district_map(
    plan: Plan,
    amphoe_code: str,
    *,
    metric: str = "budget_per_household",
    paper: str = "A3",
    orientation: str = "auto",
    lang: str = "th",
    path: str | Path | None = None,
    dpi: int = 150,
) -> Figure:
    """One amphoe page: villages by the metric, tambon names, projects, neighbours greyed.

    Parameters
    ----------
    plan : Plan
    amphoe_code : str
        4-digit DOPA code.
    metric : str
        A village-level metric of :data:`~planmap_gis.classify.METRICS`.
    paper : {"A3", "A4"}
    orientation : {"auto", "portrait", "landscape"}
        ``auto`` follows the amphoe's shape.
    lang : {"th", "en"}
        Language of the legend labels (titles are Thai with English below).
    path : str or Path, optional
        Also save the page (PNG, PDF … by suffix).
    dpi : int
        Resolution of a raster ``path``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _mapdata.check_layer(metric, "village")
    with matplotlib.rc_context(_fonts.rc()), _fonts.searchable_thai():
        fig = _district_page(plan, amphoe_code, metric, paper, orientation, lang)
        if path is not None:
            fig.savefig(path, dpi=dpi)
    return fig


def _district_page(plan: Plan, code: str, metric: str, paper: str, orientation: str, lang: str) -> Figure:
    amphoes = plan.amphoes.to_crs(settings.analysis_crs)
    if code not in set(amphoes["amphoe_code"]):
        raise PlanmapError(f"district_map: no amphoe {code!r} in this plan; codes: "
                           f"{', '.join(amphoes['amphoe_code'][:8])} …")
    target = amphoes[amphoes["amphoe_code"] == code]
    geom = target.geometry.iloc[0]
    name_th, name_en = target["amphoe_th"].iloc[0], target["amphoe_en"].iloc[0]
    villages, classes = _metric_classes(plan, metric, "village")
    inside = villages[villages[_mapdata.CODE].str[:4] == code]
    x0, y0, x1, y1 = geom.bounds
    pad = 0.06 * max(x1 - x0, y1 - y0)
    fig = _new_figure(paper, _landscape(np.array(geom.bounds), orientation))
    spec = METRICS[metric]
    province = str(plan.tambons["province_th"].iloc[0])
    _header(fig, f"{spec.th} — อำเภอ{name_th} จังหวัด{province}",
            f"{spec.en} — {name_en} district · {_years(plan)} · ระดับหมู่บ้าน (village level)")
    ax = fig.add_axes([0.04, 0.2, 0.92, 0.725])
    amphoes.plot(ax=ax, facecolor=CONTEXT_FILL, edgecolor="#9a9a9a", lw=0.8, zorder=1)
    colors = inside["color"].to_numpy()
    inside.plot(ax=ax, color=colors, edgecolor="#ffffff", lw=0.35, zorder=2)
    nodata = inside[inside["nodata"]]
    if len(nodata):
        nodata.plot(ax=ax, facecolor="none", edgecolor="#777", hatch="///", lw=0, zorder=3)
    tambons = plan.tambons.to_crs(settings.analysis_crs)
    tambons[tambons["amphoe_code"] == code].boundary.plot(ax=ax, color="#333", lw=0.9, zorder=4)
    target.boundary.plot(ax=ax, color="black", lw=2.0, zorder=5)
    _draw_projects(ax, _projects_in(plan, geom))
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_edgecolor("#555")
    # Neighbours' names in grey, then this amphoe's tambon names, largest first.
    others = amphoes[(amphoes["amphoe_code"] != code) & amphoes.intersects(
        target.buffer(pad).geometry.iloc[0])]
    inner = tambons[tambons["amphoe_code"] == code].copy()
    inner["area"] = inner.area
    inner = inner.sort_values("area", ascending=False)
    points = inner.geometry.representative_point()
    items = [(p.x, p.y, f"ต.{n}") for p, n in zip(points, inner["tambon_th"], strict=True)]
    _place_labels(ax, items, size=11)
    ctx = [(p.x, p.y, f"อ.{n}") for p, n in zip(others.geometry.representative_point(),
                                               others["amphoe_th"], strict=True)
           if x0 - pad < p.x < x1 + pad and y0 - pad < p.y < y1 + pad]
    _place_labels(ax, ctx, size=9, color="#777")
    _north_arrow(ax)
    _scale_bar(ax)
    _legend(fig, metric, classes, lang=lang, projects=True, loc="lower right",
            anchor=(0.96, 0.03))
    _locator(fig, [0.80, 0.765, 0.15, 0.15], amphoes, code)
    _summary(fig, plan, code, name_th)
    fig.text(0.04, 0.012, _footer(plan), fontsize=7.5, color="#444")
    return fig


def _summary(fig: Figure, plan: Plan, code: str, name_th: str) -> None:
    row = plan.metrics["amphoe"].loc[code]
    villages = plan.metrics["village"]
    here = villages[villages.index.str[:4] == code]
    strength = _mapdata.values(plan, "strength_index", "amphoe").get(code, np.nan)
    gaps = int((here["n_targeted_projects"] == 0).sum())
    lines = [
        f"อำเภอ{name_th}: {len(here)} หมู่บ้าน · {int(row['n_projects'])} โครงการ จาก "
        f"{int(row['n_agencies'])} หน่วยงาน",
        f"งบประมาณ {format_number(row['budget_thb'] / 1e6, 1)} ล้านบาท · "
        f"{format_number(row['budget_per_household'])} บาท/ครัวเรือน",
        f"หมู่บ้านที่ไม่มีโครงการ {gaps} (ไม่นับโครงการทั้งจังหวัด/ทั้งอำเภอ) · ความซ้ำซ้อน (ด้านเดียวกัน ปีเดียวกัน ≥2 หน่วยงาน) "
        f"{int(row['n_duplications'])} กรณี",
    ]
    if not pd.isna(strength):
        lines.append(f"ดัชนีความเข้มแข็งเฉลี่ย {strength:.1f}/100")
    if "rank" in plan.priorities:
        ranked = plan.priorities[plan.priorities.index.str[:4] == code].dropna(subset=["rank"])
        top = ranked.sort_values("rank").head(2)
        if len(top):
            names = _mapdata.units(plan, "village").set_index(_mapdata.CODE)[_mapdata.NAME_TH]
            lines.append("ควรให้ความสำคัญก่อน (priority): " + ", ".join(
                f"{names.get(c, c)} [{int(r)}]" for c, r in top["rank"].items()))
    fig.text(0.04, 0.175, "\n".join(lines), fontsize=10, va="top", linespacing=1.7)


def overview_map(
    plan: Plan,
    *,
    metric: str = "budget_per_household",
    paper: str = "A3",
    orientation: str = "auto",
    lang: str = "th",
) -> Figure:
    """Page 1: the province by tambon, amphoe outlines and names, and the amphoe summary table."""
    level = "tambon" if "tambon" in METRICS[metric].levels else "village"
    with matplotlib.rc_context(_fonts.rc()):
        tambons, classes = _metric_classes(plan, metric, level)
        amphoes = plan.amphoes.to_crs(settings.analysis_crs)
        fig = _new_figure(paper, orientation == "landscape")  # auto: portrait, table below the map
        spec = METRICS[metric]
        province = str(plan.tambons["province_th"].iloc[0])
        _header(fig, f"{spec.th} — จังหวัด{province}",
                f"{spec.en} — {plan.tambons['province_en'].iloc[0]} · {_years(plan)} · "
                f"ระดับ{'ตำบล' if level == 'tambon' else 'หมู่บ้าน'}")
        ax = _province_axes(fig, tambons, amphoes, {c: f"อ.{n}" for c, n in zip(
            amphoes["amphoe_code"], amphoes["amphoe_th"], strict=True)})
        _north_arrow(ax)
        _scale_bar(ax)
        _legend(fig, metric, classes, lang=lang, projects=False, loc="upper right",
                anchor=(0.96, 0.9))
        _table(fig, plan, [0.04, 0.04, 0.92, 0.33])
        fig.text(0.04, 0.012, _footer(plan), fontsize=7.5, color="#444")
    return fig


def _province_axes(fig: Figure, units: gpd.GeoDataFrame, amphoes: gpd.GeoDataFrame,
                   labels: dict[str, str]) -> Any:
    """The province map in the upper part of a page: coloured units, amphoe outlines and labels."""
    ax = fig.add_axes([0.04, 0.39, 0.92, 0.52])
    units.plot(ax=ax, color=units["color"].to_numpy(), edgecolor="white", lw=0.4 if len(units) < 500 else 0.1)
    amphoes.boundary.plot(ax=ax, color="black", lw=1.3)
    x0, y0, x1, y1 = amphoes.total_bounds
    pad = 0.04 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    order = amphoes.assign(area=amphoes.area).sort_values("area", ascending=False)
    _place_labels(ax, [(p.x, p.y, labels[c]) for p, c in zip(
        order.geometry.representative_point(), order["amphoe_code"], strict=True)], size=10)
    _north_arrow(ax)
    _scale_bar(ax)
    return ax


def needs_map(plan: Plan, *, paper: str = "A3", lang: str = "th") -> Figure:
    """The "unmet needs" page: villages by master-plan alignment, the sectors still unmet.

    Each amphoe is labelled with the sector most often left unmet among its
    villages' top needs; the table lists, per amphoe, needs met and the three
    most frequent unmet sectors (Thai).

    Raises
    ------
    PlanmapError
        When the plan has no master plans.
    """
    if not plan.alignment:
        raise PlanmapError("needs_map: the plan has no master plans; pass master_plans= to analyse().")
    with matplotlib.rc_context(_fonts.rc()):
        villages, classes = _metric_classes(plan, "alignment", "village")
        amphoes = plan.amphoes.to_crs(settings.analysis_crs)
        fig = _new_figure(paper, False)
        province = str(plan.tambons["province_th"].iloc[0])
        _header(fig, f"ความต้องการในแผนแม่บทชุมชนที่ยังไม่มีโครงการรองรับ — จังหวัด{province}",
                f"Master-plan needs not yet met by a project — {plan.tambons['province_en'].iloc[0]} · "
                f"{_years(plan)} · ระดับหมู่บ้าน")
        unmet = plan.needs[~plan.needs["met"]]
        top = unmet.groupby("amphoe_code")["sector"].agg(lambda s: s.value_counts().index[:3].tolist())
        labels = {c: f"อ.{n}" + (f"\nขาด: {top[c][0]}" if top.get(c) else "")
                  for c, n in zip(amphoes["amphoe_code"], amphoes["amphoe_th"], strict=True)}
        _province_axes(fig, villages, amphoes, labels)
        _legend(fig, "alignment", classes, lang=lang, projects=False, loc="upper left",
                anchor=(0.04, 0.8))
        table = plan.alignment["amphoe"]
        rows = [[f"{c} {labels[c].splitlines()[0]}", f"{int(r.n_needs)}", f"{int(r.n_met)}",
                 f"{r.alignment:.2f}", f"{int(r.n_units_unmet)}", ", ".join(top.get(c, []))]
                for c, r in table.dropna(subset=["n_needs"]).iterrows()]
        ax = fig.add_axes([0.04, 0.04, 0.92, 0.33])
        ax.set_axis_off()
        drawn = ax.table(cellText=rows, colLabels=["อำเภอ", "ความต้องการ 3 อันดับแรก", "มีโครงการรองรับ",
                                                   "ความสอดคล้อง", "หมู่บ้านที่ยังขาด",
                                                   "ด้านที่ยังขาดบ่อยที่สุด"],
                         loc="upper center", cellLoc="right", colLoc="center",
                         colWidths=[0.22, 0.13, 0.12, 0.1, 0.12, 0.31])
        drawn.auto_set_font_size(False)
        drawn.set_fontsize(8.5 if len(rows) < 26 else 7)
        for (r, c), cell in drawn.get_celld().items():
            cell.set_edgecolor("#bbb")
            if r == 0:
                cell.set_facecolor("#e8eef4")
            if c in (0, 5):
                cell.set_text_props(ha="left")
        fig.text(0.04, 0.012, _footer(plan) + " · กติกา: ความต้องการ 3 อันดับแรกของหมู่บ้าน นับว่ามีโครงการ"
                 "รองรับเมื่อมีโครงการด้านเดียวกันในหมู่บ้านหรือตำบลนั้น", fontsize=7.5, color="#444")
    return fig


def _table(fig: Figure, plan: Plan, rect: list[float]) -> None:
    table = plan.metrics["amphoe"]
    strength = _mapdata.values(plan, "strength_index", "amphoe")
    names = plan.amphoes.set_index("amphoe_code")["amphoe_th"]
    rows = [[f"{c} {names.get(c, '')}", f"{int(r.n_projects)}", f"{int(r.n_agencies)}",
             format_number(r.budget_thb / 1e6, 1), format_number(r.budget_per_household),
             "–" if pd.isna(strength.get(c)) else f"{strength.get(c):.1f}", f"{int(r.n_duplications)}"]
            for c, r in table.iterrows()]
    total = plan.metrics["amphoe"]
    households = total.households.sum()  # 0 when no village register gave households
    rows.append(["รวมจังหวัด", f"{plan.projects.shape[0]}", f"{plan.projects['agency'].nunique()}",
                 format_number(total.budget_thb.sum() / 1e6, 1),
                 format_number(total.budget_thb.sum() / households if households else float("nan")), "", ""])
    ax = fig.add_axes(rect)
    ax.set_axis_off()
    header = ["อำเภอ", "โครงการ", "หน่วยงาน", "งบประมาณ (ล้านบาท)", "บาท/ครัวเรือน",
              "ดัชนีความเข้มแข็ง", "ความซ้ำซ้อน"]
    drawn = ax.table(cellText=rows, colLabels=header, loc="upper center", cellLoc="right",
                     colLoc="center", colWidths=[0.26, 0.1, 0.1, 0.16, 0.14, 0.13, 0.11])
    drawn.auto_set_font_size(False)
    drawn.set_fontsize(8.5 if len(rows) < 26 else 7)
    drawn.scale(1, 1.0 if len(rows) < 26 else 0.85)
    for (r, c), cell in drawn.get_celld().items():
        cell.set_edgecolor("#bbb")
        if r == 0:
            cell.set_facecolor("#e8eef4")
        if c == 0:
            cell.set_text_props(ha="left")
        if r == len(rows):
            cell.set_facecolor("#f4f4f4")


def _table_style(drawn: Any, n_rows: int, *, left: tuple[int, ...] = (0,), small: bool = False) -> None:
    """House style of a page table: grey rules, a tinted header, the total row shaded."""
    drawn.auto_set_font_size(False)
    drawn.set_fontsize(8.5 if n_rows < 26 and not small else 7)
    for (r, c), cell in drawn.get_celld().items():
        cell.set_edgecolor("#bbb")
        if r == 0:
            cell.set_facecolor("#e8eef4")
        if c in left:
            cell.set_text_props(ha="left")


def atlas_pages(plan: Plan) -> int:
    """Pages of the atlas: the overview, the unmet-needs page (with master plans), the need
    against response page (with a need on record), the change page (comparing two years), one
    per amphoe."""
    return 1 + bool(plan.alignment) + _has_need(plan) + (plan.change is not None) + len(plan.amphoes)


def _has_need(plan: Plan) -> bool:
    table = plan.metrics["village"]
    return "need_budget" in table and bool(table["need_budget"].notna().any())


def atlas(
    plan: Plan,
    path: str | Path,
    *,
    metric: str = "budget_per_household",
    paper: str = "A3",
    orientation: str = "auto",
    lang: str = "th",
    progress: bool = True,
) -> Path:
    """Write the atlas: the province overview, the unmet-needs page (with master plans), need
    against response, the change between two years (``plan.change``), then one page per
    amphoe, as one PDF.

    Parameters
    ----------
    plan : Plan
    path : str or Path
        The ``.pdf`` file.
    metric : str
        Village-level metric of :data:`~planmap_gis.classify.METRICS`.
    paper : {"A3", "A4"}
    orientation : {"auto", "portrait", "landscape"}
    lang : {"th", "en"}
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    Path
        The PDF, with the Thai font embedded (TrueType) and searchable text.
    """
    _mapdata.check_layer(metric, "village")
    path = Path(path)
    codes = list(plan.amphoes["amphoe_code"])
    metadata = {"Title": f"Atlas: {METRICS[metric].en} — {plan.tambons['province_en'].iloc[0]}",
                "Creator": "planmap-gis", "Subject": " / ".join(plan.notes) or "planning atlas"}
    with atomic(path) as tmp, matplotlib.rc_context(_fonts.rc()), _fonts.searchable_thai(), \
            PdfPages(tmp, metadata=metadata) as pdf:
        pdf.savefig(overview_map(plan, metric=metric, paper=paper, orientation="portrait", lang=lang))
        if plan.alignment:
            pdf.savefig(needs_map(plan, paper=paper, lang=lang))
        from planmap_gis._print_pages import change_page, need_page  # the pages build on this module

        if _has_need(plan):
            pdf.savefig(need_page(plan, paper=paper, lang=lang))
        if plan.change is not None:
            pdf.savefig(change_page(plan, paper=paper, lang=lang))
        for code in tqdm(codes, desc="atlas pages", unit="page", disable=not progress):
            fig = _district_page(plan, code, metric, paper, orientation, lang)
            pdf.savefig(fig)
    log.info("atlas: %d pages written to %s", atlas_pages(plan), path)
    return path
