"""Atlas pages of need against response and of change between two fiscal years.

* :func:`need_page`: villages in the 3 × 3 need × budget-per-household classes, a
  legend grid whose corners say what they mean, and the most under-served villages.
* :func:`change_page`: small multiples of the change by tambon — all budget, then
  each budget layer — in one diverging classification centred on 0, so a colour
  means the same number in every panel; and the amphoe table of both years.
"""

from __future__ import annotations

from typing import Any

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from planmap_gis import _fonts, _mapdata, settings
from planmap_gis._errors import PlanmapError
from planmap_gis._schema import BUDGET_LAYERS_SHORT
from planmap_gis.classify import NO_DATA_COLOR, Metric, classify, format_number
from planmap_gis.need import BIVARIATE
from planmap_gis.plan import Plan
from planmap_gis.printmap import (
    _footer,
    _header,
    _new_figure,
    _province_axes,
    _table_style,
    _years,
)

__all__ = ["change_page", "need_page"]


def _page(plan: Plan, paper: str, title_th: str, title_en: str, detail: str) -> tuple[Figure, Any]:
    """A portrait page with its two-line header, and the amphoe outlines in the analysis CRS."""
    fig = _new_figure(paper, False)
    province_th, province_en = (str(plan.tambons[c].iloc[0]) for c in ("province_th", "province_en"))
    _header(fig, f"{title_th} — จังหวัด{province_th}", f"{title_en} — {province_en} · {detail}")
    return fig, plan.amphoes.to_crs(settings.analysis_crs)


def _bivariate_key(fig: Figure, rect: list[float]) -> None:
    """The 3 × 3 legend: need upwards, budget per household to the right; below it, what each
    corner means in words."""
    ax = fig.add_axes(rect)
    for key, (color, _, _) in BIVARIATE.items():
        need, budget = int(key[1]), int(key[3])
        ax.add_patch(Rectangle((budget - 1, need - 1), 1, 1, facecolor=color, edgecolor="white", lw=1.5))
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 3)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_xlabel("งบต่อครัวเรือน →", fontsize=8.5, labelpad=2)
    ax.set_ylabel("ความจำเป็น →", fontsize=8.5, labelpad=2)
    for key, mark in (("n3b1", "ก"), ("n3b3", "ข"), ("n1b1", "ค"), ("n1b3", "ง")):
        ax.text(int(key[3]) - 0.5, int(key[1]) - 0.5, mark, ha="center", va="center", fontsize=8,
                color="white" if key == "n3b3" else "#222")
    words = [Patch(facecolor=BIVARIATE[k][0], edgecolor="#666", label=f"{mark} {BIVARIATE[k][1]}\n   {BIVARIATE[k][2]}")
             for k, mark in (("n3b1", "ก"), ("n3b3", "ข"), ("n1b1", "ค"), ("n1b3", "ง"))]
    legend = fig.legend(handles=words, loc="upper left", bbox_to_anchor=(rect[0] - 0.01, rect[1] - 0.03),
                        fontsize=7.5, frameon=False, handlelength=1.2, labelspacing=0.5)
    legend.set_title("ความจำเป็นเทียบงบต่อครัวเรือน\n(need × budget per household, terciles)",
                     prop={"size": 8})


