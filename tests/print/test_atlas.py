"""The printed atlas, checked with poppler: pages, paper size, embedded Thai font, text, ink."""

from __future__ import annotations

import multiprocessing.context
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis._years import thai_date
from planmap_gis.draw.classify import classify
from planmap_gis.draw.printed import fonts as _fonts
from planmap_gis.draw.printed.atlas import atlas, atlas_pages, district_map

if shutil.which("pdftoppm") is None:
    if os.environ.get("CI"):
        pytest.fail("CI needs poppler-utils (pdftoppm, pdffonts, pdftotext): run `make test`.",
                    pytrace=False)
    pytest.skip("poppler-utils missing: run `make test`.", allow_module_level=True)

A3_PT = (841.89, 1190.55)


def run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def plan():
    data = demo.load()  # the packaged layer: NST at print quality (within 100 m of the official outline)
    assert (data.tambons["boundary_fidelity"] == "detailed").all()
    areas = pm.village_areas(data.villages, data.tambons)
    return pm.analyse(data.tambons, data.projects, villages=areas, indicators=data.indicators,
                      permutations=99, notes=(f"{data.note_th} ({data.note_en})",))


@pytest.fixture(scope="module")
def nst_atlas(plan, tmp_path_factory):
    start = time.perf_counter()
    path = atlas(plan, tmp_path_factory.mktemp("atlas") / "nst_atlas.pdf", progress=False)
    print(f"\nNST atlas, {atlas_pages(plan)} A3 pages: {time.perf_counter() - start:.1f} s")
    return path


def test_overview_need_then_each_amphoe_map_and_project_sheet_on_a3(nst_atlas, plan):
    # overview, need against response, then per amphoe its map and its project sheet
    pages = atlas_pages(plan)
    assert pages >= 2 + 2 * 23
    info = run("pdfinfo", "-f", "1", "-l", str(pages), str(nst_atlas))
    assert re.search(rf"^Pages:\s+{pages}$", info, re.M)
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert len(sizes) == pages
    for w, h in sizes:
        assert sorted((float(w), float(h))) == pytest.approx(A3_PT, abs=0.5)  # 297 × 420 mm


def test_the_thai_font_is_embedded(nst_atlas):
    fonts = run("pdffonts", str(nst_atlas))
    thai = [line for line in fonts.splitlines() if "NotoSansThai" in line]
    assert thai and all(" yes " in line.replace("  ", " ") for line in thai)


def test_text_holds_every_amphoe_name_and_the_labels(nst_atlas, plan):
    # The text layer reads as typed, in content order and in reading layout alike: sara am (ำ),
    # marks off tall consonants (ฝั่ง), labels with a halo.
    for text in (run("pdftotext", "-raw", str(nst_atlas), "-"), run("pdftotext", str(nst_atlas), "-")):
        assert "\u200b" not in text
        for word in ("อำเภอ", "ตำบล", "ซ้ำซ้อน", "ถ้ำพรรณรา", "ปากพนังฝั่งตะวันออก"):
            assert word in text, word
        for name in [*plan.amphoes.amphoe_th, *plan.tambons.tambon_th]:
            assert name in text, name
    text = run("pdftotext", "-raw", str(nst_atlas), "-")
    assert "เมืองนครศรีธรรมราช" in text  # repaired from the truncated boundary file
    assert "ข้อมูลสมมุติ" in text and "Illustrative demo data" in text
    assert "OCHA" in text and "CC BY-IGO" in text
    assert thai_date().split()[-1] in text  # Buddhist-era production year
    assert "กม. (km)" in text and "ไม่มีข้อมูล" in text


def test_no_page_is_blank(nst_atlas, plan, tmp_path):
    run("pdftoppm", "-png", "-r", "20", str(nst_atlas), str(tmp_path / "page"))
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == atlas_pages(plan)
    from PIL import Image
    for page in pages:
        pixels = np.asarray(Image.open(page).convert("L"))
        assert (pixels < 240).mean() > 0.02, page.name
    folder = os.environ.get("PLANMAP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        run("pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "2", str(nst_atlas), f"{folder}/atlas")


def test_district_map_uses_the_web_map_classes(plan, tmp_path):
    fig = district_map(plan, "8012", paper="A4", path=tmp_path / "pak_phanang.png", dpi=40)
    assert isinstance(fig, Figure) and (tmp_path / "pak_phanang.png").stat().st_size > 10_000
    legend_texts = {t.get_text() for t in fig.legends[0].get_texts()}
    expected = classify(plan.metrics["village"].budget_per_household, "budget_per_household")
    assert set(expected.labels("th")) <= legend_texts
    assert fig.get_size_inches().round(2).tolist() in ([8.27, 11.69], [11.69, 8.27])


