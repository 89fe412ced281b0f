"""Make the packaged national tambon layer from the official reference file.

    python boundaries/package_layer.py [../shared/boundaries/tha_tambon_adm3.geojson]

Reads the OCHA HDX COD-AB tambon layer (as published in ``tha_tambon_adm3.geojson``,
checked against the sha256 in ``planmap_gis/_data/boundary_manifest.json``), sorts the
features by p-code and writes them unchanged in geometry and attributes as GeoParquet
(WKB, zstd level 19) to ``planmap_gis/_data/tha_tambon_adm3.parquet``. The manifest's
``packaged`` entry records the source file and its sha256, and the packaged file's size,
feature count and sha256, which the test suite checks against the file in the package.

Run it again only when the official layer changes (a new vintage): commit the new
Parquet file and manifest together, and update ``boundaries/README.md``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import geopandas as gpd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "planmap_gis" / "_data"
MANIFEST = DATA / "boundary_manifest.json"
SOURCE_NAME = "tha_tambon_adm3.geojson"
TARGET = DATA / "tha_tambon_adm3.parquet"
COLUMNS = ["adm3_pcode", "adm3_th", "adm3_en", "adm2_pcode", "adm2_th", "adm2_en",
           "adm1_pcode", "adm1_th", "adm1_en", "geometry"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else ROOT.parent / "shared" / "boundaries" / SOURCE_NAME
    manifest = json.loads(MANIFEST.read_text("utf-8"))
    expected = next(f for f in manifest["files"] if f["name"] == SOURCE_NAME)
    digest = sha256(source)
    if digest != expected["sha256"]:
        print(f"{source}: sha256 {digest} is not the manifest's {expected['sha256']}; "
              "not the published file.", file=sys.stderr)
        return 1
    layer = gpd.read_file(source, engine="pyogrio")
    layer = layer[COLUMNS].sort_values("adm3_pcode", kind="stable").reset_index(drop=True)
    tmp = TARGET.with_suffix(".parquet.part")
    # Row groups of the whole table and level 19: the file is read whole, so size wins.
    layer.to_parquet(tmp, compression="zstd", compression_level=19, index=False,
                     row_group_size=len(layer), schema_version="1.0.0")
    tmp.replace(TARGET)
    manifest["packaged"] = {
        "name": TARGET.name,
        "derived_from": SOURCE_NAME,
        "derived_from_sha256": digest,
        "format": "GeoParquet 1.0 (WKB geometry, zstd), features sorted by adm3_pcode, "
                  "geometry and attributes unchanged",
        "features": len(layer),
        "bytes": TARGET.stat().st_size,
        "sha256": sha256(TARGET),
    }
    MANIFEST.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"{TARGET}: {len(layer)} tambon, {TARGET.stat().st_size:,} bytes, "
          f"sha256 {manifest['packaged']['sha256']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
