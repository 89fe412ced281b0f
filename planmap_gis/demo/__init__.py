"""Illustrative demo data, seeded and deterministic. NOT official data.

:func:`load` uses the real Nakhon Si Thammarat tambon layer (from the national
layer packaged with planmap-gis, or a fetched copy); ``fictional=True`` gives a
small built-in synthetic province with an obviously fictional name, placed in
the Gulf of Thailand so it can never be mistaken for real land (for tests). Villages (points,
households, population) are always generated: counts per tambon roughly
proportional to area, at least 3 each, about 1,550 for the real province.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planmap_gis import settings
from planmap_gis._geo import projected
from planmap_gis._schema import (
    AMPHOE_CODE,
    AMPHOE_EN,
    AMPHOE_TH,
    GEOMETRY,
    HOUSEHOLDS,
    MOO,
    POPULATION,
    PROVINCE_CODE,
    PROVINCE_EN,
    PROVINCE_TH,
    TAMBON_CODE,
    TAMBON_COLUMNS,
    TAMBON_EN,
    TAMBON_TH,
    VILLAGE_CODE,
    VILLAGE_POINT_COLUMNS,
    VILLAGE_TH,
)
from planmap_gis.demo.projects import (
    demo_facilitators,
    demo_indicators,
    demo_master_plans,
    demo_projects,
)
from planmap_gis.demo.proposals import demo_caps, demo_proposals
from planmap_gis.demo.sheets import (
    write_facilitator_sheet,
    write_indicator_sheet,
    write_long_sheet,
    write_master_plan_sheet,
    write_village_register,
    write_wide_sheet,
)
from planmap_gis.read.boundaries import read_boundaries
from planmap_gis.read.sources import national_layer

__all__ = ["DemoData", "demo_facilitators", "demo_indicators", "demo_master_plans", "demo_caps", "demo_projects", "demo_proposals", "demo_villages", "load",
           "synthetic_province", "write_demo_sheets"]

log = logging.getLogger("planmap_gis")

NOTE_TH = "ข้อมูลสมมุติเพื่อการสาธิต ไม่ใช่ข้อมูลทางราชการ"
NOTE_EN = "Illustrative demo data, not official statistics"
#: The demo's province: Nakhon Si Thammarat (DOPA 80), the reference province.
DEMO_PROVINCE = "80"
FICTIONAL_PROVINCE = ("99", "ศรีสมมุติ (จังหวัดสมมุติ)", "Si Sommut (fictional province)")
#: Villages per tambon in Nakhon Si Thammarat: about 1,550 / 170.
VILLAGES_PER_TAMBON = 1550 / 170
_SYLLABLES_TH = ("นา", "ควน", "ทุ่ง", "เขา", "คลอง", "หนอง", "ท่า", "โพธิ์", "ไม้", "ใหม่", "ยาง",
                 "ทอง", "หาด", "ปาก", "บาง", "ดอน", "สวน", "ห้วย", "ลาน", "วัง", "กลาง", "หลวง")
_SYLLABLES_EN = ("Na", "Khuan", "Thung", "Khao", "Khlong", "Nong", "Tha", "Pho", "Mai", "Mai",
                 "Yang", "Thong", "Hat", "Pak", "Bang", "Don", "Suan", "Huai", "Lan", "Wang",
                 "Klang", "Luang")


@dataclass(frozen=True)
class DemoData:
    """The demo dataset.

    Attributes
    ----------
    tambons : GeoDataFrame
        Canonical tambon layer (EPSG:4326).
    villages : GeoDataFrame
        Village points, columns ``VILLAGE_POINT_COLUMNS`` (EPSG:4326).
    projects : GeoDataFrame
        About 300 illustrative projects from 25 agencies, all four tiers and
        budget layers (canonical project table).
    indicators : DataFrame
        Village BMN pass rates and กชช.2ค levels, indexed by ``unit_code``.
    boundary_source : str
        The boundary file used, or ``"synthetic"``.
    fictional : bool
        True when the built-in fictional province is used.
    note_th, note_en : str
        The "illustrative data" label every output must carry.
    master_plans : DataFrame
        3–5 ranked needs per village (see :func:`demo_master_plans`).
    facilitators : DataFrame
        An illustrative facilitator register (see :func:`demo_facilitators`).
    proposals : GeoDataFrame
        An illustrative round of 60 proposals for fiscal year 2570 (see
        :func:`~planmap_gis.demo.proposals.demo_proposals`), to screen against the plan.
    caps : dict
        The demo's budget caps per layer for the suggested set (:func:`~planmap_gis.demo.proposals.demo_caps`).
    """

    tambons: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame
    projects: gpd.GeoDataFrame
    indicators: pd.DataFrame
    boundary_source: str
    fictional: bool
    note_th: str = NOTE_TH
    note_en: str = NOTE_EN
    master_plans: pd.DataFrame | None = None
    facilitators: pd.DataFrame | None = None
    proposals: gpd.GeoDataFrame | None = None
    caps: dict | None = None

    @property
    def province_th(self) -> str:
        """Thai name of the demo province."""
        return str(self.tambons[PROVINCE_TH].iloc[0])


def load(
    *, boundaries: str | Path | None = None, seed: int | None = None, fictional: bool = False,
    province: str = DEMO_PROVINCE,
) -> DemoData:
    """Build the demo dataset.

    Parameters
    ----------
    boundaries : str or Path, optional
        A tambon layer to use; by default the national layer (packaged with
        planmap-gis, or a fetched copy) cut to ``province``.
    seed : int, optional
        Random seed; ``settings.seed`` by default. Same seed, same data.
    fictional : bool, default False
        Use the small built-in fictional province instead (tests, teaching).
    province : str, default "80"
        The province of the demo (code or name), Nakhon Si Thammarat by default.
    """
    seed = settings.seed if seed is None else seed
    if fictional:
        tambons, source = synthetic_province(seed=seed), "synthetic"
    elif boundaries:
        tambons, source = read_boundaries(boundaries)[0], str(boundaries)
    else:
        path, described = national_layer()
        tambons, source = read_boundaries(path, province=province)[0], described
    villages = demo_villages(tambons, seed=seed)
    projects = demo_projects(tambons, villages, seed=seed)
    indicators = demo_indicators(villages, seed=seed)
    proposals = demo_proposals(tambons, villages, projects, indicators, seed=seed)
    return DemoData(tambons, villages, projects, indicators, source, fictional,
                    master_plans=demo_master_plans(indicators, seed=seed),
                    facilitators=demo_facilitators(tambons, seed=seed), proposals=proposals,
                    caps=demo_caps(proposals))


def _allocate_counts(areas: np.ndarray, total: int, minimum: int) -> np.ndarray:
    """Integer counts proportional to area, each at least ``minimum``, summing to ``total``."""
    total = max(total, minimum * len(areas))
    spare = total - minimum * len(areas)
    quota = spare * areas / areas.sum()
    counts = np.floor(quota).astype(int)
    remainder = spare - counts.sum()
    counts[np.argsort(-(quota - counts), kind="stable")[:remainder]] += 1  # largest remainders
    return counts + minimum


def _random_points(polygon: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` uniform random points inside a polygon (rejection sampling), as an (n, 2) array."""
    x0, y0, x1, y1 = polygon.bounds
    shapely.prepare(polygon)
    found = np.empty((0, 2))
    while len(found) < n:
        batch = rng.uniform((x0, y0), (x1, y1), size=(max(4 * n, 16), 2))
        found = np.vstack([found, batch[shapely.contains_xy(polygon, batch[:, 0], batch[:, 1])]])
    return found[:n]


