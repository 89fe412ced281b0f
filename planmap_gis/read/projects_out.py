"""Projects written back as the sheet an agency would have sent: long (one row per project and area)
or wide (areas as marked columns), Thai headers that :func:`~planmap_gis.read_projects` reads."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from planmap_gis import settings
from planmap_gis._errors import SchemaError
from planmap_gis._output import write_excel
from planmap_gis._schema import (
    AREA_CODES,
    AREA_SHARES,
    BUDGET,
    GEOMETRY,
    LABELS,
    PRECISION,
    PROJECT_COLUMNS,
    SOURCE_FILE,
    SOURCE_ROW,
    SOURCE_SHEET,
)
from planmap_gis.read.areas import AreaIndex, area_list
from planmap_gis.read.rows import (  # noqa: F401  (HEADERS and ALIASES are public here)
    ALIASES,
    CODE_IN_HEADER,
    CRS_IN_HEADER,
    HEADERS,
    LAT,
    LON,
    PERCENT_TOLERANCE,
    PERCENTAGES,
    WKT,
    RowReader,
    looks_like_area,
)

__all__ = ["write_projects"]


def write_projects(
    projects: gpd.GeoDataFrame,
    path: str | Path,
    *,
    shape: str = "long",
    boundaries: gpd.GeoDataFrame | None = None,
    lang: str | None = None,
) -> Path:
    """Write projects to an XLSX sheet that :func:`read_projects` reads back.

    Parameters
    ----------
    projects : GeoDataFrame
        Canonical project table.
    path : str or Path
        The ``.xlsx`` file.
    shape : {"long", "wide"}
        ``long``: areas listed in one cell as address-style Thai names
        (``ต.ท่างิ้ว อ.เมืองนครศรีธรรมราช``), each followed by its percentage
        when the project has ``area_shares``; ``wide``: one column per area,
        headed ``ต.ท่างิ้ว (800116)``, with ✓ (or the amount when the project
        has ``area_shares``).
    boundaries : GeoDataFrame, optional
        Tambon layer for area names; codes are written without it.
    lang : {"th", "en"}
        Header language.

    Returns
    -------
    Path
    """
    lang = settings.language(lang)
    path = Path(path)
    index = AreaIndex(boundaries) if boundaries is not None else None
    fields = [c for c in PROJECT_COLUMNS if c not in (AREA_CODES, AREA_SHARES, PRECISION, SOURCE_FILE,
                                                      SOURCE_SHEET, SOURCE_ROW, GEOMETRY)]
    sheet = pd.DataFrame({c: projects[c].astype(object).where(projects[c].notna(), None)
                          for c in fields})
    name = (lambda c: index.full_label(c)) if index else (lambda c: c)
    if shape == "long":
        sheet[AREA_CODES] = [area_list(codes, shares, name)
                             for codes, shares in zip(projects[AREA_CODES], projects[AREA_SHARES], strict=True)]
    elif shape == "wide":
        all_codes = sorted({c for codes in projects[AREA_CODES] for c in codes}, key=lambda c: (len(c), c))
        for code in all_codes:
            header = f"{index.label(code)} ({code})" if index else code
            sheet[header] = [
                (round(shares[codes.index(code)] * budget, 2) if shares is not None else "✓")
                if code in codes else None
                for codes, shares, budget in zip(projects[AREA_CODES], projects[AREA_SHARES],
                                                 projects[BUDGET], strict=True)
            ]
    else:
        raise SchemaError(f"write_projects: shape must be 'long' or 'wide', got {shape!r}.",
                          th=f"write_projects: รูปแบบตาราง (shape) ต้องเป็น long หรือ wide ไม่ใช่ {shape!r}")
    geoms = projects.geometry.to_crs(settings.data_crs)
    points = (geoms.geom_type == "Point").to_numpy()
    xy = shapely.get_coordinates(geoms.values[points])
    sheet[LAT] = None
    sheet[LON] = None
    sheet.loc[points, LAT] = xy[:, 1].round(7)
    sheet.loc[points, LON] = xy[:, 0].round(7)
    other = geoms.notna() & ~points
    sheet[f"{WKT} ({settings.data_crs})"] = [
        shapely.to_wkt(g, rounding_precision=7) if keep else None
        for g, keep in zip(geoms, other, strict=True)
    ]
    labels = {c: LABELS[c][0 if lang == "th" else 1] for c in fields + [AREA_CODES] if c in LABELS}
    sheet = sheet.rename(columns=labels)
    return write_excel({"projects": sheet}, path)
