"""Atlas speed: the Nakhon Si Thammarat atlas (overview + 23 amphoe pages, A3 PDF).

Run: python benchmarks/bench_atlas.py  (reads $PLANMAP_BOUNDARIES/nst_tambon_adm3.geojson).
Baseline measured in the same run: one bare matplotlib page of the same village polygons
(GeoDataFrame.plot, no labels or furniture), so the ratio shows what the page furniture costs.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import planmap_gis as pm  # noqa: E402
from planmap_gis import demo  # noqa: E402
from planmap_gis.printmap import atlas  # noqa: E402


def main() -> None:
    folder = Path(os.environ.get("PLANMAP_BOUNDARIES", "../shared/boundaries"))
    data = demo.load(boundaries=folder / "nst_tambon_adm3.geojson")
    areas = pm.village_areas(data.villages, data.tambons)
    plan = pm.analyse(data.tambons, data.projects, villages=areas, indicators=data.indicators,
                      notes=(data.note_th,))
    out = Path(tempfile.mkdtemp())
    pages = len(plan.amphoes) + 1
    start = time.perf_counter()
    atlas(plan, out / "atlas.pdf", progress=False)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    with PdfPages(out / "bare.pdf") as pdf:
        for _ in range(pages):
            fig = Figure(figsize=(11.69, 16.54))
            areas.plot(ax=fig.add_subplot(), column="households")
            pdf.savefig(fig)
    bare = time.perf_counter() - start
    print(f"machine: {os.cpu_count()} cores")
    print(f"atlas: {pages} A3 pages in {seconds:.1f} s = {pages / seconds:.2f} pages/s "
          f"({(out / 'atlas.pdf').stat().st_size / 1e6:.1f} MB)")
    print(f"bare GeoDataFrame.plot pages: {pages} in {bare:.1f} s = {pages / bare:.2f} pages/s")
    print(f"ratio atlas/bare time: {seconds / bare:.2f}")


if __name__ == "__main__":
    main()
