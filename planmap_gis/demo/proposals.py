"""An illustrative round of proposals for the demo's screening: seeded, deterministic, not official.

Kinds, roughly: a quarter re-submit work already running (another agency, the same sector, year
and villages, a near-identical name), a third go to tambon no village or tambon list reaches and
to the weakest villages, the rest anywhere; two are province-wide, one has no budget yet.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from planmap_gis import settings
from planmap_gis._schema import (
    AGENCY,
    AREA_CODES,
    AREA_SHARES,
    BUDGET,
    BUDGET_LAYER,
    FISCAL_YEAR,
    GEOMETRY,
    LEVEL_LENGTH,
    NAME_EN,
    NAME_TH,
    PRECISION,
    PROJECT_COLUMNS,
    PROJECT_ID,
    PROVINCE_CODE,
    SECTOR,
    SOURCE_FILE,
    SOURCE_ROW,
    SOURCE_SHEET,
    STATUS,
    STRATEGY,
    TAMBON_CODE,
    TIER,
    VILLAGE_CODE,
)
from planmap_gis.demo.projects import ACTIVITIES, AGENCIES, STRATEGIES, STRATEGY_OF

LEVEL_OF_LENGTH = {n: level for level, n in LEVEL_LENGTH.items()}

__all__ = ["PROPOSAL_STATUS", "PROPOSAL_YEAR", "demo_caps", "demo_proposals"]

PROPOSAL_STATUS = "เสนอ (proposed)"
#: The round the demo screens: the fiscal year after the session.
PROPOSAL_YEAR = 2570


def demo_proposals(tambons: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, projects: gpd.GeoDataFrame,
                   indicators: pd.DataFrame | None = None, *, n: int = 60,
                   seed: int | None = None) -> gpd.GeoDataFrame:
    """About ``n`` illustrative proposals in the canonical project table (EPSG:4326), ids ``S2570-nnn``.

    Parameters
    ----------
    tambons, villages, projects : GeoDataFrame
        The demo's layers (:func:`~planmap_gis.demo.load`).
    indicators : DataFrame, optional
        Village indicators: the weakest villages (lowest BMN pass rates) draw the gap-filling kind.
    """
    rng = np.random.default_rng((settings.seed if seed is None else seed) + 7)
    running = projects[(projects[FISCAL_YEAR] == PROPOSAL_YEAR) & projects[AREA_CODES].map(len).gt(0)
                       & ~projects[PRECISION].isin(["province", "amphoe"])]
    listed = {str(c)[:6] for codes in projects[AREA_CODES] for c in codes if len(str(c)) >= 6}
    quiet = sorted(set(tambons[TAMBON_CODE].astype(str)) - listed)
    by_tambon = villages.groupby(TAMBON_CODE)[VILLAGE_CODE].apply(list)
    weak: list[str] = []
    if indicators is not None:
        rates = indicators.filter(like="bmn_").mean(axis=1)
        weak = [str(c) for c in rates.sort_values().index[: max(10, len(rates) // 10)] if len(str(c)) == 8]
    agencies = len(AGENCIES)
    rows = []
    for i in range(n):
        kind = "repeat" if i % 4 == 0 and len(running) else ("gap" if i % 3 == 1 else "any")
        if i in (5, 17):
            kind = "province"
        agency, tier, layer, sectors, median = AGENCIES[int(rng.integers(agencies))]
        sector = sectors[int(rng.integers(len(sectors)))]
        codes: list[str]
        if kind == "repeat":
            original = running.iloc[int(rng.integers(len(running)))]
            sector, codes = original[SECTOR], list(original[AREA_CODES])
            others = [a for a in AGENCIES if a[0] != original[AGENCY] and sector in a[3]] or list(AGENCIES)
            agency, tier, layer, _, median = others[int(rng.integers(len(others)))]
        elif kind == "gap" and (quiet or weak):
            pool = weak if weak and (i % 2 or not quiet) else [v for t in quiet for v in by_tambon.get(t, [])]
            codes = sorted(rng.choice(pool, size=min(len(pool), int(rng.integers(2, 6))), replace=False).tolist())
        elif kind == "province":
            codes = [str(tambons[PROVINCE_CODE].iloc[0])]
        else:
            tambon = str(rng.choice(tambons[TAMBON_CODE].to_numpy()))
            pool = by_tambon.get(tambon, [tambon])
            codes = sorted(rng.choice(pool, size=min(len(pool), int(rng.integers(1, 5))), replace=False).tolist())
        activity_th, activity_en = ACTIVITIES[sector]
        budget = float(np.round(median * rng.lognormal(0, 0.5), -3))
        rows.append({
            PROJECT_ID: f"S{PROPOSAL_YEAR}-{i + 1:03d}",
            NAME_TH: f"โครงการ{activity_th}" + ("" if kind == "repeat" else f" (ข้อเสนอ {i + 1})"),
            NAME_EN: f"{activity_en} (proposal {i + 1})", AGENCY: agency, TIER: tier, BUDGET_LAYER: layer,
            STRATEGY: STRATEGIES[STRATEGY_OF[sector]], SECTOR: sector, FISCAL_YEAR: PROPOSAL_YEAR,
            BUDGET: np.nan if i == 11 else budget, STATUS: PROPOSAL_STATUS, "management_unit": None,
            "facilitator": None, AREA_CODES: codes, AREA_SHARES: None,
            PRECISION: LEVEL_OF_LENGTH[len(codes[0])],
            SOURCE_FILE: "demo proposals", SOURCE_SHEET: None, SOURCE_ROW: i + 1, GEOMETRY: None,
        })
    frame = gpd.GeoDataFrame(rows, geometry=GEOMETRY, crs=settings.data_crs)
    for col in (BUDGET_LAYER, FISCAL_YEAR, SOURCE_ROW):
        frame[col] = frame[col].astype("Int64")
    return frame[list(PROJECT_COLUMNS)]


def demo_caps(proposals: pd.DataFrame) -> dict[object, float]:
    """The demo's caps: each budget layer may fund about half of what its proposals ask (to the million)."""
    asked = proposals.groupby(BUDGET_LAYER)[BUDGET].sum()
    return {int(k): float(max(1e6, np.round(v / 2, -6))) for k, v in asked.items() if v > 0}
