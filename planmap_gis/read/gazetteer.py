"""The DOPA gazetteer (PyPI package ``geothai``) as pandas tables keyed by code."""

from __future__ import annotations

from functools import cache

import geothai
import pandas as pd

from planmap_gis._schema import (
    AMPHOE_CODE,
    AMPHOE_EN,
    AMPHOE_TH,
    PROVINCE_CODE,
    PROVINCE_EN,
    PROVINCE_TH,
    TAMBON_CODE,
    TAMBON_EN,
    TAMBON_TH,
)

VERSION: str = geothai.DATA_VERSION


@cache
def provinces() -> pd.DataFrame:
    """Every province: index ``province_code``, columns ``province_th``, ``province_en``."""
    rows = [(p.code, p.name_th, p.name_en) for p in geothai.provinces()]
    return pd.DataFrame(rows, columns=[PROVINCE_CODE, PROVINCE_TH, PROVINCE_EN]).set_index(
        PROVINCE_CODE
    )


@cache
def amphoes() -> pd.DataFrame:
    """Every amphoe (district, khet): index ``amphoe_code``."""
    rows = [
        (d.code, d.name_th, d.name_en)
        for p in geothai.provinces()
        for d in geothai.districts(p.code)
    ]
    return pd.DataFrame(rows, columns=[AMPHOE_CODE, AMPHOE_TH, AMPHOE_EN]).set_index(AMPHOE_CODE)


@cache
def tambons() -> pd.DataFrame:
    """Every tambon (subdistrict, khwaeng): index ``tambon_code``."""
    rows = [
        (s.code, s.name_th, s.name_en)
        for code in amphoes().index
        for s in geothai.subdistricts(code)
    ]
    return pd.DataFrame(rows, columns=[TAMBON_CODE, TAMBON_TH, TAMBON_EN]).set_index(TAMBON_CODE)
