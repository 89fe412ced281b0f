/* planmap-gis web map helpers. Every piece of text from the data is put into the
   page with textContent, never as HTML, so names from spreadsheets cannot inject
   markup or script. */
(function () {
  "use strict";
  var planmap = { layers: {}, projectGroups: [], projects: [], popupProjects: 8, titles: {}, yearly: {},
                  legends: {},
                  words: { more: "… and {n} more: show all" } };

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
              list.slice(0, planmap.popupProjects).forEach(function (j) { lines.push("• " + planmap.projects[j]); });
            }
            var box = planmap.text(lines);
            if (list && list.length > planmap.popupProjects) {
              var more = document.createElement("button");
              more.type = "button";
              more.className = "planmap-more";
              more.textContent = planmap.words.more.replace("{n}", list.length - planmap.popupProjects);
              more.addEventListener("click", function () {
                more.remove();
                list.slice(planmap.popupProjects).forEach(function (j) {
                  var row = document.createElement("div");
                  row.textContent = "• " + planmap.projects[j];
                  box.appendChild(row);
                });
              });
              box.appendChild(more);
            }
            return box;
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
  planmap.legend = function (map, layer, spec, name) {
    var control = L.control({ position: "bottomright" });
    if (name) planmap.legends[name] = { control: control, spec: spec };
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "planmap-box planmap-legend");
      if (spec.year) {
        var year = document.createElement("div");
        year.className = "planmap-unit"; year.textContent = spec.year;
        box.appendChild(year);
      }
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

  /* Show every theme that has yearly values for one fiscal year ("" = all years): its own
     classes, colours, tooltips and legend. */
  planmap.setYear = function (map, year, label) {
    Object.keys(planmap.yearly).forEach(function (name) {
      var option = planmap.yearly[name][year], layer = planmap.layers[name];
      if (!option || !layer) return;
      var d = layer.planmapData;
      d.k = option.k; d.col = option.col; d.vt = option.vt;
      layer.setStyle(layer.options.style);
      var legend = planmap.legends[name];
      if (legend) {
        legend.spec.rows = option.rows;
        legend.spec.year = year ? label + " " + year : "";
        if (legend.control._map) { legend.control.remove(); legend.control.addTo(map); }
      }
    });
    planmap.year = year;
    var box = document.querySelector(".planmap-title");
    if (box && planmap.theme !== undefined && planmap.titles[planmap.theme]) {
      box.firstChild.textContent = planmap.titles[planmap.theme] + (year ? " — " + label + " " + year : "");
    } else if (box) {
      box.firstChild.textContent = box.firstChild.textContent.split(" — " + label)[0] + (year ? " — " + label + " " + year : "");
    }
  };

  planmap.yearControl = function (map, options, title) {
    var control = L.control({ position: "topright" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "planmap-box planmap-years");
      L.DomEvent.disableClickPropagation(box);
      var label = document.createElement("label");
      label.textContent = title + " ";
      var select = document.createElement("select");
      options.forEach(function (o) {
        var option = document.createElement("option");
        option.value = o[0]; option.textContent = o[1];
        select.appendChild(option);
      });
      select.addEventListener("change", function () { planmap.setYear(map, select.value, title); });
      label.appendChild(select);
      box.appendChild(label);
      return box;
    };
    control.addTo(map);
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

  /* The title box; its first line follows the theme shown (themes are exclusive, like base maps). */
  planmap.titleBox = function (map, lines) {
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      var box = planmap.text(lines);
      box.className = "planmap-box planmap-title";
      return box;
    };
    control.addTo(map);
    map.on("baselayerchange", function (e) {
      var title = planmap.titles[e.name];
      if (title) control.getContainer().firstChild.textContent = title;
      planmap.theme = e.name;
    });
  };

  /* A hover tooltip never sits on an open popup. */
  planmap.quietTooltips = function (map) {
    map.on("popupopen", function () {
      L.DomUtil.addClass(map.getContainer(), "planmap-popup-open");
      map.eachLayer(function (l) { if (l.closeTooltip && !(l.getTooltip && l.getTooltip() && l.getTooltip().options.permanent)) l.closeTooltip(); });
    });
    map.on("popupclose", function () { L.DomUtil.removeClass(map.getContainer(), "planmap-popup-open"); });
  };

  /* Labels shown only from a zoom level on (tambon names). */
  planmap.zoomLabels = function (map, group, minZoom) {
    function sync() {
      var on = map.getZoom() >= minZoom && map.hasLayer(planmap.layers[group.planmapOwner] || group);
      if (on && !map.hasLayer(group)) group.addTo(map);
      if (!on && map.hasLayer(group)) map.removeLayer(group);
    }
    map.on("zoomend overlayadd overlayremove", sync);
    sync();
  };

  /* Place names in comparable form: no level prefix, spaces, dots or hyphens; lower case. */
  function key(text) {
    return String(text || "").toLowerCase().replace(/^(จ\.|จังหวัด|อ\.|อำเภอ|ต\.|ตำบล|ม\.|หมู่ที่|หมู่|moo|tambon|amphoe)\s*/u, "")
      .replace(/[\s.\-]/g, "");
  }
  function bigrams(text) {
    var out = {};
    for (var i = 0; i < text.length - 1; i++) out[text.substr(i, 2)] = (out[text.substr(i, 2)] || 0) + 1;
    return out;
  }
  /* Dice similarity of character pairs: a typo or two still finds the place, as the importers do. */
  planmap.similarity = function (a, b) {
    a = key(a); b = key(b);
    if (!a || !b) return 0;
    if (a === b) return 1;
    if (b.indexOf(a) === 0) return 0.95;
    if (b.indexOf(a) >= 0) return 0.9;
    var x = bigrams(a), y = bigrams(b), both = 0, total = 0, k;
    for (k in x) { total += x[k]; if (y[k]) both += Math.min(x[k], y[k]); }
    for (k in y) total += y[k];
    return total ? 2 * both / total : 0;
  };

  /* Search a village, tambon or amphoe by Thai or English name or DOPA code; zoom to it, popup open.
     index: [[Thai label, English label, code, level, west, south, east, north], ...] */
  planmap.search = function (map, index, words) {
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "planmap-box planmap-search");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      var input = document.createElement("input");
      input.type = "search";
      input.placeholder = words.placeholder;
      input.setAttribute("aria-label", words.placeholder);
      var list = document.createElement("div");
      list.className = "planmap-results";
      box.appendChild(input);
      box.appendChild(list);
      var found = [];
      function show() {
        var q = input.value.trim();
        list.textContent = "";
        if (!q) { found = []; return; }
        var scored = [];
        index.forEach(function (e) {
          var s = /^\d+$/.test(q) ? (e[2].indexOf(q) === 0 ? 1 - (e[2].length - q.length) / 20 : 0)
            : Math.max(planmap.similarity(q, e[0]), planmap.similarity(q, e[1]), planmap.similarity(q, e[8] || ""),
                       planmap.similarity(q, e[9] || ""));
          if (s >= 0.5) scored.push([s, e]);
        });
        scored.sort(function (a, b) { return b[0] - a[0] || a[1][3].localeCompare(b[1][3]); });
        found = scored.slice(0, 8).map(function (x) { return x[1]; });
        if (!found.length) { var none = document.createElement("div"); none.textContent = words.none; list.appendChild(none); }
        found.forEach(function (e) {
          var row = document.createElement("div");
          row.className = "planmap-result";
          row.textContent = e[0] + " (" + e[2] + ")";
          row.addEventListener("click", function () { planmap.goTo(map, e); list.textContent = ""; });
          list.appendChild(row);
        });
      }
      input.addEventListener("input", show);
      input.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" && found.length) { planmap.goTo(map, found[0]); list.textContent = ""; }
      });
      return box;
    };
    control.addTo(map);
    return control;
  };

  /* Zoom to a place and open its popup: the shown theme's feature if it is of that level. */
  planmap.goTo = function (map, e) {
    map.fitBounds([[e[5], e[4]], [e[7], e[6]]], { maxZoom: 14 });
    var opened = false;
    Object.keys(planmap.layers).forEach(function (name) {
      var layer = planmap.layers[name];
      if (opened || !map.hasLayer(layer) || !layer.planmapData || !layer.planmapData.c) return;
      layer.eachLayer(function (l) {
        if (!opened && layer.planmapData.c[l.planmapIndex] === e[2] && l.getPopup()) {
          l.openPopup(L.latLng((e[5] + e[7]) / 2, (e[4] + e[6]) / 2)); opened = true;
        }
      });
    });
    if (!opened) {
      L.popup().setLatLng([(e[5] + e[7]) / 2, (e[4] + e[6]) / 2]).setContent(planmap.text([e[0], e[1] + " (" + e[2] + ")"])).openOn(map);
    }
  };

  /* Buttons that print the view (a print stylesheet lays it out on landscape paper) and save it as PNG. */
  planmap.viewButtons = function (map, words) {
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "planmap-box planmap-buttons");
      L.DomEvent.disableClickPropagation(box);
      [["print", words.print, function () { planmap.beforePrint(map); window.print(); }],
       ["png", words.png, function () { planmap.savePng(map, words.file); }]].forEach(function (b) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "planmap-" + b[0];
        button.textContent = b[1];
        button.addEventListener("click", b[2]);
        box.appendChild(button);
      });
      return box;
    };
    control.addTo(map);
    window.addEventListener("beforeprint", function () { planmap.beforePrint(map); });
    return control;
  };

  /* What the printed page says below the map: filters in force, then the source line. */
  planmap.beforePrint = function (map) {
    var box = document.getElementById("planmap-print-note");
    if (!box) {
      box = document.createElement("div");
      box.id = "planmap-print-note";
      map.getContainer().parentNode.appendChild(box);
    }
    var parts = [];
    document.querySelectorAll(".planmap-filters select").forEach(function (s) {
      var label = s.parentNode.firstChild.textContent.trim();
      parts.push(label + ": " + (s.selectedOptions[0] ? s.selectedOptions[0].textContent : ""));
    });
    var source = map.attributionControl ? map.attributionControl.getContainer().textContent : "";
    box.textContent = (parts.length ? planmap.words.filters + " " + parts.join(" · ") + " — " : "") + source;
  };

  /* The view as a PNG: the vector layers (SVG) drawn on a canvas with the title and the legends. */
  planmap.savePng = function (map, file) {
    var size = map.getSize(), canvas = document.createElement("canvas");
    canvas.width = size.x; canvas.height = size.y;
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = "#eef2f5"; ctx.fillRect(0, 0, size.x, size.y);
    var svg = map.getPanes().overlayPane.querySelector("svg");
    function finish() {
      var y = 24;
      ctx.fillStyle = "#000"; ctx.font = "bold 16px sans-serif";
      document.querySelectorAll(".planmap-title div, .planmap-title strong").forEach(function (el) {
        ctx.fillText(el.textContent, 12, y); y += 20; ctx.font = "13px sans-serif";
      });
      var rows = [];
      document.querySelectorAll(".planmap-legend").forEach(function (box) {
        box.querySelectorAll("strong, div").forEach(function (el) {
          var sw = el.querySelector(".planmap-swatch");
          rows.push([sw ? sw.style.background : null, el.textContent]);
        });
      });
      ctx.font = "12px sans-serif";
      var width = 0;
      rows.forEach(function (r) { width = Math.max(width, ctx.measureText(r[1]).width + (r[0] ? 22 : 0)); });
      var x = Math.max(8, size.x - width - 16);
      y = size.y - 24 - rows.length * 16;
      ctx.fillStyle = "rgba(255,255,255,0.9)"; ctx.fillRect(x - 8, y - 14, width + 16, rows.length * 16 + 8);
      rows.forEach(function (r) {
        if (r[0]) { ctx.fillStyle = r[0]; ctx.fillRect(x, y - 10, 16, 11); }
        ctx.fillStyle = "#000"; ctx.font = "12px sans-serif"; ctx.fillText(r[1], r[0] ? x + 22 : x, y); y += 16;
      });
      ctx.fillText(map.attributionControl ? map.attributionControl.getContainer().textContent : "", 12, size.y - 8);
      var link = document.createElement("a");
      link.download = file; link.href = canvas.toDataURL("image/png");
      document.body.appendChild(link); link.click(); link.remove();
      planmap.lastPng = link.href.length;
    }
    if (!svg) { finish(); return; }
    var rect = svg.getBoundingClientRect(), box = map.getContainer().getBoundingClientRect();
    var image = new Image();
    image.onload = function () { ctx.drawImage(image, rect.left - box.left, rect.top - box.top); finish(); };
    image.onerror = finish;
    var xml = new XMLSerializer().serializeToString(svg);
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(xml);
  };

  window.planmap = planmap;
})();
