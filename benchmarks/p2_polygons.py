"""P2 — 20,000 polygon footprints apportioned by area over the 7,425 national tambon, vs overlay.

Baseline, measured in the same run: both layers to the analysis CRS (UTM 47N), then
``geopandas.overlay(how="intersection")``, the area of each piece and each footprint's share.
Goal: the same shares (to 1e-9) and faster. Anchor, in the same run when installed: DuckDB's
spatial join, intersection and area of the same footprints and tambon (``_anchor.area_shares``),
given them already in UTM 47N and its tables built beforehand (the others project inside the clock).
"""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pandas as pd
import _anchor
from _common import compare, emit, national_tambons, tambon_units

from planmap_gis import settings
from planmap_gis.join import allocate

N = int(os.environ.get("PLANMAP_BENCH_POLYGONS", "20000"))


def overlay_shares(footprints: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> pd.DataFrame:
    pieces = gpd.overlay(footprints[["project_id", "geometry"]].to_crs(settings.analysis_crs),
                         units[["village_code", "geometry"]].to_crs(settings.analysis_crs),
                         how="intersection", keep_geom_type=True)
    pieces["area"] = pieces.area
    pieces = pieces[pieces["area"] > 0]
    pieces["share"] = pieces["area"] / pieces.groupby("project_id")["area"].transform("sum")
    return pd.DataFrame(pieces[["project_id", "village_code", "share"]])


def main() -> None:
    tambons = national_tambons()
    units = tambon_units(tambons)
    rng = np.random.default_rng(20)
    centres = tambons.geometry.sample_points(size=-(-N // len(tambons)), rng=rng).explode(index_parts=False)
    centres = centres.iloc[rng.permutation(len(centres))[:N]].to_crs(settings.analysis_crs)
    radius = rng.uniform(500, 5000, len(centres))  # metres: a plot, a watershed, a road corridor
    footprints = gpd.GeoDataFrame({
        "project_id": pd.array([f"F{i:06d}" for i in range(len(centres))], dtype="str"),
        "area_codes": None, "area_shares": None, "budget_thb": 1_000_000.0,
    }, geometry=centres.buffer(radius, quad_segs=16).to_numpy(), crs=settings.analysis_crs).to_crs(tambons.crs)

    contestants = {
        "overlay": lambda: overlay_shares(footprints, units.copy()),
        "allocate": lambda: allocate(footprints, units.copy()),
    }
    con = _anchor.connection()
    if con is not None:
        built, contestants["duckdb"] = _anchor.area_shares(
            con, footprints["project_id"].to_numpy(), footprints.to_crs(settings.analysis_crs).geometry.values,
            units["village_code"].to_numpy(), units.to_crs(settings.analysis_crs).geometry.values)
    seconds, out = compare(contestants)
    both = out["allocate"][["project_id", "village_code", "share"]].merge(
        out["overlay"], on=["project_id", "village_code"], how="outer", suffixes=("", "_overlay"))
    diff = float((both["share"].fillna(0) - both["share_overlay"].fillna(0)).abs().max())
    ratio = seconds["allocate"] / seconds["overlay"]
    print(f"P2 {len(footprints):,} circles (0.5–5 km) over {len(units):,} tambon: overlay "
          f"{seconds['overlay']:.2f} s, allocate {seconds['allocate']:.2f} s, ratio {ratio:.2f} (goal ≤ 0.40)")
    print(f"   {len(out['allocate']):,} pieces (overlay {len(out['overlay']):,}); largest share "
          f"difference {diff:.1e} (goal ≤ 1e-9)")
    if con is None:
        anchor = f"DuckDB anchor not measured ({_anchor.INSTALL})"
    else:
        ducked = out["duckdb"].rename(columns={"id": "project_id", "code": "village_code", "share": "share_duckdb"})
        pairs = out["overlay"].merge(ducked, on=["project_id", "village_code"], how="outer")
        apart = float((pairs["share"].fillna(0) - pairs["share_duckdb"].fillna(0)).abs().max())
        anchor = (f"DuckDB {seconds['duckdb']:.2f} s = {seconds['duckdb'] / seconds['overlay']:.2f}× overlay "
                  f"(allocate = {seconds['allocate'] / seconds['duckdb']:.2f}× DuckDB; its tables built in "
                  f"{built:.2f} s, projected beforehand; largest share difference from overlay {apart:.1e})")
    print(f"   {anchor}")
    emit({"id": "P2", "what": f"{len(footprints):,} polygons by area, allocate vs overlay + area",
          "baseline": "geopandas.overlay + area", "baseline_s": seconds["overlay"],
          "ours_s": seconds["allocate"], "ratio": ratio, "goal": "≤ 0.4×, shares to 1e-9",
          "met": ratio <= 0.4 and diff <= 1e-9, "notes": f"largest share difference {diff:.1e}; {anchor}"})


if __name__ == "__main__":
    main()
