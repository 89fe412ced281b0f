"""The integration-matrix workbook: formatted for printing and annotating in a planning session."""

from __future__ import annotations

import re
from collections.abc import Callable
from copy import copy
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planmap_gis._errors import PlanmapError
from planmap_gis._output import save_book
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
    TIER,
    TIERS,
)
from planmap_gis._years import thai_date
from planmap_gis.draw.matrix import (
    ROW_LABELS,
    VALUES,
    _support_frames,
    cross_tabs,
    duplicated_cells,
    gap_table,
    integration_matrix,
)
from planmap_gis.plan import Plan
from planmap_gis.read.areas import AreaIndex

FONT = "Tahoma"
#: Fill of a cell where two or more agencies work in the same sector, year and area.
DUPLICATION_FILL = "F4B183"
#: Fill of the header of an area no project reaches.
GAP_FILL = "F8CBAD"
HEADER_FILL = "D9E1F2"
TOTAL_FILL = "EDEDED"
MARK = "✓"
TITLE_ROW, NOTE_ROW, LEGEND_ROW, HEADER_ROW = 1, 2, 3, 5
TOTAL_COUNT, TOTAL_BUDGET = "รวม", "รวมงบประมาณ"
_THIN = Side(style="thin", color="BFBFBF")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

#: Matrix label columns and their Thai headers (read back by read_projects).
LABEL_HEADERS = {c: LABELS[c][0] for c in (*ROW_LABELS, BUDGET)}
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
    book = Workbook()
    index = AreaIndex(plan.tambons)
    _readme(book.active, plan, values)
    province = plan.tambons["province_th"].iloc[0] if len(plan.tambons) else ""
    _matrix_sheet(book.create_sheet("จังหวัด"), plan, index, by="amphoe", within=None, values=values,
                  title=f"เมทริกซ์บูรณาการแผนงานโครงการ จ.{province} รายอำเภอ {plan.years_label()}".strip())
    names = plan.amphoes.set_index(AMPHOE_CODE)[AMPHOE_TH]
    for code in sorted(names.index):
        _matrix_sheet(book.create_sheet(_sheet_name(book, f"อ.{names[code]}")), plan, index,
                      by="tambon", within=code, values=values,
                      title=f"เมทริกซ์บูรณาการ อ.{names[code]} ({code}) รายตำบล {plan.years_label()}".strip())
    _gaps_sheet(book.create_sheet("ช่องว่าง"), plan, index)
    _duplication_sheet(book.create_sheet("ซ้ำซ้อน"), plan, index)
    for key, table in cross_tabs(plan).items():
        sheet_name, title = TAB_TITLES[key]
        _frame_sheet(book.create_sheet(sheet_name), _cross_tab_labels(table, index), title, plan,
                     money=key.endswith("budget"), index_columns=table.index.nlevels)
    if plan.support is not None:
        for sheet_name, title, frame in _support_frames(plan):
            _frame_sheet(book.create_sheet(sheet_name), frame, title, plan, index_columns=1)
    return save_book(book, path)


def _sheet_name(book: Workbook, name: str) -> str:
    name = _BAD_SHEET_CHARS.sub("-", name)[:31]
    base, n = name, 2
    while name in book.sheetnames:
        name = f"{base[:28]}-{n}"
        n += 1
    return name


def _styled(cell: Any, key: tuple, make: Callable[[], dict[str, Any]]) -> None:
    """Give ``cell`` the style named by ``key``: built once per workbook from ``make()`` (font,
    fill, border, alignment, number format), then copied as openpyxl's style array — setting
    style objects on each of a national matrix's millions of cells hashed them 60 million times."""
    cache = cell.parent.parent.__dict__.setdefault("_planmap_styles", {})
    found = cache.get(key)
    if found is None:
        for attr, value in make().items():
            setattr(cell, attr, value)
        cache[key] = copy(cell._style)
    else:
        cell._style = copy(found)


def _font(**kw: object) -> Font:
    return Font(name=FONT, **kw)


