"""The integration matrix: every project as a row, the areas as columns, marks where it works.

This is the planning session's working document: who does what where, where
efforts pile up (two or more agencies in the same sector, same fiscal year and
same area — the rule of :func:`planmap_gis.measure.metrics.duplication`) and where
nobody goes. Everything here is read from a :class:`~planmap_gis.plan.Plan`'s
allocation, so the matrix, the maps and the metrics always agree.

``save_matrix`` (:mod:`planmap_gis.draw.matrix_book`) writes the formatted workbook.
"""

from __future__ import annotations

import bisect

import numpy as np
import pandas as pd

from planmap_gis._errors import PlanmapError
from planmap_gis._schema import (
    AGENCY,
    AMPHOE_CODE,
    BUDGET,
    BUDGET_LAYER,
    FISCAL_YEAR,
    HOUSEHOLDS,
    LEVEL_KEYS,
    NAME_TH,
    PROJECT_ID,
    SECTOR,
    STRATEGY,
    STRENGTH,
    STRENGTH_CLASS_TH,
    TAMBON_CODE,
    TIER,
    VILLAGE_CODE,
)
from planmap_gis._text import pair_codes, plain, run_firsts, sorted_codes
from planmap_gis.draw.mapdata import values as metric_values
from planmap_gis.join.pairs import with_projects
from planmap_gis.measure.duplication import duplicated
from planmap_gis.measure.metrics import no_project
from planmap_gis.plan import Plan

__all__ = ["ROW_LABELS", "cross_tabs", "duplicated_cells", "gap_table", "integration_matrix", "marked_cells",
           "matrix_cells"]

#: Row labels of the matrix (its index levels), in this order.
ROW_LABELS = (PROJECT_ID, NAME_TH, AGENCY, TIER, BUDGET_LAYER, STRATEGY, SECTOR, FISCAL_YEAR)
VALUES = ("mark", "budget")


def _level(by: str) -> str:
    if by not in LEVEL_KEYS:
        raise PlanmapError(f"by must be one of {tuple(LEVEL_KEYS)}, got {by!r}.")
    return LEVEL_KEYS[by]


def unit_codes(plan: Plan, by: str, within: str | None = None) -> list[str]:
    """The units of a level (all of them, with or without projects), sorted by code."""
    _level(by)
    cache = plan.__dict__.setdefault("_matrix_long", {})  # indexes, not figures: the plan stays as it was
    levels = cache.get("units")
    if levels is None:  # sorted once per plan; each amphoe's slice found by bisection
        levels = cache["units"] = {"village": sorted(set(plan.villages[VILLAGE_CODE].astype(str).tolist())),
                  "tambon": sorted(set(plan.tambons[TAMBON_CODE].astype(str).tolist())),
                  "amphoe": sorted(set(plan.tambons[AMPHOE_CODE].astype(str).tolist()))}
    codes = levels[by]
    if within is None:
        return list(codes)
    return codes[bisect.bisect_left(codes, within):bisect.bisect_left(codes, within + "\uffff")]


