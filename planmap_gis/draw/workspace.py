"""The planning workspace: one GeoPackage (or PostGIS schema) holding every layer and table of a Plan.

Layers (spatial, EPSG:4326): ``tambon``, ``amphoe``, ``villages`` (village areas
with the village point as ``lon``/``lat``), and the project footprints one layer
per kind of geometry — ``project_points``, ``project_lines``, ``project_areas`` —
because QGIS splits a mixed layer into per-type sub-layers. Tables (no geometry):
``projects`` (every project with its attributes, with or without a footprint;
lists as JSON text), ``allocation``, ``metrics_village``,
``metrics_tambon``, ``metrics_amphoe``, ``duplication_<level>``, ``equity``,
``lorenz``, ``hotspots``, ``priorities``, ``load_facilitator``,
``load_management_unit``, ``needs`` and ``alignment_<level>`` (with master
plans), ``underserved``, ``import_report`` and ``workspace_info``. A plan that
compares two fiscal years adds the change layers ``change_village``,
``change_tambon``, ``change_amphoe`` (spatial: the units with their change) and
the tables ``change_equity`` and ``change_hotspots``. Every layer
opens in QGIS and with ``geopandas.read_file(path, layer=...)``.

Given a ``postgresql://`` URL instead of a path, the same layers become tables
of one schema of a PostGIS database (``_store``), for a province that keeps its
plans on a shared server.

A GeoPackage is GeoPackage 1.2 (opens quietly in Debian 12's GDAL and QGIS 3.22),
written whole to a temporary file and moved into place, so a killed run leaves
the previous workspace intact. Rows are written in a fixed order, no table holds
a timestamp and ``gpkg_contents.last_change`` is the newest input file's time,
so the same inputs give the same bytes. :func:`open_workspace` reads it back
into the :class:`~planmap_gis.plan.Plan` the API returns.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planmap_gis import settings
from planmap_gis._errors import InputFileError
from planmap_gis._lanes import release_free_pages
from planmap_gis._output import VERSION as __version__
from planmap_gis._schema import AREA_CODES, AREA_SHARES, POINT, VILLAGE_CODE
from planmap_gis.draw.store import Store, is_database, store
from planmap_gis.join.pairs import as_allocation
from planmap_gis.measure.change import Change
from planmap_gis.measure.duplication import as_duplication
from planmap_gis.plan import Plan
from planmap_gis.report import ImportReport

__all__ = ["open_workspace", "save_workspace"]

LEVELS = ("village", "tambon", "amphoe")
#: Every table a workspace may hold, so that a rewrite leaves none of an older one behind.
_ALL_TABLES = {"tambon", "amphoe", "villages", "projects", "project_points", "project_lines",
               "project_areas", "allocation", "equity", "lorenz", "hotspots",
               "priorities", "load_facilitator", "load_management_unit", "needs", "import_report",
               "workspace_info", "underserved", "change_equity", "change_hotspots", "facilitator_register",
               "support_project", "support_facilitator", "support_village",
               *(f"{t}_{lv}" for t in ("metrics", "duplication", "alignment", "change")
                 for lv in ("village", "tambon", "amphoe"))}
_INDEXED = {  # table → name of the index column written
    **{f"metrics_{lv}": f"{lv}_code" for lv in LEVELS},
    "equity": "budget", "hotspots": VILLAGE_CODE, "priorities": VILLAGE_CODE,
    "load_facilitator": "facilitator", "load_management_unit": "management_unit",
    "support_project": "project_id", "support_facilitator": "facilitator", "support_village": VILLAGE_CODE,
    **{f"alignment_{lv}": f"{lv}_code" for lv in LEVELS},
}


def _lists_to_json(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for col in (AREA_CODES, AREA_SHARES):
        if col in frame:
            frame[col] = [json.dumps(list(v)) if isinstance(v, (list, tuple, np.ndarray)) else None
                          for v in frame[col]]
    return frame


def _report_table(reports: dict[str, ImportReport]) -> pd.DataFrame:
    rows = []
    for name, report in reports.items():
        problems = report.problems.assign(report=name, source=report.source, rows_in=report.rows_in,
                                          rows_loaded=report.rows_loaded,
                                          rows_rejected=report.rows_rejected)
        if problems.empty:  # keep the counts of a clean report
            problems = pd.DataFrame([{"report": name, "source": report.source, "rows_in": report.rows_in,
                                      "rows_loaded": report.rows_loaded,
                                      "rows_rejected": report.rows_rejected}])
        rows.append(problems)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame({"report": []})


#: Footprint layers by the shapely type ids they hold (single and multi of one kind).
FOOTPRINT_LAYERS = {"project_points": (0, 4), "project_lines": (1, 5, 2), "project_areas": (3, 6)}
#: Columns of the project table repeated on the footprint layers, for styling and labels in QGIS.
_FOOTPRINT_COLUMNS = ("project_id", "name_th", "agency", "tier", "budget_layer", "sector", "fiscal_year",
                      "budget_thb")


def _flat_parts(geom: Any) -> list[Any]:
    """The simple parts of a geometry (collections and multi-geometries opened all the way)."""
    parts = []
    for part in shapely.get_parts(geom):
        parts.extend(_flat_parts(part) if shapely.get_num_geometries(part) > 1 or
                     shapely.get_type_id(part) == 7 else [part])
    return parts


def _project_layers(projects: gpd.GeoDataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    """The project table without geometry, and one footprint layer per kind of geometry."""
    geoms = projects.geometry.values
    table = _lists_to_json(pd.DataFrame(projects.drop(columns=projects.geometry.name)))
    table["footprint_type"] = [None if g is None or g.is_empty else g.geom_type for g in geoms]
    keep = [c for c in _FOOTPRINT_COLUMNS if c in projects]
    yield "projects", table
    del table
    for name, kinds in FOOTPRINT_LAYERS.items():
        rows, shapes = [], []
        for pos, geom in enumerate(geoms):
            if geom is None or geom.is_empty:
                continue
            if shapely.get_type_id(geom) in kinds:
                rows.append(pos), shapes.append(geom)
                continue
            parts = [p for p in _flat_parts(geom) if shapely.get_type_id(p) in kinds]
            if parts:  # a collection's parts of this kind
                rows.append(pos), shapes.append(shapely.multipolygons(parts) if kinds[0] == 3 else
                                                shapely.multilinestrings(parts) if kinds[0] == 1 else
                                                shapely.multipoints(parts))
        if rows:  # an empty layer would have no geometry type for QGIS to show
            yield name, gpd.GeoDataFrame(projects.iloc[rows][keep].reset_index(drop=True),
                                         geometry=list(shapes), crs=projects.crs)


def _footprints(source: Store, present: set[str], projects: pd.DataFrame) -> gpd.GeoDataFrame:
    """The project table with its footprints put back from the footprint layers."""
    found: dict[str, list[Any]] = {}
    for name in FOOTPRINT_LAYERS:
        if name in present:
            layer = _read(source, name)
            for pid, geom in zip(layer["project_id"].astype(str), layer.geometry.values, strict=True):
                found.setdefault(pid, []).append(geom)
    geoms = []
    for pid, kind in zip(projects["project_id"].astype(str), projects.pop("footprint_type"), strict=True):
        pieces = found.get(pid, [])
        if not pieces:
            geoms.append(None)
        elif kind == "GeometryCollection" or len(pieces) > 1:
            geoms.append(shapely.geometrycollections(pieces))
        elif kind in ("Point", "LineString", "Polygon") and shapely.get_num_geometries(pieces[0]) == 1:
            geoms.append(shapely.get_geometry(pieces[0], 0))  # promoted to multi on writing
        else:
            geoms.append(pieces[0])
    return gpd.GeoDataFrame(projects, geometry=geoms, crs=settings.data_crs)


def _input_time(plan: Plan) -> str | None:
    """The newest input file's modification time (UTC, GeoPackage form), if any input is a file."""
    times = []
    for report in plan.reports.values():
        try:
            times.append(Path(report.source).stat().st_mtime)
        except (OSError, ValueError):
            continue
    if not times:
        return None
    stamp = datetime.datetime.fromtimestamp(max(times), tz=datetime.timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def save_workspace(plan: Plan, path: str | Path, *, schema: str = "planmap") -> Path | str:
    """Write a Plan to a GeoPackage (replacing the file) or a PostGIS schema; returns where.

    Parameters
    ----------
    plan : Plan
    path : str or Path
        A ``.gpkg`` path, or a database URL ``postgresql://user@host:5432/db``
        (the tables of a previous workspace in ``schema`` are replaced).
    schema : str
        Schema of the database that holds the tables (created when missing).
    """
    target = store(path, schema=schema, last_change=_input_time(plan))
    target.clear(sorted(_ALL_TABLES))
    try:
        for name, frame in _layers(plan):
            target.write(frame, name)
            del frame  # let go before the next layer is made, and what writing it took given back:
            release_free_pages()  # in a lane Arrow's pool keeps it (the tambon layer's +0.15 GiB)
    except BaseException:
        target.abort()
        raise
    target.finish()
    return path if is_database(path) else Path(path)


def _layers(plan: Plan) -> Iterator[tuple[str, pd.DataFrame]]:
    """The workspace's layers in the order written, each made only when the one before is written:
    all made first, a national plan's copies and JSON texts (0.12 GiB) stayed through the writing."""
    villages = plan.villages.copy()
    if POINT in villages:
        points = gpd.GeoSeries(villages.pop(POINT))
        villages["lon"], villages["lat"] = points.x, points.y
        del points
    yield "tambon", plan.tambons
    yield "amphoe", plan.amphoes
    yield "villages", gpd.GeoDataFrame(villages.reset_index(drop=True), crs=villages.crs)
    del villages
    yield from _project_layers(plan.projects)
    yield "allocation", plan.allocation
    for lv in LEVELS:
        yield f"metrics_{lv}", plan.metrics[lv].reset_index()
    for lv in LEVELS:
        yield f"duplication_{lv}", plan.duplication[lv]
    yield "equity", plan.equity.reset_index()
    yield "lorenz", plan.lorenz
    yield "hotspots", plan.hotspots.rename_axis(VILLAGE_CODE).reset_index()
    yield "priorities", plan.priorities.rename_axis(VILLAGE_CODE).reset_index()
    yield "load_facilitator", plan.load["facilitator"].reset_index()
    yield "load_management_unit", plan.load["management_unit"].reset_index()
    if plan.needs is not None:
        yield "needs", plan.needs
    for lv, table in plan.alignment.items():
        yield f"alignment_{lv}", table.reset_index()
    if plan.underserved is not None:
        yield "underserved", plan.underserved
    yield from _support_layers(plan).items()
    yield from _change_layers(plan).items()
    yield "import_report", _report_table(plan.reports)
    yield "workspace_info", pd.DataFrame({
        "key": ["method", "notes", "planmap_version", "data_crs", "analysis_crs", "hotspot_attrs",
                "equity_note", "years", "change_years", "options"],
        "value": [plan.method, json.dumps(list(plan.notes), ensure_ascii=False), __version__, settings.data_crs,
                  settings.analysis_crs, json.dumps(_plain(plan.hotspots.attrs)),
                  "budget per household across villages", json.dumps(list(plan.years)),
                  json.dumps([list(y) for y in plan.change.years] if plan.change is not None else []),
                  json.dumps(_stored_options(plan.options), ensure_ascii=False)]})


def _change_layers(plan: Plan) -> dict[str, pd.DataFrame]:
    """The comparison of two years: one spatial layer per level, and its two tables."""
    if plan.change is None:
        return {}
    shapes = {"village": plan.villages.set_index(plan.villages[VILLAGE_CODE].astype(str)).geometry,
              "tambon": plan.tambons.set_index("tambon_code").geometry,
              "amphoe": plan.amphoes.set_index("amphoe_code").geometry}
    out: dict[str, pd.DataFrame] = {}
    for level, table in plan.change.units.items():
        key = f"{level}_code"
        frame = table.rename_axis(key).reset_index()
        out[f"change_{level}"] = gpd.GeoDataFrame(frame, geometry=shapes[level].reindex(frame[key]).to_numpy(),
                                                  crs=plan.tambons.crs)
    out["change_equity"] = plan.change.equity
    out["change_hotspots"] = plan.change.hotspots.rename_axis(VILLAGE_CODE).reset_index()
    return out


def _read_change(source: Store, present: set[str], info: dict[str, str]) -> Change | None:
    years = json.loads(info.get("change_years", "[]"))
    if not years or "change_village" not in present:
        return None
    units = {}
    for level in LEVELS:
        frame = pd.DataFrame(_read(source, f"change_{level}"))
        frame = frame.drop(columns=[c for c in ("geometry",) if c in frame])
        units[level] = frame.set_index(frame[f"{level}_code"].astype(str)).drop(columns=f"{level}_code")
        units[level].index.name = f"{level}_code"
    spots = _read(source, "change_hotspots")
    spots = spots.set_index(spots[VILLAGE_CODE].astype(str)).drop(columns=VILLAGE_CODE)
    spots.index.name = None
    return Change(years=tuple(tuple(y) for y in years), units=units,  # type: ignore[arg-type]
                  equity=_read(source, "change_equity"), hotspots=spots.fillna({"hotspot_change": ""}))


def _plain(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, (int, float, str, list)) else str(v)) for k, v in attrs.items()}


