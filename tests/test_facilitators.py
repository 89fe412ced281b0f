"""Facilitators (คุณอำนวย): a register read like any agency sheet, matched to projects by skill and area."""

from __future__ import annotations

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis._schema import PROJECT_COLUMNS


@pytest.fixture(scope="module")
def layout(fictional):
    """Two tambon T1, T2 of two villages each; four projects; three facilitators.

    P1 เกษตร      village T1-1          A serves T1-1 (เกษตร)
    P2 สาธารณสุข   tambon T2 (T2-1, T2-2) B serves tambon T2 (สาธารณสุข, เกษตร)
    P3 เกษตร      the whole province    C serves T1-2 (การศึกษา)
    P4 การศึกษา    village T2-2
    """
    tambons = fictional[fictional.amphoe_code == fictional.amphoe_code.iloc[0]].iloc[:2].reset_index(drop=True)
    rows = []
    for code, geom in zip(tambons.tambon_code, tambons.geometry, strict=True):
        x0, y0, x1, y1 = geom.bounds
        mid = (x0 + x1) / 2
        for moo, part in enumerate((shapely.box(x0, y0, mid, y1), shapely.box(mid, y0, x1, y1)), start=1):
            rows.append({"village_code": f"{code}{moo:02d}", "tambon_code": code, "geometry": geom.intersection(part)})
    villages = gpd.GeoDataFrame(rows, crs=4326)
    villages["households"] = 100
    villages["population"] = 300
    t1, t2 = tambons.tambon_code
    province = tambons.province_code.iloc[0]
    projects = pd.DataFrame({
        "project_id": ["P1", "P2", "P3", "P4"], "name_th": ["ปุ๋ย", "คัดกรอง", "ข้าว", "ศูนย์เด็ก"],
        "agency": "a", "tier": "central", "budget_layer": 2, "fiscal_year": 2569, "budget_thb": 100_000.0,
        "sector": ["เกษตร", "สาธารณสุข", "เกษตร", "การศึกษา"],
        "area_codes": [[f"{t1}01"], [t2], [province], [f"{t2}02"]],
    }).reindex(columns=list(PROJECT_COLUMNS))
    projects["location_precision"] = ["village", "tambon", "province", "village"]
    projects = gpd.GeoDataFrame(projects, geometry="geometry", crs=4326)
    register = pd.DataFrame({"facilitator": ["A", "B", "C"], "organisation": "o", "management_unit": None,
                             "area_codes": [[f"{t1}01"], [t2], [f"{t1}02"]],
                             "skills": [["เกษตร"], ["สาธารณสุข", "เกษตร"], ["การศึกษา"]],
                             "source_file": "hand", "source_row": [1, 2, 3]})
    return tambons, villages, projects, register


def test_matching_counts_equal_the_hand_count(layout):
    tambons, villages, projects, register = layout
    plan = pm.analyse(tambons, projects, villages=villages, facilitators=register, permutations=0)
    by_project = plan.support["project"]
    assert by_project["facilitators"].tolist() == ["A", "B", "A; B", ""]
    assert by_project["needs_facilitator"].tolist() == [False, False, False, True]
    assert by_project.loc["P4", "support"] == "ต้องการคุณอำนวย (needs a facilitator)"
    assert by_project["n_villages_supported"].tolist() == [1, 2, 3, 0]  # P3: A's 1 + B's 2 of 4
    by_person = plan.support["facilitator"]
    assert by_person["n_projects"].tolist() == [2, 2, 0]
    assert by_person["project_ids"].tolist() == ["P1; P3", "P2; P3", ""]
    # Villages the projects target inside each person's area; the province-wide P3 apart.
    assert by_person["n_targeted_villages"].tolist() == [1, 2, 0]
    assert by_person["n_blanket_projects"].tolist() == [1, 1, 0]
    assert by_person["n_villages_served"].tolist() == [1, 2, 1]
    t1, t2 = tambons.tambon_code
    village = plan.metrics["village"].loc[[f"{t1}01", f"{t1}02", f"{t2}01", f"{t2}02"]]
    assert village["n_unsupported_projects"].fillna(-1).tolist() == [0, -1, 0, 1]  # T1-2: nothing targeted
    assert village["unsupported_sectors"].tolist() == ["", "", "", "การศึกษา"]
    assert plan.metrics["tambon"].loc[[t1, t2], "n_villages_unsupported"].tolist() == [0, 1]


