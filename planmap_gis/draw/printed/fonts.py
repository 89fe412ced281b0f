"""Finding a Thai font for printed maps and registering it with matplotlib.

matplotlib's default font has no Thai glyphs (every letter becomes a box). The
package depends on ``fontpkg-noto-sans-thai`` (Noto Sans Thai, SIL OFL), which
renders Thai acceptably without a shaping engine, tone marks included; system
fonts from Debian's ``fonts-thai-tlwg`` (Garuda, Loma, Waree …) are the fallback.
``settings.thai_font`` can name a font file or family to use instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from matplotlib import font_manager
from matplotlib.backends.backend_pdf import RendererPdf
from matplotlib.patheffects import PathEffectRenderer

try:  # the packaged Noto Sans Thai; a system Thai font serves without it
    import fontpkg_noto_sans_thai as noto
except ImportError:  # pragma: no cover
    noto = None

from planmap_gis import settings
from planmap_gis._errors import FontError

SYSTEM_FAMILIES = ("Noto Sans Thai", "Garuda", "Loma", "Waree", "Sarabun", "TH Sarabun New", "Tlwg Typo")


def _packaged() -> Path | None:
    if noto is None:
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


_THAI = re.compile("[\u0e00-\u0e7f]")


@contextmanager
def searchable_thai() -> Iterator[None]:
    """While active, Thai text in a PDF reads back as typed.

    Shaped Thai glyphs do not map one to one to characters (SARA AM is drawn as NIKHAHIT +
    SARA AA, marks move past the next consonant or off the baseline), and text extraction
    orders what it finds by position: "อำเภอ" came back as "อำ" + a zero-width space + "เภอ".
    Each Thai string is therefore wrapped in a marked-content span whose ``/ActualText`` is the
    string as typed (PDF 1.5, §14.9.4): viewers and ``pdftotext`` take that text instead of
    the glyphs'. Labels with a halo are drawn as outlines, so they get an invisible copy in such
    a span. Text without Thai is left as it is.
    """
    pdf_draw_text = RendererPdf.draw_text
    effects_draw_text = PathEffectRenderer.draw_text

    def spanned(renderer: Any, gc: Any, x: float, y: float, s: str, prop: Any, angle: float,
                mtext: Any) -> None:
        text = s.encode("utf-16-be").hex().upper()
        renderer.file.write(f"/Span <</ActualText <FEFF{text}>>> BDC\n".encode("ascii"))
        try:
            pdf_draw_text(renderer, gc, x, y, s, prop, angle, False, mtext)
        finally:
            renderer.file.write(b"EMC\n")

    def draw_text(self: Any, gc: Any, x: float, y: float, s: str, prop: Any, angle: float,
                  ismath: Any = False, mtext: Any = None) -> None:
        if ismath or not _THAI.search(s):
            return pdf_draw_text(self, gc, x, y, s, prop, angle, ismath, mtext)
        spanned(self, gc, x, y, s, prop, angle, mtext)
        return None

    def effects_text(self: Any, gc: Any, x: float, y: float, s: str, prop: Any, angle: float,
                     ismath: Any = False, mtext: Any = None) -> None:
        effects_draw_text(self, gc, x, y, s, prop, angle, ismath, mtext)
        real = object.__getattribute__(self, "_renderer")
        while not isinstance(real, RendererPdf) and hasattr(real, "_renderer"):
            real = real._renderer  # the PDF backend draws through a MixedModeRenderer
        if isinstance(real, RendererPdf) and not ismath and _THAI.search(s):
            hidden = real.new_gc()
            hidden.copy_properties(gc)
            hidden.set_alpha(0.0)
            try:
                spanned(real, hidden, x, y, s, prop, angle, mtext)
            finally:
                hidden.restore()

    RendererPdf.draw_text = draw_text  # type: ignore[method-assign]
    PathEffectRenderer.draw_text = effects_text  # type: ignore[method-assign]
    try:
        yield
    finally:
        RendererPdf.draw_text = pdf_draw_text  # type: ignore[method-assign]
        PathEffectRenderer.draw_text = effects_draw_text  # type: ignore[method-assign]
