"""Thai text in one comparable form, shared by every reader that matches names."""

from __future__ import annotations

import math
import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = ["CONTROL", "arabic_to_thai", "clean_id", "id_key", "is_blank", "joined_texts", "sorted_codes", "sorted_texts", "normalise_thai", "plain", "thai_digits"]

# Zero-width space, joiners, word joiner, BOM and soft hyphen: invisible, never meant.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
#: Control characters a sheet cell may carry (vertical tab, ESC …), never meant as text.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_TO_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
#: What an office writes in a cell that means "nothing here".
BLANK = frozenset({"", "-", "nan", "none", "n/a", "na", "—"})


def thai_digits(text: str) -> str:
    """Replace Thai digits (๐–๙) by Arabic ones."""
    return text.translate(_THAI_DIGITS)


def arabic_to_thai(text: str) -> str:
    """Replace Arabic digits by Thai ones (๐–๙), for outputs asked to print them."""
    return text.translate(_TO_THAI_DIGITS)


def is_blank(value: object) -> bool:
    """True for an empty cell, a dash or a NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    return str(value).strip().lower() in BLANK


def normalise_thai(text: str) -> str:
    """NFC, SARA AM composed (``ํ`` + ``า`` typed as two keys becomes ``ำ``), no invisible
    characters. Thai keyboards and PDF copies produce both spellings of ``ำ``; they
    look the same and must match the same."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u0e4d\u0e32", "\u0e33")
    return _INVISIBLE.sub("", text)


def clean_id(text: str) -> str:
    """An id as it should have been typed: NFKC (full-width letters and digits), Thai digits
    as Arabic, no invisible or control characters, one kind of hyphen, single spaces."""
    text = unicodedata.normalize("NFKC", normalise_thai(text)).translate(_THAI_DIGITS)
    text = _DASHES.sub("-", CONTROL.sub("", text))
    return re.sub(r"\s+", " ", text).strip()


def id_key(text: str) -> str:
    """What makes two ids the same project: :func:`clean_id` without case or spaces."""
    return re.sub(r"\s", "", clean_id(text)).casefold()


# Contacts typed where they do not belong ("สมชาย 086-555-1234", "หน่วยจัดการ โทร 0823334444"):
# Thai phone numbers (mobile 0[689] + 8 digits, fixed lines 0[2-7] + 7, or +66), e-mail addresses
# and LINE ids. A DOPA code or an amount never starts with 0, so they are never taken for a phone.
_PHONE = re.compile(r"(?:(?:โทร(?:ศัพท์)?\.?|เบอร์(?:โทร)?|tel\.?|phone|mobile|มือถือ)\s*[:：]?\s*)?"
                    r"(?<![\d+])(?:\+66[\s-]?|0)(?:[689](?:[\s.-]?\d){8}|[2-7](?:[\s.-]?\d){7})(?!\d)",
                    re.IGNORECASE)
_EMAIL = re.compile(r"(?:e-?mail|อีเมล)?\s*[:：]?\s*[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_LINE = re.compile(r"\bline\s*(?:id\s*)?[:：]\s*@?[\w.-]{3,}|\bline\s*id\s+@?[\w.-]{3,}"
                   r"|(?:ไอดีไลน์|ไลน์)\s*[:：]?\s*@?[\w.-]{3,}", re.IGNORECASE)  # a bare "@x" may be a formula


# Every contact above holds eight digits or more in a run (phones), "@" (e-mail) or LINE/ไลน์.
_MAYBE_CONTACT = re.compile(r"\d(?:[\s.-]?\d){7}|@|line|ไลน์", re.IGNORECASE)


def find_contacts(text: str) -> tuple[str, list[str]]:
    """``text`` without the phone numbers, e-mail addresses and LINE ids in it, and those found.

    >>> find_contacts("สมชาย ใจดี 086-555-1234")
    ('สมชาย ใจดี', ['086-555-1234'])
    """
    if not _MAYBE_CONTACT.search(text):  # most cells: nothing to take, and no time spent on three patterns
        return text, []
    found: list[str] = []

    def take(match: re.Match[str]) -> str:
        found.append(match.group(0).strip())
        return " "

    for pattern in (_EMAIL, _PHONE, _LINE):
        text = pattern.sub(take, text)
    text = re.sub(r"\s+", " ", re.sub(r"\s*[,;/]\s*(?=[,;/]|$)", "", text)).strip(" ,;/-()")
    return text, found


def mask(contact: str) -> str:
    """A contact as a report may show it: its first three and last two characters."""
    visible = contact.strip()
    return visible[:3] + "*" * max(len(visible) - 5, 3) + visible[-2:] if len(visible) > 5 else "***"


