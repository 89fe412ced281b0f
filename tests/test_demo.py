"""The demo dataset: deterministic, labelled illustrative, the real NST layer out of the box, fictional on request."""

from __future__ import annotations

import pytest

import planmap_gis as pm
from planmap_gis import demo


def test_demo_uses_the_real_nst_layer_on_a_fresh_machine(no_reference):
    data = demo.load()  # no cache, no PLANMAP_BOUNDARIES: the layer packaged with planmap-gis

    assert not data.fictional and "packaged with planmap-gis" in data.boundary_source
    assert len(data.tambons) == 170 and data.province_th == "นครศรีธรรมราช"
    per_tambon = data.villages.groupby("tambon_code").size()
    assert per_tambon.sum() == 1550 and per_tambon.min() >= 3
    assert per_tambon.index.tolist() == data.tambons.tambon_code.tolist()
    assert "Illustrative" in data.note_en and "สมมุติ" in data.note_th


def test_demo_on_a_given_layer_equals_the_demo_on_the_national_layer(nst_path, no_reference, tmp_path):
    packaged = demo.load()
    given = tmp_path / "nst.parquet"
    pm.read_boundaries(province="80")[0].to_parquet(given)
    shared = demo.load(boundaries=given)
    assert shared.boundary_source == str(given)
    assert packaged.tambons.geom_equals_exact(shared.tambons, 0).all()
    assert packaged.villages.equals(shared.villages)
    assert packaged.projects.drop(columns="geometry").equals(shared.projects.drop(columns="geometry"))
    # The simplified reference file gives the same tambon and the same number of villages in each.
    coarse = demo.load(boundaries=nst_path)
    assert coarse.tambons.tambon_code.tolist() == packaged.tambons.tambon_code.tolist()
    assert len(coarse.villages) == len(packaged.villages)


def test_village_counts_follow_tambon_area(no_reference):
    data = demo.load()
    area = pm.amphoes(data.tambons)  # smoke: dissolve works on demo tambons
    assert len(area) == 23
    counts = data.villages.groupby("tambon_code").size()
    km2 = data.tambons.set_index("tambon_code").to_crs(32647).area / 1e6
    assert counts.corr(km2) > 0.9


def test_fictional_province_on_request(no_reference):
    data = demo.load(fictional=True)

    assert data.fictional and data.boundary_source == "synthetic"
    assert "fictional" in data.tambons.province_en.iloc[0]
    assert set(data.tambons.province_code) == {"99"}
    assert len(data.tambons) == 24 and data.tambons.amphoe_code.nunique() == 4
    assert data.villages.groupby("tambon_code").size().min() >= 3
    # In the sea: it overlaps no real tambon.
    bounds = data.tambons.total_bounds
    assert 100.3 < bounds[0] and bounds[2] < 101.5 and 9.0 < bounds[1] and bounds[3] < 10.0


def test_fictional_province_is_a_clean_tiling(fictional):
    pm.check_hierarchy(fictional)
    assert fictional.is_valid.all()
    union = fictional.to_crs(32647).union_all()
    assert union.area == pytest.approx(fictional.to_crs(32647).area.sum(), rel=1e-9)


def test_same_seed_same_data_other_seed_other_data(fictional):
    first = demo.demo_villages(fictional, seed=7)
    again = demo.demo_villages(fictional, seed=7)
    other = demo.demo_villages(fictional, seed=8)

    assert first.equals(again)
    assert not first.geometry.geom_equals(other.geometry).all()
    assert demo.synthetic_province().equals(fictional)
