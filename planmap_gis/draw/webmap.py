"""Folium web maps of a Plan that open in any browser, with or without internet.

What a saved map holds:

* one choropleth layer per (metric, level) asked for, classed by
  :func:`~planmap_gis.draw.classify.classify` (the same classes as the atlas), each
  with its legend (class breaks with thousands separators, a hatched grey
  "no data" class) shown while the layer is on;
* amphoe outlines with their Thai names; project footprints by budget layer
  (one toggle per layer; points clustered), with a filter box for tier,
  agency and fiscal year;
* tooltips (unit name and the metric) and popups (the unit's figures and, for
  villages and tambon, its projects with their agencies).

Size. Geometry is written as integers of 1e-5 degree (about 1.1 m), each the
difference from the previous vertex, and decoded in the browser; the
reference boundaries are already simplified (about 8 vertices per tambon), so
no further simplification is applied (``simplify_m`` can ask for it:
``shapely.coverage_simplify``, which keeps shared borders shared, so no slivers
or gaps appear between neighbours). Thai text is written as UTF-8, not as
``\\uXXXX`` escapes.

Safety. Every text from the data reaches the page through ``textContent``
(see ``_static/planmap.js``), never as HTML, and the embedded JSON escapes
``<``, ``>`` and ``&``: a project named ``<img src=x onerror=alert(1)>`` shows as
those characters and runs nothing.

Offline. ``offline=True`` puts Leaflet and the marker-cluster plugin inside
the HTML (from the XStatic packages installed with planmap-gis, with their
licence notices) and uses no tiles:
the file makes no network request. ``tiles=True`` adds OpenStreetMap tiles
for rooms that are online.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import folium
import pandas as pd

from planmap_gis import settings
from planmap_gis._errors import PlanmapError
from planmap_gis._lanes import release_free_pages
from planmap_gis._schema import (
    AGENCY,
    BUDGET,
    BUDGET_LAYER,
    BUDGET_LAYERS,
    FISCAL_YEAR,
    NAME_TH,
    TIER,
    TIERS,
)
from planmap_gis._years import years_held
from planmap_gis.draw import mapdata as _mapdata
from planmap_gis.draw.classify import (
    LAYER_COLORS,
    METRICS,
    NO_DATA_COLOR,
    classify,
    format_number,
)
from planmap_gis.draw.screening import add_screening
from planmap_gis.draw.webmap_popups import (
    _names,
    _place,
    _project_lines,
    _project_lists,
    _tooltip_values,
    _unit_popups,
    _value_short,
)
from planmap_gis.draw.webmap_tools import (
    QUANTUM,
    TAMBON_LABEL_ZOOM,
    _add_assets,
    _js,
    _JsLayer,
    _label,
    _legend_rows,
    _Script,
    _unit_geometry,
    controls_script,
    geometries,
    js_parts,
    tambon_layer,
    write_html,
    year_control_script,
    yearly_values,
)
from planmap_gis.plan import Plan
from planmap_gis.read.sources import manifest

__all__ = ["DEFAULT_LAYERS", "save_webmap", "webmap"]

#: (metric, level) layers drawn by default; the first is shown when the map opens.
DEFAULT_LAYERS: tuple[tuple[str, str], ...] = (
    ("budget_per_household", "village"),
    ("strength_index", "village"),
    ("coverage_ratio", "village"),
    ("priority_score", "village"),
    ("hotspot", "village"),
    ("n_projects", "tambon"),
    ("n_duplications", "tambon"),
    ("budget_thb", "amphoe"),
)
#: Added to the default layers when the plan has master plans.
NEEDS_LAYER = ("alignment", "village")
#: Added when the plan has a need on record (need against response).
NEED_LAYERS = (("need_budget", "village"), ("fair_share_gap", "tambon"))
#: Added when the plan compares two fiscal years, and when it spans three or more.
CHANGE_LAYERS = (("budget_change", "tambon"), ("budget_per_household_change", "village"))
TREND_LAYER = ("trend_tau", "tambon")
#: Added when the plan matched a facilitator register.
SUPPORT_LAYER = ("n_unsupported_projects", "village")
LEVEL_LABEL = {"village": ("หมู่บ้าน", "village"), "tambon": ("ตำบล", "tambon"), "amphoe": ("อำเภอ", "amphoe")}


def webmap(
    plan: Plan,
    *,
    layers: Iterable[tuple[str, str]] = DEFAULT_LAYERS,
    lang: str | None = None,
    scheme: str = "quantiles",
    k: int = 5,
    offline: bool = True,
    tiles: bool = False,
    projects: bool = True,
    popups: bool = True,
    outlines: bool = True,
    simplify_m: float | None = None,
    thai_digits: bool = False,
    title: str | None = None,
    screening: Any = None,
) -> folium.Map:
    """A Folium map of a Plan.

    Parameters
    ----------
    plan : Plan
        The analysis result.
    layers : iterable of (metric, level)
        Choropleths to draw, e.g. ``[("budget_per_household", "village"),
        ("n_projects", "tambon")]``; metrics are the keys of
        :data:`planmap_gis.draw.classify.METRICS`. The first is shown on opening.
    lang : {"th", "en", "both"}
        Language of names, labels, tooltips and popups.
    scheme, k : str, int
        Classification (see :func:`~planmap_gis.draw.classify.classify`).
    offline : bool, default True
        Carry Leaflet inside the HTML: no network request at all. False links
        the CDN (a smaller file that needs internet).
    tiles : bool
        Add OpenStreetMap tiles (needs internet); the default is a plain background.
    projects : bool
        Draw project footprints with the filter box.
    popups : bool
        Attach popups with each unit's figures and projects.
    outlines : bool
        Draw amphoe outlines with their names.
    simplify_m : float, optional
        Simplify unit polygons by this tolerance in metres, keeping shared borders.
    thai_digits : bool
        Legend numbers in Thai digits.
    title : str, optional
        Map title; by default the first layer's metric and the province.
    screening : Screening, optional
        Add the proposals coloured by verdict (:func:`~planmap_gis.screen`).
    """
    lang = settings.language(lang)
    if lang not in ("th", "en", "both"):
        raise PlanmapError(f"webmap: lang must be th, en or both, got {lang!r}.")
    default = layers is DEFAULT_LAYERS
    layers = list(layers)
    left_out: list[tuple[str, str]] = []
    if default:  # only themes with data: a workshop's first run has no households yet
        layers += _extra_layers(plan)
        left_out = [layer for layer in layers if not _mapdata.has_data(plan, *layer)]
        layers = [layer for layer in layers if layer not in left_out]
        if left_out and _mapdata.FALLBACK_LAYER not in layers:
            layers.insert(0, _mapdata.FALLBACK_LAYER)
    if not layers:
        raise PlanmapError("webmap: give at least one (metric, level) layer.")
    for metric, level in layers:
        _mapdata.check_layer(metric, level)
    bounds = plan.tambons.total_bounds
    fmap = folium.Map(tiles=None, control_scale=False, zoom_control=True, zoom_snap=0.25)
    fmap.default_js, fmap.default_css = [], []
    _add_assets(fmap, offline=offline, cluster=projects)
    if tiles:
        folium.TileLayer("OpenStreetMap", control=False).add_to(fmap)
    if popups:
        fmap.add_child(_Script("planmap.projects = " + _js(_project_lines(plan, lang)) + ";"))
    shared: dict[str, str] = {}
    yearly_any = False
    years = plan.years_label("en" if lang == "en" else "th")
    tail = f" — {_place(plan.tambons, lang)}" + (f" · {years}" if years else "")
    for pos, (metric, level) in enumerate(layers):
        yearly_any |= _add_choropleth(fmap, plan, metric, level, show=pos == 0, lang=lang, scheme=scheme, k=k,
                                      popups=popups, simplify_m=simplify_m, thai_digits=thai_digits,
                                      shared=shared, title_tail=tail)
        release_free_pages()  # what the layer's data was made with (in a lane, Arrow's pool keeps it)
    if outlines:
        _add_amphoe_outlines(fmap, plan, lang)
        outline, labels, name = tambon_layer(plan, lang, QUANTUM, _js)
        tambon = _JsLayer(outline, name, show=True)
        fmap.add_child(tambon)
        fmap.add_child(_Script(f"var planmap_tambon_labels = {labels}; planmap_tambon_labels.planmapOwner = "
                               f"{_js(name + ' (lines)')}; planmap.zoomLabels({fmap.get_name()}, "
                               f"planmap_tambon_labels, {TAMBON_LABEL_ZOOM});"))
    if projects and len(plan.projects):
        _add_projects(fmap, plan, lang)
    if screening is not None:
        add_screening(fmap, screening, lang)
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    first = METRICS[layers[0][0]]
    heading = title or (f"{_label(first.th, first.en, lang)} "
                        f"({_label(*LEVEL_LABEL[layers[0][1]], lang)}){tail}")
    fmap.add_child(_Script(f"planmap.titleBox({fmap.get_name()}, "
                           f"{_js([heading, *plan.notes, *_left_out_note(plan, left_out, lang)])});"))
    fmap.get_root().title = heading  # the page's <title>: the tab and a printout's header say what it is
    first_name = f"{_label(first.th, first.en, lang)} ({_label(*LEVEL_LABEL[layers[0][1]], lang)})"
    fmap.add_child(_Script(f"planmap.theme = {_js(first_name)}; planmap.yearsText = {_js(years)}; "
                           f"planmap.yearWord = {_js(_label('ปีงบประมาณ', 'fiscal year', lang))};"))
    fmap.add_child(_Script(controls_script(fmap.get_name(), plan, lang, _js)))
    years = list(years_held(plan.projects[FISCAL_YEAR]))
    if len(years) > 1 and yearly_any:
        fmap.add_child(_Script(year_control_script(fmap.get_name(), years, lang, _js)))
    info = manifest()
    source = (f"ขอบเขตการปกครอง / Boundaries: {info['attribution']} ({info['licence']})")
    fmap.add_child(_Script(f"{fmap.get_name()}.attributionControl.addAttribution({_js(source)});"))
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return fmap


def _left_out_note(plan: Plan, left_out: list[tuple[str, str]], lang: str) -> list[str]:
    """One line naming the themes the plan has no data for, and what data would add them."""
    if not left_out:
        return []
    names = ", ".join(dict.fromkeys(_label(METRICS[m].th, METRICS[m].en, lang) for m, _ in left_out))
    en, th = _mapdata.missing_data(plan)
    return [_label(f"ยังไม่แสดง {len(left_out)} ชั้นข้อมูล ({names}): {th}",
                   f"{len(left_out)} themes not shown ({names}): {en}", lang)]


def _extra_layers(plan: Plan) -> list[tuple[str, str]]:
    """The default layers a plan adds by what it holds: master plans, need, a comparison, a trend."""
    extra = [NEEDS_LAYER] if plan.alignment else []
    village = plan.metrics["village"]
    if "need_budget" in village and village["need_budget"].notna().any():
        extra += NEED_LAYERS
    if plan.change is not None:
        extra += CHANGE_LAYERS
    if "trend_tau" in plan.metrics["tambon"] and plan.metrics["tambon"]["trend_tau"].notna().any():
        extra.append(TREND_LAYER)
    if plan.support is not None:
        extra.append(SUPPORT_LAYER)
    return extra


def _add_choropleth(fmap: folium.Map, plan: Plan, metric: str, level: str, *, show: bool, lang: str,
                    scheme: str, k: int, popups: bool, simplify_m: float | None, thai_digits: bool,
                    shared: dict[str, str], title_tail: str = "") -> bool:
    """Add one theme; True when it carries yearly classes (the year selector then appears)."""
    spec = METRICS[metric]
    frame = _mapdata.metric_layer(plan, metric, level)
    classes = classify(frame[_mapdata.VALUE], spec, scheme=scheme, k=k, thai_digits=thai_digits)
    if level not in shared:  # geometry, names, popups and project lists are shared by a level's layers
        var = f"planmap_{level}"
        data = {"g": _unit_geometry(frame, simplify_m), "c": frame[_mapdata.CODE].tolist(),
                **_names(plan, level, frame[_mapdata.CODE], lang, english=popups)}
        if popups:
            data["pp"] = _unit_popups(plan, level, frame, lang)
            data["pj"] = _project_lists(plan, level, list(frame[_mapdata.CODE])) if level != "amphoe" else None
        fmap.add_child(_Script(f"var {var} = ", *js_parts(data), ";"))
        shared[level] = var
    var = shared[level]
    layer_data = {"k": classes.yb.tolist(), "col": list(classes.colors), "nd": NO_DATA_COLOR,
                  "vt": _tooltip_values(plan, metric, level, frame, lang),
                  "label": _label(spec.th, spec.en, lang), "unit": _label(spec.unit_th, spec.unit_en, lang),
                  "noData": _label(*spec.no_data, lang),
                  "pjTitle": _label("โครงการในพื้นที่", "Projects here", lang),
                  "st": {"weight": 0.3 if level == "village" else 0.6, "color": "#666666"}}
    if spec.kind == "categorical":
        layer_data["unit"] = ""
    level_name = _label(*LEVEL_LABEL[level], lang)
    name = f"{_label(spec.th, spec.en, lang)} ({level_name})"
    code = (f"planmap.geoLayer(Object.assign({{}}, {var}, {_js(layer_data)}), {_js(name)})")
    layer = _JsLayer(code, name, show=show, overlay=False)  # themes are exclusive: one at a time
    fmap.add_child(layer)
    fmap.add_child(_Script(f"planmap.titles[{_js(name)}] = {_js(name + title_tail)};"))
    rows = _legend_rows(classes, lang, spec.no_data)
    yearly = yearly_values(plan, metric, level, list(frame[_mapdata.CODE]))
    if yearly:  # the year selector recolours the theme with each year's own classes
        options = {"": {"k": layer_data["k"], "col": layer_data["col"], "vt": layer_data["vt"], "rows": rows}}
        for year, values in yearly.items():
            c = classify(pd.Series(values), spec, scheme=scheme, k=k, thai_digits=thai_digits)
            options[str(year)] = {"k": c.yb.tolist(), "col": list(c.colors), "rows": _legend_rows(c, lang, spec.no_data),
                                  "vt": [_value_short(v, metric, lang) for v in values]}
        fmap.add_child(_Script(f"planmap.yearly[{_js(name)}] = {_js(options)};"))
    unit = _label(spec.unit_th, spec.unit_en, lang) if spec.unit_th else ""
    # A test's result names the test, its level and its permutations; the 3 × 3 classes their ranges.
    legend = {"title": f"{_label(spec.th, spec.en, lang)} ({level_name})", "unit": unit, "rows": rows,
              "notes": [_label(th, en, lang) for th, en in _mapdata.legend_notes(plan, metric, level)]}
    fmap.add_child(_Script(f"planmap.legend({fmap.get_name()}, {layer.get_name()}, {_js(legend)}, "
                           f"{_js(name)});"))
    return bool(yearly)


def _add_amphoe_outlines(fmap: folium.Map, plan: Plan, lang: str) -> None:
    frame = _mapdata.units(plan, "amphoe").to_crs(4326)
    points = frame.geometry.representative_point()
    names = frame[_mapdata.NAME_TH if lang != "en" else _mapdata.NAME_EN]
    labels = [[round(p.x * QUANTUM), round(p.y * QUANTUM), n] for p, n in zip(points, names, strict=True)]
    data = {"g": geometries(frame.geometry.values),
            "st": {"fill": "none", "fillOpacity": 0, "color": "#222222", "weight": 1.6, "opacity": 1}}
    name = _label("ขอบเขตและชื่ออำเภอ", "Amphoe outlines and names", lang)
    code = ["L.featureGroup([planmap.geoLayer(", *js_parts(data), f", {_js(name + ' (lines)')}), "
            f"planmap.labels({_js(labels)}, 'planmap-label')])"]
    fmap.add_child(_JsLayer(code, name, show=True))


def _add_projects(fmap: folium.Map, plan: Plan, lang: str) -> None:
    p = plan.projects
    has = p.geometry.notna() & ~p.geometry.is_empty
    for layer in (1, 2, 3, 4):
        part = p[has & (p[BUDGET_LAYER] == layer)]
        if part.empty:
            continue
        tier_names = [_label(*TIERS[t], lang) if t in TIERS else "?" for t in part[TIER]]
        tips = [[str(n), f"{a or '?'}", f"{_label('งบประมาณ', 'Budget', lang)}: {format_number(b)} "
                 f"{_label('บาท', 'THB', lang)}", f"{_label('ปีงบประมาณ', 'FY', lang)}: "
                 f"{'' if pd.isna(y) else int(y)}"]
                for n, a, b, y in zip(part[NAME_TH], part[AGENCY], part[BUDGET], part[FISCAL_YEAR], strict=True)]
        data = {"g": geometries(part.geometry.to_crs(4326).values), "tt": tips,
                "cluster": bool((part.geometry.geom_type == "Point").sum() > 30),
                "st": {"fill": LAYER_COLORS[layer], "color": LAYER_COLORS[layer], "weight": 3,
                       "fillOpacity": 0.85, "radius": 6},
                "attr": {"tier": tier_names, "agency": [a or "?" for a in part[AGENCY]],
                         "year": ["" if pd.isna(y) else str(int(y)) for y in part[FISCAL_YEAR]]}}
        th, en = BUDGET_LAYERS[layer]
        name = f"{_label('โครงการ ชั้นงบ', 'Projects, budget layer', lang)} {layer}: {_label(th, en, lang)}"
        fmap.add_child(_JsLayer(["planmap.projectLayer(", *js_parts(data), f", {_js(name)})"], name, show=True))
    attr_values = {
        "tier": sorted({_label(*TIERS[t], lang) for t in p[has][TIER] if t in TIERS}),
        "agency": sorted({a for a in p[has][AGENCY] if a}),
        "year": [str(y) for y in years_held(p[has][FISCAL_YEAR])],
    }
    spec = {"title": _label("กรองโครงการ", "Filter projects", lang), "all": _label("ทั้งหมด", "all", lang),
            "fields": [{"key": "tier", "label": _label("ระดับหน่วยงาน", "Tier", lang), "values": attr_values["tier"]},
                       {"key": "agency", "label": _label("หน่วยงาน", "Agency", lang), "values": attr_values["agency"]},
                       {"key": "year", "label": _label("ปีงบประมาณ", "Fiscal year", lang), "values": attr_values["year"]}]}
    fmap.add_child(_Script(f"planmap.filterControl({fmap.get_name()}, {_js(spec)});"))
    rows = [{"color": LAYER_COLORS[k], "label": f"{k}: {_label(*BUDGET_LAYERS[k], lang)}"} for k in (1, 2, 3, 4)]
    legend = {"title": _label("โครงการที่มีตำแหน่ง (สีตามชั้นงบประมาณ)", "Located projects (colour = budget layer)",
                              lang), "unit": "", "rows": rows}
    fmap.add_child(_Script(f"planmap.legend({fmap.get_name()}, null, {_js(legend)});"))


def save_webmap(plan_or_map: Plan | folium.Map, path: str | Path, **kwargs: Any) -> Path:
    """Write a web map to an HTML file; returns the path.

    ``plan_or_map`` is a :class:`~planmap_gis.plan.Plan` (then ``kwargs`` go to
    :func:`webmap`) or a map :func:`webmap` made.
    """
    fmap = plan_or_map if isinstance(plan_or_map, folium.Map) else webmap(plan_or_map, **kwargs)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_html(fmap, path)
    return path
