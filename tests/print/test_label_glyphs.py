"""Map labels with a white halo are drawn as glyph outlines; they must look the same
whether or not the PDF's text is made searchable glyph by glyph."""

from __future__ import annotations

import os
import shutil
import subprocess

import numpy as np
import pytest
from matplotlib import patheffects
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from PIL import Image

from planmap_gis.draw.printed import fonts as _fonts

if shutil.which("pdftoppm") is None:
    if os.environ.get("CI"):
        pytest.fail("CI needs poppler-utils (pdftoppm): run `make test`.", pytrace=False)
    pytest.skip("poppler-utils missing: run `make test`.", allow_module_level=True)

LABELS = ("อ.ทุ่งสง", "ต.ท่างิ้ว", "ขาด: เศรษฐกิจชุมชน", "นครศรีธรรมราช")


def _label_page(path, *, searchable: bool):
    fig = Figure(figsize=(4, 2))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    for i, text in enumerate(LABELS):
        label = ax.text(0.05, 0.85 - 0.22 * i, text, fontsize=14, family=_fonts.thai_family())
        label.set_path_effects([patheffects.withStroke(linewidth=2.2, foreground="white")])
    if searchable:
        with _fonts.searchable_thai(), PdfPages(path) as pdf:
            pdf.savefig(fig)
    else:
        with PdfPages(path) as pdf:
            pdf.savefig(fig)
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", str(path), str(path.with_suffix(""))],
                   check=True)
    return np.asarray(Image.open(path.with_suffix(".png")).convert("L"), dtype=int)


def test_halo_labels_keep_their_glyphs_when_text_is_searchable(tmp_path):
    plain = _label_page(tmp_path / "plain.pdf", searchable=False)
    searchable = _label_page(tmp_path / "searchable.pdf", searchable=True)
    assert (plain < 128).sum() > 500  # the labels are there at all
    differing = (np.abs(plain - searchable) > 64).sum()
    assert differing == 0, f"{differing} pixels differ: halo labels change glyphs under searchable_thai"
