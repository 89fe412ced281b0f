"""Cell values as agencies write them: amounts, fiscal years, tiers, budget layers, marks.

Each parser returns the canonical value, or raises :class:`ValueError` with a
short English reason that the importer turns into a report line.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd

from planmap_gis._schema import BUDGET_LAYERS, TIERS
from planmap_gis._tables import thai_digits

#: Buddhist-era years accepted; a year in the matching CE range is converted (+543).
BE_RANGE = (2500, 2700)
CE_OFFSET = 543

_MILLION = re.compile(r"(ล้านบาท|ล้าน|ลบ\.?|mb|million|m\.?thb|mthb)$", re.IGNORECASE)
_BAHT = re.compile(r"(บาท|baht|thb|฿|\.-|-)$", re.IGNORECASE)
_BLANK = {"", "-", "nan", "none", "n/a", "na", "—"}
_THOUSAND = re.compile(r"(พันบาท|พัน|thousand|kthb)$", re.IGNORECASE)
#: Characters offices put between thousands: comma, spaces of every width, apostrophe.
_SEPARATORS = str.maketrans("", "", ", \u00a0\u202f\u2009\u2007'’_")
#: No single project is larger than Thailand's whole annual budget (about 3.8 trillion baht).
MAX_BUDGET = 1e13

TIER_WORDS: dict[str, str] = {
    **{k: k for k in TIERS},
    "ส่วนกลาง": "central", "กระทรวง": "central", "กรม": "central", "national": "central",
    "ส่วนภูมิภาค": "regional", "ภูมิภาค": "regional", "จังหวัด": "regional",
    "provincial": "regional", "province": "regional",
    "ส่วนท้องถิ่น": "local", "ท้องถิ่น": "local", "อปท": "local", "อปท.": "local",
    "localgovernment": "local",
    "ภาคประชาชน": "people", "ประชาชน": "people", "ชุมชน": "people", "community": "people",
    "peoplessector": "people", "people'ssector": "people",
}

LAYER_WORDS: dict[str, int] = {
    "ยุทธศาสตร์ชาติ": 1, "งบจังหวัด": 1, "งบผู้ว่าฯ": 1, "งบผู้ว่า": 1, "ผู้ว่าซีอีโอ": 1,
    "กลุ่มจังหวัด": 1, "national": 1, "nationalstrategy": 1, "governor": 1,
    "กระทรวง": 2, "งบกระทรวง": 2, "งบกรม": 2, "ministry": 2, "functional": 2,
    "ministries": 2, "functionalministries": 2,
    "ท้องถิ่น": 3, "อปท": 3, "งบท้องถิ่น": 3, "local": 3, "localgovernment": 3,
    "กองทุนหมู่บ้าน": 4, "sml": 4, "ชุมชน": 4, "คพพ": 4, "community": 4,
    "directtocommunities": 4, "direct": 4, "villagefund": 4,
}
# Labels written back by the sheet writer read back too.
LAYER_WORDS.update({re.sub(r"\s", "", th).lower(): k for k, (th, _) in BUDGET_LAYERS.items()})
LAYER_WORDS.update({re.sub(r"\s", "", en).lower(): k for k, (_, en) in BUDGET_LAYERS.items()})
TIER_WORDS.update({re.sub(r"\s", "", th): k for k, (th, _) in TIERS.items()})
TIER_WORDS.update({re.sub(r"\s", "", en).lower(): k for k, (_, en) in TIERS.items()})

MARKS = {"✓", "✔", "√", "ü", "/", "x", "×", "•", "●", "y", "yes", "ใช่", "มี", "*"}


def is_blank(value: object) -> bool:
    """True for an empty cell, a dash or a NaN."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return True
    return str(value).strip().lower() in _BLANK


def parse_amount(value: object, factor: float = 1.0) -> float | None:
    """Baht from a cell: '1,250,000', '1.25 ล้านบาท', '๙๐๐,๐๐๐ บาท', '2.5 ลบ.', '1 250 000'; None if blank.

    ``factor`` is the unit the sheet states for the column (1e6 under "หน่วย: ล้านบาท");
    a unit written in the cell itself wins over it.

    Raises
    ------
    ValueError
        For text that is not an amount, negative, infinite or absurdly large amounts.
    """
    if is_blank(value):
        return None
    text = thai_digits(str(value)).strip().translate(_SEPARATORS)
    if _MILLION.search(text):
        text, factor = _MILLION.sub("", text), 1e6
    elif _THOUSAND.search(text):
        text, factor = _THOUSAND.sub("", text), 1e3
    elif _BAHT.search(text):
        text, factor = _BAHT.sub("", text), 1.0
    try:
        amount = float(text) * factor
    except ValueError:
        raise ValueError("not an amount in baht") from None
    if not math.isfinite(amount):
        raise ValueError("not a finite amount (inf, NaN or a number too large for a computer)")
    if amount < 0:
        raise ValueError("a budget cannot be negative")
    if amount > MAX_BUDGET:
        raise ValueError(f"{amount:,.0f} baht is more than Thailand's whole annual budget "
                         "(a unit or a typing slip?)")
    return round(amount, 2)


