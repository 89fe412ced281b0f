"""Fuzz every reader with hypothesis: whatever bytes or cells arrive, the only failure is a PlanmapError."""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

import planmap_gis as pm

HEADERS = ["รหัสโครงการ", "ชื่อโครงการ", "หน่วยงาน", "ปีงบประมาณ", "งบประมาณ (บาท)", "พื้นที่ดำเนินการ",
           "รหัสหมู่บ้าน", "ครัวเรือน", "ละติจูด", "ลองจิจูด", "WKT (EPSG:4326)", "ด้าน", "ลำดับความสำคัญ",
           "จปฐ. ข้อ 1", "กชช.2ค", "หน่วย: ล้านบาท", "รวม", "ชั้นงบประมาณ", "ระดับหน่วยงาน"]
CELLS = st.one_of(
    st.none(), st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40), st.sampled_from(["80010101", "800101", "ต.ท่างิ้ว", "ม.1-3 ต.ท่างิ้ว", "ม.5-3",
                                           "1.5 ล้านบาท", "inf", "=cmd|' /C calc'!A0", "2025-10-01",
                                           "POLYGON ((99.9 8.4, 100 8.5, 100 8.4, 99.9 8.5, 99.9 8.4))",
                                           "POINT (", "ํา", "\x0b", "๒๕๖๙", "-", "รวม ต.ท่างิ้ว"]),
)
ROWS = st.lists(st.lists(CELLS, min_size=1, max_size=8), min_size=0, max_size=8)
HEADER = st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8, unique=True)


@pytest.fixture(scope="module")
def nst():
    return pm.read_boundaries(province="80")[0]


def _readers(nst):
    return {
        "projects": lambda p: pm.read_projects(p, boundaries=nst),
        "villages": lambda p: pm.read_villages(p),
        "indicators": lambda p: pm.read_indicators(p),
        "master_plans": lambda p: pm.read_master_plans(p, boundaries=nst),
    }


def _only_planmap_errors(read, path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PlanmapWarning)
        try:
            _, report = read(path)
        except pm.PlanmapError:
            return
    assert report.balanced(), report


FUZZ = settings(max_examples=int(os.environ.get("PLANMAP_FUZZ_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(header=HEADER, rows=ROWS)
@pytest.mark.parametrize("reader", ["projects", "villages", "indicators", "master_plans"])
def test_any_workbook_gives_a_report_or_a_planmap_error(nst, reader, header, rows):
    book = Workbook()
    book.active.append(header)
    for row in rows:  # Excel itself cannot hold control characters or "=" text typed as a formula
        book.active.append([ILLEGAL_CHARACTERS_RE.sub("", v).lstrip("=") if isinstance(v, str) else v
                            for v in row])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.xlsx"
        try:
            book.save(path)
        except Exception:  # openpyxl refuses some characters itself: not our input to read
            return
        _only_planmap_errors(_readers(nst)[reader], path)


@FUZZ
@given(header=HEADER, rows=ROWS, encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp874", "utf-16"]),
       sep=st.sampled_from([",", ";", "\t"]))
@pytest.mark.parametrize("reader", ["projects", "villages", "indicators", "master_plans"])
def test_any_csv_gives_a_report_or_a_planmap_error(nst, reader, header, rows, encoding, sep):
    text = "\n".join(sep.join(str(c) for c in line) for line in [header, *rows])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes(text.encode(encoding, errors="replace"))
        _only_planmap_errors(_readers(nst)[reader], path)


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".xlsx", ".xls", ".ods", ".csv", ".geojson",
                                                               ".gpkg", ".shp", ".parquet", ".zip"]))
def test_any_bytes_under_any_name_give_a_planmap_error_or_a_result(nst, data, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"junk{suffix}"
        path.write_bytes(data)
        for read in [*_readers(nst).values(), lambda p: pm.read_boundaries(p)]:
            _only_planmap_errors(read, path)
