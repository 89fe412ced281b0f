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
from planmap_gis.cli import main
from planmap_gis.demo.proposals import demo_caps, demo_proposals
from planmap_gis.draw.assets import missing_assets

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
    projects.loc[located, ["name_th", "agency", "sector"]] = [XSS, f"หน่วยงาน {XSS}", XSS]
    areas = pm.village_areas(data.villages, data.tambons)
    return pm.analyse(data.tambons, projects, villages=areas, indicators=data.indicators,
                      permutations=99, notes=(data.note_en,), facilitators=data.facilitators)


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

    def do(self, code: str) -> None:
        """Run a statement for its effect. Leaflet's calls return the map, which Playwright would
        serialise with every layer it holds — about 100 s for the demo map — so nothing is returned."""
        self.page.evaluate(f"() => {{ {code}; }}")
        self.page.wait_for_timeout(400)  # a zoom or pan animates for 250 ms: let it settle

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


def test_one_theme_at_a_time_with_its_legend_and_title(offline_page, tmp_path):
    page = offline_page.page
    legends = "Array.from(document.querySelectorAll('.planmap-legend strong')).map(e => e.textContent)"
    title = "document.querySelector('.planmap-title').firstChild.textContent"
    assert offline_page.js(title).startswith("งบประมาณต่อครัวเรือน (หมู่บ้าน)")
    before = offline_page.js(legends)
    page.hover(".leaflet-control-layers")
    themes = page.locator(".leaflet-control-layers-base label")
    assert themes.count() >= 8 and page.locator(".leaflet-control-layers-base input[type=radio]").count() >= 8
    themes.filter(has_text="ดัชนีความเข้มแข็งของชุมชน").first.click()
    page.wait_for_timeout(300)
    after = offline_page.js(legends)
    assert not any(t.startswith("งบประมาณต่อครัวเรือน") for t in after)  # the first theme and its legend left
    assert any(t.startswith("ดัชนีความเข้มแข็งของชุมชน") for t in after) and len(after) == len(before)
    assert offline_page.js(title).startswith("ดัชนีความเข้มแข็งของชุมชน (หมู่บ้าน)")
    shown = offline_page.js("Object.keys(planmap.layers).filter(k => planmap.titles[k] && "
                            "Object.values(window).find(v => v instanceof L.Map).hasLayer(planmap.layers[k]))")
    assert shown == ["ดัชนีความเข้มแข็งของชุมชน (หมู่บ้าน)"]
    page.mouse.move(5, 990)
    offline_page.shot(tmp_path / "webmap_theme.png")
    page.hover(".leaflet-control-layers")
    themes.filter(has_text="งบประมาณต่อครัวเรือน (หมู่บ้าน)").first.click()  # as it was for the next tests
    page.mouse.move(5, 990)


def test_find_a_place_by_name_even_misspelt(offline_page, tmp_path):
    page = offline_page.page
    the_map = "Object.values(window).find(v => v instanceof L.Map)"
    for query in ("ท่าศาลา", "ท่าสาลา", "Tha Sala", "8008"):
        page.fill(".planmap-search input", query)
        results = offline_page.js("Array.from(document.querySelectorAll('.planmap-result')).map(e => e.textContent)")
        assert any("ท่าศาลา" in r for r in results), (query, results)
    page.fill(".planmap-search input", "ท่าสาลา")
    page.press(".planmap-search input", "Enter")
    page.wait_for_timeout(800)
    assert offline_page.js(f"{the_map}.getZoom()") > 10
    popup = offline_page.js("document.querySelector('.leaflet-popup-content').textContent")
    assert "ท่าศาลา" in popup
    # Tambon names appear when zoomed in
    assert offline_page.js("document.querySelectorAll('.planmap-tambon-label').length") > 0
    # No hover tooltip over the open popup
    assert offline_page.js(f"{the_map}.getContainer().classList.contains('planmap-popup-open')")
    page.mouse.move(700, 500)
    page.wait_for_timeout(200)
    visible = offline_page.js("Array.from(document.querySelectorAll('.leaflet-tooltip')).filter(t => "
                              "!t.classList.contains('planmap-label') && !t.classList.contains('planmap-tambon-label') "
                              "&& getComputedStyle(t).display !== 'none').length")
    assert visible == 0
    offline_page.shot(tmp_path / "webmap_search.png")
    offline_page.do(f"{the_map}.closePopup()")
    offline_page.do(f"{the_map}.setZoom(8)")
    page.fill(".planmap-search input", "")


