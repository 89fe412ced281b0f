"""Finding a Thai font for printed maps and registering it with matplotlib.

matplotlib's default font has no Thai glyphs (every letter becomes a box). The
package depends on ``fontpkg-noto-sans-thai`` (Noto Sans Thai, SIL OFL), which
renders Thai acceptably without a shaping engine, tone marks included; system
fonts from Debian's ``fonts-thai-tlwg`` (Garuda, Loma, Waree …) are the fallback.
``settings.thai_font`` can name a font file or family to use instead.
"""

from __future__ import annotations

import re
import unicodedata
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
    """A laid-out glyph standing for exactly the characters in ``char``."""

    __slots__ = ("char", "ft_object", "glyph_index", "prev_kern", "x", "y")

    def __init__(self, item: Any, char: str) -> None:
        self.ft_object, self.glyph_index = item.ft_object, item.glyph_index
        self.prev_kern, self.x, self.y = item.prev_kern, item.x, item.y
        self.char = char


def _clusters(items: list[Any]) -> Iterator[list[Any]]:
    """The shaped glyphs in clusters: libraqm gives every glyph of a cluster its whole text."""
    i = 0
    while i < len(items):
        text = items[i].char
        j = i + 1
        while j < len(items) and items[j].char == text and isinstance(text, str) and len(text) > 1:
            j += 1
        yield items[i:j]
        i = j


def _unshaped(items: list[Any]) -> list[_Item]:
    """Glyphs for the text layer of a Thai string: one per spacing character, in typed order.

    Shaped glyphs do not map one to one to characters (SARA AM is drawn as NIKHAHIT + SARA
    AA, marks move past the next consonant or off the baseline), and text extraction orders
    what it finds by position, so "อำเภอ" came back as "อำ" + a zero-width space + "เภอ".
    Here each spacing character takes its own glyph from the font's character map and carries
    the marks typed after it ("ปั้" on one glyph), so nothing sits out of place and the text
    reads back as typed. The layer is invisible: the glyphs need not look right.
    """
    out: list[_Item] = []
    pen: float | None = None  # where the previous glyph's advance leaves the pen
    for group in _clusters(items):
        first = group[0]
        text = first.char if isinstance(first.char, str) else chr(first.char)
        x = first.x
        for part in _spacing_runs(text):
            item = _Item(first, part)
            item.glyph_index = first.ft_object.get_char_index(ord(part[0])) or first.glyph_index
            # The PDF places each glyph by the advances before it plus a kern: the kern takes
            # the pen to where the shaped text put this cluster.
            item.x, item.y = x, 0
            item.prev_kern = first.prev_kern if pen is None else x - pen
            glyph = first.ft_object.load_glyph(item.glyph_index, flags=_NO_HINTING)
            x += glyph.linearHoriAdvance / 65536
            pen = x
            out.append(item)
    return out


def _spacing_runs(text: str) -> list[str]:
    """'ปั้น' → ['ปั้', 'น']: each spacing character with the marks that follow it."""
    runs: list[str] = []
    for char in text:
        if runs and unicodedata.category(char) == "Mn":
            runs[-1] += char
        else:
            runs.append(char)
    return runs


try:
    from matplotlib.ft2font import LoadFlags

    _NO_HINTING: Any = LoadFlags.NO_HINTING
except ImportError:  # matplotlib < 3.10 names the flag as a module constant
    from matplotlib.ft2font import LOAD_NO_HINTING as _NO_HINTING

_THAI = re.compile("[\u0e00-\u0e7f]")
_UNSHAPED = {"on": False}


@contextmanager
def searchable_thai() -> Iterator[None]:
    """While active, Thai text in a PDF is drawn as outlines and written again, invisible, as text.

    What the reader sees is the shaped text (tone marks, SARA AM, marks moved off tall
    consonants); what a search or ``pdftotext`` finds is the string as typed, one glyph per
    character (:func:`_unshaped`) with zero opacity under the outlines. Labels with a halo
    (path effects) get their text layer the same way. Text without Thai is left as it is.
    """
    try:
        from matplotlib import _text_helpers
        from matplotlib.backends.backend_pdf import RendererPdf
        from matplotlib.patheffects import PathEffectRenderer
    except ImportError:  # pragma: no cover - an older matplotlib: plain text
        yield
        return
    original_layout = getattr(_text_helpers, "layout", None)
    if original_layout is None:  # pragma: no cover
        yield
        return

    def layout(*args: Any, **kwargs: Any) -> Iterator[Any]:
        if not _UNSHAPED["on"]:
            yield from original_layout(*args, **kwargs)
            return
        # The contract of ``layout`` is that the font holds each item's glyph when it is
        # yielded, and regrouping consumes the whole layout first, so load it again.
        for item in _unshaped(list(original_layout(*args, **kwargs))):
            item.ft_object.load_glyph(item.glyph_index, flags=_NO_HINTING)
            yield item

    pdf_draw_text = RendererPdf.draw_text
    effects_draw_text = PathEffectRenderer.draw_text

    def hidden_text(renderer: Any, gc: Any, x: float, y: float, s: str, prop: Any, angle: float,
                    mtext: Any) -> None:
        hidden = renderer.new_gc()
        hidden.copy_properties(gc)
        hidden.set_alpha(0.0)
        _UNSHAPED["on"] = True
        try:
            pdf_draw_text(renderer, hidden, x, y, s, prop, angle, False, mtext)
        finally:
            _UNSHAPED["on"] = False
            hidden.restore()

    def draw_text(self: Any, gc: Any, x: float, y: float, s: str, prop: Any, angle: float,
                  ismath: Any = False, mtext: Any = None) -> None:
        if ismath or not _THAI.search(s):
            return pdf_draw_text(self, gc, x, y, s, prop, angle, ismath, mtext)
        self._draw_text_as_path(gc, x, y, s, prop, angle, ismath, mtext)
        hidden_text(self, gc, x, y, s, prop, angle, mtext)
        return None

    def effects_text(self: Any, gc: Any, x: float, y: float, s: str, prop: Any, angle: float,
                     ismath: Any = False, mtext: Any = None) -> None:
        effects_draw_text(self, gc, x, y, s, prop, angle, ismath, mtext)
        real = object.__getattribute__(self, "_renderer")
        while not isinstance(real, RendererPdf) and hasattr(real, "_renderer"):
            real = real._renderer  # the PDF backend draws through a MixedModeRenderer
        if isinstance(real, RendererPdf) and not ismath and _THAI.search(s):
            hidden_text(real, gc, x, y, s, prop, angle, mtext)

    _text_helpers.layout = layout
    RendererPdf.draw_text = draw_text  # type: ignore[method-assign]
    PathEffectRenderer.draw_text = effects_text  # type: ignore[method-assign]
    try:
        yield
    finally:
        _text_helpers.layout = original_layout
        RendererPdf.draw_text = pdf_draw_text  # type: ignore[method-assign]
        PathEffectRenderer.draw_text = effects_draw_text  # type: ignore[method-assign]
