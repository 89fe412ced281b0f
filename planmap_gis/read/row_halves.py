"""A long sheet's rows read in two halves side by side, with the same records and report as one by one.

Reading a row is Python through and through (twenty small parsers a row: ids, amounts, years, areas,
contacts), so a national sheet of 100,000 rows takes about 9 s on one core while the other waits
or makes the village areas. The second half is read in a forked lane (:mod:`planmap_gis._lanes`)
with its own report and its own list of ids seen; this process reads the first half, then puts the
two together in row order. The one thing a half cannot know alone is an id the other half has too:
when the halves share an id, the second half is read again here, after the first, as one by one
would, so the duplicate is said of the right row either way.
"""

from __future__ import annotations

import copy
from typing import Any

from planmap_gis._lanes import Step, lane_count, side_by_side
from planmap_gis.read.rows import RowReader
from planmap_gis.report import ImportReport

__all__ = ["LANE_ROWS", "read_rows"]

#: Rows from which a sheet's rows are read in two lanes: below it a fork (tens of milliseconds in a
#: large process) and sending the records back cost more than the second core gives.
LANE_ROWS = 20_000


def read_rows(reader: RowReader, rows: list[dict[str, Any]], processes: int | None = None) -> list[dict[str, Any]]:
    """The project records of ``rows`` (sheet rows as dicts, in order; rows not loaded left out), read
    by ``reader``, whose report and ids seen end as if each row had been read in turn.

    ``processes``: as :func:`planmap_gis._lanes.lane_count` (None: ``settings.processes``, else one per
    core); with one lane, or fewer than :data:`LANE_ROWS` rows, the rows are read here one by one.
    """
    if len(rows) < LANE_ROWS or lane_count(2, processes) == 1:
        return _read(reader, rows)
    half = (len(rows) + 1) // 2
    first, second = rows[:half], rows[half:]

    def second_half() -> tuple[list[dict[str, Any]], ImportReport, dict[str, int]]:
        # A copy with a report and ids of its own, so this step may run anywhere, even here.
        other = copy.copy(reader)
        other.report, other.seen = ImportReport(source=reader.report.source), dict(reader.seen)
        records = _read(other, second)
        return records, other.report, {k: v for k, v in other.seen.items() if k not in reader.seen}

    mine, (theirs, report, seen) = side_by_side(
        [Step("rows, first half", 1, lambda: _read(reader, first), here=True),
         Step("rows, second half", 1, second_half)], processes, say=False)
    if any(key in reader.seen for key in seen):  # an id in both halves (theirs are new to the fork)
        return mine + _read(reader, second)
    reader.seen.update(seen)
    reader.report.absorb(report)
    return mine + theirs


def _read(reader: RowReader, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [rec for rec in map(reader.read, rows) if rec]
