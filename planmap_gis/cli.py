"""The ``planmap`` command: thin wrappers over the public API.

User mistakes (a :class:`~planmap_gis.PlanmapError`) exit with code 2 and a
short message in English and Thai; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd

from planmap_gis import __version__, demo
from planmap_gis._errors import PlanmapError
from planmap_gis._schema import (
    AREA_CODES,
    AREA_SHARES,
    LAYER_AMPHOE,
    LAYER_PROJECTS,
    LAYER_TAMBON,
    LAYER_VILLAGES,
    POINT,
)
from planmap_gis.assets import asset_dir, fetch_assets, missing_assets
from planmap_gis.boundaries import read_boundaries
from planmap_gis.plan import Plan, analyse
from planmap_gis.printmap import atlas
from planmap_gis.sources import fetch_boundaries, manifest
from planmap_gis.villages import village_areas
from planmap_gis.webmap import save_webmap

log = logging.getLogger("planmap_gis")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planmap",
        description="Integrated development planning maps for Thai provinces. "
        "แผนที่บูรณาการแผนพัฒนาจังหวัด",
    )
    parser.add_argument("--version", action="version", version=f"planmap-gis {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks (แสดงรายละเอียดข้อผิดพลาด)")
    parser.add_argument("-q", "--quiet", action="store_true", help="less output (แสดงผลน้อยลง)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run_demo = commands.add_parser(
        "demo", help="build the illustrative demo and write its outputs (สร้างข้อมูลสาธิต)")
    run_demo.add_argument("--out", type=Path, default=Path("planmap_demo"),
                          help="output folder (โฟลเดอร์ผลลัพธ์), default ./planmap_demo")
    run_demo.add_argument("--boundaries", type=Path,
                          help="tambon layer to use instead of the reference NST layer")
    run_demo.add_argument("--seed", type=int, help="random seed (default 2569)")
    run_demo.add_argument("--paper", choices=("A3", "A4"), default="A3", help="atlas paper size")
    run_demo.set_defaults(func=_demo)

    bounds = commands.add_parser("boundaries", help="boundary layers (ชั้นขอบเขตการปกครอง)")
    bcommands = bounds.add_subparsers(dest="action", required=True, metavar="ACTION")
    fetch = bcommands.add_parser(
        "fetch", help="copy or download the reference layers, verifying sha256 (ดึงชั้นขอบเขต)")
    fetch.add_argument("--from", dest="source_dir", type=Path,
                       help="local folder holding the files, e.g. ../shared/boundaries")
    fetch.add_argument("--url", help="base URL of a mirror serving the files by name")
    fetch.add_argument("--dest", type=Path, help="target folder (default: the user cache)")
    fetch.add_argument("--name", action="append", help="only this file (repeatable)")
    fetch.set_defaults(func=_fetch)
    check = bcommands.add_parser(
        "check", help="read a tambon layer and report problems (ตรวจชั้นขอบเขต)")
    check.add_argument("path", type=Path)
    check.add_argument("--layer", help="layer of a multi-layer file")
    check.add_argument("--engine", choices=("pyogrio", "fiona"))
    check.add_argument("--crs", help="CRS to assume when the file has none, e.g. EPSG:4326")
    check.add_argument("--column", action="append", default=[], metavar="NAME=CANONICAL",
                       help="map a file column to a canonical one, e.g. TB_IDN=tambon_code")
    check.add_argument("--report", type=Path, help="write the report (.csv or .xlsx)")
    check.set_defaults(func=_check)
    assets = commands.add_parser("assets", help="web-map assets for offline use (ไฟล์สำหรับแผนที่ออฟไลน์)")
    acommands = assets.add_subparsers(dest="action", required=True, metavar="ACTION")
    afetch = acommands.add_parser(
        "fetch", help="get Leaflet with npm (or from a folder) into the cache, verifying sha256")
    afetch.add_argument("--from", dest="source_dir", type=Path,
                        help="folder with the unpacked npm packages or their .tgz files")
    afetch.set_defaults(func=_assets_fetch)
    return parser


def _assets_fetch(args: argparse.Namespace) -> int:
    paths = fetch_assets(source_dir=args.source_dir)
    print(f"{len(paths)} files verified in {asset_dir()}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    data = demo.load(boundaries=args.boundaries, seed=args.seed)
    areas = village_areas(data.villages, data.tambons)
    plan = analyse(data.tambons, data.projects, villages=areas, indicators=data.indicators,
                   notes=(f"{data.note_en} / {data.note_th}",))
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    gpkg = _write_layers(plan, out / "planmap_demo.gpkg")
    tables = _write_tables(plan, out)
    offline = not missing_assets()
    html = save_webmap(plan, out / "webmap.html", offline=offline)
    pdf = atlas(plan, out / "atlas.pdf", paper=args.paper, progress=not args.quiet)
    sheets = demo.write_demo_sheets(data, out / "sheets")
    kind = "fictional province (real layer not found)" if data.fictional else data.boundary_source
    print(f"Province: {data.province_th} — boundaries: {kind}")
    print(f"{len(data.tambons)} tambon, {data.tambons.amphoe_code.nunique()} amphoe, "
          f"{len(areas)} villages, {len(data.projects)} projects from "
          f"{data.projects.agency.nunique()} agencies")
    print(plan.summary())
    print(f"Workspace (GeoPackage): {gpkg}")
    print(f"Web map (HTML): {html} — " + ("works offline" if offline else
          "loads Leaflet from the internet; run `planmap assets fetch` for an offline map"))
    print(f"Atlas (PDF, {args.paper}, {len(plan.amphoes) + 1} pages): {pdf}")
    for path in tables:
        print(f"Table: {path}")
    for name, path in sheets.items():
        print(f"Demo sheet ({name}): {path}")
    return 0


def _flat(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Lists and a second geometry column as plain columns, so a GeoPackage can hold them."""
    frame = frame.copy()
    if POINT in frame:
        points = gpd.GeoSeries(frame.pop(POINT))
        frame["lon"], frame["lat"] = points.x, points.y
    for col in (AREA_CODES, AREA_SHARES):
        if col in frame:
            frame[col] = frame[col].map(lambda v: None if v is None else ",".join(map(str, v)))
    return frame


