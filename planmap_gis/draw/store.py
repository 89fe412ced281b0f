"""Where a workspace lives: a GeoPackage file, or a schema of a PostGIS database.

Both stores take and give the same frames, so :mod:`planmap_gis.draw.workspace` writes
and reads a Plan the same way in either. A database is named by an SQLAlchemy URL
(``postgresql://user:password@host:5432/db``; the password may come from
``~/.pgpass`` or ``PGPASSWORD`` instead); layers become tables of one schema
(``planmap`` by default), spatial ones with a PostGIS geometry column in
EPSG:4326 written through GeoAlchemy2, so QGIS and SQL clients read them too.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyogrio

from planmap_gis._errors import InputFileError, PlanmapError

#: Column that keeps the row order of a table in the database (SQL tables have none).
ORDER = "_row"
#: Rows written to a GeoPackage table at a time.
WRITE_ROWS = 500_000
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class Store(Protocol):
    name: str

    def clear(self, layers: list[str]) -> None: ...
    def write(self, frame: pd.DataFrame, layer: str) -> None: ...
    def finish(self) -> None: ...
    def abort(self) -> None: ...
    def read(self, layer: str) -> pd.DataFrame: ...
    def layers(self) -> set[str]: ...


def is_database(target: str | Path) -> bool:
    return isinstance(target, str) and target.split(":", 1)[0].split("+", 1)[0] in ("postgresql", "postgres")


def store(target: str | Path, *, schema: str = "planmap", last_change: str | None = None) -> Store:
    """The store for a path (GeoPackage) or a ``postgresql://`` URL (PostGIS)."""
    if is_database(target):
        return PostGISStore(str(target), schema)
    return GeoPackageStore(Path(target), last_change=last_change)


class GeoPackageStore:
    """A GeoPackage written whole to a temporary file beside the target, then moved into place.

    GeoPackage 1.2 (Debian 12's GDAL 3.6 and QGIS 3.22 warn on every open of the 1.4
    that current GDAL writes by default), and ``gpkg_contents.last_change`` fixed to
    ``last_change`` so the same inputs give the same bytes.
    """

    #: What ``gpkg_contents.last_change`` says when no time is given.
    FIXED_TIME = "2000-01-01T00:00:00.000Z"

    def __init__(self, path: Path, *, last_change: str | None = None) -> None:
        self.path, self.name = path, str(path)
        self.tmp = path.with_name(f".{path.stem}.part{path.suffix}")  # GDAL wants .gpkg
        self.last_change = last_change or self.FIXED_TIME

    def clear(self, layers: list[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp.unlink(missing_ok=True)

    def write(self, frame: pd.DataFrame, layer: str) -> None:
        frame = frame if isinstance(frame, gpd.GeoDataFrame) else pd.DataFrame(frame)
        previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": self.last_change})
        try:
            # A large table in slices of rows, each appended: the columnar writer copies what it is
            # given into Arrow first (a national allocation's 3.4 M rows: +0.25 GiB at once).
            for start in range(0, max(len(frame), 1), WRITE_ROWS):
                self._write(frame.iloc[start:start + WRITE_ROWS], layer, append=start > 0)
        finally:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})

    def _write(self, frame: pd.DataFrame, layer: str, *, append: bool) -> None:
        options: dict[str, Any] = {"layer": layer, "driver": "GPKG", "append": append}
        if not self.tmp.exists():
            options["dataset_options"] = {"VERSION": "1.2"}
        try:  # columnar (GDAL's Arrow writer): a national allocation of 3.4 M rows in 4 s, not 13 s
            pyogrio.write_dataframe(frame, self.tmp, use_arrow=True, **options)
        except (pa.ArrowException, NotImplementedError, TypeError):  # a column Arrow cannot hold
            pyogrio.write_dataframe(frame, self.tmp, **options)

    def finish(self) -> None:
        os.replace(self.tmp, self.path)  # the previous workspace stays whole until this instant

    def abort(self) -> None:
        self.tmp.unlink(missing_ok=True)

    def read(self, layer: str) -> pd.DataFrame:
        return pyogrio.read_dataframe(self.path, layer=layer)

    def layers(self) -> set[str]:
        if not self.path.is_file():
            raise InputFileError(f"{self.path}: workspace not found. Write one with `planmap run` "
                                 "or `planmap demo`, or check the path.",
                                 th=f"{self.path}: ไม่พบพื้นที่ทำงาน สร้างด้วย planmap run หรือ planmap demo "
                                    "หรือตรวจที่อยู่ไฟล์")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on a damaged file
                return {name for name, _ in pyogrio.list_layers(self.path)}
        except Exception as exc:  # pyogrio's DataSourceError family: not a GeoPackage, or damaged
            raise InputFileError(
                f"{self.path}: not a readable workspace ({exc}). It may be damaged or not a "
                "GeoPackage. Fix: run `planmap run` (or `planmap demo`) again to write it anew.",
                th=f"{self.path}: อ่านพื้นที่ทำงานไม่ได้ ไฟล์อาจเสียหายหรือไม่ใช่ GeoPackage "
                   "แก้ไข: สั่ง planmap run ใหม่เพื่อสร้างไฟล์",
            ) from exc