def test_print_and_save_the_view(offline_page, tmp_path):
    page = offline_page.page
    offline_page.js("planmap.preparePrint(Object.values(window).find(v => v instanceof L.Map))")
    page.emulate_media(media="print")
    # Issue 28: at the print scale no two names overprint each other.
    boxes = offline_page.js("Array.from(document.querySelectorAll('.planmap-label, .planmap-tambon-label'))"
                            ".filter(e => e.style.visibility !== 'hidden' && e.getBoundingClientRect().width)"
                            ".map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })")
    assert boxes and not any(a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]
                             for i, a in enumerate(boxes) for b in boxes[i + 1:])
    pdf = tmp_path / "view.pdf"
    page.pdf(path=str(pdf), landscape=True, format="A4", print_background=True)
    page.emulate_media(media="screen")
    offline_page.js("planmap.endPrint(Object.values(window).find(v => v instanceof L.Map))")
    import subprocess

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "งบประมาณต่อครัวเรือน" in text and "OCHA" in text
    assert "277" in text or any(ch.isdigit() for ch in text)  # the legend's classes
    legend = offline_page.js("Array.from(document.querySelectorAll('.planmap-legend div')).map(e => e.textContent)")
    assert sum(label.replace(",", "") in text.replace(",", "") for label in legend if label) >= 3
    assert "พิมพ์" not in text  # the buttons stay off paper
    offline_page.do("Object.values(window).find(v => v instanceof L.Map).fitBounds("
                    "planmap.layers['งบประมาณต่อครัวเรือน (หมู่บ้าน)'].getBounds())")
    page.wait_for_timeout(400)
    with page.expect_download() as download:
        page.click(".planmap-png")
    saved = tmp_path / "view.png"
    download.value.save_as(saved)
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(saved).convert("RGB")).astype(int)
    background = np.array([0xee, 0xf2, 0xf5])
    drawn = (np.abs(pixels - background).sum(axis=2) > 30).mean()
    assert pixels.shape[0] > 500 and drawn > 0.15  # the province, not an empty canvas
    # The image carries a scale bar and a north arrow, and the names shown on the map.
    assert offline_page.js("planmap.pngScale") > 0 and offline_page.js("planmap.pngNorth") is True
    assert offline_page.js("document.querySelectorAll('.planmap-label').length") > 0
    folder = os.environ.get("PLANMAP_SCREENSHOTS")
    if folder:
        shutil.copy(saved, Path(folder) / "webmap_saved_view.png")


def test_the_year_selector_redraws_the_theme_with_that_year(offline_page, tmp_path):
    page = offline_page.page
    name = "งบประมาณต่อครัวเรือน (หมู่บ้าน)"
    fills = (f"(() => {{ const out = []; planmap.layers[{name!r}].eachLayer(l => out.push(l.options.fillColor)); "
             "return out; })()")
    before = offline_page.js(fills)
    legend_before = offline_page.js("Array.from(document.querySelectorAll('.planmap-legend div')).map(e => e.textContent)")
    page.select_option(".planmap-years select", "2568")
    page.wait_for_timeout(300)
    after = offline_page.js(fills)
    assert sum(a != b for a, b in zip(before, after, strict=True)) > 100  # other years, other classes
    legend_after = offline_page.js("Array.from(document.querySelectorAll('.planmap-legend div')).map(e => e.textContent)")
    assert legend_after != legend_before and any("2568" in t for t in legend_after)
    title = offline_page.js("document.querySelector('.planmap-title').firstChild.textContent")
    assert "ปีงบประมาณ 2568" in title and "2570" not in title and "2568–" not in title  # one year, said once
    # Issue 28: the footprints of the other years are hidden with the colours.
    years = offline_page.js("planmap.projectGroups.flatMap(g => { const out = []; g.eachLayer(l => "
                            "out.push(g.planmapData.attr.year[l.planmapIndex])); return out; })")
    assert years and set(years) == {"2568"}
    page.mouse.move(5, 990)
    offline_page.shot(tmp_path / "webmap_year_2568.png")
    page.select_option(".planmap-years select", "")
    assert offline_page.js(fills) == before
    shown = offline_page.js("planmap.projectGroups.reduce((n, g) => n + g.getLayers().length, 0)")
    assert shown == offline_page.js("planmap.projectGroups.reduce((n, g) => n + g.planmapAll.length, 0)")


