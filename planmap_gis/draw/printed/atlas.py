"""Printed maps: the atlas PDF a planning session pins up, and its pages one by one.

Every page is laid out on one grid (:mod:`planmap_gis.draw.printed.layout`): a title block (metric,
area, fiscal years), the map frame, a panel for the legend with its class breaks and "no
data", key figures and the locator, and a footer with the source, licence, notes ("illustrative
data" for the demo) and the production date in the Buddhist era — everything at least 12 mm
from the paper's edge and no type under 7 pt. The scale bar (km, drawn in UTM 47N so its length
is true) and the north arrow take the two map corners the data fills least. Classes and colours
come from :func:`~planmap_gis.draw.classify.classify` over the whole province, so every page and
the web map of the same metric and level show the same classes. Tambon names are placed
largest first; one that would collide shrinks to 7 pt, then is left out and listed in the key.
Thai text is searchable: ``pdftotext`` returns it as typed (:func:`planmap_gis.draw.printed.fonts.searchable_thai`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from pypdf import PdfReader, PdfWriter
from tqdm.auto import tqdm

from planmap_gis import settings
from planmap_gis._lanes import Step, lane_count, side_by_side
from planmap_gis._output import atomic
from planmap_gis.draw import mapdata as _mapdata
from planmap_gis.draw.classify import METRICS
from planmap_gis.draw.printed import fonts as _fonts
from planmap_gis.draw.printed.layout import PAPER_MM
from planmap_gis.draw.printed.maps import district_page, needs_page, overview_page
from planmap_gis.draw.printed.screening import screening_page_count, screening_pages
from planmap_gis.draw.printed.sheets import sheet_count, sheet_pages
from planmap_gis.draw.printed.support import support_page
from planmap_gis.draw.printed.themes import change_page, need_page
from planmap_gis.plan import Plan

__all__ = ["PAPER_MM", "atlas", "atlas_figures", "atlas_pages", "district_map", "needs_map", "overview_map"]

log = logging.getLogger("planmap_gis")

#: Pages from which the atlas is drawn in lanes (one per core), each lane's run of pages a PDF of its
#: own, joined in order: a page takes about half a second, a fork and the join well under one.
LANES_FROM_PAGES = 12

def district_map(
    plan: Plan,
    amphoe_code: str,
    *,
    metric: str = "budget_per_household",
    paper: str = "A3",
    orientation: str = "auto",
    lang: str | None = None,
    path: str | Path | None = None,
    dpi: int = 150,
) -> Figure:
    """One amphoe page: villages by the metric, tambon names, projects, priority villages numbered.

    Parameters
    ----------
    plan : Plan
    amphoe_code : str
        4-digit DOPA code.
    metric : str
        A village-level metric of :data:`~planmap_gis.draw.classify.METRICS`.
    paper : {"A3", "A4"}
    orientation : {"auto", "portrait", "landscape"}
        ``auto`` follows the amphoe's shape.
    lang : {"th", "en"}
        Language of the legend labels (titles are Thai with English below).
    path : str or Path, optional
        Also save the page (PNG, PDF … by suffix).
    dpi : int
        Resolution of a raster ``path``.
    """
    lang = settings.language(lang)
    _mapdata.check_layer(metric, "village")
    with matplotlib.rc_context(_fonts.rc()), _fonts.searchable_thai():
        fig = district_page(plan, amphoe_code, _mapdata.shown_metric(plan, metric), paper, orientation, lang)
        if path is not None:
            fig.savefig(path, dpi=dpi)
    return fig


def overview_map(plan: Plan, *, metric: str = "budget_per_household", paper: str = "A3",
                 orientation: str = "portrait", lang: str | None = None) -> Figure:
    """The province page: the metric by tambon, amphoe outlines and names, and the amphoe table."""
    lang = settings.language(lang)
    with matplotlib.rc_context(_fonts.rc()):
        return overview_page(plan, _mapdata.shown_metric(plan, metric, "tambon"), paper, lang)


def needs_map(plan: Plan, *, paper: str = "A3", lang: str | None = None) -> Figure:
    """The "unmet needs" page: villages by master-plan alignment, the sectors still unmet.

    Raises
    ------
    PlanmapError
        When the plan has no master plans.
    """
    lang = settings.language(lang)
    with matplotlib.rc_context(_fonts.rc()):
        return needs_page(plan, paper, lang)


def _has_need(plan: Plan) -> bool:
    table = plan.metrics["village"]
    return "need_budget" in table and bool(table["need_budget"].notna().any())


def atlas_figures(plan: Plan, *, metric: str = "budget_per_household", paper: str = "A3",
                  orientation: str = "auto", lang: str | None = None, project_sheets: bool = True,
                  progress: bool = False, screening: Any = None) -> Iterator[Figure]:
    """The atlas's pages in order, one Figure at a time (call inside the Thai font context)."""
    yield from _drawn(_page_groups(plan, metric=metric, paper=paper, orientation=orientation, lang=lang,
                                   project_sheets=project_sheets, screening=screening), progress)


