"""Turning what agencies write in an "area" cell into DOPA codes.

A cell such as ``"ต.ท่างิ้ว, ม.3 ต.ปากแพรก อ.ทุ่งสง / อ.ชะอวด"`` lists areas:

* Areas are separated by commas, semicolons, "/", new lines or "และ"; within
  one piece, prefixed names of the same or a smaller level also start a new
  area ("ต.ก ต.ข" is two tambon).
* Address style qualifies: a name followed by larger units ("ม.3 ต.ปากแพรก
  อ.ทุ่งสง") is one area, the village หมู่ 3 of tambon ปากแพรก in amphoe ทุ่งสง.
* Prefixes: จ./จังหวัด, อ./อำเภอ/เขต, ต./ตำบล/แขวง, ม./หมู่/หมู่ที่ (with a
  number, or a range "ม.1-3"). "ทั้งจังหวัด" is the whole province;
  "อ.เมือง" the capital amphoe (code XX01).
* Codes: 2, 4, 6 or 8 digits (province, amphoe, tambon, village), with or
  without a ``TH`` prefix.

Names are matched, in order: exactly; after removing prefixes, spaces and
dots; then by similarity (rapidfuzz ``fuzz.ratio`` ≥ :data:`FUZZY_THRESHOLD`,
a clear best match only). A name that fits more than one unit (ปากแพรก is a
tambon in two amphoe; ชะอวด is both an amphoe and a tambon) is not guessed:
it is reported with its candidates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from rapidfuzz import fuzz, process

from planmap_gis._schema import (
    AMPHOE_CODE,
    AMPHOE_EN,
    AMPHOE_TH,
    LEVEL_OF_LENGTH,
    PROVINCE_CODE,
    PROVINCE_EN,
    PROVINCE_TH,
    TAMBON_CODE,
    TAMBON_EN,
    TAMBON_TH,
    VILLAGE_CODE,
)
from planmap_gis._text import thai_digits
from planmap_gis.read import gazetteer as _gazetteer
from planmap_gis.read.cells import unit_factor, unit_words

#: Minimum rapidfuzz ratio (0–100) for a similarity match; the runner-up must be
#: at least :data:`FUZZY_MARGIN` points lower, or the name is reported as ambiguous.
FUZZY_THRESHOLD = 88.0
FUZZY_MARGIN = 4.0

LEVELS = ("village", "tambon", "amphoe", "province")
LEVEL_TH = {"village": "หมู่บ้าน", "tambon": "ตำบล", "amphoe": "อำเภอ", "province": "จังหวัด"}

_SPLIT = re.compile(r"\s*(?:[,;/|\n、]|\s+และ\s+)\s*")
_PREFIX = (
    ("province", r"จังหวัด|จ\."),
    ("amphoe", r"อำเภอ|อ\.|เขต|กิ่งอำเภอ"),
    ("tambon", r"ตำบล|ต\.|แขวง"),
    ("village", r"หมู่ที่|หมู่|ม\."),
)
_TOKEN = re.compile(
    r"(?P<whole>ทั้งจังหวัด|ทุกอำเภอ)|(?:(?P<prefix>" + "|".join(p for _, p in _PREFIX)
    + r")\s*)?(?P<value>[^\s]+)"
)
_LEVEL_OF_PREFIX = [(level, re.compile(f"^(?:{p})$")) for level, p in _PREFIX]
_LATIN = re.compile(r"[A-Za-z][A-Za-z'-]*")
_KEY_DROP = re.compile(r"[\s.'()-]")
_PERCENT = re.compile(r"\s*(?:\(\s*)?(?:ร้อยละ\s*)?(\d+(?:\.\d+)?)\s*(?:%|เปอร์เซ็นต์)?\s*\)?\s*$")


_THOUSANDS = re.compile(r"(?<=\d)[,\u00a0\u202f](?=\d{3}(?!\d))")
_AMOUNT = re.compile(rf"\s*(?:\(\s*)?(\d+(?:\.\d+)?)\s*({unit_words()})\s*\)?\s*$", re.IGNORECASE)


def split_amount(piece: str) -> tuple[float | None, str]:
    """A listed area and the baht written after it: ``"ต.ท่างิ้ว 600000 บาท"`` gives
    ``(600000.0, "ต.ท่างิ้ว")``; ``"ต.ท่าซัก 1.5 ล้านบาท"`` gives 1,500,000."""
    found = _AMOUNT.search(piece.strip())
    if not found:
        return None, piece.strip()
    factor = unit_factor(found.group(2))
    return float(found.group(1)) * factor, piece.strip()[: found.start()].strip()


def split_percent(piece: str) -> tuple[float | None, str]:
    """A listed area and the budget percentage written after it.

    ``"ต.ท่างิ้ว 60%"``, ``"ต.ท่างิ้ว (60%)"`` and ``"ต.ท่างิ้ว ร้อยละ 60"`` give
    ``(60.0, "ต.ท่างิ้ว")``; a piece without a percentage gives ``(None, piece)``.
    A bare trailing number (a code, a หมู่ number) is not a percentage.
    """
    piece = piece.strip()
    found = _PERCENT.search(piece)
    if not found or not re.search(r"%|เปอร์เซ็นต์|ร้อยละ", found.group(0)):
        return None, piece
    return float(found.group(1)), piece[: found.start()].strip()


def area_list(codes: list[str], shares: list[float] | None, label: Callable[[str], str] = str) -> str:
    """Areas as a long sheet writes them in one cell, each with its percentage when shares are
    given: ``ต.ท่างิ้ว อ.เมืองนครศรีธรรมราช 60%, ต.ท่าซัก อ.เมืองนครศรีธรรมราช 40%``."""
    if shares is None:
        return ", ".join(label(c) for c in codes)
    return ", ".join(f"{label(c)} {100 * share:.6g}%" for c, share in zip(codes, shares, strict=True))


def name_key(text: str) -> str:
    """A name in comparable form: no level word, spaces, dots or hyphens; lower case."""
    text = thai_digits(text).strip()
    text = re.sub(r"^(?:จังหวัด|อำเภอ|เขต|ตำบล|แขวง|กิ่งอำเภอ|จ\.|อ\.|ต\.)\s*", "", text)
    return _KEY_DROP.sub("", text).lower()


@dataclass
class Resolved:
    """The codes found in one cell, and what could not be resolved."""

    codes: list[str] = field(default_factory=list)
    #: (severity, token, message_en, message_th)
    problems: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: Per listed piece (text between separators): its codes (empty when it could
    #: not be resolved) and the budget percentage written with it, if any.
    parts: list[tuple[list[str], float | None]] = field(default_factory=list)


@dataclass(frozen=True)
class _Token:
    level: str | None
    text: str


class AreaIndex:
    """Codes and names of the units one can name in a sheet.

    Parameters
    ----------
    tambons : DataFrame, optional
        Canonical tambon layer; its names (already reconciled with the
        gazetteer) define the units. Without it the whole DOPA gazetteer is
        used, where tambon names repeat across provinces.
    villages : DataFrame, optional
        Village register (``village_code``); when given, village codes must
        exist in it.
    """

    def __init__(self, tambons: pd.DataFrame | None = None, villages: pd.DataFrame | None = None):
        if tambons is None:
            gaz_t = _gazetteer.tambons().reset_index()
            gaz_t[AMPHOE_CODE] = gaz_t[TAMBON_CODE].str[:4]
            tambons = gaz_t.merge(_gazetteer.amphoes().reset_index(), on=AMPHOE_CODE)
            tambons[PROVINCE_CODE] = tambons[TAMBON_CODE].str[:2]
            tambons = tambons.merge(_gazetteer.provinces().reset_index(), on=PROVINCE_CODE)
        t = pd.DataFrame(tambons).astype({TAMBON_CODE: str, AMPHOE_CODE: str, PROVINCE_CODE: str})
        self.names: dict[str, dict[str, str]] = {
            "tambon": dict(zip(t[TAMBON_CODE], t[TAMBON_TH], strict=True)),
            "amphoe": dict(zip(t[AMPHOE_CODE], t[AMPHOE_TH], strict=True)),
            "province": dict(zip(t[PROVINCE_CODE], t[PROVINCE_TH], strict=True)),
        }
        self.villages: set[str] | None = (
            set(villages[VILLAGE_CODE].astype(str)) if villages is not None else None
        )
        self._keys: dict[str, dict[str, list[str]]] = {level: {} for level in self.names}
        for level, th_col, en_col, code_col in (
            ("tambon", TAMBON_TH, TAMBON_EN, TAMBON_CODE),
            ("amphoe", AMPHOE_TH, AMPHOE_EN, AMPHOE_CODE),
            ("province", PROVINCE_TH, PROVINCE_EN, PROVINCE_CODE),
        ):
            unique = t.drop_duplicates(code_col)
            for col in (th_col, en_col):
                if col not in unique:
                    continue
                for code, name in zip(unique[code_col], unique[col], strict=True):
                    if isinstance(name, str) and name:
                        bucket = self._keys[level].setdefault(name_key(name), [])
                        if code not in bucket:
                            bucket.append(code)

    def label(self, code: str) -> str:
        """Thai label of a code, with its level prefix (e.g. 'ต.ท่างิ้ว', 'ม.3 ต.ท่างิ้ว')."""
        level = LEVEL_OF_LENGTH.get(len(code))
        if level == "village":
            return f"ม.{int(code[6:])} ต.{self.names['tambon'].get(code[:6], code[:6])}"
        prefix = {"tambon": "ต.", "amphoe": "อ.", "province": "จ."}.get(level or "", "")
        return f"{prefix}{self.names.get(level or '', {}).get(code, code)}"

    def full_label(self, code: str) -> str:
        """Address-style label that resolves back to exactly this code.

        ``ม.3 ต.ท่างิ้ว อ.เมืองนครศรีธรรมราช``, ``ต.ท่างิ้ว อ.เมืองนครศรีธรรมราช``,
        ``อ.ชะอวด``, ``จ.นครศรีธรรมราช``; the province is added when the index
        holds more than one.
        """
        level = LEVEL_OF_LENGTH.get(len(code))
        parts = []
        if level == "village":
            parts.append(f"ม.{int(code[6:])}")
        if level in ("village", "tambon"):
            parts.append(f"ต.{self.names['tambon'].get(code[:6], code[:6])}")
        if level in ("village", "tambon", "amphoe"):
            parts.append(f"อ.{self.names['amphoe'].get(code[:4], code[:4])}")
        if level == "province" or len(self.names["province"]) > 1:
            parts.append(f"จ.{self.names['province'].get(code[:2], code[:2])}")
        return " ".join(parts)

    # --- parsing -------------------------------------------------------------

    def resolve(self, cell: object) -> Resolved:
        """All areas listed in one cell."""
        out = Resolved()
        if cell is None or (isinstance(cell, float) and pd.isna(cell)):
            return out
        text = _THOUSANDS.sub("", thai_digits(str(cell)).strip())  # "600,000 บาท" is one amount
        amounts: list[float | None] = []
        for piece in _SPLIT.split(text):
            amount, piece = split_amount(piece)
            percent, piece = split_percent(piece)
            if not piece:
                if percent is not None:
                    out.parts.append(([], percent))
                continue
            piece_codes: list[str] = []
            for group in self._groups(piece):
                codes, problem = self._resolve_group(group)
                piece_codes += [c for c in codes if c not in piece_codes]
                for code in codes:
                    if code not in out.codes:
                        out.codes.append(code)
                if problem:
                    out.problems.append(problem)
            out.parts.append((piece_codes, percent))
            amounts.append(amount)
        if any(a is not None for a in amounts):
            self._amounts_as_percentages(out, amounts, str(cell))
        return out

    @staticmethod
    def _amounts_as_percentages(out: Resolved, amounts: list[float | None], cell: str) -> None:
        """Baht written after each area become its share, as percentages would."""
        total = sum(a for a in amounts if a is not None)
        if all(a is not None for a in amounts) and total > 0 and all(p is None for _, p in out.parts):
            out.parts = [(codes, 100 * a / total) for (codes, _), a in zip(out.parts, amounts, strict=True)
                         if a is not None]
            return
        out.problems.append(("warning", cell, "baht written after some areas only (or beside "
                             "percentages): the amounts are not used as shares",
                             "ระบุจำนวนเงินไม่ครบทุกพื้นที่ (หรือปนกับร้อยละ) ไม่ใช้เป็นสัดส่วน"))

    def _groups(self, piece: str) -> list[list[_Token]]:
        groups: list[list[_Token]] = []
        for match in _TOKEN.finditer(piece):
            if match.group("whole"):
                token = _Token("province", "*")
            else:
                prefix = match.group("prefix")
                level = next((lv for lv, rx in _LEVEL_OF_PREFIX if prefix and rx.match(prefix)),
                             None)
                token = _Token(level, match.group("value"))
            current = groups[-1] if groups else None
            if (current and token.level is None and current[-1].level is None
                    and _LATIN.fullmatch(token.text) and _LATIN.fullmatch(current[-1].text)):
                current[-1] = _Token(None, f"{current[-1].text} {token.text}")  # "Tha Ngio"
                continue
            if (current and token.level is not None and current[-1].level is not None
                    and LEVELS.index(token.level) > LEVELS.index(current[-1].level)):
                current.append(token)  # a larger unit qualifies the area before it
            elif current and token.level is None and current[-1].level is None:
                groups.append([token])
            else:
                groups.append([token])
        return groups

    def _resolve_group(self, group: list[_Token]) -> tuple[list[str], tuple[str, str, str, str] | None]:
        head, qualifiers = group[0], group[1:]
        shown = " ".join(t.text for t in group)
        scope: dict[str, list[str]] = {}
        note = None
        for q in reversed(qualifiers):  # the largest unit first: it narrows the others
            codes, problem = self._lookup(q.level, q.text, scope)
            if (problem and problem[0] == "error") or len(codes) != 1:
                return [], problem if problem and problem[0] == "error" else _ambiguous(
                    shown, codes, self)
            note = problem or note
            scope[q.level or ""] = codes
        if head.level == "village":
            codes, problem = self._villages(head.text, scope, shown)
            return codes, problem or note
        codes, problem = self._lookup(head.level, head.text, scope)
        if problem and problem[0] == "error":
            return [], problem
        if len(codes) > 1:
            return [], _ambiguous(shown, codes, self)
        return codes, problem or note

    def _villages(self, text: str, scope: dict[str, list[str]], shown: str) -> tuple[list[str], tuple[str, str, str, str] | None]:
        if "tambon" not in scope:
            return [], ("error", shown, f"'{shown}': a หมู่ number needs its tambon (write 'ม.3 ต.ท่างิ้ว') "
                        "or the 8-digit village code",
                        f"'{shown}': ระบุหมู่ต้องระบุตำบลด้วย เช่น 'ม.3 ต.ท่างิ้ว' หรือใช้รหัสหมู่บ้าน 8 หลัก")
        bounds = re.fullmatch(r"(\d{1,2})(?:-(\d{1,2}))?", text)
        if not bounds:
            return [], ("error", shown, f"'{shown}': หมู่ must be a number or a range such as 1-3",
                        f"'{shown}': หมู่ต้องเป็นตัวเลขหรือช่วง เช่น 1-3")
        first, last = int(bounds.group(1)), int(bounds.group(2) or bounds.group(1))
        tambon = scope["tambon"][0]
        if last < first:  # "ม.5-3": the range was typed backwards, never an empty range
            codes = [f"{tambon}{moo:02d}" for moo in range(last, first + 1)]
            found, problem = self._check_villages(codes, shown)
            return found, problem or ("warning", shown, f"'{shown}': the หมู่ range runs backwards; read "
                                      f"as {last}-{first}", f"'{shown}': ช่วงหมู่เขียนกลับด้าน อ่านเป็น {last}-{first}")
        codes = [f"{tambon}{moo:02d}" for moo in range(first, last + 1)]
        return self._check_villages(codes, shown)

    def _check_villages(self, codes: list[str], shown: str) -> tuple[list[str], tuple[str, str, str, str] | None]:
        unknown = [c for c in codes if c[:6] not in self.names["tambon"]
                   or (self.villages is not None and c not in self.villages)]
        if unknown:
            return [], ("error", shown, f"'{shown}': village {', '.join(unknown)} is not in the "
                        "village register or the boundary layer",
                        f"'{shown}': ไม่พบหมู่บ้าน {', '.join(unknown)} ในทะเบียนหมู่บ้าน")
        return codes, None

    def _lookup(self, level: str | None, text: str, scope: dict[str, list[str]]) -> tuple[list[str], tuple[str, str, str, str] | None]:
        code = text.upper().removeprefix("TH")
        if code.isdigit() and len(code) in LEVEL_OF_LENGTH:
            found_level = LEVEL_OF_LENGTH[len(code)]
            if found_level == "village":
                return self._check_villages([code], text)
            if code in self.names[found_level]:
                return [code], None
            return [], ("error", text, f"'{text}': no {found_level} with this code in the boundary "
                        "layer", f"'{text}': ไม่พบรหัส{LEVEL_TH[found_level]}นี้ในชั้นขอบเขต")
        levels = [level] if level and level != "village" else ["tambon", "amphoe", "province"]
        if text == "*":
            return list(self.names["province"]), None
        key = name_key(text)
        candidates = [c for lv in levels for c in self._keys[lv].get(key, [])]
        if not candidates and "amphoe" in levels and key in ("เมือง", "mueang", "muang"):
            candidates = [c for c in self.names["amphoe"] if c.endswith("01")]
        candidates = _within(candidates, scope)
        if candidates:
            return candidates, None
        return self._fuzzy(levels, text, key, scope)

    def _fuzzy(self, levels: list[str], text: str, key: str, scope: dict[str, list[str]]) -> tuple[list[str], tuple[str, str, str, str] | None]:
        choices = {k: codes for lv in levels for k, codes in self._keys[lv].items()
                   if _within(codes, scope)}
        best = process.extract(key, list(choices), scorer=fuzz.ratio, limit=2)
        if best and best[0][1] >= FUZZY_THRESHOLD:
            runner_up = best[1][1] if len(best) > 1 else 0.0
            codes = _within(choices[best[0][0]], scope)
            if best[0][1] - runner_up >= FUZZY_MARGIN and len(codes) == 1:
                label = self.label(codes[0])
                return codes, ("warning", text, f"'{text}' matched by similarity to {label} "
                               f"({codes[0]}, score {best[0][1]:.0f}); check the spelling",
                               f"'{text}' จับคู่โดยความคล้ายกับ {label} ({codes[0]}) โปรดตรวจการสะกด")
        hint = f"; closest: {', '.join(b[0] for b in best)}" if best else ""
        return [], ("error", text, f"'{text}': no such area in the boundary layer{hint}. Write "
                    "the name as in the DOPA register or use the code",
                    f"'{text}': ไม่พบพื้นที่นี้ในชั้นขอบเขต โปรดเขียนชื่อตามทะเบียน มท. หรือใช้รหัส")


def _within(codes: list[str], scope: dict[str, list[str]]) -> list[str]:
    """Keep codes inside every qualifying unit (amphoe, province) given."""
    for parents in scope.values():
        codes = [c for c in codes if any(c.startswith(p) for p in parents)]
    return codes


def _ambiguous(shown: str, codes: list[str], index: AreaIndex) -> tuple[str, str, str, str]:
    listed = "; ".join(f"{index.label(c)} ({c})" for c in codes)
    return ("error", shown, f"'{shown}' is ambiguous: {listed}. Add the prefix (ต./อ.) or the "
            "amphoe after the name (e.g. 'ต.ปากแพรก อ.ทุ่งสง'), or use the code",
            f"'{shown}' กำกวม: {listed} โปรดระบุอำเภอหรือใช้รหัส")