def test_two_maps_side_by_side_move_together(offline_page, tmp_path):
    page = offline_page.page
    page.click("button.planmap-split")
    page.wait_for_timeout(400)
    second = "planmap.second"
    assert offline_page.js(f"!!{second} && document.querySelectorAll('#planmap-second path').length") > 1000
    options = offline_page.js("Array.from(document.querySelectorAll('.planmap-second-title option')).map(o => o.textContent)")
    need = next(i for i, o in enumerate(options) if o.startswith("ความจำเป็นเทียบงบประมาณ"))
    year = next(i for i, o in enumerate(options) if o.endswith("2569"))
    page.select_option(".planmap-second-title select", str(need))
    page.wait_for_timeout(300)
    assert "ความจำเป็นเทียบงบประมาณ" in offline_page.js(
        "document.querySelector('.planmap-legend-second strong').textContent")
    page.select_option(".planmap-second-title select", str(year))
    page.wait_for_timeout(300)
    assert offline_page.js("document.querySelector('.planmap-legend-second strong').textContent").endswith("2569")
    the_map = "Object.values(window).find(v => v instanceof L.Map && v !== planmap.second)"
    offline_page.do(f"{the_map}.setZoom(10)")
    page.wait_for_timeout(300)
    assert offline_page.js(f"{second}.getZoom()") == 10
    page.mouse.move(5, 990)
    offline_page.shot(tmp_path / "webmap_side_by_side.png")
    page.click("button.planmap-split")
    assert offline_page.js("planmap.second") is None
    offline_page.do(f"{the_map}.setZoom(8)")
    page.wait_for_timeout(300)
    assert not [e for e in offline_page.errors if "_leaflet_pos" in e or "undefined" in e]


def test_side_by_side_opens_centred_with_the_same_overlays_and_closes_cleanly(offline_page, tmp_path):
    """Issue 28: both panes centred on the place looked at, the outlines, names and projects in both;
    closing leaves no page error and the map whole."""
    page = offline_page.page
    the_map = "Object.values(window).find(v => v instanceof L.Map && v !== planmap.second)"
    before = offline_page.js(f"[{the_map}.getCenter().lat, {the_map}.getCenter().lng]")
    errors = len(offline_page.errors)
    page.click("button.planmap-split")
    page.wait_for_timeout(400)
    left = offline_page.js(f"[{the_map}.getCenter().lat, {the_map}.getCenter().lng]")
    right = offline_page.js("[planmap.second.getCenter().lat, planmap.second.getCenter().lng]")
    assert abs(left[0] - before[0]) < 0.01 and abs(left[1] - before[1]) < 0.01
    assert abs(right[0] - before[0]) < 0.01 and abs(right[1] - before[1]) < 0.01
    names = offline_page.js("Array.from(document.querySelectorAll('#planmap-second .planmap-label')).length")
    main_names = offline_page.js("Array.from(document.querySelectorAll('.leaflet-container:not(#planmap-second) "
                                 ".planmap-label')).length")
    assert names == main_names > 0  # the amphoe names in both panes
    projects = offline_page.js("(() => { let n = 0; planmap.second.eachLayer(l => { if (l.planmapIndex !== undefined "
                               "&& l.options && l.options.radius) n++; }); return n; })()")
    assert projects > 0
    page.click("button.planmap-split")
    page.wait_for_timeout(300)
    offline_page.do(f"{the_map}.setZoom({the_map}.getZoom() + 1)")
    page.wait_for_timeout(300)
    assert offline_page.errors[errors:] == []
    drawn = offline_page.js("document.querySelectorAll('.leaflet-overlay-pane path').length")
    assert drawn > 1000 and offline_page.js("document.getElementById('planmap-second')") is None
    offline_page.do(f"{the_map}.setZoom({the_map}.getZoom() - 1)")



