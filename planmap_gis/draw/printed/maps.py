"""The map pages of the atlas on the page grid: province overview, unmet needs, one amphoe."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch

from planmap_gis import settings
from planmap_gis._errors import PlanmapError
from planmap_gis._schema import BUDGET_LAYER, BUDGET_LAYERS_SHORT, NO_PROJECT_RULE
from planmap_gis.draw import mapdata as _mapdata
from planmap_gis.draw.classify import (
    LAYER_COLORS,
    METRICS,
    NO_DATA_COLOR,
    Classes,
    classify,
    format_number,
)
from planmap_gis.draw.printed import elements as el
from planmap_gis.draw.printed.layout import PT_MM, Grid, grid, split
from planmap_gis.measure.metrics import no_project
from planmap_gis.plan import Plan
from planmap_gis.plan.summary import has_register

#: Priority villages numbered on each amphoe page.
PRIORITY_MARKS = 5
#: The last line of a page's summary that has no room for all of it: the project sheet repeats it.
CONTINUED = "ต่อในแผ่นโครงการ (continued on the project sheet) →"


def level_words(plan: Plan, level: str = "village", *, english: bool = False) -> str:
    """The level a page's map is drawn at, in Thai (and English): without a village register the
    villages are the tambon's stand-ins, so the map is said to be at tambon level."""
    if level == "tambon":
        th, en = "ระดับตำบล", "tambon level"
    elif not has_register(plan):
        th, en = "ระดับตำบล", "tambon level: no village register"
        return f"{th} ไม่มีทะเบียนหมู่บ้าน ({en})" if english else f"{th} (ไม่มีทะเบียนหมู่บ้าน)"
    else:
        th, en = "ระดับหมู่บ้าน", "village level"
    return f"{th} ({en})" if english else th


def metric_classes(plan: Plan, metric: str, level: str) -> tuple[gpd.GeoDataFrame, Classes]:
    layer = _mapdata.metric_layer(plan, metric, level).to_crs(settings.analysis_crs)
    classes = classify(layer[_mapdata.VALUE], metric)
    layer["color"] = classes.color_of()
    layer["nodata"] = classes.yb < 0
    return layer, classes


def metric_handles(metric: str, classes: Classes, lang: str, *, projects: bool,
                   notes: Sequence[tuple[str, str]] = ()) -> tuple[list[Any], str]:
    """Legend entries of a metric's classes (and of project footprints), then ``notes`` (Thai, English
    lines of :func:`~planmap_gis.draw.mapdata.legend_notes`: the test and its level, class ranges),
    and the legend title."""
    spec = METRICS[metric]
    handles: list[Any] = [Patch(facecolor=c, edgecolor="#666", label=lab) for c, lab in
                          zip(classes.colors, classes.labels(lang), strict=True)]
    handles.append(Patch(facecolor=NO_DATA_COLOR, edgecolor="#666", hatch="///", label="ไม่มีข้อมูล (no data)"))
    handles += [Patch(facecolor="none", edgecolor="none", label=th if lang == "th" else en if lang == "en"
                      else f"{th} ({en})") for th, en in notes]
    if projects:
        for k in (1, 2, 3, 4):
            handles.append(Line2D([], [], color=LAYER_COLORS[k], marker="o", lw=2, markersize=6,
                                  label=f"โครงการ ชั้นงบ {BUDGET_LAYERS_SHORT[k]}"))
    unit = spec.unit_th
    title = spec.th if not unit or unit in spec.th else f"{spec.th}\n({unit})"
    return handles, title


def panel_lines(paper: str, rows: list[list[str]], header: list[str], widths: list[float], share: float,
                whole: tuple[int, ...] = ()) -> int:
    """The lines a table takes (header included, cells wrapped) in ``share`` of a portrait panel's width."""
    probe = grid(paper, False)
    width = split(probe.panel, [1 - share, share])[1][2]  # the panel's right part, as the page splits it
    return sum(el.table_lines(probe, width, rows, header, widths, whole=whole))


