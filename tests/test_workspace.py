"""The GeoPackage workspace: everything in, the same Plan out, the same contents every time."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis.draw import store as store_module


@pytest.fixture(scope="module")
def plan(fictional, tmp_path_factory):
    villages = demo.demo_villages(fictional)
    areas = pm.village_areas(villages, fictional)
    projects = demo.demo_projects(fictional, villages, n=60)
    sheet = pm.write_projects(projects, tmp_path_factory.mktemp("sheet") / "p.xlsx")
    _, report = pm.read_projects(sheet, boundaries=fictional)
    return pm.analyse(fictional, projects, villages=areas, indicators=demo.demo_indicators(villages),
                      permutations=99, reports={"projects": report}, notes=("illustrative",))


def test_round_trip_gives_the_same_plan(plan, tmp_path):
    path = pm.save_workspace(plan, tmp_path / "ws.gpkg")
    back = pm.open_workspace(path)

    for level in ("village", "tambon", "amphoe"):
        pd.testing.assert_frame_equal(back.metrics[level], plan.metrics[level], check_dtype=False)
        pd.testing.assert_frame_equal(back.duplication[level].reset_index(drop=True),
                                      plan.duplication[level].reset_index(drop=True), check_dtype=False)
    pd.testing.assert_frame_equal(back.allocation, plan.allocation, check_dtype=False)
    pd.testing.assert_frame_equal(back.equity, plan.equity, check_dtype=False)
    pd.testing.assert_frame_equal(back.priorities, plan.priorities, check_dtype=False)
    assert back.hotspots.hotspot.equals(plan.hotspots.hotspot)
    assert back.projects.area_codes.tolist() == plan.projects.area_codes.tolist()
    assert back.villages.index.equals(plan.villages.index)
    assert back.villages.geom_equals_exact(plan.villages.geometry, tolerance=1e-12).all()
    assert back.notes == ("illustrative",) and back.method == plan.method
    assert back.reports["projects"].rows_in == plan.reports["projects"].rows_in
    assert back.summary() == plan.summary()


def test_layers_open_in_geopandas_like_in_qgis(plan, tmp_path):
    path = pm.save_workspace(plan, tmp_path / "ws.gpkg")
    villages = gpd.read_file(path, layer="villages")
    assert villages.crs.to_epsg() == 4326 and len(villages) == len(plan.villages)
    assert {"lon", "lat", "strength_index", "budget_per_household"} <= set(villages.columns)
    allocation = gpd.read_file(path, layer="allocation")
    assert len(allocation) == len(plan.allocation)


def test_same_inputs_same_contents(plan, tmp_path):
    first = pm.save_workspace(plan, tmp_path / "a.gpkg")
    second = pm.save_workspace(plan, tmp_path / "b.gpkg")
    for name, _ in pyogrio.list_layers(first):
        a = pyogrio.read_dataframe(first, layer=name)
        b = pyogrio.read_dataframe(second, layer=name)
        pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))


def test_a_table_written_in_slices_of_rows_is_the_table_written_whole(plan, tmp_path, monkeypatch):
    whole = pm.save_workspace(plan, tmp_path / "whole.gpkg")
    monkeypatch.setattr(store_module, "WRITE_ROWS", 7)  # every table of more than 7 rows appended in slices
    sliced = pm.save_workspace(plan, tmp_path / "sliced.gpkg")
    assert len(plan.allocation) > 7 * 3
    assert pyogrio.list_layers(sliced).tolist() == pyogrio.list_layers(whole).tolist()
    for name, _ in pyogrio.list_layers(whole):
        pd.testing.assert_frame_equal(pyogrio.read_dataframe(sliced, layer=name),
                                      pyogrio.read_dataframe(whole, layer=name), check_exact=True)


def test_not_a_workspace(tmp_path, fictional):
    fictional.to_file(tmp_path / "other.gpkg", engine="pyogrio")
    with pytest.raises(pm.InputFileError, match="not a planmap workspace; missing layers"):
        pm.open_workspace(tmp_path / "other.gpkg")


def _sha(path):
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_inputs_same_bytes(plan, tmp_path):
    first = pm.save_workspace(plan, tmp_path / "a.gpkg")
    second = pm.save_workspace(plan, tmp_path / "b.gpkg")
    assert _sha(first) == _sha(second)
    version = sqlite3.connect(first).execute("PRAGMA user_version").fetchone()[0]
    assert version == 10200  # GeoPackage 1.2


def test_projects_one_layer_per_geometry_kind_and_a_table_of_all(plan, tmp_path):
    path = pm.save_workspace(plan, tmp_path / "ws.gpkg")
    layers = dict(pyogrio.list_layers(path))
    table = pyogrio.read_dataframe(path, layer="projects")
    assert layers["projects"] is None and len(table) == len(plan.projects)  # every project, footprint or not
    kinds = {"project_points": "MultiPoint", "project_lines": "MultiLineString", "project_areas": "MultiPolygon"}
    with_footprint = 0
    for name, kind in kinds.items():
        if name in layers:
            assert layers[name] in (kind, kind.removeprefix("Multi"))  # one type per layer
            with_footprint += len(pyogrio.read_dataframe(path, layer=name))
    assert with_footprint == plan.projects.geometry.notna().sum() > 0
    back = pm.open_workspace(path).projects
    same = back.geometry.isna() == plan.projects.geometry.isna()
    assert same.all()
    located = plan.projects.geometry.notna()
    assert back.geometry[located].geom_equals_exact(plan.projects.geometry[located], 0).all()
    assert (back.geometry[located].geom_type == plan.projects.geometry[located].geom_type).all()


def test_a_failed_write_leaves_the_previous_workspace(plan, tmp_path, monkeypatch):
    path = pm.save_workspace(plan, tmp_path / "ws.gpkg")
    before = _sha(path)
    from planmap_gis.draw import store as _store

    calls = {"n": 0}
    real = _store.GeoPackageStore.write

    def dies_midway(self, frame, layer):
        calls["n"] += 1
        if calls["n"] == 6:
            raise KeyboardInterrupt  # as a user's Ctrl-C would
        real(self, frame, layer)

    monkeypatch.setattr(_store.GeoPackageStore, "write", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        pm.save_workspace(plan, path)
    assert _sha(path) == before and pm.open_workspace(path).summary() == plan.summary()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws.gpkg"]


@pytest.mark.skipif(not shutil.which("ogrinfo") and not os.environ.get("CI"),
                    reason="Debian's gdal-bin not installed (make test installs it)")
def test_debian_gdal_opens_the_workspace_without_a_warning(plan, tmp_path):
    path = pm.save_workspace(plan, tmp_path / "ws.gpkg")
    done = subprocess.run(["ogrinfo", "-al", "-so", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "warning" not in (done.stdout + done.stderr).lower()
    assert "Layer name: project_points" in done.stdout and "Layer name: projects" in done.stdout


def _has_pyqgis() -> bool:
    python = shutil.which("python3", path="/usr/bin")
    return bool(python) and subprocess.run([python, "-c", "import qgis.core"], capture_output=True,
                                           check=False).returncode == 0


@pytest.mark.skipif(not _has_pyqgis() and not os.environ.get("CI"),
                    reason="Debian's python3-qgis not installed (make test installs it)")
def test_qgis_lists_every_layer_whole(plan, tmp_path):
    path = pm.save_workspace(plan, tmp_path / "ws.gpkg")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    done = subprocess.run(["/usr/bin/python3", str(Path(__file__).with_name("qgis_layers.py")), str(path)],
                          capture_output=True, text=True, env=env, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    for name, _ in pyogrio.list_layers(path):
        valid, count, sublayers = seen[name]
        assert valid and sublayers == 1, name  # one geometry type: QGIS does not split the layer
        assert count == pyogrio.read_info(path, layer=name)["features"], name
    assert seen["projects"][1] == len(plan.projects)
