"""Map furniture placed on the grid: title block, footer, legend, scale bar, north arrow, locator,
labels and tables. Each drawn element carries a ``gid`` naming it, which the layout test uses to
find its box."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.patches import Patch, Rectangle

from planmap_gis._years import thai_date
from planmap_gis.draw.classify import format_number
from planmap_gis.draw.printed.layout import MIN_PT, PT_MM, Grid, Rect, fit_text, width_of, wrap
from planmap_gis.read.sources import manifest

CONTEXT_FILL, CONTEXT_EDGE = "#e4e4e4", "#ffffff"


def header(fig: Figure, g: Grid, title: str, subtitle: str) -> None:
    """Title and subtitle in the title block; each shrinks, then wraps, to stay inside it."""
    x, y, w, h = g.title
    first = fit_text(fig, g, g.title, title, size=g.pt(20), min_size=g.pt(14), gid="title")
    used = first.get_window_extent(fig.canvas.get_renderer()).height / fig.dpi * 25.4
    below = (x, y, w, max(h - used - 1.0, 1.0))
    fit_text(fig, g, below, subtitle, size=g.pt(11), min_size=MIN_PT, gid="title", color="#333")


def footer(fig: Figure, g: Grid, text: str, extra: str = "") -> None:
    """The source, licence, notes and date line(s) inside the printable area; ``extra`` (a rule,
    a sheet name) is added when it still fits in the footer's three lines."""
    renderer = fig.canvas.get_renderer()
    for candidate in ([f"{text}   ·   {extra}", text] if extra else [text]):
        drawn = fit_text(fig, g, g.footer, candidate, size=MIN_PT + 0.5, min_size=MIN_PT, top=False,
                         gid="footer", color="#444", linespacing=1.3)
        if drawn.get_window_extent(renderer).height / fig.dpi * 25.4 <= g.footer[3] + 0.2:
            return
        drawn.remove()
    fit_text(fig, g, g.footer, text, size=MIN_PT, min_size=MIN_PT, top=False, gid="footer", color="#444",
             linespacing=1.3)


def legend(fig: Figure, g: Grid, rect: Rect, handles: list[Any], title: str, *, gid: str = "legend") -> Any:
    """A legend in its region: the largest type (down to the minimum), in one column or more,
    title and labels wrapped to the region's width; entries that still do not fit are cut and
    the cut is said ("…")."""

    renderer = fig.canvas.get_renderer()
    x, y, w, h = rect
    labels = [hd.get_label() for hd in handles]

    def attempt(size: float, ncol: int, count: int) -> tuple[Any, bool]:
        chars = max(10, int((w - 4) / ncol / (size * PT_MM * 0.62)) - 4)  # spacing characters (layout.wrap)
        for hd, label in zip(handles, labels, strict=True):
            hd.set_label("\n".join(wrap(label, chars)))
        shown = handles[:count] if count == len(handles) else [*handles[:count], Patch(
            facecolor="none", edgecolor="none", label=f"… (อีก {len(handles) - count} รายการ)")]
        drawn = fig.legend(handles=shown, title="\n".join(wrap(title, max(10, int((w - 4) / ((size + 0.5) * PT_MM * 0.62))))),
                           loc="upper left", fontsize=size, title_fontsize=size + 0.5, frameon=True,
                           framealpha=0.95, ncol=ncol, borderpad=0.6, handlelength=1.6,
                           bbox_to_anchor=((x + 0.5) / g.width, (y + h - 0.5) / g.height))
        drawn.set_gid(gid)
        drawn.get_frame().set_edgecolor("#888")
        box = drawn.get_window_extent(renderer)
        return drawn, box.width / fig.dpi * 25.4 <= w - 1 and box.height / fig.dpi * 25.4 <= h - 1

    for ncol in (1, 2):
        size = g.pt(9)
        while True:
            drawn, fits = attempt(size, ncol, len(handles))
            if fits:
                return drawn
            drawn.remove()
            if size <= MIN_PT:
                break
            size = max(MIN_PT, size - 0.5)
    for count in range(len(handles) - 1, 0, -1):
        drawn, fits = attempt(MIN_PT, 1, count)
        if fits:
            return drawn
        drawn.remove()
    return attempt(MIN_PT, 1, 1)[0]


