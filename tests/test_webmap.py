"""Web map HTML without a browser: what it carries and how big it is."""

from __future__ import annotations

import json
from dataclasses import replace
import re

import numpy as np
import pandas as pd
import pytest
import shapely

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis.draw.classify import format_number
from planmap_gis.draw.classify import NO_DATA_COLOR, classify
from planmap_gis.draw import webmap_spill
from planmap_gis.draw.webmap_tools import encode, write_html
from planmap_gis.draw.webmap_popups import _names


@pytest.fixture(scope="module")
def small_plan(fictional):
    villages = demo.demo_villages(fictional)
    areas = pm.village_areas(villages, fictional)
    projects = demo.demo_projects(fictional, villages, n=40)
    return pm.analyse(fictional, projects, villages=areas,
                      indicators=demo.demo_indicators(villages), permutations=0)


def test_geometry_encoding_round_trips_to_a_metre():
    polygon = shapely.Polygon([(100.123456, 9.5), (100.2, 9.5), (100.2, 9.6)], [[(100.15, 9.51),
                              (100.19, 9.51), (100.19, 9.55)]])
    kind, rings = encode(polygon)
    decoded = [np.cumsum(np.array(r).reshape(-1, 2), axis=0) / 1e5 for r in rings]
    assert kind == "P" and len(rings) == 2
    assert np.abs(decoded[0] - np.array(polygon.exterior.coords)).max() <= 0.5e-5
    assert encode(None) is None and encode(shapely.Point(100, 9))[0] == "Pt"


def test_online_map_links_leaflet_and_carries_utf8_thai(small_plan, tmp_path):
    path = pm.save_webmap(small_plan, tmp_path / "online.html", layers=[("n_projects", "tambon")],
                          offline=False)
    html = path.read_text("utf-8")
    assert re.search(r'<script src="https://[^"]+leaflet[^"]*\.js"', html)
    assert "จำนวนโครงการ" in html and "\\u0e08" not in html  # UTF-8, not escapes


def test_maps_carry_leaflet_and_its_licence_by_default(small_plan, tmp_path):
    html = pm.save_webmap(small_plan, tmp_path / "m.html").read_text("utf-8")
    assert "Leaflet 1.9.3, a JS library for interactive maps" in html
    assert "L.MarkerClusterGroup" in html and "BSD 2-Clause" in html and "MIT License" in html
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', html)  # nothing to fetch
    assert "images/layers.png" not in html  # the control's icons are inlined too


def test_missing_assets_stop_before_a_blank_page_is_written(small_plan, tmp_path, monkeypatch):
    from planmap_gis.draw import assets

    monkeypatch.setitem(assets.ASSETS, "leaflet", ("xstatic.pkg.not_installed", "1.9.3",
                                                   assets.ASSETS["leaflet"][2]))
    assets._verified.cache_clear()
    with pytest.raises(assets.AssetError, match="XStatic-Leaflet is not installed.*--online"):
        pm.save_webmap(small_plan, tmp_path / "blank.html")
    assert not (tmp_path / "blank.html").exists()
    assets._verified.cache_clear()


def test_data_cannot_close_the_script_element(small_plan, tmp_path):
    projects = small_plan.projects.copy()
    projects.loc[projects.index[0], "name_th"] = "</script><script>alert(1)</script>"
    plan = pm.analyse(small_plan.tambons, projects, villages=small_plan.villages.reset_index(drop=True),
                      permutations=0)
    html = pm.save_webmap(plan, tmp_path / "x.html", layers=[("n_projects", "village")]).read_text("utf-8")
    assert "</script><script>alert(1)" not in html
    assert "\\u003c/script\\u003e" in html


def test_text_from_a_sheet_is_never_run_as_a_template(small_plan, tmp_path):
    projects = small_plan.projects.copy()
    projects.loc[projects.index[0], "name_th"] = "โครงการ {{ 7*7 }} {% if true %}จริง{% endif %}"
    projects.loc[projects.index[1], "agency"] = "หน่วยงาน {{ ''.__class__ }} {% raw"  # unclosed: not a crash
    plan = pm.analyse(small_plan.tambons, projects, villages=small_plan.villages.reset_index(drop=True),
                      permutations=0)
    html = pm.save_webmap(plan, tmp_path / "x.html").read_text("utf-8")
    assert "โครงการ {{ 7*7 }} {% if true %}จริง{% endif %}" in html and "โครงการ 49" not in html
    assert "หน่วยงาน {{ ''.__class__ }} {% raw" in html


