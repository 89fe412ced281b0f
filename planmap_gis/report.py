"""The import report: every input row is either loaded or reported.

Every loader (boundaries, villages, and later projects and indicators) fills
one :class:`ImportReport`. Its ``problems`` table has one row per problem,
naming the file, sheet, row, column and value, with the reason in Thai and
English, so that the agency that sent the file can fix it.

Row numbers are the ones a user sees: the spreadsheet row (1 = first row) for
CSV and Excel, the feature number (1 = first feature) for GIS files. ``row`` is
empty for problems that concern the whole file or a code missing from it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from planmap_gis._errors import SchemaError
from planmap_gis._output import write_csv, write_excel
from planmap_gis._schema import (
    PROBLEM_COLUMNS,
    SEVERITIES,
    SOURCE_FILE,
    SOURCE_ROW,
    SOURCE_SHEET,
)


@dataclass
class ImportReport:
    """What happened to every row of one input.

    Attributes
    ----------
    source : str
        The file (or a description of the in-memory input) that was read.
    rows_in : int
        Rows (features) found in the input.
    rows_loaded : int
        Rows that were loaded, with or without warnings.
    rows_rejected : int
        Rows that were not loaded: each has at least one ``error`` problem, or
        an ``info`` line saying it was skipped as not data (a totals row, a
        repeated header row).
    """

    source: str
    rows_in: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    _problems: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def add(
        self,
        severity: str,
        message_en: str,
        message_th: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        sheet: str | None = None,
        file: str | None = None,
    ) -> None:
        """Record one problem.

        Parameters
        ----------
        severity : {"error", "warning", "info"}
            ``error``: the row was rejected; ``warning``: loaded but needs
            attention; ``info``: loaded, and a value was changed by a
            documented rule (e.g. a truncated name repaired).
        message_en, message_th : str
            The reason and the fix, in English and Thai.
        row : int, optional
            Row number as the user sees it (see the module docstring).
        column, value, sheet, file : optional
            Where the problem is; ``file`` defaults to :attr:`source`.
        """
        if severity not in SEVERITIES:
            raise SchemaError(f"ImportReport.add: severity must be one of {SEVERITIES}, got {severity!r}.")
        self._problems.append(
            {
                "file": file if file is not None else self.source,
                "sheet": sheet,
                "row": row,
                "column": column,
                "value": None if value is None else str(value),
                "severity": severity,
                "message_th": message_th,
                "message_en": message_en,
            }
        )

    @property
    def problems(self) -> pd.DataFrame:
        """All problems, one row each, with the columns of ``PROBLEM_COLUMNS``."""
        frame = pd.DataFrame(self._problems, columns=list(PROBLEM_COLUMNS))
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def count(self, severity: str) -> int:
        """Number of problems of one severity."""
        return sum(1 for p in self._problems if p["severity"] == severity)

    @property
    def ok(self) -> bool:
        """True when nothing was rejected and nothing needs attention."""
        return self.count("error") == 0 and self.count("warning") == 0

    def absorb(self, other: ImportReport) -> None:
        """Add another report's rows and problems after this one's (one file read in parts)."""
        self.rows_in += other.rows_in
        self.rows_loaded += other.rows_loaded
        self.rows_rejected += other.rows_rejected
        self._problems.extend(other._problems)

    def name_columns(self, headers: dict[str, str]) -> None:
        """Name each problem's column by the header the agency wrote (``{field: header}``), so a
        clerk finds it in the sheet; fields the sheet lacks keep their own name."""
        for problem in self._problems:
            column = problem["column"]
            if isinstance(column, str) and column in headers:
                problem["column"] = headers[column]

    def reject(self, row: int, problems: list[tuple[str, object, str, str]], *, sheet: str | None = None) -> bool:
        """Report each ``(column, value, English, Thai)`` problem of a row as an error and count the
        row rejected; returns whether it was (False when there is no problem)."""
        for column, value, en, th in problems:
            self.add("error", f"{en}: row rejected", f"{th} ไม่นำเข้าแถวนี้", row=row, column=column,
                     value=value, sheet=sheet)
        if problems:
            self.rows_rejected += 1
        return bool(problems)

    def balanced(self) -> bool:
        """True when ``rows_in == rows_loaded + rows_rejected``."""
        return self.rows_in == self.rows_loaded + self.rows_rejected

    def to_frame(self) -> pd.DataFrame:
        """The problems table (same as :attr:`problems`)."""
        return self.problems

    def to_csv(self, path: str | Path) -> Path:
        """Write the problems to a UTF-8 CSV (with BOM, so Excel shows Thai); text cells that a
        spreadsheet would run as formulas get a leading apostrophe."""

        return write_csv(self.problems, path)

    def to_excel(self, path: str | Path) -> Path:
        """Write a summary sheet and the problems sheet to an XLSX file (inert text, atomic)."""
        summary = pd.DataFrame(
            {
                "item": ["source", "rows_in", "rows_loaded", "rows_rejected",
                         "errors", "warnings", "info"],
                "value": [self.source, self.rows_in, self.rows_loaded, self.rows_rejected,
                          self.count("error"), self.count("warning"), self.count("info")],
            }
        )

        return write_excel({"summary": summary, "problems": self.problems}, path)

    def summary(self) -> str:
        """One line: rows in, loaded, rejected, and problem counts."""
        return (
            f"{self.source}: {self.rows_in} rows in, {self.rows_loaded} loaded, "
            f"{self.rows_rejected} rejected; {self.count('error')} errors, "
            f"{self.count('warning')} warnings, {self.count('info')} notes"
        )

    def __str__(self) -> str:
        return self.summary()


def origin(frame: pd.DataFrame, pos: int, *, at: int | None = None) -> dict[str, Any]:
    """Where the row at position ``pos`` of a loaded table came from, as every report names it.

    A table a reader made carries its rows' origin (``source_row``: the row as Excel or a text
    editor shows it, header included, 1-based; ``source_sheet``; ``source_file``), so the reader,
    the allocation and the village areas name the same line the same way. A table made in Python
    has none: its position + 1 stands in (``at``: the position in the whole table when ``frame``
    is a part of it).
    """
    out: dict[str, Any] = {"row": (pos if at is None else int(at)) + 1}
    if SOURCE_ROW in frame.columns:
        row = frame[SOURCE_ROW].iloc[pos]
        if row is not None and not pd.isna(row):
            out["row"] = int(row)
            if SOURCE_SHEET in frame.columns and isinstance(frame[SOURCE_SHEET].iloc[pos], str):
                out["sheet"] = frame[SOURCE_SHEET].iloc[pos]
            if SOURCE_FILE in frame.columns and isinstance(frame[SOURCE_FILE].iloc[pos], str):
                out["file"] = frame[SOURCE_FILE].iloc[pos]
    return out


def reader_result(frame: Any, report: ImportReport, flag: bool | None, name: str) -> Any:
    """What every ``read_*`` returns: ``(frame, report)``.

    ``return_report=`` was a flag of ``read_boundaries`` and ``read_villages`` only (0.1); given
    either way it still works for one release, with a :class:`FutureWarning`.
    """
    if flag is None:
        return frame, report
    warnings.warn(f"{name}(return_report=...) is deprecated: like every read_*, {name} returns "
                  f"(frame, report) (0.2); drop the argument. It goes in the next release.",
                  FutureWarning, stacklevel=3)
    return (frame, report) if flag else frame
