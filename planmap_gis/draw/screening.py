"""The screening as files a planning room opens: a workbook (one row per proposal, sorted by verdict,
formula-safe), a GeoPackage layer of the proposals coloured by verdict, and the web-map theme
(:func:`add_screening`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
from openpyxl.utils import get_column_letter

from planmap_gis import settings
from planmap_gis._output import atomic, write_excel
from planmap_gis.draw.webmap_tools import _js, _JsLayer, _label, _Script, geometries, js_parts
from planmap_gis.measure.screening import VERDICTS
from planmap_gis.plan.screen import Screening

__all__ = ["VERDICT_COLORS", "add_screening", "save_screening", "screening_tables"]

#: Verdict colours (ColorBrewer RdYlGn ends, grey): fills a gap green, mixed orange, repeats red,
#: outside dark grey; drawn with a black ring so they stand out from any theme's fill.
VERDICT_COLORS = {"fills_gap": "#1a9641", "mixed": "#fdae61", "repeats": "#d7191c", "outside": "#404040",
                  "undecided": "#d9d9d9"}

#: The proposal sheet's columns with their Thai / English headers, in the order a room reads them.
COLUMNS: dict[str, str] = {
    "project_id": "รหัส / id", "name_th": "ชื่อข้อเสนอ / proposal", "agency": "หน่วยงาน / agency",
    "sector": "ด้าน / sector", "fiscal_year": "ปีงบประมาณ / fiscal year", "budget_layer": "ชั้นงบ / budget layer",
    "budget_thb": "งบประมาณ (บาท) / budget (THB)", "verdict_th": "ผลการคัดกรอง", "verdict_en": "verdict",
    "reasons_th": "เหตุผล", "reasons_en": "reasons", "in_set": "อยู่ในชุดที่เสนอ / in the suggested set",
    "value_added": "ประโยชน์ที่เพิ่ม (ครัวเรือนที่มีความจำเป็น) / value added (households in need)",
    "left_out_th": "เหตุที่ไม่อยู่ในชุด", "left_out_en": "why left out",
    "in_set_variations": "อยู่ในชุดเมื่อปรับน้ำหนัก (จาก 6) / in the set under weight variations (of 6)",
    "n_villages": "หมู่บ้านที่ลงพื้นที่ / villages reached",
    "n_villages_repeated": "หมู่บ้านที่ซ้ำ / villages repeated", "repeat_share": "สัดส่วนหมู่บ้านที่ซ้ำ / repeat share",
    "duplicates_created": "หมู่บ้านที่จะซ้ำซ้อนข้ามหน่วยงาน / villages it would make duplicated",
    "repeats_projects": "ซ้ำกับโครงการ (หมู่บ้าน) / repeats projects (villages)",
    "repeats_proposals": "ซ้ำกับข้อเสนอ (หมู่บ้าน) / repeats proposals (villages)",
    "repeats_agencies": "หน่วยงานที่ทำอยู่แล้ว / agencies already there",
    "name_similarity": "ความคล้ายของชื่อ 0–100 (ประกอบเท่านั้น) / name similarity 0–100 (supporting only)",
    "most_similar": "ชื่อคล้ายที่สุด / most similar",
    "placed_thb": "งบที่ลงหมู่บ้าน (บาท) / baht placed in villages",
    "untargeted_share": "สัดส่วนงบลงหมู่บ้านที่ยังไม่มีโครงการ / share to untargeted villages",
    "below_fair_share": "สัดส่วนงบลงหมู่บ้านที่ได้ต่ำกว่าส่วนที่ควรได้ / share to villages below their fair share",
    "top_need_share": "สัดส่วนงบลงหมู่บ้านที่ด้านนี้เป็นความต้องการลำดับต้น / share to villages with it as a top need",
    "gap_share": "สัดส่วนงบที่เติมช่องว่าง / gap share",
    "gap_closed_thb": "ช่องว่างที่ปิดได้ (บาท) / fair-share gap closed (THB)",
    "need_reached": "ครัวเรือนที่มีความจำเป็นที่ถึง / households in need reached",
    "mean_strength": "ความเข้มแข็งเฉลี่ย 0–100 / mean strength 0–100",
    "facilitators": "คุณอำนวยด้านนี้ในพื้นที่ / facilitators with its sector",
    "concentration_change": "ดัชนีการกระจุกตัวเปลี่ยน (ลบ = ไปยังชุมชนอ่อนแอ) / concentration index change (− = to weaker)",
    "money_to_move_change": "งบที่ต้องย้ายเพื่อให้ได้ตามส่วนที่ควรได้เปลี่ยน (บาท) / money to move change (THB)",
}


def screening_tables(screening: Screening) -> dict[str, pd.DataFrame]:
    """The workbook's sheets by name: proposals, the suggested set, its stability, the rules."""
    table = screening.table()
    proposals = table[[c for c in COLUMNS if c in table]].rename(columns=COLUMNS)
    s = screening.suggestion
    chosen = table[table["in_set"]]
    lines = [("ข้อเสนอ / proposals", len(table)), ("ในชุดที่เสนอ / in the suggested set", len(chosen)),
             ("งบของชุด (บาท) / budget of the set (THB)", float(chosen["budget_thb"].sum()))]
    lines += [(f"วงเงิน {name} ใช้ / cap {name} used (THB)", f"{used:,.0f} / {cap:,.0f}")
              for name, (used, cap) in s["used"].items()]
    lines += [("ค่าเป้าหมาย (ครัวเรือนที่มีความจำเป็น) / value (households in need)", round(s["value"], 3)),
              ("หมู่บ้านใหม่ที่ถึง / newly targeted need", round(s["terms"]["new"], 3)),
              ("ช่องว่างที่ปิด / fair-share gap closed", round(s["terms"]["gap"], 3)),
              ("การซ้ำ / repetition", round(s["terms"]["repeat"], 3)),
              ("น้ำหนัก / weights", ", ".join(f"{k} {v:g}" for k, v in s["weights"].items())),
              ("ผลเหมาะสมที่สุด / optimal", "yes" if s["optimal"] else f"no: {s['status']}"),
              ("เวลาแก้ปัญหา (วินาที) / solve time (s)", round(s["seconds"], 3)),
              ("ค่าของวิธีเรียงตามประโยชน์ต่อบาท / greedy by value per baht", round(s["greedy_value"], 3)),
              ("ฐานความจำเป็น / need basis", s["need_basis"]), *[("หมายเหตุ / note", n) for n in screening.notes]]
    summary = pd.DataFrame(lines, columns=["รายการ / item", "ค่า / value"])
    return {"proposals": proposals, "suggested_set": summary, "stability": screening.stability,
            "allocation": screening.allocation, "import_report": screening.report.to_frame()}


