"""Open every layer of a GeoPackage with PyQGIS headless and print what QGIS sees, as JSON.

Run by ``tests/test_workspace.py`` with Debian's ``/usr/bin/python3`` (package
``python3-qgis``): ``{layer: [valid, features, sub-layers]}``.
"""

import json
import os
import sqlite3
import sys

from qgis.core import QgsApplication, QgsVectorLayer

app = QgsApplication([], False)
app.initQgis()
path = sys.argv[1]
seen = {}
for (name,) in sqlite3.connect(path).execute("SELECT table_name FROM gpkg_contents"):
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    subs = layer.dataProvider().subLayers() if layer.isValid() else []
    seen[name] = [layer.isValid(), layer.featureCount(), len(subs)]
print(json.dumps(seen), flush=True)
os._exit(0)  # QgsApplication.exitQgis() crashes headless PyQGIS 3.22 on the way out