def _read(source: Store, layer: str) -> pd.DataFrame:
    frame = source.read(layer)
    for column in [c for c in frame.columns if frame[c].dtype == object and c != getattr(frame, "_geometry_column_name",
                                                                                          None)]:
        if len(frame) and frame[column].isna().all():  # a column of nothing (PostGIS gives None): NaN
            frame[column] = frame[column].astype(float)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.isna().all() and layer not in (
            "projects", "villages"):
        return pd.DataFrame(frame.drop(columns=frame.geometry.name))
    return frame


def open_workspace(path: str | Path, *, schema: str = "planmap") -> Plan:
    """Read a workspace written by :func:`save_workspace` (GeoPackage or PostGIS) back into a Plan.

    Raises
    ------
    InputFileError
        When the file is missing or is not a planmap workspace (names the missing layers).
    """
    source = store(path, schema=schema)
    present = source.layers()
    needed = {"tambon", "amphoe", "villages", "projects", "allocation", "equity", "workspace_info"}
    if needed - present:
        raise InputFileError(f"{source.name}: not a planmap workspace; missing layers "
                             f"{', '.join(sorted(needed - present))}. Write one with `planmap run`.",
                             th=f"{source.name}: ไม่ใช่พื้นที่ทำงานของ planmap (ขาดชั้นข้อมูล "
                                f"{', '.join(sorted(needed - present))}) สร้างด้วย planmap run")
    info = dict(zip(*[_read(source, "workspace_info")[c] for c in ("key", "value")], strict=True))
    villages = _read(source, "villages")
    if {"lon", "lat"} <= set(villages.columns):
        villages[POINT] = gpd.GeoSeries(shapely.points(villages.pop("lon"), villages.pop("lat")),
                                        crs=villages.crs)
    villages.index = villages[VILLAGE_CODE].astype(str).to_numpy()
    projects = _read(source, "projects")
    if "footprint_type" in projects:  # footprints in their own layers (since 0.2)
        projects = _footprints(source, present, pd.DataFrame(projects))
    for col in (AREA_CODES, AREA_SHARES):
        if col in projects:
            projects[col] = [None if v is None or pd.isna(v) else json.loads(v) for v in projects[col]]
    projects[AREA_CODES] = [v or [] for v in projects[AREA_CODES]]
    tables = {name: _indexed(_read(source, name), name) for name in _INDEXED if name in present}
    hotspots = tables.get("hotspots", pd.DataFrame(index=villages.index))
    hotspots.attrs.update(json.loads(info.get("hotspot_attrs", "{}")))
    return Plan(
        tambons=_read(source, "tambon"), amphoes=_read(source, "amphoe"),
        villages=gpd.GeoDataFrame(villages, geometry="geometry"), projects=projects,
        allocation=as_allocation(_read(source, "allocation")),
        metrics={lv: tables[f"metrics_{lv}"] for lv in LEVELS},
        duplication={lv: as_duplication(_read(source, f"duplication_{lv}")) for lv in LEVELS},
        equity=tables["equity"], lorenz=_read(source, "lorenz"), hotspots=hotspots,
        priorities=tables.get("priorities", pd.DataFrame(index=villages.index)),
        load={"facilitator": tables["load_facilitator"],
              "management_unit": tables["load_management_unit"]},
        needs=_read(source, "needs").astype({"unit_code": str}) if "needs" in present else None,
        alignment={lv: tables[f"alignment_{lv}"] for lv in LEVELS if f"alignment_{lv}" in tables},
        reports=_reports(_read(source, "import_report")) if "import_report" in present else {},
        method=str(info.get("method", "households")), notes=tuple(json.loads(info.get("notes", "[]"))),
        years=tuple(json.loads(info.get("years", "[]"))),
        underserved=_read(source, "underserved").astype({VILLAGE_CODE: str}) if "underserved" in present else None,
        change=_read_change(source, present, info),
        facilitators=_register(_read(source, "facilitator_register")) if "facilitator_register" in present else None,
        support={k: tables[f"support_{k}"] for k in ("project", "facilitator", "village")}
        if "support_project" in tables else None,
        options=json.loads(info.get("options", "{}")),
    )


