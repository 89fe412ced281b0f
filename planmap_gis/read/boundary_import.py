"""The official national tambon file brought in once: simplified for print and cached.

The HDX COD-AB release (``tha_adm_rtsd_itos_20210121_shp.zip``, shapefile
``tha_admbnda_adm3_rtsd_20220121.shp``) holds every tambon at full resolution, about
twenty times more vertices than a printed A3 amphoe map can show. :func:`import_boundaries`
reads it like any tambon layer (:func:`~planmap_gis.read.read_boundaries`: codes, names from
the gazetteer, repairs reported), simplifies the whole coverage at once with
``shapely.coverage_simplify`` at :data:`~planmap_gis.read.sources.PRINT_TOLERANCE` — the way the
packaged layer was made, so neighbours keep sharing their edges — and writes it into the cache,
where :func:`~planmap_gis.read.sources.national_layer` prefers it to the packaged copy.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from planmap_gis import settings
from planmap_gis._errors import GeometryError
from planmap_gis._output import atomic
from planmap_gis._schema import GEOMETRY, TAMBON_COLUMNS
from planmap_gis.read.boundaries import read_boundaries
from planmap_gis.read.sources import IMPORTED, PRINT_TOLERANCE
from planmap_gis.report import ImportReport

__all__ = ["import_boundaries"]

log = logging.getLogger("planmap_gis")

#: Metric CRS of the distances reported (UTM 47N covers most of Thailand; errors of a few
#: per cent in the far east are immaterial to a distance of tens of metres).
_METRIC = 32647


def import_boundaries(path: str | Path, *, layer: str | int | None = None,
                      tolerance: float = PRINT_TOLERANCE,
                      dest: str | Path | None = None) -> tuple[Path, ImportReport]:
    """Read the official tambon file, simplify it for print, and cache it as the national layer.

    Parameters
    ----------
    path : str or Path
        The tambon layer: the HDX COD-AB zip (``.zip``), its ``.shp``, or any layer
        :func:`~planmap_gis.read.read_boundaries` reads.
    layer : str or int, optional
        Layer of a multi-layer source (the ADM3 layer is found by name otherwise).
    tolerance : float
        Degrees (EPSG:4326) of ``shapely.coverage_simplify``.
    dest : str or Path, optional
        The file to write; ``settings.cache_dir() / "boundaries" / IMPORTED`` by default.

    Returns
    -------
    (Path, ImportReport)
        The cached layer (GeoParquet, EPSG:4326, canonical tambon columns and
        ``boundary_fidelity`` = "official") and the read's report, with a line giving the
        vertices kept and the largest and median distance (m) from the file's outline.

    Raises
    ------
    GeometryError
        When the tambon do not form a coverage simplification can keep (overlapping tambon).
    """
    tambons, report = read_boundaries(path, layer=layer)
    before = tambons.geometry.values
    if hasattr(shapely, "coverage_is_valid") and not shapely.coverage_is_valid(before):
        raise GeometryError(
            f"{path}: the tambon overlap or leave slivers between them, so they cannot be simplified "
            "together. Fix: import the official file unchanged (HDX cod-ab-tha), or a layer whose "
            "tambon share their borders exactly.",
            th=f"{path}: รูปแปลงตำบลซ้อนทับกันหรือมีช่องว่างเล็ก ๆ ระหว่างกัน จึงลดรายละเอียดพร้อมกันไม่ได้ "
               "แก้ไข: นำเข้าไฟล์ทางการตามที่เผยแพร่ (HDX cod-ab-tha)")
    after = shapely.coverage_simplify(before, tolerance)
    bad = ~shapely.is_valid(after)
    after[bad] = shapely.make_valid(after[bad])
    error = shapely.hausdorff_distance(
        gpd.GeoSeries(before, crs=4326).to_crs(_METRIC).boundary.values,
        gpd.GeoSeries(after, crs=4326).to_crs(_METRIC).boundary.values)
    vertices = (int(shapely.get_num_coordinates(before).sum()), int(shapely.get_num_coordinates(after).sum()))
    out = gpd.GeoDataFrame(tambons[[c for c in TAMBON_COLUMNS if c != GEOMETRY]].assign(
        boundary_fidelity="official"), geometry=after, crs=4326)
    target = Path(dest) if dest else settings.cache_dir() / "boundaries" / IMPORTED
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic(target) as tmp:
        out.to_parquet(tmp, compression="zstd", index=False)
    said = (f"{len(out):,} tambon simplified together at {tolerance:g}° (shapely.coverage_simplify): "
            f"{vertices[0]:,} → {vertices[1]:,} vertices; distance from the file's outline median "
            f"{np.median(error):.0f} m, largest {error.max():.0f} m; cached as {target}")
    report.add("info", said, f"นำเข้าขอบเขตตำบล {len(out):,} ตำบล ลดรายละเอียดพร้อมกันที่ {tolerance:g}° "
                             f"คลาดจากเส้นเดิมมากสุด {error.max():.0f} ม.")
    log.info("%s", said)
    return target, report
