"""The Thai fiscal calendar, defined once: Buddhist-era years, fiscal years, their labels and Thai dates.

A Thai fiscal year runs from 1 October to 30 September and is named by the Buddhist-era year it
ends in: FY 2569 is 1 Oct 2025 – 30 Sep 2026. Every reader, measure and output asks this module
(never ``+ 543`` by hand), so a year is an ``int`` from the reader to the title.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import pandas as pd

from planmap_gis import settings
from planmap_gis._text import is_blank, thai_digits

__all__ = ["BE_RANGE", "CE_OFFSET", "MONTHS_TH", "be_year", "fiscal_dates", "fiscal_year_of", "parse_fiscal_year",
           "parse_years", "thai_date", "years_held", "years_key", "years_label"]

#: Buddhist-era years accepted; a year in the matching Christian-era range is converted.
BE_RANGE = (2500, 2700)
#: Buddhist era − Christian era.
CE_OFFSET = 543
MONTHS_TH = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
             "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")

_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_DATE_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
#: Thai month names and their abbreviations, as dates are typed in Thai documents ("1 ต.ค. 2568").
_THAI_MONTHS = {**{name: i for i, name in enumerate(MONTHS_TH, start=1)},
                **{abbr: i for i, abbr in enumerate(("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.",
                                                      "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."), start=1)}}
_DATE_THAI = re.compile(r"^(\d{1,2})\s*(" + "|".join(re.escape(m) for m in sorted(_THAI_MONTHS, key=len, reverse=True))
                        + r")\s*(\d{2}|\d{4})$")


def be_year(year: int) -> int:
    """A four-digit year as Buddhist era: a Christian-era year (below 2400) gets + 543."""
    return year + CE_OFFSET if year < 2400 else year


def thai_date(day: dt.date | None = None) -> str:
    """A date as Thai documents write it: ``4 ธันวาคม 2569`` (Buddhist era). Today by default."""
    day = day or dt.date.today()
    return f"{day.day} {MONTHS_TH[day.month - 1]} {day.year + CE_OFFSET}"


def fiscal_dates(year: int) -> tuple[str, str]:
    """The dates a fiscal year spans, in Thai and English: ``("1 ต.ค. 2568 – 30 ก.ย. 2569",
    "Oct 2025 – Sep 2026")`` for 2569."""
    return (f"1 ต.ค. {year - 1} – 30 ก.ย. {year}",
            f"Oct {year - 1 - CE_OFFSET} – Sep {year - CE_OFFSET}")


def fiscal_year_of(date: dt.date) -> int:
    """The Buddhist-era fiscal year of a date: October to September (1 Oct 2025 is FY 2569)."""
    year = date.year + (1 if date.month >= 10 else 0)
    return year + CE_OFFSET if year < BE_RANGE[0] else year


def parse_fiscal_year(value: object) -> tuple[int | None, str]:
    """Buddhist-era fiscal year from a cell; returns (year, what was converted: "" if nothing).

    '2569', 'ปีงบประมาณ 2569', 'พ.ศ. ๒๕๖๙' give 2569; a Christian-era year 2026 (or
    'FY2026') gives 2569 and ``"Christian-era year"``. A range '2569-2570' gives its
    first year. A date (an Excel date, '2025-10-01', '1/10/2568') gives the fiscal year
    it falls in (October to September) and ``"date"``. Raises ValueError for
    anything else, such as '25690' (five digits are not a year).
    """
    if is_blank(value):
        return None, ""
    text = thai_digits(str(value)).strip().removesuffix(".0")
    date = _as_date(text)
    if date is not None:
        return fiscal_year_of(date), "date"
    numbers = re.findall(r"\d+", text)
    if len(numbers) == 1 and len(numbers[0]) == 2 and re.fullmatch(r"(?:ปี(?:งบ(?:ประมาณ)?)?|พ\.ศ\.)?\s*\d\d", text):
        return 2500 + int(numbers[0]), "two-digit year"  # "68", "๖๘", "ปีงบ 68": Thai sheets mean 2568
    years = [n for n in numbers if len(n) == 4]
    if not years:
        raise ValueError("no four-digit year" if not numbers else f"{numbers[0]} is not a four-digit year")
    year = int(years[0])
    if len(years) > 1 and BE_RANGE[0] <= year <= BE_RANGE[1]:
        return year, f"range of years {'-'.join(years)}: its first year"
    if BE_RANGE[0] <= year <= BE_RANGE[1]:
        return year, ""
    if BE_RANGE[0] - CE_OFFSET <= year <= BE_RANGE[1] - CE_OFFSET:
        return year + CE_OFFSET, "Christian-era year"
    raise ValueError(f"year {year} is neither a Buddhist-era nor a Christian-era fiscal year")


def _as_date(text: str) -> dt.date | None:
    """A date written in a year cell (ISO as Excel dates read, day/month/year in BE or CE, or
    Thai: "1 ต.ค. 2568", "1 ตุลาคม 68")."""
    iso, dmy, thai = _DATE_ISO.match(text), _DATE_DMY.match(text), _DATE_THAI.match(text)
    try:
        if iso:
            year, month, day = (int(g) for g in iso.groups())
        elif dmy:
            day, month, year = (int(g) for g in dmy.groups())
        elif thai:
            day, month, year = int(thai.group(1)), _THAI_MONTHS[thai.group(2)], int(thai.group(3))
            year = 2500 + year if year < 100 else year
        else:
            return None
        if year >= BE_RANGE[0]:
            year -= CE_OFFSET
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_years(years: object) -> tuple[int, ...]:
    """Buddhist-era fiscal years from what a user writes: ``2569``, ``"2568-2570"``, ``[2568, 2570]``,
    ``"2568,2570"``; Christian-era years (``2026``) are converted. Sorted, without repeats.

    Raises
    ------
    ValueError
        Naming the part that is not a year or a range.
    """
    items = list(years) if isinstance(years, (list, tuple, set, range)) else [years]
    out: set[int] = set()
    for item in items:
        for part in re.split(r"[,;\s]+", thai_digits(str(item)).strip()):
            if not part:
                continue
            ends = re.fullmatch(r"(\d{4})\s*[-–]\s*(\d{4})", part)
            bounds = [ends.group(1), ends.group(2)] if ends else [part]
            converted = []
            for bound in bounds:
                if not re.fullmatch(r"\d{4}", bound):
                    raise ValueError(f"{part!r} is not a fiscal year or a range of years (e.g. 2569 or 2568-2570)")
                year = int(bound)
                if BE_RANGE[0] - CE_OFFSET <= year <= BE_RANGE[1] - CE_OFFSET:
                    year += CE_OFFSET
                if not BE_RANGE[0] <= year <= BE_RANGE[1]:
                    raise ValueError(f"{bound} is neither a Buddhist-era nor a Christian-era fiscal year")
                converted.append(year)
            first, last = converted[0], converted[-1]
            if last < first:
                first, last = last, first
            out.update(range(first, last + 1))
    if not out:
        raise ValueError("no fiscal year given")
    return tuple(sorted(out))


def years_held(values: Iterable[object]) -> tuple[int, ...]:
    """The fiscal years a column of years holds (a project table's ``fiscal_year``), sorted;
    blanks left out."""
    return tuple(sorted({int(y) for y in pd.Series(list(values), dtype=object).dropna()}))


def years_key(years: tuple[int, ...]) -> str:
    """The years as a column suffix and a short label: ``2569``, ``2568–2570`` or ``2568,2570``."""
    if len(years) > 1 and list(years) == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ",".join(map(str, years))


def years_label(years: tuple[int, ...], lang: str | None = None) -> str:
    """``ปีงบประมาณ 2569``, ``ปีงบประมาณ 2568–2570`` or ``… 2568, 2570`` (English: ``FY …``)."""
    lang = settings.language(lang)
    if not years:
        return ""
    word = "ปีงบประมาณ" if lang != "en" else "FY"
    if len(years) == 1:
        return f"{word} {years[0]}"
    if list(years) == list(range(years[0], years[-1] + 1)):
        return f"{word} {years[0]}–{years[-1]}"
    return f"{word} {', '.join(map(str, years))}"
