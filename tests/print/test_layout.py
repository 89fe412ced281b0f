"""Every page's layout, measured from the drawn artists: inside the printable area, nothing on
top of anything else, no type under 7 pt — at A3 and A4, on two provinces of different shape."""

from __future__ import annotations

import itertools

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Annotation, Text

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis.draw.printed import fonts as _fonts
from planmap_gis.demo.proposals import demo_caps, demo_proposals
from planmap_gis.draw.printed.atlas import atlas_figures
from planmap_gis.draw.printed.elements import _whole_columns, _wrapped
from planmap_gis.draw.printed.layout import MARGIN_MM, MIN_PT, wrap

#: Elements that must not touch each other; labels, scale bar and north arrow live inside a map.
TOP = ("title", "legend", "inset", "summary", "table", "footer")
INSIDE = ("scalebar", "north", "priority")


def _plan(province: str):
    data = demo.load(province=province)
    areas = pm.village_areas(data.villages, data.tambons)
    return pm.analyse(data.tambons, data.projects, villages=areas, indicators=data.indicators,
                      master_plans=data.master_plans, permutations=0, notes=(data.note_th,),
                      compare_years=(2568, 2569), facilitators=data.facilitators)


@pytest.fixture(scope="module", params=["80", "90"], ids=["Nakhon Si Thammarat", "Songkhla"])
def plan(request):
    return _plan(request.param)


def _boxes(fig):
    """Boxes (display units) of every named element of a drawn page, by name."""
    renderer = fig.canvas.get_renderer()
    found: dict[str, list] = {}

    def add(gid, box):
        if gid and box.width > 0 and box.height > 0:
            found.setdefault(gid, []).append(box)

    for text in fig.texts:
        if text.get_text().strip():
            add(text.get_gid(), text.get_window_extent(renderer))
    for legend in fig.legends:
        add(legend.get_gid() or "legend", legend.get_window_extent(renderer))
    for ax in fig.axes:
        gid = ax.get_gid() or ""
        if gid.startswith("map") or gid in ("inset", "legend"):
            add("map" if gid.startswith("map") else gid, ax.get_window_extent(renderer))
        for table in ax.tables:
            add("table", table.get_window_extent(renderer))
        for artist in [*ax.texts, *ax.patches]:
            if artist.get_gid() in (*INSIDE, "label") and artist.get_visible():
                if isinstance(artist, Text) and not artist.get_text().strip():
                    continue
                if isinstance(artist, Annotation):  # a label's words; its leader line may cross things
                    artist.update_positions(renderer)
                    add(artist.get_gid(), Text.get_window_extent(artist, renderer))
                    continue
                add(artist.get_gid(), artist.get_window_extent(renderer))
    return found


def _union(boxes):
    from matplotlib.transforms import Bbox

    return Bbox.union(boxes)


def _check_page(fig, page: int, stats: dict) -> None:
    fig.canvas.draw()
    dpi = fig.dpi
    width, height = fig.get_size_inches() * dpi
    edge = MARGIN_MM / 25.4 * dpi - 0.5
    found = _boxes(fig)
    assert "title" in found and "footer" in found, f"page {page}: no title or footer"
    for gid, boxes in found.items():
        for box in boxes:
            stats["elements"] += 1
            stats["margin"] = min(stats["margin"], min(box.x0, box.y0, width - box.x1, height - box.y1) / dpi * 25.4)
            assert box.x0 >= edge and box.y0 >= edge and box.x1 <= width - edge and box.y1 <= height - edge, \
                f"page {page}: {gid} leaves the printable area ({box})"
    groups = {gid: _union(b) for gid, b in found.items() if gid in (*TOP, "map")}
    for a, b in itertools.combinations(groups, 2):
        if {a, b} == {"map", "map"}:
            continue
        for box_a in found[a] if a != "map" else [groups[a]]:
            for box_b in found[b] if b != "map" else [groups[b]]:
                if a == "map" or b == "map":  # the maps are checked one by one below
                    continue
                assert not box_a.overlaps(box_b.shrunk(0.999, 0.999)), f"page {page}: {a} overlaps {b}"
    maps = [ax.get_window_extent() for ax in fig.axes if (ax.get_gid() or "").startswith("map")]
    for m in maps:
        for gid in TOP:
            for box in found.get(gid, []):
                assert not m.overlaps(box.shrunk(0.98, 0.98)), f"page {page}: {gid} over the map frame"
    for gid in (*INSIDE, "label"):
        for box in found.get(gid, []):
            assert any(m.x0 - 1 <= box.x0 and box.x1 <= m.x1 + 1 and m.y0 - 1 <= box.y0 and box.y1 <= m.y1 + 1
                       for m in maps), f"page {page}: {gid} outside its map"
    for inner, other in (("scalebar", "north"), ("label", "scalebar"), ("label", "north"), ("label", "priority")):
        for box_a in found.get(inner, []):
            for box_b in found.get(other, []):
                assert not box_a.overlaps(box_b), f"page {page}: {inner} overlaps {other}"
    for text in fig.findobj(Text):
        if text.get_visible() and text.get_text().strip():
            stats["smallest"] = min(stats["smallest"], text.get_fontsize())
            assert text.get_fontsize() >= MIN_PT - 1e-9, f"page {page}: {text.get_text()[:30]!r} under 7 pt"
    # Issue 28: nothing cut — no key, legend or table cell ends in "…" (ids whole, keys continued).
    for said in _page_texts(fig):
        assert "…" not in said, f"page {page}: cut text {said[-60:]!r}"
    # ... and every table cell's wrapped text stays inside its row (a tall Thai cell once spilled out)
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        for table in ax.tables:
            for cell in table.get_celld().values():
                inner, outer = cell.get_text().get_window_extent(renderer), cell.get_window_extent(renderer)
                assert inner.height <= outer.height + 0.5, \
                    f"page {page}: {cell.get_text().get_text()[:40]!r} taller than its cell"


