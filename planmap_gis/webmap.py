"""Folium web maps of a Plan that open in any browser, with or without internet.

What a saved map holds:

* one choropleth layer per (metric, level) asked for, classed by
  :func:`~planmap_gis.classify.classify` (the same classes as the atlas), each
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

import base64
import json
import re
from collections.abc import Iterable, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.map import Layer
from folium.plugins import MarkerCluster
from jinja2 import Template

from planmap_gis import _mapdata, settings
from planmap_gis._errors import PlanmapError
from planmap_gis._output import atomic
from planmap_gis._schema import (
    AGENCY,
    BUDGET,
    BUDGET_LAYER,
    BUDGET_LAYERS,
    FISCAL_YEAR,
    NAME_TH,
    NO_PROJECT_RULE,
    PROJECT_ID,
    TIER,
    TIERS,
)
from planmap_gis.assets import licence_notice, read_asset
from planmap_gis.classify import (
    LAYER_COLORS,
    METRICS,
    NO_DATA_COLOR,
    classify,
    format_number,
)
from planmap_gis._webmap_tools import (
    TAMBON_LABEL_ZOOM,
    _label,
    controls_script,
    tambon_layer,
    year_control_script,
    yearly_values,
)
from planmap_gis.plan import Plan
from planmap_gis.sources import manifest

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
QUANTUM = 1e5  # coordinates as integers of 1e-5 degree (≈ 1.1 m)


def _js(value: Any) -> str:
    """JSON safe to place inside a <script> element; Thai kept as UTF-8."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _ring(coords: np.ndarray) -> list[int]:
    q = np.round(np.asarray(coords)[:, :2] * QUANTUM).astype(np.int64)
    return np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel().tolist()


def _polygon(p: shapely.Polygon) -> list[list[int]]:
    return [_ring(p.exterior.coords)] + [_ring(r.coords) for r in p.interiors]


def encode(geom: shapely.Geometry | None) -> list[Any] | None:
    """A geometry as compact, delta-encoded integer coordinates (see ``planmap.js``)."""
    if geom is None or geom.is_empty:
        return None
    kind = geom.geom_type
    if kind == "Point":
        return ["Pt", _ring(np.array([[geom.x, geom.y]]))]
    if kind == "LineString":
        return ["L", _ring(geom.coords)]
    if kind == "MultiLineString":
        return ["ML", [_ring(g.coords) for g in geom.geoms]]
    if kind == "Polygon":
        return ["P", _polygon(geom)]
    if kind == "MultiPolygon":
        return ["MP", [_polygon(g) for g in geom.geoms]]
    if kind == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        return encode(shapely.union_all(parts)) if parts else None
    return None


class _Script(MacroElement):
    """Raw JavaScript placed in the map's script section."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "PlanmapScript"
        self.code = code


class _JsLayer(Layer):
    """A layer built by a ``planmap.js`` call, listed in the layer control."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = {{ this.code }};"
        "{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}"
        "{% endmacro %}"
    )

    def __init__(self, code: str, name: str, *, show: bool = False, overlay: bool = True) -> None:
        super().__init__(name=name, overlay=overlay, control=True, show=show)
        self._name = "PlanmapLayer"
        self.code = code


def _value_short(value: Any, metric: str, lang: str) -> str | None:
    """The value as a tooltip shows it, without the unit; None for no data."""
    spec = METRICS[metric]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if spec.kind == "categorical":
        return _label(*spec.categories.get(value, ("", str(value), str(value)))[1:], lang)
    return format_number(float(value), spec.decimals)


def _tooltip_values(plan: Plan, metric: str, level: str, frame: pd.DataFrame, lang: str) -> list[str | None]:
    """Tooltip values; the alignment layer also names the unmet sectors (in Thai: they are data)."""
    shown = [_value_short(v, metric, lang) for v in frame[_mapdata.VALUE]]
    if metric == "n_unsupported_projects":
        sectors = plan.metrics["village"]["unsupported_sectors"]
        label = _label("ด้าน", "sectors", lang)
        return [v if v is None or not sectors.get(c) else f"{v} — {label}: {sectors.get(c)}"
                for v, c in zip(shown, frame[_mapdata.CODE], strict=True)]
    if metric != "alignment":
        return shown
    unmet = _mapdata.unmet_sectors(plan, level)
    label = _label("ยังขาด", "unmet", lang)
    return [v if v is None or not unmet.get(c) else f"{v} — {label}: {unmet.get(c)}"
            for v, c in zip(shown, frame[_mapdata.CODE], strict=True)]


