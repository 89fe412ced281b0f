"""Canonical column names, layer names and Thai/English labels, defined once.

Every module reads its column names from here, so that a layer written by one
stage is read by the next without renaming. Codes are DOPA administrative
codes held as strings: province 2 digits, amphoe 4, tambon 6, village 8
(tambon code + 2-digit หมู่ number).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from planmap_gis._errors import PlanmapError

# --- administrative codes ---------------------------------------------------
PROVINCE_CODE: Final = "province_code"
AMPHOE_CODE: Final = "amphoe_code"
TAMBON_CODE: Final = "tambon_code"
VILLAGE_CODE: Final = "village_code"

CODE_LENGTH: Final[dict[str, int]] = {
    PROVINCE_CODE: 2,
    AMPHOE_CODE: 4,
    TAMBON_CODE: 6,
    VILLAGE_CODE: 8,
}
#: Level name → its code column, for the levels results are measured at.
LEVEL_KEYS: Final[dict[str, str]] = {"village": VILLAGE_CODE, "tambon": TAMBON_CODE, "amphoe": AMPHOE_CODE}
#: Level name → digits of its DOPA code; and back (a code's length says its level).
LEVEL_LENGTH: Final[dict[str, int]] = {"province": 2, **{lv: CODE_LENGTH[key] for lv, key in LEVEL_KEYS.items()}}
LEVEL_OF_LENGTH: Final[dict[int, str]] = {n: lv for lv, n in LEVEL_LENGTH.items()}


def level_key(level: str) -> str:
    """The code column of a level ("village", "tambon", "amphoe")."""
    if level not in LEVEL_KEYS:
        raise PlanmapError(f"level must be one of {tuple(LEVEL_KEYS)}, got {level!r}.")
    return LEVEL_KEYS[level]


#: A tambon's stand-in village, when no register is given, is coded <tambon>00 (no หมู่ is numbered 0).
STAND_IN: Final = "00"


def stand_ins(codes: Any) -> np.ndarray:
    """True where a village code is a tambon's stand-in (a plan without a village register)."""
    return np.asarray(pd.Index(codes).astype(str).str.endswith(STAND_IN), dtype=bool)


# --- names ------------------------------------------------------------------
PROVINCE_TH: Final = "province_th"
PROVINCE_EN: Final = "province_en"
AMPHOE_TH: Final = "amphoe_th"
AMPHOE_EN: Final = "amphoe_en"
TAMBON_TH: Final = "tambon_th"
TAMBON_EN: Final = "tambon_en"
VILLAGE_TH: Final = "village_th"

GEOMETRY: Final = "geometry"

#: The tambon layer every loader returns, in this order.
TAMBON_COLUMNS: Final[tuple[str, ...]] = (
    TAMBON_CODE,
    AMPHOE_CODE,
    PROVINCE_CODE,
    TAMBON_TH,
    TAMBON_EN,
    AMPHOE_TH,
    AMPHOE_EN,
    PROVINCE_TH,
    PROVINCE_EN,
    GEOMETRY,
)

AMPHOE_COLUMNS: Final[tuple[str, ...]] = (
    AMPHOE_CODE,
    PROVINCE_CODE,
    AMPHOE_TH,
    AMPHOE_EN,
    PROVINCE_TH,
    PROVINCE_EN,
    "n_tambon",
    GEOMETRY,
)

PROVINCE_COLUMNS: Final[tuple[str, ...]] = (
    PROVINCE_CODE,
    PROVINCE_TH,
    PROVINCE_EN,
    "n_amphoe",
    "n_tambon",
    GEOMETRY,
)

# --- villages ---------------------------------------------------------------
MOO: Final = "moo"
HOUSEHOLDS: Final = "households"
POPULATION: Final = "population"
POINT: Final = "point"
AREA_METHOD: Final = "area_method"

#: Village points as read (geometry is the point).
VILLAGE_POINT_COLUMNS: Final[tuple[str, ...]] = (
    VILLAGE_CODE,
    MOO,
    VILLAGE_TH,
    TAMBON_CODE,
    HOUSEHOLDS,
    POPULATION,
    GEOMETRY,
)

#: How a village area was obtained.
AREA_METHODS: Final[dict[str, str]] = {
    "thiessen": "Thiessen polygon of the village point, clipped to its tambon",
    "tambon": "the only village of its tambon: the whole tambon",
    "given": "polygon supplied by the user",
    "none": "no area: no usable point or unknown tambon (see the report)",
}

# --- projects ---------------------------------------------------------------
PROJECT_ID: Final = "project_id"
NAME_TH: Final = "name_th"
NAME_EN: Final = "name_en"
AGENCY: Final = "agency"
TIER: Final = "tier"
BUDGET_LAYER: Final = "budget_layer"
STRATEGY: Final = "strategy"
SECTOR: Final = "sector"
FISCAL_YEAR: Final = "fiscal_year"
BUDGET: Final = "budget_thb"
STATUS: Final = "status"
MANAGEMENT_UNIT: Final = "management_unit"
FACILITATOR: Final = "facilitator"
AREA_CODES: Final = "area_codes"
AREA_SHARES: Final = "area_shares"
PRECISION: Final = "location_precision"
SOURCE_FILE: Final = "source_file"
SOURCE_SHEET: Final = "source_sheet"
SOURCE_ROW: Final = "source_row"
#: Master-plan needs: the rank a village gave a need, its words, whether a project meets it and which.
RANK: Final = "rank"
NEED_TH: Final = "need_th"
MET: Final = "met"
MET_BY: Final = "met_by"
#: Facilitator register columns beyond the shared ones.
ORGANISATION: Final = "organisation"
CONTACT: Final = "contact"
SKILLS: Final = "skills"

