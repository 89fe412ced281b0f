"""What a web map says about a unit: its tooltip value, names (Thai, English, parents), popup lines,
and the projects working there."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from planmap_gis._schema import (
    AGENCY,
    BUDGET,
    FISCAL_YEAR,
    N_TARGETED,
    NAME_TH,
    NO_PROJECT_RULE,
    PROJECT_ID,
)
from planmap_gis._text import pair_codes, run_firsts, sorted_codes
from planmap_gis.draw import mapdata as _mapdata
from planmap_gis.draw.classify import (
    METRICS,
    format_number,
)
from planmap_gis.draw.webmap_tools import Encoded, _js, _label, json_list
from planmap_gis.measure.metrics import no_project
from planmap_gis.plan import Plan


def _value_short(value: Any, metric: str, lang: str) -> str | None:
    """The value as a tooltip shows it, without the unit; None for no data."""
    spec = METRICS[metric]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if spec.kind == "categorical":
        return _label(*spec.categories.get(value, ("", str(value), str(value)))[1:], lang)
    return format_number(float(value), spec.decimals)


def _tooltip_values(plan: Plan, metric: str, level: str, frame: pd.DataFrame, lang: str) -> list[str | None]:
    """Tooltip values; the alignment layer also names the unmet sectors (in Thai: they are data)."""
    shown = [_value_short(v, metric, lang) for v in frame[_mapdata.VALUE]]
    if metric == "n_unsupported_projects":
        sectors = plan.metrics["village"]["unsupported_sectors"]
        label = _label("ด้าน", "sectors", lang)
        return [v if v is None or not sectors.get(c) else f"{v} — {label}: {sectors.get(c)}"
                for v, c in zip(shown, frame[_mapdata.CODE], strict=True)]
    if metric != "alignment":
        return shown
    unmet = _mapdata.unmet_sectors(plan, level)
    label = _label("ยังขาด", "unmet", lang)
    return [v if v is None or not unmet.get(c) else f"{v} — {label}: {unmet.get(c)}"
            for v, c in zip(shown, frame[_mapdata.CODE], strict=True)]


def _names(plan: Plan, level: str, codes: pd.Series, lang: str, *, english: bool = True) -> dict[str, Any]:
    """Unit names without repeating the parent's: own name, parent index, parent names; with a
    Thai page, the English own and parent names too (``ne``, ``pne``: the place search finds
    both) unless ``english`` is False (a lean map without popups keeps its size)."""
    # Names as plain dicts: a lookup per unit through pandas (.at, .get) took a second for the
    # 66,000 villages of a national map.
    tambons = plan.tambons.drop_duplicates("tambon_code").set_index("tambon_code")
    t_th, t_en = tambons["tambon_th"].to_dict(), tambons["tambon_en"].to_dict()
    amphoes = plan.amphoes.set_index("amphoe_code")
    a_th, a_en = amphoes["amphoe_th"].to_dict(), amphoes["amphoe_en"].to_dict()
    th = lang != "en"
    if level == "amphoe":
        names = [("อ." + a_th[c]) if th else a_en[c] for c in codes]
        return {"n": names, **({"ne": [a_en[c] for c in codes]} if th and english else {})}
    if level == "tambon":
        parents = sorted(set(codes.str[:4]))
        pn = [("อ." + a_th[c]) if th else a_en[c] for c in parents]
        names = [("ต." + t_th[c]) if th else t_en[c] for c in codes]
        english_names = {"ne": [t_en[c] for c in codes], "pne": [a_en[c] for c in parents]}
    else:
        parents = sorted(set(codes.str[:6]))
        pn = [("ต." + t_th[c]) if th else t_en[c] for c in parents]
        v = plan.villages
        # A name the register leaves blank is blank, as the printed maps show it (never "nan").
        own = dict(zip(v["village_code"].astype(str), v["village_th"].fillna(""))) if "village_th" in v else {}
        names = [(f"{own.get(c, '')} ม.{int(c[6:])}".strip() if th else f"Moo {int(c[6:])}") for c in codes]
        english_names = {}
    index = {c: i for i, c in enumerate(parents)}
    prefix = 6 if level == "village" else 4
    return {"n": names, "p": [index[c[:prefix]] for c in codes], "pn": pn, "sep": " " if th else ", ",
            **(english_names if th and english else {})}


def _unit_popups(plan: Plan, level: str, frame: pd.DataFrame, lang: str) -> Encoded:
    """The figures of each unit, as lines (name first): a JSON list of lists, made unit by unit."""
    cov = plan.metrics[level].reindex(frame[_mapdata.CODE])
    empty = no_project(cov) if N_TARGETED in cov else pd.Series(False, index=cov.index)
    lines = []
    strength = _mapdata.values(plan, "strength_index", level).reindex(frame[_mapdata.CODE]).to_numpy()
    # Each unit's figures read once as plain records: a national map has 66,000 villages, and
    # a pandas row lookup per unit (and a count of the ranks per unit) took most of a minute.
    # Only the columns said: all 40 of them as records held +200 MiB of Python floats nationally.
    rows = cov[[c for c in (BUDGET, "budget_per_household", "n_projects", "n_agencies", "n_duplications",
                            N_TARGETED, "n_unsupported_projects", "unsupported_sectors") if c in cov]
               ].to_dict("records")
    flagged = empty.to_numpy()
    alignment = plan.alignment.get(level)
    aligned = {} if alignment is None else dict(zip(
        alignment.index, alignment[["n_needs", "n_met", "unmet_sectors"]].itertuples(index=False, name=None)))
    ranks = plan.priorities["rank"] if level == "village" and len(plan.priorities) and "rank" in plan.priorities \
        else pd.Series(dtype=float)
    ranked, ranks = int(ranks.notna().sum()), ranks.dropna().to_dict()
    for pos, (code, name_th, name_en) in enumerate(
            zip(frame[_mapdata.CODE], frame[_mapdata.NAME_TH], frame[_mapdata.NAME_EN], strict=True)):
        row = rows[pos]
        text = [f"{_label(name_th, name_en, lang)} ({code})",
                f"{_label('งบประมาณรวม', 'Budget', lang)}: {format_number(row[BUDGET])} "
                f"{_label('บาท', 'THB', lang)}",
                f"{_label('งบต่อครัวเรือน', 'Per household', lang)}: "
                f"{format_number(row['budget_per_household'])} {_label('บาท', 'THB', lang)}",
                f"{_label('โครงการ', 'Projects', lang)}: {format_number(row['n_projects'])}, "
                f"{_label('หน่วยงาน', 'agencies', lang)}: {format_number(row['n_agencies'])}, "
                f"{_label('ซ้ำซ้อน', 'duplications', lang)}: {format_number(row['n_duplications'])}"]
        if N_TARGETED in row and level != "amphoe":
            text.append(f"{_label('โครงการที่ระบุพื้นที่นี้', 'Targeted projects', lang)}: "
                        f"{format_number(row[N_TARGETED])}"
                        + (f" — {_label('ไม่มีโครงการ', 'no project', lang)} "
                           f"({_label(NO_PROJECT_RULE[0], NO_PROJECT_RULE[1], lang)})"
                           if flagged[pos] else ""))
        if not pd.isna(strength[pos]):
            text.append(f"{_label('ความเข้มแข็ง', 'Strength', lang)}: {strength[pos]:.1f}/100")
        if code in aligned:
            n_needs, n_met, unmet = aligned[code]
            if not pd.isna(n_needs):
                text.append(f"{_label('แผนแม่บทชุมชน', 'Master plan', lang)}: "
                            f"{int(n_met)}/{int(n_needs)} "
                            f"{_label('ความต้องการมีโครงการรองรับ', 'top needs met', lang)}")
                if unmet:
                    text.append(f"{_label('ยังไม่มีโครงการด้าน', 'Unmet sectors', lang)}: {unmet}")
        if level == "village" and "n_unsupported_projects" in row and row["n_unsupported_projects"] > 0:
            text.append(f"{_label('โครงการที่ไม่มีคุณอำนวยที่มีทักษะในตำบล', 'Projects without a skilled facilitator nearby', lang)}: "
                        f"{int(row['n_unsupported_projects'])} ({row['unsupported_sectors']})")
        if code in ranks:
            text.append(f"{_label('ลำดับความสำคัญ', 'Priority rank', lang)}: {int(ranks[code]):,} "
                        f"{_label('จาก', 'of', lang)} {ranked:,}")
        lines.append(_js(text))
    return json_list(lines)


def _project_lists(plan: Plan, level: str, codes: Sequence[str]) -> Encoded:
    """Per unit, the indices (into the project list) of the projects that reach it: a JSON list of
    lists, written unit by unit (a national map's 3.4 million indices as Python integers took 270 MB)."""
    key = {"village": "village_code", "tambon": "tambon_code", "amphoe": "amphoe_code"}[level]
    # Codes first, then the few distinct texts looked up: millions of texts are never Python strings.
    # (32-bit: the arrays of 3.4 M rows are half as large.)
    project, ids = sorted_codes(plan.allocation[PROJECT_ID])
    order = pd.Index(plan.projects[PROJECT_ID]).get_indexer(ids).astype(np.int32)[project]
    order[project < 0] = -1
    del project
    unit, units = sorted_codes(plan.allocation[key])
    units = units.astype(str)
    # (unit, project) pairs as one integer each, sorted by unit then project, each once. (A sort
    # and a mask: NumPy 2.4's np.unique hashes integers, 17× slower on millions of pairs.)
    kept = (order >= 0) & (unit >= 0)
    n = max(len(plan.projects), 1)
    pairs = pair_codes(unit[kept], n, order[kept])
    del unit, order, kept
    pairs.sort()
    pairs = pairs[run_firsts(pairs)]
    # Each step in place where it can: 27 MiB an array of a national allocation.
    unit_of = pairs // n
    pairs %= n
    index = pairs
    starts = np.searchsorted(unit_of, np.arange(len(units) + 1)).tolist()
    at = pd.Index(units).get_indexer([str(c) for c in codes]).tolist()
    return json_list("[" + ",".join(map(str, index[starts[u]:starts[u + 1]].tolist())) + "]" if u >= 0 else "[]"
                     for u in at)


def _project_lines(plan: Plan, lang: str) -> list[str]:
    out = []
    for rec in plan.projects[[NAME_TH, AGENCY, FISCAL_YEAR, BUDGET]].itertuples(index=False):
        name, agency, year, budget = rec
        year_text = "" if pd.isna(year) else f"{_label('ปี', 'FY', lang)} {int(year)}, "
        out.append(f"{name} — {agency or '?'} ({year_text}{format_number(budget)} "
                   f"{_label('บาท', 'THB', lang)})")
    return out


def _place(tambons: pd.DataFrame, lang: str) -> str:
    """What the map covers: the province, the country, or how many provinces."""
    names = tambons["province_th" if lang != "en" else "province_en"].dropna().unique()
    if len(names) == 1:
        return str(names[0])
    if len(names) >= 70:  # 77 provinces; a national layer may lack a few islands' codes
        return _label("ประเทศไทย", "Thailand", lang)
    return _label(f"{len(names)} จังหวัด", f"{len(names)} provinces", lang)