def map_axes(fig: Figure, g: Grid, rect: Rect, bounds: np.ndarray, *, pad: float = 0.04,
             gid: str = "map") -> Any:
    """Axes filling ``rect`` with the data ``bounds`` (metres) centred at equal scale."""
    ax = fig.add_axes(g.frac(rect))
    ax.set_gid(gid)
    x0, y0, x1, y1 = bounds
    dx, dy = (x1 - x0) * (1 + 2 * pad), (y1 - y0) * (1 + 2 * pad)
    frame_w, frame_h = rect[2], rect[3]
    metres_per_mm = max(dx / frame_w, dy / frame_h)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ax.set_xlim(cx - frame_w * metres_per_mm / 2, cx + frame_w * metres_per_mm / 2)
    ax.set_ylim(cy - frame_h * metres_per_mm / 2, cy + frame_h * metres_per_mm / 2)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#555")
    return ax


_CORNERS = ("lower left", "lower right", "upper left", "upper right")


def corner_box(ax: Any, corner: str, w_frac: float, h_frac: float) -> Any:
    """A corner of the axes as a shapely box in data coordinates."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    w, h = (x1 - x0) * w_frac, (y1 - y0) * h_frac
    left = x0 if "left" in corner else x1 - w
    low = y0 if "lower" in corner else y1 - h
    return shapely.box(left, low, left + w, low + h)


def emptiest_corners(ax: Any, filled: Any, w_frac: float = 0.3, h_frac: float = 0.14) -> list[str]:
    """The axes' corners from the least to the most covered by ``filled`` (a geometry)."""
    return sorted(_CORNERS, key=lambda c: corner_box(ax, c, w_frac, h_frac).intersection(filled).area)


