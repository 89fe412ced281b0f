"""The duplication rule and table on codes, against a plain pandas reading of the rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planmap_gis.measure import duplication as duplication_module
from planmap_gis.measure.duplication import DUPLICATION_AGENCIES, duplicated, duplication
from planmap_gis.measure.metrics import projects_by_amphoe


def _made(seed: int = 7, n_projects: int = 300) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Projects with blank sectors, agencies and years, spread over villages as allocate orders
    them (project, then village code), with one allocation row whose project is not listed."""
    rng = np.random.default_rng(seed)
    sectors = np.array(["ถนน", "น้ำ", "สุขภาพ", "อาชีพ", None], dtype=object)
    agencies = np.array(["อบต.หนึ่ง", "กรมชลประทาน", "สสจ.", "เกษตรอำเภอ", "Zeta office", None], dtype=object)
    projects = pd.DataFrame({
        "project_id": pd.array([f"P{i:04d}" for i in rng.permutation(n_projects)], dtype="str"),
        "sector": pd.array(sectors[rng.integers(0, len(sectors), n_projects)], dtype="str"),
        "agency": pd.array(agencies[rng.integers(0, len(agencies), n_projects)], dtype="str"),
        "fiscal_year": pd.array(np.where(rng.random(n_projects) < 0.1, None,
                                         rng.integers(2568, 2571, n_projects)), dtype="Int64"),
    })
    villages = np.array([f"8001{t:02d}{m:02d}" for t in range(1, 6) for m in range(1, 5)])
    rows = []
    for pid in projects["project_id"]:
        for code in np.sort(rng.choice(villages, rng.integers(1, 6), replace=False)):
            rows.append((pid, code, float(rng.integers(1, 10_000)) / 7))
    rows.append(("NOT-LISTED", villages[0], 5.0))
    allocation = pd.DataFrame(rows, columns=["project_id", "village_code", "budget_thb"])
    allocation["tambon_code"] = allocation["village_code"].str[:6]
    allocation["amphoe_code"] = allocation["village_code"].str[:4]
    return allocation, projects


def _by_hand(allocation: pd.DataFrame, projects: pd.DataFrame, key: str) -> pd.DataFrame:
    """The rule read literally: per unit, sector and year (a blank year its own), the agencies."""
    rows = allocation.merge(projects, on="project_id").dropna(subset=["sector", "agency"])
    rows["fiscal_year"] = rows["fiscal_year"].fillna(-1)
    out = []
    for (unit, sector, year), part in rows.groupby([key, "sector", "fiscal_year"]):
        names = sorted(set(part["agency"]))
        if len(names) >= DUPLICATION_AGENCIES:
            out.append({key: unit, "sector": sector, "fiscal_year": None if year == -1 else int(year),
                        "n_agencies": len(names), "agencies": "; ".join(names),
                        "project_ids": "; ".join(sorted(set(part["project_id"]))),
                        "budget_thb": part["budget_thb"].sum()})
    return pd.DataFrame(out)


@pytest.mark.parametrize("level", ["village", "tambon", "amphoe"])
def test_the_table_is_the_rule_read_by_hand_in_any_row_order(level):
    allocation, projects = _made()
    key = f"{level}_code"
    expected = _by_hand(allocation, projects, key)
    assert len(expected) > 10 and expected["fiscal_year"].isna().any()  # the blank year is a year of its own
    # Lists of agencies repeat from place to place: each text is held once (a categorical).
    assert expected["agencies"].nunique() < len(expected)
    shuffled = allocation.sample(frac=1, random_state=3).reset_index(drop=True)  # not in allocate's order
    categorical = allocation.astype({"project_id": "category", key: "category"})  # as allocate gives them
    for rows in (allocation, shuffled, categorical):
        got = duplication(rows, projects, level=level)
        assert got[key].tolist() == expected[key].tolist()
        assert got["sector"].tolist() == expected["sector"].tolist()
        assert [None if pd.isna(y) else int(y) for y in got["fiscal_year"]] == \
            [None if pd.isna(y) else int(y) for y in expected["fiscal_year"]]
        assert got[["n_agencies", "agencies", "project_ids"]].to_dict("list") == \
            expected[["n_agencies", "agencies", "project_ids"]].to_dict("list")
        np.testing.assert_allclose(got["budget_thb"], expected["budget_thb"], rtol=1e-12)
        for column in ("agencies", "project_ids"):
            held = got[column].cat.categories
            assert held.is_unique and held.is_monotonic_increasing and set(held) == set(expected[column])


def test_lists_that_join_to_one_text_are_one_category():
    """An agency named with "; " in it: ["a; b", "c"] and ["a", "b; c"] both read "a; b; c"."""
    texts = pd.Index(["a", "a; b", "b; c", "c", "d"])
    group = np.array([0, 0, 1, 1, 2, 2])
    codes = np.array([1, 3, 0, 2, 0, 4])
    joined, counts = duplication_module._joined(group, codes, texts, unique=True)
    assert list(joined) == ["a; b; c", "a; b; c", "a; d"] and counts.tolist() == [2, 2, 2]
    assert list(joined.categories) == ["a; b; c", "a; d"]


