"""Thai text in one comparable form, shared by every reader that matches names."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["CONTROL", "clean_id", "id_key", "normalise_thai"]

# Zero-width space, joiners, word joiner, BOM and soft hyphen: invisible, never meant.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
#: Control characters a sheet cell may carry (vertical tab, ESC …), never meant as text.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


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
