"""The project sheet that follows each amphoe's map: every project working there, and the
villages without one.

One row per project that reaches the amphoe: id, name, agency, tier and budget layer, sector,
fiscal year, the baht allocated to the amphoe and the tambon it works in; a project in a
duplicated sector-year (two or more agencies, same sector and year, same tambon) is marked.
Then the villages no project targets, by tambon (the package's one rule, ``NO_PROJECT_RULE``).
As many pages as needed, on the same paper.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from planmap_gis._schema import (
    AGENCY,
    AMPHOE_CODE,
    BUDGET,
    BUDGET_LAYER,
    BUDGET_LAYERS_SHORT,
    FISCAL_YEAR,
    MOO,
    NAME_TH,
    NO_PROJECT_RULE,
    PROJECT_ID,
    SECTOR,
    TAMBON_CODE,
    TIER,
    TIERS,
    stand_ins,
)
from planmap_gis.draw.classify import format_number
from planmap_gis.draw.printed import elements as el
from planmap_gis.draw.printed.layout import PT_MM, Grid, Rect, grid, split
from planmap_gis.draw.printed.maps import priority_key, priority_villages
from planmap_gis.measure.metrics import no_project
from planmap_gis.plan import Plan
from planmap_gis.plan.summary import has_register

HEADER = ["รหัส", "โครงการ", "หน่วยงาน", "ระดับ · ชั้นงบ", "ด้าน", "ปี", "บาท (ในอำเภอ)", "ตำบล", "ซ้ำ"]
WIDTHS = [0.07, 0.25, 0.18, 0.11, 0.09, 0.045, 0.09, 0.135, 0.03]
#: Columns never wrapped or cut: the project id (a narrower name column gives it room).
WHOLE = (0,)


def project_rows(plan: Plan, code: str) -> pd.DataFrame:
    """The projects working in an amphoe with what the sheet prints, in print order
    (``Plan.amphoe_projects``: nothing is regrouped here)."""
    here = plan.amphoe_projects[plan.amphoe_projects[AMPHOE_CODE] == code]
    if here.empty:
        return pd.DataFrame(columns=["text", "duplicated"])
    tambon_names = plan.tambons.set_index(TAMBON_CODE)["tambon_th"]
    all_tambons = set(plan.tambons.loc[plan.tambons[AMPHOE_CODE] == code, TAMBON_CODE])
    info = plan.projects.set_index(PROJECT_ID).reindex(here[PROJECT_ID])
    rows = []
    for (pid, rec), where, baht, doubled in zip(info.iterrows(), here["tambon_codes"], here[BUDGET],
                                                here["duplicated"], strict=True):
        tambons = (f"ทุกตำบล ({len(where)})" if set(where) == all_tambons and len(where) > 2
                   else ", ".join(tambon_names.get(t, t) for t in where))
        tier = TIERS.get(_text(rec.get(TIER)), (_text(rec.get(TIER)),))[0]
        has_layer = pd.notna(rec.get(BUDGET_LAYER))
        layer = BUDGET_LAYERS_SHORT.get(int(rec[BUDGET_LAYER]), "") if has_layer else ""
        year = "" if pd.isna(rec.get(FISCAL_YEAR)) else str(int(rec[FISCAL_YEAR]))
        rows.append({"order": (int(rec[BUDGET_LAYER]) if has_layer else 9, _text(rec.get(AGENCY)), str(pid)),
                     "text": [str(pid), _text(rec.get(NAME_TH)), _text(rec.get(AGENCY)), f"{tier} · {layer}",
                              _text(rec.get(SECTOR)), year, format_number(baht), tambons,
                              "●" if doubled else ""],
                     "duplicated": bool(doubled)})
    out = pd.DataFrame(rows)
    return out.iloc[sorted(range(len(out)), key=lambda i: out["order"].iloc[i])].reset_index(drop=True)


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def villages_without_project(plan: Plan, code: str) -> list[str]:
    """'ต.ท่างิ้ว: ม.3, ม.7' lines for the amphoe's villages that no project targets (``NO_PROJECT_RULE``)."""
    village = plan.metrics["village"]
    tambon_of = plan.villages[TAMBON_CODE].astype(str).reindex(village.index)
    here = set(plan.tambons.loc[plan.tambons[AMPHOE_CODE] == code, TAMBON_CODE].astype(str))
    empty = tambon_of[tambon_of.isin(here) & no_project(village)]
    if empty.empty:
        return []
    tambon_names = plan.tambons.set_index(TAMBON_CODE)["tambon_th"]
    moo = plan.villages[MOO].reindex(empty.index) if MOO in plan.villages else pd.Series(index=empty.index)
    lines = []
    whole = set(empty.index[stand_ins(empty.index)])
    for tambon, codes in empty.groupby(empty, sort=True):
        numbers = [WHOLE_TAMBON if c in whole else f"ม.{int(moo[c])}" if pd.notna(moo[c]) else
                   f"ม.{int(c[-2:])}" for c in sorted(codes.index)]
        lines.append(f"ต.{tambon_names.get(tambon, tambon)}: {', '.join(numbers)}")
    return lines


