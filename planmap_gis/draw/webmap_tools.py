"""What the web map gives a planning room besides its themes: finding places, tambon outlines
that appear as one zooms in, a metric scale and north arrow, print and PNG buttons.

All of it runs offline in the one HTML file (``planmap.js``); the search index and names come
from the plan, as text, never as HTML.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import folium
import numpy as np
import shapely
from branca.element import Element, MacroElement
from folium.map import Layer
from folium.plugins import MarkerCluster
from jinja2 import Template

from planmap_gis import settings
from planmap_gis._output import atomic
from planmap_gis._schema import (
    FISCAL_YEAR,
)
from planmap_gis.draw import mapdata as _mapdata
from planmap_gis.draw.assets import licence_notice, read_asset
from planmap_gis.draw.classify import (
    NO_DATA_COLOR,
)
from planmap_gis.draw.webmap_spill import Spilled, joined, pieces, spill
from planmap_gis.measure.yearly import yearly_wide
from planmap_gis.plan import Plan

#: Tambon names appear from this zoom level on (a province fills the screen at about 8–9).
TAMBON_LABEL_ZOOM = 10
#: Projects listed in a popup before "… and k more".
POPUP_PROJECTS = 8


def _label(th: str, en: str, lang: str) -> str:
    """The Thai text, the English, or both ("th / en"), by the map's language."""
    return {"th": th, "en": en}.get(lang, f"{th} / {en}")


def tambon_layer(plan: Plan, lang: str, quantum: float, js: Any) -> tuple[list[str], str, str]:
    """The tambon outlines as a layer, and their names as a group shown from a zoom level on.

    Returns the JavaScript of the outline layer (in parts), of the label group, and the layer's name.
    """
    frame = _mapdata.units(plan, "tambon").to_crs(4326)
    points = frame.geometry.representative_point()
    names = frame[_mapdata.NAME_TH if lang != "en" else _mapdata.NAME_EN].str.split(" อ.").str[0]
    labels = [[round(p.x * quantum), round(p.y * quantum), n] for p, n in zip(points, names, strict=True)]
    data = {"g": geometries(frame.geometry.values),
            "st": {"fill": "none", "fillOpacity": 0, "color": "#555555", "weight": 0.9, "opacity": 0.9}}
    name = _label("ขอบเขตตำบล (ชื่อเมื่อขยาย)", "Tambon outlines (names when zoomed in)", lang)
    outline = ["planmap.geoLayer(", *js_parts(data), f", {js(name + ' (lines)')})"]
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
    """The theme's value per unit (in ``codes`` order) for each fiscal year, as the plan holds them
    (``Plan.yearly``); empty when the metric has no yearly form or the plan spans one year."""
    yearly = plan.yearly.get(level) if plan.yearly else None
    if yearly is None or metric not in YEAR_METRICS:
        return {}
    years = sorted(set(yearly.index.get_level_values(FISCAL_YEAR)))
    if len(years) < 2 or len(codes) * len(years) > YEARLY_CELLS:
        return {}
    wide = yearly_wide(yearly, metric, codes)
    return {int(y): wide[y].astype(float).tolist() for y in years}


def year_control_script(map_name: str, years: list[int], lang: str, js: Any) -> str:
    """The year selector of the themes that have yearly values."""
    options = [["", _label("ทุกปี", "all years", lang)], *[[str(y), str(y)] for y in years]]
    return f"planmap.yearControl({map_name}, {js(options)}, {js(_label('ปีงบประมาณของแผนที่', 'Year shown', lang))});"


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
    if kind == "MultiPoint":  # a proposal drawn at the villages it targets
        return ["MPt", _ring(shapely.get_coordinates(geom))]
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