def need_page(plan: Plan, *, paper: str = "A3", lang: str = "th") -> Figure:
    """Need against response: villages by need × budget per household, and who is furthest short."""
    if "need_budget" not in plan.metrics["village"] or plan.metrics["village"]["need_budget"].isna().all():
        raise PlanmapError("need_page: the plan has no need on record (no strength index or need column).",
                           th="ไม่มีข้อมูลความจำเป็นของหมู่บ้าน (ไม่มีดัชนีความเข้มแข็งหรือคอลัมน์ความจำเป็น)")
    with matplotlib.rc_context(_fonts.rc()):
        layer = _mapdata.metric_layer(plan, "need_budget", "village").to_crs(settings.analysis_crs)
        layer["color"] = [BIVARIATE[k][0] if isinstance(k, str) else NO_DATA_COLOR for k in layer["value"]]
        fig, amphoes = _page(plan, paper, "ความจำเป็นกับงบประมาณที่ได้รับ", "Need against response",
                             f"{_years(plan)} · ระดับหมู่บ้าน (village level)")
        _province_axes(fig, layer, amphoes, {c: f"อ.{n}" for c, n in zip(
            amphoes["amphoe_code"], amphoes["amphoe_th"], strict=True)})
        _bivariate_key(fig, [0.06, 0.52, 0.075, 0.075])
        worst = plan.underserved if plan.underserved is not None else pd.DataFrame()
        names = _mapdata.units(plan, "village").set_index(_mapdata.CODE)[_mapdata.NAME_TH]
        rows = [[f"{int(r['rank'])}", f"{r['village_code']} {names.get(r['village_code'], '')}",
                 format_number(r["households"]), format_number(r["need"]),
                 format_number(r["budget_thb"] / 1e6, 2), format_number(r["fair_thb"] / 1e6, 2),
                 format_number(r["fair_share_gap"] / 1e6, 2), format_number(r["fair_share_gap_per_household"])]
                for _, r in worst.head(15).iterrows()]
        ax = fig.add_axes([0.04, 0.04, 0.92, 0.31])
        ax.set_axis_off()
        ax.set_title("หมู่บ้านที่ได้งบต่ำกว่าส่วนที่ควรได้ตามความจำเป็นมากที่สุด (The most under-served villages)",
                     fontsize=10.5, loc="left")
        if rows:
            drawn = ax.table(cellText=rows, colLabels=["ลำดับ", "หมู่บ้าน", "ครัวเรือน", "ความจำเป็น (ครัวเรือน)",
                                                       "ได้รับ (ล้านบาท)", "ส่วนที่ควรได้ (ล้านบาท)",
                                                       "ส่วนต่าง (ล้านบาท)", "ส่วนต่าง บาท/ครัวเรือน"],
                             loc="upper center", cellLoc="right", colLoc="center",
                             colWidths=[0.06, 0.32, 0.08, 0.11, 0.1, 0.12, 0.1, 0.11])
            _table_style(drawn, len(rows), left=(1,))
        fig.text(0.04, 0.012, _footer(plan) + " · ความจำเป็น = ครัวเรือน × (1 − ดัชนีความเข้มแข็ง/100) · "
                 "ส่วนที่ควรได้ = งบของแต่ละชั้นงบ × ความจำเป็นของหมู่บ้าน / ความจำเป็นรวม",
                 fontsize=7.5, color="#444")
    return fig


_PANELS = [("budget_change", "งบประมาณรวมทุกชั้นงบ", "all budget layers"),
           *[(f"budget_layer_{k}_change", f"ชั้นงบ {BUDGET_LAYERS_SHORT[k]}", f"layer {k}") for k in (1, 2, 3, 4)]]


