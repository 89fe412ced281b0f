"""The writers side by side (planmap_gis._lanes): same results, logs, warnings and errors as one
after another, and a forked lane never outlives the run."""

from __future__ import annotations

import errno
import logging
import multiprocessing.context
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import pandas as pd
import pytest

import planmap_gis as pm
from planmap_gis import settings
from planmap_gis._errors import OutputError, PlanmapWarning
from planmap_gis._lanes import Step, _lanes, release_free_pages, lane_count, side_by_side
from planmap_gis.plan import run

pytestmark = pytest.mark.skipif(lane_count(2, 2) == 1, reason="lanes need fork (Linux)")


def _pid_step(label: str, cost: float) -> Step:
    def write() -> tuple[str, int, int]:
        logging.getLogger("planmap_gis").info("inside %s", label)
        return label, os.getpid(), os.getppid()
    return Step(label, cost, write)


def test_results_come_back_in_the_order_given_from_two_processes(caplog):
    steps = [_pid_step(name, cost) for name, cost in [("a", 1), ("b", 5), ("c", 1), ("d", 3)]]
    with caplog.at_level(logging.INFO, logger="planmap_gis"):
        out = side_by_side(steps, processes=2)
    assert [label for label, *_ in out] == ["a", "b", "c", "d"]
    pids = {label: pid for label, pid, _ in out}
    lanes = {label: parent for label, _, parent in out}
    # longest first to the least loaded lane: b (5) here, d (3) there, a and c there too; each step
    # of the other lane in a fork of its own (what one step freed is not held under the next), all
    # forked by that lane
    assert pids["b"] == os.getpid() and os.getpid() not in (pids["a"], pids["c"], pids["d"])
    assert len({pids["a"], pids["c"], pids["d"]}) == 3
    assert lanes["a"] == lanes["c"] == lanes["d"] != os.getpid()
    said = [r.getMessage() for r in caplog.records]
    for name in "abcd":  # the forked lane's log lines reach this process's handlers
        assert f"inside {name}" in said
    assert sum(m.startswith("written ") for m in said) == 4


def test_the_parts_of_an_analysis_are_said_as_steps_not_as_writing(caplog):
    with caplog.at_level(logging.DEBUG, logger="planmap_gis"):
        side_by_side([Step("village coverage", 1, lambda: 1)], processes=1, say=False)
        side_by_side([Step("web map", 1, lambda: 1)], processes=1)
    said = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert (logging.DEBUG, "step 1/1: village coverage …") in said
    assert (logging.INFO, "writing 1/1: web map … / กำลังเขียน") in said
    assert not any("writing" in m and "coverage" in m for _, m in said)


def test_writers_waited_for_run_every_step_in_a_lane_unless_one_must_run_here():
    out = side_by_side([_pid_step(name, cost) for name, cost in [("a", 1), ("b", 5), ("c", 1)]], 2, wait=True)
    pids = [pid for _, pid, _ in out]
    assert os.getpid() not in pids and len(set(pids)) == 3  # b in one lane, a and c each forked by the other
    assert out[0][2] == out[2][2] != out[1][2]
    here = Step("database", 1, lambda: ("database", os.getpid(), os.getppid()), here=True)
    out = side_by_side([here, _pid_step("web", 2), _pid_step("tables", 2)], 2, wait=True)
    assert out[0][1] == os.getpid() and os.getpid() in {pid for _, pid, _ in out[1:]}


def test_one_process_runs_every_step_here():
    out = side_by_side([_pid_step("a", 1), _pid_step("b", 1)], processes=1)
    assert {pid for _, pid, _ in out} == {os.getpid()}


def test_the_lanes_are_shared_longest_first_and_here_steps_stay_here():
    steps = [Step("db", 1, lambda: None, here=True), Step("atlas", 30, lambda: None),
             Step("matrix", 3, lambda: None), Step("tables", 3, lambda: None), Step("web", 2, lambda: None)]
    assert _lanes(steps, 2) == [[0, 2, 3, 4], [1]]
    assert _lanes(steps[2:], 2) == [[0, 2], [1]]