def test_the_streamed_page_is_the_rendered_page_and_leaves_the_map_whole(small_plan, tmp_path):
    def ids(text: str) -> str:  # folium names each element by a random number
        return re.sub(r"_[0-9a-f]{32}", "_id", text)

    # The same page as one map rendered whole (folium's \\uXXXX Thai written as UTF-8) ...
    whole = re.sub(r"\\u(0e[0-7][0-9a-fA-F])", lambda m: chr(int(m.group(1), 16)),
                   pm.webmap(small_plan).get_root().render())
    fmap = pm.webmap(small_plan)
    write_html(fmap, tmp_path / "x.html")
    written = (tmp_path / "x.html").read_bytes().decode("utf-8")
    assert ids(written) == ids(whole) and "\x00" not in written
    # ... with every layer's data in it, and the map still whole afterwards (a notebook shows it).
    assert written.count('"g":[') >= 3 and '"pp":[[' in written and '"pj":[[' in written
    assert fmap.get_root().render().count('"g":[') == written.count('"g":[')


def test_a_typed_escape_in_a_name_is_kept_as_typed(small_plan, tmp_path):
    # An agency's text is written as it is: "\u0e01" typed in a name is not turned into "ก".
    projects = small_plan.projects.copy()
    projects.loc[projects.index[0], "name_th"] = "ถนนสาย \\u0e01 ข"
    plan = pm.analyse(small_plan.tambons, projects, villages=small_plan.villages.reset_index(drop=True),
                      permutations=0)
    html = pm.save_webmap(plan, tmp_path / "x.html").read_text("utf-8")
    assert "ถนนสาย \\\\u0e01 ข" in html and "ถนนสาย \\ก ข" not in html


def test_same_classes_as_the_classifier(small_plan, tmp_path):
    html = pm.save_webmap(small_plan, tmp_path / "c.html", layers=[("n_projects", "village")],
                          projects=False).read_text("utf-8")
    data = json.loads(re.search(r'planmap\.geoLayer\(Object\.assign\(\{\}, planmap_village, (\{.*?\})\), "',
                                html).group(1))
    expected = classify(small_plan.metrics["village"].n_projects, "n_projects")
    assert data["k"] == expected.yb.tolist() and data["col"] == list(expected.colors)
    assert data["nd"] == NO_DATA_COLOR


def test_unknown_metric_or_level_is_a_clear_error(small_plan):
    with pytest.raises(pm.PlanmapError, match="unknown metric 'gdp'"):
        pm.webmap(small_plan, layers=[("gdp", "village")])
    with pytest.raises(pm.PlanmapError, match="drawn at village level, not 'amphoe'"):
        pm.webmap(small_plan, layers=[("hotspot", "amphoe")])


def test_counts_are_labelled_as_whole_numbers():
    counts = classify(np.array([0, 0, 0, 1, 1, 2, 2, 3, 5, 170]), "n_projects", k=4)
    assert counts.labels() == ("0", "1", "2", "3 – 170")  # not "0 – 0", "0 – 1", "1 – 2", "2 – 170"
    money = classify(np.array([0.5, 1.5, 2.5, 10.25]), "budget_per_household", k=2)
    assert money.labels() == ("0 – 2", "10")  # the values each class holds, as printed: no break shown twice
    # Issue 28: a measure with few values gets a class per value, not ranges; ranges never overlap.
    few = classify(np.array([0, 1 / 3, 1 / 3, 2 / 3, 1.0, 1.0]), "alignment", scheme="quantiles", k=5, breaks=None)
    assert few.labels() == ("0.00", "0.33", "0.67", "1.00")
    spread = classify(np.random.default_rng(1).lognormal(6, 1, 500), "budget_per_household", k=5)
    highs = [float(x.split(" – ")[-1].replace(",", "")) for x in spread.labels()]
    lows = [float(x.split(" – ")[0].replace(",", "")) for x in spread.labels()]
    assert all(h < lo for h, lo in zip(highs[:-1], lows[1:], strict=True))
    shares = classify(np.array([0, 0, 0, 0.2, 0.5, 0.7, 0.9, 1.0]), "alignment", k=4)
    assert shares.labels()[0] == "0.00"  # not "0.00 – 0.00"


def test_the_title_names_the_country_when_the_map_covers_it(small_plan):
    from planmap_gis.draw.webmap import _place

    tambons = small_plan.tambons
    assert _place(tambons, "th") == tambons.province_th.iloc[0]
    many = tambons.assign(province_th=[f"จังหวัด {i}" for i in range(len(tambons))],
                          province_en=[f"P{i}" for i in range(len(tambons))])
    assert _place(many, "th") == f"{len(tambons)} จังหวัด" and _place(many, "en") == f"{len(tambons)} provinces"