def _province_page(plan: Plan, paper: str, units: gpd.GeoDataFrame, labels: dict[str, str], *,
                   title: str, subtitle: str, rows: int) -> tuple[Figure, Grid, list[Any]]:
    """A portrait province page: the map, and a panel tall enough for a table of ``rows`` lines under
    a one-line header (:func:`panel_lines` − 1: wrapped cells counted), at most 55 % of the page."""
    probe = grid(paper, False)
    row_mm = probe.pt(8.5) * PT_MM * 1.75
    g = grid(paper, False, panel_mm=min(row_mm * (rows + 1) + 2, probe.height * 0.55))
    fig = g.figure()
    el.header(fig, g, title, subtitle)
    amphoes = plan.amphoes.to_crs(settings.analysis_crs)
    ax = el.map_axes(fig, g, g.map, amphoes.total_bounds)
    units.plot(ax=ax, color=units["color"].to_numpy(), edgecolor="white", lw=0.4 if len(units) < 500 else 0.1)
    amphoes.boundary.plot(ax=ax, color="black", lw=1.3)
    ax.set_axis_off()
    blocked = el.furniture(ax, g, shapely.union_all(amphoes.geometry.values))
    order = amphoes.assign(area=amphoes.area).sort_values("area", ascending=False)
    el.place_labels(ax, [(p.x, p.y, labels[c]) for p, c in zip(
        order.geometry.representative_point(), order["amphoe_code"], strict=True)], size=g.pt(10),
        blocked=blocked, must=set(labels.values()))  # every amphoe named on the overview
    return fig, g, split(g.panel, [0.3, 0.7])


def overview_page(plan: Plan, metric: str, paper: str, lang: str) -> Figure:
    """The province by tambon (or village), amphoe outlines and names, and the amphoe table."""
    level = "tambon" if "tambon" in METRICS[metric].levels else "village"
    units, classes = metric_classes(plan, metric, level)
    spec = METRICS[metric]
    province = str(plan.tambons["province_th"].iloc[0])
    fig, g, (key, right) = _province_page(
        plan, paper, units, {c: f"อ.{n}" for c, n in zip(plan.amphoes["amphoe_code"], plan.amphoes["amphoe_th"],
                                                      strict=True)},
        title=f"{spec.th} — จังหวัด{province}",
        subtitle=f"{spec.en} — {plan.tambons['province_en'].iloc[0]} · {plan.years_label()} · "
                 f"{level_words(plan, level)}",
        rows=panel_lines(paper, rows := _amphoe_rows(plan), _AMPHOE_HEADER, _AMPHOE_WIDTHS, 0.7) - 1)
    handles, title = metric_handles(metric, classes, lang, projects=False,
                                    notes=_mapdata.legend_notes(plan, metric, level))
    el.legend(fig, g, key, handles, title)
    el.table(fig, g, right, rows, _AMPHOE_HEADER, _AMPHOE_WIDTHS, shade_last=True)
    el.footer(fig, g, el.footer_text(plan.notes))
    return fig


_AMPHOE_HEADER = ["อำเภอ", "โครงการ", "หน่วยงาน", "ล้านบาท", "บาท/ครัวเรือน", "ความเข้มแข็ง", "ซ้ำซ้อน"]
_AMPHOE_WIDTHS = [0.27, 0.1, 0.1, 0.13, 0.15, 0.13, 0.12]


def _amphoe_rows(plan: Plan) -> list[list[str]]:
    table = plan.metrics["amphoe"]
    strength = _mapdata.values(plan, "strength_index", "amphoe")
    names = plan.amphoes.set_index("amphoe_code")["amphoe_th"]
    rows = [[f"{c} {names.get(c, '')}", f"{int(r.n_projects)}", f"{int(r.n_agencies)}",
             format_number(r.budget_thb / 1e6, 1), format_number(r.budget_per_household),
             "–" if pd.isna(strength.get(c)) else f"{strength.get(c):.1f}", f"{int(r.n_duplications)}"]
            for c, r in table.iterrows()]
    households = table.households.sum()
    rows.append(["รวมจังหวัด", f"{plan.projects.shape[0]}", f"{plan.projects['agency'].nunique()}",
                 format_number(table.budget_thb.sum() / 1e6, 1),
                 format_number(table.budget_thb.sum() / households if households else float("nan")), "", ""])
    return rows


