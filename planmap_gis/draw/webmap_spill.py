"""A web map's large data kept on disk until the page is written, not in memory.

A national web map carries some 150 MB of data (each level's outlines, names, popups and project
lists), made layer by layer and held by the map until :func:`~planmap_gis.draw.webmap_tools.write_html`
writes the page: as Python text (Thai two bytes a character) that was 0.3 GiB held at once by the
process writing it. Each part of :data:`SPILL_FROM` characters or more is written to a temporary
file of its own (UTF-8, unlinked as soon as it is made, so it goes with the map or the process) as
it is placed, and copied into the page from there.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

__all__ = ["SPILL_FROM", "Spilled", "joined", "pieces", "spill"]

#: Characters from which a part of a map's code is kept on disk (a province's parts stay in memory).
SPILL_FROM = 1 << 20

#: Characters encoded, or bytes copied, at a time.
_CHUNK = 1 << 20


class Spilled:
    """One part of a map's code in a temporary file, UTF-8."""

    __slots__ = ("file", "size")

    def __init__(self, part: str) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="planmap-webmap-")
        for start in range(0, len(part), _CHUNK):
            self.file.write(part[start:start + _CHUNK].encode("utf-8"))
        self.file.flush()
        self.size = self.file.tell()

    def __del__(self) -> None:  # with the map: the file (already unlinked) is gone when closed
        file = getattr(self, "file", None)
        if file is not None:
            file.close()

    def read(self) -> str:
        """The part as text."""
        return b"".join(self.chunks()).decode("utf-8")

    def chunks(self) -> Iterator[bytes]:
        """The part's bytes, a chunk at a time (read at offsets: a map written in a forked copy of
        the process that made it does not move the maker's file position)."""
        fd = self.file.fileno()
        for start in range(0, self.size, _CHUNK):
            yield os.pread(fd, min(_CHUNK, self.size - start), start)


def spill(parts: Iterable[str]) -> tuple[str | Spilled, ...]:
    """``parts`` with each of :data:`SPILL_FROM` characters or more moved to disk (kept in memory
    when the temporary folder cannot take it: disk is only a saving)."""
    return tuple(_spilled(p) if len(p) >= SPILL_FROM else p for p in parts)


def _spilled(part: str) -> str | Spilled:
    try:
        return Spilled(part)
    except OSError:  # a full or read-only temporary folder
        return part


def pieces(parts: Iterable[str | Spilled]) -> Iterator[bytes]:
    """The UTF-8 bytes of ``parts`` in order, a chunk at a time."""
    for part in parts:
        if isinstance(part, Spilled):
            yield from part.chunks()
        else:
            for start in range(0, len(part), _CHUNK):
                yield part[start:start + _CHUNK].encode("utf-8")


def joined(parts: Iterable[str | Spilled]) -> str:
    """``parts`` joined as one text (a map rendered whole: a notebook's view, ``Map.save``); only the
    parts on disk are read and decoded."""
    return "".join(p.read() if isinstance(p, Spilled) else p for p in parts)
