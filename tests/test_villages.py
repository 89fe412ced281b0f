"""Village registers in, village areas out: they tile their tambon, and problems are reported."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis._geo import projected


def _tiling_error(areas: gpd.GeoDataFrame, tambons: gpd.GeoDataFrame) -> float:
    village = projected(areas.set_geometry("geometry")).area.groupby(areas.tambon_code).sum()
    tambon = projected(tambons.set_index("tambon_code").geometry).area.loc[village.index]
    return float(((village - tambon).abs() / tambon).max())


def _overlap_m2(areas: gpd.GeoDataFrame) -> float:
    cells = projected(areas.geometry).values
    left, right = shapely.STRtree(cells).query(cells, predicate="overlaps")
    return float(shapely.area(shapely.intersection(cells[left], cells[right])).sum())


@pytest.fixture(scope="module")
def nst_villages(nst_tambons):
    return demo.demo_villages(nst_tambons)


def test_villages_tile_every_nst_tambon(nst_tambons, nst_villages):
    areas, report = pm.village_areas(nst_villages, nst_tambons, return_report=True)

    assert len(areas) == 1550 and areas.geometry.notna().all()
    assert (areas.area_method == "thiessen").all()
    assert _tiling_error(areas, nst_tambons) < 1e-6
    assert _overlap_m2(areas) < 1e-6 * projected(nst_tambons.geometry).area.sum()
    # Each village's point lies in its own area.
    assert areas.geometry.contains(areas.point).all()
    assert report.ok and report.balanced()


def test_village_on_a_tambon_border_stays_in_its_own_tambon(nst_tambons, nst_villages):
    """A point 30 m inside a tambon border gets a cell that stops at the border."""
    tambons = nst_tambons.set_index("tambon_code")
    a = "800101"
    neighbours = tambons.index[tambons.touches(tambons.at[a, "geometry"])]
    border = tambons.at[a, "geometry"].boundary.intersection(
        tambons.loc[neighbours].union_all().boundary)
    assert border.length > 0, "800101 must have neighbours"
    metric = projected(gpd.GeoSeries([tambons.at[a, "geometry"], border], crs=4326))
    near = shapely.ops.nearest_points(metric.iloc[0].representative_point(), metric.iloc[1])[1]
    inward = shapely.Point(near.x, near.y).buffer(30).intersection(metric.iloc[0]).centroid
    villages = nst_villages.copy()
    first = villages.index[villages.tambon_code == a][0]
    villages.loc[first, "geometry"] = gpd.GeoSeries([inward], crs=32647).to_crs(4326).iloc[0]

    areas = pm.village_areas(villages, nst_tambons)

    cell = projected(areas.geometry).loc[first]
    assert cell.area > 0
    assert cell.difference(projected(gpd.GeoSeries([tambons.at[a, "geometry"]], crs=4326))[0]).area < 1e-3
    assert _tiling_error(areas, nst_tambons) < 1e-6


def test_result_is_aligned_to_the_input_index(fictional):
    villages = demo.demo_villages(fictional).sample(frac=1, random_state=1)
    villages.index = [f"v{i}" for i in range(len(villages))]

    areas = pm.village_areas(villages, fictional)

    assert areas.index.equals(villages.index)
    assert (areas.village_code == villages.village_code).all()
    assert areas.geometry.contains(areas.point).all()


def test_single_village_gets_its_whole_tambon(fictional):
    villages = demo.demo_villages(fictional)
    lone = villages[villages.tambon_code == "990101"].iloc[:1]
    rest = villages[villages.tambon_code != "990101"]

    areas = pm.village_areas(pd.concat([lone, rest]), fictional)

    only = areas[areas.tambon_code == "990101"]
    assert only.area_method.tolist() == ["tambon"]
    tambon = fictional.set_index("tambon_code").at["990101", "geometry"]
    assert projected(only.geometry).area.iloc[0] == pytest.approx(
        projected(gpd.GeoSeries([tambon], crs=4326)).area[0], rel=1e-6)


def test_problem_villages_are_kept_and_reported(fictional):
    villages = demo.demo_villages(fictional).reset_index(drop=True)
    same_tambon = villages.index[villages.tambon_code == "990201"]
    villages.loc[same_tambon[1], "geometry"] = villages.loc[same_tambon[0], "geometry"]  # same point
    villages.loc[0, "geometry"] = None                                          # no point
    villages.loc[1, ["village_code", "tambon_code"]] = ["99990101", "999901"]   # unknown tambon
    far = fictional.set_index("tambon_code").at["990401", "geometry"].representative_point()
    villages.loc[2, "geometry"] = far                                           # in another tambon

    with pytest.warns(pm.PlanmapWarning, match="need attention"):
        areas, report = pm.village_areas(villages, fictional, return_report=True)

    assert len(areas) == len(villages) and report.balanced()
    assert areas.loc[[0, 1], "area_method"].tolist() == ["none", "none"]
    assert areas.loc[[0, 1], "geometry"].isna().all()
    messages = report.problems.set_index("row").message_en
    assert "has no point" in messages.loc[1]
    assert "999901 is not in the boundary layer" in messages.loc[2]
    assert messages.loc[[3]].str.contains("outside").all()
    moved = report.problems.query("severity == 'info'")
    assert moved.row.tolist() == [same_tambon[1] + 1] and "moved 1 m" in moved.message_en.iloc[0]
    both = areas.loc[same_tambon[:2], "geometry"]
    assert both.notna().all() and both.iloc[0] != both.iloc[1]
    assert _tiling_error(areas[areas.geometry.notna() & (areas.tambon_code == "990201")],
                         fictional) < 1e-6


def test_given_polygons_are_kept(fictional):
    villages = demo.demo_villages(fictional)
    polygon = fictional.geometry.iloc[0].buffer(-0.01)
    villages.loc[villages.index[0], "geometry"] = polygon
    areas = pm.village_areas(villages, fictional)
    assert areas.area_method.iloc[0] == "given"
    assert areas.geometry.iloc[0].equals(polygon)


# --- reading registers -------------------------------------------------------

REGISTER = """ทะเบียนหมู่บ้าน จังหวัดสมมุติ (ข้อมูลสาธิต),,,,,,
,,,,,,
รหัสหมู่บ้าน,ชื่อหมู่บ้าน,หมู่ที่,ครัวเรือน,ประชากร,ละติจูด,ลองจิจูด
99010101,บ้านนาควน,1,"1,204",๓๕๑๒,9.60,100.70
99010102,บ้านทุ่งเขา,2,150,480,,
,,,,,,
99010102,บ้านซ้ำ,2,10,30,9.6,100.7
ABC,บ้านผิดรหัส,3,10,30,9.6,100.7
99010104,บ้านพิกัดสลับ,4,-5,สามร้อย,100.7,9.6
"""


def test_register_csv_with_title_rows_thai_headers_and_bad_rows(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(REGISTER, encoding="utf-8")

    with pytest.warns(pm.PlanmapWarning, match="2 rows rejected"):
        villages, report = pm.read_villages(path)

    assert villages.village_code.tolist() == ["99010101", "99010102", "99010104"]
    assert villages.households.tolist()[:2] == [1204, 150]
    assert villages.population.iloc[0] == 3512
    assert villages.geometry.iloc[0].equals(shapely.Point(100.70, 9.60))
    assert villages.geometry.iloc[1] is None
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (5, 3, 2)
    assert report.balanced()
    problems = report.problems.set_index("row")
    assert "already on row 5" in problems.at[7, "message_en"]
    assert problems.at[8, "severity"] == "error" and problems.at[8, "value"] == "ABC"
    at9 = problems.loc[9]
    assert set(at9.column) == {"households", "population", "lat/lon"}
    assert at9.message_en.str.contains("swapped").any()


def test_register_xlsx_with_tambon_and_moo_columns(tmp_path):
    frame = pd.DataFrame({"รหัสตำบล": ["990101", "990101"], "หมู่ที่": [1, 2],
                          "ชื่อหมู่บ้าน": ["บ้านหนึ่ง", "บ้านสอง"], "จำนวนครัวเรือน": [100, 200],
                          "lat": [9.6, 9.61], "lon": [100.7, 100.71]})
    path = tmp_path / "register.xlsx"
    frame.to_excel(path, index=False, sheet_name="หมู่บ้าน")

    villages, _ = pm.read_villages(path, sheet="หมู่บ้าน")

    assert villages.village_code.tolist() == ["99010101", "99010102"]
    assert villages.moo.tolist() == [1, 2]
    assert villages.households.tolist() == [100, 200]


def test_register_as_geopackage_points(tmp_path, fictional):
    points = demo.demo_villages(fictional).to_crs(32647)
    path = tmp_path / "villages.gpkg"
    points.to_file(path, engine="pyogrio")

    villages, _ = pm.read_villages(path)

    assert villages.crs.to_epsg() == 4326 and len(villages) == len(points)
    assert np.allclose(villages.geometry.x, points.to_crs(4326).geometry.x)


def test_register_without_codes_is_one_clear_error(tmp_path):
    path = tmp_path / "nocode.csv"
    path.write_text("ชื่อหมู่บ้าน,ครัวเรือน\nบ้านหนึ่ง,10\n", encoding="utf-8")
    with pytest.raises(pm.SchemaError, match="no village code column"):
        pm.read_villages(path)
