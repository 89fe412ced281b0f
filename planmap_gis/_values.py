"""Cell values as agencies write them: amounts, fiscal years, tiers, budget layers, marks.

Each parser returns the canonical value, or raises :class:`ValueError` with a
short English reason that the importer turns into a report line.
"""

from __future__ import annotations

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


def parse_amount(value: object) -> float | None:
    """Baht from a cell: '1,250,000', '1.25 ล้านบาท', '๙๐๐,๐๐๐ บาท', '2.5 ลบ.'; None if blank.

    Raises
    ------
    ValueError
        For text that is not an amount, and for negative amounts.
    """
    if is_blank(value):
        return None
    text = thai_digits(str(value)).strip().replace(",", "").replace(" ", "")
    factor = 1.0
    if _MILLION.search(text):
        text, factor = _MILLION.sub("", text), 1e6
    text = _BAHT.sub("", text)
    try:
        amount = float(text) * factor
    except ValueError:
        raise ValueError("not an amount in baht") from None
    if amount < 0 or amount != amount:
        raise ValueError("a budget cannot be negative")
    return round(amount, 2)


def parse_fiscal_year(value: object) -> tuple[int | None, bool]:
    """Buddhist-era fiscal year from a cell; returns (year, converted_from_ce).

    '2569', 'ปีงบประมาณ 2569', 'พ.ศ. ๒๕๖๙' give 2569; a Christian-era year
    2026 (or 'FY2026') gives 2569 and ``True``. A range '2569-2570' gives its
    first year. Raises ValueError for anything else.
    """
    if is_blank(value):
        return None, False
    text = thai_digits(str(value))
    found = re.findall(r"\d{4}", text.replace(".0", ""))
    if not found:
        raise ValueError("no four-digit year")
    year = int(found[0])
    if BE_RANGE[0] <= year <= BE_RANGE[1]:
        return year, False
    if BE_RANGE[0] - CE_OFFSET <= year <= BE_RANGE[1] - CE_OFFSET:
        return year + CE_OFFSET, True
    raise ValueError(f"year {year} is neither a Buddhist-era nor a Christian-era fiscal year")


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