def change_page(plan: Plan, *, paper: str = "A3", lang: str = "th") -> Figure:
    """Small multiples of the budget change by tambon (all, then per budget layer), one scale."""
    if plan.change is None:
        raise PlanmapError("change_page: the plan compares no years; analyse with compare_years=(2568, 2569).",
                           th="แผนนี้ไม่ได้เปรียบเทียบปีงบประมาณ ให้วิเคราะห์ด้วย --compare 2568 2569")
    change = plan.change.units["tambon"]
    spec = Metric("budget_change", "งบประมาณที่เปลี่ยนไป", "Budget change", "ล้านบาท", "million THB",
                  ("tambon",), "RdBu", kind="diverging", decimals=2, center=0.0)
    pooled = pd.concat([change[col] / 1e6 for col, _, _ in _PANELS], ignore_index=True)
    classes = classify(pooled, spec, k=7)
    n = len(change)
    with matplotlib.rc_context(_fonts.rc()):
        units = _mapdata.units(plan, "tambon").to_crs(settings.analysis_crs)
        fig, amphoes = _page(plan, paper, f"งบประมาณที่เปลี่ยนไป {plan.change.title('th')}",
                             f"Budget change, {plan.change.title('en')}",
                             "by tambon, all layers and each budget layer (same classes in every panel)")
        boxes = [[0.04, 0.6, 0.44, 0.28], [0.52, 0.6, 0.44, 0.28], [0.04, 0.37, 0.3, 0.19],
                 [0.35, 0.37, 0.3, 0.19], [0.66, 0.37, 0.3, 0.19]]
        for i, ((col, th, en), box) in enumerate(zip(_PANELS, boxes, strict=True)):
            yb = classes.yb[i * n:(i + 1) * n]
            color = pd.Series([classes.colors[c] if c >= 0 else NO_DATA_COLOR for c in yb], index=change.index)
            ax = fig.add_axes(box)
            units.plot(ax=ax, color=units[_mapdata.CODE].map(color).fillna(NO_DATA_COLOR).to_numpy(),
                       edgecolor="white", lw=0.2)
            amphoes.boundary.plot(ax=ax, color="#222", lw=0.7)
            ax.set_aspect("equal")
            ax.set_axis_off()
            total = change[col].sum()
            ax.set_title(f"{th} ({en})\nรวม {format_number(total / 1e6, 1)} ล้านบาท", fontsize=9.5)
        handles = [Patch(facecolor=c, edgecolor="#666", label=lab) for c, lab in
                   zip(classes.colors, classes.labels(lang), strict=True)]
        legend = fig.legend(handles=handles, title="งบที่เปลี่ยนไป (ล้านบาท)\nแดง = ลดลง · น้ำเงิน = เพิ่มขึ้น",
                            loc="upper left", bbox_to_anchor=(0.04, 0.365), fontsize=8, title_fontsize=9,
                            ncol=4, frameon=True)
        legend.get_frame().set_edgecolor("#888")
        _change_table(fig, plan, [0.04, 0.035, 0.92, 0.25])
        fig.text(0.04, 0.012, _footer(plan), fontsize=7.5, color="#444")
    return fig


def _change_table(fig: Figure, plan: Plan, rect: list[float]) -> None:
    change = plan.change
    assert change is not None
    a, b = change.labels
    table = change.units["amphoe"]
    names = plan.amphoes.set_index("amphoe_code")["amphoe_th"]
    villages = change.units["village"]
    gained = villages["coverage_change"].eq("gained").groupby(villages.index.str[:4]).sum()
    lost = villages["coverage_change"].eq("lost").groupby(villages.index.str[:4]).sum()
    rows = [[f"{c} {names.get(c, '')}", format_number(r[f"budget_thb_{a}"] / 1e6, 1),
             format_number(r[f"budget_thb_{b}"] / 1e6, 1), format_number(r["budget_change"] / 1e6, 1),
             format_number(r["budget_per_household_change"]), f"{int(gained.get(c, 0))}", f"{int(lost.get(c, 0))}"]
            for c, r in table.iterrows()]
    t = change.totals()
    rows.append(["รวมจังหวัด", format_number(t[a] / 1e6, 1), format_number(t[b] / 1e6, 1),
                 format_number(t["change"] / 1e6, 1), "", f"{int(gained.sum())}", f"{int(lost.sum())}"])
    ax = fig.add_axes(rect)
    ax.set_axis_off()
    drawn = ax.table(cellText=rows, colLabels=["อำเภอ", f"ปี {a} (ล้านบาท)", f"ปี {b} (ล้านบาท)",
                                               "เปลี่ยนไป (ล้านบาท)", "บาท/ครัวเรือน เปลี่ยนไป",
                                               "หมู่บ้านเริ่มมีโครงการ", "หมู่บ้านไม่มีโครงการแล้ว"],
                     loc="upper center", cellLoc="right", colLoc="center",
                     colWidths=[0.24, 0.12, 0.12, 0.13, 0.14, 0.12, 0.13])
    _table_style(drawn, len(rows), left=(0,), small=True)
    drawn.scale(1, 0.78 if len(rows) > 20 else 1.0)
