"""Atlas pages of the screening: the province map of the proposals coloured by verdict with the
suggested set's figures, then the proposals as a table (verdict, in or out of the set, why), broken
between rows over as many pages as it takes."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd
import shapely
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from planmap_gis import settings
from planmap_gis._output import atomic
from planmap_gis.draw.classify import format_number
from planmap_gis.draw.printed import elements as el
from planmap_gis.draw.printed import fonts as _fonts
from planmap_gis.draw.printed.layout import PT_MM, Grid, grid, split
from planmap_gis.draw.printed.themes import _page
from planmap_gis.draw.screening import VERDICT_COLORS
from planmap_gis.measure.screening import VERDICTS
from planmap_gis.plan import Plan
from planmap_gis.plan.screen import Screening

__all__ = ["save_screening_pdf", "screening_page_count", "screening_pages"]

HEADER = ["รหัส (id)", "ข้อเสนอ · หน่วยงาน (proposal · agency)", "ผล (verdict)", "ชุดที่เสนอ (set)",
          "บาท (THB)", "เหตุผล (reasons)"]
WIDTHS = [0.09, 0.25, 0.11, 0.08, 0.1, 0.37]
WHOLE = (0,)


def _summary_rows(s: Screening) -> list[list[str]]:
    p, sug = s.proposals, s.suggestion
    counts = p["verdict"].value_counts()
    chosen = p[p["in_set"]]
    rows = [[f"{VERDICTS[k][0]} ({VERDICTS[k][1]})", format_number(int(counts.get(k, 0))),
             format_number(int(chosen["verdict"].eq(k).sum()))] for k in VERDICTS]
    rows.append(["รวม (total)", format_number(len(p)), format_number(len(chosen))])
    return rows


def _overview(plan: Plan, s: Screening, paper: str) -> Figure:
    rows = _summary_rows(s)
    fig, g = _page(plan, paper, len(rows) + 13, "ข้อเสนอโครงการ: ผลการคัดกรองและชุดที่เสนอตามวงเงิน (จัดทัพ)",
                   "Proposals: screening verdicts and the suggested set under the budget",
                   f"{len(s.proposals)} ข้อเสนอ (proposals)")
    amphoes = plan.amphoes.to_crs(settings.analysis_crs)
    ax = el.map_axes(fig, g, g.map, amphoes.total_bounds)
    plan.tambons.to_crs(settings.analysis_crs).plot(ax=ax, color="#f2f2f2", edgecolor="#bbbbbb", lw=0.3)
    amphoes.boundary.plot(ax=ax, color="black", lw=1.0)
    shown = s.proposals[s.proposals.geometry.notna()].to_crs(settings.analysis_crs)
    for key in reversed(list(VERDICTS)):  # fills a gap drawn last, on top
        part = shown[shown["verdict"] == key]
        if len(part):
            points = part.geometry.explode(index_parts=False)
            chosen = part["in_set"].reindex(points.index).to_numpy()
            for mask, marker in ((chosen, "o"), (~chosen, "s")):
                if mask.any():
                    gs = points[mask]
                    ax.scatter(gs.x if (gs.geom_type == "Point").all() else gs.representative_point().x,
                               gs.y if (gs.geom_type == "Point").all() else gs.representative_point().y,
                               s=g.pt(22), marker=marker, color=VERDICT_COLORS[key], edgecolor="black",
                               linewidth=0.5, zorder=5)
    ax.set_axis_off()
    blocked = el.furniture(ax, g, shapely.union_all(amphoes.geometry.values))
    order = amphoes.assign(area=amphoes.area).sort_values("area", ascending=False)
    el.place_labels(ax, [(p.x, p.y, f"อ.{n}") for p, n in zip(order.geometry.representative_point(),
                                                            order["amphoe_th"], strict=True)],
                    size=g.pt(9), blocked=blocked, must={f"อ.{n}" for n in order["amphoe_th"]})
    key, right = split(g.panel, [0.34, 0.66])
    handles = [Patch(facecolor=VERDICT_COLORS[k], edgecolor="black", label=f"{VERDICTS[k][0]} ({VERDICTS[k][1]})")
               for k in VERDICTS]
    handles += [Line2D([], [], marker="o", ls="", color="#999", markeredgecolor="black",
                       label="● ในชุดที่เสนอ (in the suggested set)"),
                Line2D([], [], marker="s", ls="", color="#999", markeredgecolor="black",
                       label="■ ไม่อยู่ในชุด (left out)")]
    el.legend(fig, g, key, handles, "ผลการคัดกรอง: จุด = หมู่บ้านที่ข้อเสนอลงพื้นที่\n(verdict; a mark per village reached)")
    sug = s.suggestion
    t = sug["terms"]
    caps = " · ".join(f"{name.replace('layer', 'ชั้นงบ')} {used / 1e6:,.1f}/{cap / 1e6:,.1f}"
                      for name, (used, cap) in sug["used"].items())
    lines = [f"ชุดที่เสนอ (suggested set): {int(s.proposals['in_set'].sum())} ข้อเสนอ "
             f"{format_number(round(float(s.proposals.loc[s.proposals['in_set'], 'budget_thb'].sum())))} บาท",
             f"ใช้/วงเงิน (used/cap) ล้านบาท: {caps}" if caps else "ไม่กำหนดวงเงิน (no cap)",
             f"ค่าเป้าหมาย (value) {format_number(round(sug['value'], 1))} ครัวเรือนที่มีความจำเป็น "
             f"(households in need) = หมู่บ้านใหม่ {format_number(round(t['new'], 1))} + ปิดช่องว่าง "
             f"{format_number(round(t['gap'], 1))} − ซ้ำ {format_number(round(t['repeat'], 1))}",
             ("ผลเหมาะสมที่สุด (optimal, HiGHS)" if sug["optimal"] else f"ยังไม่พิสูจน์ว่าดีที่สุด ({sug['status']})")
             + f"; เรียงตามประโยชน์ต่อบาท (greedy) ได้ {format_number(round(sug['greedy_value'], 1))}",
             f"ปรับน้ำหนักแต่ละตัว ×0.5 และ ×1.5: ได้ชุดเดิม {int(s.stability['same_set'].sum())} จาก "
             f"{len(s.stability)} ครั้ง (stability)"]
    blanket = int((s.proposals["geometry_kind"] == "area-wide").sum())
    if blanket:
        lines.append(f"ข้อเสนอทั้งจังหวัด/ทั้งอำเภอ {blanket} รายการไม่ได้ระบุหมู่บ้าน จึงไม่มีจุดบนแผนที่ "
                     f"({blanket} province- or amphoe-wide, not drawn)")
    table_rect, text_rect = split(right, [0.66, 0.34], horizontal=False)
    el.table(fig, g, text_rect, rows, ["ผล (verdict)", "ข้อเสนอ", "ในชุด"], [0.6, 0.2, 0.2], left=(0,),
             shade_last=True)
    el.text_block(fig, g, table_rect, lines, size=g.pt(9), gid="summary")
    el.footer(fig, g, el.footer_text(s.notes), "ซ้ำ = ด้านและปีเดียวกันมีโครงการอยู่แล้วในหมู่บ้านเดียวกัน · "
              "ช่องว่าง = หมู่บ้านที่ยังไม่มีโครงการ / ได้ต่ำกว่าส่วนที่ควรได้ในชั้นงบ / ความต้องการลำดับต้นที่ยังไม่มีใครตอบ")
    return fig


def _rows(s: Screening) -> list[list[str]]:
    table = s.table()
    out = []
    for r in table.itertuples():
        why = r.reasons_th if r.in_set else f"{r.reasons_th} · ไม่อยู่ในชุด: {r.left_out_th}"
        budget = "–" if pd.isna(r.budget_thb) else format_number(round(float(r.budget_thb)))
        out.append([str(r.project_id), f"{r.name_th} · {r.agency or '?'}", str(r.verdict_th),
                    "● อยู่" if r.in_set else "ไม่อยู่", budget, why])
    return out


def _chunks(rows: list[list[str]], paper: str) -> tuple[Grid, list[tuple[int, int]]]:
    """The table page grid and (start, end) rows of each page: breaks between rows by wrapped lines."""
    g = grid(paper, False, panel=False)
    lines = el.table_lines(g, g.map[2], rows, HEADER, WIDTHS, whole=WHOLE)
    room = int(g.map[3] // (g.pt(8.5) * PT_MM * 1.75)) - lines[0]
    starts, used = [0], 0
    for i, n in enumerate(lines[1:]):
        if used + n > room and used:
            starts.append(i)
            used = 0
        used += n
    ends = [*starts[1:], len(rows)]
    return g, list(zip(starts, ends, strict=True))


def screening_pages(plan: Plan, screening: Screening, paper: str = "A3") -> list[Figure]:
    """The overview page, then the proposals table over as many pages as its wrapped rows take."""
    pages = [_overview(plan, screening, paper)]
    rows = _rows(screening)
    g, chunks = _chunks(rows, paper)
    for k, (start, end) in enumerate(chunks):
        fig = g.figure()
        el.header(fig, g, f"ข้อเสนอโครงการเรียงตามผลการคัดกรอง — แผ่นที่ {k + 1} จาก {len(chunks)}",
                  f"Proposals by verdict (fills a gap, mixed, repeats, outside); in the set first · "
                  f"{len(rows)} ข้อเสนอ")
        el.table(fig, g, g.map, rows[start:end], HEADER, WIDTHS, left=(0, 1, 2, 3, 5), whole=WHOLE)
        el.footer(fig, g, el.footer_text(screening.notes), f"ข้อเสนอ แผ่น {k + 1}")
        pages.append(fig)
    return pages


def screening_page_count(screening: Screening, paper: str = "A3") -> int:
    """Pages :func:`screening_pages` makes (without drawing them)."""
    return 1 + len(_chunks(_rows(screening), paper)[1])


def save_screening_pdf(plan: Plan, screening: Screening, path: str | Path, *, paper: str = "A3") -> Path:
    """The screening pages alone as one PDF (Thai font embedded, text searchable), written atomically."""
    path = Path(path)
    metadata = {"Title": f"Screening of proposals — {plan.tambons['province_en'].iloc[0]}",
                "Creator": "planmap-gis", "Subject": " / ".join(screening.notes) or "screening"}
    with atomic(path) as tmp, matplotlib.rc_context(_fonts.rc()), _fonts.searchable_thai(), \
            PdfPages(tmp, metadata=metadata) as pdf:
        for fig in screening_pages(plan, screening, paper):
            pdf.savefig(fig)
    return path
