"""The Plan's tables as files a planning office opens: CSV (UTF-8 with BOM) and one XLSX workbook.

Both are written atomically and inert: text from agencies' sheets never becomes a formula
(see :mod:`planmap_gis._output`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from planmap_gis._lanes import release_free_pages
from planmap_gis._output import write_csv, write_excel
from planmap_gis._schema import LEVEL_KEYS
from planmap_gis.plan import Plan

__all__ = ["plan_tables", "save_tables"]


def plan_tables(plan: Plan) -> dict[str, pd.DataFrame]:
    """The tables by name, in a fixed order, indexes as first columns."""
    tables = {f"metrics_{lv}": plan.metrics[lv].reset_index() for lv in ("village", "tambon", "amphoe")}
    tables["equity"] = plan.equity.reset_index()
    tables["duplication_tambon"] = plan.duplication["tambon"]
    tables["duplication_village"] = plan.duplication["village"]
    if "rank" in plan.priorities:
        tables["priorities"] = plan.priorities.sort_values("rank").rename_axis("village_code").reset_index()
    tables["hotspots"] = plan.hotspots.rename_axis("village_code").reset_index()
    if plan.needs is not None:
        tables["needs"] = plan.needs
        for level, table in plan.alignment.items():
            tables[f"alignment_{level}"] = table.reset_index()
    tables["facilitators"] = plan.load["facilitator"].reset_index()
    tables["management_units"] = plan.load["management_unit"].reset_index()
    if plan.underserved is not None:
        tables["underserved"] = plan.underserved
    if plan.support is not None:
        tables["support_projects"] = plan.support["project"].reset_index()
        tables["support_facilitators"] = plan.support["facilitator"].reset_index()
    if plan.change is not None:
        for level, table in plan.change.units.items():
            tables[f"change_{level}"] = table.rename_axis(LEVEL_KEYS[level]).reset_index()
        tables["change_equity"] = plan.change.equity
        tables["change_hotspots"] = plan.change.hotspots.rename_axis("village_code").reset_index()
    return tables


def save_tables(plan: Plan, folder: str | Path) -> list[Path]:
    """Write every table as CSV and all of them as sheets of ``tables.xlsx``; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    tables = plan_tables(plan)
    for name, table in tables.items():
        written.append(write_csv(table, folder / f"{name}.csv"))
        release_free_pages()  # in a lane, Arrow's pool keeps what a table's text took until told
    written.append(write_excel(tables, folder / "tables.xlsx",
                               format_sheet=lambda sheet, _: setattr(sheet, "freeze_panes", "B2")))
    return written
