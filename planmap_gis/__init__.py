"""planmap_gis: integrated development planning maps for Thai provinces.

Data flows one way: load (boundaries, villages) → join → measure → draw.
The public API is listed here explicitly; everything in ``_``-modules is internal.
"""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("planmap-gis")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

from planmap_gis import demo, settings
from planmap_gis._errors import (
    CRSError,
    GeometryError,
    HierarchyError,
    InputFileError,
    PlanmapError,
    PlanmapWarning,
    SchemaError,
)
from planmap_gis._template import template, template_stamp
from planmap_gis.assets import fetch_assets
from planmap_gis.boundaries import amphoes, check_hierarchy, provinces, read_boundaries
from planmap_gis.change import Change, compare, trend
from planmap_gis.classify import METRICS, classify
from planmap_gis.equity import concentration_index, gini, lorenz, spatial_gini, theil
from planmap_gis.facilitators import match_facilitators, read_facilitators
from planmap_gis.hotspots import contiguity, hotspots
from planmap_gis.indicators import read_indicators, strength_index
from planmap_gis.join import allocate, rollup
from planmap_gis.masterplan import alignment, needs_met, read_master_plans
from planmap_gis.matrix import (
    cross_tabs,
    duplicated_cells,
    gap_table,
    integration_matrix,
    save_matrix,
)
from planmap_gis.metrics import (
    coverage,
    duplication,
    facilitator_load,
    gaps,
    priorities,
)
from planmap_gis.need import fair_shares, underserved, village_need
from planmap_gis.plan import Plan, analyse, reanalyse
from planmap_gis.printmap import atlas, district_map, needs_map, overview_map, thai_date
from planmap_gis.projects import read_projects, write_projects
from planmap_gis.report import ImportReport
from planmap_gis.sources import (
    ChecksumError,
    fetch_boundaries,
    find_reference,
    manifest,
)
from planmap_gis.submissions import project_paths, read_project_files, submissions
from planmap_gis.tables import save_tables
from planmap_gis.villages import read_villages, village_areas
from planmap_gis.webmap import save_webmap, webmap
from planmap_gis.workspace import open_workspace, save_workspace

__all__ = [
    "alignment",
    "needs_met",
    "read_master_plans",
    "cross_tabs",
    "duplicated_cells",
    "gap_table",
    "integration_matrix",
    "save_matrix",
    "open_workspace",
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
    "CRSError",
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
