"""The analysis result, and the one call that runs the pipeline: read → join → measure.

:class:`Plan` (:mod:`~planmap_gis.plan.result`) is a plain frozen dataclass. The web map, the atlas, the
tables and the workspace all take a ``Plan``; none of them reaches back into the loaders or
recomputes a figure. :func:`analyse` and :func:`reanalyse` (:mod:`~planmap_gis.plan.run`) make one.
"""

from planmap_gis.plan.result import Plan
from planmap_gis.plan.run import analyse, reanalyse

__all__ = ["Plan", "analyse", "reanalyse"]
