"""The workshop template: one workbook every agency fills, read back strictly.

:func:`template` writes a workbook for one province (optionally one agency and fiscal year):
a how-to sheet (Thai, then English) with one filled example row, a projects sheet with the
canonical headers (English beneath), frozen and protected, whose cells take values from
dropdown lists (tier, budget layer, sector, fiscal year, amphoe → that amphoe's tambon), a whole
หมู่ number, a budget ≥ 0 and coordinates inside the province; and a reference sheet with every
amphoe and tambon of the province (codes and names) and the sectors, layers and tiers with their
meaning. Hidden defined names stamp it (kind, version, province, agency, year), so
:func:`~planmap_gis.read_projects` recognises a returned copy and reads it strictly
(:mod:`planmap_gis.read.template.read`). ``facilitators=True`` writes the facilitator register
template instead (:func:`~planmap_gis.read_facilitators` reads it).

The fields, labels and validations are defined once (:mod:`planmap_gis.read.template.fields`) and
shared by the writer (:mod:`~planmap_gis.read.template.write`, which pre-fills rows with
:mod:`~planmap_gis.read.template.fill`) and the reader.
"""

from planmap_gis.read.template.fields import (
           FACILITATOR_FIELDS,
           PROJECT_FIELDS,
           STAMP,
           TEMPLATE_VERSION,
           Field,
)
from planmap_gis.read.template.read import Stamp, template_stamp
from planmap_gis.read.template.write import template

__all__ = ["FACILITATOR_FIELDS", "PROJECT_FIELDS", "STAMP", "TEMPLATE_VERSION", "Field", "Stamp", "template",
           "template_stamp"]
