"""P9 — screening 2,000 proposals against a national plan, with the MILP's solve time and how it grows.

Data: the packaged national tambon layer, ``demo.demo_villages`` over it (~67,000 villages),
``demo.demo_projects`` (``PLANMAP_BENCH_PROJECTS``, default 10,000) analysed into the plan before
the clock starts (``analyse``, no permutations: the plan is the input here), and
``demo.proposals.demo_proposals`` (2,000: repeats of running work, gap fillers, the rest anywhere,
two province-wide) with the demo's caps (each layer about half of what its proposals ask).

Timed: ``pm.screen`` as a whole (allocation of the proposals, the parts, verdicts, the exact MILP,
the greedy comparison, six re-solves for stability, the reasons), peak process memory, and the
HiGHS solve time of the suggested set at 250, 500, 1,000 and 2,000 proposals. Goal: the whole
screening of 2,000 proposals ≤ 60 s and ≤ 1.5 GiB above the plan, the set proven optimal.
"""

from __future__ import annotations

import os
import time
import warnings

from _common import PeakMemory, emit, national_demo

import planmap_gis as pm
from planmap_gis.demo.proposals import demo_caps, demo_proposals

N_PROJECTS = int(os.environ.get("PLANMAP_BENCH_PROJECTS", "10000"))
N_PROPOSALS = int(os.environ.get("PLANMAP_BENCH_PROPOSALS", "2000"))


def main() -> None:
    tambons, villages, projects, indicators = national_demo(N_PROJECTS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        areas = pm.village_areas(villages, tambons)
        plan = pm.analyse(tambons, projects, villages=areas, indicators=indicators, permutations=0)
        proposals = demo_proposals(tambons, villages, projects, indicators, n=N_PROPOSALS)
        caps = demo_caps(proposals)
    with warnings.catch_warnings(), PeakMemory() as mem:
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        result = pm.screen(plan, proposals, budget=caps)
        total = time.perf_counter() - start
    s = result.suggestion
    print(f"P9 {len(proposals):,} proposals against {len(projects):,} projects over {len(areas):,} villages: "
          f"{total:.1f} s, peak {mem.peak_gib:.2f} GiB ({mem.rise_gib:+.2f} above the plan); "
          f"MILP {s['seconds']:.2f} s, optimal {s['optimal']}, value {s['value']:,.1f} vs greedy {s['greedy_value']:,.1f}")
    print(result.summary())
    growth = []
    for n in (250, 500, 1000, 2000):
        if n > len(proposals):
            break
        part = proposals.iloc[:n]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            started = time.perf_counter()
            sub = pm.screen(plan, part, budget=demo_caps(part))
            whole = time.perf_counter() - started
        growth.append((n, sub.suggestion["seconds"], whole, sub.suggestion["optimal"]))
    print("\n| proposals | MILP solve s | whole screening s | optimal |\n|---:|---:|---:|---|")
    for n, solve, whole, optimal in growth:
        print(f"| {n:,} | {solve:.2f} | {whole:.1f} | {optimal} |")
    emit({"id": "P9", "what": f"screen {len(proposals):,} proposals against a national plan ({len(projects):,} "
                              f"projects, {len(areas):,} villages)",
          "baseline": "— (absolute goal)", "baseline_s": float("nan"), "ours_s": total, "ratio": float("nan"),
          "goal": "≤ 60 s, ≤ 1.5 GiB above the plan, optimal",
          "met": total <= 60 and mem.rise_gib <= 1.5 and bool(s["optimal"]),
          "notes": f"peak {mem.peak_gib:.2f} GiB ({mem.rise_gib:+.2f}); MILP {s['seconds']:.2f} s; greedy "
                   f"{s['greedy_value']:,.0f} vs {s['value']:,.0f}; solve s by proposals: "
                   + ", ".join(f"{n}: {solve:.2f}" for n, solve, _, _ in growth)})


if __name__ == "__main__":
    main()
