"""The planmap command as a user runs it."""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
import pyogrio

from planmap_gis.cli import main


def test_demo_writes_a_workspace_on_the_real_layer(nst_path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PLANMAP_BOUNDARIES", str(nst_path.parent))

    assert main(["demo", "--out", str(tmp_path)]) == 0

    out = capsys.readouterr().out
    assert "Illustrative demo data" in out and "1550 villages, 300 projects from 25 agencies" in out
    gpkg = tmp_path / "planmap_demo.gpkg"
    assert [name for name, _ in pyogrio.list_layers(gpkg)] == ["tambon", "amphoe", "villages",
                                                                "projects"]
    villages = gpd.read_file(gpkg, layer="villages")
    assert len(villages) == 1550
    assert {"lon", "lat", "area_method", "strength_index", "strength_class", "hotspot",
            "rank"} <= set(villages.columns)
    projects = gpd.read_file(gpkg, layer="projects")
    assert len(projects) == 300 and projects.area_codes.str.len().gt(0).sum() > 200
    assert (tmp_path / "atlas.pdf").read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "webmap.html").stat().st_size > 100_000
    assert sorted(p.name for p in (tmp_path / "sheets").iterdir()) == [
        "indicators.xlsx", "projects_long.xlsx", "projects_wide.xlsx"]
    assert (tmp_path / "metrics_village.csv").read_text("utf-8-sig").startswith("village_code,")
    assert "Gini" in out and "hot spots" in out
    equity = gpd.pd.read_csv(tmp_path / "equity.csv", index_col=0)
    assert equity.index.tolist() == ["all", "layer_1", "layer_2", "layer_3", "layer_4"]


def test_demo_runs_without_the_real_layer(no_reference, tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    assert "fictional province" in capsys.readouterr().out


def test_user_mistake_exits_2_without_traceback(tmp_path, capsys):
    code = main(["boundaries", "check", str(tmp_path / "missing.geojson")])

    err = capsys.readouterr().err
    assert code == 2
    assert "missing.geojson: file not found" in err and "Traceback" not in err


def test_boundaries_check_writes_the_report(nst_path, tmp_path, capsys):
    report = tmp_path / "report.xlsx"
    assert main(["boundaries", "check", str(nst_path), "--report", str(report)]) == 0
    problems = gpd.pd.read_excel(report, sheet_name="problems")
    assert "เมืองนครศรีธรรมร" in problems.value.tolist()
    assert "170 tambon, 23 amphoe" in capsys.readouterr().out


def test_console_script_is_installed():
    result = subprocess.run([sys.executable, "-m", "planmap_gis.cli", "--help"],
                            capture_output=True, text=True, check=True)
    assert "boundaries" in result.stdout and "แผนที่" in result.stdout
