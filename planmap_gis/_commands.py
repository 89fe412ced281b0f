"""What each ``planmap`` command does; the parser is in :mod:`planmap_gis.cli`."""

from __future__ import annotations

import argparse
import logging
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from planmap_gis import __version__
from planmap_gis import demo as demo_data
from planmap_gis._desk import (
    file_lines,
    for_cli,
    nothing_loaded,
    read_any,
    report_book,
    screening_outputs,
)
from planmap_gis._errors import PlanmapError, PlanmapWarning
from planmap_gis._lanes import LANE_VILLAGES, Step, side_by_side
from planmap_gis._output import (
    MANIFEST,
    _warnings_to_log,
    folder_lock,
    refuse_file_as_folder,
    refuse_foreign,
    refuse_foreign_outputs,
    refuse_inputs,
    write_csv,
    write_manifest,
)
from planmap_gis._schema import BUDGET
from planmap_gis.draw.assets import ASSETS, check_assets
from planmap_gis.draw.outputs import output_steps
from planmap_gis.draw.printed.atlas import atlas as write_atlas
from planmap_gis.draw.printed.atlas import atlas_pages
from planmap_gis.draw.store import is_database
from planmap_gis.draw.webmap import save_webmap
from planmap_gis.draw.workspace import open_workspace
from planmap_gis.plan import Plan, analyse, reanalyse
from planmap_gis.plan.screen import screen
from planmap_gis.read.boundaries import read_boundaries
from planmap_gis.read.boundary_import import import_boundaries
from planmap_gis.read.facilitators import read_facilitators
from planmap_gis.read.indicators import read_indicators
from planmap_gis.read.masterplan import read_master_plans
from planmap_gis.read.rows import ALIASES as PROJECT_ALIASES
from planmap_gis.read.sheets.headers import column_map
from planmap_gis.read.sources import fetch_boundaries, manifest
from planmap_gis.read.submissions import (
    project_paths,
    read_project_files,
    report_key,
    submission_lines,
    submissions,
)
from planmap_gis.read.template import template as write_template
from planmap_gis.read.template import template_stamp
from planmap_gis.read.villages import read_villages, village_areas
from planmap_gis.report import ImportReport

log = logging.getLogger("planmap_gis")


#: The files a run writes into --out (besides tables/ and, for the demo, sheets/).
OUTPUT_NAMES = ("workspace.gpkg", "webmap.html", "atlas.pdf", "matrix.xlsx", "import_report.xlsx",
                MANIFEST)


def _outputs(out: Path, inputs: list[Any], args: argparse.Namespace,
             write: Callable[[], list[tuple[str, Path]]]) -> list[tuple[str, Path]]:
    """Write a run's outputs into ``out``: one run at a time, never over an input, each file
    atomic, and ``outputs.json`` saying what the folder holds (stale files removed)."""
    _check_out(out, inputs, args)
    with folder_lock(out):
        written = write()
        # Only the files this run wrote: an earlier run's tables in the folder are stale, not listed.
        files = [f for _, p in written for f in (p if isinstance(p, list) else [p]) if isinstance(f, Path)]
        write_manifest(out, files, inputs, version=__version__, command=f"planmap {args.command}")
    return written


def _check_out(out: Path, inputs: list[Any], args: argparse.Namespace) -> None:
    """Stop when the outputs cannot go into ``out`` (a file, another program's files, an input's
    place, the returned folder): checked before the inputs are read, so a national run does not
    read and analyse for a minute first, and again before writing."""
    refuse_file_as_folder(out)
    refuse_inputs([out / name for name in OUTPUT_NAMES], inputs, folders=[out / "tables"])
    refuse_foreign_outputs(out, OUTPUT_NAMES, replace=getattr(args, "replace", False))
    for given in getattr(args, "projects", None) or []:  # outputs among the returns would be read next time
        if Path(given).is_dir() and out.resolve().is_relative_to(Path(given).resolve()):
            raise PlanmapError(f"--out {out} lies inside the returned folder {given}: the outputs would be read as "
                               "an agency's file next time. Fix: choose an --out folder outside it.",
                               th=f"--out {out} อยู่ในโฟลเดอร์ที่หน่วยงานส่งคืน ({given}) เลือกโฟลเดอร์ --out อื่นนอกโฟลเดอร์นี้")