def _names(plan: Plan, level: str, codes: pd.Series, lang: str, *, english: bool = True) -> dict[str, Any]:
    """Unit names without repeating the parent's: own name, parent index, parent names; with a
    Thai page, the English own and parent names too (``ne``, ``pne``: the place search finds
    both) unless ``english`` is False (a lean map without popups keeps its size)."""
    t = plan.tambons.drop_duplicates("tambon_code").set_index("tambon_code")
    a = plan.amphoes.set_index("amphoe_code")
    th = lang != "en"
    if level == "amphoe":
        names = [("อ." + a.at[c, "amphoe_th"]) if th else a.at[c, "amphoe_en"] for c in codes]
        return {"n": names, **({"ne": [a.at[c, "amphoe_en"] for c in codes]} if th and english else {})}
    if level == "tambon":
        parents = sorted(set(codes.str[:4]))
        pn = [("อ." + a.at[c, "amphoe_th"]) if th else a.at[c, "amphoe_en"] for c in parents]
        names = [("ต." + t.at[c, "tambon_th"]) if th else t.at[c, "tambon_en"] for c in codes]
        english_names = {"ne": [t.at[c, "tambon_en"] for c in codes], "pne": [a.at[c, "amphoe_en"] for c in parents]}
    else:
        parents = sorted(set(codes.str[:6]))
        pn = [("ต." + t.at[c, "tambon_th"]) if th else t.at[c, "tambon_en"] for c in parents]
        v = plan.villages.set_index(plan.villages["village_code"].astype(str))
        own = v["village_th"] if "village_th" in v else pd.Series("", index=v.index)
        names = [(f"{own.get(c) or ''} ม.{int(c[6:])}".strip() if th else f"Moo {int(c[6:])}") for c in codes]
        english_names = {}
    index = {c: i for i, c in enumerate(parents)}
    prefix = 6 if level == "village" else 4
    return {"n": names, "p": [index[c[:prefix]] for c in codes], "pn": pn, "sep": " " if th else ", ",
            **(english_names if th and english else {})}