def _long(plan: Plan, by: str) -> pd.DataFrame:
    """Every marked cell of the level's whole matrix, built once per plan and sorted by column:
    ``row`` (position in the project table), ``column`` (position in :func:`unit_codes`), the
    baht placed there and the duplication flag. A national workbook asks for 929 sheets; each
    slices this instead of grouping a million allocation rows again."""
    cache = plan.__dict__.setdefault("_matrix_long", {})  # an index, not a figure: the plan stays as it was
    if by not in cache:
        key = _level(by)
        # On codes, each (project, unit) one integer, and only the distinct texts looked up: grouped
        # and joined as texts, a national book's index took +372 MiB at tambon level.
        project, ids = sorted_codes(plan.allocation[PROJECT_ID])
        unit, seen = sorted_codes(plan.allocation[key])
        row_of = pd.Index(plan.projects[PROJECT_ID].astype(str)).get_indexer(ids.astype(str))
        column_of = pd.Index(unit_codes(plan, by)).get_indexer(seen.astype(str))
        kept = (project >= 0) & (unit >= 0)
        kept[kept] &= (row_of[project[kept]] >= 0) & (column_of[unit[kept]] >= 0)  # in the tables
        n_units = max(len(seen), 1)
        pair = pair_codes(project[kept], n_units, unit[kept])
        del project, unit
        # One cell per (project, unit): its budget summed (blank when all its rows are blank).
        where, budget = _cell_sums(pair, plan.allocation[BUDGET].to_numpy(dtype=float)[kept])
        del pair, kept
        row, column = row_of[where // n_units], column_of[where % n_units]
        # Each project's agency and sector as a category: taken to millions of cells as texts, they
        # were most of the +470 MiB of a national book's tambon index.
        work = pd.DataFrame({key: column, FISCAL_YEAR: plan.projects[FISCAL_YEAR].array.take(row),
                             **{c: pd.Categorical(plan.projects[c]).take(row) for c in (AGENCY, SECTOR)}})
        flags = duplicated(work, key).to_numpy()
        del work
        order = np.lexsort((row, column))  # each (column, row) once: taken in order, no frame sorted
        cache[by] = pd.DataFrame({"row": row[order], "column": column[order], BUDGET: budget[order],
                                  "duplicated": flags[order]})
    return cache[by]


def _cell_sums(pair: np.ndarray, budget: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct ``pair`` in order of first appearance and its ``budget`` summed (NaN where all
    are NaN): ``groupby(pair, sort=False).sum(min_count=1)``. An allocation comes project by
    project, village by village, so each pair's rows are one run: summed run by run as pandas
    sums sorted groups (``np.add.reduceat``, the same figures), without numbering 3.4 million
    rows first; rows in another order, or with a blank budget, are grouped by pandas."""
    if len(pair) and not np.isnan(budget).any():
        starts = np.flatnonzero(run_firsts(pair))
        if pd.Index(pair[starts]).is_unique:
            return pair[starts], np.add.reduceat(budget, starts)
    sums = pd.Series(budget).groupby(pair, sort=False).sum(min_count=1)
    return sums.index.to_numpy(), sums.to_numpy()


def matrix_cells(plan: Plan, *, by: str = "amphoe",
                 within: str | None = None) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    """:func:`integration_matrix` and :func:`duplicated_cells` in long form, for writers that stream.

    A national matrix is 10,000 projects × 928 amphoe, nine million cells of which a few percent
    are marked: this gives the marked ones only.

    Parameters
    ----------
    plan, by, within
        As :func:`integration_matrix`; ``within`` a code of the level or of a coarser one.

    Returns
    -------
    projects : DataFrame
        The rows, in project-table order (with ``within``, those working in it), indexed by their
        position in the project table.
    units : list of str
        The columns: every unit code of the level (within ``within``), sorted.
    cells : DataFrame
        One row per marked cell, sorted by ``row`` then ``column`` (positions in ``projects`` and
        ``units``): ``budget_thb`` (THB placed there, NaN if the project has no budget) and
        ``duplicated`` (the one duplication rule, :func:`~planmap_gis.measure.duplication.duplicated`).
    """
    rows, units, cells = marked_cells(plan, by=by, within=within)
    cache = plan.__dict__.setdefault("_matrix_long", {})
    if "projects" not in cache:  # once per plan: copying 100,000 projects for each of 929 sheets took 3 s
        cache["projects"] = pd.DataFrame(plan.projects).reset_index(drop=True)
    projects = cache["projects"]
    return projects.copy() if within is None else projects.iloc[rows], units, cells


def marked_cells(plan: Plan, *, by: str = "amphoe",
                 within: str | None = None) -> tuple[np.ndarray, list[str], pd.DataFrame]:
    """:func:`matrix_cells` with the rows as positions in the project table instead of a frame of
    them: what a sheet writer needs, without copying the projects of each of a national book's 929
    sheets; the cells sliced and ordered with NumPy (pandas' ``assign`` and ``sort_values`` on each
    sheet's slice were 2 of the matrix's 18 s)."""
    long, units = _long(plan, by), unit_codes(plan, by)
    if within is None:
        return (np.arange(len(plan.projects)), units,
                long.sort_values(["row", "column"], ignore_index=True))
    if units and len(within) > len(units[0]):
        raise PlanmapError(f"within must be a code of the {by} level or a coarser one, got {within!r}.")
    lo, hi = bisect.bisect_left(units, within), bisect.bisect_left(units, within + "\uffff")
    columns = long["column"].to_numpy()
    part = slice(np.searchsorted(columns, lo), np.searchsorted(columns, hi))
    rows, row = np.unique(long["row"].to_numpy()[part], return_inverse=True)
    column = columns[part] - lo
    order = np.lexsort((column, row))  # by row, then column: a (project, unit) pair is marked once
    return rows, units[lo:hi], pd.DataFrame({
        "row": row[order], "column": column[order], BUDGET: long[BUDGET].to_numpy()[part][order],
        "duplicated": long["duplicated"].to_numpy()[part][order]})


def integration_matrix(
    plan: Plan,
    *,
    by: str = "amphoe",
    values: str = "mark",
    within: str | None = None,
) -> pd.DataFrame:
    """Projects × areas: where each project works.

    Parameters
    ----------
    plan : Plan
        The analysis (:func:`~planmap_gis.analyse`).
    by : {"amphoe", "tambon", "village"}
        The areas (columns): every unit of the level, sorted by DOPA code,
        including units no project reaches (empty columns are gaps).
    values : {"mark", "budget"}
        ``mark``: True where the project's allocation reaches the unit;
        ``budget``: the baht the allocation places in the unit (NaN where the
        project does not work there, or has no budget).
    within : str, optional
        A unit code of the level or a coarser one (e.g. an amphoe ``"8007"``): only its
        areas, and only the projects that work in it.

    Returns
    -------
    DataFrame
        Indexed by :data:`ROW_LABELS` (project id, Thai name, agency, tier,
        budget layer, strategy, sector, fiscal year), in project-table order;
        columns are the unit codes (named after the level's code column).
        Every project of the plan is a row (with ``within``, those working in it);
        a project that reaches no village has an empty row.
    """
    if values not in VALUES:
        raise PlanmapError(f"values must be one of {VALUES}, got {values!r}.")
    return _dense(plan, by, within, "mark" if values == "mark" else BUDGET)


def _dense(plan: Plan, by: str, within: str | None, what: str) -> pd.DataFrame:
    projects, units, cells = matrix_cells(plan, by=by, within=within)
    where = (cells["row"].to_numpy(), cells["column"].to_numpy())
    if what == BUDGET:
        grid = np.full((len(projects), len(units)), np.nan)
        grid[where] = cells[BUDGET].to_numpy()
    else:
        grid = np.zeros((len(projects), len(units)), dtype=bool)
        grid[where] = True if what == "mark" else cells["duplicated"].to_numpy()
    table = pd.DataFrame(grid, columns=pd.Index(units, name=_level(by)))
    table.index = pd.MultiIndex.from_frame(projects[list(ROW_LABELS)])
    return table


def duplicated_cells(plan: Plan, *, by: str = "amphoe", within: str | None = None) -> pd.DataFrame:
    """Cells of :func:`integration_matrix` where efforts pile up.

    True where the project works in the unit and two or more agencies (this
    project's among them) work there in the same sector and fiscal year.
    Same shape, index and columns as :func:`integration_matrix`.
    """
    return _dense(plan, by, within, "duplicated")


def cross_tabs(plan: Plan) -> dict[str, pd.DataFrame]:
    """The session's summary tables, with totals (``"รวม"`` row and column).

    Returns
    -------
    dict of DataFrame
        ``agency_strategy_layer_count`` and ``…_budget``: rows (budget layer,
        agency), columns strategy; number of projects and their budget (THB).
        ``sector_amphoe_count`` and ``…_budget``: rows sector, columns amphoe
        code; number of projects working in the amphoe and the budget the
        allocation places there (THB).
    """
    projects = pd.DataFrame(plan.projects).fillna({STRATEGY: "(ไม่ระบุ)", SECTOR: "(ไม่ระบุ)",
                                                   AGENCY: "(ไม่ระบุ)"})
    projects[BUDGET_LAYER] = projects[BUDGET_LAYER].astype("Int64").astype(object).fillna(0)
    rows = [BUDGET_LAYER, AGENCY]
    out = {
        "agency_strategy_layer_count": _totals(pd.crosstab(
            [projects[c] for c in rows], projects[STRATEGY])),
        "agency_strategy_layer_budget": _totals(projects.pivot_table(
            index=rows, columns=STRATEGY, values=BUDGET, aggfunc="sum", fill_value=0.0)),
    }
    # The three columns counted, each project's sector a category: the whole allocation with a text
    # per row took +520 MiB nationally.
    alloc = with_projects(plan.allocation[[PROJECT_ID, AMPHOE_CODE, BUDGET]],
                          projects.set_index(PROJECT_ID)[[SECTOR]].astype("category"))
    per_amphoe = alloc.groupby([SECTOR, AMPHOE_CODE])
    amphoes = unit_codes(plan, "amphoe")
    out["sector_amphoe_count"] = _totals(_texts(per_amphoe[PROJECT_ID].nunique().unstack(fill_value=0))
                                         .reindex(columns=amphoes, fill_value=0), count_by=alloc)
    out["sector_amphoe_budget"] = _totals(_texts(per_amphoe[BUDGET].sum().unstack(fill_value=0.0))
                                          .reindex(columns=amphoes, fill_value=0.0))
    return out


def _texts(table: pd.DataFrame) -> pd.DataFrame:
    """A table grouped on categoricals with its row and column labels as text (a total row is added)."""
    return table.set_axis(plain(table.index), axis=0).set_axis(plain(table.columns), axis=1)


def _totals(table: pd.DataFrame, count_by: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add a "รวม" column and row. Project counts across amphoe are distinct projects, not sums."""
    table = table.copy()
    table.columns = table.columns.astype(str)
    if count_by is not None:  # a project in two amphoe counts once in its sector's total
        table["รวม"] = count_by.groupby(SECTOR)[PROJECT_ID].nunique().reindex(table.index).fillna(0)
        total_row = [*(count_by.groupby(AMPHOE_CODE)[PROJECT_ID].nunique()
                       .reindex(table.columns[:-1]).fillna(0)), count_by[PROJECT_ID].nunique()]
    else:
        table["รวม"] = table.sum(axis=1)
        total_row = list(table.sum(axis=0))
    key = ("รวม",) * table.index.nlevels if table.index.nlevels > 1 else "รวม"
    table.loc[key, :] = total_row
    return table


def gap_table(plan: Plan) -> pd.DataFrame:
    """Tambon and villages that no project targets, largest first.

    The rule is the package's one definition of "no project" (``_schema.NO_PROJECT_RULE``,
    :func:`~planmap_gis.measure.metrics.targeted`): a province- or amphoe-wide programme reaches every
    village on paper, so it does not fill a gap; the atlas, the summary and the tables count
    the same units.

    Returns
    -------
    DataFrame
        ``level`` (tambon | village), ``code``, ``households``, ``n_projects`` (all projects
        reaching it, blanket ones included), ``strength_index`` (tambon: household-weighted
        mean of its villages), ``strength_class_th`` (villages) and the priority ``rank``
        (tambon: the best rank among its villages) when the plan has indicators.
    """

    frames = []
    for level in ("tambon", "village"):
        table = plan.metrics[level]
        empty = table[no_project(table)]
        frame = pd.DataFrame({"level": level, "code": empty.index.astype(str),
                              HOUSEHOLDS: empty[HOUSEHOLDS].to_numpy(),
                              "n_projects": empty["n_projects"].to_numpy()})
        frame[STRENGTH] = frame["code"].map(metric_values(plan, STRENGTH, level)).to_numpy()
        villages = pd.DataFrame(plan.villages).set_index(plan.villages[VILLAGE_CODE].astype(str))
        if level == "village" and STRENGTH_CLASS_TH in villages:
            frame[STRENGTH_CLASS_TH] = frame["code"].map(villages[STRENGTH_CLASS_TH]).to_numpy()
        if "rank" in plan.priorities:
            ranks = plan.priorities["rank"].dropna()
            best = ranks.groupby(ranks.index.astype(str).str[:6]).min() if level == "tambon" else ranks
            frame["rank"] = frame["code"].map(best).astype("Int64").to_numpy()
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["level", HOUSEHOLDS, "code"], ascending=[True, False, True],
                           ignore_index=True)


def _support_frames(plan: Plan) -> list[tuple[str, str, pd.DataFrame]]:
    """Who can support which project, and what each facilitator could carry (Thai headers)."""
    assert plan.support is not None
    agency = plan.projects.set_index("project_id")["agency"]
    by_project = plan.support["project"].assign(agency=lambda f: f.index.map(agency))
    projects = pd.DataFrame({
        "รหัสโครงการ": by_project.index, "ชื่อโครงการ": by_project["name_th"].to_numpy(),
        "หน่วยงาน": by_project["agency"].to_numpy(), "ด้าน": by_project["sector"].to_numpy(),
        "หมู่บ้านที่ถึง": by_project["n_villages"].to_numpy(),
        "หมู่บ้านที่มีคุณอำนวย": by_project["n_villages_supported"].to_numpy(),
        "คุณอำนวยที่สนับสนุนได้": by_project["support"].to_numpy()}).set_index("รหัสโครงการ")
    people = plan.support["facilitator"]
    facilitators = pd.DataFrame({
        "คุณอำนวย": people.index, "สังกัด": people["organisation"].to_numpy(),
        "หน่วยจัดการ": people["management_unit"].to_numpy(), "ทักษะ (ด้าน)": people["skills"].to_numpy(),
        "หมู่บ้านที่ดูแล": people["n_villages_served"].to_numpy(),
        "โครงการที่สนับสนุนได้": people["n_projects"].to_numpy(),
        "หมู่บ้านเป้าหมายในพื้นที่": people["n_targeted_villages"].to_numpy(),
        "โครงการทั้งจังหวัด/อำเภอ": people["n_blanket_projects"].to_numpy(),
        "รหัสโครงการ": people["project_ids"].to_numpy(),
        **({"ติดต่อ": people["contact"].to_numpy()} if "contact" in people else {})}).set_index("คุณอำนวย")
    return [("คุณอำนวยรายโครงการ", f"คุณอำนวยที่สนับสนุนแต่ละโครงการได้ (ทักษะตรงด้านและดูแลพื้นที่ของโครงการ) "
             f"{plan.years_label()}".strip(), projects),
            ("คุณอำนวย", "โครงการที่คุณอำนวยแต่ละคนสนับสนุนได้ และหมู่บ้านเป้าหมายของโครงการเหล่านั้นในพื้นที่ที่ดูแล",
             facilitators)]