def _name(rng: np.random.Generator) -> str:
    a, b = rng.choice(len(_SYLLABLES_TH), size=2, replace=False)
    return f"บ้าน{_SYLLABLES_TH[a]}{_SYLLABLES_TH[b]}"


def demo_villages(
    tambons: gpd.GeoDataFrame,
    *,
    per_tambon: float = VILLAGES_PER_TAMBON,
    minimum: int = 3,
    seed: int | None = None,
) -> gpd.GeoDataFrame:
    """Illustrative village points for a tambon layer.

    Parameters
    ----------
    tambons : GeoDataFrame
        Canonical tambon layer.
    per_tambon : float
        Mean villages per tambon (total = round(per_tambon × n tambon), fewer where a large
        tambon would pass 99: village numbers have two digits).
    minimum : int
        Fewest villages in any tambon.
    seed : int, optional
        Random seed; ``settings.seed`` by default.

    Returns
    -------
    GeoDataFrame
        Columns ``VILLAGE_POINT_COLUMNS``, sorted by ``village_code``, points in
        EPSG:4326. Households are log-normal around 180 (at least 25);
        population is 2.7–3.6 persons per household.
    """
    rng = np.random.default_rng(settings.seed if seed is None else seed)
    ordered = tambons.sort_values(TAMBON_CODE).reset_index(drop=True)
    metric = projected(ordered.geometry)
    # Village numbers (หมู่ที่) have two digits: at most 99 in a tambon, however large it is.
    counts = np.minimum(_allocate_counts(metric.area.to_numpy(), round(per_tambon * len(ordered)), minimum), 99)
    rows = []
    for code, polygon, n in zip(ordered[TAMBON_CODE], metric.values, counts, strict=True):
        xy = _random_points(polygon, int(n), rng)
        households = np.maximum(25, rng.lognormal(np.log(180), 0.45, size=n)).round().astype(int)
        people = (households * rng.uniform(2.7, 3.6, size=n)).round().astype(int)
        for moo in range(n):
            rows.append({VILLAGE_CODE: f"{code}{moo + 1:02d}", MOO: moo + 1, VILLAGE_TH: _name(rng),
                         TAMBON_CODE: code, HOUSEHOLDS: households[moo], POPULATION: people[moo],
                         "x": xy[moo, 0], "y": xy[moo, 1]})
    frame = pd.DataFrame(rows)
    points = gpd.points_from_xy(frame.pop("x"), frame.pop("y"), crs=settings.analysis_crs)
    villages = gpd.GeoDataFrame(frame, geometry=points).to_crs(settings.data_crs)
    villages[HOUSEHOLDS] = villages[HOUSEHOLDS].astype("Int64")
    villages[POPULATION] = villages[POPULATION].astype("Int64")
    return villages[list(VILLAGE_POINT_COLUMNS)]