def test_ranks_say_of_how_many_and_popups_list_a_few_projects(offline_page):
    data = offline_page.js("planmap_village.pp.find(p => p.some(l => l.indexOf('ลำดับความสำคัญ') === 0))")
    assert any(line.startswith("ลำดับความสำคัญ") and " จาก 1,550" in line for line in data)
    assert offline_page.js("planmap.popupProjects") == 8
    assert offline_page.js("document.querySelectorAll('.leaflet-control-scale-line').length") == 1  # km only


def test_tooltip_shows_the_thai_village_name(offline_page, plan):
    village = plan.villages.iloc[700]
    point = village.geometry.representative_point()
    mapvar = offline_page.js("Object.keys(window).find(k => k.startsWith('map_'))")
    xy = offline_page.js(f"(() => {{ const p = {mapvar}.latLngToContainerPoint([{point.y}, {point.x}]);"
                         " const r = document.getElementById('" + mapvar + "').getBoundingClientRect();"
                         " return [p.x + r.left, p.y + r.top]; })()")
    offline_page.page.mouse.move(xy[0] + 1, xy[1])  # enter the polygon, then move inside it
    offline_page.page.mouse.move(*xy)
    tooltip = offline_page.page.locator(".leaflet-tooltip:not(.planmap-label):not(.planmap-tambon-label)").last
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
    assert XSS in page.locator(".leaflet-tooltip:not(.planmap-label):not(.planmap-tambon-label)").first.inner_text()
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
    page.do(f"Object.values(window).find(v => v instanceof L.Map).addLayer(planmap.layers[{tambon_layer!r}])")
    assert page.js(f"planmap.layers[{tambon_layer!r}].getLayers().length") == 170
    assert page.js("document.querySelectorAll('.planmap-label').length") == 23
    assert page.js("document.querySelectorAll('path.leaflet-interactive').length") >= 1550 + 170
    assert page.errors == [] and page.blocked == []
    page.shot(tmp_path / "webmap_demo_offline.png")
    page.page.close()


def test_the_facilitator_theme_names_the_missing_skills_as_text(offline_page, plan):
    page = offline_page.page
    page.hover(".leaflet-control-layers")
    page.locator(".leaflet-control-layers-base label").filter(has_text="คุณอำนวย").first.click()
    page.wait_for_timeout(300)
    title = offline_page.js("document.querySelector('.planmap-title').firstChild.textContent")
    assert title.startswith("โครงการที่ไม่มีคุณอำนวยที่มีทักษะในตำบล (หมู่บ้าน)")
    legend = offline_page.js("document.querySelector('.planmap-legend').textContent")
    assert "ไม่มีโครงการที่ระบุหมู่บ้านนี้" in legend and "3 – 6" in legend
    # The village of the project whose sector is hostile text: its tooltip names it, inert.
    village = plan.metrics["village"].index[plan.metrics["village"]["unsupported_sectors"].str.contains("<img")][0]
    point = plan.villages.set_index("village_code").geometry[village].representative_point()
    mapvar = offline_page.js("Object.keys(window).find(k => k.startsWith('map_'))")
    offline_page.do(f"{mapvar}.setView([{point.y}, {point.x}], 13)")
    page.wait_for_timeout(300)
    xy = offline_page.js(f"(() => {{ const p = {mapvar}.latLngToContainerPoint([{point.y}, {point.x}]);"
                         " const r = document.getElementById('" + mapvar + "').getBoundingClientRect();"
                         " return [p.x + r.left, p.y + r.top]; })()")
    page.mouse.move(xy[0] + 1, xy[1])
    page.mouse.move(*xy)
    tooltip = page.locator(".leaflet-tooltip:not(.planmap-label):not(.planmap-tambon-label)").last
    tooltip.wait_for(timeout=3000)
    assert XSS in tooltip.inner_text() and offline_page.js("window.__xss === undefined")
    page.mouse.move(5, 990)
    page.hover(".leaflet-control-layers")
    page.locator(".leaflet-control-layers-base label").filter(has_text="งบประมาณต่อครัวเรือน (หมู่บ้าน)").first.click()
    page.mouse.move(5, 990)
    offline_page.do(f"{mapvar}.setZoom(8)")