def needs_page(plan: Plan, paper: str, lang: str) -> Figure:
    """Villages by master-plan alignment; each amphoe labelled with its most often unmet sector."""
    if not plan.alignment:
        raise PlanmapError("needs_map: the plan has no master plans; pass master_plans= to analyse().")
    villages, classes = metric_classes(plan, "alignment", "village")
    unmet = plan.needs[~plan.needs["met"]]
    top = unmet.groupby("amphoe_code")["sector"].agg(lambda s: s.value_counts().index[:3].tolist())
    amphoes = plan.amphoes
    labels = {c: f"อ.{n}" + (f"\nขาด: {top[c][0]}" if top.get(c) else "")
              for c, n in zip(amphoes["amphoe_code"], amphoes["amphoe_th"], strict=True)}
    table = plan.alignment["amphoe"].dropna(subset=["n_needs"])
    province = str(plan.tambons["province_th"].iloc[0])
    # A3 lists the three sectors most often unmet; A4 has room under its map for the first one only
    shown = 3 if paper == "A3" else 1
    rows = [[f"{c} {labels[c].splitlines()[0]}", f"{int(r.n_needs)}", f"{int(r.n_met)}", f"{r.alignment:.2f}",
             f"{int(r.n_units_unmet)}", ", ".join(top.get(c, [])[:shown])] for c, r in table.iterrows()]
    header = ["อำเภอ", "ความต้องการ", "มีโครงการรองรับ", "สอดคล้อง", "หมู่บ้านที่ยังขาด",
              "ด้านที่ยังขาดบ่อยที่สุด" if shown > 1 else "ด้านที่ยังขาดบ่อยที่สุด (1)"]
    widths = [0.3, 0.11, 0.13, 0.1, 0.12, 0.24]
    fig, g, (key, right) = _province_page(
        plan, paper, villages, labels, rows=panel_lines(paper, rows, header, widths, 0.7) - 1,
        title=f"ความต้องการในแผนแม่บทชุมชนที่ยังไม่มีโครงการรองรับ — จังหวัด{province}",
        subtitle=f"Master-plan needs not yet met by a project — {plan.tambons['province_en'].iloc[0]} · "
                 f"{plan.years_label()} · {level_words(plan)}")
    handles, title = metric_handles("alignment", classes, lang, projects=False)
    el.legend(fig, g, key, handles, title)
    el.table(fig, g, right, rows, header, widths, left=(0, 5))
    el.footer(fig, g, el.footer_text(plan.notes), ("กติกา: ความต้องการ 3 อันดับแรกของหมู่บ้าน นับว่ามีโครงการ"
                                                 "รองรับเมื่อมีโครงการด้านเดียวกันในหมู่บ้านหรือตำบลนั้น"))
    return fig


def _landscape(bounds: np.ndarray, orientation: str) -> bool:
    if orientation not in ("auto", "portrait", "landscape"):
        raise PlanmapError(f"orientation must be auto, portrait or landscape, got {orientation!r}.")
    if orientation != "auto":
        return orientation == "landscape"
    width, height = bounds[2] - bounds[0], bounds[3] - bounds[1]
    return width > 1.15 * height


def _draw_projects(ax: Any, plan: Plan, bounds: Any) -> None:
    located = plan.projects[plan.projects.geometry.notna()].to_crs(settings.analysis_crs)
    for layer, part in located[located.intersects(bounds)].groupby(BUDGET_LAYER):
        color = LAYER_COLORS.get(int(layer), "#333")
        points = part[part.geom_type == "Point"]
        others = part[part.geom_type != "Point"]
        if len(others):
            others.plot(ax=ax, color=color, lw=2.2, zorder=12)
        if len(points):
            points.plot(ax=ax, color=color, markersize=36, edgecolor="white", lw=0.8, zorder=13)


def priority_villages(plan: Plan, code: str, n: int = PRIORITY_MARKS) -> pd.DataFrame:
    """The amphoe's ``n`` best-ranked villages: rank, its reason, and the number on the map."""
    if "rank" not in plan.priorities:
        return pd.DataFrame(columns=["rank", "reason_th", "mark"])
    ranked = plan.priorities[plan.priorities.index.str[:4] == code].dropna(subset=["rank"])
    top = ranked.sort_values("rank").head(n)
    return top.assign(mark=np.arange(1, len(top) + 1))


