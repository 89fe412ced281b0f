"""``planmap screen``: proposals against a workspace's plan, a suggested set under the budget."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from planmap_gis import __version__
from planmap_gis._commands import _print_written
from planmap_gis._desk import nothing_loaded, screening_outputs
from planmap_gis._errors import PlanmapError
from planmap_gis._output import (
    _warnings_to_log,
    folder_lock,
    refuse_foreign_outputs,
    refuse_inputs,
    write_excel,
    write_manifest,
)
from planmap_gis._schema import MOO
from planmap_gis.draw.printed.screening import save_screening_pdf
from planmap_gis.draw.workspace import open_workspace
from planmap_gis.measure.portfolio import WEIGHTS, full_weights
from planmap_gis.plan.screen import screen as screen_plan
from planmap_gis.read.cells import parse_amount
from planmap_gis.read.submissions import project_paths, read_project_files

log = logging.getLogger("planmap_gis")

#: What ``planmap screen`` writes into --out, with its own manifest beside a run's outputs.
SCREEN_NAMES = ("screening.xlsx", "screening.gpkg", "screening_webmap.html", "screening.pdf",
                "proposals_report.xlsx")
SCREEN_MANIFEST = "screening_outputs.json"


def add_parser(commands: Any, h: Callable[[str, str], str]) -> None:
    """The ``screen`` sub-command's options."""
    cmd = commands.add_parser("screen", help=h("screen proposals against a plan and suggest a set under the budget "
                                               "(จัดทัพ)", "คัดกรองข้อเสนอโครงการเทียบกับแผน และเสนอชุดโครงการตามวงเงิน"))
    cmd.add_argument("--plan", required=True, help=h("the plan's workspace.gpkg (or postgresql:// with --schema)",
                                                     "พื้นที่ทำงานของแผน workspace.gpkg"))
    cmd.add_argument("--schema", default="planmap", help=h("database schema of the workspace",
                                                           "schema ของพื้นที่ทำงานในฐานข้อมูล"))
    cmd.add_argument("--proposals", type=Path, nargs="+", required=True,
                     help=h("proposal sheets or returned templates, or folders of them",
                            "ไฟล์ข้อเสนอโครงการ หรือโฟลเดอร์ของไฟล์"))
    cmd.add_argument("--budget", action="append", metavar="LAYER=THB",
                     help=h("cap of a budget layer, e.g. --budget 2=50000000 (repeatable), or total=THB; "
                            "a layer without a cap is not limited", "วงเงินของชั้นงบ เช่น --budget 2=50000000"))
    cmd.add_argument("--weight", action="append", metavar="NAME=W",
                     help=h(f"weight of a term of the value ({', '.join(WEIGHTS)}; default 1 each)",
                            "น้ำหนักของแต่ละส่วน (new gap repeat ค่าเริ่มต้น 1)"))
    cmd.add_argument("--sheet", help=h("sheet of the proposal workbooks to read", "ชื่อชีตที่จะอ่าน"))
    cmd.add_argument("--lang", choices=("th", "en", "both"), default="th", help=h("language of the web map",
                                                                                 "ภาษาของแผนที่บนเว็บ"))
    cmd.add_argument("--paper", choices=("A3", "A4"), default="A3", help=h("paper of the screening pages",
                                                                           "ขนาดกระดาษของหน้าคัดกรอง"))
    cmd.add_argument("--out", type=Path, required=True, help=h("output folder", "โฟลเดอร์ผลลัพธ์"))
    cmd.add_argument("--replace", action="store_true",
                     help=h("write over files planmap did not write", "เขียนทับไฟล์ที่ไม่ได้สร้างโดย planmap"))
    cmd.set_defaults(func=screen)


def _pairs(items: list[str] | None, what: str, parse: Callable[[str], float | None]) -> dict[str, float]:
    """``KEY=VALUE`` options as a dict, each value parsed; a clear error otherwise."""
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        number = parse(value) if sep else None
        if what == "budget" and key.strip().lower() not in ("1", "2", "3", "4", "total"):
            number = None  # a budget layer is 1–4 (or the total)
        if number is None:
            raise PlanmapError(f"--{what} {item!r}: write it as {'LAYER (1–4 or total)' if what == 'budget' else 'NAME'}"
                               f"=NUMBER, e.g. --{what} "
                               f"{'2=50000000' if what == 'budget' else 'gap=1.5'}.",
                               th=f"--{what} {item!r}: เขียนเป็น ชื่อ=ตัวเลข เช่น "
                                  f"{'2=50000000' if what == 'budget' else 'gap=1.5'}")
        out[key.strip().lower()] = float(number)
    return out


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def screen(args: argparse.Namespace) -> int:
    refuse_inputs([args.out / name for name in SCREEN_NAMES], [args.plan, *args.proposals])
    refuse_foreign_outputs(args.out, SCREEN_NAMES, replace=args.replace, manifest=SCREEN_MANIFEST)
    for given in args.proposals:  # outputs among the returned proposals would be read as proposals next time
        if given.is_dir() and args.out.resolve().is_relative_to(given.resolve()):
            raise PlanmapError(f"--out {args.out} lies inside the proposals folder {given}: the outputs would be "
                               "read as proposals next time. Fix: choose an --out folder outside it.",
                               th=f"--out {args.out} อยู่ในโฟลเดอร์ข้อเสนอ ({given}) เลือกโฟลเดอร์ --out อื่นนอกโฟลเดอร์นี้")
    budget = _pairs(args.budget, "budget", parse_amount) or None
    weights = _pairs(args.weight, "weight", _number)
    full_weights(weights)  # checked before the plan is read: a bilingual error names the weights
    plan = open_workspace(args.plan, schema=args.schema)
    paths, _ = project_paths(args.proposals)
    with _warnings_to_log():
        # the plan's village register resolves หมู่ที่; a plan without one has a stand-in per tambon
        register = plan.villages if MOO in plan.villages and plan.villages[MOO].notna().any() else None
        proposals, reports = read_project_files(paths, boundaries=plan.tambons, villages=register,
                                                sheet=args.sheet)
        if proposals.empty:
            raise nothing_loaded(reports, "no proposal could be loaded from "
                                 + ", ".join(map(str, args.proposals)))
        result = screen_plan(plan, proposals, budget=budget, weights=weights)
    for report in reports.values():
        print(report.summary())
    print(result.report.summary())
    print(result.summary())

    def write() -> list[tuple[str, Any]]:
        written = screening_outputs(plan, result, args.out, lang=args.lang)
        written.append((f"Screening pages (PDF, {args.paper})",
                        save_screening_pdf(plan, result, args.out / "screening.pdf", paper=args.paper)))
        frames = {"proposals": result.report.to_frame(), **{name[:31]: r.to_frame() for name, r in reports.items()}}
        report = write_excel(frames, args.out / "proposals_report.xlsx")
        return [*written, ("Proposal import report (XLSX)", report)]

    with folder_lock(args.out):
        written = write()
        files = [p for _, p in written if isinstance(p, Path)]
        write_manifest(args.out, files, [args.plan, *paths], version=__version__, command="planmap screen",
                       name=SCREEN_MANIFEST)
    _print_written(written)
    return 0
