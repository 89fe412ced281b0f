"""The ``planmap`` command: thin wrappers over the public API.

User mistakes (a :class:`~planmap_gis.PlanmapError`) exit with code 2 and a
short message in English and Thai; ``--debug`` shows the traceback instead.
The commands themselves live in :mod:`planmap_gis._commands`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from planmap_gis import __version__, _commands
from planmap_gis._errors import PlanmapError
from planmap_gis.classify import METRICS

log = logging.getLogger("planmap_gis")


def _outputs_options(parser: argparse.ArgumentParser, *, default_out: Path | None) -> None:
    parser.add_argument("--out", type=Path, required=default_out is None, default=default_out,
                        help="output folder (โฟลเดอร์ผลลัพธ์)")
    parser.add_argument("--metric", default="budget_per_household", choices=sorted(METRICS),
                        help="metric of the atlas (ตัวชี้วัดในแผนที่พิมพ์)")
    parser.add_argument("--paper", choices=("A3", "A4"), default="A3", help="atlas paper (ขนาดกระดาษ)")
    parser.add_argument("--no-atlas", action="store_true", help="skip the PDF atlas (ไม่พิมพ์แผนที่)")
    parser.add_argument("--method", default="households",
                        choices=("households", "population", "area", "equal"),
                        help="how area-list projects spread over villages (วิธีกระจายงบ)")
    _database_options(parser, "write the workspace to this PostGIS database instead of workspace.gpkg, "
                      "e.g. postgresql://user@host:5432/db (บันทึกลงฐานข้อมูล PostGIS)")


def _database_options(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--database", metavar="URL", help=help_text)
    parser.add_argument("--schema", default="planmap", help="database schema of the workspace (default planmap)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planmap",
        description="Integrated development planning maps for Thai provinces. "
        "แผนที่บูรณาการแผนพัฒนาจังหวัด: นำเข้าโครงการ วิเคราะห์ความครอบคลุม ความซ้ำซ้อน "
        "ความเป็นธรรม แล้วพิมพ์แผนที่รายอำเภอและแผนที่บนเว็บ",
    )
    parser.add_argument("--version", action="version", version=f"planmap-gis {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks (แสดงรายละเอียดข้อผิดพลาด)")
    parser.add_argument("-q", "--quiet", action="store_true", help="less output (แสดงผลน้อยลง)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="the whole pipeline on illustrative demo data (สาธิตด้วยข้อมูลสมมุติ)")
    _outputs_options(demo, default_out=Path("planmap_demo"))
    demo.add_argument("--boundaries", type=Path,
                      help="tambon layer to use instead of the reference NST layer")
    demo.add_argument("--seed", type=int, help="random seed (default 2569)")
    demo.set_defaults(func=_commands.demo)

    run = commands.add_parser(
        "run", help="the pipeline on your own files (วิเคราะห์ข้อมูลของจังหวัด)")
    run.add_argument("--boundaries", type=Path, required=True, help="tambon layer (ชั้นขอบเขตตำบล)")
    run.add_argument("--projects", type=Path, nargs="+", required=True,
                     help="one or more agencies' project sheets (บัญชีโครงการของแต่ละหน่วยงาน)")
    run.add_argument("--villages", type=Path, help="village register (ทะเบียนหมู่บ้าน)")
    run.add_argument("--indicators", type=Path, help="village indicators, BMN/กชช.2ค (ข้อมูล จปฐ.)")
    run.add_argument("--master-plans", dest="master_plans", type=Path,
                     help="village master-plan needs (แผนแม่บทชุมชน: หมู่บ้าน, ด้าน, ลำดับความสำคัญ)")
    run.add_argument("--top-needs", dest="top_needs", type=int, default=3,
                     help="how many of each village's best-ranked needs count (default 3)")
    run.add_argument("--crs", help="CRS of WKT footprints without one, e.g. EPSG:32647")
    _outputs_options(run, default_out=None)
    run.set_defaults(func=_commands.run)

    validate = commands.add_parser(
        "validate", help="only the import report; exit 0 clean, 1 warnings, 2 errors (ตรวจไฟล์)")
    validate.add_argument("files", type=Path, nargs="+")
    validate.add_argument("--kind", choices=("auto", "projects", "indicators", "villages", "master_plans"),
                          default="auto", help="what the files hold (default: guessed)")
    validate.add_argument("--boundaries", type=Path, help="tambon layer to match area names against")
    validate.add_argument("--report", type=Path, help="also write the report (.xlsx or .csv)")
    validate.set_defaults(func=_commands.validate)

    web = commands.add_parser("webmap", help="web map from a workspace (แผนที่บนเว็บ)")
    web.add_argument("workspace", help="workspace.gpkg, or a postgresql:// URL (with --schema)")
    web.add_argument("--schema", default="planmap", help="database schema of the workspace")
    web.add_argument("--out", type=Path, help="HTML file (default: beside the workspace)")
    web.add_argument("--layer", action="append", metavar="METRIC@LEVEL",
                     help="e.g. budget_per_household@village (repeatable)")
    web.add_argument("--lang", choices=("th", "en", "both"), default="th")
    web.add_argument("--online", action="store_true", help="load Leaflet from the internet")
    web.add_argument("--tiles", action="store_true", help="OpenStreetMap background (needs internet)")
    web.set_defaults(func=_commands.webmap)

    atlas = commands.add_parser("atlas", help="PDF atlas from a workspace (แผนที่พิมพ์รายอำเภอ)")
    atlas.add_argument("workspace", help="workspace.gpkg, or a postgresql:// URL (with --schema)")
    atlas.add_argument("--schema", default="planmap", help="database schema of the workspace")
    atlas.add_argument("--out", type=Path, help="PDF file (default: beside the workspace)")
    atlas.add_argument("--metric", default="budget_per_household", choices=sorted(METRICS))
    atlas.add_argument("--paper", choices=("A3", "A4"), default="A3")
    atlas.add_argument("--orientation", choices=("auto", "portrait", "landscape"), default="auto")
    atlas.set_defaults(func=_commands.atlas)

    bounds = commands.add_parser("boundaries", help="boundary layers (ชั้นขอบเขตการปกครอง)")
    bcommands = bounds.add_subparsers(dest="action", required=True, metavar="ACTION")
    fetch = bcommands.add_parser(
        "fetch", help="copy or download the reference layers, verifying sha256 (ดึงชั้นขอบเขต)")
    fetch.add_argument("--from", dest="source_dir", type=Path,
                       help="local folder holding the files, e.g. ../shared/boundaries")
    fetch.add_argument("--url", help="base URL of a mirror serving the files by name")
    fetch.add_argument("--dest", type=Path, help="target folder (default: the user cache)")
    fetch.add_argument("--name", action="append", help="only this file (repeatable)")
    fetch.set_defaults(func=_commands.boundaries_fetch)
    check = bcommands.add_parser(
        "check", help="read a tambon layer and report problems (ตรวจชั้นขอบเขต)")
    check.add_argument("path", type=Path)
    check.add_argument("--layer", help="layer of a multi-layer file")
    check.add_argument("--engine", choices=("pyogrio", "fiona"))
    check.add_argument("--crs", help="CRS to assume when the file has none, e.g. EPSG:4326")
    check.add_argument("--column", action="append", default=[], metavar="NAME=CANONICAL",
                       help="map a file column to a canonical one, e.g. TB_IDN=tambon_code")
    check.add_argument("--report", type=Path, help="write the report (.csv or .xlsx)")
    check.set_defaults(func=_commands.boundaries_check)

    assets = commands.add_parser("assets", help="web-map assets for offline use (ไฟล์สำหรับแผนที่ออฟไลน์)")
    acommands = assets.add_subparsers(dest="action", required=True, metavar="ACTION")
    afetch = acommands.add_parser(
        "fetch", help="get Leaflet with npm (or from a folder) into the cache, verifying sha256")
    afetch.add_argument("--from", dest="source_dir", type=Path,
                        help="folder with the unpacked npm packages or their .tgz files")
    afetch.set_defaults(func=_commands.assets_fetch)
    return parser


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
        print("Fix the input and run again; add --debug to see the traceback. "
              "แก้ไขข้อมูลแล้วสั่งใหม่", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
