"""The template's fields, sheets, stamp and lists: defined once for the writer and the reader."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd

from planmap_gis._schema import (
    AGENCY,
    AMPHOE_CODE,
    AMPHOE_TH,
    AREA_CODES,
    BUDGET,
    BUDGET_LAYER,
    BUDGET_LAYERS_SHORT,
    CONTACT,
    FACILITATOR,
    FISCAL_YEAR,
    LABELS,
    MANAGEMENT_UNIT,
    NAME_EN,
    NAME_TH,
    ORGANISATION,
    PROJECT_ID,
    PROJECT_STATUSES,
    SECTOR,
    SKILLS,
    STATUS,
    STRATEGY,
    TIER,
    TIERS,
)
from planmap_gis.read.rows import TEMPLATE_HEADERS

#: Version of the template layout; the reader refuses a newer one with a clear message.
TEMPLATE_VERSION = 1
#: Hidden defined names that stamp a planmap template (values are text constants).
STAMP = {"kind": "planmap_template", "version": "planmap_template_version", "province": "planmap_province",
         "agency": "planmap_agency", "year": "planmap_year"}
SHEET_HOWTO, SHEET_PROJECTS, SHEET_REFERENCE, SHEET_FACILITATORS = "วิธีกรอก", "โครงการ", "อ้างอิง", "คุณอำนวย"
#: First data row of the projects and register sheets (Thai header row 1, English row 2).
FIRST_ROW = 3
#: Rows open for data (unlocked, validated) below the headers.
DATA_ROWS = 1000
AMPHOE, TAMBON, MOO, AREAS, LAT, LON, WKT = "amphoe", "tambon", "moo", "area_list", "lat", "lon", "wkt"
SERVES = "serves"
STATUSES = PROJECT_STATUSES
#: The reference sheet's list columns: the header above each list the dropdowns draw from.
REFERENCE_HEADS = {"amphoe": "อำเภอ (เลือก)", "tambon": "ตำบล (เลือก)", "sector": "ด้าน", "year": "ปีงบประมาณ"}


@dataclass(frozen=True)
class Field:
    """One column of a template: canonical key, headers, width (characters) and validation kind."""

    key: str
    th: str
    en: str
    width: int = 16
    #: "" free text, "list:<name>" dropdown from a named list, "tambon" (depends on amphoe),
    #: "moo", "money", "lat", "lon", "year"
    check: str = ""
    note_th: str = ""
    note_en: str = ""


def _label(key: str) -> tuple[str, str]:
    return LABELS[key]


PROJECT_FIELDS: tuple[Field, ...] = (
    Field(PROJECT_ID, *_label(PROJECT_ID), 14, "", "รหัสของหน่วยงาน ไม่ซ้ำกัน", "your own id, unique"),
    Field(NAME_TH, *_label(NAME_TH), 40, "", "ต้องกรอก", "required"),
    Field(NAME_EN, *_label(NAME_EN), 30),
    Field(AGENCY, *_label(AGENCY), 26, "", "เว้นว่างได้ ถ้าแบบฟอร์มระบุหน่วยงานไว้แล้ว",
          "may stay blank when the template names the agency"),
    Field(TIER, *_label(TIER), 14, "list:tier"),
    Field(BUDGET_LAYER, *_label(BUDGET_LAYER), 20, "list:layer"),
    Field(STRATEGY, *_label(STRATEGY), 20),
    Field(SECTOR, *_label(SECTOR), 18, "list:sector"),
    Field(FISCAL_YEAR, *_label(FISCAL_YEAR), 11, "year", "พ.ศ.", "Buddhist era"),
    Field(BUDGET, *_label(BUDGET), 16, "money", "ตัวเลข ≥ 0 หน่วยบาท", "a number ≥ 0, in baht"),
    Field(AMPHOE, "อำเภอ", "District (amphoe)", 26, "list:amphoe", "เลือกจากรายการ", "pick from the list"),
    Field(TAMBON, "ตำบล", "Subdistrict (tambon)", 24, "tambon", "รายการตามอำเภอที่เลือก",
          "the list follows the amphoe chosen"),
    Field(MOO, "หมู่ที่", "Village no. (moo)", 9, "moo", "เลขหมู่ของตำบลที่เลือก", "moo number in the tambon"),
    Field(AREAS, *TEMPLATE_HEADERS[AREA_CODES], 36, "",
          "เช่น ต.ท่างิ้ว 60%, ต.ท่าซัก 40%", "e.g. ต.ท่างิ้ว 60%, ต.ท่าซัก 40%"),
    Field(LAT, "ละติจูด", "Latitude", 11, "lat", "ไม่บังคับ ภายในจังหวัด", "optional, within the province"),
    Field(LON, "ลองจิจูด", "Longitude", 11, "lon", "ไม่บังคับ ภายในจังหวัด", "optional, within the province"),
    Field(WKT, *TEMPLATE_HEADERS[WKT], 24, "",
          "ไม่บังคับ เช่น แนวถนนจาก GIS", "optional, e.g. a road's line from a GIS"),
    Field(STATUS, *_label(STATUS), 16, "list:status"),
    Field(MANAGEMENT_UNIT, *_label(MANAGEMENT_UNIT), 20),
    Field(FACILITATOR, *_label(FACILITATOR), 20),
)

FACILITATOR_FIELDS: tuple[Field, ...] = (
    Field("name", "ชื่อ-สกุล", "Name", 24, "", "ต้องกรอก", "required"),
    Field(ORGANISATION, "หน่วยงานหรือองค์กรชุมชน", "Agency or community organisation", 28),
    Field(AMPHOE, "อำเภอ", "District (amphoe)", 26, "list:amphoe"),
    Field(TAMBON, "ตำบล", "Subdistrict (tambon)", 24, "tambon", "ว่าง = ทั้งอำเภอ", "blank = the whole amphoe"),
    Field(MOO, "หมู่ที่", "Village no. (moo)", 9, "moo", "ว่าง = ทั้งตำบล", "blank = the whole tambon"),
    Field(SERVES, "พื้นที่อื่นที่ดูแล (ชื่อหรือรหัส)", "Other areas served (names or codes)", 30, "",
          "เช่น ต.ท่างิ้ว, 80010203", "e.g. ต.ท่างิ้ว, 80010203"),
    Field(f"{SKILLS}_1", "ทักษะ (ด้าน) 1", "Skill (sector) 1", 18, "list:sector"),
    Field(f"{SKILLS}_2", "ทักษะ (ด้าน) 2", "Skill (sector) 2", 18, "list:sector"),
    Field(f"{SKILLS}_3", "ทักษะ (ด้าน) 3", "Skill (sector) 3", 18, "list:sector"),
    Field(MANAGEMENT_UNIT, *_label(MANAGEMENT_UNIT), 22),
    Field(CONTACT, "ติดต่อ (โทร/ไลน์)", "Contact (phone/Line)", 18, "", "ไม่ออกในผลลัพธ์ถ้าไม่สั่ง",
          "kept out of outputs unless asked"),
)

def tier_choices() -> list[str]:
    """The tier dropdown: Thai labels."""
    return [th for th, _ in TIERS.values()]


def layer_choices() -> list[str]:
    """The budget-layer dropdown: "1 ยุทธศาสตร์จังหวัด" …"""
    return list(BUDGET_LAYERS_SHORT.values())


def year_choices(year: int) -> list[int]:
    """Fiscal years offered: the year before to three after."""
    return list(range(year - 1, year + 4))


def amphoe_choices(tambons: gpd.GeoDataFrame) -> list[str]:
    """The amphoe dropdown: "8001 เมืองนครศรีธรรมราช" (code first: each amphoe's tambon list is named by it)."""
    amphoes = tambons.drop_duplicates(AMPHOE_CODE).sort_values(AMPHOE_CODE)
    return [f"{c} {n}" for c, n in zip(amphoes[AMPHOE_CODE], amphoes[AMPHOE_TH], strict=True)]