def _stored_options(options: dict[str, Any]) -> dict[str, Any]:
    """The plan's options as JSON holds them: a need given as values per village is not copied
    (the village table keeps the need measured from it)."""
    return {k: v for k, v in options.items() if k != "need_values"}


def _support_layers(plan: Plan) -> dict[str, pd.DataFrame]:
    """The facilitator register (lists as JSON) and who can support what."""
    if plan.facilitators is None or plan.support is None:
        return {}
    register = plan.facilitators.copy()
    for col in (AREA_CODES, "skills"):
        register[col] = [json.dumps(list(v), ensure_ascii=False) for v in register[col]]
    return {"facilitator_register": register,
            **{f"support_{k}": table.reset_index() for k, table in plan.support.items()}}


def _register(frame: pd.DataFrame) -> pd.DataFrame:
    for col in (AREA_CODES, "skills"):
        frame[col] = [json.loads(v) if isinstance(v, str) else [] for v in frame[col]]
    return frame


def _indexed(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    key = _INDEXED[name]
    frame = frame.set_index(key)
    if key.endswith("_code"):
        frame.index = frame.index.astype(str)
    frame.index.name = None if name == "hotspots" else key
    return frame


def _reports(table: pd.DataFrame) -> dict[str, ImportReport]:
    out = {}
    for name, part in table.groupby("report", sort=False):
        first = part.iloc[0]
        report = ImportReport(source=str(first["source"]), rows_in=int(first["rows_in"]),
                              rows_loaded=int(first["rows_loaded"]),
                              rows_rejected=int(first["rows_rejected"]))
        for rec in part.dropna(subset=["severity"]).to_dict("records") if "severity" in part else []:
            report.add(rec["severity"], rec["message_en"], rec["message_th"],
                       row=None if pd.isna(rec["row"]) else int(rec["row"]), column=rec["column"],
                       value=rec["value"], sheet=rec["sheet"], file=rec["file"])
        out[str(name)] = report
    return out