def _write_outputs(plan: Plan, out: Path, args: argparse.Namespace, submitted: pd.DataFrame | None = None,
                   screening: Any = None, extra: Sequence[Step] = ()) -> list[tuple[str, Any]]:
    steps = output_steps(plan, out, atlas=not args.no_atlas, paper=args.paper, metric=args.metric,
                         project_sheets=not args.no_project_sheets, offline=not args.online,
                         database=args.database, schema=args.schema, progress=not args.quiet, screening=screening,
                         processes=getattr(args, "processes", None))
    if plan.reports:
        steps.append(Step("Import report (XLSX)", 0.5, lambda: report_book(plan.reports, out / "import_report.xlsx",
                                                                          submitted)))
    steps += extra
    # A large plan takes minutes: each step is said as it starts and ends, the writers side by side.
    written = side_by_side(steps, getattr(args, "processes", None), wait=True)
    return [(step.label, path) for step, path in zip(steps, written, strict=True)]


def _print_written(written: list[tuple[str, Any]]) -> None:
    for label, path in written:
        print(f"{label}: {path[-1].parent if isinstance(path, list) and path else path}")


def demo(args: argparse.Namespace) -> int:
    _check_out(args.out, [args.boundaries], args)
    with _warnings_to_log():
        data = demo_data.load(boundaries=args.boundaries, seed=args.seed, fictional=args.fictional)
        areas = village_areas(data.villages, data.tambons)
        plan = analyse(data.tambons, data.projects, villages=areas, indicators=data.indicators,
                       master_plans=data.master_plans, method=args.method, years=args.year,
                       compare_years=args.compare, need=args.need, facilitators=data.facilitators,
                       notes=(f"{data.note_th} ({data.note_en})",))
    kind = "fictional province (--fictional)" if data.fictional else data.boundary_source
    print(f"Province / จังหวัด: {data.province_th} ({data.tambons.province_en.iloc[0]}) — boundaries: {kind}")
    print(f"{len(data.tambons)} tambon, {data.tambons.amphoe_code.nunique()} amphoe, "
          f"{len(areas)} villages, {len(data.projects)} projects from "
          f"{data.projects.agency.nunique()} agencies")
    print(plan.summary())

    screening = screen(plan, data.proposals, budget=data.caps)
    print(screening.summary())

    def write() -> list[tuple[str, Path]]:
        # The screening's outputs and the demo's input sheets are written beside the others.
        extra = [Step("Screening outputs", 1, lambda: screening_outputs(plan, screening, args.out,
                                                                        offline=not args.online)),
                 Step("Demo input sheets", 1.5, lambda: demo_data.write_demo_sheets(data, args.out / "sheets"))]
        *written, (_, screened), (_, sheets) = _write_outputs(plan, args.out, args, screening=screening, extra=extra)
        return [*written, *screened, *((f"Demo input ({name})", path) for name, path in sheets.items())]

    _print_written(_outputs(args.out, [args.boundaries], args, write))
    return 0


def run(args: argparse.Namespace) -> int:
    reports: dict[str, ImportReport] = {}
    with _warnings_to_log():
        tambons, reports["boundaries"] = _boundaries(args)
        points = areas = None
        if args.villages:
            points, reports["villages"] = read_villages(args.villages)
        paths, skipped = project_paths(args.projects)
        inputs = [args.boundaries, *paths, args.villages, args.indicators, args.master_plans, args.facilitators]
        _check_out(args.out, inputs, args)
        columns = column_map(args.columns, PROJECT_ALIASES)
        steps = [Step("project files", 2, lambda: read_project_files(
            paths, boundaries=tambons, villages=points, crs=args.crs, sheet=args.sheet, columns=columns or None))]
        if points is not None:  # the areas need the register, not the projects: made side by side at scale
            steps.append(Step("village areas", 1, lambda: village_areas(points, tambons, return_report=True)))
        lanes = args.processes if points is not None and len(points) >= LANE_VILLAGES else 1
        (projects, project_reports), *made = side_by_side(steps, lanes, say=False)
        if made:
            areas, reports["village_areas"] = made[0]
        reports.update(project_reports)
        returned = submissions(project_reports, projects, skipped)
        indicators = needs = None
        if args.need and not args.indicators:
            raise PlanmapError(f"--need {args.need}: the need column is read from --indicators; give that "
                               "file too.", th=f"--need {args.need}: ต้องระบุไฟล์ตัวชี้วัด (--indicators) "
                               "ที่มีคอลัมน์ความจำเป็นนี้ด้วย")
        if args.indicators:
            indicators, reports["indicators"] = read_indicators(
                args.indicators, extra=(args.need,) if args.need else ())
        if args.master_plans:
            needs, reports["master_plans"] = read_master_plans(args.master_plans, boundaries=tambons,
                                                               villages=points)
        register = None
        if args.facilitators:
            register, reports["facilitators"] = read_facilitators(
                args.facilitators, boundaries=tambons, villages=points, contact=args.with_contacts)
        if projects.empty or not (projects[BUDGET].fillna(0) > 0).any():
            for line in submission_lines(returned):
                log.warning(line)
            sources = ", ".join(str(p) for p in args.projects)
            raise nothing_loaded(project_reports, f"no project could be loaded from {sources}" if projects.empty
                                 else f"the projects of {sources} carry no budget (0 THB)")
        plan = analyse(tambons, projects, villages=areas, indicators=indicators, master_plans=needs,
                       top_needs=args.top_needs, method=args.method, reports=reports, years=args.year,
                       compare_years=args.compare, need=args.need, facilitators=register)
    for name, report in reports.items():
        if name not in project_reports:
            print(report.summary())
    print(f"Project files / ไฟล์โครงการ ({len(returned)}):")
    for line in submission_lines(returned):
        print(f"  {line}")
    print(plan.summary())
    _print_written(_outputs(args.out, inputs, args,
                            lambda: _write_outputs(plan, args.out, args, submitted=returned)))
    return 0


