"""The bytes of a spreadsheet file as rows of text: every format a Thai office keeps.

Formats are recognised by content, not by the extension (agencies rename files):

* ZIP containers: ``.xlsx``/``.xlsm`` (``xl/workbook.xml``) and ``.ods``
  (``mimetype`` of an OpenDocument spreadsheet);
* OLE2 containers: ``.xls`` (BIFF), and password-protected workbooks (an OLE2
  file holding ``EncryptionInfo``), which are refused with the fix;
* text: CSV or tab-separated, in UTF-8 (with or without BOM), UTF-16 (with or
  without BOM) or cp874/TIS-620 (Thai Windows), with ``,`` ``;`` tab or ``|``
  between cells;
* web pages and SpreadsheetML saved with an ``.xls`` name are refused with what
  they really are.

Every spreadsheet format is read with python-calamine (Rust; much faster than
openpyxl on large sheets, see ``benchmarks/p6_sheets.py``). Cells come back as
text as a user would type them: ``2569`` not ``2569.0``, dates as ISO dates.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import html
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine

from planmap_gis._errors import InputFileError, show_values

__all__ = ["RawSheet", "TextRows", "open_text", "read_raw", "sniff"]

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_DELIMITERS = ",;\t|"


@dataclass
class RawSheet:
    """One sheet as rows of text, with what was learnt reading it."""

    rows: list[list[str]]
    sheet: str | None = None
    kind: str = ""
    #: (English, Thai) notes for the import report: encoding, hidden sheets …
    notes: list[tuple[str, str]] = field(default_factory=list)
    #: Row numbers (1 = first row) hidden in the sheet (.xlsx)
    hidden_rows: set[int] = field(default_factory=set)
    #: Cells holding a formula with no saved value, read as blank (.xlsx)
    formulas_without_value: list[str] = field(default_factory=list)


def sniff(path: Path) -> str:
    """What a file really is: ``xlsx``, ``ods``, ``xls``, ``encrypted``, ``html``,
    ``spreadsheetml``, ``zip`` or ``text``."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(_ZIP):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and b"spreadsheet" in archive.read("mimetype"):
                    return "ods"
        except zipfile.BadZipFile:
            return "zip"
        return "xlsx" if any(n.startswith("xl/") for n in names) else "zip"
    if head.startswith(_OLE2):
        with path.open("rb") as handle:
            whole = handle.read()
        return "encrypted" if "EncryptionInfo".encode("utf-16-le") in whole else "xls"
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")):
        return "html"
    if text.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "spreadsheetml"
    return "text"


def read_raw(path: Path, sheet: str | int | None) -> RawSheet:
    """The rows of one sheet (or of a CSV) as text cells.

    Raises
    ------
    InputFileError
        A format that is not a table, a protected workbook, an unknown sheet, or
        text in no known encoding: each with what the file is and the fix.
    """
    kind = sniff(path)
    if kind == "text":
        return _read_text(path)
    if kind in ("xlsx", "ods", "xls"):
        return _read_book(path, sheet, kind)
    what = {
        "encrypted": ("a password-protected workbook", "สมุดงานที่ตั้งรหัสผ่าน",
                      "open it in Excel, remove the password (File > Info > Protect Workbook) "
                      "and save it as .xlsx", "เปิดใน Excel ลบรหัสผ่านแล้วบันทึกเป็น .xlsx"),
        "html": ("a web page (HTML) saved with a spreadsheet name", "หน้าเว็บ (HTML) ที่ตั้งชื่อเป็นไฟล์ตาราง",
                 "open it in Excel or LibreOffice and save it as .xlsx",
                 "เปิดใน Excel หรือ LibreOffice แล้วบันทึกเป็น .xlsx"),
        "spreadsheetml": ("an Excel 2003 XML spreadsheet", "ไฟล์ Excel 2003 XML",
                          "open it in Excel or LibreOffice and save it as .xlsx",
                          "เปิดใน Excel หรือ LibreOffice แล้วบันทึกเป็น .xlsx"),
        "zip": ("a ZIP archive, not a workbook", "ไฟล์ ZIP ไม่ใช่สมุดงาน",
                "unzip it and give the sheet inside", "แตกไฟล์แล้วระบุไฟล์ตารางข้างใน"),
    }[kind]
    raise InputFileError(f"{path}: this file is {what[0]}, not a table planmap can read. Fix: {what[2]}.",
                         th=f"{path}: ไฟล์นี้เป็น{what[1]} อ่านเป็นตารางไม่ได้ แก้ไข: {what[3]}")