def _widths(sheet: Any, frame: pd.DataFrame) -> None:
    sheet.freeze_panes = "C2"
    for i, col in enumerate(frame.columns, start=1):
        longest = max([len(str(col)) // 2, *(len(str(v)) for v in frame[col].head(200))], default=8)
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(10, longest + 2))


def save_screening(screening: Screening, folder: str | Path) -> list[Path]:
    """Write ``screening.xlsx`` and ``screening.gpkg`` (layer ``proposals``) into ``folder``; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    book = write_excel(screening_tables(screening), folder / "screening.xlsx", format_sheet=_widths)
    layer = screening.proposals.copy()
    for col in layer.columns:
        if col != "geometry" and layer[col].map(lambda v: isinstance(v, (list, tuple, dict))).any():
            layer[col] = layer[col].map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    layer = gpd.GeoDataFrame(layer, geometry="geometry", crs=screening.proposals.crs)
    path = folder / "screening.gpkg"
    with atomic(path) as tmp:
        layer.to_file(tmp, layer="proposals", driver="GPKG")
    return [book, path]


def add_screening(fmap: folium.Map, screening: Screening, lang: str | None = None) -> None:
    """A web-map theme: proposals coloured by verdict, reasons and why-left-out in popups."""
    lang = settings.language(lang)
    p = screening.table()
    p = gpd.GeoDataFrame(p.join(screening.proposals.geometry), geometry="geometry", crs=screening.proposals.crs)
    p = p[p.geometry.notna()]
    keys = list(VERDICTS)
    popups = []
    for r in p.itertuples():
        verdict = _label(r.verdict_th, r.verdict_en, lang)
        lines = [f"{r.project_id} {r.name_th}", f"{r.agency or '?'} · {r.sector or '?'}",
                 f"{_label('ผลการคัดกรอง', 'Verdict', lang)}: {verdict}",
                 *_label(r.reasons_th, r.reasons_en, lang).split(" · "),
                 _label("อยู่ในชุดที่เสนอ", "in the suggested set", lang) if r.in_set
                 else f"{_label('ไม่อยู่ในชุดที่เสนอ', 'not in the suggested set', lang)}: "
                      f"{_label(r.left_out_th, r.left_out_en, lang)}"]
        popups.append(lines)
    data = {"g": geometries(p.geometry.to_crs(4326).values), "k": [keys.index(v) for v in p["verdict"]],
            "col": [VERDICT_COLORS[k] for k in keys], "nd": "#ffffff",
            "tt": [[f"{r.project_id}: {_label(r.verdict_th, r.verdict_en, lang)}"] for r in p.itertuples()],
            "pp": popups, "st": {"weight": 2, "fillOpacity": 0.95, "radius": 7, "color": "#000000", "opacity": 1}}
    name = _label("ข้อเสนอโครงการ (สีตามผลการคัดกรอง)", "Proposals (colour = verdict)", lang)
    fmap.add_child(_JsLayer(["planmap.geoLayer(", *js_parts(data), f", {_js(name)})"], name, show=True))
    counts = screening.proposals["verdict"].value_counts()
    rows = [{"color": VERDICT_COLORS[k], "label": f"{_label(*VERDICTS[k], lang)} ({int(counts.get(k, 0))})"}
            for k in keys]
    legend = {"title": name, "unit": "", "rows": rows}
    fmap.add_child(_Script(f"planmap.legend({fmap.get_name()}, null, {_js(legend)});"))

