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


def test_packaged_national_layer_is_the_official_file_unchanged(tha_path):
    import geopandas as gpd

    from planmap_gis.read.sources import manifest, packaged_layer

    entry = manifest()["packaged"]
    path = packaged_layer()
    assert sha256(path) == entry["sha256"] and path.stat().st_size == entry["bytes"] < 1_000_000
    official = next(f for f in manifest()["files"] if f["name"] == entry["derived_from"])
    assert sha256(tha_path) == official["sha256"] == entry["derived_from_sha256"]
    packed = gpd.read_parquet(path)
    source = gpd.read_file(tha_path).sort_values("adm3_pcode").reset_index(drop=True)
    assert len(packed) == len(source) == entry["features"] == 7425
    assert packed.drop(columns="geometry").equals(source[packed.columns.drop("geometry")])
    assert packed.geometry.geom_equals_exact(source.geometry, 0).all()


def test_a_fetched_layer_wins_over_the_packaged_copy(tha_path, no_reference, monkeypatch):
    from planmap_gis.read.sources import national_layer, settings

    path, said = national_layer()
    assert path.suffix == ".parquet" and "packaged with planmap-gis" in said
    cached = settings.cache_dir() / "boundaries"
    cached.mkdir(parents=True)
    (cached / tha_path.name).symlink_to(tha_path)
    assert national_layer()[0] == cached / tha_path.name
