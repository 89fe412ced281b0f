/* planmap-gis web map helpers. Every piece of text from the data is put into the
   page with textContent, never as HTML, so names from spreadsheets cannot inject
   markup or script. */
(function () {
  "use strict";
  var planmap = { layers: {}, projectGroups: [], projects: [], popupProjects: 8, titles: {}, yearly: {},
                  legends: {}, overlays: [],
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
      case "MPt": return { type: "MultiPoint", coordinates: ring(g[1]) };
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
      (spec.notes || []).forEach(function (text) {  /* class breaks with units, the test and its level */
        var note = document.createElement("div");
        note.className = "planmap-unit"; note.textContent = text;
        box.appendChild(note);
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
    // The project footprints of that year only, with the filters the planner chose.
    var choice = {};
    document.querySelectorAll(".planmap-filters select").forEach(function (s) {
      choice[s.getAttribute("data-field")] = s.value;
    });
    choice.year = year;
    planmap.applyFilters(choice);
    document.querySelectorAll(".planmap-filters select[data-field='year']").forEach(function (s) { s.value = year; });
    // One year in the title: the chosen one in place of the plan's years.
    var box = document.querySelector(".planmap-title");
    var base = box && planmap.titles[planmap.theme] ? planmap.titles[planmap.theme] : (box ? box.firstChild.textContent : "");
    if (planmap.yearsText && base.indexOf(planmap.yearsText) >= 0) base = base.replace(" · " + planmap.yearsText, "");
    base = base.split(" — " + label)[0];
    var word = planmap.yearWord || label;
    if (box) box.firstChild.textContent = base + (year ? " · " + word + " " + year : (planmap.yearsText ? " · " + planmap.yearsText : ""));
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

  /* The places the page can find, from the themes' own data (no second copy in the page):
     [Thai label, English name, code, level, own Thai name, layer name, feature index or child list]. */
  planmap.places = function () {
    if (planmap._places) return planmap._places;
    var seen = [], out = [], parents = {};
    Object.keys(planmap.titles).forEach(function (name) {
      var layer = planmap.layers[name], d = layer && layer.planmapData;
      if (!d || !d.c || seen.indexOf(d.c) >= 0) return;
      seen.push(d.c);
      var level = d.c[0] && d.c[0].length === 8 ? "village" : d.c[0] && d.c[0].length === 6 ? "tambon" : "amphoe";
      d.c.forEach(function (code, i) {
        out.push([planmap.unitName(d, i), d.ne ? d.ne[i] : "", code, level, d.n[i], name, i]);
        if (level === "tambon" && d.p) {
          var key = code.substr(0, 4);
          if (!parents[key]) parents[key] = [d.pn[d.p[i]], d.pne ? d.pne[d.p[i]] : "", key, "amphoe", d.pn[d.p[i]], name, []];
          parents[key][6].push(i);
        }
      });
    });
    Object.keys(parents).forEach(function (key) {
      if (!out.some(function (e) { return e[2] === key; })) out.unshift(parents[key]);
    });
    planmap._places = out;
    return out;
  };

  /* Search a village, tambon or amphoe by Thai or English name or DOPA code; zoom to it, popup open. */
  planmap.search = function (map, words) {
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
        planmap.places().forEach(function (e) {
          var s = /^\d+$/.test(q) ? (e[2].indexOf(q) === 0 ? 1 - (e[2].length - q.length) / 20 : 0)
            : Math.max(planmap.similarity(q, e[0]), planmap.similarity(q, e[1]), planmap.similarity(q, e[4]));
          if (s >= 0.5) scored.push([s, e]);
        });
        var order = { amphoe: 0, tambon: 1, village: 2 };
        scored.sort(function (a, b) { return b[0] - a[0] || order[a[1][3]] - order[b[1][3]]; });
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
    var source = planmap.layers[e[5]], wanted = Array.isArray(e[6]) ? e[6] : [e[6]], bounds = null;
    source.eachLayer(function (l) {
      if (wanted.indexOf(l.planmapIndex) >= 0) {
        var b = l.getBounds ? l.getBounds() : L.latLngBounds([l.getLatLng(), l.getLatLng()]);
        bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
      }
    });
    if (!bounds) return;
    map.fitBounds(bounds, { maxZoom: 14 });
    var opened = false;
    Object.keys(planmap.layers).forEach(function (name) {
      var layer = planmap.layers[name];
      if (opened || !map.hasLayer(layer) || !layer.planmapData || !layer.planmapData.c) return;
      layer.eachLayer(function (l) {
        if (!opened && layer.planmapData.c[l.planmapIndex] === e[2] && l.getPopup()) {
          l.openPopup(bounds.getCenter()); opened = true;
        }
      });
    });
    if (!opened) {
      L.popup().setLatLng(bounds.getCenter()).setContent(planmap.text([e[0], (e[1] ? e[1] + " " : "") + "(" + e[2] + ")"])).openOn(map);
    }
  };

  /* Buttons that print the view (a print stylesheet lays it out on landscape paper) and save it as PNG. */
  planmap.viewButtons = function (map, words) {
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "planmap-box planmap-buttons");
      L.DomEvent.disableClickPropagation(box);
      [["split", words.split, function () { planmap.toggleSplit(map, words); }],
       ["print", words.print, function () {
          planmap.preparePrint(map);
          setTimeout(function () { window.print(); }, 300);
        }],
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
    window.addEventListener("afterprint", function () { planmap.endPrint(map); });
    return control;
  };

  /* Two maps side by side, moving together: the theme shown on the left, and on the right any
     theme (or one fiscal year of it) chosen from a list — need beside budget, 2568 beside 2569. */
  planmap.toggleSplit = function (map, words) {
    var centre = map.getCenter(), zoom = map.getZoom();
    if (planmap.second) {
      // Stop following first: a move of the main map must not reach the removed one.
      map.off("move", planmap.secondFollow);
      planmap.second.off();
      planmap.second.remove();
      planmap.second = null;
      document.getElementById("planmap-second").remove();
      L.DomUtil.removeClass(document.body, "planmap-split-view");
      map.invalidateSize({ pan: false });
      map.setView(centre, zoom, { animate: false });
      return;
    }
    var holder = document.createElement("div");
    holder.id = "planmap-second";
    map.getContainer().parentNode.appendChild(holder);
    L.DomUtil.addClass(document.body, "planmap-split-view");
    map.invalidateSize({ pan: false });
    map.setView(centre, zoom, { animate: false });  // the place looked at stays in the middle of each pane
    var other = L.map(holder, { zoomSnap: 0.25, attributionControl: false, zoomControl: false });
    other.setView(centre, zoom, { animate: false });
    planmap.second = other;
    // The overlays shown on the main map (outlines, names, projects) drawn on the second too.
    planmap.overlays.forEach(function (o) {
      if (!map.hasLayer(o.layer)) return;
      var layers = Object.assign({}, planmap.layers), groups = planmap.projectGroups.slice();
      var copy = o.make();
      planmap.layers = layers; planmap.projectGroups = groups;  // the copy is not the main map's layer
      copy.addTo(other);
    });
    var busy = false;
    function follow(from, to) {
      return function () {
        if (busy || !planmap.second) return;
        busy = true;
        to.setView(from.getCenter(), from.getZoom(), { animate: false });
        busy = false;
      };
    }
    planmap.secondFollow = follow(map, other);
    map.on("move", planmap.secondFollow);
    other.on("move", follow(other, map));
    var choices = [];
    Object.keys(planmap.titles).forEach(function (name) {
      choices.push([name, ""]);
      Object.keys(planmap.yearly[name] || {}).forEach(function (year) { if (year) choices.push([name, year]); });
    });
    var legend = L.control({ position: "bottomright" }), title = L.control({ position: "topleft" });
    var shown = null;
    function draw(i) {
      var name = choices[i][0], year = choices[i][1], d = Object.assign({}, planmap.layers[name].planmapData);
      var option = year ? planmap.yearly[name][year] : null;
      if (option) { d.k = option.k; d.col = option.col; d.vt = option.vt; }
      if (shown) other.removeLayer(shown);
      var saved = planmap.layers[name];
      shown = planmap.geoLayer(d, name + " (2)").addTo(other);
      shown.bringToBack();  // under the outlines, names and projects, as on the main map
      planmap.layers[name] = saved;
      delete planmap.layers[name + " (2)"];
      var spec = planmap.legends[name] ? planmap.legends[name].spec : { title: name, rows: [] };
      legend.onAdd = function () {
        var box = L.DomUtil.create("div", "planmap-box planmap-legend planmap-legend-second");
        var head = document.createElement("strong");
        head.textContent = spec.title + (year ? " — " + year : "");
        box.appendChild(head);
        (option ? option.rows : spec.rows).forEach(function (row) {
          var line = document.createElement("div"), swatch = document.createElement("span");
          swatch.className = "planmap-swatch" + (row.nodata ? " planmap-nodata" : "");
          swatch.style.background = row.color;
          line.appendChild(swatch); line.appendChild(document.createTextNode(row.label));
          box.appendChild(line);
        });
        return box;
      };
      if (legend._map) legend.remove();
      legend.addTo(other);
    }
    title.onAdd = function () {
      var box = L.DomUtil.create("div", "planmap-box planmap-title planmap-second-title");
      L.DomEvent.disableClickPropagation(box);
      var select = document.createElement("select");
      choices.forEach(function (c, i) {
        var o = document.createElement("option");
        o.value = String(i); o.textContent = c[0] + (c[1] ? " — " + words.year + " " + c[1] : "");
        select.appendChild(o);
      });
      select.addEventListener("change", function () { draw(Number(select.value)); });
      box.appendChild(select);
      return box;
    };
    title.addTo(other);
    var start = choices.findIndex(function (c) { return c[0] !== planmap.theme && !c[1]; });
    var pick = start >= 0 ? start : 0;
    other.getContainer().querySelector("select").value = String(pick);
    draw(pick);
  };

  /* Lay the map out at the paper's proportions (A4/A3 landscape) and fit the view the planner
     built into it, before the browser prints; undone after printing. */
  planmap.preparePrint = function (map) {
    var view = map.getBounds();
    L.DomUtil.addClass(document.body, "planmap-printing");
    map.invalidateSize({ pan: false });
    map.fitBounds(view, { animate: false });
    planmap.thinLabels(map);
    planmap.beforePrint(map);
  };
  planmap.endPrint = function (map) {
    if (!L.DomUtil.hasClass(document.body, "planmap-printing")) return;
    var view = map.getBounds();
    L.DomUtil.removeClass(document.body, "planmap-printing");
    planmap.unthinLabels();
    map.invalidateSize({ pan: false });
    map.fitBounds(view, { animate: false });
  };

  /* At the print scale names crowd: amphoe names first, then tambon names, each kept only where it
     overlaps no name kept before (hidden ones come back after printing). */
  planmap.thinLabels = function (map) {
    var kept = [], hidden = [];
    var boxes = Array.from(map.getContainer().querySelectorAll(".planmap-label, .planmap-tambon-label"));
    boxes.sort(function (a, b) {
      return (a.classList.contains("planmap-label") ? 0 : 1) - (b.classList.contains("planmap-label") ? 0 : 1);
    });
    boxes.forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (!r.width) return;
      var clash = kept.some(function (k) {
        return r.left < k.right && r.right > k.left && r.top < k.bottom && r.bottom > k.top;
      });
      if (clash) { el.style.visibility = "hidden"; hidden.push(el); } else { kept.push(r); }
    });
    planmap.thinned = hidden;
    return hidden.length;
  };
  planmap.unthinLabels = function () {
    (planmap.thinned || []).forEach(function (el) { el.style.visibility = ""; });
    planmap.thinned = [];
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
      planmap.pngFurniture(map, ctx, size);
      var link = document.createElement("a");
      link.download = file; link.href = canvas.toDataURL("image/png");
      document.body.appendChild(link); link.click(); link.remove();
      planmap.lastPng = link.href.length;
    }
    if (!svg) { finish(); return; }
    var rect = svg.getBoundingClientRect(), box = map.getContainer().getBoundingClientRect();
    planmap.thinLabels(map);  // the names drawn on the image do not overprint each other
    var image = new Image();
    image.onload = function () { ctx.drawImage(image, rect.left - box.left, rect.top - box.top); finish(); };
    image.onerror = finish;
    // The pane's translate3d is already in the rectangle: drawn again inside the image it would shift it.
    var clone = svg.cloneNode(true);
    clone.style.transform = "";
    clone.setAttribute("width", rect.width); clone.setAttribute("height", rect.height);
    var xml = new XMLSerializer().serializeToString(clone);
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(xml);
  };

  /* What the saved image needs beyond the shapes: the place names shown, a scale bar and a north arrow. */
  planmap.pngFurniture = function (map, ctx, size) {
    var box = map.getContainer().getBoundingClientRect();
    map.getContainer().querySelectorAll(".planmap-label, .planmap-tambon-label").forEach(function (el) {
      if (el.style.visibility === "hidden") return;
      var r = el.getBoundingClientRect();
      if (!r.width || r.right < box.left || r.left > box.right || r.bottom < box.top || r.top > box.bottom) return;
      var bold = el.classList.contains("planmap-label");
      ctx.font = (bold ? "bold 12px" : "11px") + " sans-serif";
      ctx.textAlign = "center"; ctx.textBaseline = "middle";
      var x = r.left - box.left + r.width / 2, y = r.top - box.top + r.height / 2;
      ctx.lineWidth = 3; ctx.strokeStyle = "#fff"; ctx.strokeText(el.textContent, x, y);
      ctx.fillStyle = "#222"; ctx.fillText(el.textContent, x, y);
    });
    planmap.unthinLabels();
    ctx.textAlign = "left"; ctx.textBaseline = "alphabetic";
    // Scale bar: a round length near 120 px at the map's centre latitude.
    var mid = map.getSize().y / 2;
    var metres = map.distance(map.containerPointToLatLng([0, mid]), map.containerPointToLatLng([100, mid])) / 100;
    var want = metres * 120, unit = Math.pow(10, Math.floor(Math.log10(want)));
    var length = [1, 2, 5, 10].map(function (m) { return m * unit; }).filter(function (m) { return m <= want; }).pop();
    var px = length / metres, x0 = 16, y0 = size.y - 40;
    ctx.fillStyle = "rgba(255,255,255,0.85)"; ctx.fillRect(x0 - 6, y0 - 18, px + 60, 28);
    ctx.strokeStyle = "#000"; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(x0, y0 - 6); ctx.lineTo(x0, y0); ctx.lineTo(x0 + px, y0); ctx.lineTo(x0 + px, y0 - 6);
    ctx.stroke();
    ctx.fillStyle = "#000"; ctx.font = "12px sans-serif";
    ctx.fillText(length >= 1000 ? (length / 1000) + " km" : length + " m", x0 + px + 6, y0);
    planmap.pngScale = length;
    // North arrow, top right below the controls' row.
    var ax = size.x - 30, ay = 70;
    ctx.fillStyle = "#000";
    ctx.beginPath(); ctx.moveTo(ax, ay - 22); ctx.lineTo(ax - 8, ay); ctx.lineTo(ax + 8, ay); ctx.closePath(); ctx.fill();
    ctx.font = "bold 13px sans-serif"; ctx.textAlign = "center";
    ctx.fillText(planmap.words.north || "N", ax, ay + 16);
    ctx.textAlign = "left";
    planmap.pngNorth = true;
  };

  window.planmap = planmap;
})();
