"""The print side: page grid (``layout``), map furniture (``elements``), the map pages (``maps``),
need and change pages (``themes``) and the amphoe project sheets (``sheets``).

:mod:`planmap_gis.draw.printed.atlas` is the public face: ``atlas``, ``district_map``, ``overview_map``,
``needs_map``.
"""
