"""P3 — the national tambon choropleth as a web map: HTML size and Chromium render time, vs explore().

Baseline, measured in the same run: ``GeoDataFrame.explore(column=..., tiles=None)`` of the same
7,425 tambon and metric (projects per tambon). Both pages open in headless Debian Chromium
(Playwright, ``/usr/bin/chromium``); explore()'s CDN Leaflet is served from the local asset cache,
so both load the same library without a network. Render time: navigation start until the
choropleth's paths are in the page and two frames have been drawn (median of the repeats).
"""

from __future__ import annotations

import gzip
import re
import statistics
import tempfile
from pathlib import Path

from _common import REPEATS, emit, national_tambons, timed

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis.draw.assets import read_asset

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
DRAWN = """() => document.querySelectorAll('.leaflet-overlay-pane path').length > 1000
                 || document.querySelectorAll('.leaflet-overlay-pane canvas').length > 0"""
FRAMES = """async () => { await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                          return [performance.now(),
                                  document.querySelectorAll('.leaflet-overlay-pane path').length]; }"""


def _local_leaflet(route) -> None:
    """Serve Leaflet from the installed XStatic package; every other outside request (tiles, jQuery …) fails."""
    url = route.request.url
    for name, kind in (("leaflet.js", "application/javascript"), ("leaflet.css", "text/css")):
        if url.endswith("/" + name):
            return route.fulfill(body=read_asset("leaflet", name), content_type=kind)
    return route.abort()


def render_ms(browser, path: Path) -> tuple[float, int]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.route(re.compile(r"^https?://"), _local_leaflet)
    page.goto(path.as_uri(), timeout=120_000)
    page.wait_for_function(DRAWN, timeout=120_000)
    ms, paths = page.evaluate(FRAMES)
    page.close()
    return ms, paths


def main() -> None:
    from playwright.sync_api import sync_playwright

    tambons = national_tambons()
    projects = demo.demo_projects(tambons, demo.demo_villages(tambons, per_tambon=1, minimum=1), n=3000)
    plan = pm.analyse(tambons, projects, permutations=0)
    with tempfile.TemporaryDirectory() as tmp:  # removed after: the two pages are 80 MB
        out = Path(tmp)
        ours_s, _ = timed(lambda: pm.save_webmap(plan, out / "planmap.html", layers=[("n_projects", "tambon")],
                                                  projects=False, popups=False, outlines=False, offline=True))
        layer = tambons.join(plan.metrics["tambon"]["n_projects"], on="tambon_code")
        explore_s, _ = timed(lambda: layer.explore(column="n_projects", tiles=None).save(out / "explore.html"))
        size = {k: (out / f"{k}.html").stat().st_size for k in ("planmap", "explore")}
        gz = {k: len(gzip.compress((out / f"{k}.html").read_bytes())) for k in size}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            runs = {k: [render_ms(browser, out / f"{k}.html") for _ in range(REPEATS)] for k in size}
            browser.close()
    ms = {k: statistics.median(r[0] for r in v) for k, v in runs.items()}
    paths = {k: v[0][1] for k, v in runs.items()}
    size_ratio, time_ratio = size["planmap"] / size["explore"], ms["planmap"] / ms["explore"]
    for k, label in (("explore", "explore()    "), ("planmap", "save_webmap()")):
        print(f"P3 {label}: {size[k] / 1e6:5.2f} MB ({gz[k] / 1e6:.2f} MB gzip), written in "
              f"{explore_s if k == 'explore' else ours_s:.2f} s, drawn in Chromium in {ms[k]:.0f} ms "
              f"({paths[k]:,} paths)")
    print(f"   ratios planmap/explore: size {size_ratio:.3f} (goal ≤ 0.2), render time {time_ratio:.2f}")
    emit({"id": "P3", "what": f"national choropleth ({len(tambons):,} tambon), save_webmap vs explore()",
          "baseline": "GeoDataFrame.explore()", "baseline_s": ms["explore"] / 1000, "ours_s": ms["planmap"] / 1000,
          "ratio": time_ratio, "goal": "smaller and no slower to draw",
          "met": size_ratio <= 0.2 and time_ratio <= 1.0,
          "notes": f"HTML {size['planmap'] / 1e6:.2f} MB vs {size['explore'] / 1e6:.2f} MB "
                   f"(size ratio {size_ratio:.3f}); render time in Chromium"})


if __name__ == "__main__":
    main()