def test_the_rule_flags_rows_by_unit_sector_and_year_and_never_a_row_with_a_blank():
    work = pd.DataFrame({
        "tambon_code": ["800101"] * 6 + ["800102", None],
        "sector": ["ถนน", "ถนน", "ถนน", "น้ำ", "ถนน", None, "ถนน", "ถนน"],
        "fiscal_year": [2569, 2569, 2570, 2569, None, 2569, 2569, 2569],
        "agency": ["ก", "ข", "ค", "ก", "ก", "ข", "ข", "ข"],
    })
    # Rows 0 and 1: two agencies, same tambon, sector and year. Row 2 another year, row 3 another
    # sector, row 4 a blank year (its own), row 5 no sector, row 6 another tambon, row 7 no tambon.
    assert duplicated(work, "tambon_code").tolist() == [True, True, False, False, False, False, False, False]
    work["fiscal_year"] = work["fiscal_year"].astype(object).map(lambda y: None if pd.isna(y) else str(int(y)))
    assert duplicated(work, "tambon_code").tolist() == [True, True, False, False, False, False, False, False]


def test_no_duplication_is_an_empty_table_with_its_columns():
    allocation, projects = _made(n_projects=40)
    projects["agency"] = "อบต.หนึ่ง"  # one agency everywhere: nothing is duplicated
    for level in ("village", "tambon"):
        got = duplication(allocation, projects, level=level)
        assert got.empty and list(got.columns) == [f"{level}_code", "sector", "fiscal_year", "n_agencies",
                                                   "agencies", "project_ids", "budget_thb"]
    assert duplication(allocation.iloc[:0], projects).empty


def test_each_projects_place_per_amphoe_against_pandas_by_hand():
    """projects_by_amphoe on codes: budgets, sorted tambon lists and the duplication flag read
    plainly with pandas, on rows in no order, with blank budgets and a row without its tambon."""
    rng = np.random.default_rng(11)
    allocation, projects = _made(seed=11)
    # Spread over three amphoe (the same tambon numbers in each), rows shuffled, some blanks.
    amphoe = np.array(["8001", "8002", "8010"])[rng.integers(0, 3, len(allocation))]
    allocation["village_code"] = [a + v[4:] for a, v in zip(amphoe, allocation["village_code"], strict=True)]
    allocation["tambon_code"] = allocation["village_code"].str[:6]
    allocation["amphoe_code"] = allocation["village_code"].str[:4]
    allocation = allocation.sample(frac=1, random_state=3).reset_index(drop=True)
    allocation.loc[allocation.index % 9 == 0, "budget_thb"] = np.nan
    allocation.loc[5, "tambon_code"] = None
    allocation = allocation.astype({c: "str" for c in ("project_id", "village_code", "tambon_code", "amphoe_code")})
    table = duplication(allocation, projects, level="tambon")
    assert len(table)  # the flag is tested on real duplications

    got = projects_by_amphoe(allocation, projects).set_index(["amphoe_code", "project_id"])
    keys = ["amphoe_code", "project_id"]
    budget = allocation.groupby(keys)["budget_thb"].sum()
    tambons = allocation.dropna(subset=["tambon_code"]).groupby(keys)["tambon_code"].agg(lambda s: sorted(set(s)))
    pairs = {(t[:4], pid) for t, ids in zip(table["tambon_code"], table["project_ids"], strict=True)
             for pid in ids.split("; ")}
    assert list(got.index) == sorted(budget.index)
    assert np.allclose(got["budget_thb"], budget.reindex(got.index), rtol=1e-12)
    assert [list(v) for v in got["tambon_codes"]] == [tambons[k] for k in got.index]
    assert got["duplicated"].tolist() == [k in pairs for k in got.index]
    assert 0 < got["duplicated"].sum() < len(got)


@pytest.mark.parametrize("level", ["village", "tambon", "amphoe"])
def test_each_row_flagged_as_the_table_lists_it(level):
    """The rule row by row: a row is flagged exactly when its unit, sector and year are a row of the
    table read by hand (and it has a sector and an agency), in any row order and with categoricals."""
    allocation, projects = _made(seed=11)
    key = f"{level}_code"
    expected = _by_hand(allocation, projects, key)
    listed = set(zip(expected[key], expected["sector"], expected["fiscal_year"].fillna(-1), strict=True))
    work = allocation.merge(projects, on="project_id", how="left")
    want = [bool(pd.notna(a) and (u, s, -1 if pd.isna(y) else y) in listed)
            for u, s, y, a in zip(work[key], work["sector"], work["fiscal_year"], work["agency"], strict=True)]
    assert 0 < sum(want) < len(want)
    for rows in (work, work.astype({key: "category", "sector": "category", "agency": "category"})):
        assert duplicated(rows, key).tolist() == want
    shuffled = work.sample(frac=1, random_state=5)
    assert duplicated(shuffled, key).tolist() == [want[i] for i in shuffled.index]


def test_numbers_start_afresh_before_they_would_overflow():
    """Each column is a digit of one number; where the next digit would pass 2**62 the groups so far
    are numbered 0, 1, … first (the same groups, so the same rule)."""
    group = np.array([5, 9, 5, 7], dtype=np.int64)
    near = duplication_module._numbered(group.copy(), 1 << 61, pd.Series(["a", "b", "a", "a"]))
    assert near[0].tolist() == [0, 3, 0, 4] and near[1:] == (6, 2)
    far = duplication_module._numbered(group.copy(), 10, pd.Series(["a", "b", "a", "a"]))
    assert far[0].tolist() == [10, 19, 10, 14] and far[1:] == (20, 2)