#: The canonical project table, in this order. ``area_codes`` is a list of DOPA
#: codes of any level; ``area_shares`` None or a list of budget shares (0–1) aligned
#: to it; ``geometry`` the footprint (EPSG:4326) or None.
PROJECT_COLUMNS: Final[tuple[str, ...]] = (
    PROJECT_ID, NAME_TH, NAME_EN, AGENCY, TIER, BUDGET_LAYER, STRATEGY, SECTOR, FISCAL_YEAR,
    BUDGET, STATUS, MANAGEMENT_UNIT, FACILITATOR, AREA_CODES, AREA_SHARES, PRECISION,
    SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW, GEOMETRY,
)

#: Project status words offered by the template (any other text is kept as written).
PROJECT_STATUSES: Final[tuple[str, ...]] = ("วางแผน", "อนุมัติแล้ว", "กำลังดำเนินการ", "แล้วเสร็จ", "ยกเลิก")

#: Location precision, finest first: a footprint, then the level of the coarsest listed area.
PRECISIONS: Final[tuple[str, ...]] = ("exact", "village", "tambon", "amphoe", "province")
#: Allocation rows reached through these precisions come from blanket programmes (a whole province
#: or amphoe): they reach every village on paper and do not *target* it. One rule for every count of
#: "villages with no project" (atlas, summary, matrix, tables, web map) and for facilitator load.
BLANKET_PRECISIONS: Final[tuple[str, ...]] = ("province", "amphoe")
NO_PROJECT_RULE: Final[tuple[str, str]] = (
    "ไม่มีโครงการที่ระบุพื้นที่ถึงหมู่บ้าน/ตำบล (ไม่นับโครงการที่ครอบคลุมทั้งจังหวัดหรือทั้งอำเภอ)",
    "no project targets it (province- and amphoe-wide programmes not counted)")
#: Why a figure or a theme is not shown, and what data would make it: (English, Thai).
NEEDS_HOUSEHOLDS: Final[tuple[str, str]] = (
    "needs households per village: give --villages (a register with ครัวเรือน)",
    "ต้องมีจำนวนครัวเรือนรายหมู่บ้าน: ระบุ --villages (ทะเบียนหมู่บ้านที่มีครัวเรือน)")
NEEDS_INDICATORS: Final[tuple[str, str]] = (
    "needs community-strength indicators: give --indicators",
    "ต้องมีตัวชี้วัดความเข้มแข็งของชุมชน: ระบุ --indicators")
#: Inferential figures (hot and cold spots, the spatial Gini's test, the bootstrap intervals of the
#: concentration index and of equity changes) need this many villages with a non-zero value …
MIN_NONZERO: Final = 30
#: … making at least this share of the villages (hot spots and the spatial Gini). Below it zeros
#: beside zeros read as "significantly low" and resamples are mostly empty: the figure is not
#: given and the outputs say why (simulation in tests/test_hotspots.py).
MIN_NONZERO_SHARE: Final = 0.1
#: A village reached by less than this share of a project (a line drawn along a shared border, a
#: polygon's sliver) is not *targeted* by it, whatever the budget; nor by less than one baht.
MIN_TARGET_SHARE: Final = 1e-6
MIN_TARGET_THB: Final = 1.0
#: The coverage tables' count of projects that target a unit under that rule.
N_TARGETED: Final = "n_targeted_projects"

# --- indicators -------------------------------------------------------------
UNIT_CODE: Final = "unit_code"
LEVEL: Final = "level"
KCHCH2C: Final = "kchch2c_level"
STRENGTH: Final = "strength_index"
STRENGTH_CLASS: Final = "strength_class"
STRENGTH_CLASS_TH: Final = "strength_class_th"
#: Strength classes, weakest first: code → (Thai, English).
STRENGTH_CLASSES: Final[dict[str, tuple[str, str]]] = {
    "weak": ("อ่อน", "weak"),
    "moderate": ("ปานกลาง", "moderate"),
    "strong": ("เข้มแข็ง", "strong"),
}

# --- report -----------------------------------------------------------------
PROBLEM_COLUMNS: Final[tuple[str, ...]] = (
    "file",
    "sheet",
    "row",
    "column",
    "value",
    "severity",
    "message_th",
    "message_en",
)
#: error: the row was rejected; warning: loaded but needs attention;
#: info: loaded, and a value was changed by a documented rule.
SEVERITIES: Final[tuple[str, ...]] = ("error", "warning", "info")

