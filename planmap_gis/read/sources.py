"""Where the reference boundary layers come from, and how they are fetched and found.

The national tambon layer ships with the package as GeoParquet
(``_data/tha_tambon_adm3.parquet``, made by ``boundaries/package_layer.py``; see
``boundaries/README.md``): the official outlines at print quality for 68 provinces
(``shapely.coverage_simplify`` at :data:`PRINT_TOLERANCE`), the simplified ones for
the nine others, each tambon marked by ``boundary_fidelity``. So every province is
known straight after ``pip install``.

:func:`import_boundaries` takes the official national file (HDX COD-AB shapefile, zipped
or not) and caches it simplified the same way: :func:`national_layer` then prefers it to
the packaged copy. :func:`fetch_boundaries` copies the reference files of the tests and
benchmarks from a local mirror folder, or downloads them from a mirror URL, verifying each
file's sha256 against the manifest, into the cache (``settings.cache_dir()``);
:func:`find_reference` looks for them in ``$PLANMAP_BOUNDARIES`` first, then in the cache.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pooch

from planmap_gis import settings
from planmap_gis._errors import ChecksumError, InputFileError
from planmap_gis._output import sha256

__all__ = ["IMPORTED", "PRINT_TOLERANCE", "fetch_boundaries", "find_reference", "manifest", "national_layer",
           "packaged_layer", "province_fidelity", "sha256"]

log = logging.getLogger("planmap_gis")

MIRROR_ENV = "PLANMAP_BOUNDARY_MIRROR"
#: Degrees: the tolerance of the one topology-preserving simplification (``shapely.coverage_simplify``)
#: of the packaged and imported layers. 0.0003° (about 33 m) leaves Nakhon Si Thammarat at most 74 m
#: from the detailed outline, under 1 mm on an A3 amphoe map at 1:100,000.
PRINT_TOLERANCE = 0.0003
#: The file :func:`import_boundaries` writes in the cache; :func:`national_layer` prefers it.
IMPORTED = "imported_tambon_adm3.parquet"


@cache
def manifest() -> dict[str, Any]:
    """The manifest of known boundary files: source, licence, and per file name, sha256, size."""
    text = files("planmap_gis").joinpath("_data/boundary_manifest.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _entry(name: str) -> dict[str, Any]:
    for entry in manifest()["files"]:
        if entry["name"] == name:
            return dict(entry)
    known = ", ".join(e["name"] for e in manifest()["files"])
    raise InputFileError(f"{name}: not a known boundary file; known files: {known}.")


def find_reference(name: str = "nst_tambon_adm3.geojson") -> Path | None:
    """Path of a reference boundary file, or None when it is not available.

    Looks in ``$PLANMAP_BOUNDARIES`` (a folder holding the file, or the file
    itself), then in the cache filled by :func:`fetch_boundaries`.
    """
    env = os.environ.get(settings.boundaries_env)
    candidates = []
    if env:
        folder = Path(env).expanduser()
        candidates.append(folder if folder.is_file() and folder.name == name else folder / name)
    candidates.append(settings.cache_dir() / "boundaries" / name)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def packaged_layer() -> Path:
    """The national tambon layer shipped with the package (GeoParquet, EPSG:4326).

    Raises
    ------
    InputFileError
        When the package was installed without its data file.
    """
    entry = manifest()["packaged"]
    path = Path(str(files("planmap_gis").joinpath("_data", entry["name"])))
    if not path.is_file():
        raise InputFileError(
            f"{path}: the packaged national tambon layer is missing from this installation. "
            "Reinstall planmap-gis (pip install --force-reinstall planmap-gis), or give a "
            "boundary file with --boundaries FILE.",
            th=f"{path}: ไม่พบชั้นขอบเขตตำบลทั้งประเทศที่มากับโปรแกรม ให้ติดตั้ง planmap-gis ใหม่ "
               "หรือระบุไฟล์ขอบเขตด้วย --boundaries FILE",
        )
    return path


def national_layer() -> tuple[Path, str]:
    """The national tambon layer to use and a phrase saying which it is.

    The official file imported with :func:`import_boundaries` (in the cache) wins over the copy
    packaged with planmap-gis; the simplified reference files never do (they are coarser).
    """
    imported = settings.cache_dir() / "boundaries" / IMPORTED
    if imported.is_file():
        return imported, f"national tambon layer imported from the official file ({imported})"
    entry = manifest()["packaged"]
    return packaged_layer(), (f"national tambon layer packaged with planmap-gis "
                              f"({manifest()['attribution']}, {entry['features']:,} tambon)")


def fetch_boundaries(
    *,
    source_dir: str | Path | None = None,
    mirror_url: str | None = None,
    dest: str | Path | None = None,
    names: list[str] | None = None,
) -> list[Path]:
    """Copy or download the reference boundary files into the cache, verifying sha256.

    Parameters
    ----------
    source_dir : str or Path, optional
        A local folder holding the files (e.g. ``../shared/boundaries``, a USB
        stick, a network share).
    mirror_url : str, optional
        Base URL of a mirror serving the files by name; defaults to
        ``$PLANMAP_BOUNDARY_MIRROR``. Downloads go through ``pooch``.
    dest : str or Path, optional
        Target folder; ``settings.cache_dir() / "boundaries"`` by default.
    names : list of str, optional
        Which files; all in the manifest by default.

    Returns
    -------
    list of Path
        The verified files.

    Raises
    ------
    InputFileError
        No source given and no mirror configured, or a file missing at the source.
    ChecksumError
        A file's sha256 differs from the manifest (it is not kept).
    """
    mirror_url = mirror_url or os.environ.get(MIRROR_ENV)
    if source_dir is None and not mirror_url:
        raise InputFileError(
            "no source for the boundary files. The official layers are published by OCHA HDX "
            f"({manifest()['landing_page']}); download them there, then run "
            "`planmap boundaries fetch --from FOLDER`, or give a mirror with --url URL "
            f"(or ${MIRROR_ENV})."
        )
    target = Path(dest) if dest else settings.cache_dir() / "boundaries"
    target.mkdir(parents=True, exist_ok=True)
    wanted = names or [e["name"] for e in manifest()["files"] if not e.get("packaging_only")]
    out = []
    for name in wanted:
        entry = _entry(name)
        path = target / name
        if path.is_file() and sha256(path) == entry["sha256"]:
            log.info("%s: already in %s, checksum verified", name, target)
        elif source_dir is not None:
            _copy_verified(Path(source_dir) / name, path, entry)
        else:
            _download_verified(f"{mirror_url.rstrip('/')}/{name}", path, entry)
        out.append(path)
    return out


def _copy_verified(src: Path, dst: Path, entry: dict[str, Any]) -> None:
    if not src.is_file():
        raise InputFileError(f"{src}: not found. The folder must hold {entry['name']}.")
    digest = sha256(src)
    if digest != entry["sha256"]:
        raise ChecksumError(
            f"{src}: sha256 {digest} differs from the manifest's {entry['sha256']}: not the "
            "published file (edited, truncated or another version). Fetch it again from the source."
        )
    tmp = dst.with_suffix(dst.suffix + ".part")
    shutil.copyfile(src, tmp)
    tmp.replace(dst)
    log.info("%s: copied from %s, checksum verified", entry["name"], src.parent)


def _download_verified(url: str, dst: Path, entry: dict[str, Any]) -> None:

    try:
        pooch.retrieve(url, known_hash=f"sha256:{entry['sha256']}", fname=dst.name,
                       path=dst.parent, progressbar=False)
    except ValueError as exc:  # pooch reports a hash mismatch as ValueError
        raise ChecksumError(f"{url}: {exc}") from exc
    except Exception as exc:
        raise InputFileError(f"{url}: download failed ({exc}). Check the address and network, "
                             "or copy the files and use --from FOLDER.") from exc
    log.info("%s: downloaded from %s, checksum verified", entry["name"], url)


def province_fidelity(code: str) -> dict[str, Any]:
    """Which geometry the packaged layer holds for province ``code`` ("80" or "TH80"): ``geometry``
    ("detailed" or "simplified") and the largest and median distance (m) from the detailed outline."""
    provinces = manifest()["packaged"].get("provinces", {})
    key = code if str(code).startswith("TH") else f"TH{code}"
    return provinces.get(key, {"geometry": "unknown", "max_error_m": None, "median_error_m": None})
