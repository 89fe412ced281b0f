"""The ``planmap`` command: thin wrappers over the public API.

User mistakes (a :class:`~planmap_gis.PlanmapError`) exit with code 2 and a
short message in English and Thai; ``--debug`` shows the traceback instead.
The commands themselves live in :mod:`planmap_gis._commands`.
"""

from __future__ import annotations

import argparse
import errno
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from planmap_gis import __version__, _commands, _screen_command
from planmap_gis._desk import for_cli
from planmap_gis._errors import PlanmapError
from planmap_gis.draw.classify import METRICS

log = logging.getLogger("planmap_gis")


def _h(en: str, th: str) -> str:
    """One option's help in English and Thai."""
    return f"{en} — {th}"


def _positive(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number of 1 or more / ต้องเป็นจำนวนเต็มตั้งแต่ 1")
    return int(text)


def _processes_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--processes", type=_positive, metavar="N",
                        help=_h("processes writing the outputs side by side, and with a national village register "
                                "making the village areas while the projects are read (default: one per core; "
                                "1: one after another)", "จำนวนกระบวนการที่เขียนไฟล์ผลลัพธ์พร้อมกัน "
                                "(ค่าเริ่มต้น เท่าจำนวนแกนประมวลผล; 1 คือเขียนทีละไฟล์)"))


def _outputs_options(parser: argparse.ArgumentParser, *, default_out: Path | None) -> None:
    parser.add_argument("--out", type=Path, required=default_out is None, default=default_out,
                        help=_h("output folder", "โฟลเดอร์ผลลัพธ์"))
    parser.add_argument("--metric", default="budget_per_household", choices=sorted(METRICS),
                        help=_h("metric of the atlas", "ตัวชี้วัดในแผนที่พิมพ์"))
    parser.add_argument("--paper", choices=("A3", "A4"), default="A3",
                        help=_h("atlas paper size", "ขนาดกระดาษแผนที่พิมพ์"))
    parser.add_argument("--no-atlas", action="store_true",
                        help=_h("skip the PDF atlas", "ไม่ต้องทำแผนที่พิมพ์ PDF"))
    _replace_option(parser)
    _sheets_option(parser)
    parser.add_argument("--method", default="households",
                        choices=("households", "population", "area", "equal"),
                        help=_h("how area-list projects spread over villages",
                                "วิธีกระจายงบของโครงการที่ระบุเป็นพื้นที่ลงหมู่บ้าน"))
    _years_options(parser)
    parser.add_argument("--need", metavar="COLUMN",
                        help=_h("indicator column holding each village's need (e.g. households failing "
                                "BMN); default households × (1 − strength index / 100)",
                                "คอลัมน์ความจำเป็นของหมู่บ้าน เช่น จำนวนครัวเรือนที่ไม่ผ่าน จปฐ. "
                                "(ค่าเริ่มต้น ครัวเรือน × (1 − ดัชนีความเข้มแข็ง/100))"))
    parser.add_argument("--online", action="store_true",
                        help=_h("web map loads Leaflet from the internet instead of carrying it",
                                "แผนที่บนเว็บโหลด Leaflet จากอินเทอร์เน็ตแทนการฝังในไฟล์"))
    _database_options(parser, _h("write the workspace to this PostGIS database instead of "
                                 "workspace.gpkg, e.g. postgresql://user@host:5432/db",
                                 "บันทึกพื้นที่ทำงานลงฐานข้อมูล PostGIS แทนไฟล์ workspace.gpkg"))
    _processes_option(parser)


def _sheets_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-project-sheets", dest="no_project_sheets", action="store_true",
                        help=_h("atlas without each amphoe's project sheet",
                                "แผนที่พิมพ์โดยไม่มีรายการโครงการของแต่ละอำเภอ"))


def _replace_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--replace", action="store_true",
                        help=_h("write over an existing file that planmap did not write",
                                "เขียนทับไฟล์เดิมที่ไม่ได้สร้างโดย planmap"))


def _columns_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--columns", action="append", metavar="HEADER=FIELD",
                        help=_h("map a header of the project sheets to a field, e.g. --columns 'Money=budget' "
                                "--columns 'Location=area' (repeatable), or a file of HEADER,FIELD lines",
                                "จับคู่หัวคอลัมน์กับข้อมูล เช่น --columns 'เงิน=งบประมาณ' (ใช้ซ้ำได้) หรือไฟล์"))


