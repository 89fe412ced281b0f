"""Illustrative projects and indicators for the demo: seeded, deterministic, not official.

The agencies are real kinds of Thai government bodies, but every project,
budget, name and number here is invented.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planmap_gis import settings
from planmap_gis._geo import projected
from planmap_gis._schema import (
    AGENCY,
    AMPHOE_CODE,
    AREA_CODES,
    AREA_SHARES,
    BUDGET,
    BUDGET_LAYER,
    FACILITATOR,
    FISCAL_YEAR,
    GEOMETRY,
    HOUSEHOLDS,
    KCHCH2C,
    LEVEL,
    MANAGEMENT_UNIT,
    NAME_EN,
    NAME_TH,
    POPULATION,
    PRECISION,
    PROJECT_COLUMNS,
    PROJECT_ID,
    PROJECT_STATUSES,
    PROVINCE_CODE,
    SECTOR,
    SOURCE_FILE,
    SOURCE_ROW,
    SOURCE_SHEET,
    STATUS,
    STRATEGY,
    TAMBON_CODE,
    TIER,
    UNIT_CODE,
    VILLAGE_CODE,
)

#: (agency, tier, budget layer, sectors it works in, median budget in baht)
AGENCIES: tuple[tuple[str, str, int, tuple[str, ...], float], ...] = (
    ("สำนักงานจังหวัดนครศรีธรรมราช", "regional", 1, ("เศรษฐกิจชุมชน", "การท่องเที่ยว", "โครงสร้างพื้นฐาน"), 4e6),
    ("ที่ทำการปกครองจังหวัด", "regional", 1, ("สังคม", "ความมั่นคง"), 1.5e6),
    ("สำนักงานโยธาธิการและผังเมืองจังหวัด", "regional", 1, ("โครงสร้างพื้นฐาน",), 6e6),
    ("สำนักงานการท่องเที่ยวและกีฬาจังหวัด", "regional", 1, ("การท่องเที่ยว",), 2e6),
    ("กรมชลประทาน (โครงการชลประทานนครศรีธรรมราช)", "central", 2, ("แหล่งน้ำ",), 8e6),
    ("กรมทางหลวงชนบท", "central", 2, ("โครงสร้างพื้นฐาน",), 9e6),
    ("กรมพัฒนาที่ดิน", "central", 2, ("เกษตร", "สิ่งแวดล้อม"), 2e6),
    ("กรมทรัพยากรน้ำ", "central", 2, ("แหล่งน้ำ",), 5e6),
    ("สำนักงานเกษตรจังหวัด", "regional", 2, ("เกษตร",), 8e5),
    ("สำนักงานพัฒนาชุมชนจังหวัด", "regional", 2, ("เศรษฐกิจชุมชน", "สังคม"), 5e5),
    ("สำนักงานสาธารณสุขจังหวัด", "regional", 2, ("สาธารณสุข",), 1.2e6),
    ("สำนักงานเขตพื้นที่การศึกษาประถมศึกษา", "regional", 2, ("การศึกษา",), 1.5e6),
    ("สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด", "regional", 2, ("สังคม",), 6e5),
    ("สำนักงานทรัพยากรธรรมชาติและสิ่งแวดล้อมจังหวัด", "regional", 2, ("สิ่งแวดล้อม",), 1e6),
    ("สำนักงานประมงจังหวัด", "regional", 2, ("เกษตร",), 7e5),
    ("องค์การบริหารส่วนจังหวัดนครศรีธรรมราช", "local", 3, ("โครงสร้างพื้นฐาน", "การศึกษา", "แหล่งน้ำ"), 3e6),
    ("เทศบาลนครนครศรีธรรมราช", "local", 3, ("โครงสร้างพื้นฐาน", "สิ่งแวดล้อม"), 2.5e6),
    ("เทศบาลตำบล (รวม)", "local", 3, ("โครงสร้างพื้นฐาน", "สาธารณสุข", "สังคม"), 8e5),
    ("องค์การบริหารส่วนตำบล (รวม)", "local", 3, ("โครงสร้างพื้นฐาน", "แหล่งน้ำ", "สังคม"), 6e5),
    ("กองทุนหมู่บ้านและชุมชนเมือง (SML)", "people", 4, ("เศรษฐกิจชุมชน",), 2e5),
    ("โครงการหมู่บ้านเศรษฐกิจพอเพียง", "people", 4, ("เศรษฐกิจชุมชน", "เกษตร"), 1.5e5),
    ("สภาองค์กรชุมชนตำบล", "people", 4, ("สังคม", "สิ่งแวดล้อม"), 8e4),
    ("เครือข่ายวิสาหกิจชุมชน", "people", 4, ("เศรษฐกิจชุมชน",), 1.2e5),
    ("คณะกรรมการพัฒนาสตรีหมู่บ้าน", "people", 4, ("สังคม", "สาธารณสุข"), 5e4),
    ("ศูนย์ประสานงานภาคประชาชนจังหวัด", "people", 4, ("สังคม", "เกษตร"), 1e5),
)
STRATEGIES = ("1 เกษตรและอาหารปลอดภัย", "2 การท่องเที่ยวและเศรษฐกิจ", "3 คุณภาพชีวิตและสังคม",
              "4 ทรัพยากรธรรมชาติและสิ่งแวดล้อม")
STRATEGY_OF = {"เกษตร": 0, "แหล่งน้ำ": 0, "การท่องเที่ยว": 1, "เศรษฐกิจชุมชน": 1,
               "โครงสร้างพื้นฐาน": 1, "สาธารณสุข": 2, "การศึกษา": 2, "สังคม": 2, "ความมั่นคง": 2,
               "สิ่งแวดล้อม": 3}
ACTIVITIES = {
    "เกษตร": ("ส่งเสริมการปลูกพืชผสมผสาน", "Integrated farming"),
    "แหล่งน้ำ": ("ขุดลอกคลองและแหล่งน้ำ", "Canal and pond dredging"),
    "การท่องเที่ยว": ("พัฒนาแหล่งท่องเที่ยวชุมชน", "Community tourism"),
    "เศรษฐกิจชุมชน": ("พัฒนาผลิตภัณฑ์ชุมชน", "Community products"),
    "โครงสร้างพื้นฐาน": ("ก่อสร้างถนนคอนกรีตเสริมเหล็ก", "Concrete road"),
    "สาธารณสุข": ("คัดกรองและเยี่ยมบ้านผู้สูงอายุ", "Elderly screening and home visits"),
    "การศึกษา": ("ปรับปรุงศูนย์พัฒนาเด็กเล็ก", "Child development centre"),
    "สังคม": ("เสริมสร้างความเข้มแข็งครอบครัว", "Family strengthening"),
    "ความมั่นคง": ("หมู่บ้านปลอดยาเสพติด", "Drug-free village"),
    "สิ่งแวดล้อม": ("ปลูกป่าชายเลนและจัดการขยะ", "Mangrove planting and waste"),
}
STATUSES = PROJECT_STATUSES[:4]
_FIRST = ("สมชาย", "สมศรี", "อนงค์", "ประเสริฐ", "วิไล", "สุนทร", "มาลี", "ชัยวัฒน์", "จันทร์เพ็ญ", "บุญมี")
_LAST = ("ใจดี", "ทองคำ", "ศรีสุข", "แก้วมณี", "บุญมา", "รักษ์ดี", "มีสุข", "พรหมทอง")


def demo_projects(
    tambons: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, *, n: int = 300, seed: int | None = None
) -> gpd.GeoDataFrame:
    """About ``n`` illustrative projects in the canonical project table (EPSG:4326).

    Location kinds, roughly: 14 % point footprints, 8 % line footprints (roads,
    canals), 36 % tambon lists, 27 % village lists, 10 % whole amphoe, 5 % the
    whole province. Every tier and every budget layer is represented.
    """
    rng = np.random.default_rng((settings.seed if seed is None else seed) + 1)
    tambon_codes = tambons[TAMBON_CODE].to_numpy()
    amphoe_codes = np.unique(tambons[AMPHOE_CODE])
    province = str(tambons[PROVINCE_CODE].iloc[0])
    by_tambon = villages.groupby(TAMBON_CODE)[VILLAGE_CODE].apply(list)
    metric = projected(tambons.set_index(TAMBON_CODE).geometry)
    kinds = rng.choice(["point", "line", "tambon", "village", "amphoe", "province"], size=n,
                       p=[0.14, 0.08, 0.36, 0.27, 0.10, 0.05])
    facilitators = [f"{_FIRST[i % 10]} {_LAST[(i * 3) % 8]}" for i in range(24)]
    rows = []
    for i, kind in enumerate(kinds.tolist()):
        agency, tier, layer, sectors, median = AGENCIES[i % len(AGENCIES)]
        sector = sectors[int(rng.integers(len(sectors)))]
        tambon = str(rng.choice(tambon_codes))
        geometry, codes = None, []
        if kind == "point":
            geometry = _inside(metric[tambon], rng)
        elif kind == "line":
            start = _inside(metric[tambon], rng)
            angle, length = rng.uniform(0, np.pi), rng.uniform(1500, 6000)
            end = (start.x + length * np.cos(angle), start.y + length * np.sin(angle))
            geometry = shapely.LineString([(start.x, start.y), (start.x + length / 2 * np.cos(angle + 0.3),
                                           start.y + length / 2 * np.sin(angle + 0.3)), end])
        elif kind == "tambon":
            same = tambon_codes[np.char.startswith(tambon_codes.astype(str), tambon[:4])]
            codes = sorted(rng.choice(same, size=min(len(same), int(rng.integers(1, 5))), replace=False).tolist())
        elif kind == "village":
            pool = by_tambon[tambon]
            codes = sorted(rng.choice(pool, size=min(len(pool), int(rng.integers(1, 6))), replace=False).tolist())
        elif kind == "amphoe":
            codes = [str(rng.choice(amphoe_codes))]
        else:
            codes = [province]
        budget = float(np.round(median * rng.lognormal(0, 0.6) * (2.5 if kind in ("amphoe", "province") else 1), -3))
        activity_th, activity_en = ACTIVITIES[sector]
        rows.append({
            PROJECT_ID: f"P{2569}-{i + 1:04d}", NAME_TH: f"โครงการ{activity_th} {i + 1}",
            NAME_EN: f"{activity_en} {i + 1}", AGENCY: agency, TIER: tier, BUDGET_LAYER: layer,
            STRATEGY: STRATEGIES[STRATEGY_OF[sector]], SECTOR: sector,
            FISCAL_YEAR: int(rng.choice([2568, 2569, 2569, 2569, 2570])), BUDGET: budget,
            STATUS: str(rng.choice(STATUSES)), MANAGEMENT_UNIT: f"หน่วยจัดการอำเภอ {tambon[:4]}",
            FACILITATOR: facilitators[int(rng.integers(len(facilitators)))],
            AREA_CODES: codes, AREA_SHARES: None,
            PRECISION: "exact" if geometry is not None else kind, SOURCE_FILE: "demo",
            SOURCE_SHEET: None, SOURCE_ROW: i + 1, GEOMETRY: geometry,
        })
    frame = gpd.GeoDataFrame(rows, geometry=GEOMETRY, crs=settings.analysis_crs).to_crs(settings.data_crs)
    for col in (BUDGET_LAYER, FISCAL_YEAR, SOURCE_ROW):
        frame[col] = frame[col].astype("Int64")
    return frame[list(PROJECT_COLUMNS)]


def _inside(polygon: shapely.Geometry, rng: np.random.Generator) -> shapely.Point:
    x0, y0, x1, y1 = polygon.bounds
    while True:
        point = shapely.Point(rng.uniform(x0, x1), rng.uniform(y0, y1))
        if polygon.contains(point):
            return point


def demo_indicators(villages: gpd.GeoDataFrame, *, seed: int | None = None) -> pd.DataFrame:
    """Village indicators: five BMN category pass rates (0–1) and the กชช.2ค level (1–3).

    A latent strength rises towards the provincial capital (the province's
    first amphoe) with village-level noise, so that the demo has a spatial
    pattern to find. Indexed by ``unit_code`` like :func:`read_indicators`.
    """
    rng = np.random.default_rng((settings.seed if seed is None else seed) + 2)
    xy = projected(villages.geometry)
    capital = xy[villages[TAMBON_CODE].str.endswith("0101").to_numpy()]
    centre = capital.union_all().centroid if len(capital) else xy.union_all().centroid
    distance_km = xy.distance(centre).to_numpy() / 1000
    latent = 1.0 - distance_km / max(distance_km.max(), 1) * 1.6 + rng.normal(0, 0.55, len(villages))
    frame = pd.DataFrame(index=pd.Index(villages[VILLAGE_CODE].to_numpy(), name=UNIT_CODE))
    frame[LEVEL] = "village"
    for j, col in enumerate(("bmn_health", "bmn_environment", "bmn_education", "bmn_income", "bmn_values")):
        base = (1.6, 1.0, 1.2, 0.2, 2.0)[j]
        logit = base + 0.9 * latent + rng.normal(0, 0.35, len(villages))
        frame[col] = np.round(1 / (1 + np.exp(-logit)), 3)
    frame[KCHCH2C] = np.clip(np.digitize(latent + rng.normal(0, 0.3, len(villages)), [-0.1, 0.7]) + 1, 1, 3)
    frame[HOUSEHOLDS] = villages[HOUSEHOLDS].to_numpy().astype(float)
    frame[POPULATION] = villages[POPULATION].to_numpy().astype(float)
    return frame


#: What a village writes in its master plan, by sector (illustrative).
NEEDS_TH = {
    "เกษตร": "ส่งเสริมเกษตรผสมผสานและลดต้นทุนการผลิต",
    "แหล่งน้ำ": "ขาดแคลนน้ำในฤดูแล้ง ต้องการขุดลอกแหล่งน้ำ",
    "การท่องเที่ยว": "พัฒนาแหล่งท่องเที่ยวชุมชน",
    "เศรษฐกิจชุมชน": "สร้างอาชีพเสริมและเพิ่มรายได้ครัวเรือน",
    "โครงสร้างพื้นฐาน": "ถนนในหมู่บ้านชำรุด",
    "สาธารณสุข": "ดูแลผู้สูงอายุและผู้ป่วยติดเตียง",
    "การศึกษา": "ปรับปรุงศูนย์พัฒนาเด็กเล็ก",
    "สังคม": "เสริมสร้างความเข้มแข็งของครอบครัว",
    "ความมั่นคง": "ป้องกันยาเสพติดในหมู่บ้าน",
    "สิ่งแวดล้อม": "จัดการขยะและน้ำเสีย",
}
#: Which BMN category raises the weight of which sectors when it is low.
_NEED_DRIVERS = {"bmn_health": ("สาธารณสุข",), "bmn_environment": ("แหล่งน้ำ", "สิ่งแวดล้อม"),
                 "bmn_education": ("การศึกษา",), "bmn_income": ("เศรษฐกิจชุมชน", "เกษตร"),
                 "bmn_values": ("สังคม", "ความมั่นคง")}


def demo_master_plans(indicators: pd.DataFrame, *, seed: int | None = None) -> pd.DataFrame:
    """Illustrative village master plans: 3–5 ranked needs per village.

    Sectors are drawn without replacement, weighted towards the BMN categories
    the village passes least (low health → สาธารณสุข, low income → เศรษฐกิจชุมชน
    and เกษตร, …). Same columns as :func:`~planmap_gis.read_master_plans`.
    """
    rng = np.random.default_rng((settings.seed if seed is None else seed) + 3)
    sectors = list(NEEDS_TH)
    rows = []
    for row_number, (code, rec) in enumerate(indicators.iterrows()):
        weight = np.full(len(sectors), 0.6)
        weight[sectors.index("โครงสร้างพื้นฐาน")] = 1.5
        for column, driven in _NEED_DRIVERS.items():
            for sector in driven:
                weight[sectors.index(sector)] += 3.0 * (1 - float(rec.get(column, 0.8)))
        n = int(rng.integers(3, 6))
        chosen = rng.choice(len(sectors), size=n, replace=False, p=weight / weight.sum())
        for rank, j in enumerate(chosen, start=1):
            rows.append({UNIT_CODE: str(code), LEVEL: "village", SECTOR: sectors[j], "rank": rank,
                         "need_th": NEEDS_TH[sectors[j]], "source_row": row_number + 1})
    return pd.DataFrame(rows)


#: Where illustrative facilitators work (agency or community organisation).
_ORGANISATIONS = ("สำนักงานพัฒนาชุมชนอำเภอ", "โรงพยาบาลส่งเสริมสุขภาพตำบล", "ศูนย์ส่งเสริมการเรียนรู้อำเภอ (กศน.)",
                  "สภาองค์กรชุมชนตำบล", "สำนักงานเกษตรอำเภอ", "วิสาหกิจชุมชน", "องค์การบริหารส่วนตำบล")


def demo_facilitators(tambons: gpd.GeoDataFrame, *, n: int = 60, seed: int | None = None) -> pd.DataFrame:
    """An illustrative facilitator (คุณอำนวย) register, as :func:`~planmap_gis.read_facilitators` returns it.

    The 24 facilitators the demo projects name and 36 more from community organisations; one in
    five serves a whole amphoe, the others two to four tambon of one amphoe; one to three skills
    (sectors) each. No contact (the demo sheet writes placeholders, which reading leaves out).
    """
    rng = np.random.default_rng((settings.seed if seed is None else seed) + 4)
    by_amphoe = tambons.sort_values(TAMBON_CODE).groupby(AMPHOE_CODE)[TAMBON_CODE].apply(list)
    sectors = list(ACTIVITIES)
    rows = []
    for i in range(n):
        amphoe = str(rng.choice(by_amphoe.index))
        own = by_amphoe[amphoe]
        if rng.random() < 0.2:
            areas = [amphoe]
        else:
            start = int(rng.integers(len(own)))
            areas = [own[(start + k) % len(own)] for k in range(min(len(own), int(rng.integers(2, 5))))]
        skills = [sectors[j] for j in rng.choice(len(sectors), size=int(rng.integers(1, 4)), replace=False)]
        # (i % 10, 3i % 8) runs through the 40 same-parity name pairs; + 1 through the other 40.
        rows.append({FACILITATOR: f"{_FIRST[i % 10]} {_LAST[(i * 3 + i // 40) % 8]}",
                     "organisation": _ORGANISATIONS[int(rng.integers(len(_ORGANISATIONS)))],
                     AREA_CODES: sorted(areas), "skills": skills, MANAGEMENT_UNIT: f"หน่วยจัดการอำเภอ {amphoe}",
                     SOURCE_FILE: "demo", SOURCE_ROW: i + 1})
    return pd.DataFrame(rows)
