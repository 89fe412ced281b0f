"""Atlas pages of need against response and of change between two fiscal years, on the grid.

* :func:`need_page`: villages in the 3 × 3 need × budget-per-household classes, a key whose
  corners say what they mean, and the most under-served villages.
* :func:`change_page`: small multiples of the change by tambon — all budget, then each budget
  layer — in one diverging classification centred on 0, so a colour means the same number in
  every panel; and the amphoe table of both years.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import shapely
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from planmap_gis import settings
from planmap_gis._errors import PlanmapError
from planmap_gis._schema import BUDGET_LAYERS_SHORT
from planmap_gis.draw import mapdata as _mapdata
from planmap_gis.draw.classify import METRICS, NO_DATA_COLOR, classify, format_number
from planmap_gis.draw.printed import elements as el
from planmap_gis.draw.printed.layout import PT_MM, Grid, grid, split
from planmap_gis.draw.printed.maps import level_words, number_marks, panel_lines
from planmap_gis.measure.need import BIVARIATE
from planmap_gis.plan import Plan

__all__ = ["change_page", "need_page"]

#: The key's corners, marked in the squares and said in words short enough for the A4 key.
_CORNERS = (("n3b1", "ก", "จำเป็นมาก ได้น้อย (under-served)"), ("n3b3", "ข", "จำเป็นมาก ได้มาก (answered)"),
            ("n1b1", "ค", "จำเป็นน้อย ได้น้อย (low need, little)"),
            ("n1b3", "ง", "จำเป็นน้อย ได้มาก (beyond its need)"))


def _page(plan: Plan, paper: str, rows: int, title_th: str, title_en: str, detail: str) -> tuple[Figure, Grid]:
    probe = grid(paper, False)
    row_mm = probe.pt(8.5) * PT_MM * 1.75
    # room for the table's title on two lines (it wraps on A4), and at most half the page
    g = grid(paper, False, panel_mm=min(row_mm * (rows + 1) + 2 * probe.pt(10.5) * PT_MM * 1.6 + 4,
                                         probe.height * 0.5))
    fig = g.figure()
    province_th, province_en = (str(plan.tambons[c].iloc[0]) for c in ("province_th", "province_en"))
    el.header(fig, g, f"{title_th} — จังหวัด{province_th}", f"{title_en} — {province_en} · {detail}")
    return fig, g


def _tercile_ticks(ax: Any, breaks: pd.DataFrame | None, axis: str, size: float) -> None:
    """Each tercile's range (the plan's :attr:`~planmap_gis.plan.Plan.bivariate`) beside its row or column."""
    held = breaks.loc[axis] if breaks is not None and axis in breaks.index.get_level_values(0) else None
    if held is None:
        return
    decimals, scale = (1, 100) if axis == "need" else (0, 1)  # need as % of households, budget in THB
    spots = [t - 0.5 for t in held.index]
    texts = [format_number(r["low"] * scale, decimals) if r["low"] == r["high"] else
             f"{format_number(r['low'] * scale, decimals)}–\n{format_number(r['high'] * scale, decimals)}"
             for _, r in held.iterrows()]
    if axis == "need":
        ax.set_yticks(spots, [t.replace("\n", "") for t in texts], fontsize=size, gid="legend")
    else:
        ax.set_xticks(spots, texts, fontsize=size, gid="legend")
    ax.tick_params(length=0, pad=1.5)


def _bivariate_key(fig: Figure, g: Grid, rect: Any, breaks: pd.DataFrame | None = None) -> None:
    """The 3 × 3 key: need upwards, budget per household to the right, each tercile's range printed
    beside it with its unit; the corners in words."""
    x, y, w, h = rect
    side = min(w * 0.3, h * 0.3)
    margin = g.pt(6.5) * PT_MM * 10 + g.pt(8) * PT_MM * 1.5  # the need ranges and the axis name to its left
    ax = fig.add_axes(g.frac((x + margin, y + h - side - 2, side, side)))
    ax.set_gid("legend")
    for key, (color, _, _) in BIVARIATE.items():
        need, budget = int(key[1]), int(key[3])
        ax.add_patch(Rectangle((budget - 1, need - 1), 1, 1, facecolor=color, edgecolor="white", lw=1.5))
    for key, mark, _ in _CORNERS:
        ax.text(int(key[3]) - 0.5, int(key[1]) - 0.5, mark, ha="center", va="center", fontsize=g.pt(8),
                color="white" if key == "n3b3" else "#222", gid="legend")
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 3)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    _tercile_ticks(ax, breaks, "budget", g.pt(6.5))
    _tercile_ticks(ax, breaks, "need", g.pt(6.5))
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("งบต่อครัวเรือน (บาท/ครัวเรือน) →", fontsize=g.pt(8), labelpad=2)
    ax.set_ylabel("ครัวเรือนที่ยังต้องการการพัฒนา (%) →", fontsize=g.pt(8), labelpad=2)
    words = [Patch(facecolor=BIVARIATE[k][0], edgecolor="#666", label=f"{mark} {said}") for k, mark, said in _CORNERS]
    below = (x, y, w, h - side - 2 - g.pt(6.5) * PT_MM * 2.6 - g.pt(8) * PT_MM * 2)  # two-line ranges, axis name
    el.legend(fig, g, below, words, "มุมของตาราง (corners)")


def need_page(plan: Plan, *, paper: str = "A3", lang: str | None = None) -> Figure:
    """Need against response: villages by need × budget per household, and who is furthest short."""
    lang = settings.language(lang)
    if "need_budget" not in plan.metrics["village"] or plan.metrics["village"]["need_budget"].isna().all():
        raise PlanmapError("need_page: the plan has no need on record (no strength index or need column).",
                           th="ไม่มีข้อมูลความจำเป็นของหมู่บ้าน (ไม่มีดัชนีความเข้มแข็งหรือคอลัมน์ความจำเป็น)")
    worst = plan.underserved if plan.underserved is not None else pd.DataFrame()
    shown = worst.head(15)
    names = _mapdata.units(plan, "village").set_index(_mapdata.CODE)[_mapdata.NAME_TH]
    rows = [[f"{int(r['rank'])}", f"{r['village_code']} {names.get(r['village_code'], '')}",
             format_number(r["households"]), format_number(r["need"]), format_number(r["budget_thb"] / 1e6, 2),
             format_number(r["fair_thb"] / 1e6, 2), format_number(r["fair_share_gap"] / 1e6, 2),
             format_number(r["fair_share_gap_per_household"])] for _, r in shown.iterrows()]
    header = ["ลำดับ", "หมู่บ้าน", "ครัวเรือน", "ความจำเป็น", "ได้รับ (ล.บ.)", "ควรได้ (ล.บ.)", "ส่วนต่าง (ล.บ.)",
              "บาท/ครัวเรือน"]
    widths = [0.06, 0.34, 0.09, 0.1, 0.1, 0.1, 0.1, 0.11]
    numbers = (0, 2, 3, 4, 5, 6, 7)  # never broken across lines: the room comes from the village column
    fig, g = _page(plan, paper, panel_lines(paper, rows, header, widths, 0.68, numbers) - 1,
                   "ความจำเป็นกับงบประมาณที่ได้รับ",
                   "Need against response", f"{plan.years_label()} · {level_words(plan, english=True)}")
    layer = _mapdata.metric_layer(plan, "need_budget", "village").to_crs(settings.analysis_crs)
    layer["color"] = [BIVARIATE[k][0] if isinstance(k, str) else NO_DATA_COLOR for k in layer["value"]]
    # The listed villages, numbered on the map by their rank in the table beside it.
    listed = shown.set_index(shown["village_code"].astype(str)).assign(mark=shown["rank"].to_numpy())
    _province_map(fig, g, plan, layer, marks=listed)
    key, right = split(g.panel, [0.32, 0.68])
    _bivariate_key(fig, g, key, plan.bivariate.get("village"))
    el.table(fig, g, right, rows, header, widths, left=(1,), whole=numbers,
             title="หมู่บ้านที่ได้งบต่ำกว่าส่วนที่ควรได้มากที่สุด (most under-served; ลำดับ = หมายเลขบนแผนที่)")
    el.footer(fig, g, el.footer_text(plan.notes), ("ความจำเป็น = ครัวเรือน × (1 − ดัชนีความเข้มแข็ง/100) · "
                                                 "ส่วนที่ควรได้ = งบของชั้นงบ × ความจำเป็นของหมู่บ้าน / ความจำเป็นรวม"))
    return fig


def _province_map(fig: Figure, g: Grid, plan: Plan, layer: Any, marks: pd.DataFrame | None = None) -> None:
    amphoes = plan.amphoes.to_crs(settings.analysis_crs)
    ax = el.map_axes(fig, g, g.map, amphoes.total_bounds)
    layer.plot(ax=ax, color=layer["color"].to_numpy(), edgecolor="white", lw=0.1)
    amphoes.boundary.plot(ax=ax, color="black", lw=1.2)
    ax.set_axis_off()
    blocked = el.furniture(ax, g, shapely.union_all(amphoes.geometry.values))
    if marks is not None and len(marks):
        blocked += number_marks(ax, g, layer.rename(columns={"code": _mapdata.CODE}), marks, size=0.009)
    order = amphoes.assign(area=amphoes.area).sort_values("area", ascending=False)
    el.place_labels(ax, [(p.x, p.y, f"อ.{n}") for p, n in zip(order.geometry.representative_point(),
                                                            order["amphoe_th"], strict=True)],
                    size=g.pt(10), blocked=blocked, must={f"อ.{n}" for n in order["amphoe_th"]})


_PANELS = [("budget_change", "งบประมาณรวมทุกชั้นงบ", "all budget layers"),
           *[(f"budget_layer_{k}_change", f"ชั้นงบ {BUDGET_LAYERS_SHORT[k]}", f"layer {k}") for k in (1, 2, 3, 4)]]


def change_page(plan: Plan, *, paper: str = "A3", lang: str | None = None) -> Figure:
    """Small multiples of the budget change by tambon (all, then per budget layer), one scale."""
    lang = settings.language(lang)
    if plan.change is None:
        raise PlanmapError("change_page: the plan compares no years; analyse with compare_years=(2568, 2569).",
                           th="แผนนี้ไม่ได้เปรียบเทียบปีงบประมาณ ให้วิเคราะห์ด้วย --compare 2568 2569")
    change = plan.change.units["tambon"]
    # The metric the web map shows, printed in millions (the panels are small).
    spec = replace(METRICS["budget_change"], unit_th="ล้านบาท", unit_en="million THB", decimals=2)
    classes = classify(pd.concat([change[col] / 1e6 for col, _, _ in _PANELS], ignore_index=True), spec, k=7)
    fig, g = _page(plan, paper, panel_lines(paper, *_change_rows(plan), 0.68) - 1,
                   f"งบประมาณที่เปลี่ยนไป {plan.change.title('th')}",
                   f"Budget change, {plan.change.title('en')}",
                   "by tambon, all layers and each budget layer (same classes in every panel)")
    units = _mapdata.units(plan, "tambon").to_crs(settings.analysis_crs)
    amphoes = plan.amphoes.to_crs(settings.analysis_crs)
    top, bottom = split(g.map, [0.56, 0.44], horizontal=False)
    boxes = [*split(top, [1, 1]), *split(bottom, [1, 1, 1])]
    n = len(change)
    for i, ((col, th, en), box) in enumerate(zip(_PANELS, boxes, strict=True)):
        title_mm = g.pt(9.5) * PT_MM * 2.6
        x, y, w, h = box
        yb = classes.yb[i * n:(i + 1) * n]
        color = pd.Series([classes.colors[c] if c >= 0 else NO_DATA_COLOR for c in yb], index=change.index)
        ax = el.map_axes(fig, g, (x, y, w, h - title_mm), amphoes.total_bounds, gid=f"map{i}")
        units.plot(ax=ax, color=units[_mapdata.CODE].map(color).fillna(NO_DATA_COLOR).to_numpy(),
                   edgecolor="white", lw=0.2)
        amphoes.boundary.plot(ax=ax, color="#222", lw=0.6)
        ax.set_axis_off()
        moved = format_number(change[col].sum() / 1e6, 1)  # the change, not a budget: signed, and said so
        sign = "+" if change[col].sum() > 0 and moved != "0.0" else ""
        el.fit_text(fig, g, (x, y, w, h), f"{th} ({en}) · เปลี่ยนแปลง {sign}{moved} ล้านบาท (change)",
                    size=g.pt(9.5), gid=f"map{i}", ha="left")
        if i == 0:
            el.furniture(ax, g, shapely.union_all(amphoes.geometry.values))
    key, right = split(g.panel, [0.3, 0.7])
    handles = [Patch(facecolor=c, edgecolor="#666", label=lab) for c, lab in
               zip(classes.colors, classes.labels(lang), strict=True)]
    el.legend(fig, g, key, handles, "งบที่เปลี่ยนไป (ล้านบาท)\nแดง = ลดลง · น้ำเงิน = เพิ่มขึ้น")
    _change_table(fig, g, right, plan)
    el.footer(fig, g, el.footer_text(plan.notes))
    return fig


def _change_table(fig: Figure, g: Grid, rect: Any, plan: Plan) -> None:
    el.table(fig, g, rect, *_change_rows(plan), shade_last=True)


def _change_rows(plan: Plan) -> tuple[list[list[str]], list[str], list[float]]:
    """The amphoe table of the change page: rows, header, column widths."""
    change = plan.change
    assert change is not None
    a, b = change.labels
    table = change.units["amphoe"]
    names = plan.amphoes.set_index("amphoe_code")["amphoe_th"]
    gained, lost = table["villages_gained"], table["villages_lost"]
    rows = [[f"{c} {names.get(c, '')}", format_number(r[f"budget_thb_{a}"] / 1e6, 1),
             format_number(r[f"budget_thb_{b}"] / 1e6, 1), format_number(r["budget_change"] / 1e6, 1),
             format_number(r["budget_per_household_change"]), f"{int(gained.get(c, 0))}", f"{int(lost.get(c, 0))}"]
            for c, r in table.iterrows()]
    t = change.totals()
    rows.append(["รวมจังหวัด", format_number(t[a] / 1e6, 1), format_number(t[b] / 1e6, 1),
                 format_number(t["change"] / 1e6, 1), "", f"{int(gained.sum())}", f"{int(lost.sum())}"])
    return rows, ["อำเภอ", f"{a} (ล.บ.)", f"{b} (ล.บ.)", "เปลี่ยน (ล.บ.)", "บาท/ครัวเรือน", "เริ่มมีโครงการ",
                  "ไม่มีแล้ว"], [0.26, 0.12, 0.12, 0.13, 0.13, 0.12, 0.12]

