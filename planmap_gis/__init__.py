"""planmap_gis: integrated development planning maps for Thai provinces.

Data flows one way: load (boundaries, villages) → join → measure → draw.
The public API is listed here explicitly; everything in ``_``-modules is internal.
"""
from planmap_gis import _moved, demo, settings
from planmap_gis._errors import (
    AssetError,
    ChecksumError,
    CRSError,
    FontError,
    GeometryError,
    HierarchyError,
    InputFileError,
    OutputError,
    PlanmapError,
    PlanmapWarning,
    SchemaError,
)
from planmap_gis import _lanes
from planmap_gis._output import VERSION as __version__
from planmap_gis._years import thai_date

# draw: web map, atlas, matrix, tables, workspace
from planmap_gis.draw.assets import fetch_assets
from planmap_gis.draw.classify import METRICS, classify
from planmap_gis.draw.matrix import (
    cross_tabs,
    duplicated_cells,
    gap_table,
    integration_matrix,
    matrix_cells,
)
from planmap_gis.draw.matrix_book import save_matrix
from planmap_gis.draw.outputs import save_outputs
from planmap_gis.draw.printed.atlas import atlas, district_map, needs_map, overview_map
from planmap_gis.draw.screening import save_screening
from planmap_gis.draw.tables import save_tables
from planmap_gis.draw.webmap import save_webmap, webmap
from planmap_gis.draw.workspace import open_workspace, save_workspace

# join: projects onto villages
from planmap_gis.join import allocate, rollup

# measure: every figure an output shows
from planmap_gis.measure.alignment import alignment, needs_met
from planmap_gis.measure.change import Change, compare, trend
from planmap_gis.measure.equity import (
    concentration_index,
    gini,
    lorenz,
    spatial_gini,
    theil,
)
from planmap_gis.measure.hotspots import contiguity, hotspots
from planmap_gis.measure.metrics import (
    coverage,
    duplication,
    facilitator_load,
    gaps,
    priorities,
)
from planmap_gis.measure.need import fair_shares, underserved, village_need
from planmap_gis.measure.strength import strength_index
from planmap_gis.measure.support import match_facilitators

# plan: the result every output takes
from planmap_gis.plan import Plan, analyse, reanalyse
from planmap_gis.plan.screen import Screening, screen

# read: sheets, areas, boundaries, villages, projects, the workshop's files
from planmap_gis.read.boundaries import read_boundaries
from planmap_gis.read.boundary_import import import_boundaries
from planmap_gis.read.facilitators import read_facilitators
from planmap_gis.read.hierarchy import amphoes, check_hierarchy, provinces
from planmap_gis.read.indicators import read_indicators
from planmap_gis.read.masterplan import read_master_plans
from planmap_gis.read.projects import read_projects
from planmap_gis.read.projects_out import write_projects
from planmap_gis.read.sources import fetch_boundaries, find_reference, manifest
from planmap_gis.read.submissions import project_paths, read_project_files, submissions
from planmap_gis.read.template import template, template_stamp
from planmap_gis.read.villages import read_villages, village_areas
from planmap_gis.report import ImportReport

_moved.install()


def __getattr__(name: str) -> object:
    """Old module paths (``pm.printmap``) for one release, with a FutureWarning."""
    return _moved.module_getattr(name)


__all__ = [
    "alignment",
    "needs_met",
    "read_master_plans",
    "cross_tabs",
    "duplicated_cells",
    "gap_table",
    "integration_matrix",
    "matrix_cells",
    "save_matrix",
    "open_workspace",
    "save_outputs",
    "save_tables",
    "save_workspace",
    "atlas",
    "district_map",
    "needs_map",
    "overview_map",
    "thai_date",
    "METRICS",
    "classify",
    "fetch_assets",
    "save_webmap",
    "webmap",
    "Plan",
    "Screening",
    "screen",
    "save_screening",
    "Change",
    "allocate",
    "analyse",
    "compare",
    "fair_shares",
    "reanalyse",
    "spatial_gini",
    "trend",
    "underserved",
    "village_need",
    "concentration_index",
    "contiguity",
    "coverage",
    "duplication",
    "facilitator_load",
    "gaps",
    "gini",
    "hotspots",
    "lorenz",
    "priorities",
    "rollup",
    "theil",
    "AssetError",
    "CRSError",
    "FontError",
    "OutputError",
    "ChecksumError",
    "GeometryError",
    "HierarchyError",
    "ImportReport",
    "InputFileError",
    "PlanmapError",
    "PlanmapWarning",
    "SchemaError",
    "__version__",
    "amphoes",
    "check_hierarchy",
    "demo",
    "fetch_boundaries",
    "import_boundaries",
    "find_reference",
    "manifest",
    "provinces",
    "read_boundaries",
    "read_indicators",
    "read_projects",
    "read_project_files",
    "read_facilitators",
    "match_facilitators",
    "project_paths",
    "submissions",
    "template",
    "template_stamp",
    "read_villages",
    "settings",
    "strength_index",
    "village_areas",
    "write_projects",
]

# Freed arrays of a national run go back to the system (see return_large_blocks): once, at import.
_lanes.return_large_blocks()