def test_the_need_key_prints_its_ranges_and_the_hot_spot_legend_names_its_test(nst_atlas, plan):
    """Issue 27.7 and 27.2: the 3 × 3 key shows each tercile's range with its unit; a hot-spot map
    names the test, its level and its permutations."""
    page = run("pdftotext", "-f", "2", "-l", "2", str(nst_atlas), "-")
    assert "บาท/ครัวเรือน" in page and "(%)" in page
    for tercile, row in plan.bivariate["village"].loc["budget"].iterrows():
        assert f"{row['low']:,.0f}–" in page and f"{row['high']:,.0f}" in page, tercile
    for tercile, row in plan.bivariate["village"].loc["need"].iterrows():
        assert f"{row['low'] * 100:.1f}–{row['high'] * 100:.1f}" in page, tercile
    fig = district_map(plan, "8012", metric="hotspot", paper="A4")
    said = " ".join(t.get_text() for t in fig.legends[0].get_texts()).replace("\n", " ")
    assert "Getis-Ord Gi*" in said and "99" in said and "q ≤ 0.05" in said


def test_every_tambon_holding_a_priority_village_is_named_on_its_printed_page(nst_atlas, plan):
    """Issue 28, read back from the PDF: each amphoe page names (pdftotext) every tambon holding one
    of its numbered priority villages."""
    from planmap_gis.draw.printed.maps import priority_villages

    names = plan.tambons.set_index("tambon_code")["tambon_th"]
    amphoe = dict(zip(plan.amphoes.amphoe_th, plan.amphoes.amphoe_code, strict=True))
    checked = 0
    for page in range(1, atlas_pages(plan) + 1):
        text = run("pdftotext", "-f", str(page), "-l", str(page), str(nst_atlas), "-")
        title = re.search(r"งบประมาณต่อครัวเรือน — อำเภอ(\S+) จังหวัด", text)
        if not title or title.group(1) not in amphoe:
            continue
        for village in priority_villages(plan, amphoe[title.group(1)]).index:
            assert f"ต.{names[str(village)[:6]]}" in text, (title.group(1), village)
            checked += 1
    assert checked >= 5 * 20  # five numbered villages on (nearly) every one of the 23 amphoe pages


def test_missing_thai_font_is_a_clear_error(plan, monkeypatch):
    monkeypatch.setattr(_fonts, "_packaged", lambda: None)
    monkeypatch.setattr(_fonts, "SYSTEM_FAMILIES", ("No Such Thai Font",))
    with pytest.raises(_fonts.FontError, match="fontpkg-noto-sans-thai.*fonts-thai-tlwg"):
        district_map(plan, "8012")


def test_bad_arguments(plan):
    with pytest.raises(pm.PlanmapError, match="no amphoe '9999'"):
        district_map(plan, "9999")
    with pytest.raises(pm.PlanmapError, match="paper must be one of"):
        district_map(plan, "8012", paper="Letter")


def test_a_page_is_drawn_once_when_saved_not_after_every_layer(plan, monkeypatch):
    from planmap_gis.draw.printed import layout

    draws = []
    monkeypatch.setattr(layout._Canvas, "draw", lambda self, *a, **k: draws.append(1))
    fig = district_map(plan, "8012")
    assert draws == []  # geopandas's redraw requests are ignored while the page is built
    assert len(fig.axes) >= 2 and any(t.get_text().startswith("ต.") for t in fig.axes[0].texts)


def test_an_atlas_drawn_in_two_lanes_is_the_atlas_drawn_in_one(plan, tmp_path, monkeypatch):
    forked = []
    start = multiprocessing.context.ForkProcess.start
    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start",
                        lambda self: (forked.append(self), start(self))[1])
    one = atlas(plan, tmp_path / "one.pdf", project_sheets=False, progress=False, processes=1)
    assert not forked
    two = atlas(plan, tmp_path / "two.pdf", project_sheets=False, progress=False, processes=2)
    assert len(forked) == 1  # the second run of pages was drawn in a forked lane
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.pdf", "two.pdf"]  # no part left behind
    pages = atlas_pages(plan, project_sheets=False)
    for pdf in (one, two):
        assert re.search(rf"^Pages:\s+{pages}$", run("pdfinfo", str(pdf)), re.M)
    # the same pages in the same order, the Thai searchable as typed, the document's title kept
    assert run("pdftotext", "-layout", str(two), "-") == run("pdftotext", "-layout", str(one), "-")
    info = {line.split(":")[0]: line for line in run("pdfinfo", str(two)).splitlines()}
    assert info["Title"] == {line.split(":")[0]: line for line in run("pdfinfo", str(one)).splitlines()}["Title"]
    assert "Nakhon Si Thammarat" in info["Title"]
    for page in (1, pages // 2, pages // 2 + 1, pages):  # each page looks the same, around the join too
        shots = [subprocess.run(["pdftoppm", "-r", "20", "-f", str(page), "-l", str(page), "-gray", str(pdf)],
                                capture_output=True, check=True).stdout for pdf in (one, two)]
        assert shots[0] == shots[1], page