def _boundaries(args: argparse.Namespace) -> tuple[Any, ImportReport]:
    """The tambon layer of ``run``: a file when given, else the packaged national layer,
    cut to --province / --amphoe."""
    if args.boundaries is None and not args.province:
        raise PlanmapError(
            "run needs the area: --province NAME_OR_CODE (e.g. --province 80 or --province "
            "นครศรีธรรมราช; the national tambon layer ships with planmap-gis), or a tambon layer "
            "with --boundaries FILE.",
            th="ต้องระบุพื้นที่: --province ชื่อหรือรหัสจังหวัด (เช่น --province 80 หรือ "
               "--province นครศรีธรรมราช) หรือไฟล์ชั้นขอบเขตตำบลด้วย --boundaries FILE",
        )
    return read_boundaries(args.boundaries, province=args.province, amphoe=args.amphoe,
                           crs=args.boundaries_crs, layer=args.layer)


#: Problems printed on screen per file; the report file holds them all.
_SHOWN = 200


def validate(args: argparse.Namespace) -> int:
    boundaries = None
    if args.boundaries or args.province:
        with _warnings_to_log():
            boundaries, _ = read_boundaries(args.boundaries, province=args.province)
    files, skipped = project_paths(args.files)  # a folder: every returned file in it
    columns = column_map(args.columns, PROJECT_ALIASES)
    for path, en, th in skipped:
        print(f"{path}: {en} / {th}")
    refuse_inputs([args.report], [*files, args.boundaries])
    worst, reports = 0, {}
    for path in files:
        try:
            with _warnings_to_log():
                kind, report = read_any(path, args.kind, boundaries, args.sheet, progress=not args.quiet,
                                        columns=columns or None)
        except PlanmapError as exc:
            print(f"{path}: cannot be read — {for_cli(str(exc))}")
            worst = 2
            continue
        reports[report_key(path, files)] = report
        lines = file_lines(path, kind, report, show_all=args.all)
        print("\n".join(lines[:_SHOWN]))
        if len(lines) > _SHOWN:
            print(f"… and {len(lines) - _SHOWN:,} more lines: write every problem with --report "
                  f"FILE.xlsx / และอีก {len(lines) - _SHOWN:,} บรรทัด ดูทั้งหมดด้วย --report")
        code = 2 if report.count("error") else 1 if report.count("warning") else 0
        worst = max(worst, code)
    if args.report and reports:
        if args.report.suffix.lower() == ".xlsx":
            report_book(reports, args.report)
        else:
            write_csv(pd.concat([r.problems for r in reports.values()]), args.report)
        print(f"report written to {args.report}")
    print({0: "clean / ไม่พบปัญหา", 1: "warnings / มีข้อควรตรวจ", 2: "errors / มีแถวที่นำเข้าไม่ได้"}[worst])
    return worst


def _workspace_plan(args: argparse.Namespace) -> Plan:
    """The workspace's plan, analysed again when --year or --compare asks for other years."""
    plan = open_workspace(args.workspace, schema=args.schema)
    if args.year or args.compare:
        with _warnings_to_log():
            plan = reanalyse(plan, years=args.year, compare_years=args.compare)
        print(f"Fiscal years / {plan.years_label()} ({plan.years_label('en')})")
    return plan


def webmap(args: argparse.Namespace) -> int:
    refuse_inputs([args.out], [args.workspace])
    plan = _workspace_plan(args)
    layers = None
    if args.layer:
        layers = [tuple(item.split("@", 1)) if "@" in item else (item, "village") for item in args.layer]
    kwargs: dict[str, Any] = {"lang": args.lang, "offline": not args.online, "tiles": args.tiles}
    if layers:
        kwargs["layers"] = layers
    out = args.out or _beside(args.workspace, "webmap.html")
    refuse_inputs([out], [args.workspace])
    refuse_foreign(out, replace=args.replace)
    print(f"Web map (HTML): {save_webmap(plan, out, **kwargs)}")
    return 0


