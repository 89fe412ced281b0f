"""Shared helpers of the benchmark suite: data paths, repeated timing, memory, the machine."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

import planmap_gis as pm

REPEATS = int(os.environ.get("PLANMAP_BENCH_REPEATS", "3"))


def boundaries(name: str) -> Path:
    """A layer of ``$PLANMAP_BOUNDARIES`` (default ``../shared/boundaries``)."""
    path = Path(os.environ.get("PLANMAP_BOUNDARIES", "../shared/boundaries")) / name
    if not path.exists():
        raise SystemExit(f"{path} not found: set PLANMAP_BOUNDARIES to the folder of the boundary layers.")
    return path


def national_tambons() -> Any:
    """The 7,425 tambon of Thailand as the package draws and analyses them: the packaged layer
    (print-quality outlines, 1.5 million vertices; ``PLANMAP_BENCH_LAYER=simplified`` for the
    8-vertex reference file the earlier runs used). One-sided code warnings are expected."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PlanmapWarning)
        if os.environ.get("PLANMAP_BENCH_LAYER") == "simplified":
            return pm.read_boundaries(boundaries("tha_tambon_adm3.geojson"))[0]
        return pm.read_boundaries()[0]


def national_demo(n_projects: int) -> tuple[Any, Any, Any, Any]:
    """The national illustrative dataset of P8 and P9: packaged tambon, ~9 demo villages per tambon,
    ``n_projects`` demo projects and the villages' indicators."""
    from planmap_gis import demo

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tambons = pm.read_boundaries()[0]
        villages = demo.demo_villages(tambons, per_tambon=9, minimum=1)
        return tambons, villages, demo.demo_projects(tambons, villages, n=n_projects), demo.demo_indicators(villages)


def tambon_units(tambons: Any) -> Any:
    """Each tambon as one village (code + "00", 100 households): there is no national village layer."""
    return tambons[["tambon_code", "geometry"]].assign(village_code=tambons["tambon_code"] + "00",
                                                       households=100.0)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def compare(named: dict[str, Callable[[], Any]], repeats: int = REPEATS) -> tuple[dict[str, float], dict[str, Any]]:
    """Median seconds of each callable, run interleaved ``repeats`` times (VM noise hits all alike)."""
    times: dict[str, list[float]] = {k: [] for k in named}
    results: dict[str, Any] = {}
    for _ in range(repeats):
        for key, fn in named.items():
            seconds, results[key] = timed(fn)
            times[key].append(seconds)
    return {k: statistics.median(v) for k, v in times.items()}, results


class PeakMemory:
    """Peak memory while the block runs (sampled every 20 ms), in GiB: this process's resident set
    plus what the processes it forked hold of their own.

    A forked writer shares the plan's pages with this process; what it adds is its own pages. Reading
    them per process (USS, ``/proc/<pid>/smaps``) walks the child's page tables under its memory lock:
    38 ms a sample at 100,000 projects, up to a second, and the writers ran 25 % slower while being
    watched. So the children are counted by what the machine's anonymous pages and page tables grew
    by beyond this process's own anonymous pages (``/proc/meminfo``, microseconds a sample): on a
    quiet machine that is their own pages; files written (page cache) are not counted.

    Until 2026-12-06 the machine's "used" memory (total − free − buffers − cache) stood in for the
    children's pages. On this VM it also grew by memory no process held: at 100,000 projects, with
    this process and its lanes summing (USS, read every 0.5 s) to the growth of AnonPages to within
    15 MiB, "used" grew 0.2–0.25 GiB more, in the analysis as in the writers, by no field of
    ``/proc/meminfo`` that a process holds (likely the hypervisor's balloon taking pages from
    MemFree). ``peak_used_gib`` is still kept, and reported beside the peak.
    """

    def __enter__(self) -> PeakMemory:
        self._proc = psutil.Process()
        self.start = self._proc.memory_info().rss
        self._anon, self._machine = _own_anon(), _machine_anon()
        self._used = psutil.virtual_memory().used
        self.peak = self.peak_used = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _now(self) -> tuple[int, int]:
        own = self._proc.memory_info().rss
        children = _machine_anon() - self._machine - (_own_anon() - self._anon)
        used = psutil.virtual_memory().used - self._used - (own - self.start)
        return own + max(children, 0), own + max(used, 0)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._record()
            time.sleep(0.02)

    def _record(self) -> None:
        peak, used = self._now()
        self.peak, self.peak_used = max(self.peak, peak), max(self.peak_used, used)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._record()

    @property
    def peak_gib(self) -> float:
        return self.peak / 2**30

    @property
    def peak_used_gib(self) -> float:
        """The peak as measured until 2026-12-06 (the machine's "used" memory for the children)."""
        return self.peak_used / 2**30

    @property
    def rise_gib(self) -> float:
        return (self.peak - self.start) / 2**30


def _machine_anon() -> int:
    """Bytes of anonymous pages and page tables on the machine."""
    return _kib_fields("/proc/meminfo", ("AnonPages:", "PageTables:"))


def _own_anon() -> int:
    """Bytes of this process's anonymous resident pages and page tables."""
    return _kib_fields("/proc/self/status", ("RssAnon:", "VmPTE:"))


def _kib_fields(path: str, fields: tuple[str, ...]) -> int:
    """The sum of ``fields`` (given in kB) of a ``/proc`` file, in bytes."""
    with open(path) as f:
        return sum(int(line.split()[1]) * 1024 for line in f if line.startswith(fields))


def process_peak_gib() -> float:
    """Peak resident memory of the whole process so far (ru_maxrss), in GiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import geopandas
    import shapely
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": f"{psutil.virtual_memory().total / 2**30:.0f} GiB",
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "libraries": f"planmap-gis {pm.__version__}, geopandas {geopandas.__version__}, "
                     f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string})",
    }


def emit(result: dict[str, Any]) -> None:
    """The last line a benchmark prints: its figures as JSON, for ``run.py``."""
    print("RESULT " + json.dumps(result, ensure_ascii=False))


def scale_runs(script: str, variable: str, sizes: list[int]) -> list[dict[str, Any]]:
    """Run ``script`` once per size (``variable=size``), each in its own process so that each peak
    memory is its own; the RESULT each printed, in order. A size that fails is kept with its exit."""
    import subprocess
    import sys

    out = []
    for size in sizes:
        env = {**os.environ, variable: str(size)}
        env.pop("PLANMAP_BENCH_SCALE", None)
        proc = subprocess.run([sys.executable, str(Path(__file__).with_name(script))], env=env,
                              capture_output=True, text=True)
        lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
        result = json.loads(lines[-1][7:]) if proc.returncode == 0 and lines else \
            {"failed": f"exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1:]}"}
        out.append({"size": size, **result})
        if "failed" in result:
            print(proc.stderr[-2000:], flush=True)
        print(f"   {size:>10,}: {result.get('ours_s', float('nan')):.1f} s, peak "
              f"{result.get('peak_gib', float('nan')):.2f} GiB", flush=True)
    return out
