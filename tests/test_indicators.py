"""Community-strength indicators and the strength index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import planmap_gis as pm
from planmap_gis import demo


def _sheet(tmp_path, frame: pd.DataFrame, name: str = "ind.xlsx"):
    path = tmp_path / name
    frame.to_excel(path, index=False)
    return path


def test_demo_indicator_sheet_reads_back(fictional, tmp_path):
    villages = demo.demo_villages(fictional)
    indicators = demo.demo_indicators(villages)
    data = demo.DemoData(fictional, villages, demo.demo_projects(fictional, villages, n=20),
                         indicators, "synthetic", True)
    path = demo.write_demo_sheets(data, tmp_path)["indicators"]

    read, report = pm.read_indicators(path)

    assert read.index.equals(indicators.index) and (read.level == "village").all()
    for col in ("bmn_health", "bmn_environment", "bmn_education", "bmn_income", "bmn_values"):
        assert np.allclose(read[col], indicators[col], atol=0.0005)  # written in percent, 1 decimal
    assert (read.kchch2c_level == indicators.kchch2c_level).all()
    assert report.balanced() and report.count("info") == 5  # five percent columns rescaled


def test_bad_values_are_reported_and_left_empty(tmp_path):
    frame = pd.DataFrame({
        "รหัสตำบล": ["800101", "800102", "800102", "8001", "800104"],
        "จปฐ. ตัวชี้วัดที่ 12": [0.9, 1.7, 0.5, 0.5, "ไม่มี"],
        "กชช.2ค": ["ก้าวหน้า", 4, 2, 1, 2],
        "หนี้ต่อครัวเรือน": [10_000, 50_000, 1, 1, 30_000],
    })
    read, report = pm.read_indicators(_sheet(tmp_path, frame), extra=["หนี้ต่อครัวเรือน"])

    assert read.index.tolist() == ["800101", "800102", "800104"]
    assert (read.level == "tambon").all()
    # 0.9 and 1.7: one cell of each scale, so neither is trusted; both are left empty and named.
    assert read[["bmn_12"]].isna().all().all()
    assert report.problems.message_en.str.contains("in a column of the other scale").sum() == 2
    assert read.loc["800101", "kchch2c_level"] == 3 and np.isnan(read.loc["800102", "kchch2c_level"])
    assert np.isnan(read.loc["800104", "bmn_12"])
    assert read["หนี้ต่อครัวเรือน"].tolist() == [10_000, 50_000, 30_000]
    p = report.problems
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (5, 3, 2)
    assert p.query("row == 4").message_en.str.contains("already on row 3").any()
    assert p.query("row == 5").message_en.str.contains("not a 6-digit").any()
    assert p.query("row == 3 and column == 'kchch2c_level'").message_en.str.contains("out of range").any()


def test_strength_index_by_hand():
    """Two BMN rates and a กชช.2ค level, equal weights: the index is their mean × 100."""
    ind = pd.DataFrame({"bmn_health": [1.0, 0.5, 0.0, np.nan],
                        "bmn_income": [1.0, 0.5, 0.0, np.nan],
                        "kchch2c_level": [3, 2, 1, 3]},
                       index=pd.Index(["a", "b", "c", "d"], name="unit_code"))

    result = pm.strength_index(ind, breaks=(40, 60))

    assert result.index.equals(ind.index)
    assert result.strength_index.tolist()[:3] == [100.0, 50.0, 0.0]
    # "d" has one input of three (weight share 1/3 < 0.5): no index.
    assert np.isnan(result.strength_index["d"]) and result.strength_class["d"] == "no data"
    assert result.strength_class.tolist()[:3] == ["strong", "moderate", "weak"]
    assert result.strength_class_th.tolist()[:3] == ["เข้มแข็ง", "ปานกลาง", "อ่อน"]
    assert result.attrs["strength_breaks"] == (40, 60)
    relaxed = pm.strength_index(ind, min_weight_share=0.3)
    assert relaxed.strength_index["d"] == 100.0


def test_weights_negative_inputs_and_rank_method():
    ind = pd.DataFrame({"bmn_income": [0.2, 0.6, 1.0], "debt": [300.0, 200.0, 100.0]},
                       index=["x", "y", "z"])
    result = pm.strength_index(ind, weights={"bmn_income": 1, "debt": -1})
    # debt scaled 1 (least debt) … 0; mean with income → 0.1, 0.55, 1.0
    assert result.strength_index.round(6).tolist() == [10.0, 55.0, 100.0]
    ranked = pm.strength_index(ind, weights={"bmn_income": 1, "debt": -1}, method="rank")
    assert ranked.strength_index.is_monotonic_increasing
    with pytest.raises(pm.SchemaError, match="no column"):
        pm.strength_index(ind, weights={"missing": 1})
    with pytest.raises(pm.PlanmapError, match="method must be"):
        pm.strength_index(ind, method="pca")


def test_tercile_classes_on_the_demo(fictional):
    indicators = demo.demo_indicators(demo.demo_villages(fictional))
    result = pm.strength_index(indicators)
    counts = result.strength_class.value_counts()
    assert set(counts.index) == {"weak", "moderate", "strong"}
    assert counts.max() - counts.min() <= 1
    low, high = result.attrs["strength_breaks"]
    assert (result.strength_index[result.strength_class == "weak"] <= low).all()
    assert (result.strength_index[result.strength_class == "strong"] > high).all()
