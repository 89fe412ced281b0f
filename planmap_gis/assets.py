"""Leaflet and its marker-cluster plugin, kept locally so web maps work without internet.

A planning room often has no internet: a web map saved with ``offline=True``
carries Leaflet inside the HTML. The files come from the npm packages
``leaflet`` and ``leaflet.markercluster``; :func:`fetch_assets` obtains them
once with the ordinary ``npm pack`` client (or copies them from a folder) into
the cache and checks each file's sha256. Nothing third-party is committed to
this repository.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from planmap_gis import settings
from planmap_gis._errors import InputFileError, PlanmapError

__all__ = ["ASSETS", "asset_dir", "fetch_assets", "read_asset"]

log = logging.getLogger("planmap_gis")

#: npm package spec → {file inside the package: sha256}
ASSETS: dict[str, dict[str, str]] = {
    "leaflet@1.9.4": {
        "dist/leaflet.js": "db49d009c841f5ca34a888c96511ae936fd9f5533e90d8b2c4d57596f4e5641a",
        "dist/leaflet.css": "a7837102824184820dfa198d1ebcd109ff6d0ff9a2672a074b9a1b4d147d04c6",
        "dist/images/layers.png": "1dbbe9d028e292f36fcba8f8b3a28d5e8932754fc2215b9ac69e4cdecf5107c6",
        "dist/images/layers-2x.png": "066daca850d8ffbef007af00b06eac0015728dee279c51f3cb6c716df7c42edf",
    },
    "leaflet.markercluster@1.5.3": {
        "dist/leaflet.markercluster.js": "1e4e1d22972a3926f48598e0caf14e3fe7049835d428a344fed4f9e3665b3508",
        "dist/MarkerCluster.css": "614dea0a98ff3f4ead74f04918f6b1d1b9ba435c25b5fc23b21a394d1e3e4d87",
        "dist/MarkerCluster.Default.css": "61258232d98d64dc2a7b1e02130d67421bc5b9bda5994eef70228ff97570c170",
    },
}


class AssetError(PlanmapError):
    """The offline web-map assets are missing or not the published files."""


def asset_dir() -> Path:
    """Where the assets are kept: ``settings.cache_dir() / "assets"``."""
    return settings.cache_dir() / "assets"


def _target(spec: str, member: str) -> Path:
    return asset_dir() / spec.replace("@", "-") / member


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def missing_assets() -> list[str]:
    """Package files not yet in the cache (or with the wrong checksum)."""
    return [f"{spec}/{member}" for spec, files in ASSETS.items() for member, digest in files.items()
            if not _target(spec, member).is_file() or _sha256(_target(spec, member)) != digest]


def read_asset(spec: str, member: str) -> bytes:
    """Bytes of one verified asset file.

    Raises
    ------
    AssetError
        When it is not in the cache: run ``planmap assets fetch``.
    """
    path = _target(spec, member)
    if not path.is_file() or _sha256(path) != ASSETS[spec][member]:
        raise AssetError(
            f"offline web map: {spec} {member} is not in {asset_dir()}. Run `planmap assets fetch` "
            "once while online (it uses npm), or `planmap assets fetch --from FOLDER` with the "
            "unpacked npm packages; or save the map with offline=False."
        )
    return path.read_bytes()


def fetch_assets(*, source_dir: str | Path | None = None) -> list[Path]:
    """Obtain the npm packages' files into the cache, verifying sha256.

    Parameters
    ----------
    source_dir : str or Path, optional
        A folder holding the packages unpacked as ``leaflet/`` and
        ``leaflet.markercluster/`` (or their ``.tgz`` files). Without it,
        ``npm pack`` downloads them.

    Returns
    -------
    list of Path
        The verified files.
    """
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec, files in ASSETS.items():
            if all(_target(spec, m).is_file() and _sha256(_target(spec, m)) == d for m, d in files.items()):
                written += [_target(spec, m) for m in files]
                continue
            root = _package_root(spec, Path(tmp), source_dir)
            for member, digest in files.items():
                src = root / member
                if not src.is_file() or _sha256(src) != digest:
                    raise AssetError(f"{spec}: {member} is missing or differs from the expected "
                                     f"version (sha256 {digest[:12]}…).")
                dst = _target(spec, member)
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dst)
                written.append(dst)
            log.info("%s: %d files verified into %s", spec, len(files), asset_dir())
    return written


def _package_root(spec: str, tmp: Path, source_dir: str | Path | None) -> Path:
    name = spec.split("@")[0]
    if source_dir is not None:
        folder = Path(source_dir)
        for candidate in (folder / name, folder / name / "package", folder):
            if (candidate / next(iter(ASSETS[spec]))).is_file():
                return candidate
        tarballs = sorted(folder.glob(f"{name}-*.tgz"))
        if not tarballs:
            raise InputFileError(f"{folder}: no {name}/ folder or {name}-*.tgz file.")
        return _unpack(tarballs[-1], tmp)
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError("npm is not installed: install Node.js (e.g. apt-get install npm), or copy "
                         "the packages and use `planmap assets fetch --from FOLDER`.")
    result = subprocess.run([npm, "pack", spec, "--silent", "--pack-destination", str(tmp)],
                            capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise AssetError(f"npm pack {spec} failed: {result.stderr.strip()[:400]}")
    return _unpack(tmp / result.stdout.strip().splitlines()[-1], tmp)


def _unpack(tarball: Path, tmp: Path) -> Path:
    out = tmp / tarball.stem
    with tarfile.open(tarball) as archive:
        archive.extractall(out, filter="data")
    return out / "package"
