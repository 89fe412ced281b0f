"""Apportioning projects to villages, checked by hand on a 2-tambon, 5-village layout."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import planmap_gis as pm
from planmap_gis import demo
from planmap_gis.join import allocate, rollup
from planmap_gis.join.pairs import per_row, with_projects
from tests import layout


def projects(*rows: dict) -> gpd.GeoDataFrame:
    base = {"name_th": "x", "agency": "a", "tier": "local", "budget_layer": 3, "strategy": None,
            "sector": "s", "fiscal_year": 2569, "area_codes": [], "area_shares": None,
            "location_precision": "tambon", "geometry": None}
    return gpd.GeoDataFrame([{**base, **r} for r in rows] or [{**base, "project_id": "none",
                             "budget_thb": 0.0}], geometry="geometry", crs=4326)


def shares(allocation: pd.DataFrame, pid: str) -> dict[str, float]:
    part = allocation[allocation.project_id == pid]
    return {k: round(v, 9) for k, v in zip(part.village_code, part.share, strict=True)}


@pytest.fixture()
def villages():
    return layout.villages()


def test_area_lists_spread_by_each_method(villages):
    p = projects({"project_id": "T", "area_codes": ["990102"], "budget_thb": 400_000.0},
                 {"project_id": "V", "area_codes": ["99010101", "99010203"], "budget_thb": 1000.0},
                 {"project_id": "A", "area_codes": ["9901"], "budget_thb": 800.0})

    by_hh = allocate(p, villages, method="households")
    assert shares(by_hh, "T") == {"99010201": 0.25, "99010202": 0.25, "99010203": 0.5}
    assert by_hh[by_hh.project_id == "T"].budget_thb.tolist() == [100_000, 100_000, 200_000]
    assert shares(by_hh, "V") == pytest.approx({"99010101": 1 / 3, "99010203": 2 / 3})
    assert shares(allocate(p, villages, method="equal"), "A") == {c: 0.2 for c in villages.village_code}
    by_area = allocate(p, villages, method="area")  # km²: 2, 2, 1, 2, 1
    assert shares(by_area, "T") == pytest.approx({"99010201": 0.25, "99010202": 0.5, "99010203": 0.25})
    by_pop = allocate(p, villages, method="population")
    assert shares(by_pop, "T") == pytest.approx({"99010201": 250 / 1200, "99010202": 350 / 1200,
                                                 "99010203": 600 / 1200})


def test_footprints_by_containment_length_and_area(villages):
    square = shapely.box(1.5, 0.5, 2.5, 1.5)  # 1 km²: 0.25 + 0.25 in 990101, 0.5 in 990102-02
    p = projects({"project_id": "P", "geometry": layout.utm(shapely.Point(3, 1.8)), "budget_thb": 10.0},
                 {"project_id": "L", "geometry": layout.utm(shapely.LineString([(1, 0.25), (3, 0.25)])),
                  "budget_thb": 10.0},
                 {"project_id": "S", "geometry": layout.utm(square), "budget_thb": 100.0})

    a = allocate(p, villages)

    assert shares(a, "P") == {"99010203": 1.0}
    assert shares(a, "L") == pytest.approx({"99010101": 0.5, "99010201": 0.5}, abs=1e-6)
    # Villages that only touch the square (990102-01, -03) get nothing.
    assert shares(a, "S") == pytest.approx({"99010101": 0.25, "99010102": 0.25, "99010202": 0.5},
                                           abs=1e-6)
    assert set(a.method) == {"point", "line", "polygon"}


def test_points_on_a_border_and_multipoints(villages):
    wells = shapely.MultiPoint([(0.5, 0.5), (1.5, 0.5), (3, 1.8), (50, 50)])  # the last one at sea
    p = projects({"project_id": "CORNER", "geometry": layout.utm(shapely.Point(0, 1)), "budget_thb": 1.0},
                 {"project_id": "WELLS", "geometry": layout.utm(wells), "budget_thb": 90.0})

    a, report = allocate(p, villages, return_report=True)

    # A point on the corner of two villages counts once, for the lower code.
    assert shares(a, "CORNER") == {"99010101": 1.0}
    # Each well counts once; the one outside is reported and its share goes to the others.
    assert shares(a, "WELLS") == pytest.approx({"99010101": 2 / 3, "99010203": 1 / 3})
    assert a.loc[a.project_id == "WELLS", "budget_thb"].sum() == pytest.approx(90.0)
    assert report.problems.message_en.str.contains("WELLS: 25% of its footprint lies outside").any()


def test_area_shares_are_honoured_before_the_method(villages):
    p = projects({"project_id": "W", "area_codes": ["990101", "990102"], "area_shares": [0.9, 0.1],
                  "budget_thb": 1000.0})
    a = allocate(p, villages, method="equal")
    assert shares(a, "W") == pytest.approx({"99010101": 0.45, "99010102": 0.45, "99010201": 0.1 / 3,
                                            "99010202": 0.1 / 3, "99010203": 0.1 / 3})


def test_projects_outside_are_reported_not_dropped(villages):
    p = projects({"project_id": "IN", "area_codes": ["990101"], "budget_thb": 1.0},
                 {"project_id": "SEA", "geometry": layout.utm(shapely.Point(50, 50)), "budget_thb": 1.0},
                 {"project_id": "ELSEWHERE", "area_codes": ["800101"], "budget_thb": 1.0})

    with pytest.warns(pm.PlanmapWarning, match="2 projects reach no village"):
        a, report = allocate(p, villages, return_report=True)

    assert set(a.project_id) == {"IN"}
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (3, 1, 2)
    assert set(report.problems.query("severity == 'warning'").value) >= {"SEA", "800101"}


def test_invariants_and_rollups_on_the_nst_demo(nst_tambons):
    villages = demo.demo_villages(nst_tambons)
    areas = pm.village_areas(villages, nst_tambons)
    p = demo.demo_projects(nst_tambons, villages)

    a = allocate(p, areas)

    per_project = a.groupby("project_id")
    assert np.allclose(per_project.share.sum(), 1.0, atol=1e-12)
    budget = p.set_index("project_id").budget_thb
    assert (per_project.budget_thb.sum() - budget).abs().max() < 0.01
    assert set(a.project_id) == set(p.project_id)
    for level in ("tambon", "amphoe"):
        up = rollup(a, level)
        assert np.allclose(up.groupby("project_id").share.sum(), 1.0)
        assert up.budget_thb.sum() == pytest.approx(a.budget_thb.sum(), rel=1e-12)
    tambon_sum = rollup(a, "tambon").groupby("tambon_code").budget_thb.sum()
    village_sum = a.groupby(a.village_code.str[:6]).budget_thb.sum()
    assert np.allclose(tambon_sum.sort_index(), village_sum.sort_index())


def test_unknown_method():
    with pytest.raises(pm.PlanmapError, match="method must be one of"):
        allocate(projects(), layout.villages(), method="gdp")


def test_given_shares_come_first_and_each_row_keeps_its_precision(villages):
    p = projects({"project_id": "G", "area_codes": ["99010101", "990102"], "area_shares": [0.8, 0.2],
                  "budget_thb": 1000.0, "location_precision": "tambon"},
                 {"project_id": "F", "geometry": layout.utm(shapely.Point(1, 0.5)), "budget_thb": 5.0,
                  "location_precision": "exact"})

    a = allocate(p, villages, method="households")

    g = a[a.project_id == "G"].set_index("village_code")
    # 80 % to the named village, the tambon's 20 % by households (100, 100, 200)
    assert g.budget_thb.to_dict() == pytest.approx({"99010101": 800, "99010201": 50, "99010202": 50,
                                                    "99010203": 100})
    assert g.location_precision.to_dict() == {"99010101": "village", "99010201": "tambon",
                                              "99010202": "tambon", "99010203": "tambon"}
    assert a[a.project_id == "F"].location_precision.tolist() == ["exact"]


def test_a_footprint_partly_outside_is_reported_at_any_share(villages):
    # 4.0–4.004 km lies beyond the last village: 0.2 % of the road is outside the province.
    road = shapely.LineString([(2.0, 0.25), (4.004, 0.25)])
    p = projects({"project_id": "ROAD", "geometry": layout.utm(road), "budget_thb": 100.0, "source_row": 17,
                  "source_file": "roads.xlsx"})
    allocation, report = allocate(p, villages, return_report=True)
    assert allocation.budget_thb.sum() == pytest.approx(100.0)
    found = report.problems[report.problems.value == "ROAD"]
    # the row is the agency's sheet row, as the reader names it (it was the table position)
    assert len(found) == 1 and found.row.iloc[0] == 17 and found.file.iloc[0] == "roads.xlsx"
    assert "0.2% of its footprint lies outside" in found.message_en.iloc[0]
    assert "sheet row 17" in found.message_en.iloc[0] and "แถวที่ 17" in found.message_th.iloc[0]


def test_a_line_along_a_shared_border_targets_no_third_village(villages):
    """A sliver (a share of 3e-13 from floating point, or under one baht) does not make a village
    'targeted' (it would drop off the no-project list); it is placed and said."""
    from planmap_gis.measure.metrics import targeted

    road = shapely.LineString([(0.2, 1.0), (1.8, 1.0)])  # along the border of the first two villages
    p = projects({"project_id": "EDGE", "geometry": layout.utm(road), "budget_thb": 1_000_000.0})
    allocation, report = allocate(p, villages, return_report=True)
    tiny = allocation.assign(share=1e-12, budget_thb=1e-6).iloc[:1]
    both = pd.concat([allocation, tiny.assign(village_code="99019999")], ignore_index=True)
    assert "99019999" not in set(targeted(both).village_code)
    _, report = allocate(p.assign(budget_thb=0.5), villages, return_report=True)
    assert report.problems.message_en.str.contains("sliver").any()


def test_threads_never_share_a_prepared_geometry(monkeypatch):
    """``threaded(..., keys=)`` ends each slice where a key ends: a prepared polygon is tested in one
    thread only (GEOS builds its index on first use, not thread-safe: two threads on one polygon
    corrupted the heap at 100,000 points)."""
    import itertools

    import numpy as np

    from planmap_gis import _geo

    monkeypatch.setattr(_geo, "thread_count", lambda: 4)
    keys = np.sort(np.random.default_rng(5).integers(0, 40, 10_000))
    seen: dict[int, set[int]] = {}
    calls = itertools.count()

    def record(k: np.ndarray) -> tuple[np.ndarray]:
        call = next(calls)  # one call per slice
        for key in np.unique(k):
            seen.setdefault(int(key), set()).add(call)
        return (k * 2,)

    out = _geo.threaded(record, keys, min_chunk=1_000, keys=keys)[0]
    assert (out == keys * 2).all()  # every row once, in order
    assert len(set().union(*seen.values())) > 1  # it did run in several slices
    assert all(len(slices) == 1 for slices in seen.values())
    one_key = np.zeros(5_000, dtype=int)  # a single key: one slice, whatever the threads
    assert (_geo.threaded(lambda k: (k + 1,), one_key, min_chunk=1_000, keys=one_key)[0] == 1).all()


def test_threaded_work_is_sliced_finer_than_its_threads(monkeypatch):
    """Several slices a thread (a slice of heavy rows does not hold the other thread up), run by no
    more threads than asked, every row once and in order."""
    import threading

    import numpy as np

    from planmap_gis import _geo

    monkeypatch.setattr(_geo, "thread_count", lambda: 2)
    lengths: list[int] = []
    threads: set[int] = set()

    def record(rows: np.ndarray) -> tuple[np.ndarray]:
        lengths.append(len(rows))
        threads.add(threading.get_ident())
        return (rows + 1,)

    rows = np.arange(20_000)
    assert (_geo.threaded(record, rows, min_chunk=1_000)[0] == rows + 1).all()
    assert len(lengths) == 2 * _geo._SLICES_PER_THREAD and sum(lengths) == len(rows)
    assert 1 <= len(threads) <= 2
    lengths.clear()
    _geo.threaded(record, rows[:3_000], min_chunk=1_000)  # no slice under min_chunk
    assert min(lengths) >= 1_000 and len(lengths) == 3


def test_area_lists_with_warts_are_placed_merged_and_reported(villages):
    # Offices list a village the register lacks, a tambon without villages, an amphoe and one of
    # its tambon together, a village twice through its tambon; a register misses a household count.
    villages.loc[villages.village_code == "99010202", "households"] = np.nan
    p = projects({"project_id": "FB", "area_codes": ["99010109"], "budget_thb": 1.0},
                 {"project_id": "MISS", "area_codes": ["990103", "990101"], "budget_thb": 1.0},
                 {"project_id": "NONE", "area_codes": ["990199"], "budget_thb": 1.0},
                 {"project_id": "POOL", "area_codes": ["9901", "990101"], "budget_thb": 1.0},
                 {"project_id": "TWICE", "area_codes": ["990102", "99010203"], "area_shares": [0.5, 0.5],
                  "budget_thb": 1.0})

    with pytest.warns(pm.PlanmapWarning, match="1 projects? reach(es)? no village"):
        a, report = allocate(p, villages, method="households", return_report=True)

    # A village the register lacks: placed on its tambon, by households (100, 300).
    assert shares(a, "FB") == {"99010101": 0.25, "99010102": 0.75}
    # An area without villages: its share goes to the project's other areas.
    assert shares(a, "MISS") == {"99010101": 0.25, "99010102": 0.75}
    assert "NONE" not in set(a.project_id)
    # Pooled areas: each village once; the missing count weighs as the mean of the pool's others (175).
    assert shares(a, "POOL") == pytest.approx({"99010101": 100 / 875, "99010102": 300 / 875,
                                               "99010201": 100 / 875, "99010202": 175 / 875,
                                               "99010203": 200 / 875})
    # Given shares: the village reached through its tambon and by name gets both, at the finer
    # precision; the tambon's missing count weighs as the mean of its others (150).
    twice = a[a.project_id == "TWICE"].set_index("village_code")
    assert twice.share.to_dict() == pytest.approx({"99010201": 0.5 * 100 / 450, "99010202": 0.5 * 150 / 450,
                                                   "99010203": 0.5 * 200 / 450 + 0.5})
    assert twice.location_precision.to_dict() == {"99010201": "tambon", "99010202": "tambon",
                                                  "99010203": "village"}
    assert np.allclose(a.groupby("project_id").share.sum(), 1.0)
    said = report.problems.set_index("value")
    assert said.loc["99010109", "severity"] == "info" and "placed on its tambon 990101" in said.loc[
        "99010109", "message_en"]
    assert said.loc["990103", "severity"] == "warning" and "has no villages" in said.loc["990103", "message_en"]
    assert "none of its areas" in " ".join(report.problems.message_en)
    assert "some villages have no households" in " ".join(report.problems.message_en)


@pytest.mark.parametrize("listed", [["990101", "990101"], ["99", "990101"], ["9901", "99010102"]])
def test_a_village_listed_twice_in_one_pool_is_reached_once_whatever_else_the_plan_holds(villages, listed):
    """The only repeat in the whole allocation (the same tambon twice, a tambon inside its province,
    a village inside its amphoe): each village once, as if its area were listed once."""
    once = {"99": ["99"], "990101": ["990101"], "9901": ["9901"]}[listed[0]]
    plain = projects({"project_id": "A", "area_codes": ["990102"], "budget_thb": 5.0},
                     {"project_id": "B", "area_codes": once, "budget_thb": 10.0})
    repeated = plain.copy()
    repeated.at[1, "area_codes"] = listed
    expected, got = (allocate(p, villages, method="households") for p in (plain, repeated))
    assert not got.duplicated(["project_id", "village_code"]).any()
    pd.testing.assert_frame_equal(got.drop(columns="location_precision"),
                                  expected.drop(columns="location_precision"), check_exact=True)


def test_rows_look_their_project_up_as_a_join_on_text_would():
    """per_row and with_projects on categorical ids give what map and join give on text: the same
    values in the table's dtype, missing where an id is not in the table (or a row has none)."""
    ids = pd.Series(pd.Categorical(["P2", "P1", None, "P3", "P0", "P2"]), index=[10, 11, 12, 13, 14, 15])
    table = pd.DataFrame({"layer": pd.array([1, pd.NA, 3], dtype="Int64"), "sector": ["น้ำ", "ถนน", "ป่า"]},
                         index=pd.Index(["P1", "P2", "P3"], name="project_id"))  # no P0
    as_text = ids.astype("str")
    pd.testing.assert_series_equal(per_row(ids, table["layer"]), as_text.map(table["layer"]))
    assert per_row(ids, table["sector"]).tolist()[:2] == ["ถนน", "น้ำ"]
    allocation = pd.DataFrame({"project_id": ids, "share": [0.5, 1.0, 1.0, 1.0, 1.0, 0.5]})
    joined = with_projects(allocation, table)
    expected = allocation.astype({"project_id": "str"}).join(table, on="project_id")
    pd.testing.assert_frame_equal(joined.astype({"project_id": "str"}), expected)


