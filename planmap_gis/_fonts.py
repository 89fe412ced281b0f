"""Finding a Thai font for printed maps and registering it with matplotlib.

matplotlib's default font has no Thai glyphs (every letter becomes a box). The
package depends on ``fontpkg-noto-sans-thai`` (Noto Sans Thai, SIL OFL), which
renders Thai acceptably without a shaping engine, tone marks included; system
fonts from Debian's ``fonts-thai-tlwg`` (Garuda, Loma, Waree …) are the fallback.
``settings.thai_font`` can name a font file or family to use instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from matplotlib import font_manager

from planmap_gis import settings
from planmap_gis._errors import PlanmapError

SYSTEM_FAMILIES = ("Noto Sans Thai", "Garuda", "Loma", "Waree", "Sarabun", "TH Sarabun New", "Tlwg Typo")


class FontError(PlanmapError):
    """No font with Thai glyphs could be found."""


def _packaged() -> Path | None:
    try:
        import fontpkg_noto_sans_thai as noto
    except ImportError:
        return None
    fonts = sorted(Path(noto.ROOT).glob("files/*.ttf"))
    return fonts[0] if fonts else None


@cache
def _register(path: str) -> str:
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def thai_family() -> list[str]:
    """Font family list for matplotlib: a Thai font first, DejaVu Sans for anything it lacks.

    Raises
    ------
    FontError
        When no Thai font is installed, saying how to install one.
    """
    wanted = getattr(settings, "thai_font", None)
    if wanted:
        if Path(wanted).is_file():
            return [_register(str(wanted)), "DejaVu Sans"]
        return [str(wanted), "DejaVu Sans"]
    packaged = _packaged()
    if packaged is not None:
        return [_register(str(packaged)), "DejaVu Sans"]
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in SYSTEM_FAMILIES:
        if family in installed:
            return [family, "DejaVu Sans"]
    raise FontError(
        "no Thai font found for printed maps (Thai would print as boxes). Install one: "
        "`pip install fontpkg-noto-sans-thai` (a dependency of planmap-gis), or on Debian/Ubuntu "
        "`sudo apt-get install fonts-thai-tlwg`; or set planmap_gis.settings.thai_font to a .ttf file."
    )


def rc() -> dict[str, object]:
    """matplotlib settings for printed maps: the Thai font, embedded as TrueType (Type 42)."""
    return {"font.family": thai_family(), "pdf.fonttype": 42, "ps.fonttype": 42,
            "axes.unicode_minus": False}



class _Item:
    """A laid-out glyph whose ``char`` is what this one glyph stands for."""

    __slots__ = ("char", "ft_object", "glyph_index", "prev_kern", "x", "y")

    def __init__(self, item: Any, char: str) -> None:
        self.ft_object, self.glyph_index = item.ft_object, item.glyph_index
        self.prev_kern, self.x, self.y = item.prev_kern, item.x, item.y
        self.char = char


def _per_glyph(items: list[Any]) -> list[_Item]:
    """Give each glyph of a shaped cluster its own characters.

    libraqm reports every glyph of a cluster (e.g. ต + ่ in "ต่") with the whole
    cluster's text; matplotlib writes that into the PDF's ToUnicode map for each
    glyph, so copied or extracted text doubles ("ต่ต่อ"). Here each glyph gets the
    character its glyph id stands for in the font's cmap, and glyphs that are
    positional variants (not in the cmap) get the cluster's remaining characters.
    """
    out: list[_Item] = []
    i = 0
    while i < len(items):
        text = items[i].char
        j = i + 1
        while j < len(items) and items[j].char == text and isinstance(text, str) and len(text) > 1:
            j += 1
        group = items[i:j]
        if len(group) == 1 or not isinstance(text, str):
            out.extend(_Item(it, it.char) for it in group)
            i = j
            continue
        reverse = _reverse_cmap(group[0].ft_object)
        pool = list(text)
        chars: list[str | None] = []
        for it in group:
            own = reverse.get(it.glyph_index)
            if own is not None and own in pool:
                pool.remove(own)
                chars.append(own)
            else:
                chars.append(None)
        for k, c in enumerate(chars):
            if c is None:
                chars[k] = pool.pop(0) if pool else "\u200b"
        if pool:
            chars[-1] = (chars[-1] or "") + "".join(pool)
        out.extend(_Item(it, c or "\u200b") for it, c in zip(group, chars, strict=True))
        i = j
    return out


_REVERSE: dict[str, dict[int, str]] = {}


def _reverse_cmap(font: Any) -> dict[int, str]:
    key = f"{font.fname}:{getattr(font, 'face_index', 0)}"
    if key not in _REVERSE:
        _REVERSE[key] = {gid: chr(code) for code, gid in font.get_charmap().items()}
    return _REVERSE[key]


try:
    from matplotlib.ft2font import LoadFlags

    _NO_HINTING: Any = LoadFlags.NO_HINTING
except ImportError:  # matplotlib < 3.10 names the flag as a module constant
    from matplotlib.ft2font import LOAD_NO_HINTING as _NO_HINTING


@contextmanager
def searchable_thai() -> Iterator[None]:
    """While active, PDF text maps each Thai glyph to its own character (see ``_per_glyph``)."""
    try:
        from matplotlib import _text_helpers
    except ImportError:  # a matplotlib without libraqm layout has no doubled text
        yield
        return
    original = getattr(_text_helpers, "layout", None)
    if original is None:
        yield
        return

    def layout(*args: Any, **kwargs: Any) -> Iterator[Any]:
        # The contract of ``layout`` is that the font holds each item's glyph when
        # it is yielded (text drawn as paths reads the outline from the font), and
        # grouping a cluster consumes the whole layout first, so load it again.
        for item in _per_glyph(list(original(*args, **kwargs))):
            item.ft_object.load_glyph(item.glyph_index, flags=_NO_HINTING)
            yield item

    _text_helpers.layout = layout
    try:
        yield
    finally:
        _text_helpers.layout = original
