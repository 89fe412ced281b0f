"""What the web map gives a planning room besides its themes: finding places, tambon outlines
that appear as one zooms in, a metric scale and north arrow, print and PNG buttons.

All of it runs offline in the one HTML file (``planmap.js``); the search index and names come
from the plan, as text, never as HTML.
"""

from __future__ import annotations

from typing import Any

from planmap_gis import _mapdata
from planmap_gis.plan import Plan

#: Tambon names appear from this zoom level on (a province fills the screen at about 8–9).
TAMBON_LABEL_ZOOM = 10
#: Projects listed in a popup before "… and k more".
POPUP_PROJECTS = 8


def _label(th: str, en: str, lang: str) -> str:
    """The Thai text, the English, or both ("th / en"), by the map's language."""
    return {"th": th, "en": en}.get(lang, f"{th} / {en}")


def tambon_layer(plan: Plan, lang: str, encode: Any, quantum: float, js: Any) -> tuple[str, str, str]:
    """The tambon outlines as a layer, and their names as a group shown from a zoom level on.

    Returns the JavaScript of the outline layer, of the label group, and the layer's name.
    """
    frame = _mapdata.units(plan, "tambon").to_crs(4326)
    points = frame.geometry.representative_point()
    names = frame[_mapdata.NAME_TH if lang != "en" else _mapdata.NAME_EN].str.split(" อ.").str[0]
    labels = [[round(p.x * quantum), round(p.y * quantum), n] for p, n in zip(points, names, strict=True)]
    data = {"g": [encode(g) for g in frame.geometry.values],
            "st": {"fill": "none", "fillOpacity": 0, "color": "#555555", "weight": 0.9, "opacity": 0.9}}
    name = _label("ขอบเขตตำบล (ชื่อเมื่อขยาย)", "Tambon outlines (names when zoomed in)", lang)
    outline = f"planmap.geoLayer({js(data)}, {js(name + ' (lines)')})"
    group = f"planmap.labels({js(labels)}, 'planmap-tambon-label')"
    return outline, group, name


def words(lang: str) -> dict[str, str]:
    """The interface's words in the map's language."""
    return {
        "more": _label("… และอีก {n} โครงการ: แสดงทั้งหมด", "… and {n} more: show all", lang),
        "filters": _label("ตัวกรองที่ใช้:", "Filters:", lang),
        "placeholder": _label("ค้นหาหมู่บ้าน ตำบล อำเภอ หรือรหัส", "Find a village, tambon, amphoe or code", lang),
        "none": _label("ไม่พบ", "not found", lang),
        "print": _label("พิมพ์", "Print", lang),
        "png": _label("บันทึกภาพ PNG", "Save PNG", lang),
        "split": _label("เทียบสองแผนที่", "Side by side", lang),
        "year": _label("ปีงบประมาณ", "FY", lang),
        "file": "planmap_view.png",
        "north": _label("เหนือ", "N", lang),
    }


def controls_script(map_name: str, plan: Plan, lang: str, js: Any) -> str:
    """Search, print and PNG buttons, a metric scale bar, a north arrow and quiet tooltips."""
    w = words(lang)
    return "\n".join([
        f"planmap.popupProjects = {POPUP_PROJECTS};",
        f"planmap.words = Object.assign(planmap.words, {js(w)});",
        f"L.control.scale({{imperial: false, metric: true, position: 'bottomleft'}}).addTo({map_name});",
        f"(function () {{ var c = L.control({{position: 'bottomleft'}}); c.onAdd = function () {{"
        f" var b = L.DomUtil.create('div', 'planmap-box planmap-north'); b.textContent = '▲ ' + {js(w['north'])};"
        f" return b; }}; c.addTo({map_name}); }})();",
        f"planmap.search({map_name}, planmap.words);",
        f"planmap.viewButtons({map_name}, planmap.words);",
        f"planmap.quietTooltips({map_name});",
    ])


#: Themes whose values can be shown for one fiscal year at a time.
YEAR_METRICS = ("budget_per_household", "budget_thb", "n_projects")
#: A theme carries its yearly classes only up to this many unit-years: a province's villages over a
#: few years, not the national tambon layer (which would grow the page by a third).
YEARLY_CELLS = 20_000


def yearly_values(plan: Plan, metric: str, level: str, codes: list[str]) -> dict[int, list[float]]:
    """The theme's value per unit (in ``codes`` order) for each fiscal year of the plan's projects;
    empty when the metric has no yearly form or the plan spans one year."""
    import pandas as pd

    from planmap_gis._schema import BUDGET, FISCAL_YEAR, LEVEL_KEYS, PROJECT_ID

    years = sorted({int(y) for y in plan.projects[FISCAL_YEAR].dropna()})
    if metric not in YEAR_METRICS or len(years) < 2 or len(codes) * len(years) > YEARLY_CELLS:
        return {}
    key = LEVEL_KEYS[level]
    alloc = plan.allocation.join(plan.projects.set_index(PROJECT_ID)[[FISCAL_YEAR]], on=PROJECT_ID)
    households = plan.metrics[level]["households"].reindex(codes)
    out = {}
    for year in years:
        part = alloc[alloc[FISCAL_YEAR] == year]
        if metric == "n_projects":
            values = part.groupby(key)[PROJECT_ID].nunique().reindex(codes).fillna(0)
        else:
            values = part.groupby(key)[BUDGET].sum().reindex(codes).fillna(0.0)
            if metric == "budget_per_household":
                values = values / households.where(households > 0)
        out[year] = pd.Series(values.to_numpy(dtype=float), index=codes).tolist()
    return out


def year_control_script(map_name: str, years: list[int], lang: str, js: Any) -> str:
    """The year selector of the themes that have yearly values."""
    options = [["", _label("ทุกปี", "all years", lang)], *[[str(y), str(y)] for y in years]]
    return f"planmap.yearControl({map_name}, {js(options)}, {js(_label('ปีงบประมาณของแผนที่', 'Year shown', lang))});"