def _heading(ws: Worksheet, plan: Plan, title: str, width: int) -> None:

    ws.cell(TITLE_ROW, 1, title).font = _font(bold=True, size=14)
    note = " · ".join([*plan.notes, f"จัดทำเมื่อ {thai_date()}", "planmap-gis"])
    ws.cell(NOTE_ROW, 1, note).font = _font(italic=True, size=9, color="595959")
    for row in (TITLE_ROW, NOTE_ROW):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(width, 2))


def _legend(ws: Worksheet, values: str) -> None:
    ws.cell(LEGEND_ROW, 1).fill = PatternFill("solid", fgColor=DUPLICATION_FILL)
    what = MARK if values == "mark" else "ตัวเลข (บาท)"
    ws.cell(LEGEND_ROW, 2, f"{what} = โครงการดำเนินการในพื้นที่นั้น · ช่องสีส้ม = หน่วยงานตั้งแต่ 2 "
            "แห่งทำงานด้านเดียวกัน ปีงบประมาณเดียวกัน ในพื้นที่เดียวกัน (ควรประสานงาน) · หัวคอลัมน์สีชมพู "
            "= พื้นที่ที่ยังไม่มีโครงการ").font = _font(size=9)


def _print_setup(ws: Worksheet, freeze: str, title_columns: str, title: str = "",
                 filter_ref: str | None = None) -> None:
    """A3 landscape, one page wide, header row repeated; the title and the date at the top of
    each page, the sheet name and "page x of y" at the foot; an autofilter on the table."""

    ws.freeze_panes = freeze
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_title_cols = title_columns
    ws.page_margins.top = ws.page_margins.bottom = 0.75  # inches: room for the header and footer
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddHeader.left.text = (title or ws.title)[:200].replace("&", "&&")
    ws.oddHeader.left.size = 9
    ws.oddHeader.right.text = f"จัดทำเมื่อ {thai_date()}"
    ws.oddHeader.right.size = 9
    ws.oddFooter.left.text = "แผ่นงาน &A"
    ws.oddFooter.left.size = 9
    ws.oddFooter.right.text = "หน้า &P จาก &N"
    ws.oddFooter.right.size = 9
    if filter_ref:
        ws.auto_filter.ref = filter_ref


