"""P8 — a whole run at national scale: the path a user waits on, stage by stage.

Data: the packaged national tambon layer, ``demo.demo_villages`` over it (about 9 per tambon:
~67,000 villages, areas by ``village_areas``), ``demo.demo_projects`` (``PLANMAP_BENCH_PROJECTS``,
default 100,000: points, lines, tambon, village, amphoe and province lists) and their indicators.
The projects are written to a project sheet (xlsx) before the clock starts, so the run reads them
as ``planmap run`` does.

Stages timed: read the sheet (``read_projects``) and make the village areas, side by side as
``planmap run`` does with a national register, ``analyse`` (allocation,
coverage, duplication, equity, hot spots at 99 permutations, need), then the writers as
``planmap run`` writes them (``save_outputs``: workspace (GeoPackage), web map, matrix workbook,
tables (CSV + XLSX) side by side in one lane per core); the atlas apart (not in P8). Goal: the
whole under 60 s and 1.5 GiB peak (this process's RSS plus what its forked lanes hold of their own,
sampled every 20 ms; see ``PeakMemory``, which says why the lanes are counted by anonymous pages
since 2026-12-06 and keeps the earlier measure beside it). There is no
baseline to divide by: the goal is absolute, and the per-stage table names the slow stage.
``PLANMAP_BENCH_SCALE=1`` runs each size of ``PLANMAP_BENCH_SIZES`` (default 10,000, 30,000 and
100,000) in its own process and records the table of how cost grows. A million projects is left out
of the default sizes for its time: 672 s and 18.9 GiB peak on 2 cores and 24 GiB (2026-12-05; the
allocation about ten times 100,000's 3.4 M rows); ``PLANMAP_BENCH_SIZES=1000000`` runs it.
"""

from __future__ import annotations

import gc
import os
import tempfile
import time
import warnings
from pathlib import Path

from _common import PeakMemory, emit, national_demo, scale_runs

import planmap_gis as pm
from planmap_gis._lanes import Step, release_free_pages, side_by_side


N = int(os.environ.get("PLANMAP_BENCH_PROJECTS", "100000"))


def run(n: int, folder: Path) -> tuple[dict[str, float], PeakMemory, int]:
    """Seconds per stage, the peak memory and villages, for ``n`` projects."""
    tambons, villages, projects, indicators = national_demo(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sheet = folder / f"projects_{n}.xlsx"
        pm.write_projects(projects, sheet)
    del projects  # the generator's frame: a user's run holds only what it reads from the sheet
    # Nor what making the sheet freed: the allocator kept some 200 MiB of it (0.73 GiB at the start
    # against 0.54 given back), which `planmap run`, reading a sheet it did not make, never holds.
    gc.collect()
    release_free_pages()
    stages: dict[str, float] = {}

    def stage(name: str, fn):  # noqa: ANN001, ANN202
        start = time.perf_counter()
        out = fn()
        stages[name] = time.perf_counter() - start
        return out

    with warnings.catch_warnings(), PeakMemory() as mem:
        warnings.simplefilter("ignore")
        # As planmap run does with a national register: the village areas made in a lane of their own
        # while the projects are read.
        read, areas = stage("read projects (xlsx) and village areas", lambda: side_by_side(
            [Step("project sheet", 2, lambda: pm.read_projects(sheet, boundaries=tambons)),
             Step("village areas", 1, lambda: pm.village_areas(villages, tambons))], say=False))
        loaded = read[0] if isinstance(read, tuple) else read
        plan = stage("analyse", lambda: pm.analyse(tambons, loaded, villages=areas, indicators=indicators,
                                                   permutations=99))
        # The writers as planmap run writes them: side by side, one lane per core (forked processes).
        stage("write: workspace, web map, matrix, tables", lambda: pm.save_outputs(plan, folder / f"run_{n}",
                                                                                    atlas=False))
    return stages, mem, len(areas)


def main() -> None:
    if os.environ.get("PLANMAP_BENCH_SCALE"):
        return scale()
    with tempfile.TemporaryDirectory() as tmp:
        stages, mem, villages = run(N, Path(tmp))
    total, peak = sum(stages.values()), mem.peak_gib
    print(f"P8 {N:,} projects over {villages:,} villages: {total:.1f} s, peak {peak:.2f} GiB "
          f"({mem.peak_used_gib:.2f} by the machine's used memory, as measured until 2026-12-06)")
    for name, seconds in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"   {name:<24} {seconds:7.1f} s  {seconds / total:5.0%}")
    slowest = max(stages, key=stages.get)
    emit({"id": "P8", "what": f"national run, {N:,} projects over {villages:,} villages "
                              "(read → analyse → workspace, web map, matrix, tables)",
          "baseline": "— (absolute goal)", "ours_s": total, "peak_gib": peak, "stages": stages,
          "goal": "≤ 60 s, ≤ 1.5 GiB", "met": total <= 60 and peak <= 1.5,
          "notes": f"peak {peak:.2f} GiB ({mem.peak_used_gib:.2f} by machine used); "
                   f"slowest stage {slowest} {stages[slowest]:.1f} s; "
                   + ", ".join(f"{k} {v:.1f}" for k, v in stages.items())})


def scale() -> None:
    """The table of how time and memory grow with the number of projects; the largest size is the result."""
    sizes = [int(v) for v in os.environ.get("PLANMAP_BENCH_SIZES", "10000,30000,100000").split(",")]
    runs = scale_runs("p8_national.py", "PLANMAP_BENCH_PROJECTS", sizes)
    names = list(next((r["stages"] for r in runs if "stages" in r), {}))
    table = ["| projects | seconds | peak GiB | " + " | ".join(names) + " |",
             "|---:|---:|---:|" + "---:|" * len(names)]
    for r in runs:
        cells = [f"{r['stages'][k]:.1f}" for k in names] if "stages" in r else [r.get("failed", "")] * len(names)
        table.append(f"| {r['size']:,} | {r.get('ours_s', float('nan')):.1f} | {r.get('peak_gib', float('nan')):.2f} | "
                     + " | ".join(cells) + " |")
    if 1_000_000 not in sizes:
        table.append("| 1,000,000 | not in this run | — | run apart (PLANMAP_BENCH_SIZES=1000000, about "
                     "16 minutes): see RESULTS.md |" + " |" * (len(names) - 1))
    print("\n".join(table))
    last = runs[-1]
    emit({**{k: v for k, v in last.items() if k != "size"}, "scale": table})


if __name__ == "__main__":
    main()
