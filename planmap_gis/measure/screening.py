"""Screening proposals against the plan: what each repeats, which gap it fills, whom it reaches and
what it would do to equity if it were added alone. The rules (README, "Screening proposals"):

* A proposal **reaches** the villages it *targets* (:func:`~planmap_gis.measure.metrics.targeted`:
  not through a whole province or amphoe, not a sliver); its **baht** are every allocation row's.
* **Repeats**: a village it reaches where an existing project — or another proposal — of the same
  sector and fiscal year already works (any agency: a proposal that re-submits an agency's running
  work repeats it too; ``duplicates_created`` counts the villages where another agency's work makes
  it a duplication under :func:`~planmap_gis.measure.metrics.duplicated`). The names' similarity
  (rapidfuzz ``token_set_ratio``, 0–100) of the most similar repeated project is shown beside it and
  never decides anything.
* **Fills a gap**: the share of its baht going to villages no project targets, to villages below
  their fair share of its budget layer, or to villages whose master plan ranks its sector among
  their top needs with no project meeting it (``gap_share``, each kind also alone);
  ``gap_closed_thb``: Σ over villages of min(its baht, the village's shortfall in its layer), with
  today's fair shares.
* **Who it reaches**: the need it reaches (households in need), the household-weighted mean
  strength index of its villages, the facilitators with its sector who serve them.
* **Equity effect** if added alone: the change of the concentration index of budget per household
  ranked by strength (negative = more to weaker communities) and of the money that would have to
  move to reach fair shares (:func:`~planmap_gis.measure.need.money_to_move`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from planmap_gis._schema import (
    AGENCY,
    BUDGET,
    BUDGET_LAYER,
    FISCAL_YEAR,
    HOUSEHOLDS,
    NAME_TH,
    PROJECT_ID,
    SECTOR,
    STRENGTH,
    VILLAGE_CODE,
)
from planmap_gis.measure.duplication import DUPLICATION_AGENCIES
from planmap_gis.measure.metrics import no_project, targeted
from planmap_gis.measure.need import NEED, money_to_move
from planmap_gis.read.masterplan import sector_key

__all__ = ["LITTLE", "MOSTLY", "VERDICTS", "proposal_parts", "repeat_pairs", "repetition", "verdicts", "work_rows"]

#: A share from which a part decides the verdict ("mostly"), and below which it counts as none.
MOSTLY = 0.5
LITTLE = 0.1
#: Verdict key → (Thai, English), in the order a room reads them.
VERDICTS: dict[str, tuple[str, str]] = {
    "fills_gap": ("เติมช่องว่าง", "fills a gap"),
    "mixed": ("ผสม (ทั้งเติมช่องว่างและซ้ำ)", "mixed"),
    "repeats": ("ซ้ำกับงานที่มีอยู่", "repeats"),
    "outside": ("อยู่นอกความจำเป็นของจังหวัด", "outside the province's needs"),
    "undecided": ("ข้อมูลไม่พอตัดสิน", "not enough data to judge"),
}
_YEAR_BLANK = -1


def work_rows(allocation: pd.DataFrame, projects: pd.DataFrame, source: str) -> pd.DataFrame:
    """Targeted (project, village) rows with sector key (None when blank), year (blank = a year of its own)
    and agency."""
    # As text: these rows are put together with other allocations' (the plan's and the proposals'),
    # whose categoricals hold other ids.
    rows = targeted(allocation)[[PROJECT_ID, VILLAGE_CODE]].astype("str")
    info = pd.DataFrame(projects).drop_duplicates(PROJECT_ID).set_index(PROJECT_ID)
    out = rows.assign(sector=rows[PROJECT_ID].map(info[SECTOR].map(sector_key)),
                      year=rows[PROJECT_ID].map(info[FISCAL_YEAR]).astype("Float64").fillna(_YEAR_BLANK),
                      agency=rows[PROJECT_ID].map(info[AGENCY]), source=source)
    return out.drop_duplicates([PROJECT_ID, VILLAGE_CODE])  # rows without a sector reach, never repeat


def repeat_pairs(mine: pd.DataFrame, existing: pd.DataFrame) -> pd.DataFrame:
    """(proposal, village, other project or proposal) where the other works in the same village, sector
    and fiscal year: the repetition rule. ``source_other`` says "project" or "proposal"."""
    keys = [VILLAGE_CODE, "sector", "year"]
    pairs = mine.dropna(subset=["sector"]).merge(existing.dropna(subset=["sector"]), on=keys, suffixes=("", "_other"))
    return pairs[pairs[PROJECT_ID] != pairs[f"{PROJECT_ID}_other"]]


def repetition(allocation: pd.DataFrame, proposals: pd.DataFrame, plan_allocation: pd.DataFrame,
               projects: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The proposals' targeted work (:func:`work_rows`) and its :func:`repeat_pairs` against the plan's
    projects and the other proposals: computed once, read by the parts and by the suggested set."""
    mine = work_rows(allocation, proposals, "proposal")
    existing = pd.concat([work_rows(plan_allocation, projects, "project"), mine], ignore_index=True)
    return mine, repeat_pairs(mine, existing)


