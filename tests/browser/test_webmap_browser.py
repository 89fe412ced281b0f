"""The saved web map, opened in headless Debian Chromium through Playwright.

Screenshots are written to the test's output folder (``tmp_path``) and, when
``PLANMAP_SCREENSHOTS`` names a folder, copied there to be looked at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis.assets import missing_assets
from planmap_gis.cli import main

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
XSS = "<img src=x onerror=\"window.__xss=1\">"

if not CHROMIUM.exists() or missing_assets():
    if os.environ.get("CI"):
        pytest.fail("CI needs /usr/bin/chromium and the web-map assets: run `make test`.",
                    pytrace=False)
    pytest.skip("Chromium or the web-map assets are missing: run `make test`.",
                allow_module_level=True)

sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright


@pytest.fixture(scope="module")
def plan(nst_path):
    data = demo.load(boundaries=nst_path)
    projects = data.projects.copy()
    located = projects.index[projects.geometry.notna() & (projects.geometry.geom_type == "Point")][0]
    projects.loc[located, ["name_th", "agency"]] = [XSS, f"หน่วยงาน {XSS}"]
    areas = pm.village_areas(data.villages, data.tambons)
    return pm.analyse(data.tambons, projects, villages=areas, indicators=data.indicators,
                      permutations=99, notes=(data.note_en,))


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()


class Page:
    """A map page with everything it logged and requested."""

    def __init__(self, browser, path: Path, *, block_network: bool = False):
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.blocked: list[str] = []
        if block_network:  # a planning room without internet: only the file itself loads
            self.page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                            else (self.blocked.append(route.request.url), route.abort()))
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.planmap && Object.keys(planmap.layers).length > 0")
        self.page.wait_for_timeout(300)

    def js(self, code: str):
        return self.page.evaluate(code)

    def shot(self, path: Path) -> None:
        self.page.screenshot(path=str(path))
        folder = os.environ.get("PLANMAP_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(folder) / path.name)


@pytest.fixture(scope="module")
def offline_page(plan, browser, tmp_path_factory):
    path = pm.save_webmap(plan, tmp_path_factory.mktemp("map") / "nst_offline.html", offline=True)
    page = Page(browser, path)
    yield page
    page.page.close()


def test_renders_every_village_and_no_errors(offline_page, plan, tmp_path):
    first = "งบประมาณต่อครัวเรือน (หมู่บ้าน)"
    assert offline_page.js(f"planmap.layers[{first!r}].getLayers().length") == len(plan.villages) == 1550
    drawn = offline_page.js("document.querySelectorAll('path.leaflet-interactive').length")
    assert drawn >= 1550 + 23  # villages, amphoe outlines, project lines
    assert offline_page.js("document.querySelectorAll('.planmap-label').length") == 23
    assert offline_page.errors == []
    offline_page.shot(tmp_path / "webmap_nst.png")


def test_offline_map_makes_no_network_request(offline_page):
    assert [u for u in offline_page.requests if not u.startswith("file:")] == []


def test_toggling_a_layer_hides_it(offline_page):
    page = offline_page.page
    page.hover(".leaflet-control-layers")
    label = page.locator(".leaflet-control-layers-overlays label", has_text="ขอบเขตและชื่ออำเภอ")
    labels = "document.querySelectorAll('.planmap-label').length"
    label.locator("input").click()
    page.wait_for_function(f"{labels} === 0", timeout=3000)  # Leaflet fades labels out (200 ms)
    label.locator("input").click()
    page.wait_for_function(f"{labels} === 23", timeout=3000)
    legend_before = offline_page.js("document.querySelectorAll('.planmap-legend').length")
    budget = page.locator(".leaflet-control-layers-overlays label", has_text="งบประมาณต่อครัวเรือน (หมู่บ้าน)")
    budget.locator("input").click()
    assert offline_page.js("document.querySelectorAll('.planmap-legend').length") == legend_before - 1
    budget.locator("input").click()  # leave the page as it was for the next test
    assert offline_page.js("document.querySelectorAll('.planmap-legend').length") == legend_before


def test_tooltip_shows_the_thai_village_name(offline_page, plan):
    village = plan.villages.iloc[700]
    point = village.geometry.representative_point()
    mapvar = offline_page.js("Object.keys(window).find(k => k.startsWith('map_'))")
    xy = offline_page.js(f"(() => {{ const p = {mapvar}.latLngToContainerPoint([{point.y}, {point.x}]);"
                         " const r = document.getElementById('" + mapvar + "').getBoundingClientRect();"
                         " return [p.x + r.left, p.y + r.top]; })()")
    offline_page.page.mouse.move(xy[0] + 1, xy[1])  # enter the polygon, then move inside it
    offline_page.page.mouse.move(*xy)
    tooltip = offline_page.page.locator(".leaflet-tooltip:not(.planmap-label)").last
    tooltip.wait_for(timeout=3000)
    text = tooltip.inner_text()
    tambon = plan.tambons.set_index("tambon_code").at[village.village_code[:6], "tambon_th"]
    assert f"ต.{tambon}" in text and village.village_code in text and "บาท/ครัวเรือน" in text


def test_names_from_spreadsheets_show_as_text_and_run_nothing(offline_page, tmp_path):
    page = offline_page.page
    options = offline_page.js("[...document.querySelectorAll('.planmap-filters option')].map(o => o.textContent)")
    assert f"หน่วยงาน {XSS}" in options
    group = offline_page.js(
        "Object.keys(planmap.layers).find(k => planmap.layers[k].planmapAll && "
        f"planmap.layers[k].planmapData.tt.some(t => t[0] === {XSS!r}))")
    offline_page.js(f"(() => {{ const g = planmap.layers[{group!r}]; const d = g.planmapData;"
                    f" const i = d.tt.findIndex(t => t[0] === {XSS!r});"
                    " const l = g.planmapAll.find(x => x.planmapIndex === i);"
                    f" Object.values(window).find(v => v instanceof L.Map).setView(l.getLatLng(), 14);"
                    " l.openTooltip(); })()")
    page.wait_for_timeout(300)
    assert XSS in page.locator(".leaflet-tooltip:not(.planmap-label)").first.inner_text()
    assert offline_page.js("window.__xss === undefined")
    assert offline_page.js("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert offline_page.dialogs == []
    offline_page.shot(tmp_path / "webmap_escaped.png")


def test_filters_hide_other_agencies(offline_page):
    page = offline_page.page
    count = "planmap.projectGroups.reduce((n, g) => n + g.getLayers().length, 0)"
    before = offline_page.js(count)
    page.select_option(".planmap-filters select[data-field='agency']", "กรมทางหลวงชนบท")
    after = offline_page.js(count)
    assert 0 < after < before
    page.select_option(".planmap-filters select[data-field='agency']", "")
    assert offline_page.js(count) == before


def test_english_tambon_map(plan, browser, tmp_path):
    path = pm.save_webmap(plan, tmp_path / "nst_en.html", lang="en", layers=[("n_projects", "tambon")],
                          projects=False, offline=True)
    page = Page(browser, path)
    assert page.js("planmap.layers['Number of projects (tambon)'].getLayers().length") == 170
    assert "Nakhon Si Thammarat" in page.page.locator(".planmap-title").inner_text()
    assert page.errors == []
    page.shot(tmp_path / "webmap_en.png")
    page.page.close()


def test_the_demo_web_map_renders_with_the_network_blocked(browser, no_reference, tmp_path, capsys):
    """README command 1 on a fresh machine (no cache, no PLANMAP_BOUNDARIES), opened offline."""
    assert main(["-q", "demo", "--out", str(tmp_path), "--no-atlas"]) == 0
    assert "Web map (HTML, works offline)" in capsys.readouterr().out
    page = Page(browser, tmp_path / "webmap.html", block_network=True)
    tambon_layer = "จำนวนโครงการ (ตำบล)"
    page.page.evaluate(f"Object.values(window).find(v => v instanceof L.Map).addLayer(planmap.layers[{tambon_layer!r}])")
    assert page.js(f"planmap.layers[{tambon_layer!r}].getLayers().length") == 170
    assert page.js("document.querySelectorAll('.planmap-label').length") == 23
    assert page.js("document.querySelectorAll('path.leaflet-interactive').length") >= 1550 + 170
    assert page.errors == [] and page.blocked == []
    page.shot(tmp_path / "webmap_demo_offline.png")
    page.page.close()
