"""P1 — 1,000,000 project points allocated to the 7,425 national tambon, vs a bare sjoin.

Baseline, measured in the same run: ``geopandas.sjoin(points, tambon, predicate="intersects")``
(the join alone, no shares, budgets or codes). Goal: ``allocate`` costs at most 0.6× the sjoin (issue 29; it was 1.2×).
Anchor, in the same run when installed: DuckDB's spatial join of the same points and tambon
(``_anchor.point_join``; its tables built beforehand).
Each tambon stands for one village (code + "00"): there is no national village layer.
"""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pandas as pd
import _anchor
from _common import PeakMemory, compare, emit, national_tambons, scale_runs, tambon_units

from planmap_gis.join import allocate

N = int(os.environ.get("PLANMAP_BENCH_POINTS", "1000000"))


def main() -> None:
    if os.environ.get("PLANMAP_BENCH_SCALE"):  # how cost grows: 10k, 100k and 1M points, each in its own process
        runs = scale_runs("p1_points.py", "PLANMAP_BENCH_POINTS", [10_000, 100_000, 1_000_000])
        table = ["| points | sjoin s | allocate s | ratio | allocate peak GiB |", "|---:|---:|---:|---:|---:|"]
        table += [f"| {r['size']:,} | {r.get('baseline_s', float('nan')):.2f} | {r.get('ours_s', float('nan')):.2f} "
                  f"| {r.get('ratio', float('nan')):.2f} | {r.get('peak_gib', float('nan')):.2f} |" for r in runs]
        print("\n".join(table))
        emit({**{k: v for k, v in runs[-1].items() if k != "size"}, "scale": table})
        return
    tambons = national_tambons()
    units = tambon_units(tambons)
    per = -(-N // len(tambons))
    rng = np.random.default_rng(8)
    points = tambons.geometry.sample_points(size=per, rng=rng).explode(index_parts=False).to_numpy()
    points = points[rng.permutation(len(points))[:N]]  # projects arrive in no spatial order
    projects = gpd.GeoDataFrame({
        "project_id": pd.array([f"P{i:07d}" for i in range(N)], dtype="str"),
        "area_codes": None, "area_shares": None, "budget_thb": 100_000.0,
    }, geometry=points, crs=tambons.crs)

    contestants = {
        "sjoin": lambda: gpd.sjoin(projects[["project_id", "geometry"]], units.copy(), predicate="intersects"),
        "allocate": lambda: allocate(projects, units.copy()),
    }
    con = _anchor.connection()
    if con is not None:
        built, contestants["duckdb"] = _anchor.point_join(con, projects["project_id"].to_numpy(), points,
                                                          units["village_code"].to_numpy(), units.geometry.values)
    seconds, out = compare(contestants)
    joined, allocation = out["sjoin"], out["allocate"]
    with PeakMemory() as mem:  # once more, alone, for the memory it takes
        allocate(projects, units.copy())
    first = joined.sort_values(["project_id", "village_code"]).drop_duplicates("project_id")
    same = first.set_index("project_id")["village_code"].reindex(allocation["project_id"]).to_numpy() \
        == allocation["village_code"].to_numpy()
    ratio = seconds["allocate"] / seconds["sjoin"]
    print(f"P1 {N:,} points over {len(units):,} tambon: sjoin {seconds['sjoin']:.2f} s, "
          f"allocate {seconds['allocate']:.2f} s, ratio {ratio:.2f} (goal ≤ 0.60)")
    print(f"   placed {len(allocation):,} points; same tambon as sjoin for {same.sum():,} "
          f"({same.mean():.4%}); shares sum to 1: {np.allclose(allocation['share'], 1)}")
    if con is None:
        anchor = f"DuckDB anchor not measured ({_anchor.INSTALL})"
    else:
        ducked = out["duckdb"].sort_values(["id", "code"]).drop_duplicates("id").set_index("id")["code"]
        agree = float((ducked.reindex(first["project_id"]).to_numpy() == first["village_code"].to_numpy()).mean())
        anchor = (f"DuckDB spatial join {seconds['duckdb']:.2f} s = {seconds['duckdb'] / seconds['sjoin']:.2f}× sjoin "
                  f"(allocate = {seconds['allocate'] / seconds['duckdb']:.2f}× DuckDB; its tables built in "
                  f"{built:.2f} s; same tambon as sjoin for {agree:.4%})")
    print(f"   {anchor}")
    emit({"id": "P1", "what": f"{N:,} points → {len(units):,} tambon, allocate vs sjoin",
          "baseline": "geopandas.sjoin", "baseline_s": seconds["sjoin"], "ours_s": seconds["allocate"],
          "ratio": ratio, "goal": "≤ 0.6×", "met": ratio <= 0.6, "peak_gib": mem.peak_gib,
          "notes": f"{same.mean():.4%} of points in the same tambon as sjoin; {anchor}"})


if __name__ == "__main__":
    main()