def _page_texts(fig) -> list[str]:
    """Every text of a page: figure and axes texts, legend entries and table cells."""
    texts = [t.get_text() for t in fig.findobj(Text)]
    texts += [cell.get_text().get_text() for ax in fig.axes for table in ax.tables
              for cell in table.get_celld().values()]
    return [t for t in texts if t.strip()]


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_the_tambon_of_every_priority_village_and_every_amphoe_are_named(plan, paper):
    """Issue 28: a tambon holding a numbered priority village is never left unnamed (a leader line
    before an omission); the overview names every amphoe."""
    from planmap_gis.draw.printed.atlas import district_map, overview_map
    from planmap_gis.draw.printed.maps import priority_villages

    names = plan.tambons.set_index("tambon_code")["tambon_th"]
    with matplotlib.rc_context(_fonts.rc()):
        fig = overview_map(plan, paper=paper)
        labels = {t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == "label"}
        assert {f"อ.{n}" for n in plan.amphoes.amphoe_th} <= labels
        plt.close(fig)
        for code in plan.amphoes.amphoe_code:
            marks = priority_villages(plan, code)
            fig = district_map(plan, code, paper=paper)
            labels = {t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == "label"}
            wanted = {f"ต.{names[str(v)[:6]]}" for v in marks.index}
            assert wanted <= labels, (code, wanted - labels)
            plt.close(fig)


@pytest.mark.slow
@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_every_page_keeps_its_layout(plan, paper):
    stats = {"elements": 0, "margin": 1e9, "smallest": 1e9, "pages": 0, "landscape": 0}
    with matplotlib.rc_context(_fonts.rc()):
        # the screening pages too: 60 illustrative proposals against the plan, under caps
        proposals = demo_proposals(plan.tambons, plan.villages, plan.projects)
        screening = pm.screen(plan, proposals, budget=demo_caps(proposals))
        for page, fig in enumerate(atlas_figures(plan, paper=paper, screening=screening), start=1):
            _check_page(fig, page, stats)
            stats["pages"] += 1
            stats["landscape"] += fig.get_figwidth() > fig.get_figheight()
    print(f"\n{plan.tambons.province_en.iloc[0]} {paper}: {stats['pages']} pages "
          f"({stats['landscape']} landscape), {stats['elements']} elements checked, smallest type "
          f"{stats['smallest']:.1f} pt, smallest margin {stats['margin']:.1f} mm")
    assert stats["pages"] > len(plan.amphoes) * 2 and stats["smallest"] >= MIN_PT


def test_a_narrow_table_breaks_no_header_word_between_letters():
    """An A4 page's amphoe table: ความเข้มแข็ง came out as ความเข้มแข็ / ง. Each column is widened to
    its header's longest word, the room taken from the column with the most to spare beyond its own
    longest word (an amphoe's name is one word: it is not broken in its turn)."""
    header = ["อำเภอ", "โครงการ", "หน่วยงาน", "ล้านบาท", "บาท/ครัวเรือน", "ความเข้มแข็ง", "ซ้ำซ้อน"]
    rows = [["8001 เมืองนครศรีธรรมราช", "4", "3", "10.6", "–", "–", "1"],
            ["8002 พรหมคีรี", "1", "1", "0.3", "–", "–", "0"]]
    narrow = [0.40, 0.1, 0.1, 0.1, 0.13, 0.08, 0.09]  # 160 mm at 7.5 pt
    before = _wrapped(rows, header, narrow, 160.0, 7.5)[0][0]
    assert "\n" in before[5] and " " not in header[5]  # as it was: broken between letters
    widths = _whole_columns(rows, header, narrow, (), 160.0, 7.5)
    cells, lines = _wrapped(rows, header, widths, 160.0, 7.5)
    assert cells[0] == header and lines[0] == 1
    assert sum(widths) == pytest.approx(1.0) and min(widths) > 0
    for row, cells_of_row in zip(rows, cells[1:], strict=True):  # breaks only where a space was
        assert [c.replace("\n", " ") for c in cells_of_row] == row


def test_a_thai_word_longer_than_its_column_breaks_where_a_syllable_begins():
    """The need page's headers came out as ความจำเป็ / น and บาท/ครัวเรื / อน."""
    assert wrap("ความจำเป็น", 8) == ["ความจำ", "เป็น"]
    assert wrap("บาท/ครัวเรือน", 10) == ["บาท/ครัว", "เรือน"]
    assert wrap("ความเข้มแข็ง", 9) == ["ความเข้ม", "แข็ง"]
    # Where no syllable begins in the line's second half, between letters as before.
    assert wrap("กกกกกกกกกกกก", 5) == ["กกกกก", "กกกกก", "กก"]
