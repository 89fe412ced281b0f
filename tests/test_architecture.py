"""The package tree is the pipeline: read → join → measure → plan → draw, each rule defined once.

What the import linter cannot see is checked here by reading the source: imports inside functions,
module sizes, and the rules that must stand in one place only.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import planmap_gis as pm
from planmap_gis._years import years_label

PACKAGE = Path(pm.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))
#: Optional heavy dependencies, imported only when their feature is used (extras `scale`, `postgis`).
LAZY = {"dask", "dask_geopandas", "sqlalchemy", "geoalchemy2"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def test_the_import_layers_hold():
    """lint-imports with the contracts in setup.cfg: one way down the stages, no cycles."""
    command = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    root = PACKAGE.parent
    if not (root / "setup.cfg").exists():
        pytest.skip("installed without its setup.cfg: the contracts live in the source tree")
    done = subprocess.run([command, "--no-cache"], cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "Contracts: 2 kept, 0 broken." in done.stdout


def test_no_import_inside_a_function_but_the_optional_heavy_ones():
    found = []
    for path in MODULES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import):
                        roots = {a.name.split(".")[0] for a in inner.names}
                    elif isinstance(inner, ast.ImportFrom):
                        roots = {(inner.module or "").split(".")[0]}
                    else:
                        continue
                    if not roots <= LAZY:
                        found.append(f"{_name(path)}:{inner.lineno} {ast.unparse(inner)}")
    assert found == []


def test_no_module_over_400_lines():
    long = {_name(p): n for p in MODULES if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}


def _constants(path: Path) -> set[object]:
    return {n.value for n in ast.walk(_tree(path)) if isinstance(n, ast.Constant)}


def test_the_buddhist_era_offset_is_written_once():
    """543 (and 544) appear in the fiscal calendar only; everything else asks _years."""
    where = [_name(p) for p in MODULES if {543, 544} & _constants(p)]
    assert where == ["planmap_gis/_years.py"]


def test_code_lengths_are_written_once():
    """No table of code lengths (2/4/6/8 digits by level) outside _schema."""
    where = []
    for path in MODULES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Dict) and len(node.values) >= 3:
                values = {v.value for v in node.values if isinstance(v, ast.Constant)}
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                if len(values & {2, 4, 6, 8}) >= 3 or len(keys & {2, 4, 6, 8}) >= 3:
                    where.append(_name(path))
    assert sorted(set(where)) == ["planmap_gis/_schema.py"]


def test_money_units_and_number_parsing_are_written_once():
    """Unit words with their factors, and the number parser, live in read/cells."""
    where_units, where_parser = [], []
    for path in MODULES:
        source = path.read_text(encoding="utf-8")
        if '"ล้านบาท": 1e6' in source or "'ล้านบาท': 1e6" in source:
            where_units.append(_name(path))
        tree = _tree(path)
        names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        if names & {"parse_number", "parse_amount"}:
            where_parser.append(_name(path))
    assert where_units == ["planmap_gis/read/cells.py"]
    assert where_parser == ["planmap_gis/read/cells.py"]


def test_the_duplication_and_targeted_rules_are_written_once():
    """Two or more agencies in one unit, sector and year (``duplicated``); no project targets a
    unit (``no_project``): every output and the year comparison call these two."""
    nunique_agencies, targeted_zero = [], []
    for path in MODULES:
        source = path.read_text(encoding="utf-8")
        # The rule's test (`>= DUPLICATION_AGENCIES`) in one place; no agency count redone by hand.
        # (Screening asks whether a proposal would *create* duplication: DUPLICATION_AGENCIES - 1 others.)
        if re.search(r">= DUPLICATION_AGENCIES(?! - 1)", source) or '[AGENCY].transform("nunique")' in source \
                or "per_group >= 2" in source:
            nunique_agencies.append(_name(path))
        for pattern in ('"n_targeted_projects"] == 0', '"n_targeted_projects"] > 0', "N_TARGETED] == 0"):
            if pattern in source:
                targeted_zero.append(_name(path))
    assert nunique_agencies == ["planmap_gis/measure/duplication.py"]
    assert targeted_zero == []


def test_fiscal_years_are_read_from_a_table_in_one_place():
    """'Which years the plan holds' is ``_years.years_held``; no module rebuilds it by hand."""
    where = [_name(p) for p in MODULES if "int(y) for y in" in p.read_text(encoding="utf-8")]
    assert where == ["planmap_gis/_years.py"]


def test_every_error_class_is_in_errors_and_exported():
    defined = {}
    for path in MODULES:
        for node in _tree(path).body:
            if isinstance(node, ast.ClassDef) and any(
                    getattr(b, "id", "").endswith(("Error", "Warning")) for b in node.bases):
                defined[node.name] = _name(path)
    assert set(defined.values()) == {"planmap_gis/_errors.py"}
    assert set(defined) <= set(pm.__all__)


def test_the_old_module_paths_import_and_warn():
    with pytest.warns(FutureWarning, match="planmap_gis.printmap moved to planmap_gis.draw.printed.atlas"):
        from planmap_gis.printmap import atlas  # noqa: F401
    assert atlas is pm.atlas
    with pytest.warns(FutureWarning, match="planmap_gis.facilitators moved"):
        old = pm.facilitators
    assert old.match_facilitators is pm.match_facilitators and old.read_facilitators is pm.read_facilitators
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pm.analyse is pm.plan.analyse  # the stages themselves do not warn


def test_the_old_reader_flag_works_for_one_release(fictional, tmp_path):
    path = tmp_path / "t.gpkg"
    fictional.to_file(path, driver="GPKG")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PlanmapWarning)  # the fictional codes are not DOPA's: said, not news
        tambons, report = pm.read_boundaries(path)
        assert len(tambons) == len(fictional) and report.rows_loaded == len(fictional)
        with pytest.warns(FutureWarning, match="returns \\(frame, report\\)"):
            alone = pm.read_boundaries(path, return_report=False)
    assert len(alone) == len(fictional)


def test_settings_lang_is_honoured(monkeypatch):
    monkeypatch.setattr(pm.settings, "lang", "en")
    assert years_label((2568, 2569)) == "FY 2568–2569"
    monkeypatch.setattr(pm.settings, "lang", "th")
    assert years_label((2568, 2569)) == "ปีงบประมาณ 2568–2569"
