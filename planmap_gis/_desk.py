"""What a clerk at the workshop desk reads: a verdict per file, then its errors and warnings in full,
with sheet, cell and the agency's own header; and, when nothing could be loaded, which headers the
files had and which ones planmap expects — in Thai and English.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from planmap_gis._errors import PlanmapError, SchemaError
from planmap_gis._output import write_excel
from planmap_gis.draw.screening import save_screening
from planmap_gis.draw.webmap import save_webmap
from planmap_gis.read.facilitators import read_facilitators
from planmap_gis.read.indicators import read_indicators
from planmap_gis.read.masterplan import read_master_plans
from planmap_gis.read.projects import read_projects
from planmap_gis.read.submissions import UNREAD
from planmap_gis.read.template import template_stamp
from planmap_gis.read.villages import read_villages
from planmap_gis.report import ImportReport

__all__ = ["EXPECTED_HEADERS", "file_lines", "for_cli", "nothing_loaded", "read_any", "report_book"]

#: The headers a project sheet needs, as an agency would write them (Thai, English).
EXPECTED_HEADERS = ("ชื่อโครงการ / project name", "งบประมาณ (บาท) / budget (THB)",
                    "พื้นที่ดำเนินการ (หรือ อำเภอ, ตำบล, หมู่ที่) / area (or amphoe, tambon, moo)",
                    "หน่วยงาน / agency", "ปีงบประมาณ / fiscal year")
_WIDTH = 100
_UNUSED = "is not a project field nor an area"


#: A message shared with the Python API names both ways; on the command line only the option.
_PYTHON_ASIDE = re.compile(r" \(Python: [^()]*\)")
_PYTHON_ARGUMENT = re.compile(r"pass \w+=\.\.\. \(CLI: ([^)]*)\)")


def for_cli(text: str) -> str:
    """A message as the command line says it: CLI options, never Python arguments."""
    return _PYTHON_ARGUMENT.sub(r"use \1", _PYTHON_ASIDE.sub("", text))


def read_any(path: Path, kind: str, boundaries: Any, sheet: str | None = None, progress: bool = False,
             columns: dict[str, str] | None = None) -> tuple[str, ImportReport]:
    """Read a file as ``kind``; ``auto`` tries projects, then indicators, then a village register."""
    readers: dict[str, Callable[[], tuple[Any, ImportReport]]] = {
        "projects": lambda: read_projects(path, boundaries=boundaries, sheet=sheet, keep=False,
                                          progress=progress, columns=columns),
        "indicators": lambda: read_indicators(path, sheet=sheet),
        "villages": lambda: read_villages(path, sheet=sheet),
        "master_plans": lambda: read_master_plans(path, boundaries=boundaries, sheet=sheet),
        "facilitators": lambda: read_facilitators(path, boundaries=boundaries, sheet=sheet),
    }
    stamp = template_stamp(path) if kind == "auto" and sheet is None else None
    if stamp is not None:  # a returned template says what it holds
        kind = stamp.kind
    if kind != "auto":
        return kind, readers[kind]()[1]
    first: SchemaError | None = None
    for guess in ("projects", "indicators", "villages", "master_plans"):
        try:
            return guess, readers[guess]()[1]
        except SchemaError as exc:
            first = first or exc
    # Nothing fits: the project reader's message is the one an agency needs.
    raise SchemaError(f"{first} (Tried as a project sheet, an indicator table, a village "
                      "register and a master plan; pass --kind to choose.)")


def _wrapped(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, _WIDTH, initial_indent=indent, subsequent_indent=indent + "  ") or [indent]


def file_lines(path: Path, kind: str, report: ImportReport, *, show_all: bool = False) -> list[str]:
    """A file's verdict on one line, then each error and warning in full (wrapped, never cut):
    where (sheet, row, the agency's header), the value, the reason in Thai and English. Infos are
    counted, and listed only with ``show_all``."""
    errors, warnings, infos = (report.count(s) for s in ("error", "warning", "info"))
    verdict = ("มีแถวที่นำเข้าไม่ได้ / rows rejected" if errors else "มีข้อควรตรวจ / check the warnings"
               if warnings else "ใช้ได้ / clean")
    lines = [f"{path} ({kind}) — {verdict}: {report.rows_loaded} of {report.rows_in} rows loaded, "
             f"{errors} errors, {warnings} warnings, {infos} notes"]
    problems = report.problems
    order = {"error": 0, "warning": 1, "info": 2}
    shown = problems[problems["severity"].isin(["error", "warning"] + (["info"] if show_all else []))]
    shown = shown.assign(_o=shown["severity"].map(order)).sort_values(["_o", "row"], kind="stable")
    for rec in shown.to_dict("records"):
        where = ", ".join(x for x in (
            f"sheet '{rec['sheet']}'" if isinstance(rec["sheet"], str) and rec["sheet"] else "",
            f"row {int(rec['row'])}" if pd.notna(rec["row"]) else "",
            f"column '{rec['column']}'" if isinstance(rec["column"], str) and rec["column"] else "") if x)
        value = f" [{rec['value']}]" if isinstance(rec["value"], str) and rec["value"] else ""
        lines += _wrapped(f"{rec['severity'].upper()} {where}{value}: {for_cli(rec['message_th'])}", "  ")
        lines += _wrapped(for_cli(rec["message_en"]), "    ")
    if infos and not show_all:
        lines.append(f"  ({infos} notes not listed: --all shows them, the --report file holds them)")
    return lines


def _headers_not_used(reports: Iterable[ImportReport]) -> list[str]:
    found: list[str] = []
    for report in reports:
        problems = report.problems
        unused = problems[problems["message_en"].str.contains(_UNUSED, regex=False, na=False)]
        found += [c for c in unused["column"].dropna().astype(str) if c not in found]
    return found


def nothing_loaded(reports: dict[str, ImportReport], what: str) -> PlanmapError:
    """The error for a run from whose files nothing (or no baht) could be loaded: the headers the
    files had that planmap did not use, the headers it expects, and the ``--columns`` fix; or, when
    no file could be read at all, why each was not (its headers were never looked at)."""
    unread = [(name, en[len(UNREAD[0]):], th[len(UNREAD[1]):]) for name, r in reports.items()
              for en, th in zip(r.problems["message_en"], r.problems["message_th"], strict=True)
              if str(en).startswith(UNREAD[0])]
    if unread and len(unread) == len(reports):
        # A reason names its file in most cases already; else it is named here.
        def named(name: str, text: str) -> str:
            return text if name in text else f"{name}: {text}"
        return SchemaError(f"{what}: no file could be read. " + " ".join(named(n, en) for n, en, _ in unread),
                           th=f"{what}: อ่านไฟล์ไม่ได้เลย " + " ".join(named(n, th) for n, _, th in unread))
    unused = _headers_not_used(reports.values())
    found = ", ".join(unused) if unused else "(none besides those read)"
    expected = "; ".join(EXPECTED_HEADERS)
    example = f"--columns '{unused[0]}=budget'" if unused else "--columns 'YOUR HEADER=budget'"
    return SchemaError(
        f"{what}. Headers in the files that planmap did not use: {found}. Headers it expects: {expected}. "
        f"Rename the headers, or map them: {example} (one --columns per header, or a file of "
        "HEADER,FIELD lines).",
        th=f"{what}: ไม่มีข้อมูลที่นำเข้าได้ หัวคอลัมน์ในไฟล์ที่ไม่ได้ใช้: {found} หัวคอลัมน์ที่ต้องมี: "
           f"{expected} แก้ไข: เปลี่ยนชื่อหัวคอลัมน์ หรือจับคู่ด้วย {example}")


def screening_outputs(plan: Any, screening: Any, folder: Path, *, lang: str = "th",
                      offline: bool = True) -> list[tuple[str, Path]]:
    """Every screening output into ``folder``: workbook, layer and web map (``screening_webmap.html``:
    the plan's themes without project footprints, the proposals coloured by verdict)."""
    book, layer = save_screening(screening, folder)
    title = "ข้อเสนอโครงการ (สีตามผลการคัดกรอง)" if lang == "th" else "Proposals coloured by verdict"
    web = save_webmap(plan, Path(folder) / "screening_webmap.html", projects=False, screening=screening,
                      lang=lang, offline=offline, title=title)
    return [("Screening workbook (XLSX, คัดกรองข้อเสนอ)", book), ("Screening layer (GeoPackage)", layer),
            ("Screening web map (HTML)", web)]


def report_book(reports: dict[str, ImportReport], path: Path, submitted: pd.DataFrame | None = None) -> Path:
    """The import report workbook: what each agency must fix first, then a summary per input, the
    returned files (``submitted``) and the documented repairs."""
    summary = pd.DataFrame([{"input": name, "source": r.source, "rows_in": r.rows_in,
                             "rows_loaded": r.rows_loaded, "rows_rejected": r.rows_rejected,
                             "errors": r.count("error"), "warnings": r.count("warning"),
                             "notes": r.count("info")} for name, r in reports.items()])
    problems = pd.concat([r.problems.assign(input=name) for name, r in reports.items()], ignore_index=True)
    # The book opens on what an agency must fix: errors, then warnings; the notes (documented
    # repairs, "no need on record" …) come last, apart.
    rank = problems["severity"].map({"error": 0, "warning": 1, "info": 2})
    problems = problems.assign(_rank=rank).sort_values(["_rank", "input", "row"], kind="stable").drop(columns="_rank")
    sheets = {"problems": problems[problems["severity"] != "info"], "summary": summary}
    if submitted is not None:
        sheets["submissions"] = submitted
    sheets["notes"] = problems[problems["severity"] == "info"]
    return write_excel(sheets, path)