def test_a_facilitator_in_the_same_tambon_counts_as_nearby(layout):
    tambons, villages, projects, register = layout
    t2 = tambons.tambon_code.iloc[1]
    more = pd.concat([register, pd.DataFrame({"facilitator": ["D"], "organisation": "o", "management_unit": None,
                                              "area_codes": [[f"{t2}01"]], "skills": [["การศึกษา"]],
                                              "source_file": "hand", "source_row": [4]})], ignore_index=True)
    plan = pm.analyse(tambons, projects, villages=villages, facilitators=more, permutations=0)
    assert plan.support["project"].loc["P4", "needs_facilitator"]  # D does not serve P4's village …
    assert plan.metrics["village"].loc[f"{t2}02", "n_unsupported_projects"] == 0  # … but works next door


def test_a_register_sheet_is_read_and_contacts_stay_out_unless_asked(layout, tmp_path):
    tambons = layout[0]
    t1, t2 = tambons.tambon_th
    path = tmp_path / "ทะเบียนคุณอำนวย.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ทะเบียนคุณอำนวย อำเภอตัวอย่าง"])
    sheet.append(["ชื่อ-สกุล", "สังกัด", "พื้นที่ที่ดูแล", "ทักษะ", "หน่วยจัดการ", "เบอร์โทร"])
    sheet.append(["นางสมใจ ใจดี", "กศน.", f"ต.{t1}", "เกษตร, อาชีพ", "หน่วยจัดการ 1", "081-111-1111"])
    sheet.append(["นายสมชาย  ดีใจ", "รพ.สต.", f"ต.{t2}", "สุขภาพ / ดนตรี", None, "082-222-2222"])
    sheet.append(["นางสมใจ ใจดี", "กศน.", f"ต.{t2}", "การศึกษา", None, None])
    sheet.append([None, "อบต.", f"ต.{t1}", "สังคม", None, None])
    sheet.append(["นายไม่มี พื้นที่", "อบต.", "ต.ไม่มีจริง", "สังคม", None, None])
    book.save(path)
    register, report = pm.read_facilitators(path, boundaries=tambons)
    assert report.rows_in == 5 and report.rows_loaded == 2 and report.rows_rejected == 3 and report.balanced()
    assert register["facilitator"].tolist() == ["นางสมใจ ใจดี", "นายสมชาย ดีใจ"]
    assert register["skills"].tolist() == [["เกษตร", "เศรษฐกิจชุมชน"], ["สาธารณสุข"]]
    assert register["area_codes"].tolist() == [[tambons.tambon_code.iloc[0]], [tambons.tambon_code.iloc[1]]]
    assert "contact" not in register and "081" not in register.to_string()
    problems = report.problems
    assert problems.query("severity == 'warning' and column == 'skills'").value.tolist() == ["ดนตรี"]
    assert "already listed in row 3" in problems.query("row == 5").message_en.iloc[0]
    assert "the contact column was not read" in problems.message_en.str.cat()
    with_contacts, _ = pm.read_facilitators(path, boundaries=tambons, contact=True)
    assert with_contacts["contact"].tolist() == ["081-111-1111", "082-222-2222"]


def test_the_register_template_is_read_strictly(tmp_path):
    path = pm.template(tmp_path / "ทะเบียน.xlsx", province=80, facilitators=True)
    book = openpyxl.load_workbook(path)
    sheet = book["คุณอำนวย"]
    rows = [["นางสาวสมใจ ใจดี", "รพ.สต.บ้านนา", "8007 ชะอวด", "800701 ชะอวด", 3, "ต.ท่างิ้ว",
             "สาธารณสุข", "สังคม", None, "หน่วยจัดการตำบลชะอวด", "081-234-5678"],
            ["นายสมชาย ดีใจ", None, "8007 ชะอวด", None, None, None, "ดนตรี", None, None, None, None]]
    for r, values in enumerate(rows, start=3):  # the rows below the two header rows
        for c, value in enumerate(values, start=1):
            sheet.cell(r, c, value)
    book.save(path)
    register, report = pm.read_facilitators(path)
    assert register["facilitator"].tolist() == ["นางสาวสมใจ ใจดี"]
    assert register["area_codes"].iloc[0] == ["80070103", "800116"]
    assert register["skills"].iloc[0] == ["สาธารณสุข", "สังคม"]
    error = report.problems.query("severity == 'error'").message_en.iloc[0]
    assert "cell G4" in error and "allowed: เกษตร, แหล่งน้ำ" in error
    assert "contact" not in register and "5678" not in register.to_string()


