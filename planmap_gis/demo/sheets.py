"""Messy Thai spreadsheets written from the demo data, to exercise the importer."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from openpyxl import Workbook, load_workbook

from planmap_gis._output import atomic
from planmap_gis._schema import (
    AGENCY,
    AREA_CODES,
    BUDGET,
    BUDGET_LAYER,
    FACILITATOR,
    FISCAL_YEAR,
    KCHCH2C,
    MANAGEMENT_UNIT,
    NAME_EN,
    NAME_TH,
    PROJECT_ID,
    SECTOR,
    STATUS,
    STRATEGY,
    TIERS,
)
from planmap_gis._years import CE_OFFSET
from planmap_gis.read.areas import AreaIndex
from planmap_gis.read.projects_out import write_projects

_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_LONG_HEADERS = (
    ("ลำดับ", None), ("รหัสโครงการ", PROJECT_ID), ("ชื่อโครงการ/กิจกรรม", NAME_TH),
    ("ชื่อภาษาอังกฤษ", NAME_EN), ("หน่วยงานรับผิดชอบ", AGENCY), ("ระดับหน่วยงาน", "tier"),
    ("แหล่งงบประมาณ", BUDGET_LAYER), ("ประเด็นยุทธศาสตร์", STRATEGY), ("ด้าน", SECTOR),
    ("ปีงบประมาณ", FISCAL_YEAR), ("งบประมาณ (บาท)", BUDGET), ("สถานะ", STATUS),
    ("หน่วยจัดการ", MANAGEMENT_UNIT), ("คุณอำนวย", FACILITATOR),
    ("พื้นที่ดำเนินการ", AREA_CODES), ("ละติจูด", "lat"), ("ลองจิจูด", "lon"),
    ("WKT (EPSG:4326)", "wkt"),
)
_LAYER_WORDS = {1: "งบจังหวัด", 2: "งบกระทรวง", 3: "งบท้องถิ่น", 4: "กองทุนหมู่บ้าน"}


def _amount(value: float, i: int) -> object:
    """Amounts written the ways agencies write them (blank when there is none yet)."""
    if value != value:
        return None
    if i % 7 == 3:
        return f"{value / 1e6:g} ล้านบาท"
    if i % 7 == 5:
        return f"{value:,.0f}".translate(_THAI) + " บาท"
    if i % 7 == 6:
        return f"{value:,.2f}"
    return float(value)


def write_long_sheet(projects: gpd.GeoDataFrame, tambons: gpd.GeoDataFrame, path: Path, title: str) -> Path:
    index = AreaIndex(tambons)
    book = Workbook()
    sheet = book.active
    sheet.title = "โครงการ"
    width = len(_LONG_HEADERS)
    sheet.cell(1, 1, "บัญชีโครงการบูรณาการ ปีงบประมาณ ๒๕๖๙")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(2, 1, title)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    for j, (header, _) in enumerate(_LONG_HEADERS, start=1):
        sheet.cell(4, j, header)
    separators = (", ", "\n", " / ", ", ")
    row = 5
    for i, rec in enumerate(projects.to_dict("records")):
        geom = rec["geometry"]
        names = [index.full_label(c) for c in rec[AREA_CODES]]
        values = {
            PROJECT_ID: rec[PROJECT_ID], NAME_TH: rec[NAME_TH], NAME_EN: rec[NAME_EN],
            AGENCY: rec[AGENCY], "tier": TIERS[rec["tier"]][0],
            BUDGET_LAYER: _LAYER_WORDS[int(rec[BUDGET_LAYER])] if i % 2 else int(rec[BUDGET_LAYER]),
            STRATEGY: rec[STRATEGY], SECTOR: rec[SECTOR],
            FISCAL_YEAR: int(rec[FISCAL_YEAR]) - CE_OFFSET if i % 11 == 4 else int(rec[FISCAL_YEAR]),
            BUDGET: _amount(rec[BUDGET], i), STATUS: rec[STATUS],
            MANAGEMENT_UNIT: rec[MANAGEMENT_UNIT], FACILITATOR: rec[FACILITATOR],
            AREA_CODES: separators[i % 4].join(names) or None,
        }
        if geom is not None and geom.geom_type == "Point":
            values["lat"], values["lon"] = round(geom.y, 7), round(geom.x, 7)
        elif geom is not None:
            values["wkt"] = shapely.to_wkt(geom, rounding_precision=7)
        sheet.cell(row, 1, i + 1)
        for j, (_, key) in enumerate(_LONG_HEADERS, start=1):
            if key is not None and values.get(key) is not None:
                sheet.cell(row, j, values[key])
        row += 2 if i == 10 else 1  # one blank spacer row inside the table
    sheet.cell(row, 3, "รวมทั้งสิ้น")
    sheet.cell(row, 11, float(np.nansum(projects[BUDGET])))
    book.save(path)
    return path


def write_wide_sheet(projects: gpd.GeoDataFrame, tambons: gpd.GeoDataFrame, path: Path, title: str) -> Path:
    write_projects(projects, path, shape="wide", boundaries=tambons)
    book = load_workbook(path)
    sheet = book.active
    sheet.insert_rows(1, amount=2)
    sheet.cell(1, 1, "ตารางบูรณาการโครงการรายพื้นที่ (✓ = ดำเนินการในพื้นที่)")
    sheet.cell(2, 1, title)
    book.save(path)
    return path


def write_indicator_sheet(indicators: pd.DataFrame, path: Path, title: str) -> Path:
    table = pd.DataFrame({
        "รหัสหมู่บ้าน": indicators.index,
        "จปฐ. หมวดสุขภาพ (%)": (indicators["bmn_health"] * 100).round(1).to_numpy(),
        "จปฐ. หมวดสภาพแวดล้อม (%)": (indicators["bmn_environment"] * 100).round(1).to_numpy(),
        "จปฐ. หมวดการศึกษา (%)": (indicators["bmn_education"] * 100).round(1).to_numpy(),
        "จปฐ. หมวดการมีงานทำและรายได้ (%)": (indicators["bmn_income"] * 100).round(1).to_numpy(),
        "จปฐ. หมวดค่านิยม (%)": (indicators["bmn_values"] * 100).round(1).to_numpy(),
        "ระดับ กชช.2ค": indicators[KCHCH2C].astype(int).to_numpy(),
        "ครัวเรือน": indicators["households"].astype(int).to_numpy(),
        "ประชากร": indicators["population"].astype(int).to_numpy(),
    })
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame([[title]]).to_excel(writer, index=False, header=False, sheet_name="จปฐ")
        table.to_excel(writer, index=False, startrow=2, sheet_name="จปฐ")
    return path


def write_master_plan_sheet(needs: pd.DataFrame, tambons: gpd.GeoDataFrame, path: Path, title: str) -> Path:
    """Village master-plan needs as a community development office collects them."""
    index = AreaIndex(tambons)
    table = pd.DataFrame({
        "หมู่บ้าน": [index.full_label(c) for c in needs["unit_code"]],
        "ด้าน": needs["sector"].to_numpy(), "ลำดับความสำคัญ": needs["rank"].to_numpy(),
        "ปัญหา/ความต้องการ": needs["need_th"].to_numpy(),
    })
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame([[f"แผนแม่บทชุมชน — {title}"]]).to_excel(writer, index=False, header=False,
                                                          sheet_name="แผนแม่บทชุมชน")
        table.to_excel(writer, index=False, startrow=2, sheet_name="แผนแม่บทชุมชน")
    return path


def write_facilitator_sheet(register: pd.DataFrame, tambons: gpd.GeoDataFrame, path: Path, title: str) -> Path:
    """The facilitator register as a district coordinating unit keeps it: areas as names, placeholder
    contacts (left out when read unless asked)."""

    index = AreaIndex(tambons)
    table = pd.DataFrame({
        "ชื่อ-สกุล": register["facilitator"].to_numpy(), "สังกัด": register["organisation"].to_numpy(),
        "พื้นที่ที่ดูแล": [", ".join(index.full_label(c) for c in codes) for codes in register["area_codes"]],
        "ทักษะ": [", ".join(s) for s in register["skills"]],
        "หน่วยจัดการ": register["management_unit"].to_numpy(),
        "เบอร์โทร": [f"08x-xxx-{i + 1:04d}" for i in range(len(register))],
    })
    with atomic(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        pd.DataFrame([[f"ทะเบียนคุณอำนวย — {title}"]]).to_excel(writer, index=False, header=False,
                                                           sheet_name="คุณอำนวย")
        table.to_excel(writer, index=False, startrow=2, sheet_name="คุณอำนวย")
    return path


def write_village_register(villages: gpd.GeoDataFrame, path: Path, title: str) -> Path:
    """The demo villages as a register a district office keeps: Thai headers, lat/lon."""
    points = villages.geometry.to_crs(4326)
    table = pd.DataFrame({
        "รหัสหมู่บ้าน": villages["village_code"].to_numpy(), "ชื่อหมู่บ้าน": villages["village_th"].to_numpy(),
        "หมู่ที่": villages["moo"].to_numpy(), "ครัวเรือน": villages["households"].to_numpy(),
        "ประชากร": villages["population"].to_numpy(),
        "ละติจูด": points.y.round(7).to_numpy(), "ลองจิจูด": points.x.round(7).to_numpy(),
    })
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(f"{title}\n")
        table.to_csv(handle, index=False)
    return path
