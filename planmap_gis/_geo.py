"""Reading OGR sources and handling CRSs, shared by every loader."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import CRS, Transformer

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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's guesses about a file it cannot read
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


#: Thailand with a margin of about 100 km (longitude, latitude), for checking where a layer lies.
THAILAND = (96.5, 4.5, 106.5, 21.5)


def set_data_crs(gdf: gpd.GeoDataFrame, crs: Any, source: str) -> gpd.GeoDataFrame:
    """Give a layer its declared CRS and return it in ``settings.data_crs``, checking that the
    numbers fit the CRS and land in Thailand.

    A layer with no CRS is an error unless ``crs`` is given. A ``crs`` that contradicts
    the file's own is an error when the numbers fit the file's CRS, and wins (said in the
    log) when they do not (a GeoJSON always says degrees, even when it holds UTM metres).
    Latitude and longitude swapped, metres labelled as degrees, or a layer that lands
    outside Thailand are errors naming the bounds and the fix.
    """
    if crs is not None:
        user_crs(crs, source)  # a typo stops here, in words
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
        if _lands_in_thailand(gdf, gdf.crs):
            raise CRSError(
                f"{source}: the file declares {gdf.crs.to_string()} and its coordinates fit it, but "
                f"crs={crs!r} was passed. Drop the crs argument (CLI: --boundaries-crs / --crs).",
                th=f"{source}: ไฟล์ระบุระบบพิกัด {gdf.crs.to_string()} และพิกัดสอดคล้องแล้ว แต่สั่ง {crs} "
                   "แก้ไข: เอาตัวเลือกระบบพิกัดออก",
            )
        log.warning("%s: the file declares %s but its coordinates do not fit it; %s is used as asked",
                    source, gdf.crs.to_string(), crs)
        gdf = gdf.set_crs(crs, allow_override=True)
    _check_extent(gdf, source)
    target = CRS.from_user_input(settings.data_crs)
    if not target.equals(gdf.crs, ignore_axis_order=True):
        log.info("%s: reprojecting from %s to %s", source, gdf.crs.to_string(), settings.data_crs)
        return gdf.to_crs(target)
    return gdf.set_crs(target, allow_override=True)


def user_crs(crs: Any, source: str = "crs") -> CRS:
    """A CRS as a user writes it (``EPSG:32647``, ``32647``, a WKT or PROJ string); a typo
    (``UTM47``) is a CRSError naming the forms that work, never a library traceback."""
    try:
        return CRS.from_user_input(crs)
    except Exception as exc:  # pyproj's CRSError and its kin: the user's words were not a CRS
        raise CRSError(f"{source}: {crs!r} is not a coordinate reference system. Write it as an EPSG code, "
                       "e.g. EPSG:32647 (UTM 47N, metres) or EPSG:4326 (longitude/latitude) "
                       "(CLI: --boundaries-crs / --crs).",
                       th=f"{source}: {crs} ไม่ใช่ระบบพิกัด ให้เขียนเป็นรหัส EPSG เช่น EPSG:32647 หรือ EPSG:4326") from exc


def _bounds_in_degrees(gdf: gpd.GeoDataFrame, crs: Any) -> tuple[float, float, float, float] | None:
    geoms = gdf.geometry
    if geoms.isna().all() or geoms.is_empty.all():
        return None
    x0, y0, x1, y1 = geoms.total_bounds
    crs = CRS.from_user_input(crs)
    if crs.is_geographic:
        return float(x0), float(y0), float(x1), float(y1)
    try:
        return tuple(float(v) for v in gpd.GeoSeries(shapely.box(x0, y0, x1, y1), crs=crs)
                     .to_crs(4326).total_bounds)  # type: ignore[return-value]
    except Exception:  # numbers the projection cannot take are the answer here
        return None


def _lands_in_thailand(gdf: gpd.GeoDataFrame, crs: Any) -> bool:
    b = _bounds_in_degrees(gdf, crs)
    return b is None or (b[0] >= THAILAND[0] and b[1] >= THAILAND[1] and b[2] <= THAILAND[2]
                         and b[3] <= THAILAND[3])


def _check_extent(gdf: gpd.GeoDataFrame, source: str) -> None:
    if _lands_in_thailand(gdf, gdf.crs):
        return
    x0, y0, x1, y1 = gdf.geometry.total_bounds
    shown = f"x {x0:,.4f} … {x1:,.4f}, y {y0:,.4f} … {y1:,.4f}"
    crs = CRS.from_user_input(gdf.crs)
    if crs.is_geographic and THAILAND[1] <= x0 and x1 <= THAILAND[3] and THAILAND[0] <= y0 and y1 <= THAILAND[2]:
        why_en, why_th = ("latitude and longitude are swapped (x holds latitudes)",
                          "ละติจูดและลองจิจูดสลับกัน")
        fix_en, fix_th = ("swap the columns, or re-export with x = longitude", "สลับคอลัมน์ให้ x เป็นลองจิจูด")
    elif crs.is_geographic and (abs(x1) > 180 or abs(y1) > 90 or abs(x0) > 180 or abs(y0) > 90):
        why_en, why_th = ("the numbers are metres, but the file says degrees",
                          "ตัวเลขพิกัดเป็นเมตร แต่ไฟล์ระบุเป็นองศา")
        fix_en, fix_th = ("give the real CRS, e.g. --boundaries-crs EPSG:32647 (UTM 47N) or crs='EPSG:32647'",
                          "ระบุระบบพิกัดจริง เช่น --boundaries-crs EPSG:32647")
    else:
        why_en, why_th = (f"with its CRS {crs.to_string()} the layer lies outside Thailand",
                          f"เมื่อใช้ระบบพิกัด {crs.to_string()} ชั้นข้อมูลอยู่นอกประเทศไทย")
        fix_en, fix_th = ("check the .prj / CRS (UTM 47N is EPSG:32647, 48N EPSG:32648) and pass the right "
                          "one with --boundaries-crs or crs=", "ตรวจไฟล์ .prj หรือระบุระบบพิกัดที่ถูกต้อง")
    raise CRSError(f"{source}: {why_en} ({shown}). Fix: {fix_en}.",
                   th=f"{source}: {why_th} ({shown}) แก้ไข: {fix_th}")


#: Coordinates from which a projection is split over threads (a national tambon layer holds 1.5 M).
_THREADED_PROJECTION = 200_000


def projected(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> Any:
    """The layer in ``settings.analysis_crs``, for areas (m²) and distances (m).

    ``gdf.to_crs(settings.analysis_crs)``, coordinate for coordinate (the same PROJ pipeline); a large
    layer's coordinates are transformed on every thread.
    """
    if gdf.crs is None:
        raise CRSError("a layer without a CRS cannot be measured; set its CRS first.")
    target = CRS.from_user_input(settings.analysis_crs)
    geoms = np.asarray(gdf.geometry.values)
    threads = thread_count()
    if threads == 1 or gdf.crs.is_exact_same(target) or shapely.has_z(geoms).any():
        return gdf.to_crs(target)
    xy = shapely.get_coordinates(geoms)
    if len(xy) < _THREADED_PROJECTION:
        return gdf.to_crs(target)
    source, cuts = gdf.crs, np.linspace(0, len(xy), threads + 1).astype(int)

    def part(i: int) -> np.ndarray:
        # PROJ releases the GIL, but calls on one transformer take turns: one transformer a thread
        # (made as geopandas makes its own). National tambon, 1.5 M coordinates: 0.25 → 0.12 s.
        transformer = Transformer.from_crs(source, target, always_xy=True)
        return np.column_stack(transformer.transform(xy[cuts[i]:cuts[i + 1], 0], xy[cuts[i]:cuts[i + 1], 1]))

    with ThreadPoolExecutor(threads) as pool:
        moved = np.concatenate(list(pool.map(part, range(threads))))
    # Named as the geometry column (a GeoSeries is its own): it replaces that column of a frame.
    series = gpd.GeoSeries(shapely.set_coordinates(geoms.copy(), moved), index=gdf.index, crs=target,
                           name=gdf.geometry.name)
    return series if isinstance(gdf, gpd.GeoSeries) else gdf.set_geometry(series)


def thread_count() -> int:
    """Threads for geometry and array work: ``settings.threads``, else every core."""
    return settings.threads or settings.cores()


#: Slices of a threaded job for each thread (see :func:`threaded`).
_SLICES_PER_THREAD = 4


def threaded(fn: Callable[..., tuple[np.ndarray, ...]], *arrays: np.ndarray,
             min_chunk: int = 50_000, keys: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """``fn`` over equal slices of ``arrays`` in ``settings.threads`` threads, results joined.

    ``fn`` returns a tuple of arrays; shapely's vectorised functions release the
    GIL, so large joins run on all cores. Small inputs run in the calling thread.

    ``keys`` (sorted, one per row): slices end where the key changes, so rows of one key run in one
    thread. Pass the positions of a *prepared* geometry: GEOS builds a prepared geometry's indexes
    on first use and that is not thread-safe (libgeos/geos#825) — two threads testing points in one
    prepared polygon corrupted the heap ("double free or corruption") at 100,000 points.
    """
    n = len(arrays[0])
    threads = max(1, min(thread_count(), n // min_chunk))
    if threads == 1:
        return fn(*arrays)
    # Four slices a thread, taken in turn: a slice of heavier rows (a coastline's tambon, a dense
    # district) no longer holds up a thread the other one waits on (P2: 2.6 → 2.2 s of overlays).
    k = min(threads * _SLICES_PER_THREAD, n // min_chunk)
    bounds = np.linspace(0, n, k + 1).astype(int)
    if keys is not None:  # move each inner bound on to where a new key starts
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        inner = starts[np.minimum(np.searchsorted(starts, bounds[1:-1]), len(starts) - 1)]
        inner = np.where(inner < bounds[1:-1], n, inner)  # past the last key's start: to the end
        bounds = np.unique(np.r_[0, inner, n])
    with ThreadPoolExecutor(threads) as pool:
        parts = list(pool.map(lambda i: fn(*(a[bounds[i]:bounds[i + 1]] for a in arrays)),
                              range(len(bounds) - 1)))
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))


def repair(geoms: np.ndarray) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Invalid geometries (a self-intersecting bow-tie, overlapping rings) made valid with
    ``shapely.make_valid`` (structure method: the area a surveyor meant), and where each
    was repaired with GEOS's reason, so the caller reports it; empties stay as they are."""
    geoms = np.asarray(geoms, dtype=object)
    # A point has nothing to repair (GEOS calls one with a non-finite coordinate invalid, and the
    # join reports it as outside every village): a million project points skip the check.
    present = shapely.get_type_id(geoms) > 0
    invalid = np.zeros(len(geoms), dtype=bool)
    invalid[present] = ~shapely.is_valid(geoms[present])
    if not invalid.any():
        return geoms, []
    out = geoms.copy()
    positions = np.flatnonzero(invalid)
    reasons = [shapely.is_valid_reason(g) for g in geoms[positions]]
    out[positions] = shapely.make_valid(geoms[positions], method="structure", keep_collapsed=False)
    return out, list(zip(positions.tolist(), reasons, strict=True))
