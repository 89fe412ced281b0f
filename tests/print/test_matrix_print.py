"""The integration-matrix workbook as a session prints it: LibreOffice → PDF, checked with poppler.

Also the atlas's unmet-needs page.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_pdf import PdfPages
from PIL import Image

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis.draw.printed import fonts as _fonts
from planmap_gis.draw.printed.atlas import needs_map

for tool in ("soffice", "pdftoppm"):
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs {tool} (libreoffice-calc-nogui, poppler-utils): run `make test`.",
                        pytrace=False)
        pytest.skip(f"{tool} missing: run `make test`.", allow_module_level=True)


def run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=600).stdout


@pytest.fixture(scope="module")
def plan(nst_path):
    data = demo.load(boundaries=nst_path)
    areas = pm.village_areas(data.villages, data.tambons)
    return pm.analyse(data.tambons, data.projects, villages=areas, indicators=data.indicators,
                      master_plans=data.master_plans, permutations=9,
                      notes=(f"{data.note_th} ({data.note_en})",))


@pytest.fixture(scope="module")
def matrix_pdf(plan, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("matrix")
    book = pm.save_matrix(plan, folder / "matrix.xlsx")
    profile = folder / "lo-profile"  # a private profile: no clash with a running LibreOffice
    run("soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
        "--outdir", str(folder), str(book))
    return folder / "matrix.pdf"


def test_libreoffice_prints_the_matrix_on_a3_landscape_with_thai_text(matrix_pdf, tmp_path):
    info = run("pdfinfo", "-f", "1", "-l", "999", str(matrix_pdf))
    sizes = [(float(w), float(h)) for w, h in re.findall(r"size:\s+([\d.]+) x ([\d.]+) pts", info)]
    landscape_a3 = [s for s in sizes if s == pytest.approx((1190.55, 841.89), abs=1)]
    assert len(landscape_a3) >= 1 + 23  # the province sheet and one per amphoe, at least a page each
    text = run("pdftotext", "-raw", str(matrix_pdf), "-").replace("\u200b", "")
    for words in ("เมทริกซ์บูรณาการแผนงานโครงการ", "อ.ชะอวด", "ชื่อโครงการ", "รวมงบประมาณ", "ช่องสีส้ม",
                  "ข้อมูลสมมุติ", "พื้นที่ที่ยังไม่มีโครงการ"):
        assert words in text, words
    assert "###" not in text  # no figure too wide for its column (the baht totals are shown in millions)
    page = [i for i, s in enumerate(sizes, start=1) if s == pytest.approx((1190.55, 841.89), abs=1)][0]
    run("pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), str(matrix_pdf),
        str(tmp_path / "sheet"))
    pixels = np.asarray(Image.open(next(tmp_path.glob("sheet*.png"))).convert("RGB"), dtype=int)
    orange = (np.abs(pixels - (0xF4, 0xB1, 0x83)).sum(axis=2) < 40).mean()
    assert orange > 0.0002  # duplicated cells are filled and print
    assert (pixels.sum(axis=2) < 450).mean() > 0.003  # there is text on the page


def test_the_unmet_needs_page_names_sectors_in_searchable_thai(plan, tmp_path):
    path = tmp_path / "needs.pdf"
    with _fonts.searchable_thai(), PdfPages(path) as pdf:
        pdf.savefig(needs_map(plan))
    text = run("pdftotext", "-raw", str(path), "-").replace("\u200b", "")
    assert "ความต้องการในแผนแม่บทชุมชนที่ยังไม่มีโครงการรองรับ" in text
    assert "ด้านที่ยังขาดบ่อยที่สุด" in text
    unmet = plan.needs.loc[~plan.needs.met, "sector"].value_counts().index[0]
    assert unmet in text


def test_needs_page_needs_master_plans(nst_path):
    data = demo.load(boundaries=nst_path)
    plan = pm.analyse(data.tambons, data.projects, permutations=9)
    with pytest.raises(pm.PlanmapError, match="master_plans"):
        needs_map(plan)
