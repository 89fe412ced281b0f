"""Why a proposal is out of the suggested set, and how the set holds when the weights move."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from planmap_gis.measure import portfolio

__all__ = ["left_out_reasons", "stability_table"]

#: How far each weight moves in the stability check.
VARIATIONS = (0.5, 1.5)
_TINY = 1e-9


def stability_table(c: portfolio.Candidates, caps: Mapping[object, float], weights: Mapping[str, float],
                    chosen: np.ndarray, ids: pd.Series, *, time_limit: float) -> tuple[pd.DataFrame, np.ndarray]:
    """The set solved again with each weight × 0.5 and × 1.5.

    Returns
    -------
    (DataFrame, ndarray)
        One row per variation (``weight``, ``factor``, ``value``, ``n_chosen``, ``same_set``, ``added``,
        ``dropped``), and per proposal the number of variations whose set holds it.
    """
    ids = ids.to_numpy()
    rows, held = [], np.zeros(c.n, dtype=int)
    for name in portfolio.WEIGHTS:
        for factor in VARIATIONS:
            moved = {**weights, name: weights[name] * factor}
            other = portfolio.solve(c, caps, moved, time_limit=time_limit)["chosen"]
            held += other
            rows.append({"weight": name, "factor": factor, "value": portfolio.value(c, other, moved),
                         "n_chosen": int(other.sum()), "same_set": bool((other == chosen).all()),
                         "added": "; ".join(ids[other & ~chosen]), "dropped": "; ".join(ids[chosen & ~other])})
    return pd.DataFrame(rows), held


def _money(x: float) -> str:
    return f"{x:,.0f}"


def left_out_reasons(c: portfolio.Candidates, caps: Mapping[object, float], weights: Mapping[str, float],
                     chosen: np.ndarray, added: np.ndarray, parts: pd.DataFrame,
                     ids: pd.Series) -> tuple[list[str], list[str]]:
    """Why each proposal left out of the set is out (Thai, English); "" for the chosen ones.

    In order: no budget; dearer than its whole cap; worth nothing alone (repeats named, or no gap
    reached); the chosen proposals already reach its villages; else over the budget left.
    """
    ids = ids.to_numpy()
    money = np.nan_to_num(c.budget, nan=0.0)
    left = portfolio.remaining(c, chosen, caps)
    whole = portfolio.cap_rows(c, caps)
    overlap = (c.reach @ c.reach.T + c.closes @ c.closes.T).tocsr()
    th, en = [], []
    for i in range(c.n):
        if chosen[i]:
            th.append("")
            en.append("")
            continue
        alone = portfolio.value(c, np.eye(1, c.n, i, dtype=bool)[0], weights)
        over_whole = [(name, cap) for name, members, cap in whole if members[i] and money[i] > cap]
        over_left = [(name, rest) for name, members, rest in left if members[i] and money[i] > rest + 1e-6]
        row = parts.iloc[i]
        if money[i] <= 0:
            th.append("ไม่ได้ระบุงบประมาณ")
            en.append("no budget given")
        elif over_whole:
            name, cap = over_whole[0]
            th.append(f"งบ {_money(money[i])} บาท มากกว่าวงเงินทั้งหมดของ{name.replace('layer', 'ชั้นงบ')} "
                      f"({_money(cap)} บาท)")
            en.append(f"costs {_money(money[i])} THB, more than the whole cap of {name} ({_money(cap)} THB)")
        elif alone <= _TINY:
            repeats = row.get("repeats_projects", "") or row.get("repeats_proposals", "")
            if c.repeat[i] > 0 and repeats:
                first = "; ".join(repeats.split("; ")[:2])
                th.append(f"ซ้ำกับ {first}")
                en.append(f"repeats {first}")
            else:
                th.append("ไม่ถึงหมู่บ้านที่ยังไม่มีโครงการหรือที่ได้ต่ำกว่าส่วนที่ควรได้")
                en.append("reaches no untargeted village and no village below its fair share")
        elif added[i] <= _TINY:
            start, end = overlap.indptr[i], overlap.indptr[i + 1]
            others = [j for j in overlap.indices[start:end] if chosen[j] and j != i]
            named = "; ".join(ids[others[:3]]) or "the set"
            th.append(f"{named} ในชุดที่เสนอถึงหมู่บ้านเดียวกันแล้ว")
            en.append(f"{named} in the set already reach its villages")
        elif over_left:
            name, rest = over_left[0]
            th.append(f"เกินวงเงิน: {name.replace('layer', 'ชั้นงบ')} เหลือ {_money(rest)} บาท ข้อเสนอนี้ใช้ "
                      f"{_money(money[i])} บาท")
            en.append(f"over budget: {name} has {_money(rest)} THB left, it costs {_money(money[i])} THB")
        else:  # fits and adds value, yet a better set leaves it out (only past the solver's time limit)
            th.append("ชุดที่ไม่มีข้อเสนอนี้ได้ประโยชน์มากกว่า")
            en.append("a set without it reaches more need")
    return th, en
