"""Writing the workshop template: one workbook every agency fills, read back strictly.

:func:`template` writes a workbook for one province (optionally one agency and fiscal year):
a how-to sheet (Thai, then English) with one filled example row, a projects sheet with the
canonical headers, frozen and protected, whose cells only take values from dropdown lists
(tier, budget layer, sector, fiscal year, amphoe → the amphoe's tambon), a whole หมู่ number, a
budget ≥ 0 and coordinates inside the province, and a reference sheet with every amphoe and
tambon of the province (codes and names, from the packaged layer) and the sectors, layers and
tiers with their meaning. Hidden defined names stamp it as a planmap template (kind, version,
province, agency, year): :func:`~planmap_gis.read_projects` recognises a returned copy and reads
it strictly (:mod:`planmap_gis._template_read`).

The list of fields, their labels and their validations are defined once here
(:data:`PROJECT_FIELDS`, :data:`FACILITATOR_FIELDS`) and shared by the writer and the reader.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from planmap_gis._errors import SchemaError
from planmap_gis._output import save_book
from planmap_gis._schema import (
    AGENCY,
    AMPHOE_CODE,
    AMPHOE_EN,
    AMPHOE_TH,
    BUDGET,
    BUDGET_LAYER,
    BUDGET_LAYERS,
    BUDGET_LAYERS_SHORT,
    FISCAL_YEAR,
    MANAGEMENT_UNIT,
    NAME_EN,
    NAME_TH,
    PROJECT_ID,
    PROVINCE_EN,
    PROVINCE_TH,
    SECTOR,
    SECTORS,
    STATUS,
    STRATEGY,
    TAMBON_CODE,
    TAMBON_EN,
    TAMBON_TH,
    TIER,
    TIERS,
)
from planmap_gis._years import fiscal_dates, fiscal_year_of
from planmap_gis.read.boundaries import read_boundaries
from planmap_gis.read.template.fields import (
    AMPHOE,
    CONTACT,
    DATA_ROWS,
    FACILITATOR_FIELDS,
    FIRST_ROW,
    MOO,
    ORGANISATION,
    PROJECT_FIELDS,
    REFERENCE_HEADS,
    SERVES,
    SHEET_FACILITATORS,
    SHEET_HOWTO,
    SHEET_PROJECTS,
    SHEET_REFERENCE,
    SKILLS,
    STAMP,
    STATUSES,
    TAMBON,
    TEMPLATE_VERSION,
    Field,
    amphoe_choices,
    year_choices,
)
from planmap_gis.read.template.fill import prefill

__all__ = ["template"]

_HEAD = PatternFill("solid", fgColor="DDEBF7")
_SUB = PatternFill("solid", fgColor="F2F2F2")
_OPEN = Protection(locked=False)
_RULE = Border(*(Side(style="thin", color="A6A6A6"),) * 4)


def template(
    path: str | Path,
    *,
    province: str | int | None = None,
    boundaries: gpd.GeoDataFrame | str | Path | None = None,
    agency: str | None = None,
    year: int | None = None,
    facilitators: bool = False,
    projects: pd.DataFrame | None = None,
    rows: int = DATA_ROWS,
) -> Path:
    """Write the workbook an agency fills for the mapping workshop.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file to write (atomically).
    province : str or int, optional
        Province code or name; the amphoe and tambon come from the packaged national layer
        (or from ``boundaries``).
    boundaries : GeoDataFrame or path, optional
        A tambon layer instead of the packaged one (cut to ``province`` when given).
    agency : str, optional
        The agency the template is for: written on the sheets, and blank agency cells of the
        returned copy read as it.
    year : int, optional
        Buddhist-era fiscal year (default: the current one): blank year cells read as it; the
        dropdown offers the year before to three after.
    facilitators : bool, default False
        Write the facilitator (คุณอำนวย) register template instead of the projects one.
    projects : DataFrame, optional
        Canonical projects to pre-fill (e.g. last year's, for the agency to update): one place
        goes to the amphoe/tambon/moo cells, several to the several-areas column with their
        percentages, a point to latitude/longitude and other footprints to WKT.
    rows : int
        Data rows open for entry (more when ``projects`` has more).

    Returns
    -------
    Path
    """

    if province is None and boundaries is None:
        raise SchemaError("template needs the province: province= (a DOPA code or name, e.g. 80) or "
                          "boundaries= (a tambon layer).",
                          th="ต้องระบุจังหวัดของแบบฟอร์ม: province= (รหัสหรือชื่อจังหวัด เช่น 80) หรือ boundaries=")
    if isinstance(boundaries, gpd.GeoDataFrame):
        tambons = boundaries
    else:
        tambons, _ = read_boundaries(boundaries, province=province)
    year = int(year) if year is not None else fiscal_year_of(dt.date.today())
    if projects is not None:
        rows = max(rows, len(projects) + 100)
    book = Workbook()
    howto = book.active
    howto.title = SHEET_HOWTO
    fields = FACILITATOR_FIELDS if facilitators else PROJECT_FIELDS
    data_sheet = SHEET_FACILITATORS if facilitators else SHEET_PROJECTS
    sheet = book.create_sheet(data_sheet)
    reference = book.create_sheet(SHEET_REFERENCE)
    names = _reference(reference, book, tambons, year)
    _data_sheet(sheet, fields, names, tambons, rows, agency, year)
    if projects is not None and not facilitators:
        prefill(sheet, projects, tambons)
    filled = len(projects) if projects is not None and not facilitators else 0
    # Printed: the filled rows, or 40 ruled rows to write on by hand.
    last = FIRST_ROW + max(filled, 40) - 1
    sheet.print_area = f"A1:{get_column_letter(len(fields))}{last}"
    for line in sheet.iter_rows(min_row=1, max_row=last, max_col=len(fields)):
        for cell in line:
            cell.border = _RULE
    _howto(howto, fields, tambons, agency, year, facilitators)
    stamp = {"kind": "facilitators" if facilitators else "projects", "version": str(TEMPLATE_VERSION),
             "province": str(tambons.province_code.iloc[0]), "agency": agency or "", "year": str(year)}
    for key, value in stamp.items():
        text = value.replace('"', '""')
        book.defined_names[STAMP[key]] = DefinedName(STAMP[key], attr_text=f'"{text}"', hidden=True)
    book.active = 1
    return save_book(book, path)


def _reference(ws: Any, book: Workbook, tambons: gpd.GeoDataFrame, year: int) -> dict[str, str]:
    """Fill the reference sheet; returns the named list of each dropdown (``list:<name>``)."""
    amphoe = amphoe_choices(tambons)
    quoted = quote_sheetname(SHEET_REFERENCE)
    ws.append(["รายการอ้างอิง — Reference lists (ห้ามแก้ไข / do not edit)"])
    ws["A1"].font = Font(bold=True, size=13)
    blocks: list[tuple[str, list[str], list[list[Any]]]] = []
    amphoes = tambons.drop_duplicates(AMPHOE_CODE).sort_values(AMPHOE_CODE)
    blocks.append(("amphoe", [REFERENCE_HEADS["amphoe"], "รหัส / Code", "ชื่อ / Name (TH)", "Name (EN)"],
                   [[a, c, th, en] for a, c, th, en in zip(amphoe, amphoes[AMPHOE_CODE], amphoes[AMPHOE_TH],
                                                          amphoes[AMPHOE_EN], strict=True)]))
    rows = tambons.sort_values(TAMBON_CODE)
    blocks.append(("tambon", [REFERENCE_HEADS["tambon"], "รหัส / Code", "ชื่อ / Name (TH)", "Name (EN)", "อำเภอ / Amphoe"],
                   [[f"{c} {th}", c, th, en, a] for c, th, en, a in
                    zip(rows[TAMBON_CODE], rows[TAMBON_TH], rows[TAMBON_EN], rows[AMPHOE_CODE], strict=True)]))
    blocks.append(("sector", [REFERENCE_HEADS["sector"], "Sector"], [[th, en] for th, (en, _) in SECTORS.items()]))
    blocks.append(("layer", ["ชั้นงบประมาณ", "ความหมาย", "Meaning"],
                   [[BUDGET_LAYERS_SHORT[k], th, en] for k, (th, en) in BUDGET_LAYERS.items()]))
    blocks.append(("tier", ["ระดับหน่วยงาน", "Tier"], [[th, en] for th, en in TIERS.values()]))
    blocks.append(("year", [REFERENCE_HEADS["year"], "Fiscal year"],
                   [[y, "{} ({})".format(*fiscal_dates(y))]
                    for y in year_choices(year)]))
    blocks.append(("status", ["สถานะ", "Status"],
                   [[s, e] for s, e in zip(STATUSES, ("planned", "approved", "in progress", "done", "cancelled"), strict=True)]))
    names: dict[str, str] = {}
    column = 1
    for name, headers, body in blocks:
        for offset, text in enumerate(headers):
            cell = ws.cell(row=3, column=column + offset, value=text)
            cell.font, cell.fill = Font(bold=True), _HEAD
            ws.column_dimensions[get_column_letter(column + offset)].width = max(12, min(40, len(text) + 4))
        for r, values in enumerate(body, start=4):
            for offset, value in enumerate(values):
                ws.cell(row=r, column=column + offset, value=value)
        letter = get_column_letter(column)
        ref = f"{quoted}!${letter}$4:${letter}${3 + len(body)}"
        names[name] = f"L_{name}"
        book.defined_names[f"L_{name}"] = DefinedName(f"L_{name}", attr_text=ref)
        if name == "tambon":  # one name per amphoe: the dependent list's source
            first = 4
            for code, group in _runs([values[4] for values in body]):
                book.defined_names[f"T_{code}"] = DefinedName(
                    f"T_{code}", attr_text=f"{quoted}!${letter}${first}:${letter}${first + group - 1}")
                first += group
        column += len(headers) + 1
    ws.freeze_panes = "A4"
    ws.protection.sheet = True
    _fit(ws, "3:3")
    return names


def _runs(codes: list[str]) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for code in codes:
        if out and out[-1][0] == code:
            out[-1] = (code, out[-1][1] + 1)
        else:
            out.append((code, 1))
    return out


def _data_sheet(ws: Any, fields: tuple[Field, ...], names: dict[str, str], tambons: gpd.GeoDataFrame,
                rows: int, agency: str | None, year: int) -> None:
    """Headers (Thai, English beneath), open cells, validations, frozen and protected."""
    last = FIRST_ROW + rows - 1
    minx, miny, maxx, maxy = (round(v, 4) for v in tambons.total_bounds)
    pad = 0.01  # a point on the coast or the border line still passes
    for col, field in enumerate(fields, start=1):
        letter = get_column_letter(col)
        top, sub = ws.cell(row=1, column=col, value=field.th), ws.cell(row=2, column=col, value=field.en)
        top.font, top.fill = Font(bold=True), _HEAD
        sub.font, sub.fill = Font(italic=True, size=9, color="595959"), _SUB
        for cell in (top, sub):
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[letter].width = field.width
        area = f"{letter}{FIRST_ROW}:{letter}{last}"
        for row in range(FIRST_ROW, last + 1):
            ws.cell(row=row, column=col).protection = _OPEN
        fmt = {"money": "#,##0.00", "year": "0", "moo": "0", "lat": "0.000000", "lon": "0.000000"}.get(field.check)
        if fmt:
            for row in range(FIRST_ROW, last + 1):
                ws.cell(row=row, column=col).number_format = fmt
        dv = _validation(field, names, fields, (minx - pad, miny - pad, maxx + pad, maxy + pad), year)
        if dv is not None:
            dv.add(area)
            ws.add_data_validation(dv)
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = f"C{FIRST_ROW}"
    ws.protection.sheet = True
    # Widths and row heights stay adjustable; only headers and the sheet's shape are locked.
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    ws.protection.sort = False
    if agency:
        ws.oddHeader.center.text = agency.replace("&", "&&")  # & starts a header code
    _fit(ws, "1:2", paper="A3")  # twenty columns: A3 keeps them legible


def _validation(field: Field, names: dict[str, str], fields: tuple[Field, ...],
                bounds: tuple[float, float, float, float], year: int) -> DataValidation | None:
    th_en = f"{field.th} / {field.en}"
    if field.check.startswith("list:"):
        name = names[field.check.removeprefix("list:")]
        dv = DataValidation(type="list", formula1=name, allow_blank=True)
        message = ("เลือกค่าจากรายการ (ดูชีตอ้างอิง)", "pick a value from the list (see the reference sheet)")
    elif field.check == "tambon":
        amphoe_col = get_column_letter([f.key for f in fields].index(AMPHOE) + 1)
        dv = DataValidation(type="list", formula1=f'INDIRECT("T_"&LEFT(${amphoe_col}{FIRST_ROW},4))',
                            allow_blank=True)
        message = ("เลือกอำเภอก่อน แล้วเลือกตำบลในอำเภอนั้น", "choose the amphoe first, then one of its tambon")
    elif field.check == "year":
        dv = DataValidation(type="list", formula1=names["year"], allow_blank=True)
        message = (f"ปีงบประมาณ พ.ศ. {year - 1}–{year + 3}", f"a Buddhist-era fiscal year {year - 1}–{year + 3}")
    elif field.check == "moo":
        dv = DataValidation(type="whole", operator="between", formula1="1", formula2="99", allow_blank=True)
        message = ("เลขหมู่เป็นจำนวนเต็ม 1–99", "a whole number 1–99")
    elif field.check == "money":
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        message = ("ตัวเลขไม่ติดลบ หน่วยบาท (ไม่ใส่ตัวอักษร)", "a number ≥ 0 in baht (no text)")
    elif field.check in ("lat", "lon"):
        low, high = (bounds[1], bounds[3]) if field.check == "lat" else (bounds[0], bounds[2])
        dv = DataValidation(type="decimal", operator="between", formula1=f"{low:.4f}", formula2=f"{high:.4f}",
                            allow_blank=True)
        message = (f"ทศนิยมระหว่าง {low:.4f} ถึง {high:.4f} (ภายในจังหวัด)",
                   f"decimal degrees {low:.4f} to {high:.4f} (inside the province)")
    else:
        return None
    dv.errorStyle = "stop"
    dv.showErrorMessage = True
    dv.showInputMessage = True
    dv.errorTitle = field.th[:32]
    dv.error = f"{message[0]} — {message[1]}"[:255]
    dv.promptTitle = field.th[:32]
    dv.prompt = f"{th_en}: {message[0]}"[:255]
    return dv


def _howto(ws: Any, fields: tuple[Field, ...], tambons: gpd.GeoDataFrame, agency: str | None, year: int,
           facilitators: bool) -> None:
    first = tambons.sort_values(TAMBON_CODE).iloc[0]
    province = f"{first[PROVINCE_TH]} ({first[PROVINCE_EN]})"
    kind = ("ทะเบียนคุณอำนวย (ผู้อำนวยความสะดวก)", "Facilitator register") if facilitators else \
        ("แบบฟอร์มโครงการสำหรับการประชุมจัดทำแผนที่", "Project template for the mapping workshop")
    lines = [
        (f"{kind[0]} — จังหวัด{first[PROVINCE_TH]}", True),
        (f"{kind[1]} — {province}", True),
        (f"หน่วยงาน / Agency: {agency}" if agency else "", False),
        ("" if facilitators else f"ปีงบประมาณ / Fiscal year: {year}", False),
        ("", False),
        ("วิธีกรอก", True),
    ]
    data = SHEET_FACILITATORS if facilitators else SHEET_PROJECTS
    steps_th = ([f"1. กรอกหนึ่งแถวต่อคุณอำนวยหนึ่งคน ในชีต \"{data}\" เริ่มแถวที่ {FIRST_ROW}",
                 "2. เลือกอำเภอ ตำบล (และหมู่) ที่ดูแล ถ้าดูแลหลายพื้นที่ ให้ใส่เพิ่มในช่องพื้นที่อื่น",
                 "3. เลือกทักษะ (ด้าน) ได้สูงสุด 3 ด้าน จากรายการ",
                 "4. ช่องติดต่อใช้ภายในเท่านั้น ไม่ออกในแผนที่หรือรายงาน"] if facilitators else
                [f"1. กรอกหนึ่งแถวต่อหนึ่งโครงการ ในชีต \"{data}\" เริ่มแถวที่ {FIRST_ROW} (หัวตารางล็อกไว้)",
                 "2. ช่องที่มีลูกศรให้เลือกจากรายการ: ระดับหน่วยงาน ชั้นงบประมาณ ด้าน ปีงบประมาณ อำเภอ ตำบล",
                 "3. เลือกอำเภอก่อน รายการตำบลจะแสดงเฉพาะตำบลในอำเภอนั้น ใส่เลขหมู่ถ้าทำในหมู่บ้านเดียว",
                 "4. ถ้าโครงการทำหลายพื้นที่ ให้เขียนในช่องพื้นที่หลายแห่ง เช่น ต.ท่างิ้ว 60%, ต.ท่าซัก 40%",
                 "5. งบประมาณเป็นตัวเลขหน่วยบาท ไม่ติดลบ ไม่ใส่คำว่า บาท หรือ ล้าน",
                 "6. พิกัด (ไม่บังคับ) เป็นองศาทศนิยม ต้องอยู่ในจังหวัด",
                 "7. อย่าเพิ่ม ลบ หรือย้ายคอลัมน์ บันทึกเป็น .xlsx แล้วส่งคืนผู้ประสานงาน"])
    steps_en = (["1. One row per facilitator, from row 3 of the register sheet.",
                 "2. Choose the amphoe, tambon (and moo) served; add other areas in the next column.",
                 "3. Up to three skills (sectors), each from the list.",
                 "4. The contact stays internal: it is not in maps or reports."] if facilitators else
                ["1. One row per project, from row 3 of the projects sheet (the headers are locked).",
                 "2. Cells with an arrow take a value from their list: tier, budget layer, sector, fiscal "
                 "year, amphoe, tambon.",
                 "3. Choose the amphoe first: the tambon list then shows its tambon only. Add the moo for "
                 "one village.",
                 "4. Several areas: write them in the 'several areas' column, e.g. ต.ท่างิ้ว 60%, ต.ท่าซัก 40%.",
                 "5. Budget: a number of baht ≥ 0, without words such as baht or million.",
                 "6. Coordinates (optional) in decimal degrees, inside the province.",
                 "7. Do not add, delete or move columns; save as .xlsx and return it to the coordinator."])
    lines += [(t, False) for t in steps_th] + [("", False), ("How to fill it in", True)]
    lines += [(t, False) for t in steps_en] + [("", False), ("ตัวอย่างหนึ่งแถว / One example row", True)]
    for r, (text, bold) in enumerate(lines, start=1):
        ws.cell(row=r, column=1, value=text).font = Font(bold=bold, size=13 if r <= 2 else 11)
    start = len(lines) + 1
    example = _example(first, agency, year, facilitators)
    for col, field in enumerate(fields, start=1):
        ws.cell(row=start, column=col, value=field.th).fill = _HEAD
        ws.cell(row=start + 1, column=col, value=field.en).fill = _SUB
        ws.cell(row=start + 2, column=col, value=example.get(field.key))
        ws.cell(row=start + 3, column=col, value=field.note_th or None).font = Font(size=9, color="595959")
        ws.cell(row=start + 4, column=col, value=field.note_en or None).font = Font(size=9, color="595959")
        ws.column_dimensions[get_column_letter(col)].width = field.width
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width, 18)
    ws.protection.sheet = True
    _fit(ws)


def _fit(ws: Any, titles: str | None = None, paper: str = "A4") -> None:
    """Printed landscape, as wide as the paper, header rows on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if paper == "A3" else ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    if titles:
        ws.print_title_rows = titles


def _example(first: Any, agency: str | None, year: int, facilitators: bool) -> dict[str, Any]:
    amphoe = f"{first[AMPHOE_CODE]} {first[AMPHOE_TH]}"
    tambon = f"{first[TAMBON_CODE]} {first[TAMBON_TH]}"
    if facilitators:
        return {"name": "นางสาวสมใจ ใจดี", ORGANISATION: "วิสาหกิจชุมชนบ้านตัวอย่าง", AMPHOE: amphoe,
                TAMBON: tambon, MOO: None, SERVES: "", f"{SKILLS}_1": "เกษตร", f"{SKILLS}_2": "เศรษฐกิจชุมชน",
                MANAGEMENT_UNIT: f"หน่วยจัดการตำบล{first[TAMBON_TH]}", CONTACT: "08x-xxx-xxxx"}
    return {PROJECT_ID: f"EX-{year}-001", NAME_TH: "ส่งเสริมการปลูกผักปลอดสารในครัวเรือน",
            NAME_EN: "Safe home vegetable gardens", AGENCY: agency or "สำนักงานเกษตรจังหวัด",
            TIER: TIERS["regional"][0], BUDGET_LAYER: BUDGET_LAYERS_SHORT[2], STRATEGY: "เกษตรมูลค่าสูง",
            SECTOR: "เกษตร", FISCAL_YEAR: year, BUDGET: 250000, AMPHOE: amphoe, TAMBON: tambon, MOO: 3,
            STATUS: STATUSES[0], MANAGEMENT_UNIT: f"หน่วยจัดการตำบล{first[TAMBON_TH]}"}
