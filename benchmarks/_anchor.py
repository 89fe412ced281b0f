"""DuckDB's spatial extension: the in-process columnar engine P1 and P2 measure themselves against.

Optional, for the benchmarks only (``pip install -e ".[bench]"``: ``duckdb``, and its spatial
extension as a wheel, ``duckdb-extension-spatial``, so nothing is downloaded at run time). Without
them the anchor is not measured and the benchmark says so.

The anchor is given what the other contestants are given: its tables already built (points as
``ST_Point``, areas from WKB), in the CRS each benchmark works in; its own threads (one per core).
The time of building the tables is reported apart. (Not named ``_duckdb``: that is DuckDB's own
compiled module, which a file of that name beside the benchmarks would hide.)
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
import shapely

INSTALL = 'pip install -e ".[bench]"'


def connection() -> Any | None:
    """A DuckDB connection with the spatial extension loaded, or None when it is not installed."""
    try:
        import duckdb
        import duckdb_extensions
    except ImportError:
        return None
    con = duckdb.connect()
    duckdb_extensions.import_extension("spatial", con=con)
    con.load_extension("spatial")
    return con


def _areas(con: Any, name: str, codes: np.ndarray, geometries: np.ndarray) -> None:
    con.register(f"{name}_in", pd.DataFrame({"code": codes, "wkb": shapely.to_wkb(geometries)}))
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT code, ST_GeomFromWKB(wkb) AS geom FROM {name}_in")
    con.unregister(f"{name}_in")


def point_join(con: Any, ids: np.ndarray, points: np.ndarray, codes: np.ndarray,
               areas: np.ndarray) -> tuple[float, Any]:
    """Seconds to build the tables, and the join to time: each point with the areas it lies in
    (``ST_Intersects``, DuckDB's SPATIAL_JOIN operator), as a DataFrame ``id``, ``code``."""
    start = time.perf_counter()
    xy = shapely.get_coordinates(points)
    con.register("points_in", pd.DataFrame({"id": ids, "x": xy[:, 0], "y": xy[:, 1]}))
    con.execute("CREATE OR REPLACE TABLE points AS SELECT id, ST_Point(x, y) AS geom FROM points_in")
    con.unregister("points_in")
    _areas(con, "areas", codes, areas)
    built = time.perf_counter() - start
    query = "SELECT points.id, areas.code FROM points JOIN areas ON ST_Intersects(areas.geom, points.geom)"
    return built, lambda: con.execute(query).df()


def area_shares(con: Any, ids: np.ndarray, footprints: np.ndarray, codes: np.ndarray,
                areas: np.ndarray) -> tuple[float, Any]:
    """Seconds to build the tables, and the overlay to time: each footprint's share of its area in
    each area it meets (``ST_Intersection``, ``ST_Area``; geometries already projected), as a
    DataFrame ``id``, ``code``, ``share``."""
    start = time.perf_counter()
    _areas(con, "footprints", ids, footprints)
    _areas(con, "areas", codes, areas)
    built = time.perf_counter() - start
    query = """
        WITH pieces AS (
            SELECT footprints.code AS id, areas.code AS code,
                   ST_Area(ST_Intersection(footprints.geom, areas.geom)) AS area
            FROM footprints JOIN areas ON ST_Intersects(footprints.geom, areas.geom))
        SELECT id, code, area / SUM(area) OVER (PARTITION BY id) AS share FROM pieces WHERE area > 0"""
    return built, lambda: con.execute(query).df()