def synthetic_province(*, seed: int | None = None) -> gpd.GeoDataFrame:
    """A small fictional province: 4 amphoe, 24 tambon, code 99, in the Gulf of Thailand.

    Tambon are Voronoi cells of seeded points inside an irregular outline of
    about 90 × 70 km; amphoe are its four quadrants. The names say it is
    fictional. Returned in the canonical tambon schema, EPSG:4326.
    """
    rng = np.random.default_rng(settings.seed if seed is None else seed)
    cx, cy = 700_000.0, 1_050_000.0  # UTM 47N: about 100.8°E, 9.5°N, open sea
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    radius = 40_000 * (1 + 0.18 * np.sin(3 * angles + 0.7) + 0.08 * rng.standard_normal(24))
    outline = shapely.Polygon(np.c_[cx + 1.15 * radius * np.cos(angles), cy + radius * np.sin(angles)])
    seeds = _random_points(outline, 24, rng)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds),
                                                       extend_to=outline, ordered=True))
    cells = shapely.intersection(cells, outline)
    quadrant = ((seeds[:, 0] >= cx).astype(int) + 2 * (seeds[:, 1] < cy).astype(int))
    names = [("เหนือ", "Nuea"), ("ตะวันออก", "Tawan Ok"), ("ใต้", "Tai"), ("ตะวันตก", "Tawan Tok")]
    rows = []
    for q in range(4):
        members = np.flatnonzero(quadrant == q)
        members = members[np.lexsort((seeds[members, 0], -seeds[members, 1]))]
        amphoe = f"99{q + 1:02d}"
        for k, i in enumerate(members):
            a, b = rng.choice(len(_SYLLABLES_TH), size=2, replace=False)
            rows.append({
                TAMBON_CODE: f"{amphoe}{k + 1:02d}", AMPHOE_CODE: amphoe, PROVINCE_CODE: "99",
                TAMBON_TH: f"{_SYLLABLES_TH[a]}{_SYLLABLES_TH[b]}",
                TAMBON_EN: f"{_SYLLABLES_EN[a]} {_SYLLABLES_EN[b]}",
                AMPHOE_TH: f"สมมุติ{names[q][0]}", AMPHOE_EN: f"Sommut {names[q][1]}",
                PROVINCE_TH: FICTIONAL_PROVINCE[1], PROVINCE_EN: FICTIONAL_PROVINCE[2],
                GEOMETRY: cells[i],
            })
    frame = gpd.GeoDataFrame(rows, geometry=GEOMETRY, crs=settings.analysis_crs)
    frame = frame.to_crs(settings.data_crs).sort_values(TAMBON_CODE).reset_index(drop=True)
    return frame[list(TAMBON_COLUMNS)]


def write_demo_sheets(data: DemoData, folder: str | Path) -> dict[str, Path]:
    """Write the demo projects and indicators as the messy Thai sheets agencies bring.

    ``projects_long.xlsx``: a merged title above the header, a blank spacer
    row, Thai header variants, a running-number column, amounts written
    several ways (``1,250,000``, ``1.25 ล้านบาท``, Thai digits), some years in
    the Christian era, area names with prefixes and mixed separators, point
    footprints as lat/lon and lines as ``WKT (EPSG:4326)``, and a totals row.
    ``projects_wide.xlsx``: one ✓ column per area under two title rows.
    ``indicators.xlsx``: village BMN rates in percent and กชช.2ค levels.
    ``master_plans.xlsx``: ranked needs per village, villages written as
    ``ม.3 ต.ท่างิ้ว อ.เมืองนครศรีธรรมราช``.
    ``villages.csv``: the village register (code, name, หมู่, households,
    population, latitude, longitude) under a title line.
    ``facilitators.xlsx``: the facilitator register (name, organisation, areas
    served as names, skills, management unit, placeholder contacts).
    All carry the "illustrative data" label.
    """

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    title = f"{NOTE_TH} ({NOTE_EN})"
    return {
        "projects_long": write_long_sheet(data.projects, data.tambons, folder / "projects_long.xlsx", title),
        "projects_wide": write_wide_sheet(data.projects, data.tambons, folder / "projects_wide.xlsx", title),
        **({"proposals": write_long_sheet(data.proposals, data.tambons, folder / "proposals.xlsx", title)}
           if data.proposals is not None else {}),
        "indicators": write_indicator_sheet(data.indicators, folder / "indicators.xlsx", title),
        "villages": write_village_register(data.villages, folder / "villages.csv", title),
        **({"master_plans": write_master_plan_sheet(data.master_plans, data.tambons,
                                                    folder / "master_plans.xlsx", title)}
           if data.master_plans is not None else {}),
        **({"facilitators": write_facilitator_sheet(data.facilitators, data.tambons,
                                                    folder / "facilitators.xlsx", title)}
           if data.facilitators is not None else {}),
    }
