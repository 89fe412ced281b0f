"""The README's Python examples run as written, so the README cannot drift from the API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from planmap_gis import demo

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), flags=re.S)


def test_the_readme_has_python_examples():
    assert len(BLOCKS) >= 2


@pytest.fixture(scope="module")
def after_demo(tmp_path_factory):
    """A folder as `planmap demo` leaves it: the demo's sheets in planmap_demo/sheets."""
    folder = tmp_path_factory.mktemp("user")
    demo.write_demo_sheets(demo.load(), folder / "planmap_demo" / "sheets")
    return folder


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_readme_python_block_runs_as_written(number, after_demo, monkeypatch, no_reference):
    monkeypatch.chdir(after_demo)
    namespace: dict[str, object] = {"__name__": f"readme_block_{number}"}
    exec(compile(BLOCKS[number], f"README.md python block {number + 1}", "exec"), namespace)
    if "amphoe" in namespace and "plan" in namespace:  # the Python API example
        assert len(namespace["tambons"]) == 170 and len(namespace["amphoe"]) == 23
        assert len(namespace["projects"]) == 300
        assert (after_demo / "planmap_demo" / "my_map.html").is_file()