def _unit_popups(plan: Plan, level: str, frame: pd.DataFrame, lang: str) -> list[list[str]]:
    """The figures of each unit, as lines (name first)."""
    cov = plan.metrics[level].reindex(frame[_mapdata.CODE])
    lines = []
    strength = _mapdata.values(plan, "strength_index", level).reindex(frame[_mapdata.CODE])
    for pos, (code, name_th, name_en) in enumerate(
            zip(frame[_mapdata.CODE], frame[_mapdata.NAME_TH], frame[_mapdata.NAME_EN], strict=True)):
        row = cov.iloc[pos]
        text = [f"{_label(name_th, name_en, lang)} ({code})",
                f"{_label('งบประมาณรวม', 'Budget', lang)}: {format_number(row[BUDGET])} "
                f"{_label('บาท', 'THB', lang)}",
                f"{_label('งบต่อครัวเรือน', 'Per household', lang)}: "
                f"{format_number(row['budget_per_household'])} {_label('บาท', 'THB', lang)}",
                f"{_label('โครงการ', 'Projects', lang)}: {int(row['n_projects'])}, "
                f"{_label('หน่วยงาน', 'agencies', lang)}: {int(row['n_agencies'])}, "
                f"{_label('ซ้ำซ้อน', 'duplications', lang)}: {int(row['n_duplications'])}"]
        if "n_targeted_projects" in row and level != "amphoe":
            text.append(f"{_label('โครงการที่ระบุพื้นที่นี้', 'Targeted projects', lang)}: "
                        f"{int(row['n_targeted_projects'])}"
                        + (f" — {_label('ไม่มีโครงการ', 'no project', lang)} "
                           f"({_label(NO_PROJECT_RULE[0], NO_PROJECT_RULE[1], lang)})"
                           if row["n_targeted_projects"] == 0 else ""))
        if not pd.isna(strength.iloc[pos]):
            text.append(f"{_label('ความเข้มแข็ง', 'Strength', lang)}: {strength.iloc[pos]:.1f}/100")
        if plan.alignment.get(level) is not None and code in plan.alignment[level].index:
            rec = plan.alignment[level].loc[code]
            if not pd.isna(rec["n_needs"]):
                text.append(f"{_label('แผนแม่บทชุมชน', 'Master plan', lang)}: "
                            f"{int(rec['n_met'])}/{int(rec['n_needs'])} "
                            f"{_label('ความต้องการมีโครงการรองรับ', 'top needs met', lang)}")
                if rec["unmet_sectors"]:
                    text.append(f"{_label('ยังไม่มีโครงการด้าน', 'Unmet sectors', lang)}: {rec['unmet_sectors']}")
        if level == "village" and "n_unsupported_projects" in row and row["n_unsupported_projects"] > 0:
            text.append(f"{_label('โครงการที่ไม่มีคุณอำนวยที่มีทักษะในตำบล', 'Projects without a skilled facilitator nearby', lang)}: "
                        f"{int(row['n_unsupported_projects'])} ({row['unsupported_sectors']})")
        if level == "village" and len(plan.priorities) and "rank" in plan.priorities:
            rank = plan.priorities["rank"].get(code)
            if rank is not None and not pd.isna(rank):
                ranked = int(plan.priorities["rank"].notna().sum())
                text.append(f"{_label('ลำดับความสำคัญ', 'Priority rank', lang)}: {int(rank):,} "
                            f"{_label('จาก', 'of', lang)} {ranked:,}")
        lines.append(text)
    return lines


def _project_lists(plan: Plan, level: str, codes: Sequence[str]) -> list[list[int]]:
    """Per unit, the indices (into the project list) of the projects that reach it."""
    key = {"village": "village_code", "tambon": "tambon_code", "amphoe": "amphoe_code"}[level]
    order = {pid: i for i, pid in enumerate(plan.projects[PROJECT_ID])}
    pairs = plan.allocation[[PROJECT_ID, key]].drop_duplicates()
    grouped = pairs.groupby(key)[PROJECT_ID].agg(lambda s: sorted(order[p] for p in s))
    return [grouped.get(c, []) for c in codes]


def _project_lines(plan: Plan, lang: str) -> list[str]:
    out = []
    for rec in plan.projects[[NAME_TH, AGENCY, FISCAL_YEAR, BUDGET]].itertuples(index=False):
        name, agency, year, budget = rec
        year_text = "" if pd.isna(year) else f"{_label('ปี', 'FY', lang)} {int(year)}, "
        out.append(f"{name} — {agency or '?'} ({year_text}{format_number(budget)} "
                   f"{_label('บาท', 'THB', lang)})")
    return out


def _place(tambons: pd.DataFrame, lang: str) -> str:
    """What the map covers: the province, the country, or how many provinces."""
    names = tambons["province_th" if lang != "en" else "province_en"].dropna().unique()
    if len(names) == 1:
        return str(names[0])
    if len(names) >= 70:  # 77 provinces; a national layer may lack a few islands' codes
        return _label("ประเทศไทย", "Thailand", lang)
    return _label(f"{len(names)} จังหวัด", f"{len(names)} provinces", lang)


