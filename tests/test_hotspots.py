"""Hot spots: the weights choice across tambon borders, and inference on random data."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import shapely.affinity

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis.measure.combined import equity_table
from planmap_gis.measure.hotspots import contiguity, hotspots, neighbour_matrix, neighbours_within
from planmap_gis.measure.localstats import esda_ids, local_pseudo_p
from tests import layout


def neighbour_sets(w) -> dict:
    """A weights object's neighbours as sets: the order within a unit carries no meaning."""
    return {unit: set(around) for unit, around in w.neighbors.items()}


def test_fuzzy_contiguity_finds_neighbours_across_a_tambon_border():
    """990101-02 (y 1–2 km) and 990102-02 (y 0.5–1.5 km) share 0.5 km of border but no vertex."""
    villages = layout.villages().set_index("village_code")

    queen = contiguity(villages, "queen")
    fuzzy = contiguity(villages, "fuzzy")

    assert "99010202" not in queen.neighbors["99010102"]
    assert "99010202" in fuzzy.neighbors["99010102"]
    assert set(fuzzy.neighbors["99010101"]) == {"99010102", "99010201", "99010202"}


def test_fuzzy_neighbours_across_gaps_are_libpysal_s():
    """Units a little apart (gaps in a source layer) are neighbours when their 1-m growths meet,
    exactly as libpysal decides with its polygonal buffers — also at the corners, where the
    growth is a polygon short of the true circle."""
    import warnings

    from libpysal.weights import fuzzy_contiguity

    def square(x: float, y: float) -> shapely.Polygon:
        return shapely.box(500_000 + x, 1_000_000 + y, 500_100 + x, 1_000_100 + y)

    corner = 1.999 * np.array([np.cos(np.radians(2.8)), np.sin(np.radians(2.8))])  # between two vertices
    units = gpd.GeoDataFrame(
        {"name": ["a", "b 1.5 m", "c 1.99 m", "d 2.01 m", "e touches a", "f corner", "g corner 1.9 m"]},
        geometry=[square(0, 0), square(101.5, 0), square(0, 101.99), square(-102.01, 0),
                  square(0, -100), square(201.5 + corner[0], 100 + corner[1]),
                  square(-100 - 1.9 / np.sqrt(2), -100 - 1.9 / np.sqrt(2))],
        crs=pm.settings.analysis_crs).set_index("name")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands
        reference = fuzzy_contiguity(units, buffering=True, buffer=1.0, ids=list(units.index))
        ours = contiguity(units, "fuzzy")

    assert neighbour_sets(ours) == neighbour_sets(reference)
    assert set(ours.neighbors["a"]) >= {"b 1.5 m", "c 1.99 m", "e touches a", "g corner 1.9 m"}
    assert "d 2.01 m" not in ours.neighbors["a"]
    assert "f corner" not in ours.neighbors["b 1.5 m"]  # 1.999 m corner to corner: circles would meet


def test_demo_villages_on_tambon_borders_gain_neighbours(nst_tambons):
    areas = pm.village_areas(demo.demo_villages(nst_tambons), nst_tambons).set_index("village_code")
    queen, fuzzy = contiguity(areas, "queen"), contiguity(areas, "fuzzy")
    assert fuzzy.mean_neighbors > queen.mean_neighbors + 0.5
    assert not fuzzy.islands


def test_inference_on_random_data_is_calibrated(fictional):
    """With no spatial pattern, Gi* z-scores spread about 1 and FDR flags (almost) nothing."""
    areas = pm.village_areas(demo.demo_villages(fictional, per_tambon=25), fictional)
    areas = areas.set_index("village_code")
    areas["noise"] = np.random.default_rng(11).lognormal(size=len(areas))

    result = hotspots(areas, "noise", permutations=199, seed=1)

    assert result.index.equals(areas.index)
    assert 0.8 < result.gi_z.std() < 1.25
    assert (result.hotspot != "ns").mean() < 0.02
    assert result.attrs["weights"] == "fuzzy" and result.attrs["permutations"] == 199