def _encoding(sample: bytes) -> tuple[str, str]:
    """The Python codec of a text file from its first bytes, and how to say it."""
    for bom, codec, label in ((b"\xef\xbb\xbf", "utf-8-sig", "UTF-8 with BOM"), (b"\xff\xfe", "utf-16", "UTF-16"),
                              (b"\xfe\xff", "utf-16", "UTF-16")):
        if sample.startswith(bom):
            return codec, label
    even = sample[: len(sample) // 2 * 2]
    if len(even) >= 4:
        # UTF-16 without a BOM: the high byte of every ASCII character is 0x00 and of every Thai
        # one 0x0E; in UTF-8 or cp874 text neither byte fills every other position.
        high_odd = sum(b in (0x00, 0x0E) for b in even[1::2]) / (len(even) / 2)
        high_even = sum(b in (0x00, 0x0E) for b in even[0::2]) / (len(even) / 2)
        if max(high_odd, high_even) > 0.9:
            little = high_odd >= high_even
            return ("utf-16-le", "UTF-16 (LE, no BOM)") if little else ("utf-16-be", "UTF-16 (BE, no BOM)")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)  # a character cut at the sample's end is no error
        return "utf-8", "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp874")
        return "cp874", "cp874 (TIS-620, Thai Windows)"
    except UnicodeDecodeError as exc:
        raise ValueError(str(exc)) from exc


def _read_text(path: Path) -> RawSheet:
    text = open_text(path)
    rows = list(text.rows)
    width = max((len(r) for r in rows), default=0)
    return RawSheet([r + [""] * (width - len(r)) for r in rows], None, "csv", text.notes)


@dataclass
class TextRows:
    """A CSV read lazily: its rows one by one, what was learnt opening it, and how far it got."""

    rows: Iterator[list[str]]
    notes: list[tuple[str, str]]
    size: int
    position: Callable[[], int]


def open_text(path: Path) -> TextRows:
    """A CSV's rows as an iterator (bounded memory for any size), its encoding and separator found
    from the first 64 KiB.

    Raises
    ------
    InputFileError
        Text in no known encoding (also when found later in the file), or binary content.
    """
    with path.open("rb") as handle:
        sample = handle.read(1 << 16)
    try:
        codec, label = _encoding(sample)
    except ValueError as exc:
        raise _not_text(path, exc) from exc
    head = sample.decode(codec, errors="ignore")
    if "\x00" in head:
        raise InputFileError(f"{path}: binary content, not a CSV or spreadsheet this program knows.",
                             th=f"{path}: เป็นไฟล์ไบนารี ไม่ใช่ CSV หรือไฟล์ตารางที่รู้จัก")
    delimiter = _delimiter(head)
    csv.field_size_limit(1 << 30)  # a detailed canal WKT can exceed csv's 131,072 default
    raw = path.open("rb")
    stream = io.TextIOWrapper(raw, encoding=codec, newline="")

    def rows() -> Iterator[list[str]]:
        try:
            for row in csv.reader(stream, delimiter=delimiter):
                if any("\x00" in cell for cell in row):
                    raise InputFileError(f"{path}: binary content, not a CSV or spreadsheet this program "
                                         "knows.", th=f"{path}: เป็นไฟล์ไบนารี ไม่ใช่ CSV หรือไฟล์ตารางที่รู้จัก")
                yield row
        except UnicodeDecodeError as exc:
            raise _not_text(path, f"{exc.reason} near byte {raw.tell():,}") from exc
        except csv.Error as exc:
            raise InputFileError(f"{path}: not a readable CSV ({exc}).", th=f"{path}: อ่านเป็น CSV ไม่ได้") from exc
        finally:
            stream.close()

    name = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}[delimiter]
    name_th = {",": "จุลภาค", ";": "อัฒภาค", "\t": "แท็บ", "|": "ขีดตั้ง"}[delimiter]
    notes = [(f"read as text in {label}, cells separated by {name}", f"อ่านเป็นข้อความ {label} คั่นเซลล์ด้วย{name_th}")]
    size = path.stat().st_size
    return TextRows(rows(), notes, size, lambda: size if raw.closed else raw.tell())


