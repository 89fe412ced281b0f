"""Fetching the reference layers: local folder or mirror URL, always checksum-verified."""

from __future__ import annotations

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

import planmap_gis as pm


def test_fetch_from_a_folder_verifies_and_is_then_found(nst_path, tmp_path, monkeypatch):
    monkeypatch.delenv("PLANMAP_BOUNDARIES", raising=False)
    monkeypatch.setenv("PLANMAP_CACHE", str(tmp_path / "cache"))
    assert pm.find_reference("nst_tambon_adm3.geojson") is None

    paths = pm.fetch_boundaries(source_dir=nst_path.parent, names=["nst_tambon_adm3.geojson"])

    assert paths == [tmp_path / "cache" / "boundaries" / "nst_tambon_adm3.geojson"]
    assert pm.find_reference("nst_tambon_adm3.geojson") == paths[0]
    assert len(pm.read_boundaries(paths[0])) == 170


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
    assert pm.sources.sha256(paths[0]) == pm.manifest()["files"][0]["sha256"]


def test_no_source_explains_where_to_get_the_files(tmp_path, monkeypatch):
    monkeypatch.delenv("PLANMAP_BOUNDARY_MIRROR", raising=False)
    with pytest.raises(pm.InputFileError, match="data.humdata.org.*--from FOLDER"):
        pm.fetch_boundaries(dest=tmp_path)


def test_unknown_file_name(nst_path, tmp_path):
    with pytest.raises(pm.InputFileError, match="not a known boundary file"):
        pm.fetch_boundaries(source_dir=nst_path.parent, dest=tmp_path, names=["roads.geojson"])