def test_footprint_shares_equal_an_overlay_whichever_way_a_pair_is_measured(nst_tambons):
    """Footprints inside one village (measured whole), covering whole villages (the village's
    area), crossing edges (GEOS's overlay) and only near a village (its box overlaps, the shape does
    not): the shares equal geopandas.overlay's, over enough pairs that the work runs in threads."""
    villages = demo.demo_villages(nst_tambons)
    areas = pm.village_areas(villages, nst_tambons)
    rng = np.random.default_rng(7)
    points = areas.to_crs(32647).geometry.representative_point().to_numpy()
    centres = points[rng.choice(len(points), 1_500, replace=False)]
    radius = rng.choice([20.0, 300.0, 3_000.0, 9_000.0], len(centres))  # metres
    hooks = [shapely.difference(shapely.box(c.x - r, c.y - r, c.x + r, c.y + r),  # an L: box minus a corner
                                shapely.box(c.x - r / 4, c.y - r / 4, c.x + r, c.y + r))
             for c, r in zip(centres, radius, strict=True)]
    shapes = np.where(np.arange(len(centres)) % 2 == 0, shapely.buffer(centres, radius), hooks)
    p = projects(*({"project_id": f"F{i:04d}", "geometry": g, "budget_thb": 100.0}
                   for i, g in enumerate(gpd.GeoSeries(shapes, crs=32647).to_crs(4326))))

    a = allocate(p, areas)

    pieces = gpd.overlay(gpd.GeoDataFrame({"project_id": p.project_id}, geometry=p.geometry).to_crs(32647),
                         areas[["village_code", "geometry"]].to_crs(32647), keep_geom_type=True)
    pieces = pieces.assign(area=pieces.area)[lambda t: t.area > 0]
    pieces["expected"] = pieces.area / pieces.groupby("project_id").area.transform("sum")
    both = a.astype({"project_id": str, "village_code": str}).merge(
        pieces[["project_id", "village_code", "expected"]], on=["project_id", "village_code"], how="outer")
    assert len(both) == len(pieces) == len(a)  # the same pairs, none more, none fewer
    assert (both.share - both.expected).abs().max() < 1e-9
    whole = a.groupby("project_id", observed=True).village_code.size()
    assert (whole == 1).sum() > 100 and (whole > 20).sum() > 20  # footprints inside one village, and vast ones



