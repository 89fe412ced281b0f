"""The planmap command as a user runs it: demo, run, validate, webmap, atlas, boundaries."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pyogrio
import pytest
from openpyxl import Workbook

from planmap_gis import _commands
from planmap_gis.cli import main


@pytest.fixture(scope="module")
def demo_out(nst_path, tmp_path_factory):
    """`planmap demo` on the real layer, once for the module (atlas included)."""
    out = tmp_path_factory.mktemp("demo")
    mp = pytest.MonkeyPatch()
    mp.setenv("PLANMAP_BOUNDARIES", str(nst_path.parent))
    try:
        assert main(["-q", "demo", "--out", str(out)]) == 0
    finally:
        mp.undo()
    return out


@pytest.mark.slow
def test_demo_writes_every_output(demo_out):
    layers = [name for name, _ in pyogrio.list_layers(demo_out / "workspace.gpkg")]
    assert {"tambon", "amphoe", "villages", "projects", "allocation", "metrics_village",
            "equity", "hotspots", "priorities", "import_report"} <= set(layers)
    assert (demo_out / "atlas.pdf").read_bytes()[:5] == b"%PDF-"
    assert (demo_out / "webmap.html").stat().st_size > 100_000
    tables = demo_out / "tables"
    assert (tables / "metrics_village.csv").read_text("utf-8-sig").startswith("village_code,")
    with pd.ExcelFile(tables / "tables.xlsx", engine="calamine") as book:
        assert "equity" in book.sheet_names
    equity = pd.read_csv(tables / "equity.csv", index_col=0)
    assert equity.index.tolist() == ["all", "layer_1", "layer_2", "layer_3", "layer_4"]
    assert sorted(p.name for p in (demo_out / "sheets").iterdir()) == [
        "facilitators.xlsx", "indicators.xlsx", "master_plans.xlsx", "projects_long.xlsx", "projects_wide.xlsx",
        "proposals.xlsx", "villages.csv"]
    assert {"needs", "alignment_village", "alignment_amphoe", "support_project", "facilitator_register"} <= set(layers)
    with pd.ExcelFile(demo_out / "matrix.xlsx", engine="calamine") as book:
        assert book.sheet_names[:2] == ["อ่านก่อน", "จังหวัด"] and "ช่องว่าง" in book.sheet_names


def test_screen_the_demo_proposals_from_the_workspace(demo_out, tmp_path, capsys):
    """`planmap screen` reads the proposal sheet as agencies write it, against the demo's workspace."""
    with pd.ExcelFile(demo_out / "screening.xlsx", engine="calamine") as book:  # the demo wrote one
        assert book.sheet_names[:3] == ["proposals", "suggested_set", "stability"]
    out = tmp_path / "screen"
    code = main(["-q", "screen", "--plan", str(demo_out / "workspace.gpkg"), "--proposals",
                 str(demo_out / "sheets" / "proposals.xlsx"), "--budget", "2=20000000", "--budget", "3=5 ล้าน",
                 "--budget", "1=12,000,000", "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "suggested set" in text and "layers without a cap, not limited: 4" in text and "nan" not in text
    table = pd.read_excel(out / "screening.xlsx", sheet_name="proposals", engine="calamine")
    order = {"เติมช่องว่าง": 0, "ผสม (ทั้งเติมช่องว่างและซ้ำ)": 1, "ซ้ำกับงานที่มีอยู่": 2,
             "อยู่นอกความจำเป็นของจังหวัด": 3}
    ranks = table["ผลการคัดกรอง"].map(order)
    assert ranks.notna().all() and ranks.is_monotonic_increasing and len(table) == 60
    chosen = table[table["อยู่ในชุดที่เสนอ / in the suggested set"]]
    layer2 = chosen[chosen["ชั้นงบ / budget layer"] == 2]["งบประมาณ (บาท) / budget (THB)"].sum()
    assert 0 < layer2 <= 20_000_000
    assert (table.loc[~table["อยู่ในชุดที่เสนอ / in the suggested set"], "why left out"].str.len() > 0).all()
    layers = [name for name, _ in pyogrio.list_layers(out / "screening.gpkg")]
    assert layers == ["proposals"]
    html = (out / "screening_webmap.html").read_text("utf-8")
    assert "ข้อเสนอโครงการ (สีตามผลการคัดกรอง)" in html
    assert main(["-q", "screen", "--plan", str(demo_out / "workspace.gpkg"), "--proposals",
                 str(demo_out / "sheets" / "proposals.xlsx"), "--budget", "two=5", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--budget 'two=5'" in err and "ข้อผิดพลาด" in err and "Traceback" not in err
    assert main(["-q", "screen", "--plan", str(demo_out / "workspace.gpkg"), "--proposals",
                 str(demo_out / "sheets" / "proposals.xlsx"), "--weight", "gaps=2", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "unknown weight 'gaps'" in err and "ไม่มีน้ำหนัก" in err and "Traceback" not in err
    # outputs inside the proposals folder would be read as proposals next time: refused, nothing written
    folder = tmp_path / "returned"
    folder.mkdir()
    (folder / "proposals.xlsx").write_bytes((demo_out / "sheets" / "proposals.xlsx").read_bytes())
    assert main(["-q", "screen", "--plan", str(demo_out / "workspace.gpkg"), "--proposals", str(folder),
                 "--out", str(folder / "out")]) == 2
    assert "inside the proposals folder" in capsys.readouterr().err and not (folder / "out").exists()


def test_run_on_the_demo_sheets_reproduces_the_demo_metrics(demo_out, nst_path, tmp_path, capsys):
    sheets = demo_out / "sheets"
    code = main(["-q", "run", "--province", "80",  # the layer the demo drew on: the packaged one
                 "--projects", str(sheets / "projects_long.xlsx"),
                 "--villages", str(sheets / "villages.csv"),
                 "--indicators", str(sheets / "indicators.xlsx"),
                 "--master-plans", str(sheets / "master_plans.xlsx"), "--out", str(tmp_path), "--no-atlas"])
    assert code == 0
    out = capsys.readouterr().out
    assert "301 rows, 300 loaded, 1 rejected" in out  # the totals row, skipped and reported
    aligned = pd.read_csv(tmp_path / "tables" / "alignment_village.csv", index_col=0)
    expected = pd.read_csv(demo_out / "tables" / "alignment_village.csv", index_col=0)
    assert aligned.n_met.sum() == expected.n_met.sum() and (aligned.n_met == expected.n_met).all()
    demo = pd.read_csv(demo_out / "tables" / "metrics_village.csv", index_col=0)
    again = pd.read_csv(tmp_path / "tables" / "metrics_village.csv", index_col=0)
    assert again.index.equals(demo.index)
    assert (again.n_projects == demo.n_projects).all()
    # Coordinates pass through the sheets at 7 decimals, so village areas move by millimetres.
    assert again.budget_thb.sum() == pytest.approx(demo.budget_thb.sum(), abs=0.01)
    assert (again.budget_thb - demo.budget_thb).abs().max() < 1e-3 * demo.budget_thb.max()
    equity = pd.read_csv(tmp_path / "tables" / "equity.csv", index_col=0)
    reference = pd.read_csv(demo_out / "tables" / "equity.csv", index_col=0)
    assert equity.gini.to_numpy() == pytest.approx(reference.gini.to_numpy(), abs=1e-6)
    report = pd.read_excel(tmp_path / "import_report.xlsx", sheet_name="summary", engine="calamine")
    assert report.rows_in.sum() == report.rows_loaded.sum() + report.rows_rejected.sum()


def test_run_with_several_agency_sheets(demo_out, nst_path, tmp_path, capsys):
    sheets = demo_out / "sheets"
    code = main(["-q", "run", "--boundaries", str(nst_path), "--projects",
                 str(sheets / "projects_long.xlsx"), str(sheets / "projects_wide.xlsx"),
                 "--out", str(tmp_path), "--no-atlas"])
    assert code == 0
    report = pd.read_excel(tmp_path / "import_report.xlsx", sheet_name="problems", engine="calamine")
    earlier = str(sheets / "projects_long.xlsx")  # named by path: two agencies may share a file name
    clashes = report[report.message_en.str.contains(f"already used in {earlier}", regex=False, na=False)]
    assert len(clashes) == 300  # the wide sheet repeats every project: each rejected and named
    assert "300 placed" in capsys.readouterr().out


def broken_sheet(path):
    book = Workbook()
    sheet = book.active
    sheet.append(["บัญชีโครงการ อบต.ทดสอบ"])
    sheet.append([])
    sheet.append(["รหัสโครงการ", "ชื่อโครงการ", "หน่วยงาน", "งบประมาณ (บาท)", "ปีงบประมาณ", "พื้นที่ดำเนินการ"])
    sheet.append(["X1", "ถนน", "อบต.", "1,000,000", 2026, "ต.ท่างิ้ว"])
    sheet.append(["X2", "ฝาย", "อบต.", "-50", 2569, "ต.ไม่มีจริง"])
    sheet.append(["X3", "อบรม", "อบต.", "สองแสน", 2569, "ปากแพรก"])
    book.save(path)
    return path


def test_validate_prints_the_row_report_and_exits_2(nst_path, tmp_path, capsys):
    sheet = broken_sheet(tmp_path / "agency.xlsx")
    code = main(["-q", "validate", str(sheet), "--boundaries", str(nst_path),
                 "--report", str(tmp_path / "report.xlsx")])
    out = capsys.readouterr().out
    assert code == 2
    assert "มีแถวที่นำเข้าไม่ได้ / rows rejected: 1 of 3 rows loaded" in out
    assert "a budget cannot be negative" in out and "not an amount in baht" in out
    problems = pd.concat([pd.read_excel(tmp_path / "report.xlsx", sheet_name=s, engine="calamine")
                          for s in ("problems", "notes")])  # errors and warnings first, the notes apart
    assert set(problems.row) == {4, 5, 6}
    assert problems.query("row == 6").message_en.str.contains("ambiguous").any()  # all problems, not the first
    assert problems.query("row == 5").message_en.str.contains("no such area").any()


def test_validate_clean_and_warning_exit_codes(demo_out, nst_path, tmp_path, capsys):
    assert main(["-q", "validate", str(demo_out / "sheets" / "indicators.xlsx")]) == 0
    book = Workbook()
    book.active.append(["รหัสโครงการ", "ชื่อโครงการ", "หน่วยงาน", "งบประมาณ", "พื้นที่ดำเนินการ"])
    book.active.append(["W1", "อบรม", None, 1000, "ต.ท่างิ้ว"])  # no agency: a warning
    book.save(tmp_path / "w.xlsx")
    assert main(["-q", "validate", str(tmp_path / "w.xlsx"), "--boundaries", str(nst_path)]) == 1
    assert "warnings" in capsys.readouterr().out


@pytest.mark.slow
def test_webmap_and_atlas_from_a_workspace(demo_out, tmp_path, capsys):
    html, pdf = tmp_path / "map.html", tmp_path / "atlas.pdf"
    assert main(["-q", "webmap", str(demo_out / "workspace.gpkg"), "--out", str(html),
                 "--layer", "n_projects@tambon", "--lang", "en"]) == 0
    assert "Number of projects (tambon)" in html.read_text("utf-8")
    assert main(["-q", "atlas", str(demo_out / "workspace.gpkg"), "--out", str(pdf), "--paper", "A4",
                 "--metric", "strength_index", "--no-project-sheets", "--processes", "1"]) == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    # overview, unmet needs (the demo has master plans), need × budget, facilitators, then one per amphoe:
    # as many as the command said and the PDF holds
    pages = int(re.search(r"A4, (\d+) pages", capsys.readouterr().out).group(1))
    assert pages == len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes())) == 4 + 23
    # the demo's own atlas (A3) adds the screening pages and every amphoe's project sheet
    demo_pages = len(re.findall(rb"/Type\s*/Page[^s]", (demo_out / "atlas.pdf").read_bytes()))
    assert demo_pages >= 4 + 2 + 2 * 23


@pytest.mark.slow
def test_demo_on_a_fresh_machine_maps_the_real_province(no_reference, tmp_path, capsys):
    assert main(["-q", "demo", "--out", str(tmp_path), "--no-atlas"]) == 0
    out = capsys.readouterr().out
    assert "นครศรีธรรมราช (Nakhon Si Thammarat)" in out and "packaged with planmap-gis" in out
    assert "170 tambon, 23 amphoe" in out
    assert main(["-q", "demo", "--fictional", "--out", str(tmp_path / "f"), "--no-atlas"]) == 0
    assert "fictional province" in capsys.readouterr().out


@pytest.mark.parametrize("given", ["0", "two", "-1"])
def test_processes_is_a_whole_number_of_one_or_more(given, tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["run", "--province", "80", "--projects", str(tmp_path), "--out", str(tmp_path / "out"),
              "--processes", given])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and "a whole number of 1 or more" in err and "จำนวนเต็ม" in err
    assert not (tmp_path / "out").exists()


def test_user_mistake_exits_2_without_traceback(tmp_path, capsys):
    code = main(["boundaries", "check", str(tmp_path / "missing.geojson")])
    err = capsys.readouterr().err
    assert code == 2
    assert "missing.geojson: file not found" in err and "Traceback" not in err
    assert main(["-q", "webmap", str(tmp_path / "nothing.gpkg")]) == 2


def test_boundaries_check_writes_the_report(nst_path, tmp_path, capsys):
    report = tmp_path / "report.xlsx"
    assert main(["boundaries", "check", str(nst_path), "--report", str(report)]) == 0
    problems = pd.read_excel(report, sheet_name="problems", engine="calamine")
    assert "เมืองนครศรีธรรมร" in problems.value.tolist()
    assert "170 tambon, 23 amphoe" in capsys.readouterr().out


THAI = re.compile("[\u0e00-\u0e7f]")


@pytest.mark.parametrize("command", [["run"], ["demo"], ["validate"], ["webmap"], ["atlas"],
                                     ["boundaries", "fetch"], ["boundaries", "check"], ["assets", "check"]])
def test_every_option_is_explained_in_english_and_thai(command):
    result = subprocess.run([sys.executable, "-m", "planmap_gis.cli", *command, "--help"],
                            capture_output=True, text=True, check=True)
    options = re.split(r"\n(?=  \S)", result.stdout.split("options:", 1)[1])[1:]
    assert options, result.stdout
    for option in options:  # each option's help holds English words and Thai ones
        if option.strip().startswith("-h, --help"):
            continue
        assert THAI.search(option) and re.search("[A-Za-z]{3}", option.split(None, 1)[-1]), option


def test_a_missing_file_is_said_in_english_and_thai(tmp_path, capsys):
    assert main(["-q", "validate", str(tmp_path / "งบ.xlsx")]) == 2
    out = capsys.readouterr().out
    assert "file not found" in out and "ไม่พบไฟล์" in out
    assert main(["-q", "run", "--province", "80", "--projects", str(tmp_path / "none.xlsx"),
                 "--out", str(tmp_path / "o"), "--no-atlas"]) == 2
    err = capsys.readouterr().err
    assert "error: " in err and "none.xlsx: file not found" in err and "ข้อผิดพลาด: " in err
    assert "ไม่พบไฟล์" in err and "Traceback" not in err


def test_run_for_another_province_needs_no_boundary_file(tmp_path, capsys, no_reference):
    import planmap_gis as pm

    songkhla, _ = pm.read_boundaries(province="90")
    book = Workbook()
    book.active.append(["รหัสโครงการ", "ชื่อโครงการ", "หน่วยงาน", "ปีงบประมาณ", "งบประมาณ (บาท)",
                        "พื้นที่ดำเนินการ"])
    for i, code in enumerate(songkhla.tambon_code[:12]):
        book.active.append([f"S-{i}", f"ขุดลอกคลอง {i}", "สำนักงานชลประทานที่ 16", 2569, 500_000 + i, code])
    book.active.append(["S-99", "ถนนเลียบหาด", "อบจ.สงขลา", 2569, 1_000_000, "อ.สิงหนคร"])
    book.save(tmp_path / "songkhla.xlsx")
    assert main(["-q", "run", "--province", "90", "--projects", str(tmp_path / "songkhla.xlsx"),
                 "--out", str(tmp_path / "out"), "--no-atlas"]) == 0
    tambon = pyogrio.read_dataframe(tmp_path / "out" / "workspace.gpkg", layer="tambon")
    assert len(tambon) == len(songkhla) and set(tambon.province_code) == {"90"}
    projects = pyogrio.read_dataframe(tmp_path / "out" / "workspace.gpkg", layer="projects")
    assert len(projects) == 13
    assert "สงขลา" in (tmp_path / "out" / "webmap.html").read_text("utf-8")


def test_an_unknown_province_lists_the_close_matches(tmp_path, capsys):
    assert main(["run", "--province", "นครศรี", "--projects", str(tmp_path / "p.xlsx"),
                 "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no province is called 'นครศรี'" in err and "นครศรีธรรมราช (Nakhon Si Thammarat, 80)" in err
    assert "ไม่พบจังหวัดชื่อ นครศรี" in err
    assert main(["run", "--projects", str(tmp_path / "p.xlsx"), "--out", str(tmp_path)]) == 2
    assert "--province" in capsys.readouterr().err


def test_validate_names_the_project_headers_when_nothing_fits(tmp_path, capsys):
    book = Workbook()
    book.active.append(["ลำดับ", "กิจกรรม", "เงิน", "ที่ไหน"])
    book.active.append([1, "ถนน", "1,000", "ต.ท่างิ้ว"])
    book.save(tmp_path / "wrong_header.xlsx")
    assert main(["-q", "validate", str(tmp_path / "wrong_header.xlsx")]) == 2
    out = capsys.readouterr().out
    assert "no header row found" in out and "name_th" in out and "pass --kind" in out


def test_run_makes_village_areas_beside_the_project_files(demo_out, tmp_path, monkeypatch):
    # A national register (10,000 villages and more) has its areas made in a lane of its own while
    # the projects are read: the same plan and the same reports as one after another.
    sheets = demo_out / "sheets"
    outputs = {}
    for name, threshold in (("beside", 0), ("in turn", 10**9)):
        monkeypatch.setattr(_commands, "LANE_VILLAGES", threshold)
        out = tmp_path / name.replace(" ", "_")
        assert main(["-q", "run", "--province", "80", "--projects", str(sheets / "projects_long.xlsx"),
                     "--villages", str(sheets / "villages.csv"), "--out", str(out), "--no-atlas",
                     "--processes", "2"]) == 0
        summary = pd.read_excel(out / "import_report.xlsx", sheet_name="summary", engine="calamine")
        outputs[name] = (pd.read_csv(out / "tables" / "metrics_village.csv", index_col=0), summary)
    (beside, said), (in_turn, said_in_turn) = outputs["beside"], outputs["in turn"]
    pd.testing.assert_frame_equal(beside, in_turn)
    pd.testing.assert_frame_equal(said, said_in_turn)
    assert {"villages", "village_areas"} <= set(said["input"])  # the register's and the areas' reports
