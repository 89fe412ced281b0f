"""The integration-matrix workbook's sheets, streamed row by row as SpreadsheetML
(:class:`~planmap_gis._xlsx.SheetRows` in an openpyxl write-only workbook).

A national matrix has a thousand sheets and millions of cells; building each as a cell object took
minutes. Here styles are built once per workbook, a project's label cells are rendered once for all
the sheets it appears on, and only marked cells are written: the empty area cells carry no border —
the sheets print their grid lines instead, so the page looks the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planmap_gis._schema import (
    BUDGET,
    BUDGET_LAYER,
    BUDGET_LAYERS_SHORT,
    FISCAL_YEAR,
    LABELS,
    PROJECT_ID,
    TIER,
    TIERS,
)
from planmap_gis._xlsx import SheetRows, clean_value
from planmap_gis._years import thai_date
from planmap_gis.draw.matrix import ROW_LABELS, marked_cells
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
#: Matrix label columns and their Thai headers (read back by read_projects).
LABEL_HEADERS = {c: LABELS[c][0] for c in (*ROW_LABELS, BUDGET)}
_WIDTHS = {PROJECT_ID: 11, "name_th": 34, "agency": 36, TIER: 11, BUDGET_LAYER: 16, "strategy": 24,
           "sector": 14, FISCAL_YEAR: 9, BUDGET: 13}


def font(**kw: object) -> Font:
    return Font(name=FONT, **kw)


def heading(rows: SheetRows, plan: Plan, title: str, width: int, legend: str | None = None) -> None:
    """Rows 1–4: the title, the notes and date, the matrix legend (if ``legend``), a blank row."""
    ws = rows.ws
    note = " · ".join([*plan.notes, f"จัดทำเมื่อ {thai_date()}", "planmap-gis"])
    rows.append([rows.cell(title, ("title",), lambda: {"font": font(bold=True, size=14)})])
    rows.append([rows.cell(note, ("note",), lambda: {"font": font(italic=True, size=9, color="595959")})])
    for row in (TITLE_ROW, NOTE_ROW):
        ws.merged_cells.add(f"A{row}:{get_column_letter(max(width, 2))}{row}")
    if legend is None:
        rows.append([])
    else:
        what = MARK if legend == "mark" else "ตัวเลข (บาท)"
        rows.append([rows.cell(None, ("dup-key",), lambda: {"fill": PatternFill("solid", fgColor=DUPLICATION_FILL)}),
                     rows.cell(f"{what} = โครงการดำเนินการในพื้นที่นั้น · ช่องสีส้ม = หน่วยงานตั้งแต่ 2 "
                               "แห่งทำงานด้านเดียวกัน ปีงบประมาณเดียวกัน ในพื้นที่เดียวกัน (ควรประสานงาน) · "
                               "หัวคอลัมน์สีชมพู = พื้นที่ที่ยังไม่มีโครงการ", ("small",), lambda: {"font": font(size=9)})])
    rows.append([])


def print_setup(ws: Any, freeze: str, title_columns: str, title: str = "",
                filter_ref: str | None = None) -> None:
    """A3 landscape, one page wide, header row repeated; the title and the date at the top of
    each page, the sheet name and "page x of y" at the foot; an autofilter on the table.
    Panes are frozen here, so call it before the first row is appended."""
    ws.freeze_panes = freeze
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A3
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


def _label_tails(rows: SheetRows, plan: Plan) -> list[list[str]]:
    """Every project's label cells as the matrix shows them (tier and layer in words, years whole,
    text cleaned, styled), rendered once per workbook: a national book shows a project on up to a
    hundred sheets."""
    cache = rows.ws.parent.__dict__.setdefault("_planmap_labels", {})
    if "rows" not in cache:
        projects = pd.DataFrame(plan.projects).reset_index(drop=True)

        def shown(column: str, value: object) -> object:
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                return None
            if column == TIER:
                return TIERS.get(str(value), (value,))[0]
            if column == BUDGET_LAYER:
                return BUDGET_LAYERS_SHORT.get(int(value), value)
            if column == FISCAL_YEAR:
                return int(value)
            if column == BUDGET:
                return float(value)
            return value

        styles = [rows.style(("label", c == BUDGET), lambda money=c == BUDGET: {
            "font": font(size=9), "border": _GRID, **({"number_format": "#,##0"} if money else {})})
            for c in LABEL_HEADERS]
        columns = [projects[c].tolist() if c in projects else [None] * len(projects) for c in LABEL_HEADERS]
        made: list[dict[tuple[type, object], str | None]] = [{} for _ in LABEL_HEADERS]

        def tail(k: int, column: str, value: object, row: int) -> str | None:
            # A column's repeated values (agency, sector, tier, year) rendered once; a value that
            # needed a repair is rendered on each row, so each row's repair is said.
            key, keep = (type(value), value), True
            try:
                return made[k][key]
            except KeyError:
                pass
            except TypeError:  # a value that cannot be a key (a list): rendered on each row
                keep = False
            said = len(rows.changed)
            out = rows.tail(clean_value(shown(column, value), rows.changed, "matrix labels, project table", row),
                            styles[k])
            if keep and len(rows.changed) == said:
                made[k][key] = out
            return out

        cache["rows"] = [[tail(k, c, v, r) for k, (c, v) in enumerate(zip(LABEL_HEADERS, row, strict=True))]
                         for r, row in enumerate(zip(*columns, strict=True), start=2)]
    return cache["rows"]


def matrix_sheet(ws: Any, changed: list[str], plan: Plan, index: AreaIndex, *, by: str,
                 within: str | None, values: str, title: str) -> None:
    """Projects × areas of one level, streamed: labels, a mark (or baht) where a project works,
    duplicated cells filled, a total per row and two total rows (projects, baht) per area."""
    positions, areas, cells = marked_cells(plan, by=by, within=within)
    labels = list(LABEL_HEADERS)
    first = len(labels)  # zero-based position of the first area column
    n_rows, n_areas = len(positions), len(areas)
    rows_of, cols = cells["row"].to_numpy(), cells["column"].to_numpy()
    amounts, flags = cells[BUDGET].to_numpy(), cells["duplicated"].to_numpy()
    busy = np.bincount(cols, minlength=n_areas)
    baht = np.bincount(cols, weights=np.nan_to_num(amounts), minlength=n_areas)
    for col, column in enumerate(labels, start=1):
        ws.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(column, 12)
    for j in range(n_areas + 1):
        ws.column_dimensions[get_column_letter(first + 1 + j)].width = 5.5 if values == "mark" else 11
    ws.row_dimensions[HEADER_ROW].height = 150
    print_setup(ws, f"{get_column_letter(first + 1)}{HEADER_ROW + 1}", "A:B", title,
                f"A{HEADER_ROW}:{get_column_letter(first + n_areas + 1)}{HEADER_ROW + max(n_rows, 1)}")
    ws.print_options.gridLines = True  # the empty area cells' grid on paper
    rows = SheetRows(ws, changed)
    heading(rows, plan, title, first + n_areas + 1, legend=values)
    header = []
    for col, text in enumerate([*LABEL_HEADERS.values(), *(f"{index.label(c)} ({c})" for c in areas),
                                "รวม (พื้นที่)" if values == "mark" else "รวม (บาท)"]):
        area = first <= col < first + n_areas
        gap = area and busy[col - first] == 0
        header.append(rows.cell(text, ("head", area, gap), lambda area=area, gap=gap: {
            "font": font(bold=True, size=9), "border": _GRID,
            "fill": PatternFill("solid", fgColor=GAP_FILL if gap else HEADER_FILL),
            "alignment": Alignment(wrap_text=True, vertical="bottom", horizontal="center",
                                   text_rotation=90 if area else 0)}))
    rows.append(header)
    label_tails = _label_tails(rows, plan)
    total = rows.style(("total",), lambda: {"font": font(size=9, bold=True), "border": _GRID,
                                            "number_format": "#,##0", "fill": PatternFill("solid", fgColor=TOTAL_FILL)})
    area_style = {dup: rows.style(("area", values, dup), lambda dup=dup: {
        "font": font(size=9), "border": _GRID, "alignment": Alignment(horizontal="center"),
        **({"number_format": "#,##0"} if values == "budget" else {}),
        **({"fill": PatternFill("solid", fgColor=DUPLICATION_FILL)} if dup else {})}) for dup in (False, True)}
    marks = {dup: rows.tail(MARK, style) for dup, style in area_style.items()}
    starts = np.searchsorted(rows_of, np.arange(n_rows + 1)).tolist()
    columns, amount_list, flag_list = (cols + first).tolist(), amounts.tolist(), flags.tolist()
    last, marked = first + n_areas, 0
    for r, position in enumerate(positions.tolist()):
        lo, hi = starts[r], starts[r + 1]
        line = list(enumerate(label_tails[position]))
        if values == "mark":
            line += [(c, marks[dup]) for c, dup in zip(columns[lo:hi], flag_list[lo:hi], strict=True)]
            whole: float = hi - lo
        else:  # a project with no budget still shows where it works
            line += [(c, rows.tail(MARK if a != a else round(a, 2), area_style[dup]))
                     for c, a, dup in zip(columns[lo:hi], amount_list[lo:hi], flag_list[lo:hi], strict=True)]
            whole = float(np.nansum(amounts[lo:hi]))
        line.append((last, rows.tail(whole, total)))
        marked += hi > lo
        rows.add(line)
    # A marks sheet's area columns are 5.5 wide: an area's baht ("12,345,678") printed as "###". Its
    # baht total row shows millions with one decimal (the cells keep the exact baht) and shrinks
    # what still does not fit.
    millions = values == "mark"
    named = labels.index("name_th")
    shaded = {"font": font(size=9, bold=True), "fill": PatternFill("solid", fgColor=TOTAL_FILL), "border": _GRID}
    for name, series, whole, fmt in ((TOTAL_COUNT, busy.tolist(), marked, "#,##0"),
                                     (f"{TOTAL_BUDGET} (ล้านบาท)" if millions else TOTAL_BUDGET, baht.tolist(),
                                      float(baht.sum()), "#,##0.0,," if millions else "#,##0")):
        line = [None] * first + series + [whole]
        line[named] = name
        figure = ("sum", fmt), lambda fmt=fmt: {**shaded, "number_format": fmt,
                                                "alignment": Alignment(shrink_to_fit=True)}
        label = ("sum", ""), lambda: shaded
        rows.append([rows.cell(value, *(label if c == named else figure)) for c, value in enumerate(line)])
    rows.close()


def frame_sheet(ws: Any, changed: list[str], frame: pd.DataFrame, title: str, plan: Plan, *,
                money: bool = False, index_columns: int = 0) -> None:
    """A plain table under a title, streamed: header styled, totals row shaded, panes frozen."""
    frame = frame.reset_index() if index_columns else frame
    for col, name in enumerate(frame.columns, start=1):
        longest = max([len(str(name))] + [len(str(v)) for v in frame[name].head(200)])
        ws.column_dimensions[get_column_letter(col)].width = min(max(8, longest * 1.1 + 2), 45)
    print_setup(ws, f"{get_column_letter(max(index_columns, 1) + 1)}{HEADER_ROW + 1}",
                f"A:{get_column_letter(max(index_columns, 1))}", title,
                f"A{HEADER_ROW}:{get_column_letter(len(frame.columns))}{HEADER_ROW + max(len(frame), 1)}")
    rows = SheetRows(ws, changed)
    heading(rows, plan, title, len(frame.columns))
    rows.append([rows.cell(str(text), ("frame-head",), lambda: {
        "font": font(bold=True, size=9), "border": _GRID, "fill": PatternFill("solid", fgColor=HEADER_FILL),
        "alignment": Alignment(wrap_text=True, vertical="center", horizontal="center")})
        for text in frame.columns])
    # A year reads 2569, not 2,569; baht are whole baht (satang are noise in a plan).
    years = {col for col, name in enumerate(frame.columns, start=1) if "ปี" in str(name)}
    baht = {col for col, name in enumerate(frame.columns, start=1) if "บาท" in str(name)} if not money \
        else set(range(index_columns + 1, len(frame.columns) + 1))
    styles: dict[tuple, str] = {}
    for record in frame.itertuples(index=False, name=None):
        is_total = any(str(v) == "รวม" for v in record[: max(index_columns, 1)])
        line = []
        for col, value in enumerate(record, start=1):
            value = clean_value(value, changed, ws.title, rows.row + 1)
            if col in baht and isinstance(value, float):
                value = round(value)
            number = None
            if isinstance(value, float | int) and col > index_columns:
                number = ("0" if col in years else "#,##0" if col in baht
                          or float(value).is_integer() else "#,##0.00")
            style = styles.get((is_total, number))
            if style is None:
                style = styles[is_total, number] = rows.style(
                    ("frame", is_total, number), lambda is_total=is_total, number=number: {
                        "font": font(size=9, bold=is_total), "border": _GRID,
                        **({"number_format": number} if number else {}),
                        **({"fill": PatternFill("solid", fgColor=TOTAL_FILL)} if is_total else {})})
            line.append(rows.tail(value, style))
        rows.append(line)
    rows.close()