def test_a_warning_of_a_forked_lane_is_given_here():
    def warns() -> int:
        warnings.warn("cut to 32,767 characters", PlanmapWarning, stacklevel=1)
        return 1
    with pytest.warns(PlanmapWarning, match="32,767"):
        assert side_by_side([Step("here", 5, lambda: 0), Step("there", 1, warns)], processes=2) == [0, 1]


def test_an_error_in_a_forked_lane_is_raised_here_after_every_lane_ended(tmp_path):
    def full_disk() -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "matrix.xlsx")

    def slow() -> str:
        time.sleep(0.5)
        (tmp_path / "done").write_text("yes")
        return "ok"
    with pytest.raises(OSError) as caught:
        side_by_side([Step("slow", 5, slow), Step("matrix", 1, full_disk)], processes=2)
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == "matrix.xlsx"
    assert (tmp_path / "done").read_text() == "yes"


def test_a_lane_that_dies_is_a_message_not_a_hang():
    with pytest.raises(OutputError, match="ended without finishing"):
        side_by_side([Step("here", 5, lambda: 0), Step("matrix", 1, lambda: os._exit(9))], processes=2)


def test_a_killed_run_stops_its_forked_lanes(tmp_path):
    script = textwrap.dedent(f"""
        import os, time
        from pathlib import Path
        from planmap_gis._lanes import Step, side_by_side

        def there():
            Path({str(tmp_path / "child")!r}).write_text(str(os.getpid()))
            time.sleep(60)
            Path({str(tmp_path / "late")!r}).write_text("written after the run was killed")

        side_by_side([Step("here", 5, lambda: time.sleep(60)), Step("there", 1, there)], processes=2)
    """)
    run = subprocess.Popen([sys.executable, "-c", script])
    for _ in range(200):
        if (tmp_path / "child").exists() and (tmp_path / "child").read_text():
            break
        time.sleep(0.05)
    child = int((tmp_path / "child").read_text())
    run.send_signal(signal.SIGKILL)
    run.wait()
    for _ in range(100):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the forked lane outlived the killed run")
    assert not (tmp_path / "late").exists()


def test_an_interrupted_run_interrupts_the_step_running_in_a_lane_and_starts_no_other(tmp_path):
    script = textwrap.dedent(f"""
        import signal, time
        from pathlib import Path
        from planmap_gis._lanes import Step, side_by_side

        # As at a terminal: a job started in the background (as CI may be) inherits SIGINT ignored.
        signal.signal(signal.SIGINT, signal.default_int_handler)

        def there():
            Path({str(tmp_path / "started")!r}).write_text("yes")
            try:
                time.sleep(60)
            except KeyboardInterrupt:  # where an atomic writer removes its partial file
                Path({str(tmp_path / "interrupted")!r}).write_text("yes")
                raise

        def after():
            Path({str(tmp_path / "after")!r}).write_text("started after Ctrl-C")

        side_by_side([Step("here", 5, lambda: time.sleep(60)), Step("there", 2, there),
                      Step("after", 1, after)], processes=2)
    """)
    run = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.DEVNULL)
    for _ in range(300):
        if (tmp_path / "started").exists():
            break
        time.sleep(0.05)
    try:
        run.send_signal(signal.SIGINT)  # to the run alone, as when its caller stops it
        assert run.wait(30) != 0
    finally:
        run.kill()
        run.wait()
    assert (tmp_path / "interrupted").exists()
    assert not (tmp_path / "after").exists()