def joined_texts(frame: pd.DataFrame, by: list[str], column: str, *, unique: bool = True,
                 sep: str = "; ") -> pd.Series:
    """Per group of ``by`` (sorted, as ``frame.groupby(by)``), the sorted texts of ``column`` joined by
    ``sep``, each once when ``unique``: what ``agg(lambda s: sep.join(sorted(set(s))))`` gives, without a
    Python call per group (a national plan has hundreds of thousands of groups)."""
    texts, spans, index = _sorted_groups(frame, by, column, unique)
    return pd.Series([sep.join(texts[a:b]) for a, b in spans], index=index, name=column,
                     dtype=None if spans else object)  # texts as pandas infers them, as agg gave


def sorted_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes of ``values`` (int32, -1 where blank) numbered in the sorted order of their distinct
    values, and those values: what ``groupby(sort=True)`` orders by, as integers."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        # A categorical's own codes renumbered over the categories present, in the categories' order
        # (factorize's order for a categorical; an allocation's are sorted texts): what factorize
        # gives, without hashing the rows (a national allocation's 3.4 M rows: 27 MiB of codes and a
        # hash table each time, in each writer and measure that groups the allocation).
        raw = values.cat.codes.to_numpy()
        present = np.zeros(len(values.cat.categories) + 1, dtype=bool)
        present[raw] = True  # a blank (-1) marks the last place, which is no category
        used = np.flatnonzero(present[:-1])
        number = np.full(len(present), -1, dtype=np.int32)  # the last place: a blank stays -1
        number[used] = np.arange(len(used), dtype=np.int32)
        return number[raw], pd.Index(plain(values.cat.categories.take(used)))
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int32), pd.Index(plain(uniques))


def pair_codes(high: np.ndarray, span: int, low: np.ndarray) -> np.ndarray:
    """``high * span + low`` as int64, one integer per (high, low) pair (``low`` < ``span``), made in
    place: one array where the expression makes three (27 MiB each for a national allocation)."""
    pair = high.astype(np.int64)
    pair *= span
    pair += low
    return pair


def run_firsts(values: np.ndarray) -> np.ndarray:
    """True where a value differs from the one before it: the first of each run (of each distinct
    value, in sorted values). One mask, made in place: no temporaries of millions of rows."""
    first = np.empty(len(values), dtype=bool)
    first[:1] = True
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return first


def plain(values: object) -> object:
    """A categorical's values in its categories' own dtype (an index of codes, not of categories)."""
    kind = getattr(values, "dtype", None)
    return values.astype(kind.categories.dtype) if isinstance(kind, pd.CategoricalDtype) else values


def sorted_texts(frame: pd.DataFrame, by: list[str], column: str, *, unique: bool = True) -> pd.Series:
    """Per group of ``by`` (sorted), the sorted list of the texts of ``column`` (each once when
    ``unique``); rows with a blank key or value are left out, as ``groupby`` does."""
    texts, spans, index = _sorted_groups(frame, by, column, unique)
    return pd.Series([texts[a:b] for a, b in spans], index=index, dtype=object, name=column)


def _sorted_groups(frame: pd.DataFrame, by: list[str], column: str,
                   unique: bool) -> tuple[list[str], list[tuple[int, int]], pd.Index]:
    """The texts of ``column`` sorted within sorted groups, each group's (start, end) in them, the groups.
    Sorted on the codes of each column (``pd.factorize(sort=True)``: the order ``groupby`` and
    ``sort_values`` give), not on the texts: a national plan sorts millions of rows."""
    work = frame[[*by, column]].dropna()
    factors = [pd.factorize(work[c], sort=True) for c in by]
    # Each distinct value made a text once (not every row: a category column stays codes).
    first, distinct = pd.factorize(work[column])
    text_codes, texts = pd.factorize(pd.Series(distinct).astype(str), sort=True)
    codes = text_codes[first] if len(first) else first
    order = np.lexsort([codes, *(k for k, _ in reversed(factors))])
    keys = np.stack([k[order] for k, _ in factors]) if factors else np.zeros((0, len(order)), dtype=np.intp)
    codes = codes[order]
    new_group = np.ones(len(order), dtype=bool)
    new_group[1:] = (keys[:, 1:] != keys[:, :-1]).any(axis=0)
    if unique:
        kept = new_group.copy()
        kept[1:] |= codes[1:] != codes[:-1]
        keys, codes, new_group = keys[:, kept], codes[kept], new_group[kept]
    starts = np.flatnonzero(new_group)
    bounds = starts[1:].tolist()
    values = texts.take(codes).tolist()
    spans = list(zip([0, *bounds], [*bounds, len(values)], strict=True)) if values else []
    levels = [pd.Index(plain(uniques.take(keys[i, starts])), name=name)
              for i, ((_, uniques), name) in enumerate(zip(factors, by, strict=True))]
    index = levels[0] if len(levels) == 1 else pd.MultiIndex.from_arrays(levels)
    return values, spans, index