def webmap(
    plan: Plan,
    *,
    layers: Iterable[tuple[str, str]] = DEFAULT_LAYERS,
    lang: str = "th",
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
) -> folium.Map:
    """A Folium map of a Plan.

    Parameters
    ----------
    plan : Plan
        The analysis result.
    layers : iterable of (metric, level)
        Choropleths to draw, e.g. ``[("budget_per_household", "village"),
        ("n_projects", "tambon")]``; metrics are the keys of
        :data:`planmap_gis.classify.METRICS`. The first is shown on opening.
    lang : {"th", "en", "both"}
        Language of names, labels, tooltips and popups.
    scheme, k : str, int
        Classification (see :func:`~planmap_gis.classify.classify`).
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
    """
    if lang not in ("th", "en", "both"):
        raise PlanmapError(f"webmap: lang must be th, en or both, got {lang!r}.")
    default = layers is DEFAULT_LAYERS
    layers = list(layers)
    if default:
        layers += _extra_layers(plan)
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
    if outlines:
        _add_amphoe_outlines(fmap, plan, lang)
        outline, labels, name = tambon_layer(plan, lang, encode, QUANTUM, _js)
        tambon = _JsLayer(outline, name, show=True)
        fmap.add_child(tambon)
        fmap.add_child(_Script(f"var planmap_tambon_labels = {labels}; planmap_tambon_labels.planmapOwner = "
                               f"{_js(name + ' (lines)')}; planmap.zoomLabels({fmap.get_name()}, "
                               f"planmap_tambon_labels, {TAMBON_LABEL_ZOOM});"))
    if projects and len(plan.projects):
        _add_projects(fmap, plan, lang)
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    first = METRICS[layers[0][0]]
    heading = title or (f"{_label(first.th, first.en, lang)} "
                        f"({_label(*LEVEL_LABEL[layers[0][1]], lang)}){tail}")
    fmap.add_child(_Script(f"planmap.titleBox({fmap.get_name()}, {_js([heading, *plan.notes])});"))
    first_name = f"{_label(first.th, first.en, lang)} ({_label(*LEVEL_LABEL[layers[0][1]], lang)})"
    fmap.add_child(_Script(f"planmap.theme = {_js(first_name)};"))
    fmap.add_child(_Script(controls_script(fmap.get_name(), plan, lang, _js)))
    years_held = sorted({int(y) for y in plan.projects[FISCAL_YEAR].dropna()})
    if len(years_held) > 1 and yearly_any:
        fmap.add_child(_Script(year_control_script(fmap.get_name(), years_held, lang, _js)))
    info = manifest()
    source = (f"ขอบเขตการปกครอง / Boundaries: {info['attribution']} ({info['licence']})")
    fmap.add_child(_Script(f"{fmap.get_name()}.attributionControl.addAttribution({_js(source)});"))
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return fmap


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


def _add_assets(fmap: folium.Map, *, offline: bool, cluster: bool) -> None:
    static = files("planmap_gis").joinpath("_static")
    head = []
    if offline:
        css = read_asset("leaflet", "leaflet.css").decode()
        for image in ("layers.png", "layers-2x.png", "marker-icon.png"):
            data = base64.b64encode(read_asset("leaflet", f"images/{image}")).decode()
            css = css.replace(f"images/{image}", f"data:image/png;base64,{data}")
        head.append("<!--\n" + licence_notice().replace("--", "- -") + "-->")
        head.append(f"<style>{css}</style>")
        head.append(_inline_script(read_asset("leaflet", "leaflet.js").decode()))
        if cluster:
            for name in ("MarkerCluster.css", "MarkerCluster.Default.css"):
                head.append(f"<style>{read_asset('leaflet.markercluster', name).decode()}</style>")
            head.append(_inline_script(read_asset("leaflet.markercluster",
                                                  "leaflet.markercluster.js").decode()))
    else:
        # The same CDN addresses folium itself uses.
        js = dict(folium.Map.default_js)
        css = dict(folium.Map.default_css)
        head.append(f'<link rel="stylesheet" href="{css["leaflet_css"]}"/>')
        head.append(f'<script src="{js["leaflet"]}"></script>')
        if cluster:
            for _, url in MarkerCluster.default_css:
                head.append(f'<link rel="stylesheet" href="{url}"/>')
            head.append(f'<script src="{dict(MarkerCluster.default_js)["markerclusterjs"]}"></script>')
    head.append(f"<style>{static.joinpath('planmap.css').read_text('utf-8')}</style>")
    head.append(_inline_script(static.joinpath("planmap.js").read_text("utf-8")))
    fmap.get_root().header.add_child(Element("\n".join(head)), name="planmap_assets")


