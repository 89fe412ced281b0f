"""Reading OGR sources and handling CRSs, shared by every loader."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
from pyproj import CRS

from planmap_gis import settings
from planmap_gis._errors import CRSError, InputFileError, show_values

log = logging.getLogger("planmap_gis")

ENGINES = ("pyogrio", "fiona")


def _ogr_path(path: Path, engine: str) -> str:
    """The path as each engine wants it; zipped Shapefiles go through GDAL's /vsizip/."""
    if path.suffix.lower() == ".zip":
        return f"zip://{path}" if engine == "fiona" else f"/vsizip/{path}"
    return str(path)


def list_layers(path: Path) -> list[str]:
    """Names of the layers in an OGR source."""
    return [str(name) for name, _ in pyogrio.list_layers(_ogr_path(path, "pyogrio"))]


def read_ogr(
    path: str | Path,
    *,
    engine: str | None = None,
    layer: str | int | None = None,
    prefer: tuple[str, ...] = (),
) -> gpd.GeoDataFrame:
    """Read one layer of an OGR source (GeoJSON, GeoPackage, Shapefile, zipped Shapefile).

    Parameters
    ----------
    path : str or Path
        The file.
    engine : {"pyogrio", "fiona"}, optional
        The reader; pyogrio by default.
    layer : str or int, optional
        Layer name or number. When the source has several layers and none is
        given, the one whose name contains one of ``prefer`` is read if exactly
        one does; otherwise an error lists the layers.
    prefer : tuple of str
        Lower-case fragments of a wanted layer name, e.g. ``("adm3", "tambon")``.
    """
    path = Path(path)
    engine = engine or "pyogrio"
    if engine not in ENGINES:
        raise InputFileError(f"engine must be one of {ENGINES}, got {engine!r}.")
    if not path.exists():
        raise InputFileError(
            f"{path}: file not found. Check the path and the folder you run from; for "
            "boundaries, leave the file out to use the national layer packaged with planmap-gis.",
            th=f"{path}: ไม่พบไฟล์ ตรวจชื่อไฟล์และโฟลเดอร์ที่สั่งงาน สำหรับขอบเขตตำบล "
               "ไม่ต้องระบุไฟล์ก็ได้ โปรแกรมมีชั้นขอบเขตทั้งประเทศในตัว",
        )
    if path.suffix.lower() in (".parquet", ".geoparquet"):
        return _read_parquet(path)
    try:
        layers = list_layers(path)
    except Exception as exc:  # pyogrio raises its own DataSourceError family
        raise InputFileError(
            f"{path}: not a readable GIS file ({exc}). Use GeoJSON, GeoPackage, GeoParquet, "
            "Shapefile or a zipped Shapefile.",
            th=f"{path}: อ่านเป็นไฟล์แผนที่ (GIS) ไม่ได้ ใช้ GeoJSON, GeoPackage, GeoParquet, "
               "Shapefile หรือ Shapefile ที่บีบอัดเป็น zip",
        ) from exc
    if layer is None and len(layers) > 1:
        wanted = [name for name in layers if any(p in name.lower() for p in prefer)]
        if len(wanted) != 1:
            raise InputFileError(
                f"{path}: holds {len(layers)} layers ({show_values(layers)}); "
                "pass layer=... (CLI: boundaries check --layer) to say which one to read.",
                th=f"{path}: มี {len(layers)} ชั้นข้อมูล ({show_values(layers)}) ระบุชั้นที่จะอ่านด้วย layer=...",
            )
        layer = wanted[0]
        log.info("%s: reading layer %r of %d", path, layer, len(layers))
    kwargs: dict[str, Any] = {"engine": engine}
    if layer is not None:
        kwargs["layer"] = layer
    try:
        with warnings.catch_warnings():
            # GDAL notes about GeoJSON CRS84 or field widths are not the user's concern.
            warnings.simplefilter("ignore", RuntimeWarning)
            return gpd.read_file(_ogr_path(path, engine), **kwargs)
    except Exception as exc:
        raise InputFileError(f"{path}: could not be read with {engine} ({exc}). Fix: open it in QGIS "
                             "and save it again as GeoPackage.",
                             th=f"{path}: อ่านไฟล์ไม่ได้ แก้ไข: เปิดใน QGIS แล้วบันทึกใหม่เป็น GeoPackage") from exc


def _read_parquet(path: Path) -> gpd.GeoDataFrame:
    try:
        return gpd.read_parquet(path)
    except Exception as exc:  # pyarrow's and geopandas' own errors for non-GeoParquet files
        raise InputFileError(
            f"{path}: not a readable GeoParquet file ({type(exc).__name__}: {exc}).",
            th=f"{path}: อ่านเป็นไฟล์ GeoParquet ไม่ได้",
        ) from exc


def set_data_crs(gdf: gpd.GeoDataFrame, crs: Any, source: str) -> gpd.GeoDataFrame:
    """Give a layer its declared CRS and return it in ``settings.data_crs``.

    A layer with no CRS is an error unless ``crs`` is given; a ``crs`` that
    contradicts the file's own is an error too.
    """
    if gdf.crs is None:
        if crs is None:
            raise CRSError(
                f"{source}: the layer has no coordinate reference system. Pass crs=... "
                "(e.g. crs='EPSG:4326' for longitude/latitude, 'EPSG:32647' for UTM 47N), "
                "or save the file with its .prj / CRS.",
                th=f"{source}: ชั้นข้อมูลไม่มีระบบพิกัด แก้ไข: ระบุ crs เช่น EPSG:4326 (ละติจูด/ลองจิจูด) "
                   "หรือ EPSG:32647 (UTM 47N) หรือบันทึกไฟล์พร้อม .prj",
            )
        gdf = gdf.set_crs(crs)
    elif crs is not None and not CRS.from_user_input(crs).equals(gdf.crs, ignore_axis_order=True):
        raise CRSError(
            f"{source}: the file declares {gdf.crs.to_string()} but crs={crs!r} was passed. "
            "Drop the crs argument, or fix the file's CRS."
        )
    target = CRS.from_user_input(settings.data_crs)
    if not target.equals(gdf.crs, ignore_axis_order=True):
        log.info("%s: reprojecting from %s to %s", source, gdf.crs.to_string(), settings.data_crs)
        return gdf.to_crs(target)
    return gdf.set_crs(target, allow_override=True)


def projected(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> Any:
    """The layer in ``settings.analysis_crs``, for areas (m²) and distances (m)."""
    if gdf.crs is None:
        raise CRSError("a layer without a CRS cannot be measured; set its CRS first.")
    return gdf.to_crs(settings.analysis_crs)


def thread_count() -> int:
    """Threads for geometry and array work: ``settings.threads``, else every core."""
    return settings.threads or os.cpu_count() or 1


def threaded(fn: Callable[..., tuple[np.ndarray, ...]], *arrays: np.ndarray,
             min_chunk: int = 50_000) -> tuple[np.ndarray, ...]:
    """``fn`` over equal slices of ``arrays`` in ``settings.threads`` threads, results joined.

    ``fn`` returns a tuple of arrays; shapely's vectorised functions release the
    GIL, so large joins run on all cores. Small inputs run in the calling thread.
    """
    n = len(arrays[0])
    k = max(1, min(thread_count(), n // min_chunk))
    if k == 1:
        return fn(*arrays)
    bounds = np.linspace(0, n, k + 1).astype(int)
    with ThreadPoolExecutor(k) as pool:
        parts = list(pool.map(lambda i: fn(*(a[bounds[i]:bounds[i + 1]] for a in arrays)), range(k)))
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))