def district_page(plan: Plan, code: str, metric: str, paper: str, orientation: str, lang: str) -> Figure:
    amphoes = plan.amphoes.to_crs(settings.analysis_crs)
    if code not in set(amphoes["amphoe_code"]):
        raise PlanmapError(f"district_map: no amphoe {code!r} in this plan; codes: "
                           f"{', '.join(amphoes['amphoe_code'][:8])} …")
    target = amphoes[amphoes["amphoe_code"] == code]
    geom = target.geometry.iloc[0]
    name_th, name_en = target["amphoe_th"].iloc[0], target["amphoe_en"].iloc[0]
    villages, classes = metric_classes(plan, metric, "village")
    inside = villages[villages[_mapdata.CODE].str[:4] == code]
    landscape = _landscape(np.array(geom.bounds), orientation)
    g = grid(paper, landscape, panel_mm=(100.0 if paper == "A3" else 88.0) if landscape
             else (85.0 if paper == "A3" else 68.0))
    fig = g.figure()
    spec = METRICS[metric]
    province = str(plan.tambons["province_th"].iloc[0])
    el.header(fig, g, f"{spec.th} — อำเภอ{name_th} จังหวัด{province}",
              f"{spec.en} — {name_en} district · {plan.years_label()} · {level_words(plan, english=True)}")
    ax = el.map_axes(fig, g, g.map, np.array(geom.bounds), pad=0.05)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    view = shapely.box(x0, y0, x1, y1)
    amphoes.plot(ax=ax, facecolor=el.CONTEXT_FILL, edgecolor="#9a9a9a", lw=0.8, zorder=1)
    inside.plot(ax=ax, color=inside["color"].to_numpy(), edgecolor="#ffffff", lw=0.35, zorder=2)
    nodata = inside[inside["nodata"]]
    if len(nodata):
        nodata.plot(ax=ax, facecolor="none", edgecolor="#777", hatch="///", lw=0, zorder=3)
    tambons = plan.tambons.to_crs(settings.analysis_crs)
    inner = tambons[tambons["amphoe_code"] == code].copy()
    inner.boundary.plot(ax=ax, color="#333", lw=0.9, zorder=4)
    target.boundary.plot(ax=ax, color="black", lw=2.0, zorder=5)
    _draw_projects(ax, plan, geom)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("")
    ax.set_ylabel("")
    blocked = el.furniture(ax, g, geom)
    marks = priority_villages(plan, code)
    blocked += number_marks(ax, g, inside, marks)
    # Names in the order they matter: tambon holding a numbered priority village (by its number),
    # then those holding an under-served village, then the largest; the first never go unnamed.
    first = list(dict.fromkeys(str(v)[:6] for v in marks.index))
    served = plan.underserved["village_code"].astype(str).str[:6] if plan.underserved is not None else []
    then = [t for t in dict.fromkeys(served) if t not in first]
    inner["area"] = inner.area
    inner["order"] = [first.index(t) if t in first else len(first) + then.index(t) if t in then
                      else len(first) + len(then) for t in inner["tambon_code"]]
    inner = inner.sort_values(["order", "area"], ascending=[True, False])
    items = [(p.x, p.y, f"ต.{n}") for p, n in zip(inner.geometry.representative_point(), inner["tambon_th"],
                                                  strict=True)]
    must = {f"ต.{n}" for n, t in zip(inner["tambon_th"], inner["tambon_code"], strict=True) if t in first}
    _, dropped = el.place_labels(ax, items, size=g.pt(11), blocked=blocked, must=must)
    others = amphoes[(amphoes["amphoe_code"] != code) & amphoes.intersects(view)]
    ctx = [(p.x, p.y, f"อ.{n}") for p, n in zip(others.geometry.intersection(view).representative_point(),
                                               others["amphoe_th"], strict=True)]
    el.place_labels(ax, ctx, size=g.pt(9), blocked=blocked, color="#666")
    parts = (split(g.panel, [0.2, 0.33, 0.47], horizontal=False) if g.landscape
             else split(g.panel, [0.15, 0.33, 0.52]))
    el.locator(fig, g, _square(parts[0]), amphoes, code)
    handles, title = metric_handles(metric, classes, lang, projects=True,
                                    notes=_mapdata.legend_notes(plan, metric, "village"))
    el.legend(fig, g, parts[1], handles, title)
    el.text_block(fig, g, parts[2], _summary_lines(plan, code, name_th, marks, dropped), size=g.pt(10),
                  more=CONTINUED,
                  gid="summary")
    el.footer(fig, g, el.footer_text(plan.notes))
    return fig