def _inline_script(code: str) -> str:
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def _unit_geometry(frame: Any, simplify_m: float | None) -> list[Any]:
    geoms = frame.geometry
    if simplify_m:
        metric = geoms.to_crs(settings.analysis_crs)
        kept = ~(metric.isna() | metric.is_empty)
        simplified = metric.copy()
        simplified[kept] = shapely.coverage_simplify(metric[kept].values, simplify_m)
        geoms = simplified.to_crs(4326)
    return [encode(g) for g in geoms.values]


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
        fmap.add_child(_Script(f"var {var} = {_js(data)};"))
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
    legend = {"title": f"{_label(spec.th, spec.en, lang)} ({level_name})",
              "unit": _label(spec.unit_th, spec.unit_en, lang) if spec.unit_th else "", "rows": rows}
    fmap.add_child(_Script(f"planmap.legend({fmap.get_name()}, {layer.get_name()}, {_js(legend)}, "
                           f"{_js(name)});"))
    return bool(yearly)


def _legend_rows(classes: Any, lang: str, no_data: tuple[str, str] = ("ไม่มีข้อมูล", "no data")) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"color": c, "label": lab} for c, lab in zip(
        classes.colors, classes.labels(lang if lang != "both" else "th"), strict=True)]
    rows.append({"color": NO_DATA_COLOR, "label": _label(*no_data, lang), "nodata": True})
    return rows


def _add_amphoe_outlines(fmap: folium.Map, plan: Plan, lang: str) -> None:
    frame = _mapdata.units(plan, "amphoe").to_crs(4326)
    points = frame.geometry.representative_point()
    names = frame[_mapdata.NAME_TH if lang != "en" else _mapdata.NAME_EN]
    labels = [[round(p.x * QUANTUM), round(p.y * QUANTUM), n] for p, n in zip(points, names, strict=True)]
    data = {"g": [encode(g) for g in frame.geometry.values],
            "st": {"fill": "none", "fillOpacity": 0, "color": "#222222", "weight": 1.6, "opacity": 1}}
    name = _label("ขอบเขตและชื่ออำเภอ", "Amphoe outlines and names", lang)
    code = (f"L.featureGroup([planmap.geoLayer({_js(data)}, {_js(name + ' (lines)')}), "
            f"planmap.labels({_js(labels)}, 'planmap-label')])")
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
        data = {"g": [encode(g) for g in part.geometry.to_crs(4326).values], "tt": tips,
                "cluster": bool((part.geometry.geom_type == "Point").sum() > 30),
                "st": {"fill": LAYER_COLORS[layer], "color": LAYER_COLORS[layer], "weight": 3,
                       "fillOpacity": 0.85, "radius": 6},
                "attr": {"tier": tier_names, "agency": [a or "?" for a in part[AGENCY]],
                         "year": ["" if pd.isna(y) else str(int(y)) for y in part[FISCAL_YEAR]]}}
        th, en = BUDGET_LAYERS[layer]
        name = f"{_label('โครงการ ชั้นงบ', 'Projects, budget layer', lang)} {layer}: {_label(th, en, lang)}"
        fmap.add_child(_JsLayer(f"planmap.projectLayer({_js(data)}, {_js(name)})", name, show=True))
    attr_values = {
        "tier": sorted({_label(*TIERS[t], lang) for t in p[has][TIER] if t in TIERS}),
        "agency": sorted({a for a in p[has][AGENCY] if a}),
        "year": sorted({str(int(y)) for y in p[has][FISCAL_YEAR] if not pd.isna(y)}),
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
    html = fmap.get_root().render()
    # folium's own templates escape Thai as \\uXXXX inside JSON; UTF-8 is half the size.
    html = re.sub(r"\\u(0e[0-7][0-9a-fA-F])", lambda m: chr(int(m.group(1), 16)), html)
    with atomic(path) as tmp:  # a reader never sees half a page
        tmp.write_text(html, encoding="utf-8")
    return path
