"""P7 — `planmap validate` on a generated 1,000,000-row project CSV: time and peak memory.

The CSV is what a national export looks like: 1,000,000 projects with Thai names, agencies,
years, amounts written several ways and an area (a tambon code or a Thai name), about 150 MB.
The command runs in its own process; its peak resident memory comes from the operating
system (``ru_maxrss`` of the child). Baseline in the same run: reading the same file with
``pandas.read_csv`` (all columns as text), which only reads and checks nothing.
Goals: peak memory < 1.5 GiB; time recorded.
"""

from __future__ import annotations

import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import emit

ROWS = int(os.environ.get("PLANMAP_BENCH_ROWS", "1000000"))


def write_csv(path: Path) -> None:
    rng = np.random.default_rng(2569)
    import warnings

    import planmap_gis as pm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tambons, _ = pm.read_boundaries(province="80")  # read_* return (frame, report) since issue 24
    codes = tambons.tambon_code.tolist()
    amounts = rng.integers(10, 5000, ROWS) * 1000
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["รหัสโครงการ", "ชื่อโครงการ", "หน่วยงาน", "ด้าน", "ปีงบประมาณ", "งบประมาณ (บาท)",
                      "พื้นที่ดำเนินการ"])
        for i in range(ROWS):
            amount = int(amounts[i])
            written = (f"{amount:,}" if i % 3 == 0 else f"{amount / 1e6:g} ล้านบาท" if i % 3 == 1
                       else str(amount))
            out.writerow([f"P-{i:07d}", f"โครงการพัฒนาแหล่งน้ำชุมชน {i}", "สำนักงานเกษตรจังหวัด", "แหล่งน้ำ",
                          2568 + i % 3, written, codes[i % len(codes)]])


def child_run(command: list[str]) -> tuple[float, float, int]:
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak_gib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    return seconds, peak_gib, proc.returncode


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:  # removed after: the CSV is 208 MB
        folder = Path(tmp)
        path = folder / "projects_1m.csv"
        write_csv(path)
        size_mb = path.stat().st_size / 1e6
        base = [sys.executable, "-c", f"import pandas as pd; pd.read_csv({str(path)!r}, dtype=str)"]
        base_s, base_peak, _ = child_run(base)
        ours_s, ours_peak, code = child_run([sys.executable, "-m", "planmap_gis.cli", "-q", "validate", str(path),
                                             "--province", "80", "--report", str(folder / "report.csv")])
        # ru_maxrss of children is the largest child so far: ours ran last, so a larger value is ours.
        print(f"P7 validate: {ROWS:,} rows ({size_mb:.0f} MB CSV) in {ours_s:.1f} s, peak {ours_peak:.2f} GiB, "
              f"exit {code}; pandas.read_csv alone {base_s:.1f} s, peak {base_peak:.2f} GiB")
        emit({"id": "P7", "what": f"planmap validate, {ROWS:,}-row CSV ({size_mb:.0f} MB)",
              "baseline": "pandas.read_csv(dtype=str)", "baseline_s": base_s, "ours_s": ours_s,
              "ratio": ours_s / base_s, "goal": "peak < 1.5 GiB", "met": bool(ours_peak < 1.5 and code in (0, 1)),
              "notes": f"peak {ours_peak:.2f} GiB (read_csv {base_peak:.2f} GiB), exit {code}"})


if __name__ == "__main__":
    main()