class _Raw(Element):
    """HTML placed as it is. ``Element(html)`` would compile it as a Jinja template: the inlined Leaflet
    and planmap scripts (300 kB) took 3–5 s of every web map to tokenise, for nothing to fill in."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.html = html

    def render(self, **kwargs: Any) -> str:
        return self.html


@dataclass(frozen=True)
class Encoded:
    """JSON text made beforehand (a layer's geometries), placed as it is by :func:`js_parts` (and
    refused by :func:`_js`, which would quote it)."""

    text: str


def geometries(geoms: Any) -> Encoded:
    """The :func:`encode` forms of ``geoms`` as one JSON array, made one geometry at a time.

    Text of digits only: kept apart from the Thai text of a layer it stays one byte a character,
    and no list of Python integers is ever held for a whole layer (66,000 villages' outlines took
    300 MB as lists before they were JSON).
    """
    return json_list(_js(encode(g)) for g in geoms)


def json_list(items: Iterable[str]) -> Encoded:
    """JSON texts (one a unit) as one JSON array, made as they come."""
    return Encoded("[" + ",".join(items) + "]")


def js_parts(data: dict[str, Any]) -> list[str]:
    """A JSON object in parts: its :class:`Encoded` values as they are, the rest through :func:`_js`."""
    parts = []
    for i, (key, value) in enumerate(data.items()):
        parts.append(("{" if i == 0 else ",") + _js(key) + ":")
        parts.append(value.text if isinstance(value, Encoded) else _js(value))
    parts.append("}" if parts else "{}")
    return parts


class _Placed(MacroElement):
    """A macro element whose rendered parts are placed as they are. branca wraps each in
    ``Element(text)``, which compiles the text as a Jinja template again: the map's data (tens of
    MB nationally) took seconds to tokenise, and an agency's text such as "{{ 7*7 }}" in a project
    name was evaluated as a template — text from sheets is data, never run.

    Its code is kept in parts (a layer's geometry, digits, apart from its names, Thai), joined when
    rendered, or left out of the page and written part by part by :func:`write_html`.
    """

    _parts: tuple[str | Spilled, ...] = ()
    _token: str | None = None

    @property
    def parts(self) -> tuple[str | Spilled, ...]:
        return self._parts

    @parts.setter
    def parts(self, parts: Iterable[str]) -> None:
        self._parts = spill(parts)  # the large ones on disk until the page is written

    @property
    def code(self) -> str:
        return self._token if self._token is not None else joined(self.parts)

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        module = self._template.module.__dict__
        held = _HELD.get()
        if held is not None:  # written by write_html, not placed in the page
            self._token = f"\x00{len(held)}\x00"
            held.append(self.parts)
        try:
            for part in ("header", "html", "script"):
                macro = module.get(part)
                if macro is not None:
                    getattr(figure, part).add_child(_Raw(macro(self, kwargs)), name=self.get_name())
        finally:
            self._token = None
        for element in self._children.values():
            element.render(**kwargs)


#: While :func:`write_html` renders a map: the code of its placed elements, each left in the page as
#: its number between NUL characters (which no template writes).
_HELD: ContextVar[list[tuple[str | Spilled, ...]] | None] = ContextVar("planmap_held", default=None)


@contextmanager
def _holding() -> Iterator[list[tuple[str | Spilled, ...]]]:
    held: list[tuple[str | Spilled, ...]] = []
    token = _HELD.set(held)
    try:
        yield held
    finally:
        _HELD.reset(token)


def write_html(fmap: folium.Map, path: Path) -> None:
    """Write ``fmap``'s page to ``path`` (atomically, UTF-8), its data streamed.

    The page is rendered with each placed element's code (the map's data: 150 MB at 100,000
    projects nationally) left out, and written piece by piece, the data in chunks: the page is never
    held whole, nor twice more in its un-escaped and encoded copies (the lane writing the web map
    took 750 MiB more at that size). Only folium's own templates escape Thai as ``\\uXXXX`` (UTF-8
    is half the size); the data is written as :func:`_js` made it, so an agency's text is never
    rewritten.
    """
    with _holding() as held:
        page = fmap.get_root().render()
    page = re.sub(r"\\u(0e[0-7][0-9a-fA-F])", lambda m: chr(int(m.group(1), 16)), page)
    with atomic(path) as tmp, open(tmp, "wb") as out:  # a reader never sees half a page
        for i, piece in enumerate(re.split("\x00([0-9]+)\x00", page)):
            for chunk in pieces([piece] if i % 2 == 0 else held[int(piece)]):
                out.write(chunk)


class _Script(_Placed):
    """Raw JavaScript placed in the map's script section (in parts: see :class:`_Placed`)."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, *parts: str) -> None:
        super().__init__()
        self._name = "PlanmapScript"
        self.parts = parts


class _JsLayer(Layer, _Placed):
    """A layer built by a ``planmap.js`` call, listed in the layer control; ``code`` a text or its parts."""

    # An overlay is built by a function kept in planmap.overlays, so the side-by-side view can build
    # its own copy (a Leaflet layer belongs to one map) without the data written twice.
    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{% if this.overlay %}"
        "var {{ this.get_name() }}_make = function () { return {{ this.code }}; };"
        "var {{ this.get_name() }} = {{ this.get_name() }}_make();"
        "planmap.overlays.push({ layer: {{ this.get_name() }}, make: {{ this.get_name() }}_make });"
        "{% else %}"
        "var {{ this.get_name() }} = {{ this.code }};"
        "{% endif %}"
        "{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}"
        "{% endmacro %}"
    )

    def __init__(self, code: str | list[str], name: str, *, show: bool = False, overlay: bool = True) -> None:
        super().__init__(name=name, overlay=overlay, control=True, show=show)
        self._name = "PlanmapLayer"
        self.parts = (code,) if isinstance(code, str) else tuple(code)


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
    fmap.get_root().header.add_child(_Raw("\n".join(head)), name="planmap_assets")


def _inline_script(code: str) -> str:
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def _unit_geometry(frame: Any, simplify_m: float | None) -> Encoded:
    geoms = frame.geometry
    if simplify_m:
        metric = geoms.to_crs(settings.analysis_crs)
        kept = ~(metric.isna() | metric.is_empty)
        simplified = metric.copy()
        simplified[kept] = shapely.coverage_simplify(metric[kept].values, simplify_m)
        geoms = simplified.to_crs(4326)
    return geometries(geoms.values)


def _legend_rows(classes: Any, lang: str, no_data: tuple[str, str] = ("ไม่มีข้อมูล", "no data")) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"color": c, "label": lab} for c, lab in zip(
        classes.colors, classes.labels(lang if lang != "both" else "th"), strict=True)]
    rows.append({"color": NO_DATA_COLOR, "label": _label(*no_data, lang), "nodata": True})
    return rows
