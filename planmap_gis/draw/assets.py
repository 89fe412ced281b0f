"""Leaflet and its marker-cluster plugin, installed with the package so web maps work offline.

A planning room often has no internet: a web map saved with ``offline=True`` (the
default of every command) carries Leaflet inside the HTML. The files come from
PyPI's XStatic packaging of the published releases, installed as dependencies of
planmap-gis: ``XStatic-Leaflet`` (Leaflet 1.9.3, BSD-2-Clause, © Vladimir
Agafonkin and CloudMade) and ``XStatic-Leaflet-MarkerCluster`` (1.4.1, MIT, © Dave
Leaver). Each file is checked against its sha256 before it is put on a page, and
the page carries the licence notices. No npm, no download at run time.
"""

from __future__ import annotations

import hashlib
import importlib
from functools import cache
from importlib.resources import files
from pathlib import Path

from planmap_gis._errors import AssetError

__all__ = ["ASSETS", "AssetError", "asset_dir", "check_assets", "fetch_assets", "licence_notice",
           "missing_assets", "read_asset"]

#: package → (XStatic module, version, {file: sha256})
ASSETS: dict[str, tuple[str, str, dict[str, str]]] = {
    "leaflet": ("xstatic.pkg.leaflet", "1.9.3", {
        "leaflet.js": "5819285cec137b229c94e1ee5ad73e8b6b84345a4367d60f75fe477fe0fb7b03",
        "leaflet.css": "90b693d86392a4779c861b28cf307e7e59c3fb35328c4d8b95f58f814d38c722",
        "images/layers.png": "1dbbe9d028e292f36fcba8f8b3a28d5e8932754fc2215b9ac69e4cdecf5107c6",
        "images/layers-2x.png": "066daca850d8ffbef007af00b06eac0015728dee279c51f3cb6c716df7c42edf",
        "images/marker-icon.png": "574c3a5cca85f4114085b6841596d62f00d7c892c7b03f28cbfa301deb1dc437",
    }),
    "leaflet.markercluster": ("xstatic.pkg.leaflet_markercluster", "1.4.1", {
        "leaflet.markercluster.js": "58be871df61f6c512464e15db0941e63b9491bf1396a2ae3bea6f39e0854cd1c",
        "MarkerCluster.css": "614dea0a98ff3f4ead74f04918f6b1d1b9ba435c25b5fc23b21a394d1e3e4d87",
        "MarkerCluster.Default.css": "61258232d98d64dc2a7b1e02130d67421bc5b9bda5994eef70228ff97570c170",
    }),
}
_PYPI = {"leaflet": "XStatic-Leaflet", "leaflet.markercluster": "XStatic-Leaflet-MarkerCluster"}


def asset_dir(package: str = "leaflet") -> Path | None:
    """The folder holding a package's files, or None when it is not installed."""
    try:
        module = importlib.import_module(ASSETS[package][0])
    except ImportError:
        return None
    return Path(module.BASE_DIR)


def _problem(package: str, member: str) -> str | None:
    folder = asset_dir(package)
    if folder is None:
        return f"{_PYPI[package]} is not installed"
    path = folder / member
    if not path.is_file():
        return f"{path} is missing"
    if hashlib.sha256(path.read_bytes()).hexdigest() != ASSETS[package][2][member]:
        return f"{path} is not {package} {ASSETS[package][1]} as published (sha256 differs)"
    return None


def missing_assets() -> list[str]:
    """What is wrong with the installed assets; empty when every file is there and verified."""
    return [p for package, (_, _, members) in ASSETS.items() for member in members
            if (p := _problem(package, member))]


def check_assets() -> list[Path]:
    """The verified asset files.

    Raises
    ------
    AssetError
        Naming each missing or altered file and the fix.
    """
    problems = missing_assets()
    if problems:
        names = " ".join(f"{_PYPI[p]}=={ASSETS[p][1]}.*" for p in ASSETS)
        raise AssetError(
            f"offline web map: {'; '.join(problems)}. A page without Leaflet would be blank, so "
            f"nothing was written. Fix: pip install --force-reinstall \"{names}\" (or reinstall "
            "planmap-gis), or write the map with --online (offline=False) to load Leaflet from "
            "the internet.",
            th="แผนที่ออฟไลน์: ไม่พบไฟล์ Leaflet หรือไฟล์ถูกแก้ไข จึงไม่ได้เขียนแผนที่ (หน้าเว็บจะว่างเปล่า) "
               "แก้ไข: ติดตั้ง planmap-gis ใหม่ หรือสั่งด้วย --online เพื่อโหลด Leaflet จากอินเทอร์เน็ต",
        )
    return [folder / m for p, (_, _, members) in ASSETS.items()
            if (folder := asset_dir(p)) is not None for m in members]


@cache
def _verified(package: str, member: str) -> bytes:
    check_assets()
    folder = asset_dir(package)
    assert folder is not None  # check_assets raised otherwise
    return (folder / member).read_bytes()


def read_asset(package: str, member: str) -> bytes:
    """Bytes of one verified asset file, e.g. ``read_asset("leaflet", "leaflet.js")``.

    Raises
    ------
    AssetError
        When an asset is missing or altered (see :func:`check_assets`).
    """
    return _verified(package, member)


def licence_notice() -> str:
    """The licence notices of the inlined libraries, as carried in every offline page."""
    return files("planmap_gis").joinpath("_static", "LICENSES-leaflet.txt").read_text("utf-8")


def fetch_assets(*, source_dir: str | Path | None = None) -> list[Path]:
    """Verify the offline web-map assets (kept for old scripts: they now install with the package).

    ``source_dir`` is ignored: Leaflet comes from the installed XStatic packages.
    """
    del source_dir
    return check_assets()
