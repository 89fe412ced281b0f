"""P8 — a whole run at national scale: the path a user waits on, stage by stage.

Data: the packaged national tambon layer, ``demo.demo_villages`` over it (about 9 per tambon:
~67,000 villages, areas by ``village_areas``), ``demo.demo_projects`` (``PLANMAP_BENCH_PROJECTS``,
default 100,000: points, lines, tambon, village, amphoe and province lists) and their indicators.
The projects are written to a project sheet (xlsx) before the clock starts, so the run reads them
as ``planmap run`` does.

Stages timed: read the sheet (``read_projects``), village areas, ``analyse`` (allocation,
coverage, duplication, equity, hot spots at 99 permutations, need), then the writers: workspace
(GeoPackage), web map, matrix workbook, tables (CSV + XLSX); the atlas apart (not in P8).
Goal: the whole under 60 s and 1.5 GiB peak (process RSS sampled every 20 ms). There is no
baseline to divide by: the goal is absolute, and the per-stage table names the slow stage.
``PLANMAP_BENCH_SCALE=1`` also runs 10k and 1M projects and prints the table of how cost grows.
"""

from __future__ import annotations

import os
import tempfile
import time
import warnings
from pathlib import Path

from _common import PeakMemory, emit, national_demo

import planmap_gis as pm


N = int(os.environ.get("PLANMAP_BENCH_PROJECTS", "100000"))


def run(n: int, folder: Path) -> tuple[dict[str, float], float, int]:
    """Seconds per stage, peak GiB and villages, for ``n`` projects."""
    tambons, villages, projects, indicators = national_demo(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sheet = folder / f"projects_{n}.xlsx"
        pm.write_projects(projects, sheet)
    stages: dict[str, float] = {}

    def stage(name: str, fn):  # noqa: ANN001, ANN202
        start = time.perf_counter()
        out = fn()
        stages[name] = time.perf_counter() - start
        return out

    with warnings.catch_warnings(), PeakMemory() as mem:
        warnings.simplefilter("ignore")
        read = stage("read projects (xlsx)", lambda: pm.read_projects(sheet, boundaries=tambons))
        loaded = read[0] if isinstance(read, tuple) else read
        areas = stage("village areas", lambda: pm.village_areas(villages, tambons))
        plan = stage("analyse", lambda: pm.analyse(tambons, loaded, villages=areas, indicators=indicators,
                                                   permutations=99))
        out = folder / f"run_{n}"
        stage("workspace (gpkg)", lambda: pm.save_workspace(plan, out / "workspace.gpkg"))
        stage("web map", lambda: pm.save_webmap(plan, out / "webmap.html"))
        stage("matrix (xlsx)", lambda: pm.save_matrix(plan, out / "matrix.xlsx"))
        stage("tables (csv + xlsx)", lambda: pm.save_tables(plan, out / "tables"))
    return stages, mem.peak_gib, len(areas)


def main() -> None:
    sizes = [10_000, N, 1_000_000] if os.environ.get("PLANMAP_BENCH_SCALE") else [N]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            stages, peak, villages = run(n, Path(tmp))
            total = sum(stages.values())
            print(f"P8 {n:,} projects over {villages:,} villages: {total:.1f} s, peak {peak:.2f} GiB")
            for name, seconds in sorted(stages.items(), key=lambda kv: -kv[1]):
                print(f"   {name:<24} {seconds:7.1f} s  {seconds / total:5.0%}")
            rows.append((n, total, peak, max(stages, key=stages.get)))
            if n == N:
                result = {"total": total, "peak": peak, "stages": stages, "villages": villages}
    if len(rows) > 1:
        print("\n| projects | seconds | peak GiB | slowest stage |\n|---:|---:|---:|---|")
        for n, total, peak, slow in rows:
            print(f"| {n:,} | {total:.1f} | {peak:.2f} | {slow} |")
    slowest = max(result["stages"], key=result["stages"].get)
    emit({"id": "P8", "what": f"national run, {N:,} projects over {result['villages']:,} villages "
                              "(read → analyse → workspace, web map, matrix, tables)",
          "baseline": "— (absolute goal)", "baseline_s": float("nan"), "ours_s": result["total"],
          "ratio": float("nan"), "goal": "≤ 60 s, ≤ 1.5 GiB", "met": result["total"] <= 60 and result["peak"] <= 1.5,
          "notes": f"peak {result['peak']:.2f} GiB; slowest stage {slowest} "
                   f"{result['stages'][slowest]:.1f} s; " + ", ".join(
                       f"{k} {v:.1f}" for k, v in result["stages"].items())})


if __name__ == "__main__":
    main()