#: What a tambon's stand-in village (a plan without a village register) is called on a page: not "ม.0".
WHOLE_TAMBON = "ทั้งตำบล"


def _layout(plan: Plan, code: str, paper: str) -> tuple[Grid, list[pd.DataFrame], list[str], bool]:
    """The sheet's grid, its table rows page by page, the gap lines, and whether they share the
    last table page (else they take a page of their own)."""
    rows = project_rows(plan, code)
    # The map page's priority key in full (it may run out of room there), then the villages without a project.
    gaps = [*priority_key(plan, priority_villages(plan, code)),
            *_gap_lines(villages_without_project(plan, code), whole_tambon=not has_register(plan))]
    g = grid(paper, False, panel=False)
    # Pages break between rows by the lines each wrapped row takes (nothing is cut).
    lines = el.table_lines(g, g.map[2], list(rows["text"]), HEADER, WIDTHS, whole=WHOLE)
    row_mm = g.pt(8.5) * PT_MM * 1.75
    room = int(g.map[3] // row_mm) - lines[0]
    chunks, start, used = [], 0, 0
    for i, n in enumerate(lines[1:]):
        if used + n > room and i > start:
            chunks.append(rows.iloc[start:i])
            start, used = i, 0
        used += n
    chunks.append(rows.iloc[start:])
    needed = (lines[0] + used) * row_mm + 2
    wrapped = len(el.block_lines(gaps, g.map[2], g.pt(9)))  # the lines text_block will draw
    gap_mm = (wrapped + 3) * g.pt(9) * PT_MM * 1.6 + 6
    return g, chunks, gaps, bool(gaps) and needed + gap_mm <= g.map[3]


def sheet_count(plan: Plan, code: str, paper: str) -> int:
    """Pages of the amphoe's project sheet."""
    _, chunks, gaps, shared = _layout(plan, code, paper)
    return len(chunks) + (bool(gaps) and not shared)


def sheet_pages(plan: Plan, code: str, paper: str) -> list[Figure]:
    """The amphoe's project sheet as pages (portrait, same paper)."""
    name = plan.amphoes.set_index("amphoe_code")["amphoe_th"].get(code, code)
    g, chunks, gaps, shared = _layout(plan, code, paper)
    total = sum(len(c) for c in chunks)
    pages: list[Figure] = []
    for k, chunk in enumerate(chunks):
        fig = g.figure()
        el.header(fig, g, f"โครงการในอำเภอ{name} ({code}) — แผ่นที่ {k + 1}",
                  f"Projects working in {code} · {plan.years_label()} · {total} โครงการ · "
                  "บาท = งบที่กระจายลงหมู่บ้านในอำเภอนี้ · ● = ด้านเดียวกัน ปีเดียวกัน ≥2 หน่วยงานในตำบลเดียวกัน")
        table_rect = g.map
        if k == len(chunks) - 1 and shared:
            needed = sum(el.table_lines(g, g.map[2], list(chunk["text"]), HEADER, WIDTHS, whole=WHOLE)) * \
                g.pt(8.5) * PT_MM * 1.75 + 2
            table_rect, gap_rect = split(g.map, [needed, g.map[3] - needed - 3], horizontal=False)
            _gap_block(fig, g, gap_rect, gaps)
        el.table(fig, g, table_rect, list(chunk["text"]) if len(chunk) else [], HEADER, WIDTHS,
                 left=(0, 1, 2, 3, 4, 7), whole=WHOLE)
        el.footer(fig, g, el.footer_text(plan.notes), (f"อ.{name} · แผ่นโครงการ {k + 1}"))
        pages.append(fig)
    if gaps and not shared:
        fig = g.figure()
        el.header(fig, g, f"หมู่บ้านที่ควรให้ความสำคัญก่อนและหมู่บ้านที่ไม่มีโครงการ — อำเภอ{name} ({code})",
                  f"Priority villages and villages with no project · {NO_PROJECT_RULE[1]}")
        _gap_block(fig, g, g.map, gaps)
        el.footer(fig, g, el.footer_text(plan.notes))
        pages.append(fig)
    return pages


def _gap_lines(gaps: list[str], *, whole_tambon: bool) -> list[str]:
    if not gaps:
        return []
    count = sum(len(x.split(',')) for x in gaps)
    if whole_tambon:  # no register: the tambon are the units
        return [f"ตำบลที่ไม่มีโครงการ ({NO_PROJECT_RULE[0]}): {count} ตำบล (ไม่มีทะเบียนหมู่บ้าน)", *gaps]
    return [f"หมู่บ้านที่ไม่มีโครงการ ({NO_PROJECT_RULE[0]}): {count} หมู่บ้าน", *gaps]


def _gap_block(fig: Figure, g: Grid, rect: Rect, lines: list[str]) -> None:
    el.text_block(fig, g, rect, lines, size=g.pt(9), gid="summary")

