"""Make the packaged national tambon layer: official outlines at print quality where they exist.

    python boundaries/package_layer.py [SHARED_BOUNDARIES_FOLDER]

Reads two reference files of the OCHA HDX COD-AB tambon layer (``../shared/boundaries`` by default),
each checked against the sha256 in ``planmap_gis/_data/boundary_manifest.json``:

* ``tha_tambon_adm3_detailed.parquet`` — the full-resolution outlines of 68 provinces after one
  topology-preserving ``shapely.coverage_simplify`` (0.0001°);
* ``tha_tambon_adm3.geojson`` — every tambon, heavily simplified (about 8 vertices per tambon).

The detailed provinces are simplified once more, all together, with ``shapely.coverage_simplify``
at :data:`TOLERANCE` (0.0003°, about 33 m: at 1:100,000 a 0.75 mm line error at worst), so
neighbours still share their edges; the nine provinces the detailed file lacks keep the simplified
geometry. Each tambon carries ``boundary_fidelity`` (``detailed`` or ``simplified``) and the
manifest's ``packaged`` entry records, per province, which geometry it holds and the largest
distance measured from the detailed outline, so a map drawn on coarse geometry says so.

Written as GeoParquet 1.0 (WKB, zstd level 19), one row group per province (a province is read
without decoding the others), features sorted by p-code. Run it again only for a new vintage:
commit the Parquet file and the manifest together, and update ``boundaries/README.md``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import shapely
from geopandas.io.arrow import _geopandas_to_arrow

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "planmap_gis" / "_data"
MANIFEST = DATA / "boundary_manifest.json"
SIMPLIFIED = "tha_tambon_adm3.geojson"
DETAILED = "tha_tambon_adm3_detailed.parquet"
TARGET = DATA / "tha_tambon_adm3.parquet"
#: Degrees. 0.0003° gives NST a 74 m worst distance from the detailed outline (26 m median):
#: within 1 mm on an A3 amphoe map at 1:100,000; 0.0005° would double it for a third less size.
TOLERANCE = 0.0003
#: Measured in NST (the shared README): the simplified file's distance from the full outline.
SIMPLIFIED_ERROR_M = {"median": 1407, "max": 6257}
COLUMNS = ["adm3_pcode", "adm3_th", "adm3_en", "adm2_pcode", "adm2_th", "adm2_en",
           "adm1_pcode", "adm1_th", "adm1_en", "boundary_fidelity", "geometry"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def checked(folder: Path, name: str, manifest: dict) -> Path:
    path = folder / name
    expected = next(f for f in manifest["files"] if f["name"] == name)
    digest = sha256(path)
    if digest != expected["sha256"]:
        raise SystemExit(f"{path}: sha256 {digest} is not the manifest's {expected['sha256']}; "
                         "not the published file.")
    return path


def distances_m(before: gpd.GeoSeries, after: np.ndarray) -> np.ndarray:
    """Hausdorff distance (m, UTM 47N) between each tambon's outline before and after."""
    a = before.to_crs(32647).boundary.values
    b = gpd.GeoSeries(after, crs=4326).to_crs(32647).boundary.values
    return shapely.hausdorff_distance(a, b)


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else ROOT.parent / "shared" / "boundaries"
    manifest = json.loads(MANIFEST.read_text("utf-8"))
    detailed = gpd.read_parquet(checked(folder, DETAILED, manifest))
    simplified = gpd.read_file(checked(folder, SIMPLIFIED, manifest), engine="pyogrio")
    # One simplification of the whole detailed coverage: shared edges stay shared.
    geometry = shapely.coverage_simplify(detailed.geometry.values, TOLERANCE)
    error = distances_m(detailed.geometry, geometry)
    detailed = detailed.assign(geometry=geometry, boundary_fidelity="detailed", _error=error)
    rest = simplified[~simplified["adm1_pcode"].isin(detailed["adm1_pcode"])]
    rest = rest.assign(boundary_fidelity="simplified", _error=np.nan)
    layer = gpd.GeoDataFrame(pd.concat([detailed, rest], ignore_index=True), crs=4326)
    layer = layer.sort_values("adm3_pcode", kind="stable").reset_index(drop=True)
    provinces = {}
    for code, part in layer.groupby("adm1_pcode", sort=True):
        fine = bool((part["boundary_fidelity"] == "detailed").all())
        provinces[code] = ({"geometry": "detailed", "max_error_m": round(float(part["_error"].max()), 1),
                            "median_error_m": round(float(part["_error"].median()), 1)} if fine else
                           {"geometry": "simplified", "max_error_m": None, "median_error_m": None})
    layer = layer[COLUMNS]
    tmp = TARGET.with_suffix(".parquet.part")
    # geopandas' own GeoParquet table (geometry as WKB, the "geo" metadata), written in row groups.
    table = _geopandas_to_arrow(layer, index=False, schema_version="1.0.0")
    with pq.ParquetWriter(tmp, table.schema, compression="zstd", compression_level=19) as writer:
        starts = np.flatnonzero(np.r_[True, layer["adm1_pcode"].to_numpy()[1:] != layer["adm1_pcode"].to_numpy()[:-1]])
        for start, stop in zip(starts, [*starts[1:], len(layer)], strict=True):
            writer.write_table(table.slice(start, stop - start))  # one row group per province
    tmp.replace(TARGET)
    detailed_n = int((layer["boundary_fidelity"] == "detailed").sum())
    manifest["packaged"] = {
        "name": TARGET.name,
        "derived_from": [DETAILED, SIMPLIFIED],
        "derived_from_sha256": [sha256(folder / DETAILED), sha256(folder / SIMPLIFIED)],
        "format": "GeoParquet 1.0 (WKB geometry, zstd), one row group per province, features sorted by "
                  "adm3_pcode; column boundary_fidelity",
        "processing": f"{detailed_n:,} tambon of {sum(p['geometry'] == 'detailed' for p in provinces.values())} "
                      f"provinces from the detailed layer, shapely.coverage_simplify(tolerance={TOLERANCE}°) "
                      f"over them all at once; {len(layer) - detailed_n:,} tambon of the other provinces "
                      "keep the simplified geometry",
        "tolerance_degrees": TOLERANCE,
        "simplified_error_m": SIMPLIFIED_ERROR_M,
        "features": len(layer),
        "bytes": TARGET.stat().st_size,
        "sha256": sha256(TARGET),
        "provinces": provinces,
    }
    MANIFEST.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8")
    fine = [p for p in provinces.values() if p["geometry"] == "detailed"]
    print(f"{TARGET}: {len(layer):,} tambon, {TARGET.stat().st_size:,} bytes; detailed in {len(fine)} provinces "
          f"(worst {max(p['max_error_m'] for p in fine):.0f} m from the detailed outline), simplified in "
          f"{len(provinces) - len(fine)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