def test_the_labels_are_at_the_level_they_claim(fictional):
    """A small simulation: on permuted data (no spatial pattern), the folded pseudo p is ≤ 0.05
    about twice as often as 5 %; the two-sided p the labels use is at its level, and the
    Benjamini–Hochberg labels of a dataset are rare (the false discovery rate at q ≤ 0.05 bounds
    the chance of any label on pattern-free data by 5 %)."""
    areas = pm.village_areas(demo.demo_villages(fictional, per_tambon=8), fictional).set_index("village_code")
    w = contiguity(areas)
    rng = np.random.default_rng(2569)
    base = rng.lognormal(size=len(areas))
    folded, two_sided, any_label = [], [], 0
    draws = 300
    for k in range(draws):
        areas["y"] = rng.permutation(base)
        result = hotspots(areas, "y", weights=w, permutations=99, seed=k)
        folded.append((result.gi_p <= 0.05).mean())
        two_sided.append((result.gi_p2 <= 0.05).mean())
        any_label += bool(result.hotspot.isin(["hot", "cold"]).any())
    assert 0.08 < np.mean(folded) < 0.12  # the folded "5 %" is a 10 % test
    assert 0.035 < np.mean(two_sided) < 0.065  # the two-sided p is at 5 %
    assert any_label / draws < 0.08  # 5 % expected; three standard errors of 300 draws above it
    assert "two-sided" in result.attrs["test"] and "99 permutations" in result.attrs["test"]


def test_sparse_data_gets_no_confident_labels(nst_tambons):
    """A workshop's first run: 3 projects. Hundreds of zero villages beside zero villages are not
    'cold spots'; the result says why nothing was tested and what would make it testable."""
    data = demo.load()
    areas = pm.village_areas(data.villages, data.tambons)
    plan = pm.analyse(data.tambons, data.projects.head(3), villages=areas, permutations=99)
    assert set(plan.hotspots.hotspot) <= {"not tested", "island", "no data"}
    summary = plan.summary()
    assert not re.search(r"cold spots \d", summary) and "hot and cold spots not tested" in summary
    assert "spatial Gini: not tested" in summary  # the same minimum holds for the spatial Gini
    assert "ไม่ทดสอบจุดร้อน/จุดเย็น" in summary
    # … and for the concentration index's bootstrap interval: the index, no interval, and why
    plan = pm.analyse(data.tambons, data.projects.head(3), villages=areas, indicators=data.indicators,
                      permutations=0)
    row = plan.equity.loc["all"]
    assert np.isfinite(row["concentration"]) and np.isnan(row["concentration_low"])
    assert "no interval: 15 villages have a non-zero value, an interval needs at least 30" in row["concentration_note"]
    assert "no interval: 15 villages" in plan.summary() and "nan" not in plan.summary()
    # The legends of the web map and the atlas say why there are no labels.
    from planmap_gis.draw.mapdata import legend_notes
    assert legend_notes(plan, "hotspot", "village")[0][1].startswith("hot and cold spots not tested")


def test_a_planted_cluster_is_found(fictional):
    areas = pm.village_areas(demo.demo_villages(fictional, per_tambon=25), fictional)
    areas = areas.set_index("village_code")
    rng = np.random.default_rng(5)
    # sigma 0.25: with sigma 0.5 the cluster's own spread hides it from a two-sided test at 999
    # permutations (the folded one-sided p at "5 %" used to find it at 10 %)
    areas["budget_per_household"] = rng.lognormal(sigma=0.25, size=len(areas))
    cluster = areas.tambon_code.isin(["990201", "990202", "990203"])
    areas.loc[cluster, "budget_per_household"] *= 4
    areas.loc[areas.index[0], "budget_per_household"] = np.nan

    result = hotspots(areas, "budget_per_household", permutations=999, seed=2)

    hot = result.hotspot == "hot"
    # Found, and nowhere else: Gi* counts a village with its neighbours, so a village on the
    # cluster's edge may be hot too.
    w = contiguity(areas.drop(index=areas.index[0]))
    near = {v for v in areas.index[cluster] for v in [v, *w.neighbors.get(v, [])]}
    assert hot.sum() >= 5 and cluster[hot].mean() > 0.8 and set(areas.index[hot]) <= near
    assert result.loc[areas.index[0], "hotspot"] == "no data"
    assert set(result.moran_quadrant.dropna()) <= {"HH", "LH", "LL", "HL"}
    assert result.loc[hot, "hotspot_th"].eq("จุดร้อน (งบกระจุก)").all()


def test_weights_can_be_given(fictional):
    areas = gpd.GeoDataFrame(fictional.set_index("tambon_code"))
    areas["v"] = np.arange(len(areas), dtype=float)
    w = contiguity(areas, "rook")
    result = hotspots(areas, "v", weights=w, permutations=99)
    assert result.attrs["weights"] == "given" and result.gi_z.notna().all()
    with pytest.raises(pm.PlanmapError, match="fuzzy, queen or rook"):
        hotspots(areas, "v", weights="knn")
    assert isinstance(result, pd.DataFrame)