class PostGISStore:
    def __init__(self, url: str, schema: str) -> None:
        if not _NAME.match(schema):
            raise PlanmapError(f"schema {schema!r}: use lower-case letters, digits and _ (e.g. planmap).")
        try:
            import geoalchemy2  # noqa: F401  (registers the Geometry type with SQLAlchemy)
            import sqlalchemy
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise PlanmapError('writing to PostGIS needs SQLAlchemy, GeoAlchemy2 and psycopg: '
                               'pip install "planmap-gis[postgis]".') from err
        self._sa = sqlalchemy
        self.schema = schema
        # No pool: every connection closes when its block ends (a workspace is a few calls).
        self.engine = sqlalchemy.create_engine(_driver(url), poolclass=sqlalchemy.pool.NullPool)
        self.name = f"{self.engine.url.render_as_string(hide_password=True)} (schema {schema})"

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        """A connection in a transaction, or a clear error when the server cannot be reached."""
        try:
            connection = self.engine.connect()
        except self._sa.exc.OperationalError as err:
            reason = str(err.orig).strip().splitlines()[0]
            raise PlanmapError(f"{self.name}: cannot connect ({reason}). Check the URL, that the "
                               "server runs, and the user's password.") from err
        with connection, connection.begin():
            yield connection

    def clear(self, layers: list[str]) -> None:
        with self._connect() as conn:
            has_postgis = conn.execute(self._sa.text(
                "SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first()
            if not has_postgis:
                raise PlanmapError(f"{self.name}: the PostGIS extension is not enabled in this database. "
                                   "As its owner run: CREATE EXTENSION postgis;")
            conn.execute(self._sa.text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
            for layer in layers:
                conn.execute(self._sa.text(f'DROP TABLE IF EXISTS "{self.schema}"."{layer}"'))

    def write(self, frame: pd.DataFrame, layer: str) -> None:
        frame = frame.reset_index(drop=True)
        frame.insert(0, ORDER, range(len(frame)))
        with self._connect() as conn:
            if isinstance(frame, gpd.GeoDataFrame):
                frame.to_postgis(layer, conn, schema=self.schema, index=False)
            else:
                pd.DataFrame(frame).to_sql(layer, conn, schema=self.schema, index=False)

    def finish(self) -> None:
        """Each write commits on its own (see :meth:`clear`)."""

    def abort(self) -> None:
        """Nothing to undo beyond the failed write's own transaction."""

    def read(self, layer: str) -> pd.DataFrame:
        query = f'SELECT * FROM "{self.schema}"."{layer}" ORDER BY "{ORDER}"'
        with self._connect() as conn:
            spatial = conn.execute(self._sa.text(
                "SELECT f_geometry_column FROM geometry_columns WHERE f_table_schema = :s "
                "AND f_table_name = :t"), {"s": self.schema, "t": layer}).scalar()
            if spatial:
                frame = gpd.read_postgis(self._sa.text(query), conn, geom_col=spatial)
            else:
                frame = pd.read_sql(self._sa.text(query), conn)
        return frame.drop(columns=ORDER)

    def layers(self) -> set[str]:
        with self._connect() as conn:
            names = self._sa.inspect(conn).get_table_names(schema=self.schema)
        return set(names)


def _driver(url: str) -> str:
    """Use psycopg 3 unless the URL names a driver (SQLAlchemy's default is psycopg2)."""
    scheme, rest = url.split(":", 1)
    return f"postgresql+psycopg:{rest}" if scheme in ("postgresql", "postgres") else url