def _write_layers(plan: Plan, path: Path) -> Path:
    path.unlink(missing_ok=True)
    villages = plan.villages.join(plan.hotspots[["gi_z", "gi_q", "hotspot"]]).join(
        plan.priorities[[c for c in ("score", "rank") if c in plan.priorities]])
    tambons = plan.tambons.join(plan.metrics["tambon"], on="tambon_code")
    for name, layer in ((LAYER_TAMBON, tambons), (LAYER_AMPHOE, plan.amphoes),
                        (LAYER_VILLAGES, villages.reset_index(drop=True)),
                        (LAYER_PROJECTS, plan.projects)):
        _flat(gpd.GeoDataFrame(layer)).to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    return path


def _write_tables(plan: Plan, out: Path) -> list[Path]:
    written = []
    for level, table in plan.metrics.items():
        written.append(out / f"metrics_{level}.csv")
        table.to_csv(written[-1], encoding="utf-8-sig")
    written.append(out / "equity.csv")
    plan.equity.to_csv(written[-1], encoding="utf-8-sig")
    written.append(out / "duplication_tambon.csv")
    plan.duplication["tambon"].to_csv(written[-1], index=False, encoding="utf-8-sig")
    written.append(out / "priorities.csv")
    plan.priorities.sort_values("rank").to_csv(written[-1], encoding="utf-8-sig")
    return written


def _fetch(args: argparse.Namespace) -> int:
    paths = fetch_boundaries(source_dir=args.source_dir, mirror_url=args.url, dest=args.dest,
                             names=args.name)
    for path in paths:
        print(f"verified {path}")
    print(f"Licence {manifest()['licence']}; attribute \"{manifest()['attribution']}\".")
    return 0


def _check(args: argparse.Namespace) -> int:
    columns = {}
    for item in args.column:
        name, _, canonical = item.partition("=")
        if not canonical:
            raise PlanmapError(f"--column {item!r}: write NAME=CANONICAL, e.g. TB_IDN=tambon_code.")
        columns[name] = canonical
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the report below says it all
        tambons, report = read_boundaries(args.path, engine=args.engine, layer=args.layer,
                                          columns=columns or None, crs=args.crs,
                                          return_report=True)
    print(report.summary())
    print(f"{len(tambons)} tambon, {tambons.amphoe_code.nunique()} amphoe, "
          f"{tambons.province_code.nunique()} provinces")
    problems = report.problems
    if len(problems):
        print(problems[["row", "column", "value", "severity", "message_en"]]
              .to_string(index=False, max_rows=40, max_colwidth=90))
    if args.report:
        written = (report.to_excel(args.report) if args.report.suffix.lower() == ".xlsx"
                   else report.to_csv(args.report))
        print(f"report written to {written}")
    return 1 if report.count("warning") else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``planmap`` console script; returns the exit code."""
    args = _parser().parse_args(argv)
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.WARNING if args.quiet else logging.INFO)
    try:
        return int(args.func(args))
    except PlanmapError as exc:
        if args.debug:
            raise
        print(f"planmap: error / ข้อผิดพลาด: {exc}", file=sys.stderr)
        print("Fix the input and run again; add --debug to see the traceback.", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