def scale_bar(ax: Any, g: Grid, corner: str) -> None:
    """A km scale bar in a corner of the map frame (axes in metres, UTM 47N: lengths are true)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    span = x1 - x0
    target = span / 5 / 1000
    nice = next((n for n in (0.5, 1, 2, 5, 10, 20, 25, 50, 100) if n >= target * 0.6), 100)
    length = nice * 1000
    margin_x, margin_y = span * 0.03, (y1 - y0) * 0.03
    left = x0 + margin_x + span * 0.02 if "left" in corner else x1 - margin_x - length - span * 0.02
    height = (y1 - y0) * 0.008
    base = y0 + margin_y if "lower" in corner else y1 - margin_y - height * 5
    size = g.pt(8)
    for i in range(4):
        ax.add_patch(Rectangle((left + i * length / 4, base), length / 4, height, gid="scalebar",
                               facecolor="black" if i % 2 == 0 else "white", edgecolor="black",
                               lw=0.6, zorder=20))
    halo = [patheffects.withStroke(linewidth=2, foreground="white")]
    ax.text(left, base + height * 1.8, "0", ha="center", va="bottom", fontsize=size, zorder=20,
            gid="scalebar", path_effects=halo)
    ax.text(left + length, base + height * 1.8, f"{format_number(nice, 1 if nice < 1 else 0)} กม. (km)",
            ha="center", va="bottom", fontsize=size, zorder=20, gid="scalebar", path_effects=halo)


def north_arrow(ax: Any, g: Grid, corner: str) -> None:
    x = 0.05 if "left" in corner else 0.95
    top = 0.96 if "upper" in corner else 0.2
    ax.annotate("", xy=(x, top - 0.05), xytext=(x, top - 0.12), xycoords="axes fraction",
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.6, "mutation_scale": 18},
                zorder=20, gid="north")
    ax.text(x, top - 0.045, "เหนือ N", transform=ax.transAxes, ha="center", va="bottom", fontsize=g.pt(9),
            zorder=20, gid="north")


def furniture(ax: Any, g: Grid, filled: Any) -> list[Any]:
    """Scale bar and north arrow in the two emptiest corners; their boxes (display units)."""
    corners = emptiest_corners(ax, filled)
    scale_corner, north_corner = corners[0], corners[1]
    scale_bar(ax, g, scale_corner)
    north_arrow(ax, g, north_corner)
    renderer = ax.figure.canvas.get_renderer()
    return [a.get_window_extent(renderer).expanded(1.1, 1.2) for a in ax.texts if a.get_gid() in
            ("scalebar", "north")] + [p.get_window_extent(renderer) for p in ax.patches
                                      if p.get_gid() == "scalebar"]


def place_labels(ax: Any, items: list[tuple[float, float, str]], *, size: float, blocked: list[Any] = (),
                 color: str = "#111", must: Collection[str] = ()) -> tuple[list[str], list[str]]:
    """Labels without overlaps, in the order given (put the ones that matter first): each shrinks
    (not below 7 pt) and is left out if it still collides — except the texts in ``must``, which
    then move off their place to the nearest free spot on rings around it, joined to it by a
    leader line.

    Returns the texts placed and the texts left out (to be listed in the page's key).
    """
    ax.apply_aspect()  # where the labels land depends on the equal-aspect box, set at draw time
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    placed_boxes: list[Any] = list(blocked)
    placed, dropped = [], []

    def attempt(x: float, y: float, text: str, fontsize: float, offset: tuple[float, float] = (0, 0)) -> Any:
        label = ax.annotate(text, (x, y), xytext=offset, textcoords="offset points", ha="center", va="center",
                            fontsize=fontsize, color=color, zorder=15, annotation_clip=True, gid="label",
                            arrowprops=None if offset == (0, 0) else {"arrowstyle": "-", "color": "#333",
                                                                      "lw": 0.6, "shrinkA": 0, "shrinkB": 2})
        label.set_path_effects([patheffects.withStroke(linewidth=2.2, foreground="white")])
        label.update_positions(renderer)
        box = Text.get_window_extent(label, renderer).expanded(1.05, 1.1)  # the words, not the leader
        inside = (box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1)
        if inside and not any(box.overlaps(other) for other in placed_boxes):
            placed_boxes.append(box)
            placed.append(text)
            return label
        label.remove()
        return None

    for x, y, text in items:
        fontsize = size
        if attempt(x, y, text, fontsize) is not None:
            continue
        if text in must and _with_leader(attempt, x, y, text, fontsize, rings=(14, 22, 32)):
            continue  # full size a little aside, before a smaller type
        while attempt(x, y, text, fontsize) is None:
            if fontsize <= MIN_PT:
                if text not in must or not _with_leader(attempt, x, y, text, fontsize):
                    dropped.append(text)
                break
            fontsize = max(MIN_PT, fontsize * 0.85)
    return placed, dropped


def _with_leader(attempt: Any, x: float, y: float, text: str, fontsize: float,
                 rings: tuple[float, ...] = (14, 22, 32, 44, 60, 80)) -> bool:
    """A label moved to the first free spot on rings of growing radius (points) around its place."""
    for radius in rings:
        for angle in range(0, 360, 30):
            offset = (radius * 1.6 * np.cos(np.radians(angle)), radius * np.sin(np.radians(angle)))
            if attempt(x, y, text, fontsize, offset) is not None:
                return True
    return False


def locator(fig: Figure, g: Grid, rect: Rect, province: gpd.GeoDataFrame, highlight: str | None) -> None:
    """The province in a small frame of its own, the page's amphoe in red."""
    inset = fig.add_axes(g.frac(rect))
    inset.set_gid("inset")
    province.plot(ax=inset, facecolor="#f2f2f2", edgecolor="#888", lw=0.3)
    if highlight is not None:
        province[province["amphoe_code"] == highlight].plot(ax=inset, facecolor="#d73027",
                                                           edgecolor="#7f0000", lw=0.6)
    inset.set_axis_off()
    inset.set_aspect("equal")
    inset.add_patch(Rectangle((0, 0), 1, 1, transform=inset.transAxes, fill=False, lw=0.8,
                              edgecolor="#555", clip_on=False))


def table(fig: Figure, g: Grid, rect: Rect, rows: list[list[str]], header: list[str], widths: list[float],
          *, left: tuple[int, ...] = (0,), shade_last: bool = False, title: str | None = None,
          whole: tuple[int, ...] = ()) -> Any:
    """A table filling its region from the top, row height from the type size; returns the axes.

    Nothing is cut: a cell's text wraps within its column (a row grows by its longest cell), the
    type shrinks (not below the minimum) when the rows need more room than the region has, and the
    columns in ``whole`` (ids) are widened to their longest text, taken from the widest column. The
    caller gives no more rows than fit (:func:`table_lines`, :func:`rows_that_fit`).
    """
    x, y, w, h = rect
    size = g.pt(8.5)
    if title:
        drawn_title = fit_text(fig, g, rect, title, size=g.pt(10.5), gid="table")
        h -= drawn_title.get_window_extent(fig.canvas.get_renderer()).height / fig.dpi * 25.4 + 1.5
    widths = _whole_columns(rows, header, widths, whole, w, size)
    while True:
        cells, lines = _wrapped(rows, header, widths, w, size)
        row_mm = size * PT_MM * 1.75
        if sum(lines) * row_mm <= h + 0.01 or size <= MIN_PT:
            break
        size = max(MIN_PT, size - 0.5)
    height = min(h, row_mm * sum(lines))
    ax = fig.add_axes(g.frac((x, y + h - height, w, height)))
    ax.set_gid("table")
    ax.set_axis_off()
    body = cells[1:] or [[""] * len(header)]
    drawn = ax.table(cellText=body, colLabels=cells[0], loc="upper center",
                     cellLoc="right", colLoc="center", colWidths=widths, bbox=[0, 0, 1, 1])
    drawn.auto_set_font_size(False)
    drawn.set_fontsize(size)
    for (r, c), cell in drawn.get_celld().items():
        cell.set_height(lines[r] if r < len(lines) else 1)  # the bbox scales all rows alike
        cell.set_edgecolor("#bbb")
        cell.get_text().set_gid("table")
        # 1.1: Noto Sans Thai's own line height is 1.5 em, so 1.1 × it (4.98 mm a line at 8.5 pt) fits the
        # 1.75 em a row gives each line; 1.25 ran 8 % over and a six-line cell spilled out of its row
        cell.get_text().set_linespacing(1.1)
        if r == 0:
            cell.set_facecolor("#e8eef4")
        if c in left:
            cell.set_text_props(ha="left")
        if shade_last and r == len(rows):
            cell.set_facecolor("#f4f4f4")
    return ax


def _chars(width_mm: float, size: float) -> int:
    """Spacing characters of a line in a column (Noto Sans Thai letters average about 0.62 em; the
    marks above and below take no room: :func:`~planmap_gis.draw.printed.layout.width_of`)."""
    return max(3, int(width_mm / (size * PT_MM * 0.62)) - 1)


def _whole_columns(rows: list[list[str]], header: list[str], widths: list[float], whole: tuple[int, ...],
                   w: float, size: float) -> list[float]:
    """Widths with each ``whole`` column as wide as its longest text, and each column as wide as the
    longest word of its header (a Thai word such as ความเข้มแข็ง broken between letters, its last
    letter alone on a line, on an A4 page's narrow column), the room taken from the widest other."""
    widths = list(widths)

    def need(chars: int) -> float:
        return (chars + 2) * size * PT_MM * 0.62 / w

    for c in whole:
        longest = max([width_of(str(r[c])) for r in rows] + [1])
        if need(longest) > widths[c]:
            donor = max((i for i in range(len(widths)) if i not in whole), key=lambda i: widths[i])
            extra = min(need(longest) - widths[c], widths[donor] * 0.5)
            widths[c] += extra
            widths[donor] -= extra
    words = [max([width_of(word) for word in str(h).split()] + [1]) for h in header]
    # A donor keeps room for its own longest word, header or cell (an amphoe's name is one word).
    keep = [max([words[i]] + [width_of(word) for r in rows for word in str(r[i]).split()]) for i in range(len(widths))]
    lines = sum(_wrapped(rows, header, widths, w, size)[1])
    for c in range(len(widths)):
        donors = [i for i in range(len(widths)) if i != c and i not in whole]
        if need(words[c]) > widths[c] and donors:
            donor = max(donors, key=lambda i: widths[i] - need(keep[i]))
            extra = min(need(words[c]) - widths[c], max(0.0, widths[donor] - need(keep[donor])), widths[donor] * 0.5)
            trial = list(widths)
            trial[c] += extra
            trial[donor] -= extra
            taken = sum(_wrapped(rows, header, trial, w, size)[1])
            if taken <= lines:  # never a line more: the pages broke the table for this many
                widths, lines = trial, taken
    return widths


def _wrapped(rows: list[list[str]], header: list[str], widths: list[float], w: float,
             size: float) -> tuple[list[list[str]], list[int]]:
    """Header and rows with each cell wrapped to its column, and the lines each row takes."""
    fits = [_chars(w * f, size) for f in widths]

    cells = [["\n".join(wrap(str(v), n)) for v, n in zip(row, fits, strict=True)] for row in [header, *rows]]
    return cells, [max(c.count("\n") + 1 for c in row) for row in cells]


def table_lines(g: Grid, width_mm: float, rows: list[list[str]], header: list[str], widths: list[float],
                whole: tuple[int, ...] = ()) -> list[int]:
    """The lines each row of a table would take at the table's type size, header first: for pages
    that break a long table between rows."""
    size = g.pt(8.5)
    widths = _whole_columns(rows, header, widths, whole, width_mm, size)
    return _wrapped(rows, header, widths, width_mm, size)[1]


def rows_that_fit(g: Grid, height_mm: float, *, title: bool = False) -> int:
    """How many table rows (under a header) fit in a region of this height."""
    row_mm = g.pt(8.5) * PT_MM * 1.75
    usable = height_mm - (g.pt(10.5) * PT_MM * 1.6 + 1 if title else 0)
    return max(1, int(usable // row_mm) - 1)



def block_lines(lines: list[str], width_mm: float, size: float) -> list[str]:
    """``lines`` wrapped as :func:`text_block` wraps them at ``size`` pt in ``width_mm`` mm: the
    one rule a page's layout uses to know the room a block will take."""
    chars = max(20, int(width_mm / (size * PT_MM * 0.6)))  # spacing characters average ~0.6 em
    return [part for line in lines for part in wrap(line, chars)]


def text_block(fig: Figure, g: Grid, rect: Rect, lines: list[str], *, size: float, gid: str,
               more: str = "…") -> Any:
    """Lines of text in a region: the largest type down to the minimum that fits, long lines
    wrapped to the region's width; at the minimum, the lines that still do not fit are cut and
    the cut is said by ``more`` (say where the rest stands, e.g. "continued on the project sheet")."""

    x, y, w, h = rect
    renderer = fig.canvas.get_renderer()
    current = size
    while True:
        wrapped = block_lines(lines, w, current)
        while True:
            artist = fig.text(x / g.width, (y + h) / g.height, "\n".join(wrapped), fontsize=current, va="top",
                              ha="left", linespacing=1.45, gid=gid)
            box = artist.get_window_extent(renderer)
            fits = box.height / fig.dpi * 25.4 <= h and box.width / fig.dpi * 25.4 <= w
            if fits or current > MIN_PT or len(wrapped) <= 1:
                break
            artist.remove()
            wrapped = [*wrapped[:-2], more]
        if fits or current <= MIN_PT:
            return artist
        artist.remove()
        current = max(MIN_PT, current - 0.5)


def footer_text(notes: tuple[str, ...], extra: str = "") -> str:
    """Source and licence of the boundaries, the plan's notes, the production date."""

    info = manifest()
    parts = [f"ขอบเขตการปกครอง: {info['attribution_th']} ({info['licence']})",
             f"Boundaries: {info['attribution']}", " · ".join(notes), f"จัดทำเมื่อ {thai_date()}",
             "planmap-gis", extra]
    return "   ·   ".join(p for p in parts if p)
