"""One agency's sheet row as a project record: the project table's headers and the row reader.

Internal to :mod:`planmap_gis.read.projects`: every problem of a row is reported on the row, in
Thai and English, and a row is either loaded or rejected, never lost.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from planmap_gis._geo import repair
from planmap_gis._schema import (
    AGENCY,
    AREA_CODES,
    AREA_SHARES,
    BUDGET,
    BUDGET_LAYER,
    FACILITATOR,
    FISCAL_YEAR,
    GEOMETRY,
    LEVEL_OF_LENGTH,
    MANAGEMENT_UNIT,
    NAME_EN,
    NAME_TH,
    PRECISION,
    PRECISIONS,
    PROJECT_ID,
    SECTOR,
    SOURCE_FILE,
    SOURCE_ROW,
    SOURCE_SHEET,
    STATUS,
    STRATEGY,
    TIER,
)
from planmap_gis._text import clean_id, id_key
from planmap_gis._years import parse_fiscal_year
from planmap_gis.read.area_columns import AREA_PARTS, compose
from planmap_gis.read.areas import AreaIndex, Resolved
from planmap_gis.read.cells import (
    CONTACTS_TAKEN,
    is_blank,
    parse_amount,
    parse_budget_layer,
    parse_mark,
    parse_tier,
    take_contacts,
)
from planmap_gis.read.project_headers import (  # noqa: F401 - the row reader's vocabulary, named here too
    ALIASES,
    CODE_IN_HEADER,
    CRS_IN_HEADER,
    HEADERS,
    LAT,
    LON,
    PERCENT_TOLERANCE,
    PERCENTAGES,
    TEMPLATE_HEADERS,
    WKT,
)
from planmap_gis.read.sheets import (
    ROW,
    header_key,
    parse_number,
)
from planmap_gis.report import ImportReport

__all__ = ["ALIASES", "CODE_IN_HEADER", "CRS_IN_HEADER", "HEADERS", "TEMPLATE_HEADERS", "LAT", "LON", "PERCENTAGES", "PERCENT_TOLERANCE", "WKT",
           "RowReader", "looks_like_area"]

_TOTALS = {"รวม", "รวมทั้งสิ้น", "รวมทั้งหมด", "ยอดรวม", "total", "grandtotal", "รวมงบประมาณ"}
#: A subtotal row's name: "รวม ต.ท่างิ้ว", "รวมอำเภอทุ่งสง", "รวมหน่วยงาน", "Subtotal", "Total (amphoe)".
_SUBTOTAL = re.compile(r"^(?:ยอด)?รวม(?:\s|ทั้ง|ต\.|อ\.|จ\.|ตำบล|อำเภอ|จังหวัด|หน่วยงาน|แผนงาน|งบ|ด้าน|$)|"
                       r"^(?:sub\s*-?\s*|grand\s*)?total\b", re.IGNORECASE)


#: No coordinate of a map of Thailand, in degrees or in metres, is this large.
_ABSURD = 1e8
#: A project's free-text cells, where a contact may be typed.
_TEXT_FIELDS = (NAME_TH, NAME_EN, AGENCY, STRATEGY, MANAGEMENT_UNIT, FACILITATOR)


def looks_like_area(text: str) -> bool:
    return bool(re.match(r"^\s*(?:TH)?\d{2,8}\s*$|^\s*(?:ต\.|อ\.|จ\.|ม\.|ตำบล|อำเภอ|หมู่)", text))


class RowReader:
    """Turns one sheet row into a project record, reporting every problem."""

    def __init__(self, path: Path, sheet: str | None, index: AreaIndex, wide: dict[str, str],
                 report: ImportReport) -> None:
        self.path, self.sheet, self.index, self.wide, self.report = path, sheet, index, wide, report
        self.seen: dict[str, int] = {}
        #: {column: (factor, where the unit was stated)} from the sheet layer
        self.units: dict[str, tuple[float, str]] = {}
        #: each distinct area text resolved once (a sheet repeats its tambon); read, never changed
        self._resolved: dict[str, Resolved] = {}

    def problem(self, severity: str, row: int, column: str | None, value: object,
                en: str, th: str) -> None:
        self.report.add(severity, en, th, row=row, column=column, value=value, sheet=self.sheet)

    def fatal(self, row: int, column: str | None, value: object, en: str, th: str) -> None:
        """An error that keeps the row out; the row's other problems are still checked."""
        self.problem("error", row, column, value, f"{en}: row rejected", f"{th} ไม่นำเข้าแถวนี้")

    def read(self, rec: dict[str, Any]) -> dict[str, Any] | None:
        row = int(rec[ROW])
        self._private(rec, row)
        name = "" if is_blank(rec.get(NAME_TH)) else str(rec[NAME_TH]).strip()
        given = "" if is_blank(rec.get(PROJECT_ID)) else str(rec[PROJECT_ID]).strip().removesuffix(".0")
        pid = clean_id(given)
        if pid != given:
            self.problem("info", row, PROJECT_ID, given, f"project id {given!r} read as {pid!r} (Thai "
                         "digits, full-width letters, invisible characters or dash variants)",
                         f"อ่านรหัสโครงการ {given} เป็น {pid}")
        if ALIASES.get(header_key(name)) == NAME_TH:
            return self._skip(row, "a repeated header row", "แถวหัวตารางซ้ำ")
        total = re.sub(r"\s", "", name).lower() in _TOTALS
        if not pid and (total or _SUBTOTAL.match(name)):
            amount = rec.get(BUDGET)
            said = "" if is_blank(amount) else f" (amount {amount})"
            # A grand total is certain; a subtotal's name is a judgement, so it is a warning.
            return self._skip(row, f"a total or subtotal row {name!r}{said}",
                              f"แถวผลรวมหรือผลรวมย่อย {name}{said}", severity="info" if total else "warning")
        failed = False
        if not name:
            self.fatal(row, NAME_TH, None, "no project name (ชื่อโครงการ)", "ไม่มีชื่อโครงการ")
            failed = True
        if not pid:
            # The folder and the file: two days' folders of the same file name never make one id.
            pid = f"{self.path.parent.name}/{self.path.stem}-r{row}" if self.path.parent.name else \
                f"{self.path.stem}-r{row}"
            self.problem("info", row, PROJECT_ID, pid, f"no project id: generated {pid!r}",
                         f"ไม่มีรหัสโครงการ กำหนดให้เป็น {pid}")
        if id_key(pid) in self.seen:
            earlier = self.seen[id_key(pid)]
            self.fatal(row, PROJECT_ID, given, f"project id {given!r} is the same as row {earlier}'s "
                       "(ids are compared without case, spaces, Thai digits or invisible characters)",
                       f"รหัสโครงการ {given} ซ้ำกับแถว {earlier}")
            failed = True
        try:
            budget = parse_amount(rec.get(BUDGET), self.units.get(BUDGET, (1.0, ""))[0])
        except ValueError as exc:
            self.fatal(row, BUDGET, rec.get(BUDGET), f"budget {rec.get(BUDGET)!r} is invalid ({exc}); "
                       "write a number of baht ≥ 0, e.g. 1,250,000 or 1.25 ล้านบาท",
                       "งบประมาณไม่ถูกต้อง ต้องเป็นจำนวนเงินบาทไม่ติดลบ")
            budget, failed = None, True
        footprint = self._footprint(rec, row)
        codes, shares, ok = self._areas(rec, row, footprint is not None)
        if failed or not ok:
            self.report.rows_rejected += 1
            return None
        amounts_total = None if shares is None or len(shares) == len(codes) else shares.pop()
        if budget is None and amounts_total is not None:
            budget = amounts_total
            self.problem("info", row, BUDGET, budget, "budget blank: taken as the sum of the "
                         "amounts in the area columns", "ไม่ระบุงบประมาณ ใช้ผลรวมรายพื้นที่")
        elif budget is None:
            self.problem("warning", row, BUDGET, None, "budget blank: loaded without a budget",
                         "ไม่ระบุงบประมาณ")
        elif amounts_total is not None and abs(amounts_total - budget) > 1:
            self.problem("warning", row, BUDGET, budget, f"area amounts add up to {amounts_total:,.2f} "
                         f"but the budget is {budget:,.2f}: the amounts are used as shares",
                         "ผลรวมรายพื้นที่ไม่เท่ากับงบประมาณ ใช้เป็นสัดส่วน")
        self.seen[id_key(pid)] = row
        self.report.rows_loaded += 1
        return {
            PROJECT_ID: pid, NAME_TH: name, NAME_EN: _text(rec.get(NAME_EN)),
            AGENCY: self._agency(rec, row), TIER: self._coded(rec, row, TIER, parse_tier),
            BUDGET_LAYER: self._coded(rec, row, BUDGET_LAYER, parse_budget_layer),
            STRATEGY: _text(rec.get(STRATEGY)), SECTOR: _text(rec.get(SECTOR)),
            FISCAL_YEAR: self._year(rec, row), BUDGET: np.nan if budget is None else budget,
            STATUS: _text(rec.get(STATUS)), MANAGEMENT_UNIT: _text(rec.get(MANAGEMENT_UNIT)),
            FACILITATOR: _text(rec.get(FACILITATOR)), AREA_CODES: codes, AREA_SHARES: shares,
            PRECISION: _precision(codes, footprint), SOURCE_FILE: str(self.path),
            SOURCE_SHEET: self.sheet, SOURCE_ROW: row, GEOMETRY: footprint,
        }

    def _private(self, rec: dict[str, Any], row: int) -> None:
        """Contacts typed into a project's text cells are taken out (no output carries them) and
        reported with the value masked."""
        for column, masked, _ in take_contacts(rec, _TEXT_FIELDS):
            self.problem("warning", row, column, masked, *CONTACTS_TAKEN)

    def _skip(self, row: int, en: str, th: str, severity: str = "info") -> None:
        self.problem(severity, row, None, None, f"{en}, not a project: skipped", f"{th} ไม่ใช่โครงการ ข้าม")
        self.report.rows_rejected += 1
        return None

    def _agency(self, rec: dict[str, Any], row: int) -> str | None:
        agency = _text(rec.get(AGENCY))
        if agency is None:
            self.problem("warning", row, AGENCY, None, "no agency (หน่วยงาน)", "ไม่ระบุหน่วยงาน")
        return agency

    def _coded(self, rec: dict[str, Any], row: int, col: str, parse: Any) -> Any:
        try:
            return parse(rec.get(col))
        except ValueError as exc:
            self.problem("warning", row, col, rec.get(col), f"{exc}: left empty",
                         f"ค่าไม่ถูกต้อง เว้นว่าง ({rec.get(col)})")
            return None

    def _year(self, rec: dict[str, Any], row: int) -> int | None:
        try:
            year, converted = parse_fiscal_year(rec.get(FISCAL_YEAR))
        except ValueError as exc:
            self.problem("warning", row, FISCAL_YEAR, rec.get(FISCAL_YEAR), f"{exc}: left empty",
                         "ปีงบประมาณไม่ถูกต้อง เว้นว่าง")
            return None
        if converted == "date":
            self.problem("warning", row, FISCAL_YEAR, rec.get(FISCAL_YEAR),
                         f"a date in the fiscal-year column: taken as fiscal year {year} (October to "
                         "September); write the year itself, e.g. 2569",
                         f"ช่องปีงบประมาณเป็นวันที่ ถือเป็นปีงบประมาณ {year} (ต.ค.–ก.ย.) โปรดใส่เฉพาะปี เช่น 2569")
        elif converted.startswith("range"):
            self.problem("warning", row, FISCAL_YEAR, rec.get(FISCAL_YEAR),
                         f"{converted}, {year}; a project of several years is one row per year",
                         f"ช่วงปีงบประมาณ ใช้ปีแรก {year} โครงการหลายปีให้แยกแถวละปี")
        elif converted:
            self.problem("info", row, FISCAL_YEAR, rec.get(FISCAL_YEAR),
                         f"{converted} read as Buddhist-era fiscal year {year}",
                         f"อ่านเป็นปีงบประมาณ พ.ศ. {year}")
        return year

    def _footprint(self, rec: dict[str, Any], row: int) -> shapely.Geometry | None:
        geom = rec.get(GEOMETRY)
        if isinstance(geom, shapely.Geometry) and not geom.is_empty:
            return geom
        if not is_blank(rec.get(WKT)):
            try:
                geom = shapely.from_wkt(str(rec[WKT]))
            except shapely.errors.GEOSException:
                self.problem("warning", row, WKT, str(rec[WKT])[:60], "footprint is not valid WKT: "
                             "ignored", "รูปร่างพื้นที่ (WKT) ไม่ถูกต้อง ไม่ได้ใช้")
            else:
                xy = shapely.get_coordinates(geom)
                if len(xy) and (not np.isfinite(xy).all() or np.abs(xy).max() > _ABSURD):
                    # POINT (1e308 1e308): no CRS on earth reaches it; it would overflow every measure
                    self.problem("warning", row, WKT, str(rec[WKT])[:60], "footprint coordinates are absurd "
                                 "(beyond any map of Thailand): ignored", "พิกัดของรูปแปลงผิดปกติ ไม่ได้ใช้")
                    geom = None
            if geom is not None:
                fixed, where = repair(np.array([geom], dtype=object))
                for _, reason in where:
                    self.problem("warning", row, WKT, str(rec[WKT])[:60], f"footprint is not a valid "
                                 f"shape ({reason}): repaired with make_valid; check it in a GIS",
                                 f"รูปแปลงไม่ถูกต้อง ({reason}) ซ่อมด้วย make_valid แล้ว โปรดตรวจใน GIS")
                if fixed[0] is not None and not fixed[0].is_empty:
                    return fixed[0]
        if not is_blank(rec.get(LAT)) or not is_blank(rec.get(LON)):
            try:
                lat, lon = parse_number(rec.get(LAT)), parse_number(rec.get(LON))
            except ValueError:
                lat = lon = None
            if lat is None or lon is None or not (5.4 <= lat <= 20.6 and 97.0 <= lon <= 106.0):
                self.problem("warning", row, f"{LAT}/{LON}", f"{rec.get(LAT)}, {rec.get(LON)}",
                             "coordinates missing, not numbers or outside Thailand: ignored",
                             "พิกัดไม่ครบ ไม่ใช่ตัวเลข หรืออยู่นอกประเทศไทย ไม่ได้ใช้")
            else:
                return shapely.Point(lon, lat)
        return None

    def _areas(self, rec: dict[str, Any], row: int, has_footprint: bool) -> tuple[list[str], list[float] | None, bool]:
        codes: list[str] = []
        errors: list[tuple[str, str, str]] = []
        cell, column = rec.get(AREA_CODES), AREA_CODES
        if is_blank(cell):  # separate จังหวัด / อำเภอ / ตำบล / หมู่ที่ columns, as offices write them
            cell, conflicts = compose(rec)
            column = next((p for p in reversed(AREA_PARTS) if not is_blank(rec.get(p))), AREA_CODES)
            for part, value, en, th in conflicts:
                self.problem("error", row, part, value, en, th)
        found = self._resolve(cell)
        codes += found.codes
        percent_shares = self._percentages(rec, row, found)
        for severity, token, en, th in found.problems:
            if severity == "error":
                errors.append((token, en, th))
            else:
                self.problem(severity, row, column, token, en, th)
        amounts: dict[str, float] = {}
        for col, code in self.wide.items():
            try:
                marked, amount = parse_mark(rec.get(col))
            except ValueError as exc:
                errors.append((str(rec.get(col)), f"column {col!r}: {exc}", f"คอลัมน์ {col}: ไม่ใช่เครื่องหมายหรือจำนวนเงิน"))
                continue
            if marked and code not in codes:
                codes.append(code)
            if amount is not None:
                amounts[code] = amount
        if not codes and not has_footprint:
            for token, en, th in errors:
                self.problem("error", row, column, token, en, th)
            self.fatal(row, column, _text(cell),
                       "no area or footprint that can be placed", "ไม่มีพื้นที่ดำเนินการที่ระบุได้")
            return [], None, False
        for token, en, th in errors:
            self.problem("warning", row, column, token, f"{en} (left out; the other areas were "
                         "loaded)", f"{th} (ไม่นำเข้าพื้นที่นี้ พื้นที่อื่นนำเข้าแล้ว)")
        shares = None
        if percent_shares is not None:
            if amounts:
                self.problem("warning", row, AREA_CODES, None, "both percentages and amounts per area "
                             "given: the percentages are used", "ระบุทั้งร้อยละและจำนวนเงินรายพื้นที่ ใช้ร้อยละ")
            shares = ([1 / len(codes)] * len(codes) if percent_shares == "even"
                      else [percent_shares.get(c, 0.0) for c in codes])
        elif amounts:
            if set(amounts) == set(codes) and sum(amounts.values()) > 0:
                total = sum(amounts.values())
                shares = [amounts[c] / total for c in codes] + [total]
            else:
                self.problem("warning", row, AREA_CODES, None, "amounts given for some areas only: "
                             "shares ignored", "ระบุจำนวนเงินไม่ครบทุกพื้นที่ ไม่ใช้สัดส่วน")
        return codes, shares, True


    def _resolve(self, cell: object) -> Resolved:
        if not isinstance(cell, str):
            return self.index.resolve(cell)
        found = self._resolved.get(cell)
        if found is None:
            found = self._resolved[cell] = self.index.resolve(cell)
        return found

    def _percentages(self, rec: dict[str, Any], row: int, found: Any) -> dict[str, float] | str | None:
        """Shares by code from the percentages in the area cell or column.

        None when no percentage is written; ``"even"`` when they are unusable (reported).
        """
        parts = list(found.parts)
        column = rec.get(PERCENTAGES)
        if not is_blank(column):
            try:
                given = [parse_number(v) for v in re.split(r"[,;/|\n]+", str(column).replace("%", ""))
                         if v.strip()]
            except ValueError:
                given = []
            if len(given) == len(parts) and all(p is None for _, p in parts) and None not in given:
                parts = [(codes, float(p)) for (codes, _), p in zip(parts, given, strict=True)]
            else:
                parts = [(codes, p) for codes, p in parts] + [([], None)]  # even split below
        if all(p is None for _, p in parts) and is_blank(column):
            return None
        total = sum(p for _, p in parts if p is not None)
        complete = all(piece and p is not None for piece, p in parts)
        if complete and abs(total - 100) <= PERCENT_TOLERANCE and total > 0:
            shares: dict[str, float] = {}
            for piece, p in parts:
                for code in piece:  # a range "ม.1-3 ต.X 30%" splits its 30 % evenly
                    shares[code] = shares.get(code, 0.0) + p / total / len(piece)
            return shares
        why = (f"the percentages add up to {total:g}, not 100" if complete else
               "a percentage is missing, or given for an area that could not be placed, "
               "or the percentage column does not match the listed areas")
        self.problem("warning", row, PERCENTAGES if not is_blank(column) else AREA_CODES,
                     str(column) if not is_blank(column) else str(rec.get(AREA_CODES)),
                     f"{why}: loaded with an even split over the areas; correct the percentages "
                     "so that each area has one and they add up to 100",
                     "ร้อยละรายพื้นที่ไม่ครบหรือรวมไม่เท่ากับ 100 กระจายงบเท่ากันทุกพื้นที่ "
                     "โปรดแก้ให้ครบทุกพื้นที่และรวมเป็น 100")
        return "even"


def _text(value: object) -> str | None:
    return None if is_blank(value) else str(value).strip()


def _precision(codes: list[str], footprint: shapely.Geometry | None) -> str:
    if footprint is not None:
        return "exact"
    levels = [LEVEL_OF_LENGTH[len(c)] for c in codes]
    return max(levels, key=PRECISIONS.index) if levels else "province"
