"""Package-wide defaults, in one place.

Functions read these when they are called, so changing a value here (or the
CLI's options, which set them) changes every later call::

    import planmap_gis as pm
    pm.settings.analysis_crs = "EPSG:32648"   # eastern provinces, UTM 48N

Attributes
----------
data_crs : str
    CRS every layer is returned in: WGS 84 longitude/latitude (``EPSG:4326``).
analysis_crs : str
    Projected CRS in which areas (m², km²) and distances (m) are computed:
    WGS 84 / UTM zone 47N (``EPSG:32647``). Thailand spans UTM 47N and 48N;
    47N is the national convention (Royal Thai Survey Department, DOPA). In the
    far east (Ubon Ratchathani, 105.5°E) its scale error reaches about 0.6 %,
    which cancels in shares; set ``EPSG:32648`` for work confined to the east.
boundaries_env : str
    Name of the environment variable that may point at a folder (or file) of
    reference boundary layers, e.g. ``../shared/boundaries``.
cache_env : str
    Environment variable that overrides the cache folder.
seed : int
    Seed of every random draw: the demo data, permutations, bootstraps (functions take ``seed=``;
    None means this one).
lang : {"th", "en"}
    Language of every output's words where one language is chosen (web map, atlas, titles);
    Thai first by default, English beside it where both fit.
thai_font : str or None
    Font file or family for printed maps; None picks Noto Sans Thai (the
    ``fontpkg-noto-sans-thai`` dependency), then a TLWG system font.
threads : int or None
    Threads for the geometry work of joins (shapely releases the GIL); None
    uses every core. Set 1 where the caller parallelises already (e.g. Dask).
processes : int or None
    Processes that write a run's outputs side by side (workspace, web map, atlas, matrix,
    tables; forked copies of this process, Linux only); None uses every core, 1 writes them one
    after another in this process.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

data_crs: str = "EPSG:4326"
analysis_crs: str = "EPSG:32647"
boundaries_env: str = "PLANMAP_BOUNDARIES"
cache_env: str = "PLANMAP_CACHE"
seed: int = 2569
lang: str = "th"
thai_font: str | None = None
threads: int | None = None
processes: int | None = None


def cache_dir() -> Path:
    """Folder where fetched boundary layers are kept.

    ``$PLANMAP_CACHE`` when set, else the platform's user cache folder
    (``~/.cache/planmap`` on Linux).
    """
    override = os.environ.get(cache_env)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_cache_dir("planmap", appauthor=False))


def cores() -> int:
    """Cores this process may run on (its CPU affinity where the system says it), at least 1: what
    "every core" means for :data:`threads` and :data:`processes`."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def language(lang: str | None) -> str:
    """The language an output uses: ``lang`` when given, else :data:`lang`."""
    return lang or globals()["lang"]
