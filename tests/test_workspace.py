"""The GeoPackage workspace: everything in, the same Plan out, the same contents every time."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

import planmap_gis as pm
from planmap_gis import demo


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


def test_not_a_workspace(tmp_path, fictional):
    fictional.to_file(tmp_path / "other.gpkg", engine="pyogrio")
    with pytest.raises(pm.InputFileError, match="not a planmap workspace; missing layers"):
        pm.open_workspace(tmp_path / "other.gpkg")
