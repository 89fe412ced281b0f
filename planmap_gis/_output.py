"""Writing outputs safely: whole or not at all, never over an input, never a live formula.

Every file planmap writes goes through here:

* :func:`atomic` — written under a temporary name in the same folder and moved into
  place with ``os.replace`` only when complete, so a reader (or the next run) never
  sees half a file and a killed run leaves the previous output intact;
* :func:`defuse_frame` / :func:`defuse_workbook` — text from agencies' sheets is data:
  a CSV cell that starts with ``= + - @``, a tab or a carriage return gets a leading
  apostrophe (OWASP's advice against CSV injection), and in XLSX every text cell is
  written as a string, never as a formula; characters XLSX cannot hold (control
  characters) are dropped and cells over Excel's 32,767 characters are cut, each said;
* :func:`folder_lock` — one run at a time writes into an output folder;
* :func:`refuse_inputs` — an output path that is an input is refused before anything is written.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from openpyxl import Workbook
from openpyxl.styles import Font

from planmap_gis._errors import InputFileError, OutputError, PlanmapError, PlanmapWarning
from planmap_gis._lanes import release_free_pages
from planmap_gis._xlsx import (EXCEL_CELL_LIMIT, SheetRows, clean_value, close_rows, fast_deflate, fit_cells,
                               frame_tails, repairs_said)

__all__ = ["EXCEL_CELL_LIMIT", "atomic", "defuse_frame", "defuse_text", "defuse_workbook", "folder_lock",
           "refuse_file_as_folder", "refuse_inputs", "save_book", "write_csv", "write_excel", "write_manifest"]

log = logging.getLogger("planmap_gis")

try:  # stamped on every output, so a file says which planmap wrote it
    VERSION = version("planmap-gis")
except PackageNotFoundError:  # running from a source tree that was never installed
    VERSION = "0+unknown"

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def sha256(path: str | Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def atomic(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; moved onto ``path`` when the block ends.

    The temporary name keeps the extension (GDAL and openpyxl go by it). If the block
    raises, the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    if (path.exists() or path.is_symlink()) and not path.is_file():  # /dev/full, a fifo, a folder
        raise OutputError(f"{path}: not a regular file (a device, a pipe or a folder); nothing was written. "
                          "Give a file name for the output.",
                          th=f"{path}: ไม่ใช่ไฟล์ปกติ จึงไม่ได้เขียน ระบุชื่อไฟล์สำหรับผลลัพธ์")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.part{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM):
            raise OutputError(f"{path}: cannot be written ({exc.strerror}); the previous output, if any, is "
                              "intact. Free some space or choose another --out folder.",
                              th=f"{path}: เขียนไม่ได้ ({exc.strerror}) ผลลัพธ์เดิมยังอยู่ครบ "
                                 "ทำพื้นที่ว่างหรือเลือกโฟลเดอร์ --out อื่น") from exc
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def defuse_text(value: Any) -> Any:
    """A text value as inert spreadsheet data: a leading apostrophe before ``= + - @``, tab or CR.

    Numbers and other non-text values are returned as they are.
    """
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def defuse_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (object and string columns, and text column names) are inert."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if isinstance(values.dtype, pd.StringDtype):  # a text column: only the texts that start badly
            risky = values.str.startswith(_TRIGGERS).fillna(False).to_numpy(dtype=bool)
            if risky.any():
                out[col] = values.where(~risky, "'" + values)
        elif values.dtype == object or isinstance(values.dtype, pd.CategoricalDtype) or \
                pd.api.types.is_string_dtype(values.dtype):  # a categorical's texts: each once
            out[col] = values.map(defuse_text)
    return out.rename(columns=lambda c: defuse_text(c) if isinstance(c, str) else c)


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """A table as CSV (UTF-8 with BOM, which Excel opens as Thai), inert and atomic: by Arrow (10× pandas;
    numbers in their shortest exact text, texts quoted), by pandas a table Arrow cannot hold (lists)."""
    safe = defuse_frame(frame)
    with atomic(path) as tmp:
        try:
            table = pa.Table.from_pandas(safe, preserve_index=False)
            safe.head(0).to_csv(tmp, index=False, encoding="utf-8-sig")  # the header, as pandas writes it
            with open(tmp, "ab") as out:
                pa_csv.write_csv(table, out, pa_csv.WriteOptions(include_header=False))
        except (pa.ArrowException, TypeError, ValueError):
            safe.to_csv(tmp, index=False, encoding="utf-8-sig")
    return Path(path)


#: Rows made into cells at a time. Each cell is a small string while its slice is written: a national
#: duplication table's slices of 20,000 rows took +0.165 GiB (in a forked writer, +0.167: its strings
#: land in the parent's partly used memory pools, whose pages are then copied), of 2,000 +0.10
#: (+0.12), in the same time.
_SLICE = 2_000


def write_excel(sheets: dict[str, pd.DataFrame], path: str | Path, *, format_sheet: Any = None) -> Path:
    """Tables as sheets of one XLSX file, every text cell inert, written atomically.

    Rows are streamed as SpreadsheetML (:class:`~planmap_gis._xlsx.SheetRows`): a national village
    table is written without a cell object per value. ``format_sheet(worksheet, frame)`` may
    set each sheet's frozen panes and column widths (it is called before the rows are written).
    """
    book = Workbook(write_only=True)
    changed: list[str] = []
    for name, frame in sheets.items():
        frame = fit_cells(frame, path, name)
        sheet = book.create_sheet(name[:31])
        if format_sheet is not None:
            format_sheet(sheet, frame)
        rows = SheetRows(sheet, changed)
        rows.append([rows.cell(str(col), ("bold",), lambda: {"font": Font(bold=True)}) for col in frame.columns])
        for start in range(0, len(frame), _SLICE):  # a column at a time, a slice of rows at a time
            rows.add_columns(frame_tails(rows, frame.iloc[start:start + _SLICE], start + 2))
        rows.close()
        release_free_pages()  # what the sheet's cells were made with (see `release_free_pages`)
    return save_book(book, path, changed=changed)


def save_book(book: Any, path: str | Path, *, changed: list[str] | None = None) -> Path:
    """An openpyxl workbook saved inert and atomically. A write-only workbook's cells were made
    inert as they were written (:func:`~planmap_gis._xlsx.clean_value`); ``changed`` says how."""
    if book.write_only:
        close_rows(book)
        for line in repairs_said(changed or []):
            log.warning("XLSX output: %s", line)
    else:
        defuse_workbook(book)
    with atomic(path) as tmp, fast_deflate():
        book.save(tmp)
    return Path(path)


def defuse_workbook(book: Any) -> list[str]:
    """Make every cell of an openpyxl workbook inert before it is saved; returns what was changed.

    A text cell that openpyxl would store as a formula (it starts with ``=``) is stored as
    text; control characters XLSX cannot hold are dropped; text over 32,767 characters is
    cut (Excel's limit). planmap itself writes values only, so no formula is lost.
    """
    changed: list[str] = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str):
                    continue
                text = clean_value(value, changed, f"{sheet.title}!{cell.column_letter}", cell.row)
                if text != value or cell.data_type == "f":
                    cell.value = text
                    cell.data_type = "s"  # text, never a formula
    for line in repairs_said(changed):
        log.warning("XLSX output: %s", line)
    return changed


def refuse_file_as_folder(folder: str | Path) -> Path:
    """``folder`` as a Path, unless it names a file (a run's ``--out`` is a folder)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise PlanmapError(
            f"--out {folder}: this is a file, not a folder. Fix: give a folder name for the outputs.",
            th=f"--out {folder}: เป็นไฟล์ ไม่ใช่โฟลเดอร์ แก้ไข: ระบุชื่อโฟลเดอร์สำหรับผลลัพธ์",
        )
    return folder


@contextlib.contextmanager
def folder_lock(folder: str | Path) -> Iterator[None]:
    """Hold ``folder/.planmap.lock`` while the block runs; a second run into it stops at once.

    The lock is an ``flock`` on the file, released by the operating system when the
    process ends, however it ends: a killed run leaves no stale lock. A run that ends removes the
    file too, so the folder holds only outputs.
    """
    folder = refuse_file_as_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lock = folder / ".planmap.lock"
    handle = open(lock, "a+")  # noqa: SIM115 - held for the block
    held = False
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise PlanmapError(
                f"{folder}: another planmap run ({holder}) is writing into this folder. Wait for it "
                "to finish, or choose another --out folder.",
                th=f"{folder}: มีการทำงานของ planmap อีกชุดกำลังเขียนลงโฟลเดอร์นี้ ({holder}) "
                   "รอให้เสร็จก่อน หรือเลือกโฟลเดอร์ --out อื่น",
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        held = True
        yield
    finally:
        if held:  # removed while still held: no other run can be between our unlock and the unlink
            lock.unlink(missing_ok=True)
        handle.close()


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def refuse_inputs(outputs: Iterable[str | Path], inputs: Iterable[str | Path], *,
                  folders: Iterable[str | Path] = ()) -> None:
    """Stop before writing when an output would overwrite an input (or is a folder), or an input
    lies in one of ``folders`` whose contents the run rewrites.

    Raises
    ------
    InputFileError
        Naming the output, the input it would replace and the fix.
    """
    given = [Path(p) for p in inputs if p is not None and not str(p).startswith(("postgresql:", "postgres:"))]
    inside = [src for src in given for folder in folders if src.resolve().is_relative_to(Path(folder).resolve())]
    for out in (Path(p) for p in [*outputs, *inside] if p is not None):
        if out.is_dir():
            raise InputFileError(
                f"{out}: is a folder; the output needs a file name (e.g. {out / 'report.xlsx'}).",
                th=f"{out}: เป็นโฟลเดอร์ ต้องระบุชื่อไฟล์ผลลัพธ์",
            )
        for src in given:
            if _same(out, src) or out.resolve() == src.resolve():
                raise InputFileError(
                    f"{out}: this output would overwrite the input {src}. Nothing was written. "
                    "Fix: give the output another name.",
                    th=f"{out}: ผลลัพธ์นี้จะเขียนทับไฟล์นำเข้า {src} จึงไม่ได้เขียนอะไร "
                       "แก้ไข: ตั้งชื่อไฟล์ผลลัพธ์ใหม่",
                )


#: What marks a file as planmap's own output, by suffix (an agency's file has none of these).
_OWN_MARKS = {".html": b"planmap.titleBox(", ".pdf": b"planmap-gis"}


def refuse_foreign(path: str | Path, *, replace: bool = False) -> None:
    """Stop before writing over an existing file that planmap did not write (an agency's page, a
    report someone saved under that name) unless ``replace``; planmap's own output is rewritten."""
    path = Path(path)
    if replace or not path.is_file() or path.suffix.lower() not in _OWN_MARKS:
        return
    if _OWN_MARKS[path.suffix.lower()] not in path.read_bytes():
        raise InputFileError(f"{path}: an existing file planmap did not write; not written over. Fix: give "
                             "another --out, or add --replace.",
                             th=f"{path}: เป็นไฟล์ที่มีอยู่แล้วและไม่ได้สร้างโดย planmap จึงไม่เขียนทับ "
                                "แก้ไข: ตั้งชื่อไฟล์อื่น หรือเพิ่ม --replace")


MANIFEST = "outputs.json"


def refuse_foreign_outputs(folder: str | Path, names: Iterable[str], *, replace: bool = False,
                           manifest: str = MANIFEST) -> None:
    """Stop before a run writes over files in its folder that no earlier planmap run wrote there
    (``outputs.json`` lists planmap's own), unless ``replace``."""
    folder = Path(folder)
    if replace or not folder.is_dir():
        return
    listed: set[str] = set()
    for name in {MANIFEST, manifest}:  # a file any planmap command listed there is planmap's own
        try:
            listed |= {e["path"] for e in json.loads((folder / name).read_text("utf-8")).get("outputs", [])}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            pass
    foreign = [n for n in names if n != manifest and (folder / n).is_file() and n not in listed]
    if foreign:
        raise InputFileError(f"{folder}: {', '.join(foreign)} exist and no planmap run wrote them; not written over. "
                             "Fix: choose another --out folder, or add --replace.",
                             th=f"{folder}: มีไฟล์ {', '.join(foreign)} อยู่แล้วซึ่ง planmap ไม่ได้สร้าง จึงไม่เขียนทับ "
                                "แก้ไข: เลือกโฟลเดอร์ --out อื่น หรือเพิ่ม --replace")


def _files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        out.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return out


def write_manifest(folder: str | Path, outputs: Iterable[str | Path], inputs: Iterable[str | Path],
                   *, version: str, command: str, name: str = MANIFEST) -> Path:
    """Say what an output folder holds: ``outputs.json`` with every file written (size, sha256),
    the inputs (size, sha256) and the package version; outputs of an earlier run that this
    run did not write again are removed (they would look current), each said in the log.

    The manifest holds no time, so the same inputs give the same bytes. ``name``: another manifest for
    another command's files in the same folder (``planmap screen`` beside a run's outputs).
    """

    folder = Path(folder)
    written = [p for p in _files(Path(p) for p in outputs) if p.is_file()]
    relative = {p.resolve().relative_to(folder.resolve()).as_posix() for p in written
                if p.resolve().is_relative_to(folder.resolve())}
    previous = folder / name
    if previous.is_file():
        try:
            old = json.loads(previous.read_text("utf-8"))
            stale = [e["path"] for e in old.get("outputs", []) if e.get("path") not in relative]
        except (ValueError, TypeError, KeyError, AttributeError):
            stale = []
        for name in stale:
            target = folder / name
            if target.is_file() and target.resolve().is_relative_to(folder.resolve()):
                target.unlink()
                log.warning("removed %s: written by an earlier run and not by this one "
                            "(ลบไฟล์ผลลัพธ์เก่าที่การทำงานครั้งนี้ไม่ได้สร้างใหม่)", target)
    entries = [{"path": p.resolve().relative_to(folder.resolve()).as_posix(), "bytes": p.stat().st_size,
                "sha256": sha256(p)} for p in written if p.resolve().is_relative_to(folder.resolve())]
    sources = [Path(p) for p in inputs if p is not None and Path(p).is_file()]
    body = {"planmap_version": version, "command": command,
            "inputs": [{"path": str(p), "bytes": p.stat().st_size, "sha256": sha256(p)} for p in sources],
            "outputs": sorted(entries, key=lambda e: e["path"])}
    with atomic(previous) as tmp:
        tmp.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return previous


@contextmanager
def _warnings_to_log() -> Iterator[None]:
    """PlanmapWarnings become log lines: the reports hold the detail."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PlanmapWarning)
        yield
    for warning in caught:
        if issubclass(warning.category, PlanmapWarning):
            log.warning(str(warning.message))
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
