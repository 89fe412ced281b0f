"""A line of a register or a template is named by the same row number in every stage.

The row is the one a user sees in Excel or a text editor: header and title rows included,
1-based. The reader, the village areas and the allocation all name it so.
"""

from __future__ import annotations

import openpyxl
import pytest

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis.demo.sheets import write_village_register
from planmap_gis.read.template import PROJECT_FIELDS

COLUMN = {f.key: openpyxl.utils.get_column_letter(i) for i, f in enumerate(PROJECT_FIELDS, start=1)}


@pytest.fixture(scope="module")
def nst():
    return demo.load()


def test_a_register_line_is_the_same_row_in_the_reader_and_the_village_areas(nst, tmp_path):
    villages = nst.villages.iloc[:40].copy()
    villages.loc[villages.index[25], "village_code"] = "90999901"  # a tambon not in the layer
    villages.loc[villages.index[30], "households"] = -3  # a wart the reader itself reports
    path = tmp_path / "ทะเบียน.csv"
    write_village_register(villages, path, "ทะเบียนหมู่บ้าน (ตัวอย่าง)")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    wart_line = next(i for i, line in enumerate(lines, start=1) if line.startswith("90999901"))
    bad_hh_line = 2 + 30 + 1  # title, header, then the 31st village
    assert wart_line == 2 + 25 + 1
    with pytest.warns(pm.PlanmapWarning):
        points, read_report = pm.read_villages(path)
    assert read_report.problems.set_index("column").loc["households", "row"] == bad_hh_line
    with pytest.warns(pm.PlanmapWarning):
        areas, areas_report = pm.village_areas(points, nst.tambons, return_report=True)
    wart = areas_report.problems[areas_report.problems["value"].astype(str) == "909999"]
    assert wart["row"].tolist() == [wart_line]
    assert wart["file"].tolist() == [str(path)]


def test_a_template_row_is_the_same_row_in_the_reader_and_the_allocation(nst, tmp_path):
    group = nst.projects[nst.projects.agency == nst.projects.agency.iloc[0]]
    path = pm.template(tmp_path / "returned.xlsx", boundaries=nst.tambons, agency=group.agency.iloc[0],
                       year=2569, projects=group)
    book = openpyxl.load_workbook(path)
    sheet = book["โครงการ"]
    for key in ("amphoe", "tambon", "moo", "area_list", "wkt"):
        sheet[f"{COLUMN[key]}3"] = None
    sheet[f"{COLUMN['lat']}3"], sheet[f"{COLUMN['lon']}3"] = 13.75, 100.5  # Bangkok: outside the province
    book.save(path)
    projects, report = pm.read_projects(path, boundaries=nst.tambons)
    first = projects[projects.source_row == 3]
    assert len(first) == 1
    areas = pm.village_areas(nst.villages, nst.tambons)
    with pytest.warns(pm.PlanmapWarning):
        _, alloc_report = pm.allocate(projects, areas, return_report=True)
    outside = alloc_report.problems[alloc_report.problems["value"] == first.project_id.iloc[0]]
    assert outside["row"].tolist() == [3]
    assert outside["sheet"].tolist() == ["โครงการ"]
    assert outside["file"].tolist() == [str(path)]
