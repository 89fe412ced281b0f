"""The integration-matrix workbook: formatted for printing and annotating in a planning session."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from planmap_gis._errors import PlanmapError
from planmap_gis._output import save_book
from planmap_gis._xlsx import SheetRows
from planmap_gis._schema import (
    AMPHOE_CODE,
    AMPHOE_TH,
    BUDGET,
    BUDGET_LAYER,
    BUDGET_LAYERS,
    BUDGET_LAYERS_SHORT,
    FISCAL_YEAR,
    HOUSEHOLDS,
    LABELS,
    NO_PROJECT_RULE,
    PROJECT_ID,
    STRENGTH,
    STRENGTH_CLASS_TH,
    stand_ins,
)
from planmap_gis._lanes import release_free_pages
from planmap_gis.draw.matrix import VALUES, _support_frames, cross_tabs, gap_table
from planmap_gis.draw.matrix_sheets import (
    DUPLICATION_FILL,
    GAP_FILL,
    HEADER_ROW,
    LABEL_HEADERS,
    MARK,
    font,
    frame_sheet,
    heading,
    matrix_sheet,
    print_setup,
)
from planmap_gis.plan import Plan
from planmap_gis.read.areas import AreaIndex

__all__ = ["DUPLICATION_FILL", "GAP_FILL", "HEADER_ROW", "LABEL_HEADERS", "save_matrix"]

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

TAB_TITLES = {
    "agency_strategy_layer_count": ("หน่วยงาน×ยุทธศาสตร์ (จำนวน)",
                                    "จำนวนโครงการ จำแนกตามชั้นงบประมาณ หน่วยงาน และยุทธศาสตร์"),
    "agency_strategy_layer_budget": ("หน่วยงาน×ยุทธศาสตร์ (บาท)",
                                     "งบประมาณ (บาท) จำแนกตามชั้นงบประมาณ หน่วยงาน และยุทธศาสตร์"),
    "sector_amphoe_count": ("ด้าน×อำเภอ (จำนวน)", "จำนวนโครงการที่ดำเนินการในแต่ละอำเภอ จำแนกตามด้าน — "
                            "นับโครงการไม่ซ้ำ: โครงการที่ทำงานหลายอำเภอนับในทุกอำเภอที่ทำงาน แต่นับครั้งเดียวในช่อง "
                            "'รวม' ผลบวกของแถวจึงมากกว่าช่องรวมได้ (distinct projects: rows do not add up)"),
    "sector_amphoe_budget": ("ด้าน×อำเภอ (บาท)", "งบประมาณที่กระจายลงแต่ละอำเภอ (บาท) จำแนกตามด้าน — "
                             "บาทรวมกันได้พอดี (baht add up)"),
}


def write_book(plan: Plan, path: Path, *, values: str) -> Path:
    """Every sheet streamed into a write-only workbook, in reading order."""
    book = Workbook(write_only=True)
    changed: list[str] = []  # text repaired on the way (control characters, over-long cells)
    index = AreaIndex(plan.tambons)
    _readme(book.create_sheet("อ่านก่อน"), changed, plan, values)
    province = plan.tambons["province_th"].iloc[0] if len(plan.tambons) else ""
    years = plan.years_label()  # once: it reads every project's year
    # The summary tables first (they are small; the whole allocation is grouped for them), before the
    # matrix's index of cells is made: at 100,000 projects this writer's peak +0.30 → +0.25 GiB.
    tabs = cross_tabs(plan)
    release_free_pages()  # what they were counted with
    matrix_sheet(book.create_sheet("จังหวัด"), changed, plan, index, by="amphoe", within=None, values=values,
                 title=f"เมทริกซ์บูรณาการแผนงานโครงการ จ.{province} รายอำเภอ {years}".strip())
    release_free_pages()  # what the index of cells and the label cells were made with
    names = plan.amphoes.set_index(AMPHOE_CODE)[AMPHOE_TH]
    for code in sorted(names.index):
        matrix_sheet(book.create_sheet(_sheet_name(book, f"อ.{names[code]}")), changed, plan, index,
                     by="tambon", within=code, values=values,
                     title=f"เมทริกซ์บูรณาการ อ.{names[code]} ({code}) รายตำบล {years}".strip())
    release_free_pages()
    _gaps_sheet(book.create_sheet("ช่องว่าง"), changed, plan, index)
    release_free_pages()
    _duplication_sheet(book.create_sheet("ซ้ำซ้อน"), changed, plan, index)
    release_free_pages()
    for key, table in tabs.items():
        sheet_name, title = TAB_TITLES[key]
        frame_sheet(book.create_sheet(sheet_name), changed, _cross_tab_labels(table, index), title, plan,
                    money=key.endswith("budget"), index_columns=table.index.nlevels)
    if plan.support is not None:
        for sheet_name, title, frame in _support_frames(plan):
            frame_sheet(book.create_sheet(sheet_name), changed, frame, title, plan, index_columns=1)
    return save_book(book, path, changed=changed)


def _sheet_name(book: Workbook, name: str) -> str:
    name = _BAD_SHEET_CHARS.sub("-", name)[:31]
    base, n = name, 2
    while name in book.sheetnames:
        name = f"{base[:28]}-{n}"
        n += 1
    return name


def _cross_tab_labels(table: pd.DataFrame, index: AreaIndex) -> pd.DataFrame:
    table = table.copy()
    table.columns = [index.label(c) if c.isdigit() else c for c in table.columns.astype(str)]
    if BUDGET_LAYER in (table.index.names or []):
        table.index = table.index.set_levels(
            [[BUDGET_LAYERS_SHORT[v] if isinstance(v, int) and v in BUDGET_LAYERS else
              ("(ไม่ระบุ)" if v == 0 else v) for v in level] if name == BUDGET_LAYER else level
             for name, level in zip(table.index.names, table.index.levels, strict=True)])
    table.index = table.index.set_names([LABELS.get(n, (n,))[0] for n in table.index.names])
    return table


def _gaps_sheet(ws: Any, changed: list[str], plan: Plan, index: AreaIndex) -> None:
    gaps = gap_table(plan)
    # Without a register a tambon's stand-in village (ม.0) says again what its tambon's row says.
    repeated = (gaps["level"] == "village").to_numpy() & stand_ins(gaps["code"])
    gaps = gaps[~repeated]
    frame = pd.DataFrame({
        "ระดับ": gaps["level"].map({"tambon": "ตำบล", "village": "หมู่บ้าน"}),
        "รหัส": gaps["code"],
        "พื้นที่": [index.full_label(c) for c in gaps["code"]],
        LABELS[HOUSEHOLDS][0]: gaps[HOUSEHOLDS],
        "โครงการระดับจังหวัด/อำเภอที่ครอบคลุม": gaps["n_projects"],
    })
    if gaps[STRENGTH].notna().any():
        frame["ดัชนีความเข้มแข็ง (ตำบล: เฉลี่ยถ่วงครัวเรือน)"] = gaps[STRENGTH].round(1)
    if STRENGTH_CLASS_TH in gaps:
        frame[LABELS["strength_class"][0]] = gaps[STRENGTH_CLASS_TH].fillna("")
    if "rank" in gaps:
        frame["ลำดับความสำคัญ (ตำบล: ดีที่สุดของหมู่บ้าน)"] = gaps["rank"]
    frame_sheet(ws, changed, frame, f"พื้นที่ที่ยังไม่มีโครงการ: ตำบล {int((gaps.level == 'tambon').sum())} แห่ง, "
                 + (f"หมู่บ้าน {int((gaps.level == 'village').sum())} แห่ง" if not repeated.any() else
                    "หมู่บ้าน: ไม่มีทะเบียนหมู่บ้าน") + f" — {NO_PROJECT_RULE[0]} "
                 "เรียงตามจำนวนครัวเรือน", plan)


def _duplication_sheet(ws: Any, changed: list[str], plan: Plan, index: AreaIndex) -> None:
    dup = plan.duplication["tambon"]
    frame = pd.DataFrame({
        "ตำบล": [index.full_label(str(c)) for c in dup["tambon_code"]],
        LABELS["sector"][0]: dup["sector"], LABELS[FISCAL_YEAR][0]: dup[FISCAL_YEAR],
        "จำนวนหน่วยงาน": dup["n_agencies"], "หน่วยงาน": dup["agencies"],
        "รหัสโครงการ": dup["project_ids"], LABELS[BUDGET][0]: dup[BUDGET],
    })
    frame_sheet(ws, changed, frame, "ตำบลที่หน่วยงานตั้งแต่ 2 แห่งทำงานด้านเดียวกันในปีเดียวกัน "
                 "(ควรประสานเพื่อลดความซ้ำซ้อน)", plan)


def _readme(ws: Any, changed: list[str], plan: Plan, values: str) -> None:
    province = plan.tambons["province_th"].iloc[0] if len(plan.tambons) else ""
    lines = [
        f"โครงการทั้งหมด {len(plan.projects)} โครงการ จาก {plan.projects['agency'].nunique()} หน่วยงาน; "
        f"ระบุพื้นที่ได้ {plan.allocation[PROJECT_ID].nunique()} โครงการ",
        "แผ่นงาน 'จังหวัด': ทุกโครงการ (แถว) × ทุกอำเภอ (คอลัมน์); แผ่นงานรายอำเภอ: โครงการที่ลงอำเภอนั้น × ตำบล",
        f"ในช่องพื้นที่: {MARK} = โครงการดำเนินการในพื้นที่นั้น" if values == "mark"
        else "ในช่องพื้นที่: งบประมาณ (บาท) ที่กระจายลงพื้นที่นั้น",
        "ช่องสีส้ม = หน่วยงานตั้งแต่ 2 แห่งทำงานด้านเดียวกัน ปีงบประมาณเดียวกัน ในพื้นที่เดียวกัน",
        "หัวคอลัมน์สีชมพู = พื้นที่ที่ยังไม่มีโครงการ (ดูรายชื่อในแผ่นงาน 'ช่องว่าง')",
        "คอลัมน์ 'รวม' = จำนวนพื้นที่ (หรือบาท) ของโครงการ; แถว 'รวม' = จำนวนโครงการต่อพื้นที่; "
        "แถว 'รวมงบประมาณ' = บาทที่กระจายลงพื้นที่",
        "ไฟล์นี้เปิดกลับด้วย planmap_gis.read_projects(path, sheet='จังหวัด') ได้ (รูปแบบตารางกว้าง)",
        "Sheets: province matrix (projects × amphoe), one per amphoe (× tambon), gaps, duplication, "
        "cross-tabs. Orange = two or more agencies, same sector and year, same area.",
    ]
    keys = {3: DUPLICATION_FILL, 4: GAP_FILL}  # the colour beside the line that explains it
    ws.column_dimensions["A"].width = 4
    ws.column_dimensions["B"].width = 120
    print_setup(ws, "A1", "A:A", ws.title)
    rows = SheetRows(ws, changed)
    heading(rows, plan, f"เมทริกซ์บูรณาการแผนงานโครงการ จ.{province} (Integration matrix)", 8)
    for i, text in enumerate(lines):
        fill = keys.get(i)
        rows.append([rows.cell(None, ("key", fill), lambda fill=fill: {"fill": PatternFill("solid", fgColor=fill)})
                     if fill else None, rows.cell(text, ("readme",), lambda: {"font": font(size=11)})])
    rows.close()


def save_matrix(plan: Plan, path: str | Path, *, values: str = "mark") -> Path:
    """Write the integration matrix as a formatted XLSX workbook for the planning session.

    Sheets: อ่านก่อน (how to read it, legend), จังหวัด (projects × amphoe),
    one per amphoe (its projects × its tambon), ช่องว่าง (areas with nothing),
    ซ้ำซ้อน (duplication by tambon) and the cross-tabs of :func:`cross_tabs`.
    Matrix sheets have Thai headers, frozen header row and label columns,
    ✓ marks (or amounts with ``values="budget"``), row and column totals, and
    duplicated cells filled in a highlight colour. Printing is set to A3
    landscape, one page wide, headers repeated.

    The province and amphoe sheets read back with
    :func:`~planmap_gis.read_projects` (``sheet=``) as wide project sheets
    giving the same project–area pairs.

    Parameters
    ----------
    plan : Plan
    path : str or Path
        The ``.xlsx`` file.
    values : {"mark", "budget"}
        What the area cells show: ✓, or the baht placed there.

    Returns
    -------
    Path
    """
    if values not in VALUES:
        raise PlanmapError(f"values must be one of {VALUES}, got {values!r}.")
    return write_book(plan, Path(path), values=values)