def test_an_analysis_in_two_lanes_is_the_analysis_in_one(monkeypatch):
    data = pm.demo.load(fictional=True)
    areas = pm.village_areas(data.villages, data.tambons)

    def plan() -> pm.Plan:
        return pm.analyse(data.tambons, data.projects, villages=areas, indicators=data.indicators,
                          permutations=19)
    monkeypatch.setattr(settings, "processes", 1)
    one = plan()
    monkeypatch.setattr(settings, "processes", 2)
    monkeypatch.setattr(run, "LANES_FROM", 0)  # the demo is small: lanes are used from 200,000 rows
    monkeypatch.setattr(run, "LANE_VILLAGES", 0)  # and from 10,000 villages
    forked = []
    start = multiprocessing.context.ForkProcess.start
    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start",
                        lambda self: (forked.append(self), start(self))[1])
    two = plan()
    # The contiguity and amphoe outlines beside the allocation; the tambon and amphoe coverage beside
    # the villages'; the equity figures, hot spots and years beside the duplication tables and loads.
    assert len(forked) == 3
    for name in ("equity", "lorenz", "hotspots", "amphoes", "villages", "allocation"):
        pd.testing.assert_frame_equal(getattr(two, name), getattr(one, name), obj=name)
    assert two.hotspots.attrs == one.hotspots.attrs
    for name in ("metrics", "duplication", "yearly", "load"):
        assert getattr(two, name).keys() == getattr(one, name).keys()
        for level, table in getattr(one, name).items():
            pd.testing.assert_frame_equal(getattr(two, name)[level], table, obj=f"{name}[{level}]")
    assert two.summary() == one.summary()


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="resident memory read from /proc")
def test_memory_freed_before_a_fork_is_given_back_not_copied_into_the_lanes():
    # Blocks below malloc's mmap threshold come from the heap; freeing every other one leaves
    # holes malloc keeps for reuse, which a fork would share and either process then copy.
    def resident() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    blocks = [bytearray(64 * 1024) for _ in range(3000)]
    for b in blocks:
        b[::4096] = b"x" * len(b[::4096])  # touch every page
    del blocks[::2]
    held = resident()
    release_free_pages()
    assert held - resident() > 60 * 2**20  # of the ~94 MiB freed in holes
    del blocks


_FREED = """
import sys, numpy as np, psutil
if sys.argv[1] == "package":
    import planmap_gis  # noqa: F401
process = psutil.Process()
for _ in range(3):
    block = np.ones(3_000_000)  # 24 MB; after the first free glibc raised its threshold to this size
    del block
block = np.ones(3_000_000)
held = process.memory_info().rss
del block
print((held - process.memory_info().rss) / 2**20)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's malloc")
def test_importing_the_package_gives_freed_large_arrays_back():
    """A freed array of millions of rows goes back to the system once the package is imported
    (``_lanes.return_large_blocks``); without it glibc keeps the fourth 24 MB array in its heap."""
    def returned(*args: str) -> float:
        out = subprocess.run([sys.executable, "-c", _FREED, *args], capture_output=True, text=True, check=True,
                             env={k: v for k, v in os.environ.items() if k != "MALLOC_MMAP_THRESHOLD_"})
        return float(out.stdout)

    assert returned("package") > 20
    assert returned("numpy alone") < 4  # glibc's own way: the test can tell the two apart


def test_text_columns_come_from_the_system_allocator_here_and_from_a_fresh_one_in_a_lane():
    """Here Arrow's pool is the C allocator, which gives large freed blocks back; in a forked lane
    mimalloc, whose new segments are the lane's own (the C allocator would reuse the parent's freed
    memory: shared pages, copied when written)."""
    script = textwrap.dedent("""
        import pyarrow
        import planmap_gis
        from planmap_gis._lanes import Step, side_by_side
        name = lambda: pyarrow.default_memory_pool().backend_name
        print(name(), *side_by_side([Step("a", 1, name), Step("b", 1, name)], 2, wait=True))
    """)
    env = {k: v for k, v in os.environ.items() if k not in ("MALLOC_MMAP_THRESHOLD_", "ARROW_DEFAULT_MEMORY_POOL")}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split() == ["system", "mimalloc", "mimalloc"]
    chosen = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            env={**env, "ARROW_DEFAULT_MEMORY_POOL": "jemalloc"})
    assert chosen.stdout.split() == ["jemalloc"] * 3  # the user's choice is left alone