# --- layer names (GeoPackage workspace, maps) -------------------------------
LAYER_TAMBON: Final = "tambon"
LAYER_AMPHOE: Final = "amphoe"
LAYER_PROVINCE: Final = "province"
LAYER_VILLAGES: Final = "villages"
LAYER_PROJECTS: Final = "projects"

#: Thai and English labels for levels and columns, shared by maps, atlas and tables.
LABELS: Final[dict[str, tuple[str, str]]] = {
    LAYER_PROVINCE: ("จังหวัด", "Province"),
    LAYER_AMPHOE: ("อำเภอ", "District (amphoe)"),
    LAYER_TAMBON: ("ตำบล", "Subdistrict (tambon)"),
    LAYER_VILLAGES: ("หมู่บ้าน", "Village (muban)"),
    HOUSEHOLDS: ("ครัวเรือน", "Households"),
    POPULATION: ("ประชากร", "Population"),
    MOO: ("หมู่ที่", "Moo"),
    PROJECT_ID: ("รหัสโครงการ", "Project ID"),
    NAME_TH: ("ชื่อโครงการ", "Project name (Thai)"),
    NAME_EN: ("ชื่อโครงการ (อังกฤษ)", "Project name (English)"),
    AGENCY: ("หน่วยงาน", "Agency"),
    TIER: ("ระดับหน่วยงาน", "Tier"),
    BUDGET_LAYER: ("ชั้นงบประมาณ", "Budget layer"),
    STRATEGY: ("ยุทธศาสตร์", "Strategy"),
    SECTOR: ("ด้าน", "Sector"),
    FISCAL_YEAR: ("ปีงบประมาณ", "Fiscal year (BE)"),
    BUDGET: ("งบประมาณ (บาท)", "Budget (THB)"),
    STATUS: ("สถานะ", "Status"),
    MANAGEMENT_UNIT: ("หน่วยจัดการ", "Management unit"),
    FACILITATOR: ("คุณอำนวย", "Facilitator"),
    AREA_CODES: ("พื้นที่ดำเนินการ", "Areas"),
    PRECISION: ("ความละเอียดตำแหน่ง", "Location precision"),
    STRENGTH: ("ดัชนีความเข้มแข็ง", "Strength index"),
    STRENGTH_CLASS: ("ระดับความเข้มแข็ง", "Strength class"),
    KCHCH2C: ("ระดับ กชช.2ค", "KChCh 2C level"),
}

#: Budget layers of the "layer cake" (issue 3 builds on these).
BUDGET_LAYERS: Final[dict[int, tuple[str, str]]] = {
    1: ("ยุทธศาสตร์ชาติ/จังหวัด (งบผู้ว่าฯ ซีอีโอ)", "National strategy via the governor"),
    2: ("กระทรวง กรม (ส่วนกลาง/ส่วนภูมิภาค)", "Functional ministries"),
    3: ("องค์กรปกครองส่วนท้องถิ่น (อปท.)", "Local government"),
    4: ("งบตรงถึงชุมชน (กองทุนหมู่บ้าน/SML, คพพ.)", "Direct to communities"),
}

#: Sectors (ด้าน) projects and master plans share: Thai → (English, other names read as it).
SECTORS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "เกษตร": ("Agriculture", ("การเกษตร", "agriculture", "farming", "เกษตรกรรม")),
    "แหล่งน้ำ": ("Water resources", ("น้ำ", "water", "การบริหารจัดการน้ำ", "ทรัพยากรน้ำ")),
    "การท่องเที่ยว": ("Tourism", ("ท่องเที่ยว", "tourism")),
    "เศรษฐกิจชุมชน": ("Community economy", ("เศรษฐกิจ", "อาชีพ", "รายได้", "economy", "livelihood")),
    "โครงสร้างพื้นฐาน": ("Infrastructure", ("ถนน", "infrastructure", "roads")),
    "สาธารณสุข": ("Health", ("สุขภาพ", "health")),
    "การศึกษา": ("Education", ("education",)),
    "สังคม": ("Social", ("social", "สวัสดิการสังคม")),
    "ความมั่นคง": ("Security", ("security", "ยาเสพติด")),
    "สิ่งแวดล้อม": ("Environment", ("ทรัพยากรธรรมชาติและสิ่งแวดล้อม", "environment")),
}

#: Short Thai labels of the budget layers, for narrow table columns ("2 กระทรวง กรม").
BUDGET_LAYERS_SHORT: Final[dict[int, str]] = {
    1: "1 ยุทธศาสตร์จังหวัด", 2: "2 กระทรวง กรม", 3: "3 อปท.", 4: "4 งบตรงถึงชุมชน",
}

TIERS: Final[dict[str, tuple[str, str]]] = {
    "central": ("ส่วนกลาง", "Central"),
    "regional": ("ส่วนภูมิภาค", "Regional"),
    "local": ("ส่วนท้องถิ่น", "Local"),
    "people": ("ภาคประชาชน", "People's sector"),
}


def label(key: str, lang: str = "th") -> str:
    """Return the Thai or English label of a level or column (the key itself if unknown)."""
    th, en = LABELS.get(key, (key, key))
    return th if lang == "th" else en
