"""Outputs: nothing executed, nothing overwritten, nothing half written, every file accounted for."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

import planmap_gis as pm
from planmap_gis import _commands
from planmap_gis.cli import main

from .conftest import PAYLOADS, agency_sheet

RUN = ["-q", "run", "--province", "80", "--no-atlas"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _formula_cells(path: Path) -> list[str]:
    book = load_workbook(path)
    return [f"{s.title}!{c.coordinate}" for s in book.worksheets for row in s.iter_rows() for c in row
            if c.data_type == "f"]


def _live_csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    live = []
    for cell in cells:
        if cell.startswith(TRIGGERS):
            try:
                float(cell)  # a negative number is data
            except ValueError:
                live.append(cell)
    return live


def test_no_text_from_a_sheet_becomes_a_formula_anywhere(injected_sheet, tmp_path, capsys):
    out = tmp_path / "out"
    assert main([*RUN, "--projects", str(injected_sheet), "--out", str(out)]) == 0
    for book in (out / "matrix.xlsx", out / "tables" / "tables.xlsx", out / "import_report.xlsx"):
        assert _formula_cells(book) == [], book
    names = [c.value for s in load_workbook(out / "matrix.xlsx").worksheets for row in s.iter_rows()
             for c in row if isinstance(c.value, str)]
    assert "=cmd|' /C calc'!A0" in names  # kept as the agency typed it, as text
    for table in (out / "tables").glob("*.csv"):
        assert _live_csv_cells(table) == [], table
    report = tmp_path / "report.csv"
    assert main(["-q", "validate", str(injected_sheet), "--report", str(report)]) in (0, 1)
    assert _live_csv_cells(report) == []
    assert main(["-q", "validate", str(injected_sheet), "--report", str(tmp_path / "r.xlsx")]) in (0, 1)
    assert _formula_cells(tmp_path / "r.xlsx") == []


def test_written_sheets_read_back_with_the_payloads_intact(injected_sheet, tmp_path):
    projects, _ = pm.read_projects(injected_sheet, boundaries=pm.read_boundaries(province="80")[0])
    again, _ = pm.read_projects(pm.write_projects(projects, tmp_path / "back.xlsx"))
    assert _formula_cells(tmp_path / "back.xlsx") == []
    assert again.name_th.tolist() == projects.name_th.tolist() == [p.strip() for p in PAYLOADS]


def test_an_output_never_overwrites_an_input(injected_sheet, tmp_path, capsys):
    before = injected_sheet.read_bytes()
    assert main(["-q", "validate", str(injected_sheet), "--report", str(injected_sheet)]) == 2
    assert injected_sheet.read_bytes() == before
    assert "would overwrite the input" in capsys.readouterr().err
    out = tmp_path / "out"
    assert main([*RUN, "--projects", str(injected_sheet), "--out", str(out)]) == 0
    workspace = out / "workspace.gpkg"
    kept = workspace.read_bytes()
    assert main(["-q", "webmap", str(workspace), "--out", str(workspace)]) == 2
    assert main(["-q", "atlas", str(workspace), "--out", str(workspace)]) == 2
    assert workspace.read_bytes() == kept
    err = capsys.readouterr().err
    assert "ไม่ได้เขียนอะไร" in err and "Traceback" not in err
    # An agency's sheet saved as matrix.xlsx inside the output folder is an input too.
    inside = agency_sheet(out / "matrix.xlsx", [["A-1", "ถนน", "อบต.", "", "ถนน", 2569, 1000, "ต.ท่างิ้ว"]])
    sheet_bytes = inside.read_bytes()
    assert main([*RUN, "--projects", str(inside), "--out", str(out)]) == 2
    assert inside.read_bytes() == sheet_bytes


def test_out_naming_a_file_is_a_clear_error(injected_sheet, tmp_path, capsys):
    target = tmp_path / "notes.txt"
    target.write_text("ของเดิม")
    assert main([*RUN, "--projects", str(injected_sheet), "--out", str(target)]) == 2
    assert target.read_text() == "ของเดิม"
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and "ไม่ใช่โฟลเดอร์" in err


def test_an_out_that_cannot_take_the_outputs_stops_the_run_before_anything_is_read(injected_sheet, tmp_path,
                                                                                 monkeypatch, capsys):
    # A national run reads and analyses for a minute: an --out that cannot be written is said first.
    read = []
    monkeypatch.setattr(_commands, "read_project_files", lambda *a, **k: read.append(a) or pytest.fail("read"))
    target = tmp_path / "notes.txt"
    target.write_text("ของเดิม")
    assert main([*RUN, "--projects", str(injected_sheet), "--out", str(target)]) == 2
    inside = tmp_path / "out" / "matrix.xlsx"  # an agency's sheet where the matrix would go
    inside.parent.mkdir()
    inside.write_bytes(injected_sheet.read_bytes())
    assert main([*RUN, "--projects", str(inside), "--out", str(inside.parent)]) == 2
    assert read == [] and target.read_text() == "ของเดิม" and inside.read_bytes() == injected_sheet.read_bytes()
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and "would overwrite the input" in err


def test_reports_of_same_named_files_from_two_agencies_are_both_kept(tmp_path, capsys):
    row = ["แหล่งน้ำ", 2569, 50_000, "ต.ท่างิ้ว อ.เมืองนครศรีธรรมราช"]
    first = agency_sheet(tmp_path / "เกษตร" / "โครงการ.xlsx", [["K-1", "ฝาย", "เกษตร", "", *row]])
    second = agency_sheet(tmp_path / "ชลประทาน" / "โครงการ.xlsx", [["C-1", "คลอง", "ชป.", "", *row],
                                                                   ["K-1", "ฝายซ้ำ", "ชป.", "", *row]])
    out = tmp_path / "out"
    assert main([*RUN, "--projects", str(first), str(second), "--out", str(out)]) == 0
    summary = load_workbook(out / "import_report.xlsx")["summary"]
    inputs = [r[0] for r in summary.iter_rows(min_row=2, values_only=True)]
    assert str(first) in inputs and str(second) in inputs
    problems = load_workbook(out / "import_report.xlsx")["problems"]
    clash = [r for r in problems.iter_rows(values_only=True) if r and "is already used in" in str(r)]
    assert clash and str(first) in str(clash[0]) and str(second) in str(clash[0])


def test_the_folder_says_what_it_holds_and_drops_stale_outputs(injected_sheet, tmp_path):
    out = tmp_path / "out"
    assert main(["-q", "run", "--province", "80", "--projects", str(injected_sheet), "--out", str(out)]) == 0
    assert (out / "atlas.pdf").is_file()
    manifest = json.loads((out / "outputs.json").read_text("utf-8"))
    listed = {e["path"] for e in manifest["outputs"]}
    assert {"workspace.gpkg", "webmap.html", "atlas.pdf", "matrix.xlsx", "tables/tables.xlsx"} <= listed
    assert manifest["inputs"][0]["path"] == str(injected_sheet) and len(manifest["inputs"][0]["sha256"]) == 64
    assert main([*RUN, "--projects", str(injected_sheet), "--out", str(out)]) == 0  # now without the atlas
    assert not (out / "atlas.pdf").exists()  # it would have looked current
    again = json.loads((out / "outputs.json").read_text("utf-8"))
    assert "atlas.pdf" not in {e["path"] for e in again["outputs"]}
    for entry in again["outputs"]:
        assert (out / entry["path"]).stat().st_size == entry["bytes"]


def test_a_second_run_into_the_same_folder_stops_while_the_first_writes(injected_sheet, tmp_path, capsys):
    from planmap_gis._output import folder_lock

    out = tmp_path / "out"
    with folder_lock(out):  # as a first run holds it
        assert main([*RUN, "--projects", str(injected_sheet), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "another planmap run" in err and "กำลังเขียนลงโฟลเดอร์นี้" in err
    assert main([*RUN, "--projects", str(injected_sheet), "--out", str(out)]) == 0  # free again


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_a_message(injected_sheet, tmp_path, capsys):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    assert main([*RUN, "--projects", str(injected_sheet), "--out", str(out)]) == 2
    assert "Permission denied" in capsys.readouterr().err


@pytest.mark.slow
def test_sigkill_at_any_moment_leaves_the_previous_workspace_readable(injected_sheet, tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "planmap_gis.cli", *RUN, "--projects", str(injected_sheet),
               "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True)
    good = pm.open_workspace(out / "workspace.gpkg").summary()
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    whole = time.perf_counter() - start
    for fraction in (0.2, 0.5, 0.7, 0.85, 0.95):
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(whole * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert pm.open_workspace(out / "workspace.gpkg").summary() == good, fraction
        for name in ("webmap.html", "matrix.xlsx"):
            assert not (out / name).exists() or (out / name).stat().st_size > 0
        load_workbook(out / "matrix.xlsx")  # never half a workbook
    subprocess.run(command, check=True, capture_output=True)  # and the next run cleans up
    assert not list(out.glob(".*.part.*"))


@pytest.mark.parametrize(("code", "said"), [(28, "disk is full"), (13, "choose a folder you may write to")])
def test_a_full_disk_or_a_refused_write_is_a_message_and_keeps_the_previous_outputs(
        injected_sheet, tmp_path, capsys, monkeypatch, code, said):
    from planmap_gis.draw import outputs

    out = tmp_path / "out"
    assert main([*RUN, "--projects", str(injected_sheet), "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.glob("*.*")}

    def no_room(plan, path, **kwargs):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(outputs, "save_matrix", no_room)  # in a forked lane: raised here all the same
    assert main([*RUN, "--projects", str(injected_sheet), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert said in err and "matrix.xlsx" in err and "แก้ไข" in err and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in out.glob("*.*")}.keys() == before.keys()
    assert (out / "matrix.xlsx").read_bytes() == before["matrix.xlsx"]
    assert (out / "outputs.json").read_bytes() == before["outputs.json"]  # still says what is there


def test_an_input_inside_the_tables_folder_is_refused(injected_sheet, tmp_path, capsys):
    out = tmp_path / "out"
    inside = agency_sheet(out / "tables" / "my_projects.xlsx",
                          [["T-1", "ถนน", "อบต.", "", "ถนน", 2569, 1000, "ต.ท่างิ้ว"]])
    before = inside.read_bytes()
    assert main([*RUN, "--projects", str(inside), "--out", str(out)]) == 2
    assert inside.read_bytes() == before and "would overwrite the input" in capsys.readouterr().err