def test_the_need_budget_legend_prints_its_tercile_ranges(small_plan, tmp_path):
    html = pm.save_webmap(small_plan, tmp_path / "need.html", layers=[("need_budget", "village")]).read_text("utf-8")
    budget = small_plan.bivariate["village"].loc[("budget", 1)]
    assert f"{budget['low']:,.0f}\\u2013{budget['high']:,.0f}" in html or \
        f"{budget['low']:,.0f}–{budget['high']:,.0f}" in html
    assert "THB per household" in html or "บาท/ครัวเรือน" in html


def test_a_village_the_register_leaves_unnamed_is_shown_by_its_number_never_nan(small_plan):
    villages = small_plan.villages.copy()
    unnamed = villages["village_code"].astype(str).iloc[:2].tolist()
    villages.loc[villages.index[:2], "village_th"] = None  # a blank cell in the register
    names = _names(replace(small_plan, villages=villages), "village", pd.Series(unnamed), "th")["n"]
    assert names == [f"ม.{int(code[6:])}" for code in unnamed]
    assert not any("nan" in n or "None" in n for n in names)


def test_numbers_are_written_with_separators_and_a_dash_where_there_is_none():
    for missing in (None, pd.NA, pd.NaT, float("nan"), float("inf"), -float("inf"), np.float64("nan")):
        assert format_number(missing) == "–"
    assert format_number(1_234_567.5) == "1,234,568" and format_number(np.int64(1234), 1) == "1,234.0"
    assert format_number(-0.0001) == "0" and format_number(-0.4, 0) == "0" and format_number(-1.5, 1) == "-1.5"
    assert format_number(1234, thai_digits=True) == "๑,๒๓๔"
    with pytest.raises(ValueError):
        format_number("not a number")


def test_a_plan_holding_its_allocation_as_text_draws_the_same_page(small_plan, tmp_path):
    """The page reads the allocation's ids and codes by their codes: a Plan made elsewhere, with text
    columns (or an older one), gives the same project lists, popups and layers."""
    def ids(text: str) -> str:
        return re.sub(r"_[0-9a-f]{32}", "_id", text)

    alloc = small_plan.allocation
    as_text = replace(small_plan, allocation=alloc.astype({c: "str" for c in alloc.columns
                                                           if isinstance(alloc[c].dtype, pd.CategoricalDtype)}))
    assert not any(isinstance(t, pd.CategoricalDtype) for t in as_text.allocation.dtypes)
    write_html(pm.webmap(small_plan), tmp_path / "categorical.html")
    write_html(pm.webmap(as_text), tmp_path / "text.html")
    page = (tmp_path / "categorical.html").read_text(encoding="utf-8")
    assert '"pj":[[' in page and ids(page) == ids((tmp_path / "text.html").read_text(encoding="utf-8"))


def test_a_large_part_of_a_map_is_kept_on_disk_and_written_as_it_was(monkeypatch):
    thai = "ต.ท่าศาลา อ.ท่าศาลา \"<b>\" " * 5
    kept = webmap_spill.spill(["small", thai * 40_000])
    assert kept[0] == "small" and isinstance(kept[1], webmap_spill.Spilled)
    assert kept[1].size == len((thai * 40_000).encode("utf-8"))  # UTF-8 on disk, cut in chunks of characters
    assert webmap_spill.joined(kept) == "small" + thai * 40_000
    assert b"".join(webmap_spill.pieces(kept)).decode("utf-8") == "small" + thai * 40_000


def test_a_map_with_its_data_on_disk_is_the_same_page(small_plan, tmp_path, monkeypatch):
    def page(path):
        return re.sub(r"_[0-9a-f]{32}", "_ID", path.read_text(encoding="utf-8"))  # folium's random ids
    write_html(pm.webmap(small_plan), tmp_path / "memory.html")
    monkeypatch.setattr(webmap_spill, "SPILL_FROM", 10)  # every part of ten characters or more on disk
    fmap = pm.webmap(small_plan)
    assert any(isinstance(p, webmap_spill.Spilled) for child in fmap._children.values()
               for p in getattr(child, "parts", ()))
    write_html(fmap, tmp_path / "disk.html")
    assert page(tmp_path / "disk.html") == page(tmp_path / "memory.html")
    assert "planmap" in fmap._repr_html_()  # a notebook's view joins the parts again


def test_a_part_stays_in_memory_when_the_temporary_folder_cannot_take_it(monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(webmap_spill.tempfile, "TemporaryFile", full)
    assert webmap_spill.spill(["x" * webmap_spill.SPILL_FROM]) == ("x" * webmap_spill.SPILL_FROM,)