_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_DATE_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


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
    years = [n for n in numbers if len(n) == 4]
    if not years:
        raise ValueError("no four-digit year" if not numbers else f"{numbers[0]} is not a four-digit year")
    year = int(years[0])
    if BE_RANGE[0] <= year <= BE_RANGE[1]:
        return year, ""
    if BE_RANGE[0] - CE_OFFSET <= year <= BE_RANGE[1] - CE_OFFSET:
        return year + CE_OFFSET, "Christian-era year"
    raise ValueError(f"year {year} is neither a Buddhist-era nor a Christian-era fiscal year")


def _as_date(text: str) -> dt.date | None:
    """A date written in a year cell (ISO as Excel dates read, or day/month/year in BE or CE)."""
    iso, dmy = _DATE_ISO.match(text), _DATE_DMY.match(text)
    try:
        if iso:
            year, month, day = (int(g) for g in iso.groups())
        elif dmy:
            day, month, year = (int(g) for g in dmy.groups())
        else:
            return None
        if year >= BE_RANGE[0]:
            year -= CE_OFFSET
        return dt.date(year, month, day)
    except ValueError:
        return None


def _word(value: object) -> str:
    return re.sub(r"[\s._()-]", "", str(value)).lower()


def parse_tier(value: object) -> str | None:
    """Tier code (central, regional, local, people) from Thai or English; ValueError if unknown."""
    if is_blank(value):
        return None
    word = _word(value)
    if word in TIER_WORDS:
        return TIER_WORDS[word]
    for key, tier in TIER_WORDS.items():  # "ส่วนท้องถิ่น (อบต.)" and similar
        if len(key) > 3 and key in word:
            return tier
    raise ValueError("not a tier (ส่วนกลาง, ส่วนภูมิภาค, ส่วนท้องถิ่น, ภาคประชาชน)")


def parse_budget_layer(value: object) -> int | None:
    """Budget layer 1–4 from a digit, 'ชั้นที่ 2', or a Thai/English label; ValueError if unknown."""
    if is_blank(value):
        return None
    text = thai_digits(str(value)).strip().removesuffix(".0")
    digits = re.fullmatch(r"(?:ชั้น(?:ที่)?|layer)?\s*([1-4])", text, flags=re.IGNORECASE)
    if digits:
        return int(digits.group(1))
    numbered = re.match(r"(?:ชั้น(?:ที่)?\s*)?([1-4])\s+\D", text)  # "2 กระทรวง กรม"
    if numbered:
        return int(numbered.group(1))
    word = _word(text)
    if word in LAYER_WORDS:
        return LAYER_WORDS[word]
    for key, layer in LAYER_WORDS.items():
        if len(key) > 3 and key in word:
            return layer
    raise ValueError("not a budget layer (1–4, e.g. 1 = งบจังหวัด, 4 = กองทุนหมู่บ้าน)")


def parse_mark(value: object) -> tuple[bool, float | None]:
    """A wide-sheet cell: (marked, amount). '✓', 'x', '1' are marks; '250,000' an amount."""
    if is_blank(value) or str(value).strip() in {"0", "0.0"}:
        return False, None
    text = str(value).strip().lower()
    if text in MARKS or text in {"1", "1.0"}:
        return True, None
    try:
        amount = parse_amount(value)
    except ValueError:
        raise ValueError("not a mark (✓, x, 1) or an amount") from None
    return amount is not None and amount > 0, amount


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


def years_label(years: tuple[int, ...], lang: str = "th") -> str:
    """``ปีงบประมาณ 2569``, ``ปีงบประมาณ 2568–2570`` or ``… 2568, 2570`` (English: ``FY …``)."""
    if not years:
        return ""
    word = "ปีงบประมาณ" if lang != "en" else "FY"
    if len(years) == 1:
        return f"{word} {years[0]}"
    if list(years) == list(range(years[0], years[-1] + 1)):
        return f"{word} {years[0]}–{years[-1]}"
    return f"{word} {', '.join(map(str, years))}"
