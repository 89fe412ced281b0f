"""Thai text in one comparable form, shared by every reader that matches names."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalise_thai"]

# Zero-width space, joiners, word joiner, BOM and soft hyphen: invisible, never meant.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def normalise_thai(text: str) -> str:
    """NFC, SARA AM composed (``ํ`` + ``า`` typed as two keys becomes ``ำ``), no invisible
    characters. Thai keyboards and PDF copies produce both spellings of ``ำ``; they
    look the same and must match the same."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u0e4d\u0e32", "\u0e33")
    return _INVISIBLE.sub("", text)
