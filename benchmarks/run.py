"""Run the benchmark suite (P1–P9), print the ratios and record them in ``benchmarks/RESULTS.md``.

Usage: ``python benchmarks/run.py [--only P1,P3] [--no-record]`` (or ``make bench``), with
``PLANMAP_BOUNDARIES`` naming the folder of the boundary layers. Each benchmark runs in its own
process, so peak memory and caches of one do not colour the next; each measures its baseline in
the same run. ``PLANMAP_BENCH_REPEATS`` (default 3) sets how many interleaved repeats give the medians.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

from _common import machine

HERE = Path(__file__).resolve().parent
SUITE = {"P1": "p1_points.py", "P2": "p2_polygons.py", "P3": "p3_webmap.py", "P4": "p4_atlas.py",
         "P5": "p5_equity.py", "P6": "p6_sheets.py", "P7": "p7_validate.py", "P8": "p8_national.py",
         "P9": "p9_screening.py"}


def run_one(key: str) -> dict:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(HERE / SUITE[key])], capture_output=True, text=True)
    lines = proc.stdout.splitlines()
    for line in lines:
        if not line.startswith("RESULT "):
            print(line, flush=True)
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        return {"id": key, "what": SUITE[key], "met": False, "notes": f"failed (exit {proc.returncode})"}
    result = json.loads(next(line for line in reversed(lines) if line.startswith("RESULT "))[7:])
    result["wall_s"] = time.perf_counter() - start
    return result


def _number(value: object) -> str:
    """A figure for the table, or a dash where there is none (an absolute goal has no baseline)."""
    return "—" if not isinstance(value, int | float) or value != value else f"{value:.2f}"


def table(results: list[dict]) -> str:
    rows = ["| | what | baseline | baseline s | ours s | ratio | goal | met | notes |",
            "|---|---|---|---:|---:|---:|---|---|---|"]
    for r in results:
        met = {True: "yes", False: "**no**", None: "—"}[r.get("met")]
        rows.append(f"| {r['id']} | {r['what']} | {r.get('baseline', '')} | {_number(r.get('baseline_s'))} "
                    f"| {_number(r.get('ours_s'))} | {_number(r.get('ratio'))} | {r.get('goal', '')} "
                    f"| {met} | {r.get('notes', '')} |")
    for r in results:  # how cost grows, when a benchmark ran at several sizes (PLANMAP_BENCH_SCALE=1)
        if r.get("scale"):
            rows += ["", f"{r['id']} by size:", "", *r["scale"]]
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated ids, e.g. P1,P3")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    keys = [k.strip().upper() for k in args.only.split(",")] if args.only else list(SUITE)
    results = [run_one(k) for k in keys]
    info = machine()
    text = table(results)
    print("\n" + text)
    if not args.no_record:
        stamp = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        section = (f"\n## {stamp}\n\n" + "\n".join(f"- {k}: {v}" for k, v in info.items())
                   + f"\n\n{text}\n")
        path = HERE / "RESULTS.md"
        if not path.exists():
            path.write_text("# Benchmark results\n\nAppended by `python benchmarks/run.py` (`make bench`), "
                            "newest last. Ratios are ours / baseline, both measured in the same run.\n")
        with path.open("a") as f:
            f.write(section)
        print(f"\nrecorded in {path}")
    sys.exit(0 if all(r.get("met") is not False for r in results) else 1)


if __name__ == "__main__":
    main()