def _not_text(path: Path, why: object) -> InputFileError:
    return InputFileError(
        f"{path}: not text in UTF-8, UTF-16 or TIS-620 (cp874), and not a spreadsheet ({why}). "
        "Fix: save it from Excel as \"CSV UTF-8\" or as .xlsx.",
        th=f"{path}: ไม่ใช่ข้อความ UTF-8, UTF-16 หรือ TIS-620 และไม่ใช่ไฟล์ตาราง "
           "แก้ไข: บันทึกจาก Excel เป็น CSV UTF-8 หรือ .xlsx",
    )


def _delimiter(text: str) -> str:
    """The separator that splits the most lines into the same number of cells."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    best, best_score = ",", -1.0
    for delimiter in _DELIMITERS:
        counts = [line.count(delimiter) for line in lines]
        used = [c for c in counts if c]
        if not used:
            continue
        modal = max(set(used), key=used.count)
        score = used.count(modal) * modal
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _cell(value: object) -> str:
    """A cell as the text a user typed: whole numbers without ``.0``; dates as ISO."""
    if type(value) is str:  # most cells (1.7 million in a national sheet): no further checks
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return value.isoformat() if not isinstance(value, dt.timedelta) else str(value)
    return str(value)


def _read_book(path: Path, sheet: str | int | None, kind: str) -> RawSheet:

    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError as exc:
        raise InputFileError(f"{path}: the workbook is password-protected. Fix: remove the password "
                             "in Excel and save it again.",
                             th=f"{path}: สมุดงานตั้งรหัสผ่านไว้ แก้ไข: ลบรหัสผ่านใน Excel แล้วบันทึกใหม่") from exc
    except Exception as exc:  # calamine's errors for a corrupt or truncated file
        raise InputFileError(
            f"{path}: could not be read as {kind} ({type(exc).__name__}: {exc}). Fix: open it in "
            "Excel or LibreOffice and save it again as .xlsx.",
            th=f"{path}: อ่านไฟล์ {kind} ไม่ได้ (ไฟล์อาจเสีย) แก้ไข: เปิดใน Excel หรือ LibreOffice แล้วบันทึกใหม่เป็น .xlsx",
        ) from exc
    meta = [m for m in book.sheets_metadata if m.typ == calamine.SheetTypeEnum.WorkSheet]
    visible = [m.name for m in meta if m.visible == calamine.SheetVisibleEnum.Visible]
    hidden = [m.name for m in meta if m.visible != calamine.SheetVisibleEnum.Visible]
    names = [m.name for m in meta]
    notes: list[tuple[str, str]] = []
    if sheet is None:
        if not visible:
            raise InputFileError(f"{path}: every sheet is hidden ({show_values(names)}). Fix: unhide "
                                 "the sheet that holds the data, or pass sheet=... (CLI: --sheet).",
                                 th=f"{path}: ทุกชีตถูกซ่อน แก้ไข: เลิกซ่อนชีตที่มีข้อมูล หรือระบุ --sheet")
        name = visible[0]
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise InputFileError(f"{path}: no sheet number {sheet}; the workbook has {len(names)}.",
                                 th=f"{path}: ไม่มีชีตลำดับที่ {sheet} สมุดงานมี {len(names)} ชีต")
        name = names[sheet]
    elif sheet in names:
        name = sheet
    else:
        raise InputFileError(
            f"{path}: no sheet {sheet!r}; sheets are {show_values(names)}. Pass one of them.",
            th=f"{path}: ไม่มีชีตชื่อ {sheet} ชีตที่มี: {show_values(names)}",
        )
    if hidden:
        notes.append((f"hidden sheets not read: {show_values(hidden)}",
                      f"ชีตที่ซ่อนไว้และไม่ได้อ่าน: {show_values(hidden)}"))
    label = {"xlsx": "Excel workbook (.xlsx)", "xls": "Excel 97-2003 workbook (.xls)",
             "ods": "OpenDocument spreadsheet (.ods)"}[kind]
    if path.suffix.lower() not in {"xlsx": (".xlsx", ".xlsm"), "xls": (".xls",), "ods": (".ods",)}[kind]:
        notes.append((f"read as {label}, whatever its name says", f"อ่านเป็น {label} ตามเนื้อไฟล์"))
    try:
        values = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:
        raise InputFileError(f"{path} (sheet {name!r}): could not be read ({type(exc).__name__}: {exc}).",
                             th=f"{path} (ชีต {name}): อ่านไม่ได้") from exc
    rows = [[_cell(v) for v in row] for row in values]
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    hidden, formulas = _xlsx_row_facts(path, name) if kind == "xlsx" else (set(), [])
    return RawSheet(rows, name, kind, notes, hidden, formulas)


_ROW_TAG = re.compile(r'<(?:\w+:)?row\b([^>]*)>')
_CELL = re.compile(r'<(?:\w+:)?c\b[^>]*\br="([A-Z]+\d+)"[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)


def _xlsx_row_facts(path: Path, sheet: str) -> tuple[set[int], list[str]]:
    """Hidden rows and formula cells without a saved value, read from the sheet's XML (calamine
    does not say): a cancelled project a clerk hid, a total Excel never calculated."""
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            rid = None
            for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
                name = re.search(r'\bname="([^"]*)"', tag)
                if name and html.unescape(name.group(1)) == sheet:
                    found = re.search(r'\br:id="([^"]+)"|\bid="([^"]+)"', tag)
                    rid = found and (found.group(1) or found.group(2))
            target = None
            for tag in re.findall(r"<Relationship\b[^>]*>", rels):
                if rid and f'Id="{rid}"' in tag:
                    target = re.search(r'Target="([^"]+)"', tag).group(1)  # type: ignore[union-attr]
            if target is None:
                return set(), []
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            xml = archive.read(member).decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError, AttributeError):
        return set(), []
    hidden = set()
    if 'hidden="' in xml:  # most sheets hide nothing: skip the scan
        for attrs in _ROW_TAG.findall(xml):
            if re.search(r'\bhidden="(?:1|true)"', attrs):
                number = re.search(r'\br="(\d+)"', attrs)
                if number:
                    hidden.add(int(number.group(1)))
    formulas = []
    if re.search(r"<(?:\w+:)?f[ >]", xml):  # only sheets with formulas are scanned cell by cell
        formulas = [ref for ref, inner in _CELL.findall(xml)
                    if inner and re.search(r"<(?:\w+:)?f\b", inner)
                    and not re.search(r"<(?:\w+:)?v\b[^>]*>[^<]+<", inner)]
    return hidden, formulas


def sheet_names(path: Path) -> list[str]:
    """A workbook's sheet names (empty for a file that is not a readable workbook)."""
    try:
        return list(calamine.CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception:  # noqa: BLE001 - any unreadable file simply has no named sheets here
        return []
