"""Fetching the reference layers: local folder or mirror URL, always checksum-verified."""

from __future__ import annotations

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

import planmap_gis as pm
from planmap_gis._output import sha256


def test_fetch_from_a_folder_verifies_and_is_then_found(nst_path, tmp_path, monkeypatch):
    monkeypatch.delenv("PLANMAP_BOUNDARIES", raising=False)
    monkeypatch.setenv("PLANMAP_CACHE", str(tmp_path / "cache"))
    assert pm.find_reference("nst_tambon_adm3.geojson") is None

    paths = pm.fetch_boundaries(source_dir=nst_path.parent, names=["nst_tambon_adm3.geojson"])

    assert paths == [tmp_path / "cache" / "boundaries" / "nst_tambon_adm3.geojson"]
    assert pm.find_reference("nst_tambon_adm3.geojson") == paths[0]
    assert len(pm.read_boundaries(paths[0])[0]) == 170


def test_a_tampered_file_is_refused(nst_path, tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    data = nst_path.read_bytes().replace(b"Nakhon", b"Nakorn", 1)
    (mirror / "nst_tambon_adm3.geojson").write_bytes(data)

    with pytest.raises(pm.ChecksumError, match="differs from the manifest"):
        pm.fetch_boundaries(source_dir=mirror, dest=tmp_path / "out",
                            names=["nst_tambon_adm3.geojson"])
    assert not (tmp_path / "out" / "nst_tambon_adm3.geojson").exists()


def test_download_from_a_mirror_url(nst_path, tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(nst_path, served)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        paths = pm.fetch_boundaries(mirror_url=url, dest=tmp_path / "dl",
                                    names=["nst_tambon_adm3.geojson"])
    finally:
        server.shutdown()
        server.server_close()
    assert sha256(paths[0]) == pm.manifest()["files"][0]["sha256"]


def test_no_source_explains_where_to_get_the_files(tmp_path, monkeypatch):
    monkeypatch.delenv("PLANMAP_BOUNDARY_MIRROR", raising=False)
    with pytest.raises(pm.InputFileError, match="data.humdata.org.*--from FOLDER"):
        pm.fetch_boundaries(dest=tmp_path)


def test_unknown_file_name(nst_path, tmp_path):
    with pytest.raises(pm.InputFileError, match="not a known boundary file"):
        pm.fetch_boundaries(source_dir=nst_path.parent, dest=tmp_path, names=["roads.geojson"])


def test_packaged_national_layer_is_the_detailed_outline_where_it_exists(tha_path, detailed_path):
    """Issue 28: 68 provinces from the detailed layer (coverage-simplified at 0.0003°), the nine others
    simplified, each tambon and each province's entry saying which; one row group per province."""
    import geopandas as gpd
    import pyarrow.parquet as pq
    import shapely

    from planmap_gis.read.sources import PRINT_TOLERANCE, manifest, packaged_layer

    entry = manifest()["packaged"]
    path = packaged_layer()
    assert sha256(path) == entry["sha256"] and path.stat().st_size == entry["bytes"] < 20_000_000
    assert entry["derived_from_sha256"] == [sha256(detailed_path), sha256(tha_path)]
    assert entry["tolerance_degrees"] == PRINT_TOLERANCE
    packed = gpd.read_parquet(path)
    source = gpd.read_file(tha_path).sort_values("adm3_pcode").reset_index(drop=True)
    detailed = gpd.read_parquet(detailed_path)
    assert len(packed) == len(source) == entry["features"] == 7425
    assert packed["adm3_pcode"].tolist() == source["adm3_pcode"].tolist()
    fine = packed["adm1_pcode"].isin(detailed["adm1_pcode"])
    assert (packed.loc[fine, "boundary_fidelity"] == "detailed").all() and fine.sum() == len(detailed)
    assert (packed.loc[~fine, "boundary_fidelity"] == "simplified").all()
    assert packed.loc[~fine].geometry.geom_equals_exact(source.loc[~fine].geometry, 0).all()
    coarse = sorted(code for code, p in entry["provinces"].items() if p["geometry"] == "simplified")
    assert coarse == ["TH30", "TH34", "TH36", "TH40", "TH41", "TH46", "TH47", "TH57", "TH67"]
    assert shapely.is_valid(packed.geometry.values).all()
    assert pq.ParquetFile(path).num_row_groups == 77


def test_an_imported_official_file_wins_over_the_packaged_copy(detailed_path, no_reference, tmp_path):
    """`planmap boundaries import` on a zipped shapefile laid out as HDX's (built here from the shared
    detailed layer: two provinces), simplified together and cached; the national layer from then on."""
    import zipfile

    import geopandas as gpd
    import shapely

    from planmap_gis.cli import main
    from planmap_gis.read.sources import national_layer

    official = gpd.read_parquet(detailed_path, filters=[("adm1_pcode", "in", ["TH80", "TH93"])])
    shp = tmp_path / "tha_admbnda_adm3_rtsd_20220121.shp"
    official.rename(columns=str.upper).rename(columns={"GEOMETRY": "geometry"}).set_geometry("geometry").to_file(
        shp, engine="pyogrio")
    archive = tmp_path / "tha_adm_rtsd_itos_20210121_shp.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in tmp_path.glob("tha_admbnda_adm3_rtsd_20220121.*"):
            z.write(part, part.name)
    assert main(["boundaries", "import", str(archive)]) == 0
    path, said = national_layer()
    assert path.name == "imported_tambon_adm3.parquet" and "imported from the official file" in said
    tambons, _ = pm.read_boundaries(province="93")
    assert len(tambons) == (official["adm1_pcode"] == "TH93").sum() and (tambons["boundary_fidelity"] == "official").all()
    before = official[official["adm1_pcode"] == "TH93"].sort_values("adm3_pcode")
    error = shapely.hausdorff_distance(gpd.GeoSeries(tambons.geometry.values, crs=4326).to_crs(32647).boundary.values,
                                       before.geometry.to_crs(32647).boundary.values)
    assert error.max() < 100
    assert shapely.get_num_coordinates(tambons.geometry.values).sum() < shapely.get_num_coordinates(
        before.geometry.values).sum()
    # Neighbours still share their edges: the coverage stays valid.
    assert shapely.coverage_is_valid(tambons.geometry.values)
