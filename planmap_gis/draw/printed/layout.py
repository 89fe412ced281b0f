"""The page grid: title block, map frame, panel and footer, computed from paper and orientation.

Every page is laid out on the same grid, in millimetres from the lower-left corner, inside a
printable area :data:`MARGIN_MM` from every edge (printers cut 4–6 mm): a title block at the
top, a footer at the bottom, and between them the map frame and a panel for legend, key
figures, locator and tables — below the map on a portrait page, beside it on a landscape one.
Type scales with the paper (A4 is 0.75 of A3) but never goes below :data:`MIN_PT`. Titles that
do not fit shrink to a stated minimum, then wrap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from planmap_gis._errors import PlanmapError

PAPER_MM = {"A3": (297.0, 420.0), "A4": (210.0, 297.0)}
#: Distance of every printed element from the paper's edge.
MARGIN_MM = 12.0
#: The smallest type on any page (a label that would need less is left out and listed).
MIN_PT = 7.0
GAP_MM = 3.0
PT_MM = 25.4 / 72

Rect = tuple[float, float, float, float]  # x, y, width, height in mm from the lower-left corner


class _Canvas(FigureCanvasAgg):
    """An Agg canvas that measures text for placement but does not redraw the page.

    geopandas asks for a redraw after every ``plot`` call; on a page of a dozen layers
    that drew each page ~9 times (35 of the atlas's 60 s). The page is drawn once, when saved.
    """

    def draw_idle(self, *args: Any, **kwargs: Any) -> None:
        pass


def new_figure(width_in: float, height_in: float) -> Figure:
    fig = Figure(figsize=(width_in, height_in))
    _Canvas(fig)
    return fig


@dataclass(frozen=True)
class Grid:
    """One page's regions in millimetres."""

    paper: str
    landscape: bool
    width: float
    height: float
    title: Rect
    map: Rect
    panel: Rect
    footer: Rect
    scale: float

    def frac(self, rect: Rect) -> list[float]:
        """A region as figure fractions (for ``fig.add_axes``)."""
        x, y, w, h = rect
        return [x / self.width, y / self.height, w / self.width, h / self.height]

    def pt(self, size: float) -> float:
        """A type size for this paper, never below :data:`MIN_PT`."""
        return max(MIN_PT, size * self.scale)

    @property
    def printable(self) -> Rect:
        return (MARGIN_MM, MARGIN_MM, self.width - 2 * MARGIN_MM, self.height - 2 * MARGIN_MM)

    def figure(self) -> Figure:
        return new_figure(self.width / 25.4, self.height / 25.4)


def split(rect: Rect, fractions: list[float], *, horizontal: bool = True, gap: float = GAP_MM) -> list[Rect]:
    """A region cut into parts side by side (``horizontal``) or stacked top first."""
    x, y, w, h = rect
    total = w if horizontal else h
    usable = total - gap * (len(fractions) - 1)
    parts, at = [], x if horizontal else y + h
    for f in fractions:
        size = usable * f / sum(fractions)
        if horizontal:
            parts.append((at, y, size, h))
            at += size + gap
        else:
            at -= size
            parts.append((x, at, w, size))
            at -= gap
    return parts


def grid(paper: str, landscape: bool, *, panel_mm: float | None = None, panel: bool = True) -> Grid:
    """The grid of a page.

    Parameters
    ----------
    paper : {"A3", "A4"}
    landscape : bool
    panel_mm : float, optional
        Height of the panel below the map (portrait) or its width beside it (landscape);
        a default by paper otherwise.
    panel : bool
        False: the map frame takes the whole content area (the panel is empty).
    """
    if paper not in PAPER_MM:
        raise PlanmapError(f"paper must be one of {tuple(PAPER_MM)}, got {paper!r}.")
    w, h = PAPER_MM[paper]
    if landscape:
        w, h = h, w
    scale = 1.0 if paper == "A3" else 0.75
    title_h = (20 + 11) * scale * PT_MM * 1.45 + 2
    footer_h = 3 * MIN_PT * PT_MM * 1.45  # up to three lines of the smallest type
    left, bottom = MARGIN_MM, MARGIN_MM
    width, height = w - 2 * MARGIN_MM, h - 2 * MARGIN_MM
    title = (left, bottom + height - title_h, width, title_h)
    footer = (left, bottom, width, footer_h)
    content = (left, bottom + footer_h + GAP_MM, width, height - title_h - footer_h - 2 * GAP_MM)
    cx, cy, cw, ch = content
    if not panel:
        return Grid(paper, landscape, w, h, title, content, (cx, cy, 0.0, 0.0), footer, scale)
    if landscape:
        size = panel_mm or (100.0 if paper == "A3" else 78.0)
        map_rect = (cx, cy, cw - size - GAP_MM, ch)
        panel_rect = (cx + cw - size, cy, size, ch)
    else:
        size = panel_mm or (72.0 if paper == "A3" else 58.0)
        map_rect = (cx, cy + size + GAP_MM, cw, ch - size - GAP_MM)
        panel_rect = (cx, cy, cw, size)
    return Grid(paper, landscape, w, h, title, map_rect, panel_rect, footer, scale)


def fit_text(fig: Figure, g: Grid, rect: Rect, text: str, *, size: float, min_size: float = MIN_PT,
             top: bool = True, gid: str, **kwargs: Any) -> Any:
    """Text in a region: shrunk down to ``min_size`` if too wide, then wrapped at spaces."""
    x, y, w, h = rect
    renderer = fig.canvas.get_renderer()
    anchor_y = (y + h) / g.height if top else y / g.height
    kwargs = {"va": "top" if top else "bottom", "ha": "left", **kwargs}
    current = max(size, min_size)
    artist = None
    while True:
        if artist is not None:
            artist.remove()
        artist = fig.text(x / g.width, anchor_y, text, fontsize=current, gid=gid, **kwargs)
        width = artist.get_window_extent(renderer).width / fig.dpi * 25.4
        if width <= w or current <= min_size:
            break
        current = max(min_size, current * 0.9)
    if width > w:  # still too wide at the minimum size: wrap
        chars = max(10, int(width_of(text) * w / width * 0.95))
        artist.set_text("\n".join(wrap(text, chars)))
        while artist.get_window_extent(renderer).width / fig.dpi * 25.4 > w and chars > 10:
            chars = max(10, int(chars * 0.93))  # glyphs differ in width: narrower until it fits
            artist.set_text("\n".join(wrap(text, chars)))
    return artist


#: Thai marks that sit above or below the letter before them (no width of their own); a line never
#: starts with one, nor ends on a leading vowel (เ แ โ ใ ไ) cut from its consonant.
_MARKS = frozenset("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e")
_LEADING = frozenset("เแโใไ")
#: Characters a long word may be broken after.
_AFTER = frozenset("/-")


def width_of(text: str) -> int:
    """Characters that take room on a line (Thai marks above and below do not)."""
    return sum(ch not in _MARKS for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` spacing characters, broken at spaces; a word longer than a line
    (Thai runs without spaces) is broken between letters, never before a mark or after a leading
    vowel, so no line starts with a dangling vowel or tone mark — before a leading vowel or after a
    slash when there is one in the line's second half (where a syllable begins)."""
    width = max(2, width)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if width_of(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            while width_of(word) > width:
                cut, soft, seen = 0, 0, 0
                for i, ch in enumerate(word):
                    seen += ch not in _MARKS
                    if seen > width:
                        break
                    if i + 1 < len(word) and word[i + 1] not in _MARKS and ch not in _LEADING:
                        cut = i + 1
                        if word[i + 1] in _LEADING or ch in _AFTER:  # a syllable begins, or after a slash
                            soft = i + 1
                # Broken where a syllable begins when that keeps at least half the line (ความจำ|เป็น,
                # บาท/ครัว|เรือน), not between any two letters (ความจำเป็|น).
                cut = soft if 2 * soft >= cut > 0 else cut or len(word)
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines
