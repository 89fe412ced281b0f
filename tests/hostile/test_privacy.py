"""Contacts never leave the register unless asked, wherever they were typed (issue 26)."""

from __future__ import annotations

import re
import subprocess

import openpyxl
import pytest

import planmap_gis as pm
from planmap_gis._text import find_contacts
from planmap_gis.cli import main

CONTACTS = ("086-555-1234", "075-123-456", "kru.nid@gmail.com", "0823334444", "line: krunid99", "089 111 2222",
            "somchai@example.org", "ไลน์ somchai_1")
LEAK = re.compile(r"(?<![\d.])0[689]\d[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)|075-123-456|@(?:gmail\.com|example\.org)"
                  r"|krunid99|somchai_1")
HEX_RUN = re.compile(r"[0-9a-f]{32,}")


def _register(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ชื่อ-สกุล", "หน่วยงาน", "พื้นที่ที่ดูแล", "ทักษะ", "หน่วยจัดการ", "โทรศัพท์", "ไลน์", "อีเมล"])
    sheet.append(["สมชาย ใจดี 086-555-1234", "สำนักงานเกษตร 075-123-456, kru.nid@gmail.com", "ต.ท่างิ้ว",
                  "เศรษฐกิจ", "หน่วยจัดการ ท่างิ้ว โทร 0823334444", "089 111 2222", "line: krunid99",
                  "somchai@example.org"])
    sheet.append(["ครูนิด (ไลน์ somchai_1)", "โรงเรียน", "ต.ท่างิ้ว 089-111-2222", "การศึกษา", "", "", "", ""])
    book.save(path)
    return path


def _projects(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ชื่อโครงการ", "หน่วยงาน", "งบประมาณ (บาท)", "ปีงบประมาณ", "พื้นที่ดำเนินการ", "คุณอำนวย"])
    sheet.append(["ฝึกอาชีพ ติดต่อ 086-555-1234", "เกษตร", 90_000, 2569, "ต.ท่างิ้ว อ.เมืองนครศรีธรรมราช",
                  "สมชาย kru.nid@gmail.com"])
    book.save(path)
    return path


def test_contacts_are_found_wherever_typed():
    for contact in CONTACTS:
        clean, found = find_contacts(f"สมชาย {contact} ใจดี")
        assert found and clean == "สมชาย ใจดี", contact
    assert find_contacts("ต.ท่างิ้ว 80011603 งบ 250,000 ปี 2569 Pipeline") == (
        "ต.ท่างิ้ว 80011603 งบ 250,000 ปี 2569 Pipeline", [])


def _written(out):
    for path in sorted(out.rglob("*")):
        if path.suffix in (".csv", ".html", ".json"):
            yield path, path.read_text(encoding="utf-8-sig", errors="replace")
        elif path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path, read_only=True)
            yield path, " ".join(str(v) for s in book.worksheets for r in s.iter_rows(values_only=True) for v in r
                                 if v is not None)
        elif path.suffix == ".gpkg":
            yield path, path.read_bytes().decode("utf-8", errors="replace")
        elif path.suffix == ".pdf":
            yield path, subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


@pytest.mark.parametrize("with_contacts", [False, True])
def test_no_output_carries_a_contact_unless_asked(tmp_path, with_contacts):
    register, projects = _register(tmp_path / "ทะเบียน.xlsx"), _projects(tmp_path / "โครงการ.xlsx")
    out = tmp_path / "out"
    args = ["-q", "run", "--province", "80", "--projects", str(projects), "--facilitators", str(register),
            "--out", str(out), "--no-atlas"] + (["--with-contacts"] if with_contacts else [])
    assert main(args) == 0
    # Digests (outputs.json's SHA-256) and the web map's element ids are long hex runs, and about one run in
    # twenty holds ten digits that read as a phone number: they say nothing of the contacts, so they are
    # left out of the search.
    leaks = {str(p.relative_to(out)) for p, text in _written(out) if LEAK.search(HEX_RUN.sub(" ", text))}
    if not with_contacts:
        assert leaks == set()
        register_frame, report = pm.read_facilitators(register, boundaries=pm.read_boundaries(province=80)[0])
        said = report.problems[report.problems.message_en.str.contains("contact details", regex=False)]
        assert len(said) >= 5 and not said.value.str.contains("555-1234|gmail", regex=True).any()  # masked
        assert register_frame.facilitator.tolist() == ["สมชาย ใจดี", "ครูนิด"]
    else:
        assert any("facilitator" in name or "support" in name or "tables" in name for name in leaks)
        register_frame, _ = pm.read_facilitators(register, boundaries=pm.read_boundaries(province=80)[0],
                                                 contact=True)
        first = register_frame.contact.iloc[0]
        for contact in ("089 111 2222", "krunid99", "somchai@example.org", "086-555-1234", "0823334444"):
            assert contact in first  # every contact column, and the contacts typed elsewhere
