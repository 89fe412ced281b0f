"""The workspace in a real PostgreSQL + PostGIS server (tools/postgis.sh starts one on loopback).

The database URL comes from $PLANMAP_TEST_DATABASE (set by `make test`); without it the tests
are skipped, and under CI they fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pandas as pd
import pytest

import planmap_gis as pm
from planmap_gis import demo

URL = os.environ.get("PLANMAP_TEST_DATABASE")
if not URL:
    if os.environ.get("CI"):
        pytest.fail("CI needs a PostGIS server: run `make test` (tools/postgis.sh).", pytrace=False)
    pytest.skip("no PostGIS server: set PLANMAP_TEST_DATABASE (`bash tools/postgis.sh` prints one).",
                allow_module_level=True)
if not URL.startswith(("postgresql://", "postgres://")):
    pytest.fail(f"PLANMAP_TEST_DATABASE must be a postgresql:// URL, got {URL!r}", pytrace=False)
sqlalchemy = pytest.importorskip("sqlalchemy")


@pytest.fixture()
def schema():
    name = f"test_{uuid.uuid4().hex[:8]}"
    yield name
    engine = sqlalchemy.create_engine(URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    engine.dispose()


def sql(query: str):
    engine = sqlalchemy.create_engine(URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = conn.execute(sqlalchemy.text(query)).all()
    engine.dispose()
    return rows


@pytest.fixture(scope="module")
def plan(nst_path):
    data = demo.load(boundaries=nst_path)
    areas = pm.village_areas(data.villages, data.tambons)
    return pm.analyse(data.tambons, data.projects, villages=areas, indicators=data.indicators,
                      master_plans=data.master_plans, permutations=99, notes=(data.note_en,))


def test_a_plan_round_trips_through_postgis_as_through_a_geopackage(plan, schema, tmp_path):
    pm.save_workspace(plan, URL, schema=schema)
    pm.save_workspace(plan, tmp_path / "workspace.gpkg")

    from_db = pm.open_workspace(URL, schema=schema)
    from_file = pm.open_workspace(tmp_path / "workspace.gpkg")

    for name in ("allocation", "lorenz"):
        pd.testing.assert_frame_equal(getattr(from_db, name), getattr(from_file, name), check_dtype=False)
    for level in ("village", "tambon", "amphoe"):
        pd.testing.assert_frame_equal(from_db.metrics[level], from_file.metrics[level], check_dtype=False)
        pd.testing.assert_frame_equal(from_db.alignment[level], from_file.alignment[level], check_dtype=False)
    assert from_db.villages.geometry.geom_equals(from_file.villages.geometry).all()
    assert from_db.projects.project_id.tolist() == plan.projects.project_id.tolist()
    assert from_db.projects.area_codes.tolist() == from_file.projects.area_codes.tolist()
    assert from_db.reports.keys() == from_file.reports.keys()
    assert from_db.hotspots.attrs == from_file.hotspots.attrs
    # Spatial layers are PostGIS geometry columns in EPSG:4326, as QGIS expects.
    rows = sql(f"SELECT f_table_name, srid FROM geometry_columns WHERE f_table_schema = '{schema}'")
    footprints = {name for name in ("project_points", "project_lines", "project_areas")
                  if plan.projects.geometry.notna().any()}
    assert {"tambon", "amphoe", "villages"} < {name for name, _ in rows}
    assert {name for name, _ in rows} - {"tambon", "amphoe", "villages"} <= footprints
    located = from_file.projects.geometry.notna()
    assert (from_db.projects.geometry.notna() == located).all() and located.any()
    assert from_db.projects.geometry[located].geom_equals(from_file.projects.geometry[located]).all()
    assert {srid for _, srid in rows} == {4326}
    assert sql(f'SELECT count(*) FROM "{schema}".allocation')[0][0] == len(plan.allocation)


@pytest.mark.slow
def test_planmap_run_writes_to_the_database_and_draws_from_it(plan, schema, tmp_path, nst_path):
    sheets = demo.write_demo_sheets(demo.load(boundaries=nst_path), tmp_path / "sheets")
    planmap = [sys.executable, "-m", "planmap_gis.cli", "--quiet"]
    done = subprocess.run([*planmap, "run", "--boundaries", str(nst_path), "--projects",
                           str(sheets["projects_long"]), "--villages", str(sheets["villages"]),
                           "--out", str(tmp_path / "out"), "--no-atlas", "--database", URL,
                           "--schema", schema], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"Workspace (PostGIS, schema {schema})" in done.stdout
    assert "planmap_test:***@" in done.stdout  # the password is not printed
    assert not (tmp_path / "out" / "workspace.gpkg").exists()
    assert sql(f'SELECT count(*) FROM "{schema}".villages')[0][0] == len(plan.villages)

    drawn = subprocess.run([*planmap, "webmap", URL, "--schema", schema, "--out", str(tmp_path / "w.html")],
                           capture_output=True, text=True)
    assert drawn.returncode == 0, drawn.stderr
    assert (tmp_path / "w.html").stat().st_size > 100_000


def test_clear_errors_for_a_wrong_server_or_schema(plan):
    with pytest.raises(pm.PlanmapError, match="cannot connect.*Check the URL"):
        pm.save_workspace(plan, "postgresql://nobody:x@127.0.0.1:1/none")
    with pytest.raises(pm.PlanmapError, match="lower-case letters"):
        pm.save_workspace(plan, URL, schema="Bad-Name")
    with pytest.raises(pm.InputFileError, match="not a planmap workspace; missing layers"):
        pm.open_workspace(URL, schema="no_such_schema")