def _square(rect: Any) -> Any:
    x, y, w, h = rect
    side = min(w, h)
    return (x + (w - side) / 2, y + (h - side) / 2, side, side)


def number_marks(ax: Any, g: Grid, villages: gpd.GeoDataFrame, marks: pd.DataFrame, *,
                 size: float = 0.012) -> list[Any]:
    """Numbered circles (``marks["mark"]``, indexed by village code) on villages: the priority
    villages of an amphoe page, the under-served of the need page; their boxes, which labels avoid.
    ``size`` is the radius as a share of the map's width."""
    renderer = ax.figure.canvas.get_renderer()
    where = villages.set_index(_mapdata.CODE).geometry
    boxes = []
    x0, x1 = ax.get_xlim()
    radius = (x1 - x0) * size
    for code, rec in marks.iterrows():
        if code not in where.index:
            continue
        p = where[code].representative_point()
        circle = ax.add_patch(Circle((p.x, p.y), radius, facecolor="#111", edgecolor="white", lw=1.2,
                                     zorder=16, gid="priority"))
        ax.text(p.x, p.y, str(int(rec["mark"])), ha="center", va="center", color="white",
                fontsize=g.pt(8), zorder=17, gid="priority")
        boxes.append(circle.get_window_extent(renderer).expanded(1.1, 1.1))
    return boxes


def priority_key(plan: Plan, marks: pd.DataFrame) -> list[str]:
    """The numbered priority villages of a page in words (the map's numbers), one short line each;
    the project sheet repeats them in full when the page has no room."""
    if not len(marks):
        return []
    total = int(plan.priorities["rank"].notna().sum())
    names = _mapdata.units(plan, "village").set_index(_mapdata.CODE)[_mapdata.NAME_TH]
    lines = [f"หมู่บ้านที่ควรให้ความสำคัญก่อน (หมายเลขบนแผนที่; ลำดับจาก {total:,} หมู่บ้าน; "
             "ความเข้มแข็ง /100; งบต่อครัวเรือนเทียบค่ากลางจังหวัด):"]
    for village, rec in marks.iterrows():
        lines.append(f"({int(rec['mark'])}) {names.get(village, village)} · ลำดับ {int(rec['rank'])} · "
                     f"เข้มแข็ง {rec['strength_index']:.0f} · งบ {rec['coverage_ratio']:.2f}× ค่ากลาง")
    return lines


def _summary_lines(plan: Plan, code: str, name_th: str, marks: pd.DataFrame, dropped: list[str]) -> list[str]:
    row = plan.metrics["amphoe"].loc[code]
    villages = plan.metrics["village"]
    here = villages[villages.index.str[:4] == code]
    strength = _mapdata.values(plan, "strength_index", "amphoe").get(code, np.nan)
    gaps = int(no_project(here).sum())
    # Without a register each tambon stands for one village: counted as tambon, not as villages.
    unit = "หมู่บ้าน" if has_register(plan) else "ตำบล"
    lines = [
        f"อำเภอ{name_th}: {len(here)} {unit}{' (ไม่มีทะเบียนหมู่บ้าน)' if unit == 'ตำบล' else ''} · "
        f"{int(row['n_projects'])} โครงการ จาก {int(row['n_agencies'])} หน่วยงาน",
        f"งบประมาณ {format_number(row['budget_thb'] / 1e6, 1)} ล้านบาท · "
        f"{format_number(row['budget_per_household'])} บาท/ครัวเรือน",
        f"{unit}ที่ไม่มีโครงการ {gaps} ({NO_PROJECT_RULE[0]})",
        f"ความซ้ำซ้อน (ด้านเดียวกัน ปีเดียวกัน ≥2 หน่วยงาน) {int(row['n_duplications'])} กรณี",
    ]
    if not pd.isna(strength):
        lines.append(f"ดัชนีความเข้มแข็งเฉลี่ย {strength:.1f}/100")
    lines += priority_key(plan, marks)
    if dropped:
        lines.append("ชื่อตำบลที่ไม่ได้แสดงบนแผนที่ (ที่ไม่พอ): " + ", ".join(dropped))
    return lines
