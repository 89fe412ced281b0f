"""The Dask path on a local cluster of two worker processes: the same allocation and totals."""

from __future__ import annotations

import dask
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis.join.pairs import as_allocation
from planmap_gis.scaleout import allocate_dask, to_dask, unit_totals, unit_totals_dask

distributed = pytest.importorskip("distributed")
dask_geopandas = pytest.importorskip("dask_geopandas")


@pytest.fixture(scope="module")
def client():
    # The scheduler's HTTP server binds :8787 even with no dashboard; any free port, so a Dask
    # or Jupyter session already on 8787 does not fail the tests.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def nst(nst_path):
    data = demo.load(boundaries=nst_path)
    return data, pm.village_areas(data.villages, data.tambons)


def ordered(allocation: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted, with the in-memory allocation's dtypes (partitions give text: their categories differ)."""
    return as_allocation(allocation).sort_values(["project_id", "village_code"]).reset_index(drop=True)


def listed(problems: pd.DataFrame) -> list[tuple]:
    """The problems as (row, column, value, severity, message) in a fixed order."""
    columns = ["row", "column", "value", "severity", "message_en"]
    rows = problems[columns].astype(object).where(problems[columns].notna(), None)
    return sorted(map(tuple, rows.to_numpy().tolist()), key=repr)


def test_allocation_on_two_workers_equals_the_in_memory_one(client, nst):
    data, villages = nst
    projects = data.projects.copy()
    points = projects.index[projects.geometry.geom_type == "Point"][:10]
    wide = projects.loc[points].geometry.to_crs(32647).buffer(3000).to_crs(4326)
    projects.loc[points, "geometry"] = wide  # 3-km footprints across village borders
    assert set(projects.geometry.geom_type.dropna()) >= {"Point", "LineString", "Polygon"}
    assert projects.geometry.isna().any()  # area-list projects too
    listed_only = projects.index[projects.geometry.isna()]
    projects.at[listed_only[0], "area_codes"] = ["809999"]  # no such tambon: reported, not allocated
    projects.at[listed_only[1], "area_codes"] = [*projects.at[listed_only[1], "area_codes"], "80999901"]
    projects.loc[points[-1], "geometry"] = shapely.Point(95.0, 5.0)  # in the sea: reported

    # One province: its work splits by amphoe.
    lazy, problems = allocate_dask(to_dask(projects, npartitions=4), villages, data.tambons,
                                   by="amphoe", return_report=True)
    with pytest.warns(pm.PlanmapWarning, match="2 projects reach no village"):
        in_memory, report = pm.allocate(projects, villages, return_report=True)

    assert lazy.npartitions > 1
    with pytest.raises(pm.PlanmapError, match="area_codes arrived as text"):
        allocate_dask(dask_geopandas.from_geopandas(projects, npartitions=2), villages, data.tambons)
    allocation, problems = dask.compute(lazy, problems)
    pd.testing.assert_frame_equal(ordered(allocation), ordered(in_memory), check_dtype=False)
    assert listed(problems) == listed(report.problems)
    assert {(r, c) for r, c, *_ in listed(problems) if r} >= {
        (listed_only[0] + 1, "area_codes"), (listed_only[1] + 1, "area_codes"), (points[-1] + 1, "geometry")}
    for level in ("village", "tambon", "amphoe"):
        pd.testing.assert_frame_equal(unit_totals_dask(lazy, level), unit_totals(in_memory, level),
                                      check_dtype=False)
    assert set(client.run(lambda: 1)) and len(client.scheduler_info()["workers"]) == 2


def test_points_across_the_country_partitioned_by_province(client, tha_path):
    """20,000 points over every tambon of Thailand, one province per partition: each lands where
    the in-memory join puts it, and the totals per unit agree."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PlanmapWarning)  # one-sided codes in the national layer
        tambons, _ = pm.read_boundaries(tha_path)
    villages = tambons[["tambon_code", "geometry"]].assign(village_code=tambons.tambon_code + "00",
                                                           households=100.0)
    rng = np.random.default_rng(7)
    points = tambons.sample_points(size=3, rng=rng).explode(index_parts=False).to_numpy()
    points = [*points[rng.permutation(len(points))[:20_000]], shapely.Point(99.0, 6.0)]  # one at sea
    households = gpd.GeoDataFrame({
        "project_id": pd.array([f"H{i:06d}" for i in range(len(points))], dtype="str"),
        "area_codes": None, "area_shares": None, "budget_thb": 1.0}, geometry=points, crs=4326)

    lazy, problems = allocate_dask(to_dask(households, npartitions=8), villages, tambons,
                                   return_report=True)

    with pytest.warns(pm.PlanmapWarning, match="1 projects reach no village"):
        expected = pm.allocate(households, villages)
    assert lazy.npartitions == 64
    allocation, at_sea = dask.compute(lazy, problems)
    pd.testing.assert_frame_equal(ordered(allocation), ordered(expected), check_dtype=False)
    totals = unit_totals_dask(lazy, "amphoe")
    pd.testing.assert_frame_equal(totals, unit_totals(expected, "amphoe"), check_dtype=False)
    assert totals["n_projects"].sum() == len(points) - 1
    assert at_sea[["row", "column", "value", "severity"]].values.tolist() == [
        [len(points), "geometry", f"H{len(points) - 1:06d}", "warning"]]
