"""Many agencies' sheets, or a workshop's folder of them: which files to read, one project table,
and who has returned what.

During the mapping workshop the data team drops every agency's returned template (or its own
sheet) into one folder and runs ``planmap run --projects FOLDER/``. :func:`project_paths` turns
folders into the files to read (lock files and documents are listed, not read), and
:func:`submissions` makes the table the team watches: per file, the agency, rows, loaded,
rejected, problems and when the file was last saved.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from planmap_gis import settings
from planmap_gis._errors import InputFileError, PlanmapError
from planmap_gis._schema import (
    AGENCY,
    GEOMETRY,
    PROJECT_COLUMNS,
    PROJECT_ID,
    PROVINCE_CODE,
    SOURCE_FILE,
    SOURCE_ROW,
    SOURCE_SHEET,
)
from planmap_gis._text import id_key
from planmap_gis.read.projects import read_projects
from planmap_gis.read.sheets import GIS_SUFFIXES, TABLE_SUFFIXES, is_table
from planmap_gis.read.sheets.files import sheet_names
from planmap_gis.read.template.read import template_stamp
from planmap_gis.report import ImportReport

__all__ = ["SUBMISSION_COLUMNS", "UNREAD", "project_paths", "read_project_files", "report_key", "submission_lines",
           "submissions"]

log = logging.getLogger("planmap_gis")

#: The submissions table, one row per file in the folder.
SUBMISSION_COLUMNS = ("agency", "file", "template", "rows", "loaded", "rejected", "problems", "errors",
                      "warnings", "last_modified", "status")
_LOCK_PREFIXES = ("~$", ".~lock", ".")


def project_paths(items: Iterable[str | Path]) -> tuple[list[Path], list[tuple[Path, str, str]]]:
    """The project files to read, folders expanded (sorted by name), and the files left out.

    Returns
    -------
    (list of Path, list of (Path, reason_en, reason_th))
        A folder yields its spreadsheets and GIS layers, its sub-folders' too (a late agency's
        ``ส่งช้า/`` folder); Excel and LibreOffice lock files (``~$x.xlsx``, ``.~lock.x#``), hidden
        files and folders and other documents are left out with the reason.
    """
    paths: list[Path] = []
    skipped: list[tuple[Path, str, str]] = []
    for item in items:
        item = Path(item)
        if not item.is_dir():
            paths.append(item)
            continue
        inside = [p for p in item.rglob("*") if not any(part.startswith(".") for part in
                                                        p.relative_to(item).parts[:-1])]
        ours = _outputs_listed(inside)  # a planmap output folder among the returns: its files are not agencies'
        for path in sorted(inside, key=lambda p: p.relative_to(item).parts):
            if path.is_dir():
                continue
            if path in ours:
                skipped.append((path, "planmap's own output (listed in outputs.json): not read",
                                "เป็นผลลัพธ์ของ planmap เอง (อยู่ใน outputs.json) ไม่ได้อ่าน"))
            elif path.name.startswith(_LOCK_PREFIXES):
                skipped.append((path, "a lock or hidden file (someone may have the workbook open): not read",
                                "ไฟล์ล็อกหรือไฟล์ซ่อน (อาจมีผู้เปิดไฟล์อยู่) ไม่ได้อ่าน"))
            elif path.suffix.lower() in TABLE_SUFFIXES + GIS_SUFFIXES:
                paths.append(path)
            else:
                skipped.append((path, f"not a spreadsheet or GIS layer ({path.suffix or 'no extension'}): "
                                "not read", "ไม่ใช่ไฟล์ตารางหรือชั้นข้อมูล GIS ไม่ได้อ่าน"))
    return paths, skipped


def _outputs_listed(paths: list[Path]) -> set[Path]:
    """The files that a planmap ``outputs.json`` among ``paths`` lists (a run written into the folder)."""
    ours: set[Path] = set()
    for manifest in (p for p in paths if p.name == "outputs.json" and p.is_file()):
        try:
            listed = json.loads(manifest.read_text("utf-8")).get("outputs", [])
            ours |= {(manifest.parent / e["path"]) for e in listed if isinstance(e, dict) and "path" in e}
            ours.add(manifest)
        except (ValueError, AttributeError, TypeError):
            continue
    return ours


def read_project_files(
    paths: list[str | Path] | str | Path,
    *,
    boundaries: gpd.GeoDataFrame | None = None,
    villages: pd.DataFrame | None = None,
    crs: Any = None,
    sheet: str | int | None = None,
    columns: Mapping[str, str] | None = None,
) -> tuple[gpd.GeoDataFrame, dict[str, ImportReport]]:
    """Read several agencies' sheets into one project table.

    Each file is read with :func:`read_projects`; a folder stands for every spreadsheet
    and GIS layer in it (lock files and other documents are left out, see
    :func:`~planmap_gis.read.submissions.project_paths`). A project id already used in an
    earlier file is rejected in the later file's report, naming both files and rows,
    so the table holds each project once.

    Returns
    -------
    (GeoDataFrame, dict)
        The projects in file order, and each file's report by file name (by its path
        when two files share a name, as agencies' ``โครงการ.xlsx`` often do).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths, skipped = project_paths(paths)  # a folder: every returned file in it
    for path, en, _ in skipped:
        log.warning("%s: %s", path, en)
    frames, reports = [], {}
    seen: dict[str, tuple[str, int]] = {}
    provinces = set(boundaries[PROVINCE_CODE].astype(str)) if boundaries is not None else None
    missing = [p for p in paths if not Path(p).exists()]
    if missing:  # a file named on the command line that is not there: a typo to fix before anything runs
        raise InputFileError(f"{', '.join(map(str, missing))}: file not found. Check the name and the folder.",
                             th=f"ไม่พบไฟล์ {', '.join(map(str, missing))} ตรวจชื่อไฟล์และโฟลเดอร์")
    for path in paths:
        try:  # each file stands alone: one that cannot be read is reported and the others go on
            foreign = _foreign_template(path, provinces, boundaries)
            if foreign:
                raise InputFileError(*foreign[:1], th=foreign[1])
            frame, report = read_projects(path, boundaries=boundaries, villages=villages, crs=crs,
                                          sheet=_sheet_of(path, sheet), columns=columns)
        except PlanmapError as exc:
            reports[report_key(path, paths)] = _unread(path, exc)
            continue
        keys = frame[PROJECT_ID].map(id_key)
        clash = keys.isin(seen)
        for rec, key in zip(frame[clash].itertuples(), keys[clash], strict=True):
            earlier, earlier_row = seen[key]
            pid, row = getattr(rec, PROJECT_ID), int(getattr(rec, SOURCE_ROW))
            report.add("error", f"project id {pid} of {path} (row {row}) is already used in {earlier} "
                       f"(row {earlier_row}): row rejected; the two agencies should agree whose project it "
                       "is, or give each its own id",
                       f"รหัสโครงการ {pid} ของไฟล์ {path} (แถว {row}) ซ้ำกับไฟล์ {earlier} (แถว {earlier_row}) "
                       "ไม่นำเข้าแถวนี้ ให้สองหน่วยงานตกลงกัน หรือใช้รหัสต่างกัน",
                       row=row, column=PROJECT_ID, value=pid, sheet=getattr(rec, SOURCE_SHEET))
        report.rows_loaded -= int(clash.sum())
        report.rows_rejected += int(clash.sum())
        frame = frame[~clash]
        seen.update({k: (str(path), int(r)) for k, r in zip(keys[~clash], frame[SOURCE_ROW], strict=True)})
        frames.append(frame)
        reports[report_key(path, paths)] = report
    projects = (pd.concat(frames, ignore_index=True) if frames else
                pd.DataFrame(columns=list(PROJECT_COLUMNS)))  # every file unread: the table, empty
    return gpd.GeoDataFrame(projects, geometry=GEOMETRY, crs=settings.data_crs), reports


#: How a file that could not be read at all opens its one problem (and the Thai of it).
UNREAD = ("file not read: ", "อ่านไฟล์ไม่ได้: ")


def _unread(path: Path, exc: PlanmapError) -> ImportReport:
    """The report of a file that could not be read at all: one error with the reason and the fix."""
    report = ImportReport(source=str(path))
    report.add("error", UNREAD[0] + exc.message_en, UNREAD[1] + exc.thai)
    log.warning("%s: not read (%s); the other files go on", path, exc.message_en.splitlines()[0])
    return report


def _foreign_template(path: Path, provinces: set[str] | None, boundaries: Any) -> tuple[str, str] | None:
    """Why a returned template of another province is not read with this run's, or None."""
    stamp = template_stamp(path)
    if stamp is None or provinces is None or not stamp.province or stamp.province in provinces:
        return None
    here = ", ".join(sorted(set(boundaries["province_th"].astype(str)))) if "province_th" in boundaries else ""
    theirs = (stamp.boundaries()["province_th"].iloc[0] if stamp.boundaries() is not None
              and len(stamp.boundaries()) else stamp.province)
    return (f"this template is for {theirs} ({stamp.province}), not {here} ({', '.join(sorted(provinces))}): "
            "give it to that province's team, or run with its --province",
            f"แบบฟอร์มนี้เป็นของจังหวัด{theirs} ({stamp.province}) ไม่ใช่{here} ส่งให้ทีมของจังหวัดนั้น")


def _sheet_of(path: Path, sheet: str | int | None) -> str | int | None:
    """``--sheet`` for the files that have that sheet; the others (a template, a one-sheet workbook)
    are read as they are."""
    if sheet is None or not is_table(path) or path.suffix.lower() in (".csv", ".tsv", ".txt"):
        return None if sheet is None or not is_table(path) else sheet
    return sheet if isinstance(sheet, int) or sheet in sheet_names(path) else None


def report_key(path: str | Path, paths: list[str | Path]) -> str:
    """A file's key among several inputs: its name (with its sub-folder when it lies in one, e.g.
    ``ส่งช้า/x.xlsx``), or its path when another input shares the name."""
    path = Path(path)
    name = path.name
    if sum(Path(p).name == name for p in paths) != 1:
        return str(path)
    folders = [Path(p).parent for p in paths]
    top = min(folders, key=lambda f: len(f.parts))
    return str(path.relative_to(top)) if path.parent != top and path.is_relative_to(top) else name


def submissions(reports: dict[str, ImportReport], projects: pd.DataFrame,
                skipped: Iterable[tuple[Path, str, str]] = ()) -> pd.DataFrame:
    """Who has returned what: one row per project file read (and per file left out).

    Parameters
    ----------
    reports : dict of ImportReport
        Each project file's report (:func:`read_project_files`).
    projects : DataFrame
        The projects loaded from them (``source_file`` names the file of each).
    skipped : iterable, optional
        Files left out by :func:`project_paths`.

    Returns
    -------
    DataFrame
        :data:`SUBMISSION_COLUMNS`: the agency (the template's, else the one of the file's loaded
        rows; "several agencies (n): …" naming them for a consolidated file), the file name, the template version ("" for a free-form sheet),
        rows, loaded, rejected, problems (errors + warnings), last modified (local time,
        ``YYYY-MM-DD HH:MM``) and a status in Thai and English.
    """
    rows = []
    by_file = projects.groupby(SOURCE_FILE)[AGENCY] if len(projects) else None
    for name, report in reports.items():
        path = Path(report.source)
        stamp = template_stamp(path)
        agency = stamp.agency if stamp and stamp.agency else ""
        if not agency and by_file is not None and str(path) in by_file.groups:
            counts = by_file.get_group(str(path)).value_counts()
            # A consolidated file (a district office's sheet of every agency) is nobody's alone.
            agency = (str(counts.index[0]) if len(counts) == 1 else
                      f"หลายหน่วยงาน ({len(counts)}) / several agencies ({len(counts)}): "
                      f"{', '.join(map(str, counts.index))}"
                      if len(counts) else "")
        errors, warnings = report.count("error"), report.count("warning")
        unread = not report.rows_in and errors
        status = (f"อ่านไม่ได้ ข้ามไฟล์นี้ / not read, skipped: {report.problems.message_en.iloc[0]}" if unread else
                  "ไม่มีแถวที่นำเข้าได้ / nothing loaded" if report.rows_in and not report.rows_loaded else
                  "ไม่มีข้อมูล / empty" if not report.rows_in else
                  "มีแถวที่ไม่นำเข้า / rows rejected" if report.rows_rejected else
                  "มีคำเตือน / warnings" if warnings else "ครบ / complete")
        rows.append({"agency": agency, "file": name, "template": f"v{stamp.version}" if stamp else "",
                     "rows": report.rows_in, "loaded": report.rows_loaded, "rejected": report.rows_rejected,
                     "problems": errors + warnings, "errors": errors, "warnings": warnings,
                     "last_modified": _modified(path), "status": status})
    for path, en, th in skipped:
        rows.append({"agency": "", "file": path.name, "template": "", "rows": 0, "loaded": 0, "rejected": 0,
                     "problems": 0, "errors": 0, "warnings": 0, "last_modified": _modified(path),
                     "status": f"{th} / {en}"})
    return pd.DataFrame(rows, columns=list(SUBMISSION_COLUMNS))


def submission_lines(table: pd.DataFrame) -> list[str]:
    """One line per file for the screen, in the table's order."""
    lines = []
    for rec in table.to_dict("records"):
        who = rec["agency"] or "หน่วยงานไม่ระบุ / agency not named"
        lines.append(f"{rec['file']} — {who}: {rec['rows']} rows, {rec['loaded']} loaded, {rec['rejected']} "
                     f"rejected, {rec['problems']} problems; saved {rec['last_modified']} [{rec['status']}]")
    return lines


def _modified(path: Path) -> str:
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return ""
    return dt.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")
