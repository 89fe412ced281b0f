"""Cell values as agencies write them: amounts, fiscal years, tiers, budget layers, marks.

Each parser returns the canonical value, or raises :class:`ValueError` with a
short English reason that the importer turns into a report line.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from planmap_gis._schema import BUDGET_LAYERS, TIERS
from planmap_gis._text import find_contacts, is_blank, mask, thai_digits

#: Money units as offices write them → baht per unit. Every reader takes its unit words from here:
#: a cell's suffix (``1.25 ล้านบาท``), a header's brackets (``งบประมาณ (ล้านบาท)``), a unit row
#: above the header (``หน่วย: พันบาท``) and an amount inside an area list (``ต.ท่าซัก 1.5 ล้านบาท``).
MONEY_UNITS: dict[str, float] = {
    "ล้านบาท": 1e6, "ล้าน": 1e6, "ลบ.": 1e6, "ลบ": 1e6, "million": 1e6, "millionbaht": 1e6, "mthb": 1e6,
    "m.thb": 1e6, "mb": 1e6,
    "แสนบาท": 1e5, "แสน": 1e5, "หมื่นบาท": 1e4, "หมื่น": 1e4,
    "พันบาท": 1e3, "พัน": 1e3, "thousand": 1e3, "thousandbaht": 1e3, "kthb": 1e3,
    "บาท": 1.0, "baht": 1.0, "thb": 1.0, "฿": 1.0,
}
#: The words that state a unit in a header or a unit row (abbreviations such as "ลบ" or "mb" are
#: ordinary text there).
HEADER_UNITS = ("ล้านบาท", "พันบาท", "บาท", "millionbaht", "million", "thousandbaht", "thousand", "mthb", "kthb",
                "thb", "baht")
#: Unit factor → (English, Thai) name, as reports say a unit.
UNIT_NAMES = {1.0: ("baht", "บาท"), 1e3: ("thousand baht", "พันบาท"), 1e6: ("million baht", "ล้านบาท")}


def unit_words(words: tuple[str, ...] | None = None) -> str:
    """A regular-expression alternation of unit words, longest first (``ล้านบาท`` before ``บาท``)."""
    chosen = MONEY_UNITS if words is None else words
    return "|".join(re.escape(w) for w in sorted(chosen, key=len, reverse=True))


def unit_factor(word: str) -> float:
    """Baht per unit of a unit word found by :func:`unit_words`."""
    return MONEY_UNITS[word.lower()]


# A cell's amount ends with its unit; "1,000.-" and "1,000-" are baht as receipts write them.
_CELL_UNIT = re.compile(rf"({unit_words()}|\.-|-)$", re.IGNORECASE)
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


def parse_number(text: object) -> float | None:
    """A number from a cell: '1,234', '๑๒๓', ' 12.5 '; None for a blank cell.

    Raises
    ------
    ValueError
        When the cell holds something that is not a number, or an infinite one.
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    cleaned = re.sub(r"[,\s\u00a0\u202f\u2009]", "", thai_digits(str(text)))
    if cleaned == "" or cleaned.lower() in {"nan", "none", "-"}:
        return None
    number = float(cleaned)
    if not math.isfinite(number):  # "inf", "1e400": never a count, a rate or a coordinate
        raise ValueError(f"{text!r} is not a finite number")
    return number


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
    text = re.sub(r"^(?:฿|thb|บาท)\s*", "", thai_digits(str(value)).strip(), flags=re.IGNORECASE)  # "฿250,000"
    grouped = re.match(r"^\d+(?:,\d+)+", text)
    if grouped and not re.fullmatch(r"\d{1,3}(?:,\d{3})+", grouped.group(0)):
        # "12,34" or "1,2,3": thousands are grouped by three; a comma elsewhere is a typing slip
        raise ValueError(f"{grouped.group(0)!r} has a comma that is not a thousands separator")
    text = text.translate(_SEPARATORS)
    unit = _CELL_UNIT.search(text)
    if unit:
        text, word = text[:unit.start()], unit.group(1)
        factor = 1.0 if word in (".-", "-") else unit_factor(word)
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


#: What a report says where contacts were typed outside a contact column (English, Thai).
CONTACTS_TAKEN = ("contact details (phone, e-mail, LINE) typed in this cell were taken out: no output carries "
                  "them (a contact column, with --with-contacts, is their place)",
                  "พบข้อมูลติดต่อ (โทรศัพท์ อีเมล ไลน์) ในช่องนี้ จึงตัดออก ผลลัพธ์ไม่มีข้อมูลติดต่อ "
                  "(ใส่ในช่องติดต่อ และสั่ง --with-contacts หากต้องการ)")


def take_contacts(rec: dict[str, Any], columns: tuple[str, ...]) -> list[tuple[str, str, list[str]]]:
    """Phone numbers, e-mail addresses and LINE ids taken out of a row's text cells, in place (see
    :func:`~planmap_gis._text.find_contacts`): ``(column, masked value for the report, found)`` for
    each cell that held some."""
    taken = []
    for column in columns:
        value = rec.get(column)
        if is_blank(value):
            continue
        clean, found = find_contacts(str(value))
        if found:
            rec[column] = clean
            taken.append((column, ", ".join(mask(c) for c in found), found))
    return taken
