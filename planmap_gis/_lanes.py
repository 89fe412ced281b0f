"""A run's writers side by side: the outputs of one plan written in parallel lanes.

Every writer reads the finished plan and writes its own file, and almost all of their time is Python
(rows, cells, pages), which one process runs on one core. So the steps are shared out over lanes
by their expected cost (longest first, each to the least loaded lane): this process runs the
first lane and a *forked* copy of it runs each other lane. The copies see the plan as it is —
nothing is pickled — and send back only what each step returns, its log lines and its warnings,
which this process gives out as if the step had run here. An error in a lane is raised here once
every lane has ended, so no file is left half written; a copy dies with this process (a killed run
stops every lane, each output still atomic).

Lanes need ``fork`` (Linux) and a process that may have children (not a Dask or pool worker);
elsewhere, with ``settings.processes = 1`` or with one step, the steps run one after another in
this process, as before.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import logging.handlers
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow

from planmap_gis import settings
from planmap_gis._errors import OutputError

__all__ = ["LANE_VILLAGES", "Step", "lane_count", "release_free_pages", "return_large_blocks", "side_by_side"]

log = logging.getLogger("planmap_gis")

#: Villages from which a register's area work takes a lane of its own: its village areas while the
#: projects are read, their contiguity and the amphoe outlines while the projects are allocated (a
#: country: 70,000 villages, 6 s and 2–3 s); a province's take a second or less, less than a fork.
LANE_VILLAGES = 10_000

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Step:
    """One output: what the log calls it, its expected cost (any unit, compared between steps),
    the writer, and whether it must run in this process (a database connection, a progress bar
    the caller watches, a step with lanes of its own: a forked lane has no children)."""

    label: str
    cost: float
    write: Callable[[], Any]
    here: bool = False


def lane_count(steps: int, processes: int | None = None) -> int:
    """Lanes for ``steps`` outputs: ``processes``, else ``settings.processes``, else one per core; at
    most one a step; 1 where a process cannot be forked safely."""
    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if multiprocessing.current_process().daemon:  # a Dask or pool worker may not have children
        return 1
    wanted = processes or settings.processes or settings.cores()
    return max(1, min(wanted, steps))


def _lanes(steps: Sequence[Step], count: int) -> list[list[int]]:
    """Step positions per lane, longest first to the least loaded; lane 0 takes the ``here`` steps."""
    lanes: list[list[int]] = [[] for _ in range(count)]
    load = [0.0] * count
    for i in (i for i, s in enumerate(steps) if s.here):
        lanes[0].append(i)
        load[0] += steps[i].cost
    for i in sorted((i for i, s in enumerate(steps) if not s.here), key=lambda i: -steps[i].cost):
        lane = min(range(count), key=lambda k: (load[k], k))
        lanes[lane].append(i)
        load[lane] += steps[i].cost
    return [sorted(lane) for lane in lanes]


def _run(steps: Sequence[Step], i: int, say: bool = True) -> Any:
    # An output's steps are said as writing; the parts of a reading or an analysis (say=False, at
    # DEBUG) as steps: "writing village coverage" would be wrong.
    level, doing, done = ((logging.INFO, "writing", "written") if say else (logging.DEBUG, "step", "done"))
    log.log(level, "%s %d/%d: %s …%s", doing, i + 1, len(steps), steps[i].label, " / กำลังเขียน" if say else "")
    started = time.perf_counter()
    out = steps[i].write()
    log.log(level, "%s %d/%d in %.1f s", done, i + 1, len(steps), time.perf_counter() - started)
    return out


class _Send:
    """The lane's end of the pipe, one message at a time (a step's own threads may log too), and a
    queue for :class:`logging.handlers.QueueHandler`."""

    def __init__(self, conn: Any) -> None:
        self.conn, self.lock = conn, threading.Lock()

    def send(self, message: tuple[Any, ...]) -> None:
        with self.lock:
            self.conn.send(message)

    def put_nowait(self, record: logging.LogRecord) -> None:
        self.send(("log", record))


def _fresh_text_pool() -> None:
    """In a forked lane, Arrow's text columns from an allocator of their own (mimalloc, when Arrow has
    it): new segments, where the C allocator would reuse the parent's freed memory, shared pages
    that are then copied (see :func:`return_large_blocks`). Only where that chose this process's pool."""
    if not _POOL_CHOSEN:
        return
    try:
        pyarrow.set_memory_pool(pyarrow.mimalloc_memory_pool())
    except (NotImplementedError, pyarrow.ArrowException):  # Arrow built without mimalloc
        pass