def _drawn(groups: list[tuple[int, Callable[[], Iterator[Figure]]]], progress: bool) -> Iterator[Figure]:
    """The pages of ``groups`` in order, with a progress bar of the groups."""
    for _, draw in tqdm(groups, desc="atlas pages", unit="group", disable=not progress):
        yield from draw()


def _page_groups(plan: Plan, *, metric: str, paper: str, orientation: str, lang: str | None,
                 project_sheets: bool, screening: Any) -> list[tuple[int, Callable[[], Iterator[Figure]]]]:
    """The atlas as groups of pages in order, each with its page count: the province's pages, then
    each amphoe's map and project sheets. A group is drawn only when it is called."""
    lang = settings.language(lang)
    metric = _mapdata.shown_metric(plan, metric)

    def province() -> Iterator[Figure]:
        yield overview_page(plan, metric, paper, lang)
        if plan.alignment:
            yield needs_page(plan, paper, lang)
        if _has_need(plan):
            yield need_page(plan, paper=paper, lang=lang)
        if plan.change is not None:
            yield change_page(plan, paper=paper, lang=lang)
        if plan.support is not None and plan.facilitators is not None:
            yield support_page(plan, paper=paper, lang=lang)
        if screening is not None:
            yield from screening_pages(plan, screening, paper)

    def amphoe(code: str) -> Iterator[Figure]:
        yield district_page(plan, code, metric, paper, orientation, lang)
        if project_sheets:
            yield from sheet_pages(plan, code, paper)

    codes = list(plan.amphoes["amphoe_code"])
    first = atlas_pages(plan, paper=paper, project_sheets=False, screening=screening) - len(codes)
    return [(first, province), *((1 + (sheet_count(plan, code, paper) if project_sheets else 0),
                                  lambda code=code: amphoe(code)) for code in codes)]


def atlas_pages(plan: Plan, *, paper: str = "A3", project_sheets: bool = True, screening: Any = None) -> int:
    """Pages of the atlas: overview, unmet needs (with master plans), need against response (with a
    need on record), change (comparing two years), facilitator support (with a register), then each
    amphoe's map and project sheet."""
    support = plan.support is not None and plan.facilitators is not None
    pages = 1 + bool(plan.alignment) + _has_need(plan) + (plan.change is not None) + support + len(plan.amphoes)
    if screening is not None:
        pages += screening_page_count(screening, paper)
    if project_sheets:
        pages += sum(sheet_count(plan, code, paper) for code in plan.amphoes["amphoe_code"])
    return pages


