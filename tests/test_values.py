"""How cell values are read: examples straight from agency sheets."""

from __future__ import annotations

import pytest

from planmap_gis._years import parse_fiscal_year
from planmap_gis.read.cells import (
    parse_amount,
    parse_budget_layer,
    parse_mark,
    parse_tier,
)


@pytest.mark.parametrize(("cell", "baht"), [
    ("1,250,000", 1_250_000), ("1.25 ล้านบาท", 1_250_000), ("๙๐๐,๐๐๐ บาท", 900_000),
    ("2.5 ลบ.", 2_500_000), (350000.0, 350_000), ("12,500.50", 12_500.5), ("", None), ("-", None),
    ("฿250,000", 250_000), ("2 แสนบาท", 200_000), ("3 หมื่น", 30_000), ("1 250 000", 1_250_000),
])
def test_amounts(cell, baht):
    assert parse_amount(cell) == baht


@pytest.mark.parametrize("cell", ["รอจัดสรร", "-5,000", "1,2,3 บาทx", "12,34", "1,2,3", "1,2345"])
def test_bad_amounts(cell):
    with pytest.raises(ValueError):
        parse_amount(cell)


@pytest.mark.parametrize(("cell", "year", "converted"), [
    ("2569", 2569, False), ("ปีงบประมาณ ๒๕๖๙", 2569, False), (2026, 2569, True),
    ("FY2026", 2569, True), ("2569-2570", 2569, True), (None, None, False), ("68", 2568, True),
    ("๖๘", 2568, True),
])
def test_fiscal_years(cell, year, converted):
    got, how = parse_fiscal_year(cell)
    assert got == year and bool(how) == converted


@pytest.mark.parametrize(("cell", "year"), [
    ("2025-10-01", 2569), ("2025-09-30", 2568), ("2026-01-15 00:00:00", 2569), ("1/10/2568", 2569),
    ("30/9/2568", 2568), ("01.10.2025", 2569), ("1 ต.ค. 2568", 2569), ("30 ก.ย. 2569", 2569),
    ("1 ตุลาคม 68", 2569),
])
def test_a_date_in_the_year_column_falls_in_its_fiscal_year(cell, year):
    assert parse_fiscal_year(cell) == (year, "date")


@pytest.mark.parametrize("cell", ["25690", "256", "ปีหน้า"])
def test_what_is_not_a_year(cell):
    with pytest.raises(ValueError):
        parse_fiscal_year(cell)


@pytest.mark.parametrize("cell", ["inf", "-inf", "Infinity", "1e400", "1e14", "-5"])
def test_amounts_that_cannot_be_a_budget(cell):
    with pytest.raises(ValueError):
        parse_amount(cell)


@pytest.mark.parametrize(("cell", "factor", "baht"), [
    ("1\u00a0250\u00a0000", 1.0, 1_250_000), ("1 250 000", 1.0, 1_250_000), ("1'250'000", 1.0, 1_250_000),
    ("1.5", 1e6, 1_500_000), ("1.5 บาท", 1e6, 1.5), ("1500 พันบาท", 1.0, 1_500_000), ("250", 1e3, 250_000),
])
def test_amount_units_and_separators(cell, factor, baht):
    assert parse_amount(cell, factor) == baht


@pytest.mark.parametrize(("cell", "tier"), [
    ("ส่วนกลาง", "central"), ("ส่วนภูมิภาค", "regional"), ("อปท.", "local"),
    ("ส่วนท้องถิ่น (อบต.)", "local"), ("ภาคประชาชน", "people"), ("People's sector", "people"),
])
def test_tiers(cell, tier):
    assert parse_tier(cell) == tier


@pytest.mark.parametrize(("cell", "layer"), [
    (1, 1), ("๒", 2), ("ชั้นที่ 3", 3), ("งบจังหวัด", 1), ("กองทุนหมู่บ้าน", 4), ("Local government", 3),
])
def test_budget_layers(cell, layer):
    assert parse_budget_layer(cell) == layer


@pytest.mark.parametrize(("cell", "expected"), [
    ("✓", (True, None)), ("x", (True, None)), (1, (True, None)), ("", (False, None)),
    ("250,000", (True, 250_000)), (0, (False, None)),
])
def test_marks(cell, expected):
    assert parse_mark(cell) == expected


def test_group_texts_are_what_the_per_group_join_gave():
    """``joined_texts`` (one vectorised pass) against the per-group lambda it replaced, with blanks,
    repeats, Thai text and numbers as ids."""
    import numpy as np
    import pandas as pd

    from planmap_gis._text import joined_texts, sorted_texts

    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"unit": rng.choice(["800101", "800102", "800201", None], 400),
                          "sector": rng.choice(["เกษตร", "ถนน", "สาธารณสุข"], 400),
                          "agency": rng.choice(["อบต.ก", "เกษตรอำเภอ", "Agency B", "อบต.ก", None], 400)})
    expected = frame.dropna().groupby(["unit", "sector"])["agency"].agg(lambda s: "; ".join(sorted(set(s))))
    pd.testing.assert_series_equal(joined_texts(frame, ["unit", "sector"], "agency"), expected, check_names=False)
    repeats = frame.dropna().groupby(["unit", "sector"])["agency"].agg(lambda s: ", ".join(sorted(s)))
    pd.testing.assert_series_equal(joined_texts(frame, ["unit", "sector"], "agency", unique=False, sep=", "),
                                   repeats, check_names=False)
    ids = pd.DataFrame({"project": ["P2", "P1", "P1", "P2"], "tambon": [800102, 800101, 800101, 800101]})
    assert sorted_texts(ids, ["project"], "tambon").to_dict() == {"P1": ["800101"], "P2": ["800101", "800102"]}
    assert joined_texts(ids.iloc[:0], ["project"], "tambon").empty


def test_sorted_codes_of_a_categorical_are_what_factorize_gives():
    """The categorical path (its own codes renumbered over the categories present) against
    ``pd.factorize(sort=True)``: unused and unsorted categories, blanks, numbers, nothing."""
    import numpy as np
    import pandas as pd

    from planmap_gis._text import plain, sorted_codes

    rng = np.random.default_rng(8)
    texts = np.where(rng.random(500) < 0.1, None, rng.choice(["ข", "ก", "b", "a"], 500))
    cases = [pd.Series(pd.array(texts, dtype="str")).astype(pd.CategoricalDtype(["ข", "unused", "ก", "b", "a"])),
             pd.Series(pd.array(texts, dtype="str")).astype("category"),
             pd.Series([3, None, 1, 3], dtype="Int64").astype("category"),
             pd.Series([None, None], dtype="str").astype("category"),
             pd.Series([], dtype="str").astype("category")]
    for values in cases:
        codes, uniques = pd.factorize(values, sort=True)
        got, seen = sorted_codes(values)
        assert got.dtype == np.int32 and got.tolist() == codes.tolist()
        pd.testing.assert_index_equal(seen, pd.Index(plain(uniques)))
