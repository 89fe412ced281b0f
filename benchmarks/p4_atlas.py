"""P4 — the Nakhon Si Thammarat atlas (overview, unmet needs, need, 23 amphoe maps and their project
sheets; A3 PDF): pages per second, as ``planmap run`` draws it (one lane per core) and in one lane.

Baseline, measured in the same run: as many bare matplotlib pages of the same village polygons
(``GeoDataFrame.plot``, no labels, legend, tables or embedded Thai font), so the ratio shows what
the page furniture costs. No goal is set; the figure is recorded.
"""

from __future__ import annotations

import os

import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from _common import boundaries, emit, timed  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import planmap_gis as pm  # noqa: E402
from planmap_gis import demo  # noqa: E402
from planmap_gis._lanes import lane_count  # noqa: E402
from planmap_gis.draw.printed.atlas import atlas_pages  # noqa: E402


def bare_pages(areas, path: Path, pages: int) -> None:
    with PdfPages(path) as pdf:
        for _ in range(pages):
            fig = Figure(figsize=(11.69, 16.54))
            areas.plot(ax=fig.add_subplot(), column="households")
            pdf.savefig(fig)


def main() -> None:
    # The layer the package prints on (print-quality outlines); PLANMAP_BENCH_LAYER=simplified: the
    # 8-vertex reference file the earlier runs used.
    data = (demo.load(boundaries=boundaries("nst_tambon_adm3.geojson"))
            if os.environ.get("PLANMAP_BENCH_LAYER") == "simplified" else demo.load())
    areas = pm.village_areas(data.villages, data.tambons)
    plan = pm.analyse(data.tambons, data.projects, villages=areas, indicators=data.indicators,
                      master_plans=data.master_plans, notes=(data.note_th,))
    with tempfile.TemporaryDirectory() as tmp:  # removed after: the three PDFs (some 40 MB)
        out = Path(tmp)
        # As planmap run draws it (one lane per core, lane_count), and in one lane like the baseline.
        ours_s, path = timed(lambda: pm.atlas(plan, out / "atlas.pdf", progress=False))
        one_s, _ = timed(lambda: pm.atlas(plan, out / "atlas_one_lane.pdf", progress=False, processes=1))
        pages = atlas_pages(plan)  # overview, unmet needs, need, each amphoe's map and project sheets
        lanes = lane_count(len(plan.amphoes) + 1)
        base_s, _ = timed(lambda: bare_pages(areas, out / "bare.pdf", pages))
        ratio = ours_s / base_s
        print(f"P4 atlas: {pages} A3 pages in {ours_s:.1f} s = {pages / ours_s:.2f} pages/s in {lanes} lanes "
              f"({path.stat().st_size / 1e6:.1f} MB); one lane {one_s:.1f} s = {pages / one_s:.2f} pages/s; bare "
              f"GeoDataFrame.plot pages (one process): {pages / base_s:.2f} pages/s; ratio atlas/bare time {ratio:.2f}")
        emit({"id": "P4", "what": f"NST atlas, {pages} A3 pages", "baseline": "bare GeoDataFrame.plot pages",
              "baseline_s": base_s, "ours_s": ours_s, "ratio": ratio, "goal": "recorded (pages/s)",
              "met": None, "notes": f"{pages / ours_s:.2f} pages/s in {lanes} lanes ({pages / one_s:.2f} in one, "
                                    f"{one_s:.1f} s) vs {pages / base_s:.2f} bare"})


if __name__ == "__main__":
    main()
