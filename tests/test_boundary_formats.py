"""Formats, engines, schemas and every bad input, on the fictional province (always available).

The fictional province's codes (99xxxx) are, by design, unknown to the DOPA
gazetteer, so reading it raises a PlanmapWarning; this module expects it.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

import planmap_gis as pm

pytestmark = pytest.mark.filterwarnings("ignore:.*boundary problems need attention:planmap_gis.PlanmapWarning")


def _write(gdf: gpd.GeoDataFrame, path: Path, **kwargs) -> Path:
    gdf.to_file(path, engine="pyogrio", **kwargs)
    return path


def test_codes_unknown_to_the_gazetteer_are_kept_and_reported(tmp_path, fictional):
    with pytest.warns(pm.PlanmapWarning, match="24 boundary problems"):
        tambons, report = pm.read_boundaries(_write(fictional, tmp_path / "f.gpkg"))
    assert tambons.tambon_th.tolist() == fictional.tambon_th.tolist()
    assert report.count("warning") == 24
    assert report.problems.row.tolist() == list(range(1, 25))


# --- formats and schemas (on the fictional province, so they always run) -----

@pytest.fixture()
def hdx_layer(fictional):
    """The fictional province in the HDX COD-AB schema (upper case, TH-prefixed p-codes)."""
    return gpd.GeoDataFrame({
        "ADM3_PCODE": "TH" + fictional.tambon_code, "ADM3_TH": fictional.tambon_th,
        "ADM3_EN": fictional.tambon_en, "ADM2_PCODE": "TH" + fictional.amphoe_code,
        "ADM2_TH": fictional.amphoe_th, "ADM1_PCODE": "TH99",
    }, geometry=fictional.geometry.values, crs=4326)


@pytest.mark.parametrize("engine", ["pyogrio", "fiona"])
@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".shp"])
def test_formats_and_engines_give_the_same_layer(tmp_path, hdx_layer, fictional, engine, suffix):
    path = _write(hdx_layer, tmp_path / f"tambon{suffix}")

    tambons, _ = pm.read_boundaries(path, engine=engine)

    assert tambons.tambon_code.tolist() == fictional.tambon_code.tolist()
    assert tambons.tambon_th.tolist() == fictional.tambon_th.tolist()
    assert tambons.geom_equals_exact(fictional.geometry, tolerance=1e-9).all()


@pytest.mark.parametrize("engine", ["pyogrio", "fiona"])
def test_zipped_shapefile(tmp_path, hdx_layer, engine):
    shp = _write(hdx_layer, tmp_path / "tha_admbnda_adm3.shp")
    archive = tmp_path / "tha_adm3.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("tha_admbnda_adm3.*"):
            zf.write(part, part.name)
    assert shp.exists()

    tambons, _ = pm.read_boundaries(archive, engine=engine)

    assert len(tambons) == 24 and tambons.tambon_code.iloc[0] == "990101"


def test_dopa_schema_with_integer_codes(tmp_path, fictional):
    dopa = gpd.GeoDataFrame({
        "TAM_CODE": fictional.tambon_code.astype(int), "TAM_TH": fictional.tambon_th,
        "AMP_CODE": fictional.amphoe_code.astype(int), "PRO_CODE": 99,
    }, geometry=fictional.geometry.values, crs=4326)
    tambons, _ = pm.read_boundaries(_write(dopa, tmp_path / "dopa.gpkg"))

    assert tambons.tambon_code.tolist() == fictional.tambon_code.tolist()
    assert set(tambons.province_code) == {"99"}


def test_explicit_column_mapping(tmp_path, fictional):
    odd = gpd.GeoDataFrame({"TB_IDN": fictional.tambon_code, "TB_NAME": fictional.tambon_th},
                           geometry=fictional.geometry.values, crs=4326)
    path = _write(odd, tmp_path / "odd.geojson")

    with pytest.raises(pm.SchemaError, match="no tambon code column.*TB_IDN"):
        pm.read_boundaries(path)
    tambons, _ = pm.read_boundaries(path, columns={"TB_IDN": "tambon_code", "TB_NAME": "tambon_th"})
    assert tambons.tambon_th.tolist() == fictional.tambon_th.tolist()
    assert tambons.amphoe_code.tolist() == fictional.amphoe_code.tolist()


def test_projected_file_is_returned_in_lon_lat(tmp_path, hdx_layer):
    path = _write(hdx_layer.to_crs(32647), tmp_path / "utm.gpkg")
    tambons, _ = pm.read_boundaries(path)
    assert tambons.crs.to_epsg() == 4326
    assert tambons.total_bounds[0] == pytest.approx(hdx_layer.total_bounds[0], abs=1e-7)


# --- bad input: one clear error each ----------------------------------------

@pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning")
def test_no_crs_is_an_error_unless_one_is_passed(tmp_path, hdx_layer):
    path = _write(hdx_layer.set_crs(None, allow_override=True), tmp_path / "nocrs.shp")

    with pytest.raises(pm.CRSError, match=r"nocrs\.shp.*no coordinate reference system.*crs="):
        pm.read_boundaries(path)
    assert len(pm.read_boundaries(path, crs="EPSG:4326")[0]) == 24


def test_contradicting_crs_is_an_error(tmp_path, hdx_layer):
    path = _write(hdx_layer, tmp_path / "t.gpkg")
    with pytest.raises(pm.CRSError, match="declares EPSG:4326 and its coordinates fit it, but crs='EPSG:32647'"):
        pm.read_boundaries(path, crs="EPSG:32647")


def test_utm_metres_in_a_geojson_that_says_degrees(tmp_path, hdx_layer, caplog):
    utm = hdx_layer.to_crs(32647)
    path = tmp_path / "utm.geojson"
    data = json.loads(utm.to_json())
    data.pop("crs")  # a GeoJSON without a crs member is read as degrees (RFC 7946)
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(pm.CRSError, match="numbers are metres, but the file says degrees.*EPSG:32647") as e:
        pm.read_boundaries(path)
    assert "เป็นเมตร" in e.value.message_th
    fixed, _ = pm.read_boundaries(path, crs="EPSG:32647")  # the numbers win over the label, said in the log
    expected = hdx_layer.sort_values("ADM3_PCODE").geometry.reset_index(drop=True)
    assert fixed.geometry.geom_equals_exact(expected, 1e-6).all()
    assert "do not fit it" in caplog.text


def test_swapped_latitude_and_longitude(tmp_path, hdx_layer):
    swapped = hdx_layer.set_geometry(shapely.transform(hdx_layer.geometry.values, lambda xy: xy[:, ::-1]),
                                     crs=4326)
    path = _write(swapped, tmp_path / "swapped.gpkg")
    with pytest.raises(pm.CRSError, match="latitude and longitude are swapped"):
        pm.read_boundaries(path)


def test_a_prj_that_contradicts_the_numbers(tmp_path, hdx_layer):
    wrong = hdx_layer.to_crs(32647).set_crs(32648, allow_override=True)  # 47N numbers labelled 48N
    path = _write(wrong, tmp_path / "zone.shp")
    with pytest.raises(pm.CRSError, match="EPSG:32648 the layer lies outside Thailand"):
        pm.read_boundaries(path)


def test_duplicate_codes_name_the_code_and_rows(tmp_path, hdx_layer):
    doubled = hdx_layer.copy()
    doubled.loc[3, "ADM3_PCODE"] = doubled.loc[2, "ADM3_PCODE"]
    path = _write(doubled, tmp_path / "dup.geojson")
    with pytest.raises(pm.SchemaError, match=r"duplicate tambon codes: 990103 \(rows 3, 4\).*Dissolve"):
        pm.read_boundaries(path)


def test_empty_file(tmp_path, hdx_layer):
    path = _write(hdx_layer.iloc[:0], tmp_path / "empty.gpkg")
    with pytest.raises(pm.InputFileError, match=r"empty\.gpkg: the layer has no features"):
        pm.read_boundaries(path)


def test_missing_file_and_unreadable_file(tmp_path):
    with pytest.raises(pm.InputFileError, match="file not found.*national layer packaged") as caught:
        pm.read_boundaries(tmp_path / "nowhere.geojson")
    assert "ไม่พบไฟล์" in caught.value.message_th
    junk = tmp_path / "junk.geojson"
    junk.write_text("this is not GeoJSON")
    with pytest.raises(pm.InputFileError, match="junk.geojson: not a readable GIS file"):
        pm.read_boundaries(junk)


def test_malformed_codes_are_listed(tmp_path, hdx_layer):
    bad = hdx_layer.copy()
    bad.loc[5, "ADM3_PCODE"] = "TH99A1"
    with pytest.raises(pm.SchemaError, match=r"not 6-digit DOPA codes.*row 6: 'TH99A1'"):
        pm.read_boundaries(_write(bad, tmp_path / "bad.geojson"))


def test_invalid_polygon_is_repaired_and_reported(tmp_path, hdx_layer):
    bowtie = hdx_layer.copy()
    x0, y0, x1, y1 = bowtie.geometry.iloc[0].bounds
    bowtie.loc[0, "geometry"] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    path = _write(bowtie, tmp_path / "bowtie.geojson")

    tambons, report = pm.read_boundaries(path)

    assert tambons.geometry.is_valid.all()
    repaired = report.problems.query("column == 'geometry'")
    assert repaired.row.tolist() == [1] and "make_valid" in repaired.message_en.iloc[0]


def test_points_instead_of_polygons(tmp_path, hdx_layer):
    points = hdx_layer.copy()
    points["geometry"] = points.geometry.representative_point()
    with pytest.raises(pm.GeometryError, match="24 features are not polygons"):
        pm.read_boundaries(_write(points, tmp_path / "points.geojson"))


def test_missing_geometry(tmp_path, hdx_layer):
    holes = hdx_layer.copy()
    holes.loc[4, "geometry"] = None
    with pytest.raises(pm.GeometryError, match=r"1 tambon have no geometry: row 5 \(990105\)"):
        pm.read_boundaries(_write(holes, tmp_path / "holes.geojson"))


def test_codes_that_do_not_nest(tmp_path, hdx_layer, fictional):
    wrong = hdx_layer.copy()
    wrong.loc[0, "ADM2_PCODE"] = "TH9904"
    with pytest.raises(pm.HierarchyError, match="tambon 990101 not in amphoe 9904"):
        pm.read_boundaries(_write(wrong, tmp_path / "wrong.geojson"))
    in_memory = fictional.copy()
    in_memory.loc[0, "province_code"] = "98"
    with pytest.raises(pm.HierarchyError, match="amphoe 9901 not in province 98"):
        pm.amphoes(in_memory)


def test_multilayer_file_needs_a_layer(tmp_path, hdx_layer):
    path = tmp_path / "many.gpkg"
    _write(hdx_layer, path, layer="roads")
    _write(hdx_layer, path, layer="rivers")
    with pytest.raises(pm.InputFileError, match="holds 2 layers.*layer="):
        pm.read_boundaries(path)
    assert len(pm.read_boundaries(path, layer="rivers")[0]) == 24