@pytest.fixture(scope="module")
def demo_plan():
    data = pm.demo.load()
    areas = pm.village_areas(data.villages, data.tambons)
    return data, pm.analyse(data.tambons, data.projects, villages=areas, indicators=data.indicators,
                            facilitators=data.facilitators, permutations=0)


def test_every_demo_project_lists_its_facilitators_or_needs_one(demo_plan):
    data, plan = demo_plan
    support = plan.support["project"]
    assert support.index.tolist() == data.projects.project_id.tolist()
    named = support["support"] != "ต้องการคุณอำนวย (needs a facilitator)"
    assert (named == (support["n_facilitators"] > 0)).all() and named.any() and (~named).any()
    register = data.facilitators.set_index("facilitator")
    for pid, row in support[named].iterrows():  # each one named really has the sector's skill
        for name in row["facilitators"].split("; "):
            assert row["sector"] in register.loc[name, "skills"], (pid, name)
    village = plan.metrics["village"]
    aimed = village["n_targeted_projects"] > 0
    assert village["n_unsupported_projects"].notna().eq(aimed).all()
    assert (village.loc[aimed, "n_unsupported_projects"] <= village.loc[aimed, "n_targeted_projects"]).all()


@pytest.mark.slow
def test_the_demo_outputs_carry_the_match_and_never_a_contact(tmp_path, capsys):
    from planmap_gis.cli import main

    assert main(["--quiet", "demo", "--out", str(tmp_path), "--no-atlas"]) == 0
    assert "projects need a facilitator" in capsys.readouterr().out
    sheets = tmp_path / "sheets"
    assert "08x-xxx-0001" in pd.read_excel(sheets / "facilitators.xlsx", header=2, engine="calamine").to_string()
    out = tmp_path / "run"
    assert main(["--quiet", "run", "--province", "80", "--projects", str(sheets / "projects_long.xlsx"),
                 "--villages", str(sheets / "villages.csv"), "--facilitators", str(sheets / "facilitators.xlsx"),
                 "--out", str(out), "--no-atlas"]) == 0
    written = [p for p in out.rglob("*") if p.is_file()]
    for path in written:
        assert b"08x-xxx" not in path.read_bytes(), path
    with pd.ExcelFile(out / "matrix.xlsx", engine="calamine") as book:
        assert {"คุณอำนวยรายโครงการ", "คุณอำนวย"} <= set(book.sheet_names)
    assert "โครงการที่ไม่มีคุณอำนวยที่มีทักษะในตำบล" in (out / "webmap.html").read_text("utf-8")
    plan = pm.open_workspace(out / "workspace.gpkg")
    assert len(plan.support["project"]) == 300 and len(plan.facilitators) == 60
    assert plan.facilitators["skills"].map(len).min() >= 1
    assert main(["--quiet", "run", "--province", "80", "--projects", str(sheets / "projects_long.xlsx"),
                 "--facilitators", str(sheets / "facilitators.xlsx"), "--with-contacts",
                 "--out", str(tmp_path / "asked"), "--no-atlas"]) == 0
    asked = pd.read_csv(tmp_path / "asked" / "tables" / "support_facilitators.csv")
    assert asked["contact"].str.startswith("08x-xxx-").all()  # kept, as asked


def test_support_through_a_blanket_reach_is_counted_apart():
    """A facilitator anywhere "supports" a province-wide programme: such matches are shown apart."""
    data = demo.load()
    areas = pm.village_areas(data.villages, data.tambons)
    plan = pm.analyse(data.tambons, data.projects, villages=areas, permutations=0, facilitators=data.facilitators)
    table = plan.support["project"]
    blanket = table[table.support_through_blanket_only]
    assert len(blanket) > 0 and (blanket.n_facilitators_in_targets == 0).all()
    precision = plan.projects.set_index("project_id").location_precision
    assert precision.reindex(blanket.index).isin(["province", "amphoe"]).all()
    assert f"{len(blanket)} more are matched only through a province- or amphoe-wide reach" in plan.summary()
