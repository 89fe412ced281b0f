"""A layout small enough to check by hand: 2 tambon, 5 villages, in UTM 47N metres.

    y (km)
    2 +-----------+-----------+
      |  990101 02 |  990102 02 |     tambon 990101 = x 0–2 km, villages 01 (y 0–1) and 02 (y 1–2)
    1 +-----------+-----------+     tambon 990102 = x 2–4 km, villages 01 (y 0–0.5),
      |  990101 01 | 990102 01  |                   02 (y 0.5–1.5), 03 (y 1.5–2)
    0 +-----------+-----------+
      0           2           4 x (km)

Households: 100, 300 in tambon 990101; 100, 100, 200 in tambon 990102.
"""

from __future__ import annotations

import geopandas as gpd
import shapely

X0, Y0 = 600_000.0, 900_000.0  # somewhere over the Gulf of Thailand


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    return shapely.box(X0 + x0 * 1000, Y0 + y0 * 1000, X0 + x1 * 1000, Y0 + y1 * 1000)


def tambons() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "tambon_code": ["990101", "990102"], "amphoe_code": ["9901", "9901"],
        "province_code": ["99", "99"], "tambon_th": ["หนึ่ง", "สอง"], "tambon_en": ["Nueng", "Song"],
        "amphoe_th": ["ทดสอบ", "ทดสอบ"], "amphoe_en": ["Thotsop", "Thotsop"],
        "province_th": ["สมมุติ", "สมมุติ"], "province_en": ["Sommut", "Sommut"],
    }, geometry=[box(0, 0, 2, 2), box(2, 0, 4, 2)], crs=32647).to_crs(4326)


def villages() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "village_code": ["99010101", "99010102", "99010201", "99010202", "99010203"],
        "tambon_code": ["990101", "990101", "990102", "990102", "990102"],
        "households": [100, 300, 100, 100, 200],
        "population": [300, 900, 250, 350, 600],
    }, geometry=[box(0, 0, 2, 1), box(0, 1, 2, 2), box(2, 0, 4, 0.5), box(2, 0.5, 4, 1.5),
                 box(2, 1.5, 4, 2)], crs=32647).to_crs(4326)


def utm(geom: shapely.Geometry) -> shapely.Geometry:
    """A geometry given in layout km, as EPSG:4326 (what projects carry)."""
    moved = shapely.transform(geom, lambda xy: xy * 1000 + (X0, Y0))
    return gpd.GeoSeries([moved], crs=32647).to_crs(4326).iloc[0]