def test_fuzzy_weights_and_p_values_are_libpysal_and_esda_s(nst_tambons):
    """The fast paths reproduce the libraries: same neighbours, same permutation p-values."""
    import warnings

    from esda import G_Local, Moran_Local
    from libpysal.weights import fuzzy_contiguity

    areas = pm.village_areas(demo.demo_villages(nst_tambons), nst_tambons).set_index("village_code")
    areas = areas.iloc[:600].copy()
    last = areas.index[-1]  # moved out to sea: an island, which esda treats in its own way
    areas.loc[last, "geometry"] = shapely.affinity.translate(areas.geometry[last], xoff=1.0)
    areas["v"] = np.random.default_rng(4).lognormal(size=len(areas))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = fuzzy_contiguity(areas.to_crs(pm.settings.analysis_crs), buffering=True, buffer=1.0,
                                     ids=list(areas.index))
        ours = contiguity(areas, "fuzzy")
        gi = G_Local(areas.v.to_numpy(), reference, transform="B", star=True, permutations=999, seed=9,
                     keep_simulations=False, n_jobs=1)
        moran = Moran_Local(areas.v.to_numpy(), reference, permutations=999, seed=9,
                            keep_simulations=False, n_jobs=1)

    result = hotspots(areas, "v", permutations=999, seed=9)
    card = result.neighbours.to_numpy()
    p_gi, p_moran = local_pseudo_p(areas.v.to_numpy(), card, gi.Gs, moran.Is, permutations=999, seed=9,
                                   draw=esda_ids)

    assert neighbour_sets(ours) == neighbour_sets(reference) and ours.islands == [last]
    assert result.gi_z.to_numpy() == pytest.approx(gi.Zs)
    assert result.moran_i.to_numpy() == pytest.approx(moran.Is)
    assert result.moran_quadrant.tolist() == [{1: "HH", 2: "LH", 3: "LL", 4: "HL"}[q] for q in moran.q]
    # With esda's table of draws, the vectorised p-values are esda's (stored as float32) …
    assert p_gi == pytest.approx(gi.p_sim, abs=1e-6)
    assert p_moran == pytest.approx(moran.p_sim, abs=1e-6)
    # … and with our faster draws they are the same test: other draws, the same verdicts.
    tested = result.neighbours.to_numpy() > 0
    assert np.corrcoef(result.gi_p[tested], gi.p_sim[tested])[0, 1] > 0.97
    assert (np.abs(result.gi_p[tested] - gi.p_sim[tested]) < 0.05).mean() > 0.95
    # The island has no local statistic worth a label: esda gives it a p-value, we do not.
    assert np.isnan(result.gi_p[last]) and result.hotspot[last] == "island"
    assert result.attrs["islands"] == [last] and "Benjamini–Hochberg" in result.attrs["test"]


def test_shared_contiguity_gives_what_each_subset_would_make(nst_tambons):
    # The analysis makes the villages' contiguity once and each measure takes its rows: the same
    # matrix as made on the subset itself, so the same hot spots and spatial Gini.
    areas = pm.village_areas(demo.demo_villages(nst_tambons), nst_tambons).set_index("village_code", drop=False)
    areas.index.name = None
    rng = np.random.default_rng(3)
    areas["value"] = rng.lognormal(size=len(areas))
    areas.loc[areas.index[rng.random(len(areas)) < 0.2], "value"] = np.nan  # a fifth without a value
    shared = neighbour_matrix(areas)
    subset = areas.index[areas["value"].notna()]
    kind, own = neighbour_matrix(areas.loc[subset])
    taken = neighbours_within(shared, areas.index, subset)[1]
    assert kind == "fuzzy" and (own != taken).nnz == 0 and own.nnz > 2 * len(subset)
    pd.testing.assert_frame_equal(hotspots(areas, "value", permutations=99, seed=5, neighbours=shared),
                                  hotspots(areas, "value", permutations=99, seed=5))
    # The spatial Gini over the villages with households, each budget layer apart.
    cov = pd.DataFrame({"households": np.where(areas["value"].notna(), rng.integers(20, 300, len(areas)), 0),
                        "budget_thb": rng.gamma(1.0, 1e6, len(areas))}, index=areas.index)
    allocation = pd.DataFrame({"project_id": "P1", "village_code": areas.index, "budget_thb": cov["budget_thb"]})
    projects = pd.DataFrame({"project_id": ["P1"], "budget_layer": [2]})
    with_shared = equity_table(allocation, projects, cov, None, 7, areas=areas, permutations=99, neighbours=shared)
    alone = equity_table(allocation, projects, cov, None, 7, areas=areas, permutations=99)
    pd.testing.assert_frame_equal(with_shared[0], alone[0])
    assert with_shared[0].loc["all", "spatial_inequality"] in ("no spatial pattern", "between regions",
                                                             "between neighbours")
