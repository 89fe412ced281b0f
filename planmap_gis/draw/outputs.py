"""Every output of one plan, written side by side: what ``planmap run`` writes, for the Python API.

The writers only read the finished plan, so they run in parallel lanes
(:mod:`planmap_gis._lanes`: forked processes on Linux, one per core by default,
``settings.processes`` to change it); each file is still written atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from planmap_gis._lanes import Step, side_by_side
from planmap_gis.draw.matrix_book import save_matrix
from planmap_gis.draw.printed.atlas import atlas as write_atlas
from planmap_gis.draw.printed.atlas import atlas_pages
from planmap_gis.draw.store import store
from planmap_gis.draw.tables import save_tables
from planmap_gis.draw.webmap import save_webmap
from planmap_gis.draw.workspace import save_workspace
from planmap_gis.plan import Plan

__all__ = ["output_steps", "save_outputs"]


def output_steps(plan: Plan, folder: str | Path, *, atlas: bool = True, paper: str = "A3",
                 metric: str = "budget_per_household", project_sheets: bool = True, offline: bool = True,
                 database: str | None = None, schema: str = "planmap", progress: bool = False,
                 screening: Any = None, processes: int | None = None) -> list[Step]:
    """The writers of :func:`save_outputs`, each a :class:`~planmap_gis._lanes.Step` (label, cost, writer)."""
    out = Path(folder)
    steps: list[Step] = []
    # Costs are relative (seconds at 100,000 projects / 6: workspace 11.3, web map 9.8, matrix 16.5,
    # tables 15.7; an A3 page about half a second): they only share the writers out over the lanes,
    # longest first. In two lanes: web map then matrix, workspace then tables (27.0 s, where workspace
    # then matrix, web map then tables, as the costs of 2026-11 shared them, took 27.8).
    if database:
        steps.append(Step(f"Workspace (PostGIS, schema {schema})", 1.9,
                          lambda: store(save_workspace(plan, database, schema=schema), schema=schema).name,
                          here=True))  # the database connection stays in this process
    else:
        steps.append(Step("Workspace (GeoPackage, opens in QGIS)", 1.9,
                          lambda: save_workspace(plan, out / "workspace.gpkg")))
    steps.append(Step("Web map (HTML, " + ("works offline)" if offline else "loads Leaflet from the internet)"),
                      1.6, lambda: save_webmap(plan, out / "webmap.html", offline=offline)))
    if atlas:
        pages = atlas_pages(plan, paper=paper, project_sheets=project_sheets, screening=screening)
        # Here: the atlas draws its pages in lanes of its own, and its progress bar is the one shown.
        steps.append(Step(f"Atlas (PDF, {paper}, {pages} pages)", 0.5 * pages,
                          lambda: write_atlas(plan, out / "atlas.pdf", metric=metric, paper=paper,
                                              project_sheets=project_sheets, progress=progress,
                                              screening=screening, processes=processes), here=True))
    steps.append(Step("Integration matrix (XLSX, เมทริกซ์บูรณาการ)", 2.75, lambda: save_matrix(plan, out / "matrix.xlsx")))
    steps.append(Step("Tables (CSV and XLSX)", 2.6, lambda: save_tables(plan, out / "tables")))
    return steps


def save_outputs(plan: Plan, folder: str | Path, *, atlas: bool = True, paper: str = "A3",
                 metric: str = "budget_per_household", project_sheets: bool = True, offline: bool = True,
                 database: str | None = None, schema: str = "planmap", progress: bool = False,
                 screening: Any = None, processes: int | None = None) -> dict[str, Any]:
    """Write the workspace, web map, atlas, matrix and tables of ``plan`` into ``folder``.

    Parameters
    ----------
    plan : Plan
        From :func:`~planmap_gis.analyse`.
    folder : str or Path
        Output folder: ``workspace.gpkg``, ``webmap.html``, ``atlas.pdf``, ``matrix.xlsx`` and
        ``tables/`` are written into it, each file atomically.
    atlas : bool
        Write the PDF atlas (the slowest output of a province: about half a second an A3 page).
    paper, metric, project_sheets, screening
        The atlas's paper (``"A3"`` or ``"A4"``), map metric, project sheets and screening pages.
    offline : bool
        The web map carries Leaflet (works without the internet).
    database, schema : str, optional
        Write the workspace to this PostGIS URL and schema instead of ``workspace.gpkg``.
    progress : bool
        Show the atlas's progress bar.
    processes : int, optional
        Writers side by side; None uses ``settings.processes`` (default: one per core), 1 writes
        them one after another in this process.

    Returns
    -------
    dict
        Each output's label (as ``planmap run`` prints it) and what was written: a path, the list of
        table files, or the workspace's name.
    """
    steps = output_steps(plan, folder, atlas=atlas, paper=paper, metric=metric, project_sheets=project_sheets,
                         offline=offline, database=database, schema=schema, progress=progress,
                         screening=screening, processes=processes)
    return dict(zip([s.label for s in steps], side_by_side(steps, processes, wait=True), strict=True))