def test_without_a_register_the_map_opens_coloured_by_data(browser, nst_path, tmp_path):
    """The workshop's first run: no village register, so no households. The first theme is the
    budget per tambon, coloured; the themes that need households are named as left out."""
    data = demo.load(boundaries=nst_path)
    plan = pm.analyse(data.tambons, data.projects, permutations=0)
    path = pm.save_webmap(plan, tmp_path / "workshop.html")
    page = Page(browser, path, block_network=True)
    try:
        first = "งบประมาณรวม (ตำบล)"
        assert page.page.title().startswith(first)
        colours = page.js(f"planmap.layers[{first!r}].getLayers().map(l => l.options.fillColor)")
        assert len(colours) == 170
        grey = sum(c.lower() == "#bdbdbd" for c in colours)
        assert grey == 0 and len(set(colours)) >= 3  # every tambon has a value (0 is a value), classes vary
        title = page.js("document.querySelector('.planmap-title').textContent")
        assert "ยังไม่แสดง" in title and "--villages" in title
        assert page.errors == [] and page.blocked == []
        page.shot(tmp_path / "webmap_workshop.png")
    finally:
        page.page.close()


def test_the_screening_theme_colours_proposals_by_verdict_and_says_why(plan, browser, tmp_path):
    """Proposals coloured by verdict, with their reasons in popups; a hostile proposal name stays text."""
    proposals = demo_proposals(plan.tambons, plan.villages, plan.projects, n=30)
    proposals.loc[2, "name_th"] = XSS
    screening = pm.screen(plan, proposals, budget=demo_caps(proposals))
    path = pm.save_webmap(plan, tmp_path / "screening.html", projects=False, screening=screening)
    view = Page(browser, path, block_network=True)
    try:
        name = "ข้อเสนอโครงการ (สีตามผลการคัดกรอง)"
        drawn = screening.proposals.geometry.notna().sum()
        assert view.js(f"planmap.layers[{name!r}].getLayers().length") == drawn
        legend = view.js("Array.from(document.querySelectorAll('.planmap-legend')).map(e => e.textContent).join('|')")
        counts = screening.proposals["verdict_th"].value_counts()
        for verdict, n in counts.items():
            assert f"{verdict} ({n})" in legend
        # the hostile proposal's popup: its name as text, its verdict and reasons, nothing run
        drawn_order = [i for i in screening.table().index if screening.proposals.geometry[i] is not None]
        row = drawn_order.index(2)  # the layer follows the table's order, drawn proposals only
        text = view.js(f"""(() => {{ const l = planmap.layers[{name!r}].getLayers()[{row}];
            const one = l.getLayers ? l.getLayers()[0] : l; l.openPopup(one.getLatLng());
            return document.querySelector('.leaflet-popup-content').innerText; }})()""")
        row_data = screening.proposals.loc[2]
        assert XSS in text and row_data["verdict_th"] in text
        assert row_data["reasons_th"].split(" · ")[0] in text
        assert view.js("window.__xss === undefined") and view.errors == [] and view.dialogs == []
        assert not view.blocked
        view.shot(tmp_path / "webmap_screening.png")
    finally:
        view.page.close()