def _measures(pieces: np.ndarray, shapes: np.ndarray) -> np.ndarray:
    return np.where(shapely.get_dimensions(shapes) == 1, shapely.length(pieces), shapely.area(pieces))


def test_villages_are_clipped_to_each_footprint_box_before_the_overlay(monkeypatch):
    """The overlay of a footprint with its village clipped to the footprint's (widened) box equals
    the overlay with the whole village: a ragged village with a hole, an archipelago, a village
    that lies in the box (kept whole), a circle, an L and a line; and an overlay GEOS refuses on a
    clipped village is done again on the villages as they are."""
    from planmap_gis.join import footprints

    rng = np.random.default_rng(3)
    angles = np.sort(rng.uniform(0, 2 * np.pi, 600))
    rim = np.c_[np.cos(angles), np.sin(angles)] * rng.uniform(4_000, 6_000, (600, 1))
    ragged = shapely.Polygon(rim, [shapely.box(-800, -800, 800, 800).exterior.coords])
    islands = shapely.MultiPolygon([shapely.box(x, y, x + 900, y + 900) for x in range(-4_000, 4_000, 1_000)
                                    for y in range(-4_000, 4_000, 1_000)])
    small = shapely.box(1_900, 1_900, 2_100, 2_100)
    circle = shapely.buffer(shapely.Point(2_000, 2_000), 1_500)
    hook = shapely.difference(shapely.box(-3_000, -3_000, 1_000, 1_000), shapely.box(-1_000, -1_000, 1_000, 1_000))
    line = shapely.LineString([(-6_000, 100), (6_000, 300)])
    shapes = np.array([circle, circle, circle, hook, hook, line, line], dtype=object)
    areas = np.array([ragged, islands, small, ragged, islands, ragged, islands], dtype=object)
    boxes = shapely.bounds(shapes)
    clipped: list[np.ndarray] = []
    clip = footprints._clip_by_rects
    monkeypatch.setattr(footprints, "_clip_by_rects", lambda g, b: clipped.append(clip(g, b)) or clipped[-1])

    pieces = footprints._overlay(shapes, areas, boxes)

    whole = shapely.intersection(shapes, areas)
    assert (_measures(whole, shapes) > 0).all()
    np.testing.assert_allclose(_measures(pieces, shapes), _measures(whole, shapes), rtol=1e-12, atol=0)
    # Each village but the small one (its box inside the footprint's) went to the overlay clipped,
    # with far fewer vertices than it has.
    (cut,) = clipped
    assert len(cut) == 6
    assert (shapely.get_num_coordinates(cut) < shapely.get_num_coordinates(areas[[0, 1, 3, 4, 5, 6]]) / 2).all()

    def bow_ties(geoms: np.ndarray, rects: np.ndarray) -> np.ndarray:
        return np.array([shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)]) for x0, y0, x1, y1 in rects],
                        dtype=object)

    monkeypatch.setattr(footprints, "_clip_by_rects", bow_ties)
    with pytest.raises(shapely.errors.GEOSException):
        shapely.intersection(shapes[:1], bow_ties(areas[:1], boxes[:1]))
    assert shapely.equals_identical(footprints._overlay(shapes, areas, boxes), whole).all()


