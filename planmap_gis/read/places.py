"""Provinces and amphoe named the way people name them: a DOPA code, Thai or English.

``"80"``, ``"TH80"``, ``"นครศรีธรรมราช"``, ``"จ.นครศรีธรรมราช"`` and ``"Nakhon Si Thammarat"``
all name province 80; amphoe likewise (``"8001"``, ``"อ.เมืองนครศรีธรรมราช"``,
``"Mueang Nakhon Si Thammarat"``). A name that fits nothing, or several places, is never
guessed: the error lists the close matches from the DOPA gazetteer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pandas as pd
from rapidfuzz import fuzz, process

from planmap_gis._errors import SchemaError, show_values
from planmap_gis._schema import AMPHOE_EN, AMPHOE_TH, PROVINCE_EN, PROVINCE_TH
from planmap_gis._text import normalise_thai, thai_digits
from planmap_gis.read import gazetteer as _gazetteer

__all__ = ["resolve_amphoes", "resolve_provinces"]

_LEVEL_WORDS = re.compile(r"^(?:จังหวัด|จ\.|อำเภอ|อ\.|เขต|กิ่งอำเภอ|changwat|amphoe|amphur|khet|district|province)\s*",
                          re.IGNORECASE)


#: Everyday names the gazetteer does not carry.
_ALIASES_RAW = {"กรุงเทพ": "10", "กรุงเทพฯ": "10", "กทม": "10", "krungthep": "10", "bkk": "10",
            "โคราช": "30", "korat": "30", "อยุธยา": "14", "ayutthaya": "14"}


def _key(text: str) -> str:
    """A place name in comparable form: no level word, case, spaces, dots or hyphens."""
    text = normalise_thai(str(text)).strip()
    text = _LEVEL_WORDS.sub("", text)
    return re.sub(r"[\s.'’()-]", "", text).lower()


_ALIASES = {_key(k): v for k, v in _ALIASES_RAW.items()}


def _as_list(value: str | int | Iterable[str | int]) -> list[str]:
    if isinstance(value, (str, int)):
        return [str(value)]
    return [str(v) for v in value]


def _resolve(
    values: Sequence[str], table: pd.DataFrame, th: str, en: str, digits: int, kind_en: str,
    kind_th: str, label: dict[str, str],
) -> list[str]:
    keys: dict[str, set[str]] = {}
    for code, row in table.iterrows():
        for name in (row[th], row[en]):
            keys.setdefault(_key(name), set()).add(str(code))
    out: list[str] = []
    for value in values:
        text = str(value).strip()
        code = thai_digits(re.sub(r"^TH", "", text, flags=re.IGNORECASE))  # "๘๐" is 80
        if code.isascii() and code.isdigit() and len(code) == digits:
            if code not in table.index:
                raise SchemaError(
                    f"{kind_en} code {text!r} is not in the DOPA gazetteer. Fix: give a "
                    f"{digits}-digit DOPA code or the {kind_en}'s name.",
                    th=f"ไม่พบรหัส{kind_th} {text} ในทะเบียน มท. แก้ไข: ใช้รหัส {digits} หลัก หรือชื่อ{kind_th}",
                )
            out.append(code)
            continue
        found = sorted(keys.get(_key(text), ()))
        if len(found) == 1:
            out.append(found[0])
            continue
        if found:
            options = [label[c] for c in found]
            raise SchemaError(
                f"{kind_en} {text!r} is ambiguous: {show_values(options)}. Fix: give the DOPA "
                "code, or name the province too.",
                th=f"ชื่อ{kind_th} {text} ตรงกับหลายแห่ง: {show_values(options)} แก้ไข: ใช้รหัส "
                   "หรือระบุจังหวัดด้วย",
            )
        choices = {label[c]: _key(label[c].split(" (")[0]) for c in table.index}
        choices.update({label[c] + " ": _key(table.at[c, en]) for c in table.index})
        close = process.extract(_key(text), choices, scorer=fuzz.ratio, limit=5, score_cutoff=60)
        near = list(dict.fromkeys(name.strip() for _, _, name in close))
        hint_en = f" Close matches: {show_values(near)}." if near else ""
        hint_th = f" ชื่อที่ใกล้เคียง: {show_values(near)}" if near else ""
        raise SchemaError(
            f"no {kind_en} is called {text!r}.{hint_en} Fix: give the DOPA code "
            f"({digits} digits) or the name as in the DOPA gazetteer, in Thai or English.",
            th=f"ไม่พบ{kind_th}ชื่อ {text}{hint_th} แก้ไข: ใช้รหัส {digits} หลัก หรือชื่อตามทะเบียน มท.",
        )
    return list(dict.fromkeys(out))


def resolve_provinces(value: str | int | Iterable[str | int]) -> list[str]:
    """DOPA province codes for codes or Thai/English names (one or several).

    Raises
    ------
    SchemaError
        A name or code that names no province, or several, with the close matches.
    """
    table = _gazetteer.provinces()
    values = [_ALIASES.get(_key(v), v) for v in _as_list(value)]
    label = {c: f"{r[PROVINCE_TH]} ({r[PROVINCE_EN]}, {c})" for c, r in table.iterrows()}
    return _resolve(values, table, PROVINCE_TH, PROVINCE_EN, 2, "province", "จังหวัด", label)


def resolve_amphoes(value: str | int | Iterable[str | int], provinces: Sequence[str] = ()) -> list[str]:
    """DOPA amphoe codes for codes or Thai/English names, looked up within ``provinces``
    when given (``"เมือง"`` alone names the capital amphoe of a single province)."""
    table = _gazetteer.amphoes()
    if provinces:
        table = table[table.index.str[:2].isin(provinces)]
    prov = _gazetteer.provinces()
    label = {c: f"{r[AMPHOE_TH]} ({r[AMPHOE_EN]}, {c}, จ.{prov.at[c[:2], PROVINCE_TH]})"
             for c, r in table.iterrows()}
    values = _as_list(value)
    if len(provinces) == 1:
        capital = f"{provinces[0]}01"
        values = [capital if _key(v) in ("เมือง", "mueang", "muang") and capital in table.index
                  else v for v in values]
    return _resolve(values, table, AMPHOE_TH, AMPHOE_EN, 4, "amphoe", "อำเภอ", label)