def _years_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--year", metavar="YEARS",
                       help=_h("analyse only these fiscal years (Buddhist era): 2569, 2568-2570 or "
                               "2568,2570", "วิเคราะห์เฉพาะปีงบประมาณเหล่านี้ เช่น 2569 หรือ 2568-2570"))
    group.add_argument("--compare", nargs=2, metavar=("EARLIER", "LATER"),
                       help=_h("compare two fiscal years, e.g. --compare 2568 2569: the later is analysed "
                               "and every output adds what changed", "เปรียบเทียบสองปีงบประมาณ เช่น "
                               "--compare 2568 2569 ผลลัพธ์ทุกชิ้นแสดงสิ่งที่เปลี่ยนไป"))


def _database_options(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--database", metavar="URL", help=help_text)
    parser.add_argument("--schema", default="planmap",
                        help=_h("database schema of the workspace (default planmap)",
                                "schema ของพื้นที่ทำงานในฐานข้อมูล (ค่าเริ่มต้น planmap)"))


def _workspace_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workspace", help=_h("workspace.gpkg, or a postgresql:// URL (with --schema)",
                                             "ไฟล์ workspace.gpkg หรือที่อยู่ฐานข้อมูล postgresql://"))
    parser.add_argument("--schema", default="planmap",
                        help=_h("database schema of the workspace", "schema ของพื้นที่ทำงานในฐานข้อมูล"))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planmap",
        description="Integrated development planning maps for Thai provinces. "
        "แผนที่บูรณาการแผนพัฒนาจังหวัด: นำเข้าโครงการ วิเคราะห์ความครอบคลุม ความซ้ำซ้อน "
        "ความเป็นธรรม แล้วพิมพ์แผนที่รายอำเภอและแผนที่บนเว็บ",
    )
    parser.add_argument("--version", action="version", version=f"planmap-gis {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help=_h("show tracebacks", "แสดงรายละเอียดข้อผิดพลาดสำหรับนักพัฒนา"))
    parser.add_argument("-q", "--quiet", action="store_true", help=_h("less output", "แสดงผลน้อยลง"))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help=_h("the whole pipeline on illustrative demo data of Nakhon Si Thammarat",
                        "สาธิตทุกขั้นตอนด้วยข้อมูลสมมุติบนขอบเขตจริงของจังหวัดนครศรีธรรมราช"))
    _outputs_options(demo, default_out=Path("planmap_demo"))
    demo.add_argument("--boundaries", type=Path,
                      help=_h("tambon layer to use instead of the packaged national layer",
                              "ชั้นขอบเขตตำบลที่จะใช้แทนชั้นข้อมูลทั้งประเทศที่มากับโปรแกรม"))
    demo.add_argument("--fictional", action="store_true",
                      help=_h("use the small fictional province (tests, teaching)",
                              "ใช้จังหวัดสมมุติขนาดเล็ก (สำหรับทดสอบหรือสอน)"))
    demo.add_argument("--seed", type=int, help=_h("random seed (default 2569)",
                                                  "ค่าเริ่มต้นของการสุ่ม (ค่าเริ่มต้น 2569)"))
    demo.set_defaults(func=_commands.demo)

    run = commands.add_parser(
        "run", help=_h("the pipeline on your own files", "วิเคราะห์ข้อมูลของจังหวัดจากไฟล์ของหน่วยงาน"))
    run.add_argument("--province", action="append", metavar="NAME_OR_CODE",
                     help=_h("province(s) from the packaged national layer, e.g. 80 or "
                             "นครศรีธรรมราช (repeatable); with --boundaries, cuts that file",
                             "จังหวัดจากชั้นขอบเขตทั้งประเทศที่มากับโปรแกรม เช่น 80 หรือ นครศรีธรรมราช"))
    run.add_argument("--amphoe", action="append", metavar="NAME_OR_CODE",
                     help=_h("only these amphoe (repeatable)", "เฉพาะอำเภอเหล่านี้"))
    run.add_argument("--boundaries", type=Path,
                     help=_h("tambon layer file; wins over the packaged layer",
                             "ไฟล์ชั้นขอบเขตตำบล ใช้แทนชั้นข้อมูลที่มากับโปรแกรม"))
    run.add_argument("--projects", type=Path, nargs="+", required=True,
                     help=_h("agencies' project sheets (.xlsx .xls .ods .csv), or a folder of returned "
                             "templates: every file in it is read",
                             "บัญชีโครงการของแต่ละหน่วยงาน หรือโฟลเดอร์ของแบบฟอร์มที่ส่งคืน (อ่านทุกไฟล์)"))
    run.add_argument("--villages", type=Path, help=_h("village register", "ทะเบียนหมู่บ้าน"))
    run.add_argument("--indicators", type=Path,
                     help=_h("village indicators, BMN/กชช.2ค", "ข้อมูล จปฐ./กชช.2ค รายหมู่บ้าน"))
    run.add_argument("--master-plans", dest="master_plans", type=Path,
                     help=_h("village master-plan needs: village, sector, priority rank",
                             "แผนแม่บทชุมชน: หมู่บ้าน ด้าน ลำดับความสำคัญ"))
    run.add_argument("--facilitators", type=Path,
                     help=_h("facilitator (คุณอำนวย) register: name, organisation, areas served, skills as "
                             "sectors, management unit; matched to the projects by sector and area",
                             "ทะเบียนคุณอำนวย: ชื่อ สังกัด พื้นที่ที่ดูแล ทักษะ (ด้าน) หน่วยจัดการ"))
    run.add_argument("--with-contacts", dest="with_contacts", action="store_true",
                     help=_h("keep the register's contacts in the outputs (left out by default)",
                             "ใส่ข้อมูลติดต่อของคุณอำนวยในผลลัพธ์ (ค่าเริ่มต้นไม่ใส่)"))
    run.add_argument("--top-needs", dest="top_needs", type=int, default=3,
                     help=_h("how many of each village's best-ranked needs count (default 3)",
                             "จำนวนความต้องการลำดับต้นของแต่ละหมู่บ้านที่นับ (ค่าเริ่มต้น 3)"))
    run.add_argument("--crs", help=_h("CRS of WKT footprints without one, e.g. EPSG:32647",
                                      "ระบบพิกัดของรูปแปลง WKT ที่ไม่ระบุ เช่น EPSG:32647"))
    run.add_argument("--boundaries-crs", dest="boundaries_crs", metavar="CRS",
                     help=_h("CRS of the --boundaries file when it has none or a wrong one, e.g. EPSG:32647",
                             "ระบบพิกัดของไฟล์ขอบเขตเมื่อไม่ระบุหรือระบุผิด เช่น EPSG:32647"))
    run.add_argument("--layer", help=_h("layer of the --boundaries file when it holds several (a zip, a GeoPackage)",
                                        "ชั้นข้อมูลในไฟล์ขอบเขตที่มีหลายชั้น"))
    run.add_argument("--sheet", help=_h("sheet of the project workbooks to read (default: the first "
                                        "visible one), e.g. when a cover sheet comes first",
                                        "ชื่อชีตที่จะอ่านในไฟล์โครงการ (ค่าเริ่มต้น: ชีตแรกที่ไม่ได้ซ่อน)"))
    _columns_option(run)
    _outputs_options(run, default_out=None)
    run.set_defaults(func=_commands.run)

    tpl = commands.add_parser(
        "template", help=_h("the workbook every agency fills for the mapping workshop (dropdown lists, "
                            "protected headers), read back strictly by run and validate",
                            "แบบฟอร์มโครงการให้ทุกหน่วยงานกรอก (มีรายการให้เลือก หัวตารางล็อก)"))
    tpl.add_argument("--province", action="append", metavar="NAME_OR_CODE",
                     help=_h("province of the packaged layer, e.g. 80", "จังหวัด เช่น 80"))
    tpl.add_argument("--boundaries", type=Path, help=_h("tambon layer instead of the packaged one",
                                                        "ชั้นขอบเขตตำบลที่จะใช้แทน"))
    tpl.add_argument("--agency", help=_h("the agency the template is for (blank agency cells read as it)",
                                         "หน่วยงานที่จะกรอกแบบฟอร์มนี้"))
    tpl.add_argument("--year", type=int, help=_h("fiscal year (Buddhist era); default the current one",
                                                 "ปีงบประมาณ (พ.ศ.) ค่าเริ่มต้นปีปัจจุบัน"))
    tpl.add_argument("--facilitators", action="store_true",
                     help=_h("the facilitator (คุณอำนวย) register template instead",
                             "แบบฟอร์มทะเบียนคุณอำนวยแทนแบบฟอร์มโครงการ"))
    tpl.add_argument("--out", type=Path, required=True, help=_h("the .xlsx file to write", "ไฟล์ .xlsx ที่จะเขียน"))
    tpl.add_argument("--replace", action="store_true",
                     help=_h("write over an existing template file", "เขียนทับแบบฟอร์มเดิม"))
    tpl.set_defaults(func=_commands.template)

    validate = commands.add_parser(
        "validate", help=_h("only the import report; exit 0 clean, 1 warnings, 2 errors",
                            "ตรวจไฟล์และรายงานปัญหาเท่านั้น"))
    validate.add_argument("files", type=Path, nargs="+",
                          help=_h("sheets to check (.xlsx .xls .ods .csv), or folders of them",
                                  "ไฟล์ที่จะตรวจ หรือโฟลเดอร์ของไฟล์"))
    validate.add_argument("--kind", choices=("auto", "projects", "indicators", "villages", "master_plans",
                                             "facilitators"),
                          default="auto", help=_h("what the files hold (default: guessed)",
                                                  "ชนิดของข้อมูลในไฟล์ (ค่าเริ่มต้น: ให้โปรแกรมเดา)"))
    validate.add_argument("--boundaries", type=Path,
                          help=_h("tambon layer to match area names against",
                                  "ชั้นขอบเขตตำบลสำหรับจับคู่ชื่อพื้นที่"))
    validate.add_argument("--province", action="append", metavar="NAME_OR_CODE",
                          help=_h("match area names within this province of the packaged layer",
                                  "จับคู่ชื่อพื้นที่ภายในจังหวัดนี้"))
    validate.add_argument("--sheet", help=_h("sheet to read (default: the first visible one)",
                                             "ชื่อชีตที่จะอ่าน (ค่าเริ่มต้น: ชีตแรกที่ไม่ได้ซ่อน)"))
    validate.add_argument("--report", type=Path,
                          help=_h("also write the report (.xlsx or .csv)",
                                  "บันทึกรายงานปัญหาเป็นไฟล์ .xlsx หรือ .csv ด้วย"))
    _columns_option(validate)
    validate.add_argument("--all", action="store_true",
                          help=_h("also list the notes (info lines), not only errors and warnings",
                                  "แสดงหมายเหตุทั้งหมดด้วย ไม่ใช่เฉพาะข้อผิดพลาดและคำเตือน"))
    validate.set_defaults(func=_commands.validate)

    web = commands.add_parser("webmap", help=_h("web map from a workspace", "แผนที่บนเว็บจากพื้นที่ทำงาน"))
    _workspace_argument(web)
    web.add_argument("--out", type=Path, help=_h("HTML file (default: beside the workspace)",
                                                 "ไฟล์ HTML (ค่าเริ่มต้น: ข้างพื้นที่ทำงาน)"))
    _replace_option(web)
    web.add_argument("--layer", action="append", metavar="METRIC@LEVEL",
                     help=_h("e.g. budget_per_household@village (repeatable)",
                             "ชั้นข้อมูลที่จะแสดง เช่น budget_per_household@village"))
    _years_options(web)
    web.add_argument("--lang", choices=("th", "en", "both"), default="th",
                     help=_h("language of labels", "ภาษาของป้ายชื่อ"))
    web.add_argument("--online", action="store_true",
                     help=_h("load Leaflet from the internet instead of carrying it",
                             "โหลด Leaflet จากอินเทอร์เน็ตแทนการฝังในไฟล์"))
    web.add_argument("--tiles", action="store_true",
                     help=_h("OpenStreetMap background (needs internet)",
                             "แผนที่ฐาน OpenStreetMap (ต้องใช้อินเทอร์เน็ต)"))
    web.set_defaults(func=_commands.webmap)

    atlas = commands.add_parser("atlas", help=_h("PDF atlas from a workspace",
                                                 "แผนที่พิมพ์รายอำเภอ (PDF) จากพื้นที่ทำงาน"))
    _workspace_argument(atlas)
    _replace_option(atlas)
    atlas.add_argument("--out", type=Path, help=_h("PDF file (default: beside the workspace)",
                                                   "ไฟล์ PDF (ค่าเริ่มต้น: ข้างพื้นที่ทำงาน)"))
    atlas.add_argument("--metric", default="budget_per_household", choices=sorted(METRICS),
                       help=_h("metric of the maps", "ตัวชี้วัดในแผนที่"))
    atlas.add_argument("--paper", choices=("A3", "A4"), default="A3",
                       help=_h("paper size", "ขนาดกระดาษ"))
    _years_options(atlas)
    _sheets_option(atlas)
    atlas.add_argument("--orientation", choices=("auto", "portrait", "landscape"), default="auto",
                       help=_h("page orientation (default: fits each map)",
                               "แนวกระดาษ (ค่าเริ่มต้น: ตามรูปร่างของแผนที่)"))
    _processes_option(atlas)
    atlas.set_defaults(func=_commands.atlas)

    _screen_command.add_parser(commands, _h)

    bounds = commands.add_parser("boundaries", help=_h("boundary layers", "ชั้นขอบเขตการปกครอง"))
    bcommands = bounds.add_subparsers(dest="action", required=True, metavar="ACTION")
    fetch = bcommands.add_parser(
        "fetch", help=_h("copy or download the reference layers (newer vintages), verifying sha256",
                         "คัดลอกหรือดาวน์โหลดชั้นขอบเขตอ้างอิง พร้อมตรวจ sha256"))
    fetch.add_argument("--from", dest="source_dir", type=Path,
                       help=_h("local folder holding the files, e.g. ../shared/boundaries",
                               "โฟลเดอร์ที่มีไฟล์"))
    fetch.add_argument("--url", help=_h("base URL of a mirror serving the files by name",
                                        "ที่อยู่เว็บของแหล่งสำเนาไฟล์"))
    fetch.add_argument("--dest", type=Path, help=_h("target folder (default: the user cache)",
                                                    "โฟลเดอร์ปลายทาง (ค่าเริ่มต้น: แคชของผู้ใช้)"))
    fetch.add_argument("--name", action="append", help=_h("only this file (repeatable)", "เฉพาะไฟล์นี้"))
    fetch.set_defaults(func=_commands.boundaries_fetch)
    imp = bcommands.add_parser(
        "import", help=_h("the official national tambon file (HDX COD-AB zip or .shp), simplified for print "
                          "and cached as the national layer", "นำเข้าไฟล์ขอบเขตตำบลทางการทั้งประเทศ ลดรายละเอียดสำหรับพิมพ์"))
    imp.add_argument("path", type=Path, help=_h("the zip or shapefile", "ไฟล์ zip หรือ shapefile"))
    imp.add_argument("--layer", help=_h("layer of a multi-layer file", "ชั้นข้อมูลในไฟล์ที่มีหลายชั้น"))
    imp.set_defaults(func=_commands.boundaries_import)
    check = bcommands.add_parser(
        "check", help=_h("read a tambon layer and report problems", "ตรวจชั้นขอบเขตตำบลและรายงานปัญหา"))
    check.add_argument("path", type=Path, help=_h("the layer file", "ไฟล์ชั้นขอบเขต"))
    check.add_argument("--layer", help=_h("layer of a multi-layer file", "ชั้นข้อมูลในไฟล์ที่มีหลายชั้น"))
    check.add_argument("--engine", choices=("pyogrio", "fiona"), help=_h("reader", "ตัวอ่านไฟล์"))
    check.add_argument("--crs", help=_h("CRS to assume when the file has none, e.g. EPSG:4326",
                                        "ระบบพิกัดที่ใช้เมื่อไฟล์ไม่ระบุ"))
    check.add_argument("--column", action="append", default=[], metavar="NAME=CANONICAL",
                       help=_h("map a file column to a canonical one, e.g. TB_IDN=tambon_code",
                               "จับคู่คอลัมน์ในไฟล์กับชื่อมาตรฐาน"))
    check.add_argument("--report", type=Path, help=_h("write the report (.csv or .xlsx)",
                                                      "บันทึกรายงานปัญหา"))
    check.set_defaults(func=_commands.boundaries_check)

    assets = commands.add_parser("assets", help=_h("web-map assets for offline use",
                                                   "ไฟล์ประกอบแผนที่บนเว็บสำหรับใช้ออฟไลน์"))
    acommands = assets.add_subparsers(dest="action", required=True, metavar="ACTION")
    acheck = acommands.add_parser(
        "check", help=_h("say where the offline Leaflet files come from and verify them",
                         "ตรวจไฟล์ Leaflet สำหรับแผนที่ออฟไลน์"))
    acheck.set_defaults(func=_commands.assets_check)
    afetch = acommands.add_parser(
        "fetch", help=_h("kept for old scripts: the same as check (Leaflet installs with the package)",
                         "คงไว้สำหรับสคริปต์เดิม ทำงานเหมือน check"))
    afetch.add_argument("--from", dest="source_dir", type=Path, help=argparse.SUPPRESS)
    afetch.set_defaults(func=_commands.assets_check)
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
        _say(exc.message_en, exc.thai)
        return 2
    except OSError as exc:  # a read-only folder, a full disk, a file in the way
        if args.debug:
            raise
        where = exc.filename or "a file"
        reason = exc.strerror or str(exc)
        hint_en, hint_th = _OS_HINTS.get(exc.errno, ("check the path and its permissions",
                                                     "ตรวจที่อยู่ไฟล์และสิทธิ์การเขียน"))
        _say(f"cannot read or write {where}: {reason}. Fix: {hint_en}.",
             f"อ่านหรือเขียน {where} ไม่ได้ ({reason}) แก้ไข: {hint_th}")
        return 2
    except KeyboardInterrupt:
        print("planmap: stopped; outputs already in place are complete, the one being written was "
              "not replaced. / หยุดการทำงานแล้ว ไฟล์ผลลัพธ์เดิมยังอยู่ครบ", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so plainly, never a traceback unless asked
        if args.debug:
            raise
        _say(f"unexpected error ({type(exc).__name__}: {exc}). This is a fault in planmap, not in your "
             "data as far as it can tell: run again with --debug and report the output.",
             f"เกิดข้อผิดพลาดที่ไม่คาดคิด ({type(exc).__name__}) เป็นข้อบกพร่องของโปรแกรม "
             "โปรดสั่งใหม่พร้อม --debug แล้วแจ้งผลให้ผู้ดูแล")
        return 3


_OS_HINTS = {
    errno.EACCES: ("choose a folder you may write to (--out), or ask for write permission",
                   "เลือกโฟลเดอร์ที่มีสิทธิ์เขียน (--out) หรือขอสิทธิ์การเขียน"),
    errno.EROFS: ("the disk is read-only: choose another folder with --out",
                  "ดิสก์อ่านได้อย่างเดียว เลือกโฟลเดอร์อื่นด้วย --out"),
    errno.ENOSPC: ("the disk is full: free some space or choose another disk with --out; the previous "
                   "outputs were kept", "ดิสก์เต็ม ลบไฟล์ที่ไม่ใช้หรือเลือกดิสก์อื่น ผลลัพธ์เดิมยังอยู่ครบ"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "บางส่วนของที่อยู่เป็นไฟล์ ไม่ใช่โฟลเดอร์"),
    errno.EISDIR: ("give a file name, not a folder", "ระบุชื่อไฟล์ ไม่ใช่โฟลเดอร์"),
    errno.ENOENT: ("check that the file or folder exists", "ตรวจว่าไฟล์หรือโฟลเดอร์มีอยู่จริง"),
}


def _say(english: str, thai: str) -> None:
    english, thai = for_cli(english), for_cli(thai)
    print(f"planmap: error: {english}", file=sys.stderr)
    print(f"planmap: ข้อผิดพลาด: {thai}", file=sys.stderr)
    print("Fix the input and run again; add --debug to see the traceback. "
          "แก้ไขข้อมูลแล้วสั่งใหม่ (เพิ่ม --debug เพื่อดูรายละเอียด)", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
