"""Shared fixtures: the fictional province (always) and the real layers (when available).

The real layers are read from ``$PLANMAP_BOUNDARIES`` (``.ci/run`` and
``make test`` point it at ``../shared/boundaries``). They are never copied into
the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pytest

from planmap_gis import demo

ROOT = Path(__file__).resolve().parents[1]


def _reference_dir() -> Path | None:
    env = os.environ.get("PLANMAP_BOUNDARIES")
    folder = Path(env) if env else ROOT.parent / "shared" / "boundaries"
    return folder if (folder / "nst_tambon_adm3.geojson").is_file() else None


REFERENCE = _reference_dir()
needs_reference = pytest.mark.skipif(
    REFERENCE is None, reason="reference boundary layers not found; set PLANMAP_BOUNDARIES"
)


@pytest.fixture(scope="session")
def nst_path() -> Path:
    if REFERENCE is None:
        pytest.skip("reference boundary layers not found; set PLANMAP_BOUNDARIES")
    return REFERENCE / "nst_tambon_adm3.geojson"


@pytest.fixture(scope="session")
def detailed_path() -> Path:
    """The official outlines of 68 provinces at print quality (the packaged layer's source)."""
    if REFERENCE is None:
        pytest.skip("reference boundary layers not found; set PLANMAP_BOUNDARIES")
    return REFERENCE / "tha_tambon_adm3_detailed.parquet"


@pytest.fixture(scope="session")
def tha_path() -> Path:
    if REFERENCE is None:
        pytest.skip("reference boundary layers not found; set PLANMAP_BOUNDARIES")
    return REFERENCE / "tha_tambon_adm3.geojson"


@pytest.fixture(scope="session")
def nst_tambons(nst_path: Path) -> gpd.GeoDataFrame:
    from planmap_gis import read_boundaries

    return read_boundaries(nst_path)[0]


@pytest.fixture(scope="session")
def fictional() -> gpd.GeoDataFrame:
    """The built-in fictional province (24 tambon, code 99)."""
    return demo.synthetic_province()


@pytest.fixture()
def no_reference(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A machine without the real layers: no env variable, an empty cache."""
    monkeypatch.delenv("PLANMAP_BOUNDARIES", raising=False)
    monkeypatch.setenv("PLANMAP_CACHE", str(tmp_path / "empty-cache"))
