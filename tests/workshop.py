"""A mapping workshop's returned folder, written the way offices write it (not the kind demo).

- three agencies' templates filled by openpyxl; one saved again as .ods by LibreOffice (when it is
  installed); one with a tambon pasted over its dropdown (that row is an error);
- two agencies' own workbooks with a title row, a unit row, separate อำเภอ / ตำบล / หมู่ที่ columns
  (names with and without prefixes, codes), a subtotal row and a hidden (cancelled) row;
- a lock file and a Word document, which are listed, not read;
- no village register.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import openpyxl

import planmap_gis as pm
from planmap_gis.read.template import PROJECT_FIELDS

COLUMN = {f.key: openpyxl.utils.get_column_letter(i) for i, f in enumerate(PROJECT_FIELDS, start=1)}
SOFFICE = shutil.which("soffice")


@dataclass
class Workshop:
    folder: Path
    #: Projects that can be loaded, and their baht.
    loadable: int
    baht: float
    #: (file name, row) of the row that must be an error.
    pasted: tuple[str, int]


def _free_form(path: Path, agency: str, rows: list[list[object]], hidden: int | None = None) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "แผนงาน"
    sheet.append([f"แผนงาน/โครงการ {agency} ปีงบประมาณ 2569"])
    sheet.append(["หน่วย: บาท"])
    sheet.append(["ลำดับ", "ชื่อโครงการ", "อำเภอ", "ตำบล", "หมู่ที่", "งบประมาณ", "ปีงบประมาณ", "หน่วยงาน"])
    for n, row in enumerate(rows, start=1):
        sheet.append([n, *row, agency])
    if hidden is not None:
        sheet.row_dimensions[hidden].hidden = True  # a cancelled project, hidden as offices do
    book.save(path)


def build(folder: Path, data: pm.demo.DemoData) -> Workshop:
    """Write the folder; returns what it holds."""
    folder.mkdir(parents=True, exist_ok=True)
    agencies = sorted(data.projects.agency.unique())[:3]
    loadable, baht = 0, 0.0
    for number, agency in enumerate(agencies, start=1):
        group = data.projects[data.projects.agency == agency].head(6)
        pm.template(folder / f"{number:02d}.xlsx", boundaries=data.tambons, agency=agency, year=2569,
                    projects=group)
        loadable += len(group)
        baht += float(group.budget_thb.fillna(0).sum())
    # A tambon pasted over the dropdown of template 02, row 3: that row is refused.
    book = openpyxl.load_workbook(folder / "02.xlsx")
    sheet = book["โครงการ"]
    sheet[f"{COLUMN['amphoe']}3"] = "8001 เมืองนครศรีธรรมราช"
    sheet[f"{COLUMN['tambon']}3"] = "800701 ชะอวด"
    sheet[f"{COLUMN['area_list']}3"] = None
    sheet[f"{COLUMN['moo']}3"] = None
    pasted = data.projects[data.projects.agency == agencies[1]].head(6).iloc[0]
    loadable -= 1
    baht -= float(pasted.budget_thb or 0)
    book.save(folder / "02.xlsx")
    if SOFFICE:  # template 03 saved again as .ods, as an office with LibreOffice returns it
        # its own LibreOffice profile: another test's LibreOffice may be running (pytest -n 2)
        subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{folder.parent}/lo-profile-{folder.name}",
                        "--convert-to", "ods", "--outdir", str(folder), str(folder / "03.xlsx")],
                       check=True, capture_output=True, timeout=180)
        (folder / "03.xlsx").unlink()
    _free_form(folder / "เกษตรอำเภอ.xlsx", "สำนักงานเกษตรอำเภอ", [
        ["ส่งเสริมปลูกผักปลอดภัย", "เมืองนครศรีธรรมราช", "ท่างิ้ว", 3, 150_000, 2569],
        ["ฝึกอบรมเกษตรกร", "อ.ชะอวด", "ต.ชะอวด", "", "200,000", 2569],
        ["ประชุมเกษตรกรทั้งอำเภอ", "ทุ่งสง", "", "", 30_000, 2569],
        ["ปลูกป่าชายเลน", "8001", "ท่าซัก, ปากนคร", "", 80_000, 2569],
        ["ยกเลิกแล้ว", "8001", "800116", "", 999_999, 2569],  # the hidden row below
        [None, "รวม", None, None, 1_459_999, None],
    ], hidden=8)
    _free_form(folder / "พัฒนาชุมชน.xlsx", "สำนักงานพัฒนาชุมชนจังหวัด", [
        ["กองทุนแม่ของแผ่นดิน", "ร่อนพิบูลย์", "หินตก", "ม.5", 120_000, 2569],
        ["ตลาดชุมชน", "อำเภอพรหมคีรี", "ตำบลพรหมโลก", "หมู่ที่ 2", "0.25 ล้านบาท", 2569],
    ])
    loadable += 4 + 2
    baht += 150_000 + 200_000 + 30_000 + 80_000 + 120_000 + 250_000
    (folder / "~$เกษตรอำเภอ.xlsx").write_bytes(b"lock")
    (folder / "บันทึกการประชุม.docx").write_bytes(b"PK\x03\x04 a Word document")
    return Workshop(folder, loadable, baht, ("02.xlsx", 3))


def register_with_warts(path: Path, data: pm.demo.DemoData) -> dict[str, int]:
    """A village register with the warts real ones have; returns each wart's line in the file."""
    villages = data.villages.copy()
    points = villages.geometry
    lines: dict[str, int] = {}
    rows = []
    for n, (code, name, moo, hh, pop, pt) in enumerate(zip(villages.village_code, villages.village_th, villages.moo,
                                                           villages.households, villages.population, points,
                                                           strict=True)):
        rows.append([code, name, moo, hh, pop, round(pt.y, 7), round(pt.x, 7)])
    line = lambda i: i + 3  # title row, header row  # noqa: E731
    rows[25][0], lines["unknown tambon"] = "90999901", line(25)
    rows[40][0], lines["duplicated code"] = rows[39][0], line(40)
    rows[60][5], rows[60][6], lines["swapped coordinates"] = rows[60][6], rows[60][5], line(60)
    rows[70][3], lines["blank households"] = None, line(70)
    with path.open("w", encoding="utf-8-sig") as handle:
        handle.write("ทะเบียนหมู่บ้าน (ตัวอย่าง มีข้อผิดพลาดแบบที่พบจริง)\n")
        handle.write("รหัสหมู่บ้าน,ชื่อหมู่บ้าน,หมู่ที่,ครัวเรือน,ประชากร,ละติจูด,ลองจิจูด\n")
        for row in rows:
            handle.write(",".join("" if v is None else str(v) for v in row) + "\n")
    return lines
