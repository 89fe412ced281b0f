"""The headers a project sheet may carry, by canonical column: Thai and English variants, the
template's own, and the separate area columns. Compared after ``header_key`` (no spaces, dots,
brackets); defined once for the row reader, the template and the desk.
"""

from __future__ import annotations

import re

from planmap_gis._schema import (
    AGENCY,
    AREA_CODES,
    BUDGET,
    BUDGET_LAYER,
    FACILITATOR,
    FISCAL_YEAR,
    LABELS,
    MANAGEMENT_UNIT,
    NAME_EN,
    NAME_TH,
    PROJECT_ID,
    SECTOR,
    STATUS,
    STRATEGY,
    TIER,
)
from planmap_gis.read.area_columns import AREA_PART_HEADERS
from planmap_gis.read.sheets import header_key

__all__ = ["ALIASES", "CODE_IN_HEADER", "CRS_IN_HEADER", "HEADERS", "LAT", "LON", "PERCENTAGES",
           "PERCENT_TOLERANCE", "TEMPLATE_HEADERS", "WKT"]

LAT, LON, WKT = "lat", "lon", "wkt"
#: Optional column of budget percentages aligned to the listed areas ("60, 40").
PERCENTAGES = "area_percentages"
#: Percentages summing to 100 within this many points are accepted (rounding).
PERCENT_TOLERANCE = 0.5
#: Header variants recognised, by canonical column (compared after header_key()).
HEADERS: dict[str, tuple[str, ...]] = {
    PROJECT_ID: ("project_id", "รหัสโครงการ", "รหัส", "id", "project code", "project id",
                 "เลขที่โครงการ"),
    NAME_TH: ("name_th", "ชื่อโครงการ", "โครงการ", "project name", "project", "ชื่อโครงการ/กิจกรรม",
              "โครงการ/กิจกรรม", "ชื่อโครงการภาษาไทย"),
    NAME_EN: ("name_en", "ชื่อโครงการ (อังกฤษ)", "project name (english)", "english name",
              "ชื่อภาษาอังกฤษ"),
    AGENCY: ("agency", "หน่วยงาน", "หน่วยงานรับผิดชอบ", "หน่วยงานที่รับผิดชอบ", "หน่วยดำเนินการ",
             "ส่วนราชการ", "responsible agency"),
    TIER: ("tier", "ระดับหน่วยงาน", "ประเภทหน่วยงาน", "ภาคส่วน", "ระดับ"),
    BUDGET_LAYER: ("budget_layer", "ชั้นงบประมาณ", "แหล่งงบประมาณ", "ประเภทงบประมาณ", "แหล่งงบ",
                   "budget layer", "budget source"),
    STRATEGY: ("strategy", "ยุทธศาสตร์", "ประเด็นยุทธศาสตร์", "ยุทธศาสตร์จังหวัด"),
    SECTOR: ("sector", "ด้าน", "สาขา", "ประเด็นการพัฒนา", "แผนงาน"),
    FISCAL_YEAR: ("fiscal_year", "ปีงบประมาณ", "ปีงบ", "ปี", "fy", "year", "fiscal year", "พ.ศ."),
    BUDGET: ("budget_thb", "งบประมาณ", "งบประมาณ (บาท)", "จำนวนเงิน", "จำนวนเงิน (บาท)", "วงเงิน",
             "budget", "amount", "budget (thb)", "งบประมาณที่ได้รับ"),
    STATUS: ("status", "สถานะ", "สถานะโครงการ"),
    MANAGEMENT_UNIT: ("management_unit", "หน่วยจัดการ", "หน่วยจัดการชุมชน", "management unit"),
    FACILITATOR: ("facilitator", "คุณอำนวย", "ผู้อำนวยความสะดวก", "ผู้ประสานงาน"),
    AREA_CODES: ("area_codes", "พื้นที่ดำเนินการ", "พื้นที่", "พื้นที่เป้าหมาย", "สถานที่ดำเนินการ",
                 "areas", "area", "location", "locations", "พื้นที่ดำเนินการ (รหัสหรือชื่อ)"),
    LAT: ("lat", "latitude", "ละติจูด"),
    LON: ("lon", "lng", "longitude", "ลองจิจูด"),
    WKT: ("wkt", "footprint", "รูปร่าง", "footprint wkt"),
    PERCENTAGES: ("area_percentages", "สัดส่วนงบรายพื้นที่ (%)", "สัดส่วนงบรายพื้นที่", "ร้อยละรายพื้นที่",
                  "สัดส่วนพื้นที่ (%)", "location percentage", "location percentages",
                  "locationpercentage", "percentages"),
}
#: The template's own headers of the area list and the footprint (Thai, English): a template sheet
#: copied into another workbook (its stamp lost) reads as a free-form sheet with these headers.
TEMPLATE_HEADERS = {AREA_CODES: ("พื้นที่หลายแห่ง (ชื่อหรือรหัส, ร้อยละ)", "Several areas (names or codes, %)"),
                    WKT: ("รูปร่าง (WKT, EPSG:4326)", "Footprint (WKT, EPSG:4326)")}
ALIASES = {header_key(v): k for k, vs in HEADERS.items() for v in vs}
ALIASES.update({header_key(v): k for k, vs in TEMPLATE_HEADERS.items() for v in vs})
ALIASES.update({header_key(v): k for k, vs in AREA_PART_HEADERS.items() for v in vs})
ALIASES.update({header_key(th): k for k, (th, _) in LABELS.items() if k in HEADERS})
ALIASES.update({header_key(en): k for k, (_, en) in LABELS.items() if k in HEADERS})
CRS_IN_HEADER = re.compile(r"\((?:[^()]*?[,;]\s*)?(EPSG:\d+)\)", re.IGNORECASE)
CODE_IN_HEADER = re.compile(r"[\[(](?:TH)?(\d{2}|\d{4}|\d{6}|\d{8})[\])]\s*$")