def _die_with(parent: int) -> None:
    """End this forked process when ``parent`` ends: a killed run must not go on writing into the folder."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (AttributeError, OSError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def _lane(steps: Sequence[Step], mine: list[int], conn: Any, parent: int, say: bool) -> None:
    """A forked lane: each of its steps in a fresh fork of its own (see :func:`_step`), one after another.

    A process keeps what a step freed for its next step (the C allocator's heap, Python's arenas),
    and in a copy of the parent every page it writes is its own: the web map's leftovers stayed
    under the tables written after it, 0.65 GiB in all at 100,000 projects where each alone takes
    0.31 and 0.19. A step's own fork gives everything back when it ends. The lane itself runs no
    step, so it has no threads of its own when it forks (a step's thread pools stay in its fork).
    """
    _die_with(parent)
    _fresh_text_pool()
    # Log records go to the parent, which has the handlers that matter (the console, a test's capture).
    for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
        if isinstance(logger, logging.Logger):
            logger.handlers = []
            logger.propagate = True
    pipe = _Send(conn)
    logging.getLogger().addHandler(logging.handlers.QueueHandler(pipe))
    running, stopped = [0], [False]

    def interrupted(*_: object) -> None:
        # Ctrl-C (or the parent's SIGINT when it is stopped) goes on to the running step, whose atomic
        # writer then removes its partial file; the lane waits for it and starts no other.
        stopped[0] = True
        if running[0]:
            os.kill(running[0], signal.SIGINT)

    signal.signal(signal.SIGINT, interrupted)
    lane = os.getpid()
    for i in mine:
        if stopped[0]:
            break
        running[0] = os.fork()
        if running[0] == 0:
            signal.signal(signal.SIGINT, signal.default_int_handler)  # the step itself is interrupted
            _die_with(lane)
            code = _step(steps, i, pipe, say)
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
            os._exit(code)
        _, status = os.waitpid(running[0], 0)
        running[0] = 0
        if os.WIFSIGNALED(status):  # the step's fork was killed: the lane ends the same way, which is said
            signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
            os.kill(lane, os.WTERMSIG(status))
        if (code := os.waitstatus_to_exitcode(status)) != 0:  # failed: the lane's later steps are not run
            conn.close()
            os._exit(code)  # said as the lane's exit code when no error came (os._exit in a step)
    conn.close()


def _step(steps: Sequence[Step], i: int, pipe: _Send, say: bool) -> int:
    """Run step ``i`` in a lane's fork: its result (or error) and warnings sent; 0 when it succeeded."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # the parent's filters decide
            out = _run(steps, i, say)
        for w in caught:
            pipe.send(("warning", (str(w.message), w.category, w.filename, w.lineno)))
        pipe.send(("done", i, out))
        return 0
    except BaseException as exc:  # noqa: BLE001 - every failure goes to the parent, which raises it
        try:
            pipe.send(("error", i, exc))
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled: its text
            pipe.send(("error", i, RuntimeError("".join(traceback.format_exception(exc)))))
        return 1


def _pump(conn: Any, inbox: list[tuple[Any, ...]]) -> None:
    """A lane's messages as they come: log lines given out at once (the console shows each step as
    it starts and ends), the rest kept for the caller's thread, until the lane closes its end."""
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message[0] == "log":
            logging.getLogger(message[1].name).handle(message[1])
        else:
            inbox.append(message)


def side_by_side(steps: Sequence[Step], processes: int | None = None, *, say: bool = True,
                 wait: bool = False) -> list[Any]:
    """Run ``steps`` in :func:`lane_count` lanes; what each returned, in the order given.

    ``say``: each step's start and end are logged at INFO (a run's outputs), else at DEBUG (the
    parts of an analysis). What a forked lane returns comes back pickled: keep it small, and keep
    the large results in the first lane (the costliest step), which is this process. Raises the
    first failed step's exception (in step order) once every lane has ended.

    ``wait``: when no step must run here, every step runs in a forked lane (one a lane) and this
    process only waits — for writers, whose results are small. A page this process writes while
    the lanes live is copied (the lanes share it), and a writer here wrote hundreds of MiB of its
    freed memory again: at 100,000 projects the writers' peak was 2.1–2.2 GiB with the matrix
    here and 1.9 with every writer in a lane, in the same time.
    """
    count = lane_count(len(steps), processes)
    if count == 1:
        return [_run(steps, i, say) for i in range(len(steps))]
    lanes = [[], *_lanes(steps, count)] if wait and not any(s.here for s in steps) else _lanes(steps, count)
    # Objects here before the fork are frozen until the lanes end: the garbage collector of neither
    # process visits them (a collection writes to every object it visits), so their pages stay shared.
    gc.freeze()
    release_free_pages()
    try:
        return _forked(steps, lanes, say)
    finally:
        gc.unfreeze()


def _forked(steps: Sequence[Step], lanes: list[list[int]], say: bool) -> list[Any]:
    """:func:`side_by_side`'s work once the lanes are shared out: ``lanes[0]`` here, the others forked."""
    context = multiprocessing.get_context("fork")
    results: dict[int, Any] = {}
    errors: dict[int, BaseException] = {}
    children = []
    for mine in lanes[1:]:
        ours, theirs = context.Pipe(duplex=False)
        child = context.Process(target=_lane, args=(steps, mine, theirs, os.getpid(), say), daemon=True)
        child.start()
        theirs.close()
        inbox: list[tuple[Any, ...]] = []
        children.append((child, threading.Thread(target=_pump, args=(ours, inbox), daemon=True), inbox, mine))
    for _, pump, _, _ in children:
        pump.start()
    try:
        for i in lanes[0]:
            try:
                results[i] = _run(steps, i, say)
            except Exception as exc:  # noqa: BLE001 - the other lanes still end before it is raised
                errors[i] = exc
                break
    except BaseException:  # Ctrl-C: the lanes stop too, removing their partial files
        for child, _, _, _ in children:
            if child.pid is not None:
                os.kill(child.pid, signal.SIGINT)
        for child, _, _, _ in children:
            child.join(10)
        raise
    for child, pump, inbox, mine in children:
        pump.join()
        child.join()
        for kind, *what in inbox:  # in this thread: the caller's warning filters and records apply
            if kind == "warning":
                text, category, filename, lineno = what[0]
                warnings.warn_explicit(text, category, filename, lineno)
            elif kind == "done":
                results[what[0]] = what[1]
            else:
                errors[what[0]] = what[1]
        missing = [i for i in mine if i not in results and i not in errors]
        if missing and not errors:
            errors[missing[0]] = _died(steps[missing[0]], child.exitcode)
    if errors:
        raise errors[min(errors)]
    return [results[i] for i in range(len(steps))]


def release_free_pages() -> None:
    """Give the pages of memory freed so far back to the system (before a fork, and in long writers).

    The C allocator (glibc's malloc; Arrow's pool for text columns) keeps freed memory for reuse:
    after a national analysis this process held 2.2 GiB of which 0.75 GiB free. A forked lane
    shares those pages, and the first write to one, by either process, copies it, so the same
    free memory came to be held twice. Returned before the fork (``malloc_trim``, 43 ms), the
    writers' peak at 100,000 projects fell from 3.15 to 2.80 GiB and P8's from 3.4–3.6 to 3.2 GiB.
    A writer that frees much as it goes (the matrix workbook, after its index of cells and its
    label cells are made) calls it too: the matrix's writer +648 → +568 MiB at that size.
    Elsewhere (no glibc) a no-op.
    """
    try:
        pyarrow.default_memory_pool().release_unused()
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


#: Whether :func:`return_large_blocks` chose Arrow's pool (the user did not), so a lane may choose its own.
_POOL_CHOSEN = False

#: Blocks from which glibc's malloc maps memory of its own for each (and unmaps it when freed).
LARGE_BLOCK = 4 * 1024 * 1024
_M_MMAP_THRESHOLD = -3  # mallopt's parameter (malloc.h)


def return_large_blocks() -> None:
    """Have the C allocator give each freed block of :data:`LARGE_BLOCK` or more back to the system.

    glibc maps a large block on its own and unmaps it when freed, but after the first such free it
    raises that threshold to the block's size (up to 32 MiB): the next arrays of millions of rows
    then come from its heap, whose freed memory it keeps. A national run frees arrays of 13–27
    MiB by the hundred, so its resident memory only grew: the allocation held +834 MiB at its
    peak, +624 with the threshold fixed; P8's peak 2.26–2.38 → 1.96–2.16 GiB. A fresh block costs
    its page faults: at 256 KiB P8 took some 2 s longer and P1's allocate 8–15 % (its arrays of a
    million points are 8 MiB); at 4 MiB a province's arrays (under 500,000 rows) stay in the heap
    (P8 54.9 s, 2.10 GiB). Called once when the package is imported (a process-wide setting of
    glibc's; forked lanes inherit it).
    Left as it is when ``MALLOC_MMAP_THRESHOLD_`` is set (the user chose), and elsewhere (no glibc).

    Arrow's text columns are then allocated by the C allocator too (unless ``ARROW_DEFAULT_MEMORY_POOL``
    is set): its default pool, mimalloc, kept what it freed, and this process held 0.11–0.12 GiB
    more after a national analysis (1.27 against 1.15 GiB). A forked lane goes back to mimalloc
    (:func:`_fresh_text_pool`).
    """
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK)
    except (OSError, AttributeError):
        return
    if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
        # Arrow's text columns too (its default pool, mimalloc, keeps what it freed).
        global _POOL_CHOSEN
        pyarrow.set_memory_pool(pyarrow.system_memory_pool())
        _POOL_CHOSEN = True


def _died(step: Step, code: int | None) -> BaseException:
    why = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    return OutputError(f"the process writing {step.label} ended without finishing ({why}); the previous "
                       "file, if any, is intact. Run again; if it happens again, run with settings.processes "
                       "= 1 (planmap … --processes 1).",
                       th=f"กระบวนการที่เขียน {step.label} หยุดก่อนเสร็จ ({why}) ไฟล์เดิมยังอยู่ครบ โปรดรันใหม่")
