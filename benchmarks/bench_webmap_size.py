"""Web map size for the national tambon layer: planmap_gis.save_webmap vs GeoDataFrame.explore().

Run: python benchmarks/bench_webmap_size.py [path/to/tha_tambon_adm3.geojson]
(the path defaults to $PLANMAP_BOUNDARIES/tha_tambon_adm3.geojson). Both maps show the same
metric (projects per tambon) on the same 7,425 tambon; the baseline is measured in the same run.
"""

from __future__ import annotations

import gzip
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import planmap_gis as pm
from planmap_gis import demo


def main() -> None:
    default = Path(os.environ.get("PLANMAP_BOUNDARIES", "../shared/boundaries")) / "tha_tambon_adm3.geojson"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PlanmapWarning)  # one-sided codes: expected, reported
        tambons = pm.read_boundaries(path)
    projects = demo.demo_projects(tambons, demo.demo_villages(tambons, per_tambon=1, minimum=1), n=3000)
    plan = pm.analyse(tambons, projects, permutations=0)
    out = Path(tempfile.mkdtemp())
    start = time.perf_counter()
    ours = pm.save_webmap(plan, out / "planmap.html", layers=[("n_projects", "tambon")],
                          projects=False, popups=False, outlines=False, offline=True)
    ours_s = time.perf_counter() - start
    layer = tambons.join(plan.metrics["tambon"]["n_projects"], on="tambon_code")
    start = time.perf_counter()
    layer.explore(column="n_projects").save(out / "explore.html")
    explore_s = time.perf_counter() - start
    size = {p.stem: p.stat().st_size for p in (ours, out / "explore.html")}
    gz = {k: len(gzip.compress((out / f"{k}.html").read_bytes())) for k in size}
    print(f"tambon: {len(tambons)}; machine: {os.cpu_count()} cores")
    print(f"explore():      {size['explore'] / 1e6:6.2f} MB ({gz['explore'] / 1e6:.2f} MB gzip), {explore_s:.2f} s")
    print(f"save_webmap():  {size['planmap'] / 1e6:6.2f} MB ({gz['planmap'] / 1e6:.2f} MB gzip), {ours_s:.2f} s"
          " (offline: Leaflet inside)")
    with_all = pm.save_webmap(plan, out / "planmap_full.html", layers=[("n_projects", "tambon")],
                              projects=False, offline=True)
    print(f"  with amphoe outlines and popups: {with_all.stat().st_size / 1e6:.2f} MB")
    print(f"ratio planmap/explore: {size['planmap'] / size['explore']:.3f} (goal ≤ 0.200)")


if __name__ == "__main__":
    main()