def _repeats(mine: pd.DataFrame, pairs: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Per proposal: the repeated work (existing projects and other proposals) in its villages."""
    out = pd.DataFrame(index=pd.Index(mine[PROJECT_ID].unique(), name=PROJECT_ID))
    if pairs.empty:
        return out.assign(n_villages_repeated=0, duplicates_created=0, repeats_projects="", repeats_proposals="",
                          repeats_agencies="", name_similarity=np.nan, most_similar="")
    grouped = pairs.groupby(PROJECT_ID)
    other_agency = pairs[pairs["agency_other"] != pairs["agency"]]
    # The duplication rule: a village and sector-year holding DUPLICATION_AGENCIES agencies or more.
    created = (other_agency.groupby([PROJECT_ID, VILLAGE_CODE])["agency_other"].nunique()
               >= DUPLICATION_AGENCIES - 1).groupby(level=0).sum()

    def listed(source: str) -> pd.Series:
        part = pairs[pairs["source_other"] == source]
        counts = part.groupby([PROJECT_ID, f"{PROJECT_ID}_other"])[VILLAGE_CODE].nunique()
        counts = counts.sort_values(ascending=False, kind="stable")
        return counts.groupby(level=0).apply(
            lambda s: "; ".join(f"{other} ({n})" for (_, other), n in s.items()))

    best = {}
    for pid, others in grouped[f"{PROJECT_ID}_other"]:
        scored = [(fuzz.token_set_ratio(names.get(pid, ""), names.get(o, "")), o) for o in sorted(set(others))]
        best[pid] = max(scored, key=lambda t: (t[0], t[1] == min(o for _, o in scored)))
    out["n_villages_repeated"] = grouped[VILLAGE_CODE].nunique().reindex(out.index).fillna(0).astype(int)
    out["duplicates_created"] = created.reindex(out.index).fillna(0).astype(int)
    out["repeats_projects"] = listed("project").astype(object).reindex(out.index).fillna("")
    out["repeats_proposals"] = listed("proposal").astype(object).reindex(out.index).fillna("")
    out["repeats_agencies"] = grouped["agency_other"].agg(
        lambda s: "; ".join(sorted(set(s.dropna().astype(str))))).reindex(out.index).fillna("")
    out["name_similarity"] = pd.Series({k: float(v[0]) for k, v in best.items()}).reindex(out.index)
    out["most_similar"] = pd.Series({k: v[1] for k, v in best.items()}).reindex(out.index).fillna("")
    return out


def _top_needs(needs: pd.DataFrame | None) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(unit code, sector) of the unmet top needs: village-level and tambon-level."""
    if needs is None or needs.empty:
        return set(), set()
    unmet = needs[~needs["met"].astype(bool)]
    village = unmet[unmet["level"] == "village"]
    tambon = unmet[unmet["level"] != "village"]
    return (set(zip(village["unit_code"].astype(str), village[SECTOR], strict=True)),
            set(zip(tambon["unit_code"].astype(str).str[:6], tambon[SECTOR], strict=True)))


def _concentration_terms(village: pd.DataFrame, strength: pd.Series) -> tuple[pd.Series, float, float, int]:
    """Fractional rank by strength (ties share their mean rank) of the villages the equity figures use
    (households > 0 and a strength index), with Σ y·R and Σ y of budget per household."""
    hh = pd.to_numeric(village[HOUSEHOLDS], errors="coerce")
    s = strength.reindex(village.index)
    usable = (hh > 0) & s.notna()
    y = (village[BUDGET].fillna(0.0) / hh)[usable]
    level = s[usable].astype(float)
    counts = level.value_counts().sort_index()
    below = counts.cumsum() - counts / 2
    n = int(usable.sum())
    rank = level.map(below / n) if n else level
    return rank, float((y * rank).sum()), float(y.sum()), n


def _concentration(sum_yr: float, sum_y: float, n: int) -> float:
    """C = 2 cov(y, R) / mean(y) with the ranks' own mean ½ (as :func:`~planmap_gis.concentration_index`)."""
    if n == 0 or sum_y <= 0:
        return float("nan")
    return 2 * (sum_yr / n - sum_y / n * 0.5) / (sum_y / n)


def proposal_parts(
    proposals: pd.DataFrame,
    allocation: pd.DataFrame,
    *,
    projects: pd.DataFrame,
    plan_allocation: pd.DataFrame,
    village: pd.DataFrame,
    strength: pd.Series | None = None,
    needs: pd.DataFrame | None = None,
    support: pd.DataFrame | None = None,
    work: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """The named parts of each proposal (see the module's rules).

    Parameters
    ----------
    proposals : DataFrame
        Canonical project table of the proposals.
    allocation : DataFrame
        The proposals' allocation over the plan's villages (:func:`~planmap_gis.allocate`).
    projects, plan_allocation : DataFrame
        The plan's projects and allocation.
    village : DataFrame
        The plan's village coverage table (``plan.metrics["village"]``), indexed by village code.
    strength : Series, optional
        Strength index (0–100) by village code.
    needs : DataFrame, optional
        The plan's considered master-plan needs (``plan.needs``).
    support : DataFrame, optional
        :func:`~planmap_gis.match_facilitators` ``project`` table of the proposals.
    work : (DataFrame, DataFrame), optional
        :func:`repetition` of these proposals, when the caller has it already.

    Returns
    -------
    DataFrame
        Aligned to ``proposals`` (its index): ``n_villages`` reached, repeats
        (``n_villages_repeated``, ``repeat_share``, ``duplicates_created``, ``repeats_projects``,
        ``repeats_proposals`` — ids with the villages shared —, ``repeats_agencies``,
        ``name_similarity``, ``most_similar``), gaps (``placed_thb``, ``untargeted_share``,
        ``below_fair_share``, ``top_need_share``, ``gap_share`` — shares 0–1 of ``placed_thb`` —,
        ``gap_closed_thb``, ``n_top_need_villages``), reach (``need_reached`` households in need,
        ``mean_strength``, ``facilitators``, ``n_villages_supported``) and equity
        (``concentration_change``, ``money_to_move_change`` THB).
    """
    ids = proposals[PROJECT_ID].astype(str)
    index = pd.Index(ids, name=PROJECT_ID)
    names = {**dict(zip(pd.DataFrame(projects)[PROJECT_ID].astype(str), pd.DataFrame(projects)[NAME_TH].astype(str),
                        strict=True)), **dict(zip(ids, proposals[NAME_TH].astype(str), strict=True))}
    mine, pairs = work if work is not None else repetition(allocation, proposals, plan_allocation, projects)
    out = pd.DataFrame(index=index)
    reached = mine.groupby(PROJECT_ID)[VILLAGE_CODE].nunique()
    out["n_villages"] = reached.reindex(index).fillna(0).astype(int)
    out = out.join(_repeats(mine, pairs, names).reindex(index))
    out["n_villages_repeated"] = out["n_villages_repeated"].fillna(0).astype(int)
    out["duplicates_created"] = out["duplicates_created"].fillna(0).astype(int)
    for col in ("repeats_projects", "repeats_proposals", "repeats_agencies", "most_similar"):
        out[col] = out[col].astype(object).fillna("")
    out["repeat_share"] = (out["n_villages_repeated"] / out["n_villages"].where(out["n_villages"] > 0)).fillna(0.0)

    # Baht: every allocation row, targeted or not (a province-wide proposal's money lands too).
    layer_of = proposals.set_index(ids.to_numpy())[BUDGET_LAYER]
    sector_of = proposals.set_index(ids.to_numpy())[SECTOR].map(sector_key)
    rows = allocation[[PROJECT_ID, VILLAGE_CODE, BUDGET]].copy()
    rows[[PROJECT_ID, VILLAGE_CODE]] = rows[[PROJECT_ID, VILLAGE_CODE]].astype("str")
    rows = rows[rows[VILLAGE_CODE].isin(village.index)]
    baht = rows[BUDGET].fillna(0.0).to_numpy()
    v = rows[VILLAGE_CODE].to_numpy()
    layer = rows[PROJECT_ID].map(layer_of).to_numpy()
    untargeted = no_project(village).reindex(v).to_numpy()
    shortfall = np.zeros(len(rows))
    for k in (1, 2, 3, 4):
        col = f"gap_layer_{k}"
        if col in village:
            gap = (-village[col]).clip(lower=0).fillna(0.0).reindex(v).to_numpy()
            shortfall = np.where(layer == k, gap, shortfall)
    below = shortfall > 0
    village_needs, tambon_needs = _top_needs(needs)
    sectors = rows[PROJECT_ID].map(sector_of).to_numpy()
    top = np.array([(code, s) in village_needs or (code[:6], s) in tambon_needs
                    for code, s in zip(v, sectors, strict=True)], dtype=bool)
    frame = pd.DataFrame({PROJECT_ID: rows[PROJECT_ID].to_numpy(), "baht": baht,
                          "untargeted": baht * untargeted, "below": baht * below, "top": baht * top,
                          "gap": baht * (untargeted | below | top), "closed": np.minimum(baht, shortfall), "village": v,
                          "top_village": np.where(top, v, None)})
    sums = frame.groupby(PROJECT_ID).agg(placed_thb=("baht", "sum"), untargeted=("untargeted", "sum"),
                                         below=("below", "sum"), top=("top", "sum"), gap=("gap", "sum"),
                                         gap_closed_thb=("closed", "sum"),
                                         n_top_need_villages=("top_village", "nunique")).reindex(index)
    placed = sums["placed_thb"].where(sums["placed_thb"] > 0)
    out["placed_thb"] = sums["placed_thb"].fillna(0.0)
    for name, col in (("untargeted_share", "untargeted"), ("below_fair_share", "below"),
                      ("top_need_share", "top"), ("gap_share", "gap")):
        out[name] = (sums[col] / placed).fillna(0.0)
    out["gap_closed_thb"] = sums["gap_closed_thb"].fillna(0.0)
    out["n_top_need_villages"] = sums["n_top_need_villages"].fillna(0).astype(int)
    if needs is None:
        out["top_need_share"] = np.nan  # no master plans: not known, not 0
    if "fair_share_gap" not in village or village["fair_share_gap"].isna().all():
        out[["below_fair_share", "gap_closed_thb"]] = np.nan  # no need on record: no fair shares to be below

    # Who it reaches.
    need = village[NEED] if NEED in village else pd.Series(np.nan, index=village.index)
    hh = pd.to_numeric(village[HOUSEHOLDS], errors="coerce")
    reach = mine.assign(need=mine[VILLAGE_CODE].map(need), hh=mine[VILLAGE_CODE].map(hh))
    out["need_reached"] = reach.groupby(PROJECT_ID)["need"].sum(min_count=1).reindex(index)
    if strength is not None:
        reach = reach.assign(s=reach[VILLAGE_CODE].map(strength), w=lambda f: f["hh"].where(f["s"].notna()))
        weighted = (reach["s"] * reach["w"]).groupby(reach[PROJECT_ID]).sum(min_count=1)
        out["mean_strength"] = (weighted / reach.groupby(PROJECT_ID)["w"].sum(min_count=1).replace(0, np.nan)
                                ).reindex(index)
    else:
        out["mean_strength"] = np.nan
    if support is not None:
        sup = support.copy()
        sup.index = sup.index.astype(str)
        out["facilitators"] = sup["facilitators"].reindex(index).fillna("")
        out["n_villages_supported"] = sup["n_villages_supported"].reindex(index).fillna(0).astype(int)
    out = out.join(_equity_effect(frame, village, strength).reindex(index))
    out.index = proposals.index
    return out


def _equity_effect(frame: pd.DataFrame, village: pd.DataFrame, strength: pd.Series | None) -> pd.DataFrame:
    """Change of the concentration index and of the money to move, each proposal added alone.

    The concentration index is linear in the sums Σ y·R and Σ y (ranks depend on strength only), so a
    proposal's change needs only its own villages; the fair shares of its layer all grow by its baht
    placed in the pool × each village's need share, so the new gaps are
    ``gap − placed_in_pool × need_share + its baht``.
    """
    ids = pd.Index(frame[PROJECT_ID].unique(), name=PROJECT_ID)
    out = pd.DataFrame({"concentration_change": np.nan, "money_to_move_change": np.nan}, index=ids)
    hh = pd.to_numeric(village[HOUSEHOLDS], errors="coerce")
    if strength is not None and strength.notna().any():
        rank, sum_yr, sum_y, n = _concentration_terms(village, strength)
        before = _concentration(sum_yr, sum_y, n)
        usable = frame["village"].isin(rank.index)
        part = frame[usable]
        dy = part["baht"] / part["village"].map(hh)
        d_sum = dy.groupby(part[PROJECT_ID]).sum()
        d_yr = (dy * part["village"].map(rank)).groupby(part[PROJECT_ID]).sum()
        after = pd.Series({pid: _concentration(sum_yr + d_yr[pid], sum_y + d_sum[pid], n) for pid in d_sum.index},
                          dtype=float)
        out["concentration_change"] = (after - before).reindex(ids).fillna(0.0 if np.isfinite(before) else np.nan)
    if "fair_share_gap" in village and village["fair_share_gap"].notna().any():
        pool = village["fair_share_gap"].notna()
        gap = village["fair_share_gap"][pool]
        share = village["need_share"][pool].fillna(0.0).to_numpy()
        position = pd.Series(np.arange(len(gap)), index=gap.index)
        before = money_to_move(gap)
        base = gap.to_numpy()
        inside = frame[frame["village"].isin(gap.index)]
        for pid, rows in inside.groupby(PROJECT_ID):
            new = base - rows["baht"].sum() * share
            np.add.at(new, position[rows["village"]].to_numpy(), rows["baht"].to_numpy())
            out.loc[pid, "money_to_move_change"] = money_to_move(new) - before
        out["money_to_move_change"] = out["money_to_move_change"].fillna(0.0)
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _ids(text: str, n: int = 2) -> str:
    """The first ``n`` ids of a "P-1 (3); P-2 (1)" list, with how many more."""
    items = [t for t in text.split("; ") if t]
    more = len(items) - n
    return "; ".join(items[:n]) + (f" +{more}" if more > 0 else "")


def verdicts(parts: pd.DataFrame) -> pd.DataFrame:
    """A verdict and its two or three reasons for each proposal, from :func:`proposal_parts`.

    The rule, in order: a proposal that reaches no village of the plan is *outside*; one that
    repeats work in :data:`MOSTLY` (half) or more of its villages *repeats*; one with MOSTLY or more of
    its baht in gaps and repetition in under :data:`LITTLE` (a tenth) of its villages *fills a gap*;
    one with under LITTLE of each is *outside the province's needs* — or, when the plan has no fair
    shares (no need on record), *not enough data to judge*; every other is *mixed* (partly repeats,
    or fills a gap with less than half of its money).

    Returns
    -------
    DataFrame
        Aligned to ``parts``: ``verdict`` (key of :data:`VERDICTS`), ``verdict_th``, ``verdict_en``,
        ``reasons_th`` and ``reasons_en`` (" · " between reasons).
    """
    rep, gap = parts["repeat_share"], parts["gap_share"]
    placed = (parts["n_villages"] > 0) | (parts["placed_thb"] > 0)
    fair_known = parts["below_fair_share"].notna()
    little = (gap < LITTLE) & (rep < LITTLE)
    verdict = np.select(
        [~placed, rep >= MOSTLY, (gap >= MOSTLY) & (rep < LITTLE), little & fair_known, little],
        ["outside", "repeats", "fills_gap", "outside", "undecided"], default="mixed")
    th, en = [], []
    for (_, row), key, is_placed in zip(parts.iterrows(), verdict, placed, strict=True):
        reasons = _reasons(row, key, bool(is_placed))
        th.append(" · ".join(r[0] for r in reasons))
        en.append(" · ".join(r[1] for r in reasons))
    return pd.DataFrame({"verdict": verdict, "verdict_th": [VERDICTS[k][0] for k in verdict],
                         "verdict_en": [VERDICTS[k][1] for k in verdict], "reasons_th": th, "reasons_en": en},
                        index=parts.index)


def _reasons(row: pd.Series, key: str, placed: bool) -> list[tuple[str, str]]:
    """Two or three (Thai, English) reasons, the verdict's own first."""
    if not placed:
        return [("ไม่ลงพื้นที่หมู่บ้านใดของแผน", "reaches no village of the plan")]
    out: list[tuple[str, str]] = []
    n, n_rep = int(row["n_villages"]), int(row["n_villages_repeated"])
    if n_rep:
        ids = _ids(row["repeats_projects"] or row["repeats_proposals"])
        similar = (f"; ชื่อคล้าย {row['most_similar']} {row['name_similarity']:.0f}/100"
                   if row["name_similarity"] == row["name_similarity"] and row["name_similarity"] >= 80 else "")
        similar_en = (f"; name {row['name_similarity']:.0f}/100 like {row['most_similar']}" if similar else "")
        out.append((f"ซ้ำกับ {ids} ใน {n_rep} จาก {n} หมู่บ้าน (ด้านและปีเดียวกัน){similar}",
                    f"repeats {ids} in {n_rep} of {n} villages (same sector and year){similar_en}"))
    parts = [(row["untargeted_share"], "หมู่บ้านที่ยังไม่มีโครงการ", "villages no project targets"),
             (row["below_fair_share"], "หมู่บ้านที่ได้ต่ำกว่าส่วนที่ควรได้ในชั้นงบนี้",
              "villages below their fair share in its budget layer")]
    top = row.get("top_need_share")
    if top == top and top is not None:
        parts.append((top, "หมู่บ้านที่แผนชุมชนจัดด้านนี้เป็นความต้องการลำดับต้นที่ยังไม่มีใครตอบ",
                      "villages whose master plan ranks its sector a top need no project meets"))
    for share, th, en in sorted(parts, key=lambda t: -np.nan_to_num(t[0])):
        if share >= LITTLE:
            out.append((f"งบ {_pct(share)} ลง{th}", f"{_pct(share)} of its budget to {en}"))
    if row["below_fair_share"] != row["below_fair_share"]:  # NaN: the plan has no fair shares
        out.append(("ยังไม่มีส่วนที่ควรได้ (ไม่มีข้อมูลความจำเป็น) นับช่องว่างได้เฉพาะหมู่บ้านที่ยังไม่มีโครงการ",
                    "no fair shares (no need on record): only villages without a project count as gaps"))
    elif not out or key == "outside":
        out.append((f"งบลงหมู่บ้านที่ได้ถึงส่วนที่ควรได้แล้ว ({_pct(1 - row['gap_share'])})",
                    f"its budget goes to villages at or above their fair share ({_pct(1 - row['gap_share'])})"))
    if "n_villages_supported" in row and n and int(row["n_villages_supported"]) == 0:
        out.append(("ไม่มีคุณอำนวยด้านนี้ในพื้นที่", "no facilitator with its sector serves its villages"))
    if key == "fills_gap":
        out.sort(key=lambda r: r[1].startswith("repeats"))
    return out[:3]