def test_each_geometry_is_clipped_to_its_own_rectangle_as_shapely_clips_one(monkeypatch):
    """shapely's ufunc, a rectangle per geometry (the fast path, present in this shapely), and the
    public function called once a geometry give the same pieces, blanks and empties included."""
    from planmap_gis.join import footprints

    assert footprints._RECT_CLIP is not None
    rng = np.random.default_rng(5)
    geoms = shapely.buffer(shapely.points(rng.uniform(0, 100, (50, 2))), rng.uniform(1, 30, 50))
    geoms[3], geoms[7] = None, shapely.Polygon()
    x, y = rng.uniform(0, 100, (2, 50))
    rects = np.c_[x, y, x + rng.uniform(0, 40, 50), y + rng.uniform(0, 40, 50)]
    one_by_one = [shapely.clip_by_rect(g, *r) for g, r in zip(geoms, rects, strict=True)]
    assert sum(not shapely.is_empty(g) for g in one_by_one if g is not None) > 10
    for ufunc in (footprints._RECT_CLIP, None):
        monkeypatch.setattr(footprints, "_RECT_CLIP", ufunc)
        got = footprints._clip_by_rects(geoms, rects)
        assert got.dtype == object and len(got) == 50
        assert all((a is None and b is None) or shapely.equals_identical(a, b)
                   for a, b in zip(got, one_by_one, strict=True))


