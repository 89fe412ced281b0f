"""One exception hierarchy for everything a user can get wrong.

Every class subclasses :class:`PlanmapError`, itself a :class:`ValueError`, so
``except ValueError`` still works. Messages name the file, the offending rows,
columns or values, what was expected, and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable


class PlanmapError(ValueError):
    """Base class of every error planmap_gis raises for bad input."""


class InputFileError(PlanmapError):
    """A file is missing, unreadable, empty or of an unknown format."""


class SchemaError(PlanmapError):
    """Columns are missing or hold values of the wrong form (codes, numbers)."""


class CRSError(PlanmapError):
    """A layer has no coordinate reference system, or the wrong kind of one."""


class GeometryError(PlanmapError):
    """Geometries are missing, of the wrong type or beyond repair."""


class HierarchyError(PlanmapError):
    """Codes do not nest (tambon inside amphoe inside province)."""


class PlanmapWarning(UserWarning):
    """Input was loaded but something in it needs the user's attention."""


def show_values(values: Iterable[object], limit: int = 8) -> str:
    """Format offending values for a message: the first few and how many more."""
    items = [str(v) for v in values]
    shown = ", ".join(items[:limit])
    more = len(items) - limit
    return f"{shown} (and {more} more)" if more > 0 else shown
