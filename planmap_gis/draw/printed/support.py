"""Atlas page of facilitator support: villages whose targeted projects have no skilled facilitator nearby.

The map classes villages by how many of the projects that target them lack a facilitator with the
project's sector among their skills in the village's tambon (0, 1, 2, 3 or more; villages no
project targets stay grey); the panel's table says, per sector, how many projects there are,
how many need a facilitator, the villages affected and how many facilitators of the register
have that skill — what the workshop has to recruit or train for.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from planmap_gis import settings
from planmap_gis._errors import PlanmapError
from planmap_gis._schema import SECTORS
from planmap_gis.draw import mapdata as _mapdata
from planmap_gis.draw.classify import METRICS, NO_DATA_COLOR, classify, format_number
from planmap_gis.draw.printed import elements as el
from planmap_gis.draw.printed.layout import split
from planmap_gis.draw.printed.maps import level_words
from planmap_gis.draw.printed.themes import _page, _province_map
from planmap_gis.plan import Plan
from planmap_gis.read.masterplan import sector_key

__all__ = ["support_page"]


def sector_table(plan: Plan) -> pd.DataFrame:
    """Per sector: projects, projects needing a facilitator, villages lacking one, skilled facilitators."""
    assert plan.support is not None and plan.facilitators is not None
    projects = plan.support["project"].assign(sector=lambda f: f["sector"].map(sector_key))
    village = plan.support["village"]
    lacking = village["unsupported_sectors"].str.split(", ").explode()
    lacking = lacking[lacking.astype(bool)]
    skilled = plan.facilitators["skills"].explode().value_counts()
    table = pd.DataFrame({"n_projects": projects.groupby("sector").size(),
                          "n_need_facilitator": projects.groupby("sector")["needs_facilitator"].sum(),
                          "n_villages_lacking": lacking.value_counts(),
                          "n_facilitators": skilled})
    table = table.fillna(0).astype(int)
    order = [s for s in SECTORS if s in table.index] + [s for s in table.index if s not in SECTORS]
    return table.loc[order].sort_values("n_need_facilitator", ascending=False, kind="stable")


def support_page(plan: Plan, *, paper: str = "A3", lang: str | None = None) -> Figure:
    """Villages whose targeted projects have no skilled facilitator nearby, and the sectors short of one."""
    lang = settings.language(lang)
    if plan.support is None or plan.facilitators is None:
        raise PlanmapError("support_page: the plan has no facilitator register; analyse with facilitators=...",
                           th="แผนนี้ไม่มีทะเบียนคุณอำนวย ให้วิเคราะห์พร้อม --facilitators")
    table = sector_table(plan)
    fig, g = _page(plan, paper, len(table) + 1, "คุณอำนวยกับโครงการ: หมู่บ้านที่ยังไม่มีผู้อำนวยความสะดวกที่มีทักษะ",
                   "Facilitators and projects: villages without a skilled facilitator nearby",
                   f"{plan.years_label()} · {level_words(plan, english=True)} · "
                   f"{len(plan.facilitators)} คุณอำนวยในทะเบียน (in the register)")
    spec = METRICS["n_unsupported_projects"]
    layer = _mapdata.metric_layer(plan, "n_unsupported_projects", "village").to_crs(settings.analysis_crs)
    classes = classify(layer["value"], spec)  # no value where no project targets the village
    layer["color"] = [classes.colors[c] if c >= 0 else NO_DATA_COLOR for c in classes.yb]
    _province_map(fig, g, plan, layer)
    key, right = split(g.panel, [0.3, 0.7])
    handles = [Patch(facecolor=c, edgecolor="#666", label=lab)
               for c, lab in zip(classes.colors, classes.labels(lang), strict=True)]
    handles.append(Patch(facecolor=NO_DATA_COLOR, edgecolor="#666", label=f"{spec.no_data[0]} ({spec.no_data[1]})"))
    el.legend(fig, g, key, handles, "โครงการที่ไม่มีคุณอำนวยที่มีทักษะในตำบล\n(projects without a skilled facilitator nearby)")
    rows = [[s, f"{r.n_projects}", f"{r.n_need_facilitator}", format_number(r.n_villages_lacking), f"{r.n_facilitators}"]
            for s, r in table.iterrows()]
    projects = plan.support["project"]
    rows.append(["รวม", f"{len(projects)}", f"{int(projects['needs_facilitator'].sum())}",
                 format_number(int((plan.support['village']['n_unsupported_projects'] > 0).sum())),
                 f"{len(plan.facilitators)}"])
    el.table(fig, g, right, rows, ["ด้าน (sector)", "โครงการ", "ต้องการคุณอำนวย", "หมู่บ้านที่ยังขาด",
                                   "คุณอำนวยที่มีทักษะ"], [0.28, 0.14, 0.2, 0.2, 0.18], left=(0,), shade_last=True,
             title="ด้านที่ขาดคุณอำนวย: โครงการต้องการคุณอำนวย = ไม่มีคุณอำนวยที่มีทักษะด้านนั้นดูแลพื้นที่ของโครงการ "
                   "(no facilitator with the sector's skill serves the project's area)")
    el.footer(fig, g, el.footer_text(plan.notes),
              "ใกล้ = คุณอำนวยดูแลหมู่บ้านนั้นหรือหมู่บ้านอื่นในตำบลเดียวกัน · นับเฉพาะโครงการที่ระบุพื้นที่ถึงหมู่บ้าน/ตำบล")
    return fig