@pytest.mark.parametrize("threads", [1, 3])
def test_a_large_layer_is_projected_on_threads_as_to_crs_projects_it(monkeypatch, threads):
    """Over ``_THREADED_PROJECTION`` coordinates the layer is projected in slices, a transformer a
    thread: the same coordinates to the bit as ``to_crs``, the frame's index, columns, geometry
    name and CRS kept; a GeoSeries keeps its name. One thread, or a layer with z, is ``to_crs``."""
    from planmap_gis import _geo

    made: list[object] = []
    from_crs = _geo.Transformer.from_crs
    monkeypatch.setattr(_geo.Transformer, "from_crs", lambda *a, **k: made.append(a) or from_crs(*a, **k))
    monkeypatch.setattr(_geo, "thread_count", lambda: threads)
    rng = np.random.default_rng(11)
    rings = [np.c_[99 + rng.uniform(0, 1, 2_000), 8 + rng.uniform(0, 1, 2_000)] for _ in range(110)]
    geoms = shapely.convex_hull(shapely.multipoints(rings)).tolist()
    geoms = [shapely.Polygon(r) for r in rings[:100]] + geoms[100:] + [None, shapely.Polygon()]
    frame = gpd.GeoDataFrame({"code": np.arange(len(geoms))}, geometry=gpd.GeoSeries(geoms).rename("outline"),
                             crs=4326).rename_geometry("outline").set_index(np.arange(len(geoms))[::-1] * 3)
    assert shapely.get_coordinates(frame.outline.to_numpy()).shape[0] > _geo._THREADED_PROJECTION

    for layer in (frame, frame.geometry.rename("x")):
        made.clear()
        got, want = _geo.projected(layer), layer.to_crs(32647)
        assert len(made) == (threads if threads > 1 else 0)
        assert type(got) is type(want) and got.crs == want.crs and got.index.equals(want.index)
        assert getattr(got, "name", None) == getattr(want, "name", None)
        assert _identical(got.geometry.to_numpy(), want.geometry.to_numpy())
        if isinstance(got, gpd.GeoDataFrame):
            assert list(got.columns) == list(want.columns) and got.geometry.name == "outline"
            assert (got.code == want.code).all()
    with_z = gpd.GeoSeries(shapely.force_3d(frame.outline.to_numpy()), crs=4326)
    assert _identical(_geo.projected(with_z).to_numpy(), with_z.to_crs(32647).to_numpy())


def _identical(a: np.ndarray, b: np.ndarray) -> bool:
    """The same geometries coordinate for coordinate, blanks where blanks are."""
    blank = shapely.is_missing(a)
    return bool((blank == shapely.is_missing(b)).all() and shapely.equals_identical(a[~blank], b[~blank]).all())