def _label_value(column: str, value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if column == TIER:
        return TIERS.get(str(value), (value,))[0]
    if column == BUDGET_LAYER:
        return BUDGET_LAYERS_SHORT.get(int(value), value)
    if column in (FISCAL_YEAR,):
        return int(value)
    if column == BUDGET:
        return float(value)
    return value


def _matrix_sheet(ws: Worksheet, plan: Plan, index: AreaIndex, *, by: str, within: str | None,
                  values: str, title: str) -> None:
    marks = integration_matrix(plan, by=by, within=within)
    amounts = integration_matrix(plan, by=by, within=within, values="budget")
    duplicated = duplicated_cells(plan, by=by, within=within)
    budgets = pd.DataFrame(plan.projects).set_index(PROJECT_ID)[BUDGET]
    labels = list(LABEL_HEADERS)
    first_area = len(labels) + 1
    areas = list(marks.columns)
    _heading(ws, plan, title, first_area + len(areas))
    _legend(ws, values)
    headers = [*LABEL_HEADERS.values(), *(f"{index.label(c)} ({c})" for c in areas),
               "รวม (พื้นที่)" if values == "mark" else "รวม (บาท)"]
    busy = marks.sum(axis=0)
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(HEADER_ROW, col, text)
        cell.font, cell.border = _font(bold=True, size=9), _GRID
        gap = first_area <= col < first_area + len(areas) and busy.iloc[col - first_area] == 0
        cell.fill = PatternFill("solid", fgColor=GAP_FILL if gap else HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom", horizontal="center",
                                   text_rotation=90 if col >= first_area else 0)
    row = HEADER_ROW
    for pos, key in enumerate(marks.index):
        row += 1
        record = dict(zip(ROW_LABELS, key, strict=True))
        record[BUDGET] = budgets.get(record[PROJECT_ID])
        for col, column in enumerate(labels, start=1):
            cell = ws.cell(row, col, _label_value(column, record[column]))
            money = column == BUDGET
            _styled(cell, ("label", money), lambda money=money: {
                "font": _font(size=9), "border": _GRID, **({"number_format": "#,##0"} if money else {})})
        mark_row, dup_row = marks.iloc[pos].to_numpy(), duplicated.iloc[pos].to_numpy()
        amount_row = amounts.iloc[pos].to_numpy()
        for j in range(len(areas)):
            if not mark_row[j]:
                _styled(ws.cell(row, first_area + j), ("empty",), lambda: {"border": _GRID})
                continue
            value = MARK if values == "mark" else round(float(amount_row[j]), 2) \
                if pd.notna(amount_row[j]) else MARK
            cell = ws.cell(row, first_area + j, value)
            dup = bool(dup_row[j])
            _styled(cell, ("area", values, dup), lambda dup=dup: {
                "font": _font(size=9), "border": _GRID, "alignment": Alignment(horizontal="center"),
                **({"number_format": "#,##0"} if values == "budget" else {}),
                **({"fill": PatternFill("solid", fgColor=DUPLICATION_FILL)} if dup else {})})
        total = int(mark_row.sum()) if values == "mark" else float(pd.Series(amount_row).sum())
        _styled(ws.cell(row, first_area + len(areas), total), ("total",), lambda: {
            "font": _font(size=9, bold=True), "fill": PatternFill("solid", fgColor=TOTAL_FILL), "border": _GRID,
            "number_format": "#,##0"})
    for name, series in ((TOTAL_COUNT, busy), (TOTAL_BUDGET, amounts.sum(axis=0))):
        row += 1
        ws.cell(row, labels.index("name_th") + 1, name)
        for j, value in enumerate([*series.tolist(), float(series.sum()) if name == TOTAL_BUDGET
                                   else int(len(marks[marks.any(axis=1)]))]):
            ws.cell(row, first_area + j, value).number_format = "#,##0"
        for col in range(1, first_area + len(areas) + 1):
            cell = ws.cell(row, col)
            cell.font, cell.fill, cell.border = _font(size=9, bold=True), PatternFill("solid", fgColor=TOTAL_FILL), _GRID
    widths = {PROJECT_ID: 11, "name_th": 34, "agency": 36, TIER: 11, BUDGET_LAYER: 16, "strategy": 24,
              "sector": 14, FISCAL_YEAR: 9, BUDGET: 13}
    for col, column in enumerate(labels, start=1):
        ws.column_dimensions[get_column_letter(col)].width = widths.get(column, 12)
    for j in range(len(areas) + 1):
        ws.column_dimensions[get_column_letter(first_area + j)].width = 5.5 if values == "mark" else 11
    ws.row_dimensions[HEADER_ROW].height = 150
    last_project = HEADER_ROW + len(marks.index)
    _print_setup(ws, f"{get_column_letter(first_area)}{HEADER_ROW + 1}", "A:B", title,
                 f"A{HEADER_ROW}:{get_column_letter(first_area + len(areas))}{max(last_project, HEADER_ROW + 1)}")


def _frame_sheet(ws: Worksheet, frame: pd.DataFrame, title: str, plan: Plan, *, money: bool = False,
                 index_columns: int = 0) -> None:
    """A plain table under a title: header styled, totals row shaded, panes frozen."""
    frame = frame.reset_index() if index_columns else frame
    _heading(ws, plan, title, len(frame.columns))
    for col, text in enumerate(frame.columns, start=1):
        cell = ws.cell(HEADER_ROW, col, str(text))
        cell.font, cell.border = _font(bold=True, size=9), _GRID
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    # A year reads 2569, not 2,569; baht are whole baht (satang are noise in a plan).
    years = {col for col, name in enumerate(frame.columns, start=1) if "ปี" in str(name)}
    baht = {col for col, name in enumerate(frame.columns, start=1) if "บาท" in str(name)} if not money \
        else set(range(index_columns + 1, len(frame.columns) + 1))
    for i, record in enumerate(frame.itertuples(index=False), start=HEADER_ROW + 1):
        is_total = any(str(v) == "รวม" for v in record[: max(index_columns, 1)])
        for col, value in enumerate(record, start=1):
            value = None if not isinstance(value, str) and pd.isna(value) else value
            value = value.item() if hasattr(value, "item") else value
            if col in baht and isinstance(value, float):
                value = round(value)
            cell = ws.cell(i, col, value)
            number = None
            if isinstance(cell.value, float | int) and col > index_columns:
                number = ("0" if col in years else "#,##0" if col in baht
                          or float(cell.value).is_integer() else "#,##0.00")
            _styled(cell, ("frame", is_total, number), lambda is_total=is_total, number=number: {
                "font": _font(size=9, bold=is_total), "border": _GRID,
                **({"number_format": number} if number else {}),
                **({"fill": PatternFill("solid", fgColor=TOTAL_FILL)} if is_total else {})})
    for col, name in enumerate(frame.columns, start=1):
        longest = max([len(str(name))] + [len(str(v)) for v in frame[name].head(200)])
        ws.column_dimensions[get_column_letter(col)].width = min(max(8, longest * 1.1 + 2), 45)
    _print_setup(ws, f"{get_column_letter(max(index_columns, 1) + 1)}{HEADER_ROW + 1}",
                 f"A:{get_column_letter(max(index_columns, 1))}", title,
                 f"A{HEADER_ROW}:{get_column_letter(len(frame.columns))}{HEADER_ROW + max(len(frame), 1)}")


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


def _gaps_sheet(ws: Worksheet, plan: Plan, index: AreaIndex) -> None:
    gaps = gap_table(plan)
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
    _frame_sheet(ws, frame, f"พื้นที่ที่ยังไม่มีโครงการ: ตำบล {int((gaps.level == 'tambon').sum())} แห่ง, "
                 f"หมู่บ้าน {int((gaps.level == 'village').sum())} แห่ง — {NO_PROJECT_RULE[0]} "
                 "เรียงตามจำนวนครัวเรือน", plan)


def _duplication_sheet(ws: Worksheet, plan: Plan, index: AreaIndex) -> None:
    dup = plan.duplication["tambon"]
    frame = pd.DataFrame({
        "ตำบล": [index.full_label(str(c)) for c in dup["tambon_code"]],
        LABELS["sector"][0]: dup["sector"], LABELS[FISCAL_YEAR][0]: dup[FISCAL_YEAR],
        "จำนวนหน่วยงาน": dup["n_agencies"], "หน่วยงาน": dup["agencies"],
        "รหัสโครงการ": dup["project_ids"], LABELS[BUDGET][0]: dup[BUDGET],
    })
    _frame_sheet(ws, frame, "ตำบลที่หน่วยงานตั้งแต่ 2 แห่งทำงานด้านเดียวกันในปีเดียวกัน "
                 "(ควรประสานเพื่อลดความซ้ำซ้อน)", plan)


def _readme(ws: Worksheet, plan: Plan, values: str) -> None:
    ws.title = "อ่านก่อน"
    province = plan.tambons["province_th"].iloc[0] if len(plan.tambons) else ""
    _heading(ws, plan, f"เมทริกซ์บูรณาการแผนงานโครงการ จ.{province} (Integration matrix)", 8)
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
    for i, text in enumerate(lines, start=HEADER_ROW):
        ws.cell(i, 2, text).font = _font(size=11)
    ws.cell(HEADER_ROW + 3, 1).fill = PatternFill("solid", fgColor=DUPLICATION_FILL)
    ws.cell(HEADER_ROW + 4, 1).fill = PatternFill("solid", fgColor=GAP_FILL)
    ws.column_dimensions["A"].width = 4
    ws.column_dimensions["B"].width = 120
    _print_setup(ws, "A1", "A:A", ws.title)


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
