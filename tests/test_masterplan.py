"""Village master plans and the alignment rule, on a hand-made 3-village case."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import Workbook

import planmap_gis as pm
from planmap_gis.read.masterplan import sector_key
from tests import layout

# Village 1 and 2 are in tambon 990101, village 3 (99010201) in tambon 990102.
V1, V2, V3 = "99010101", "99010102", "99010201"


def projects() -> gpd.GeoDataFrame:
    base = {"name_en": None, "agency": "x", "tier": "local", "budget_layer": 3, "strategy": None,
            "fiscal_year": 2569, "status": None, "management_unit": None, "facilitator": None,
            "area_shares": None, "source_file": "t", "source_sheet": None, "source_row": 1,
            "geometry": None, "budget_thb": 100.0}
    rows = [
        {"project_id": "health-v1", "name_th": "เยี่ยมบ้าน", "sector": "Health",  # English name of สาธารณสุข
         "area_codes": [V1], "location_precision": "village"},
        {"project_id": "water-t2", "name_th": "ขุดลอก", "sector": "แหล่งน้ำ", "area_codes": ["990102"],
         "location_precision": "tambon"},
    ]
    return gpd.GeoDataFrame([{**base, **r} for r in rows], geometry="geometry", crs=4326)


def needs() -> pd.DataFrame:
    rows = [(V1, "สาธารณสุข", 1), (V1, "แหล่งน้ำ", 2), (V1, "การศึกษา", 3), (V1, "เกษตร", 4),
            (V2, "สุขภาพ", 1),  # a synonym of สาธารณสุข
            (V3, "แหล่งน้ำ", 1), (V3, "สาธารณสุข", 2)]
    return pd.DataFrame([{"unit_code": u, "level": "village", "sector": sector_key(s),
                          "rank": r, "need_th": None, "source_row": i + 2}
                         for i, (u, s, r) in enumerate(rows)])


@pytest.fixture(scope="module")
def plan():
    return pm.analyse(layout.tambons(), projects(), villages=layout.villages(), master_plans=needs(),
                      permutations=9)


def test_top_three_needs_met_in_the_village_or_its_tambon(plan):
    v = plan.alignment["village"]
    # V1: health met in the village; water and education unmet; agriculture is 4th, not counted
    assert v.loc[V1, ["n_needs", "n_met"]].tolist() == [3, 1]
    assert v.loc[V1, "alignment"] == pytest.approx(1 / 3)
    assert v.loc[V1, "unmet_sectors"] == "แหล่งน้ำ; การศึกษา"
    # V2: its health need is met by the project in V1, same tambon
    assert v.loc[V2, "alignment"] == 1 and v.loc[V2, "unmet_sectors"] == ""
    # V3: water met tambon-wide, health not (the health project is in the other tambon)
    assert v.loc[V3, "alignment"] == 0.5 and v.loc[V3, "unmet_sectors"] == "สาธารณสุข"
    assert v.loc["99010202"].isna()["alignment"]  # no master plan: no score
    met = plan.needs.set_index(["unit_code", "sector"])
    assert met.loc[(V2, "สาธารณสุข"), "met_by"] == "health-v1"


def test_the_rule_is_parameterised(plan):
    strict = pm.needs_met(needs(), plan.allocation, plan.projects, within="village")
    v = pm.alignment(strict)
    assert v.loc[V2, "alignment"] == 0  # the health project is in V1, not V2
    assert v.loc[V1, "alignment"] == pytest.approx(1 / 3)
    top1 = pm.alignment(pm.needs_met(needs(), plan.allocation, plan.projects, top=1))
    assert top1["n_needs"].tolist() == [1, 1, 1] and top1["n_met"].tolist() == [1, 1, 1]


def test_roll_ups_add_the_needs_of_the_villages(plan):
    t = plan.alignment["tambon"]
    assert t.loc["990101", ["n_needs", "n_met", "n_units_unmet"]].tolist() == [4, 2, 1]
    assert t.loc["990102", ["n_needs", "n_met", "n_units_unmet"]].tolist() == [2, 1, 1]
    a = plan.alignment["amphoe"]
    assert a.loc["9901", "alignment"] == pytest.approx(3 / 6)
    assert a.loc["9901", "unmet_sectors"].split("; ")[0] == "แหล่งน้ำ"


def test_alignment_reaches_the_web_map_and_the_workspace(plan, tmp_path):
    html = pm.save_webmap(plan, tmp_path / "m.html", offline=False).read_text(encoding="utf-8")
    assert "ความสอดคล้องกับแผนแม่บทชุมชน" in html
    assert "ยังขาด: แหล่งน้ำ; การศึกษา" in html  # the tooltip names the unmet sectors
    assert "ยังไม่มีโครงการด้าน: แหล่งน้ำ; การศึกษา" in html  # and so does the popup
    back = pm.open_workspace(pm.save_workspace(plan, tmp_path / "w.gpkg"))
    pd.testing.assert_frame_equal(back.alignment["village"], plan.alignment["village"],
                                  check_dtype=False, check_index_type=False)
    assert back.needs["met"].tolist() == plan.needs["met"].tolist()


def sheet(path, rows):
    book = Workbook()
    ws = book.active
    ws.append(["แผนแม่บทชุมชน (ทดสอบ)"])
    ws.append([])
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def test_read_master_plans_accounts_for_every_row(fictional, tmp_path):
    path = sheet(tmp_path / "mp.xlsx", [
        ["หมู่บ้าน", "ด้าน", "ลำดับความสำคัญ", "ปัญหา/ความต้องการ"],
        ["ม.1 ต.สวนเขา", "ด้านแหล่งน้ำ", 1, "น้ำไม่พอใช้"],
        ["99010202", "Health", "๒", None],
        ["ม.1 ต.นาลาน", "เกษตร", 1, None],      # นาลาน: two tambon of that name
        ["ม.2 ต.สวนเขา", None, 1, None],         # no sector
        ["ม.3 ต.สวนเขา", "การศึกษา", "สูง", None],  # rank is not a number
        ["อ.สมมุติใต้", "สังคม", 1, None],        # an amphoe, not a village
        ["ม.4 ต.สวนเขา", "ดนตรีพื้นบ้าน", 1, None],  # a sector no project uses
    ])
    got, report = pm.read_master_plans(path, boundaries=fictional)

    assert report.rows_in == 7 and report.rows_loaded == 3 and report.balanced()
    assert got[["unit_code", "sector", "rank"]].values.tolist() == [
        ["99010201", "แหล่งน้ำ", 1], ["99010202", "สาธารณสุข", 2], ["99010204", "ดนตรีพื้นบ้าน", 1]]
    errors = report.problems.query("severity == 'error'")
    assert errors.row.tolist() == [6, 7, 8, 9]
    assert errors.column.tolist() == ["unit_code", "sector", "rank", "unit_code"]
    assert "is ambiguous: ต.นาลาน (990101); ต.นาลาน (990209)" in errors.message_en.iloc[0]
    assert report.problems.query("severity == 'warning'").row.tolist() == [10]


def test_a_sheet_without_the_needed_columns_says_which(tmp_path):
    path = sheet(tmp_path / "bad.xlsx", [["หมู่บ้าน", "ความต้องการ"], ["99010101", "น้ำ"]])
    with pytest.raises(pm.SchemaError, match="sector, rank"):
        pm.read_master_plans(path)