def atlas(
    plan: Plan,
    path: str | Path,
    *,
    metric: str = "budget_per_household",
    paper: str = "A3",
    orientation: str = "auto",
    lang: str | None = None,
    project_sheets: bool = True,
    progress: bool = True,
    screening: Any = None,
    processes: int | None = None,
) -> Path:
    """Write the atlas as one PDF: the province overview, the unmet-needs page (with master plans),
    need against response, the change between two years (``plan.change``), the villages without a
    skilled facilitator nearby (with a facilitator register), then for each amphoe its map and its
    project sheet.

    Parameters
    ----------
    plan : Plan
    path : str or Path
        The ``.pdf`` file.
    metric : str
        Village-level metric of :data:`~planmap_gis.draw.classify.METRICS`.
    paper : {"A3", "A4"}
    orientation : {"auto", "portrait", "landscape"}
    lang : {"th", "en"}
    project_sheets : bool
        Each amphoe's project sheet after its map (``--no-project-sheets`` leaves them out).
    progress : bool
        Show a tqdm progress bar.
    screening : Screening, optional
        Add the proposals' pages after the province pages (:func:`~planmap_gis.screen`).
    processes : int, optional
        Lanes drawing the pages side by side (forked processes, each a run of pages, joined in
        order with pypdf); None uses ``settings.processes`` (default: one per core), 1 draws them
        one after another. An atlas of fewer than ``LANES_FROM_PAGES`` pages is drawn in one.

    Returns
    -------
    Path
        The PDF, with the Thai font embedded (TrueType) and searchable text.
    """
    lang = settings.language(lang)
    _mapdata.check_layer(metric, "village")
    path = Path(path)
    metadata = {"Title": f"Atlas: {METRICS[metric].en} — {plan.tambons['province_en'].iloc[0]}",
                "Creator": "planmap-gis", "Subject": " / ".join(plan.notes) or "planning atlas"}
    groups = _page_groups(plan, metric=metric, paper=paper, orientation=orientation, lang=lang,
                          project_sheets=project_sheets, screening=screening)
    total = sum(count for count, _ in groups)
    lanes = lane_count(len(groups), processes) if total >= LANES_FROM_PAGES else 1
    with atomic(path) as tmp:
        if lanes == 1:
            pages = _write_pages(tmp, groups, metadata, progress)
        else:  # the pages in contiguous runs, one PDF a lane, joined in order
            runs = _runs(groups, lanes)
            parts = [tmp.with_name(f"{tmp.stem}.{k}{tmp.suffix}") for k in range(len(runs))]
            try:
                pages = sum(side_by_side([
                    Step(f"atlas pages, part {k + 1}", sum(c for c, _ in run), here=k == 0,
                         write=lambda k=k, run=run: _write_pages(parts[k], run, metadata, progress and k == 0))
                    for k, run in enumerate(runs)], lanes, say=False))
                _join(parts, tmp)
            finally:
                for part in parts:
                    part.unlink(missing_ok=True)
    log.info("atlas: %d pages written to %s", pages, path)
    return path


def _write_pages(path: Path, groups: list[tuple[int, Callable[[], Iterator[Figure]]]], metadata: dict[str, str],
                 progress: bool) -> int:
    """The pages of ``groups`` into one PDF; how many."""
    pages = 0
    with matplotlib.rc_context(_fonts.rc()), _fonts.searchable_thai(), PdfPages(path, metadata=metadata) as pdf:
        for fig in _drawn(groups, progress):
            pdf.savefig(fig)
            pages += 1
    return pages


def _runs(groups: list[Any], lanes: int) -> list[list[Any]]:
    """``groups`` cut into ``lanes`` contiguous runs of about equal pages."""
    total = sum(count for count, _ in groups)
    runs: list[list[Any]] = [[] for _ in range(lanes)]
    done = 0
    for group in groups:
        runs[min(lanes - 1, int(done * lanes / total))].append(group)
        done += group[0]
    return [run for run in runs if run]


def _join(parts: list[Path], path: Path) -> None:
    """The part PDFs as one, in order, with the first part's document information (title, creator,
    dates); each part's fonts and searchable text come as they are."""
    writer = PdfWriter()
    for part in parts:
        writer.append(str(part))
    info = PdfReader(str(parts[0])).metadata or {}
    writer.add_metadata({key: str(value) for key, value in info.items()})
    with open(path, "wb") as handle:
        writer.write(handle)