def _beside(workspace: str, name: str) -> Path:
    """Default output: next to a workspace file, or in the current folder for a database."""
    return Path(name) if is_database(workspace) else Path(workspace).with_name(name)


def atlas(args: argparse.Namespace) -> int:
    refuse_inputs([args.out], [args.workspace])
    plan = _workspace_plan(args)
    out = args.out or _beside(args.workspace, "atlas.pdf")
    refuse_inputs([out], [args.workspace])
    refuse_foreign(out, replace=args.replace)
    sheets = not args.no_project_sheets
    path = write_atlas(plan, out, metric=args.metric, paper=args.paper, orientation=args.orientation,
                       project_sheets=sheets, progress=not args.quiet, processes=args.processes)
    print(f"Atlas (PDF, {args.paper}, {atlas_pages(plan, paper=args.paper, project_sheets=sheets)} pages): "
          f"{path}")
    return 0


def assets_check(args: argparse.Namespace) -> int:
    paths = check_assets()
    for package, (module, version, _) in ASSETS.items():
        print(f"{package} {version}: from the installed Python package {module} (verified by sha256)")
    print(f"{len(paths)} files verified; web maps work offline. / ตรวจไฟล์ครบ {len(paths)} ไฟล์ "
          "แผนที่บนเว็บใช้งานออฟไลน์ได้")
    return 0


def boundaries_fetch(args: argparse.Namespace) -> int:
    paths = fetch_boundaries(source_dir=args.source_dir, mirror_url=args.url, dest=args.dest,
                             names=args.name)
    for path in paths:
        print(f"verified {path}")
    print(f"Licence {manifest()['licence']}; attribute \"{manifest()['attribution']}\".")
    return 0


def boundaries_import(args: argparse.Namespace) -> int:
    target, report = import_boundaries(args.path, layer=args.layer)
    print(report.summary())
    print(f"national layer / ชั้นขอบเขตทั้งประเทศ: {target}")
    return 0


def boundaries_check(args: argparse.Namespace) -> int:
    columns = {}
    for item in args.column:
        name, _, canonical = item.partition("=")
        if not canonical:
            raise PlanmapError(f"--column {item!r}: write NAME=CANONICAL, e.g. TB_IDN=tambon_code.",
                               th=f"--column {item}: เขียนเป็น ชื่อคอลัมน์=ชื่อมาตรฐาน เช่น TB_IDN=tambon_code")
        columns[name] = canonical
    refuse_inputs([args.report], [args.path])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlanmapWarning)  # the report below says it all
        tambons, report = read_boundaries(args.path, engine=args.engine, layer=args.layer,
                                          columns=columns or None, crs=args.crs)
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


def template(args: argparse.Namespace) -> int:
    """Write the workshop template (projects, or the facilitator register)."""
    out = args.out
    if out.suffix.lower() != ".xlsx":
        raise PlanmapError(f"--out {out}: the template is an Excel workbook; give a name ending in .xlsx.",
                           th=f"--out {out}: แบบฟอร์มเป็นไฟล์ Excel ตั้งชื่อให้ลงท้ายด้วย .xlsx")
    if (out.exists() or out.is_symlink()) and not out.is_file():
        raise PlanmapError(f"--out {out} is not a regular file (a folder or a device): give a file name.",
                           th=f"--out {out} ไม่ใช่ไฟล์ปกติ ตั้งชื่อไฟล์ใหม่")
    if out.exists() and not args.replace:  # a template an agency filled, or any workbook of theirs
        what = "a planmap template that may hold an agency's rows" if template_stamp(out) else "an existing file"
        raise PlanmapError(f"{out} is {what}: not written over. Fix: give another --out, or add --replace.",
                           th=f"{out} มีอยู่แล้ว (อาจเป็นไฟล์ที่หน่วยงานกรอกแล้ว) จึงไม่เขียนทับ แก้ไข: ตั้งชื่อไฟล์อื่น "
                              "หรือเพิ่ม --replace")
    refuse_inputs([out], [args.boundaries])
    if args.boundaries is None and not args.province:
        raise PlanmapError("template needs the province: --province 80 (code or name).",
                           th="ต้องระบุจังหวัด: --province 80 (รหัสหรือชื่อ)")
    tambons, _ = read_boundaries(args.boundaries, province=args.province)
    path = write_template(out, boundaries=tambons, agency=args.agency, year=args.year,
                          facilitators=args.facilitators)
    kind = "Facilitator register template / แบบฟอร์มทะเบียนคุณอำนวย" if args.facilitators else \
        "Project template / แบบฟอร์มโครงการ"
    print(f"{kind}: {path} — {tambons.province_th.iloc[0]}, {tambons.amphoe_code.nunique()} amphoe, "
          f"{len(tambons)} tambon{', ' + args.agency if args.agency else ''}")
    return 0
