"""One exception hierarchy for everything a user can get wrong.

Every class subclasses :class:`PlanmapError`, itself a :class:`ValueError`, so
``except ValueError`` still works. Messages name the file, the offending rows,
columns or values, what was expected, and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable


class PlanmapError(ValueError):
    """Base class of every error planmap_gis raises for bad input.

    Parameters
    ----------
    message : str
        What is wrong and the fix, in English.
    th : str, optional
        The same in Thai. ``str(error)`` holds both; without it the CLI prints the
        class's Thai summary (``summary_th``) beside the English text.
    """

    summary_th = "ข้อมูลนำเข้าไม่ถูกต้อง"

    def __init__(self, message: str = "", *, th: str | None = None) -> None:
        self.message_en = message
        self.message_th = th
        super().__init__(f"{message}\n{th}" if th else message)

    @property
    def thai(self) -> str:
        """The Thai message, or the class's Thai summary when the raiser gave none."""
        return self.message_th or self.summary_th


class InputFileError(PlanmapError):
    """A file is missing, unreadable, empty or of an unknown format."""

    summary_th = "ไฟล์หาไม่พบ อ่านไม่ได้ ว่างเปล่า หรือเป็นรูปแบบที่ไม่รู้จัก"


class SchemaError(PlanmapError):
    """Columns are missing or hold values of the wrong form (codes, numbers)."""

    summary_th = "คอลัมน์ขาดหาย หรือค่าในคอลัมน์ไม่อยู่ในรูปแบบที่ถูกต้อง (รหัส ตัวเลข)"


class CRSError(PlanmapError):
    """A layer has no coordinate reference system, or the wrong kind of one."""

    summary_th = "ชั้นข้อมูลไม่มีระบบพิกัด หรือระบบพิกัดไม่ถูกต้อง"


class GeometryError(PlanmapError):
    """Geometries are missing, of the wrong type or beyond repair."""

    summary_th = "รูปแปลงขาดหาย ผิดประเภท หรือซ่อมไม่ได้"


class HierarchyError(PlanmapError):
    """Codes do not nest (tambon inside amphoe inside province)."""

    summary_th = "รหัสไม่ซ้อนกันตามลำดับ ตำบล–อำเภอ–จังหวัด"


class ChecksumError(PlanmapError):
    """A fetched or imported file is not the one the manifest describes."""

    summary_th = "ไฟล์ที่ดาวน์โหลดหรือนำเข้าไม่ตรงกับที่บันทึกไว้ (checksum ไม่ตรง)"


class AssetError(PlanmapError):
    """The offline web-map assets are missing or not the published files."""

    summary_th = "ไม่พบไฟล์ Leaflet สำหรับแผนที่ออฟไลน์ หรือไฟล์ไม่ตรงกับรุ่นที่เผยแพร่"


class FontError(PlanmapError):
    """No font with Thai glyphs could be found."""

    summary_th = "ไม่พบฟอนต์ที่มีอักษรไทยสำหรับพิมพ์แผนที่"


class OutputError(PlanmapError):
    """An output cannot be written where it was asked (no room, no permission, not a file)."""

    summary_th = "เขียนผลลัพธ์ไม่ได้ (พื้นที่ไม่พอ ไม่มีสิทธิ์ หรือปลายทางไม่ใช่ไฟล์)"


class PlanmapWarning(UserWarning):
    """Input was loaded but something in it needs the user's attention."""


def show_values(values: Iterable[object], limit: int = 8) -> str:
    """Format offending values for a message: the first few and how many more."""
    items = [str(v) for v in values]
    shown = ", ".join(items[:limit])
    more = len(items) - limit
    return f"{shown} (and {more} more)" if more > 0 else shown
