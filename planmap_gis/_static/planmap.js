/* planmap-gis web map helpers. Every piece of text from the data is put into the
   page with textContent, never as HTML, so names from spreadsheets cannot inject
   markup or script. */
(function () {
  "use strict";
  var planmap = { layers: {}, projectGroups: [], projects: [] };

  /* Lines of text as a DOM block; the first line is the heading. */
  planmap.text = function (lines) {
    var box = document.createElement("div");
    box.className = "planmap-text";
    (lines || []).forEach(function (line, i) {
      var row = document.createElement(i === 0 ? "strong" : "div");
      row.textContent = line;
      box.appendChild(row);
    });
    return box;
  };

  /* A unit's name: its own name and, when it has one, its parent's (tambon → amphoe). */
  planmap.unitName = function (d, i) {
    return d.p && d.p[i] >= 0 ? d.n[i] + d.sep + d.pn[d.p[i]] : d.n[i];
  };

  /* Coordinates are integers of 1e-5 degree, each the difference from the previous one. */
  function ring(a) {
    var out = [], x = 0, y = 0;
    for (var i = 0; i < a.length; i += 2) {
      x += a[i]; y += a[i + 1];
      out.push([x / 1e5, y / 1e5]);
    }
    return out;
  }
  function geometry(g) {
    if (g === null) return null;
    switch (g[0]) {
      case "Pt": return { type: "Point", coordinates: ring(g[1])[0] };
      case "L": return { type: "LineString", coordinates: ring(g[1]) };
      case "ML": return { type: "MultiLineString", coordinates: g[1].map(ring) };
      case "P": return { type: "Polygon", coordinates: g[1].map(ring) };
      case "MP": return { type: "MultiPolygon", coordinates: g[1].map(function (p) { return p.map(ring); }) };
    }
    return null;
  }

  /* A choropleth or overlay layer from compact data:
     g geometries, k class per feature (-1 = no data), col class colours, nd no-data colour,
     tt tooltip lines, pp popup lines, pj project indices (into planmap.projects), st stroke. */
  planmap.geoLayer = function (d, name) {
    var features = [];
    d.g.forEach(function (g, i) {
      var geom = geometry(g);
      if (geom) features.push({ type: "Feature", properties: { i: i }, geometry: geom });
    });
    var st = d.st || {};
    var layer = L.geoJson({ type: "FeatureCollection", features: features }, {
      style: function (f) {
        var k = d.k ? d.k[f.properties.i] : 0;
        var fill = d.col ? (k < 0 ? d.nd : d.col[k]) : (st.fill || "none");
        return {
          fillColor: fill, fillOpacity: st.fillOpacity === undefined ? 0.78 : st.fillOpacity,
          color: st.color || "#555555", weight: st.weight === undefined ? 0.4 : st.weight,
          opacity: st.opacity === undefined ? 0.9 : st.opacity, dashArray: k < 0 ? "2 3" : null
        };
      },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: st.radius || 6 });
      },
      onEachFeature: function (f, l) {
        var i = f.properties.i;
        if (d.tt) {
          l.bindTooltip(function () { return planmap.text(d.tt[i]); }, { sticky: true });
        } else if (d.n) {
          l.bindTooltip(function () {
            var v = d.vt[i];
            return planmap.text([planmap.unitName(d, i) + " (" + d.c[i] + ")",
                                 d.label + ": " + (v === null ? d.noData : v + (d.unit ? " " + d.unit : ""))]);
          }, { sticky: true });
        }
        if (d.pp) {
          l.bindPopup(function () {
            var lines = d.pp[i].slice();
            var list = d.pj ? d.pj[i] : null;
            if (list) {
              lines.push(d.pjTitle + " (" + list.length + ")");
              list.forEach(function (j) { lines.push("• " + planmap.projects[j]); });
            }
            return planmap.text(lines);
          }, { maxHeight: 320, maxWidth: 420 });
        }
        l.planmapIndex = i;
      }
    });
    layer.planmapData = d;
    planmap.layers[name] = layer;
    return layer;
  };

  /* Project points clustered, lines and polygons as they are; keeps every feature for filtering. */
  planmap.projectLayer = function (d, name) {
    var shapes = planmap.geoLayer(d, name + " (shapes)");
    var group = d.cluster ? L.markerClusterGroup({ maxClusterRadius: 40 }) : L.featureGroup();
    var all = [];
    shapes.eachLayer(function (l) { all.push(l); });
    all.forEach(function (l) { group.addLayer(l); });
    group.planmapAll = all;
    group.planmapData = d;
    planmap.layers[name] = group;
    planmap.projectGroups.push(group);
    return group;
  };

  /* Show only projects matching every chosen value (tier, agency, fiscal year). */
  planmap.applyFilters = function (choice) {
    planmap.projectGroups.forEach(function (group) {
      var d = group.planmapData;
      group.clearLayers();
      group.planmapAll.forEach(function (l) {
        var i = l.planmapIndex, ok = true;
        Object.keys(choice).forEach(function (key) {
          if (choice[key] !== "" && String(d.attr[key][i]) !== choice[key]) ok = false;
        });
        if (ok) group.addLayer(l);
      });
    });
  };

  planmap.filterControl = function (map, spec) {
    var control = L.control({ position: "topright" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "planmap-box planmap-filters");
      L.DomEvent.disableClickPropagation(box);
      var title = document.createElement("strong");
      title.textContent = spec.title;
      box.appendChild(title);
      var selects = {};
      spec.fields.forEach(function (field) {
        var label = document.createElement("label");
        label.textContent = field.label + " ";
        var select = document.createElement("select");
        select.setAttribute("data-field", field.key);
        var all = document.createElement("option");
        all.value = ""; all.textContent = spec.all;
        select.appendChild(all);
        field.values.forEach(function (v) {
          var o = document.createElement("option");
          o.value = String(v); o.textContent = String(v);
          select.appendChild(o);
        });
        select.addEventListener("change", function () {
          var choice = {};
          Object.keys(selects).forEach(function (k) { choice[k] = selects[k].value; });
          planmap.applyFilters(choice);
        });
        selects[field.key] = select;
        label.appendChild(select);
        box.appendChild(label);
      });
      return box;
    };
    control.addTo(map);
    return control;
  };

  /* Legend of one layer, shown while the layer is on the map. */
  planmap.legend = function (map, layer, spec) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "planmap-box planmap-legend");
      var title = document.createElement("strong");
      title.textContent = spec.title;
      box.appendChild(title);
      if (spec.unit) {
        var unit = document.createElement("div");
        unit.className = "planmap-unit"; unit.textContent = spec.unit;
        box.appendChild(unit);
      }
      spec.rows.forEach(function (row) {
        var line = document.createElement("div");
        var swatch = document.createElement("span");
        swatch.className = "planmap-swatch" + (row.nodata ? " planmap-nodata" : "");
        swatch.style.background = row.color;
        line.appendChild(swatch);
        line.appendChild(document.createTextNode(row.label));
        box.appendChild(line);
      });
      return box;
    };
    function sync() {
      if (!layer || map.hasLayer(layer)) { if (!control._map) control.addTo(map); }
      else if (control._map) { control.remove(); }
    }
    map.on("overlayadd overlayremove layeradd layerremove", sync);
    sync();
    return control;
  };

  /* Permanent text labels (e.g. amphoe names) at given points. */
  planmap.labels = function (points, cls) {
    var group = L.layerGroup();
    points.forEach(function (p) {
      var span = document.createElement("span");
      span.textContent = p[2];
      L.tooltip({ permanent: true, direction: "center", className: cls, interactive: false })
        .setLatLng([p[1] / 1e5, p[0] / 1e5]).setContent(span).addTo(group);
    });
    return group;
  };

  planmap.titleBox = function (map, lines) {
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      var box = planmap.text(lines);
      box.className = "planmap-box planmap-title";
      return box;
    };
    control.addTo(map);
  };

  window.planmap = planmap;
})();
