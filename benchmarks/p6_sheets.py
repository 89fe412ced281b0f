"""P6 — reading a 100,000-row project sheet (.xlsx): python-calamine, as the readers use it, vs openpyxl.

Both turn the same generated sheet (a title row, a header, 100,000 projects in 10 columns, Thai
text, amounts and years) into rows of text cells: ours through ``_tables.files.read_raw``
(python-calamine), the baseline through ``pandas.read_excel(engine="openpyxl", dtype=str)``,
which is what the readers used before. Goal: calamine faster (ratio < 1); the cells must agree.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from _common import compare, emit

from planmap_gis.read.sheets.files import read_raw

ROWS = 100_000


def write_sheet(path: Path) -> None:
    rng = np.random.default_rng(2569)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("โครงการ")
    sheet.append(["บัญชีโครงการ ปีงบประมาณ 2569"])
    sheet.append(["รหัสโครงการ", "ชื่อโครงการ", "หน่วยงาน", "ระดับหน่วยงาน", "ชั้นงบประมาณ", "ด้าน",
                  "ปีงบประมาณ", "งบประมาณ (บาท)", "พื้นที่ดำเนินการ", "ผู้ประสานงาน"])
    budgets = rng.integers(10, 5000, ROWS) * 1000
    for i in range(ROWS):
        sheet.append([f"P-{i:06d}", f"โครงการพัฒนาแหล่งน้ำชุมชน {i}", "สำนักงานเกษตรจังหวัด", "ส่วนภูมิภาค",
                      int(i % 4 + 1), "แหล่งน้ำ", 2568 + i % 3, int(budgets[i]), f"ต.ท่างิ้ว ม.{i % 12 + 1}",
                      "คุณอำนวย"])
    book.save(path)


def with_openpyxl(path: Path) -> list[list[str]]:
    frame = pd.read_excel(path, engine="openpyxl", header=None, dtype=str).fillna("")
    return frame.to_numpy().tolist()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:  # removed after (5 MB)
        path = Path(tmp) / "projects_100k.xlsx"
        write_sheet(path)
        seconds, results = compare({"openpyxl": lambda: with_openpyxl(path),
                                    "calamine": lambda: read_raw(path, None).rows})
        ours, base = results["calamine"], results["openpyxl"]
        agree = len(ours) == len(base) == ROWS + 2 and all(
            [c for c in a if c] == [c for c in b if c] for a, b in zip(ours[1:], base[1:], strict=True))
        ratio = seconds["calamine"] / seconds["openpyxl"]
        print(f"P6 sheets: {ROWS:,} rows ({path.stat().st_size / 1e6:.1f} MB .xlsx): calamine "
              f"{seconds['calamine']:.2f} s, openpyxl {seconds['openpyxl']:.2f} s, ratio {ratio:.2f}; "
              f"cells agree: {agree}")
        emit({"id": "P6", "what": f"read a {ROWS:,}-row .xlsx project sheet", "baseline": "openpyxl (pandas)",
              "baseline_s": seconds["openpyxl"], "ours_s": seconds["calamine"], "ratio": ratio,
              "goal": "< 1, same cells", "met": bool(ratio < 1 and agree),
              "notes": f"cells agree: {agree}"})


if __name__ == "__main__":
    main()
