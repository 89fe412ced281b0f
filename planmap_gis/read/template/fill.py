"""Projects written into a template's rows as an agency would have typed them (``template(projects=...)``)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from planmap_gis._schema import (
    AGENCY,
    AMPHOE_CODE,
    AMPHOE_TH,
    BUDGET,
    BUDGET_LAYER,
    BUDGET_LAYERS_SHORT,
    FISCAL_YEAR,
    MANAGEMENT_UNIT,
    NAME_EN,
    NAME_TH,
    PROJECT_ID,
    SECTOR,
    STATUS,
    STRATEGY,
    TAMBON_CODE,
    TAMBON_TH,
    TIER,
    TIERS,
)
from planmap_gis.read.areas import AreaIndex, area_list
from planmap_gis.read.template.fields import (
    AMPHOE,
    AREAS,
    FIRST_ROW,
    LAT,
    LON,
    MOO,
    PROJECT_FIELDS,
    TAMBON,
    WKT,
)

__all__ = ["prefill"]


def prefill(ws: Any, projects: pd.DataFrame, tambons: gpd.GeoDataFrame) -> None:
    """Projects written into the data rows as an agency would have typed them."""
    index = AreaIndex(tambons)
    amphoe_names = dict(zip(tambons[AMPHOE_CODE], tambons[AMPHOE_TH], strict=True))
    tambon_names = dict(zip(tambons[TAMBON_CODE], tambons[TAMBON_TH], strict=True))
    column = {f.key: i for i, f in enumerate(PROJECT_FIELDS, start=1)}
    for row, rec in enumerate(projects.to_dict("records"), start=FIRST_ROW):
        codes, shares = list(rec.get("area_codes") or []), rec.get("area_shares")
        values: dict[str, Any] = {k: rec.get(k) for k in (PROJECT_ID, NAME_TH, NAME_EN, AGENCY, STRATEGY,
                                                          SECTOR, STATUS, MANAGEMENT_UNIT, "facilitator")}
        values[TIER] = TIERS[rec[TIER]][0] if rec.get(TIER) in TIERS else rec.get(TIER)
        layer = rec.get(BUDGET_LAYER)
        values[BUDGET_LAYER] = BUDGET_LAYERS_SHORT.get(int(layer)) if pd.notna(layer) else None
        values[FISCAL_YEAR] = int(rec[FISCAL_YEAR]) if pd.notna(rec.get(FISCAL_YEAR)) else None
        values[BUDGET] = float(rec[BUDGET]) if pd.notna(rec.get(BUDGET)) else None
        if len(codes) == 1 and shares is None and len(codes[0]) in (4, 6, 8):
            code = codes[0]
            values[AMPHOE] = f"{code[:4]} {amphoe_names.get(code[:4], '')}"
            if len(code) >= 6:
                values[TAMBON] = f"{code[:6]} {tambon_names.get(code[:6], '')}"
            if len(code) == 8:
                values[MOO] = int(code[6:])
        elif codes:
            values[AREAS] = area_list(codes, shares, index.full_label)
        geom = rec.get("geometry")
        if isinstance(geom, shapely.Point):
            values[LAT], values[LON] = round(geom.y, 7), round(geom.x, 7)
        elif isinstance(geom, shapely.Geometry) and not geom.is_empty:
            values[WKT] = shapely.to_wkt(geom, rounding_precision=7)
        for key, value in values.items():
            if value is not None and not (isinstance(value, float) and pd.isna(value)) and value != "":
                ws.cell(row=row, column=column[key], value=value)
