/* Watch your city (/map/): the layers other than the spaces (garbage routes, lighting areas,
 * complaints, public works: /api/layers/<key>.geojson by viewport), the layers' control and
 * the filters' panel, "near me" for every enabled layer (/api/layers/nearest.json), and the
 * phone's two views (map | list). map.js calls window.villaguardMapLayers(map, form) once the
 * spaces' layer is up.
 *
 * A point layer arrives clustered below the cluster zoom: a feature with count > 1 is a cell of
 * the grid, drawn as a numbered disc that zooms in when chosen. The container's
 * data-count-<key> attributes say how many features each layer drew (the browser tests read
 * them); data-layers-busy is there while a layer loads.
 */
(function () {
  "use strict";

  var LOAD_DELAY_MS = 150;
  var NEAREST_LIMIT = 5;
  // The largest cluster disc is 48 px: centres at least this far apart never overlap.
  var CLUSTER_SPACING_PX = 56;

  function t(text) {
    return typeof window.gettext === "function" ? window.gettext(text) : text;
  }

  function format(text, values) {
    return typeof window.interpolate === "function"
      ? window.interpolate(text, values)
      : text.replace(/%s/g, function () { return values.shift(); });
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function formatDistance(metres) {
    if (metres < 1000) return format(t("%s m"), [Math.round(metres)]);
    return format(t("%s km"), [(metres / 1000).toFixed(1)]);
  }

  // Legend swatches take their colour from data-color (no style attribute under the CSP).
  function paintSwatches(root) {
    root.querySelectorAll(".swatch[data-color]").forEach(function (swatch) {
      if (swatch.classList.contains("swatch-ring")) swatch.style.borderColor = swatch.dataset.color;
      else swatch.style.backgroundColor = swatch.dataset.color;
    });
  }

  function setupPanel() {
    var toggle = document.getElementById("filters-toggle");
    var panel = document.getElementById("filters-panel");
    if (!toggle || !panel) return;
    panel.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      panel.hidden = !open;
      if (open) {
        var first = panel.querySelector("input, select, button");
        if (first) first.focus();
      }
    });
  }

  // On a phone the map fills the rest of the first screen, whatever the header's height:
  // from its top to the bottom of the window. CSS gives an estimate that reaches at least the
  // fold; this trims it once, as soon as this file loads (before Leaflet draws the map, so no
  // second "moveend" and no second request), and again when the window changes size.
  var PHONE = window.matchMedia("(max-width: 59.99rem)");

  function fitHeight(container) {
    var height = "";
    if (PHONE.matches) {
      var top = container.getBoundingClientRect().top + window.scrollY;
      height = Math.max(320, window.innerHeight - top) + "px";
    }
    if (container.style.height === height) return false;
    container.style.height = height;
    return true;
  }

  var early = document.getElementById("spaces-map");
  if (early) fitHeight(early);

  function fitToScreen(map) {
    var container = map.getContainer();
    window.addEventListener("resize", function () {
      if (fitHeight(container)) map.invalidateSize();
    });
  }

  // Phones: one button switches between the map and the lists (desktop shows both).
  function setupViews(map) {
    var layout = document.querySelector(".map-layout");
    var toggle = document.getElementById("view-toggle");
    layout.classList.add("has-views");
    function show(view) {
      layout.dataset.view = view;
      toggle.textContent = view === "map" ? toggle.dataset.listLabel : toggle.dataset.mapLabel;
      if (view === "map") map.invalidateSize();
    }
    toggle.addEventListener("click", function () {
      show(layout.dataset.view === "map" ? "list" : "map");
    });
    return show;
  }

  window.villaguardMapLayers = function (map, form) {
    var container = map.getContainer();
    var settings = JSON.parse(document.getElementById("map-layer-settings").textContent);
    var status = document.getElementById("layers-status");
    var nearby = document.getElementById("nearby");
    var nearbyList = document.getElementById("nearby-list");
    var nearButton = document.getElementById("near-me");
    var canvas = map.villaguardCanvas || L.canvas();
    var layers = {};
    var timer = null;
    var hereMarker = null;

    paintSwatches(document);
    setupPanel();
    var showView = setupViews(map);
    fitToScreen(map);

    function enabledKeys() {
      return Array.from(form.querySelectorAll("input[name=layer]:checked")).map(function (box) {
        return box.value;
      });
    }

    function filterParams() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (value !== "" && name !== "layers" && name !== "layer") params.append(name, value);
      });
      return params;
    }

    function popupFor(setting, feature) {
      var p = feature.properties;
      var root = element("div", null, "space-popup");
      root.appendChild(element("strong", p.name));
      var facts = element("dl");
      setting.fields.forEach(function (pair) {
        var value = p[pair[0]];
        if (value === null || value === undefined || value === "") return;
        facts.appendChild(element("dt", pair[1]));
        facts.appendChild(element("dd", String(value)));
      });
      root.appendChild(facts);
      if (p.url) {
        var link = element("a", t("Open its page"), "popup-link");
        link.href = p.url;
        root.appendChild(link);
      }
      return root;
    }

    function clusterMarker(feature, latlng) {
      var count = feature.properties.count;
      var size = count < 10 ? 32 : count < 100 ? 40 : 48;
      var label = format(t("%s places here: zoom in"), [count]);
      var icon = L.divIcon({
        className: "cluster-icon",
        html: "<span>" + String(count) + "</span>",
        iconSize: [size, size],
      });
      var marker = L.marker(latlng, { icon: icon, title: label, alt: label, keyboard: true });
      function zoomIn() {
        map.setView(latlng, Math.min(map.getZoom() + 2, map.getMaxZoom()));
      }
      marker.on("click", zoomIn);
      // A focused disc is a button: Enter or Space zooms in (keydown's default prevented, so
      // Leaflet's own Enter-keypress does not zoom twice).
      marker.on("add", function () {
        var element = marker.getElement();
        if (!element || element.dataset.keys) return;
        element.dataset.keys = "1";
        element.setAttribute("role", "button");
        element.addEventListener("keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            zoomIn();
          }
        });
      });
      return marker;
    }

    function makeLayer(setting) {
      return L.geoJSON(null, {
        pointToLayer: function (feature, latlng) {
          if (feature.properties.count > 1) return clusterMarker(feature, latlng);
          var closed = feature.properties.state === "closed";
          return L.circleMarker(latlng, {
            renderer: canvas,
            radius: 7,
            color: closed ? feature.properties.color : "#1b1b1b",
            weight: closed ? 3 : 1,
            fillColor: feature.properties.color || "#6b6b6b",
            fillOpacity: closed ? 0 : 0.85,
          });
        },
        style: function (feature) {
          return {
            color: feature.properties.color || "#6b6b6b",
            weight: 2,
            fillColor: feature.properties.color || "#6b6b6b",
            fillOpacity: 0.12,
          };
        },
        onEachFeature: function (feature, featureLayer) {
          if (feature.properties.count > 1) return;
          featureLayer.bindPopup(function () { return popupFor(setting, feature); });
        },
      });
    }

    settings.forEach(function (setting) {
      if (setting.own) return; // the spaces: map.js
      layers[setting.key] = { setting: setting, layer: makeLayer(setting), controller: null };
    });

    function updateStatus() {
      var parts = [];
      settings.forEach(function (setting) {
        var entry = layers[setting.key];
        if (!entry || !map.hasLayer(entry.layer)) return;
        var count = container.getAttribute("data-count-" + setting.key);
        if (count !== null) parts.push(setting.title + ": " + count);
      });
      status.textContent = parts.join(" · ");
    }

    function busy() {
      var loading = Object.keys(layers).some(function (key) { return layers[key].controller; });
      if (loading) container.setAttribute("data-layers-busy", "true");
      else container.removeAttribute("data-layers-busy");
    }

    function viewportParams() {
      var params = filterParams();
      var bounds = map.getBounds();
      var west = Math.max(-180, Math.floor(bounds.getWest() * 1000) / 1000);
      var south = Math.max(-90, Math.floor(bounds.getSouth() * 1000) / 1000);
      var east = Math.min(180, Math.ceil(bounds.getEast() * 1000) / 1000);
      var north = Math.min(90, Math.ceil(bounds.getNorth() * 1000) / 1000);
      params.set("bbox", [west, south, east, north].join(","));
      params.set("zoom", String(map.getZoom()));
      params.delete("color_by");
      return params;
    }

    // The server's grid cells can put two discs closer than their size on the screen (cells
    // are in degrees, icons in pixels), or a disc under the zoom buttons: every disc must be a
    // separate tap (and keyboard) target. A cluster that would overlap a bigger one of its
    // layer joins it (the bigger keeps its place and takes the count); one under a map control
    // or another layer's disc moves just clear of it (a cluster is a cell, not an address).
    var placed = {};

    function obstacles(exceptKey) {
      var rects = [];
      var origin = container.getBoundingClientRect();
      container.querySelectorAll(".leaflet-control").forEach(function (control) {
        var r = control.getBoundingClientRect();
        if (!r.width || !r.height) return;
        rects.push({
          left: r.left - origin.left, right: r.right - origin.left,
          top: r.top - origin.top, bottom: r.bottom - origin.top,
        });
      });
      Object.keys(placed).forEach(function (key) {
        if (key === exceptKey || !map.hasLayer(layers[key].layer)) return;
        placed[key].forEach(function (latlng) {
          var p = map.latLngToContainerPoint(latlng);
          rects.push({ left: p.x - 24, right: p.x + 24, top: p.y - 24, bottom: p.y + 24 });
        });
      });
      return rects;
    }

    function clearOf(point, rects) {
      var half = CLUSTER_SPACING_PX / 2;
      var size = map.getSize();
      for (var tries = 0; tries < 4; tries++) {
        var hit = null;
        for (var i = 0; i < rects.length && !hit; i++) {
          var r = rects[i];
          if (point.x + half > r.left && point.x - half < r.right &&
              point.y + half > r.top && point.y - half < r.bottom) hit = r;
        }
        if (!hit) return point;
        var moves = [
          L.point(hit.right + half - point.x, 0), L.point(hit.left - half - point.x, 0),
          L.point(0, hit.bottom + half - point.y), L.point(0, hit.top - half - point.y),
        ].filter(function (move) {
          var x = point.x + move.x;
          var y = point.y + move.y;
          return x >= half && y >= half && x <= size.x - half && y <= size.y - half;
        });
        if (!moves.length) return point;
        moves.sort(function (a, b) {
          return Math.abs(a.x) + Math.abs(a.y) - Math.abs(b.x) - Math.abs(b.y);
        });
        point = point.add(moves[0]);
      }
      return point;
    }

    function separateClusters(key, data) {
      var kept = [];
      var features = [];
      var rects = obstacles(key);
      var clusters = data.features.filter(function (feature) {
        if (feature.properties.count > 1 && feature.geometry && feature.geometry.type === "Point") {
          return true;
        }
        features.push(feature);
        return false;
      });
      clusters.sort(function (a, b) { return b.properties.count - a.properties.count; });
      function nearKept(point) {
        for (var i = 0; i < kept.length; i++) {
          if (kept[i].point.distanceTo(point) < CLUSTER_SPACING_PX) return kept[i];
        }
        return null;
      }
      clusters.forEach(function (feature) {
        var c = feature.geometry.coordinates;
        var original = map.latLngToContainerPoint([c[1], c[0]]);
        var point = original;
        var near = nearKept(point);
        if (!near) {
          point = clearOf(original, rects);
          near = nearKept(point);
        }
        if (near) {
          near.feature.properties.count += feature.properties.count;
          return;
        }
        var geometry = feature.geometry;
        if (point !== original) {
          var latlng = map.containerPointToLatLng(point);
          geometry = { type: "Point", coordinates: [latlng.lng, latlng.lat] };
        }
        kept.push({
          point: point,
          feature: { type: "Feature", geometry: geometry, properties: Object.assign({}, feature.properties) },
        });
      });
      placed[key] = kept.map(function (entry) {
        var g = entry.feature.geometry.coordinates;
        return L.latLng(g[1], g[0]);
      });
      kept.forEach(function (entry) { features.push(entry.feature); });
      return { type: "FeatureCollection", features: features };
    }

    function loadLayer(key) {
      var entry = layers[key];
      if (entry.controller) entry.controller.abort();
      var controller = (entry.controller = new AbortController());
      busy();
      fetch(entry.setting.url + "?" + viewportParams().toString(), {
        signal: controller.signal,
        headers: { Accept: "application/geo+json" },
      })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw new Error(body.error || t("The map could not load this layer."));
            return body;
          });
        })
        .then(function (data) {
          entry.layer.clearLayers();
          entry.layer.addData(separateClusters(key, data));
          var count = data.features.reduce(function (sum, feature) {
            return sum + (feature.properties.count || 1);
          }, 0);
          container.setAttribute("data-count-" + key, String(count));
          entry.controller = null;
          busy();
          updateStatus();
        })
        .catch(function (error) {
          if (error.name === "AbortError") return;
          entry.controller = null;
          busy();
          status.textContent = entry.setting.title + ": " + error.message;
        });
    }

    function loadAll() {
      var keys = enabledKeys();
      Object.keys(layers).forEach(function (key) {
        var entry = layers[key];
        if (keys.indexOf(key) >= 0) {
          if (!map.hasLayer(entry.layer)) entry.layer.addTo(map);
          loadLayer(key);
        } else {
          if (entry.controller) entry.controller.abort();
          entry.controller = null;
          map.removeLayer(entry.layer);
          container.removeAttribute("data-count-" + key);
        }
      });
      busy();
      updateStatus();
    }

    // The layers' checkboxes apply at once: the form's submission (map.js) redraws the spaces
    // and the lists, and tells this file to reload the others.
    form.querySelectorAll("input[name=layer]").forEach(function (box) {
      box.addEventListener("change", function () {
        if (typeof form.requestSubmit === "function") form.requestSubmit();
        else form.dispatchEvent(new Event("submit", { cancelable: true }));
      });
    });
    document.addEventListener("villaguard:filters", loadAll);
    map.on("moveend", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(loadAll, LOAD_DELAY_MS);
    });

    function showNearest(latitude, longitude) {
      var params = filterParams();
      params.delete("color_by");
      params.set("lat", latitude.toFixed(6));
      params.set("lon", longitude.toFixed(6));
      params.set("limit", String(NEAREST_LIMIT));
      var keys = enabledKeys();
      keys.forEach(function (key) { params.append("layer", key); });
      if (!keys.length) params.append("layer", "spaces");
      fetch(container.dataset.nearestUrl + "?" + params.toString(), {
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          nearbyList.replaceChildren();
          if (!body.layers) {
            status.textContent = body.error || t("The nearest places could not be found.");
            return;
          }
          var found = 0;
          body.layers.forEach(function (group) {
            var section = element("section", null, "nearby-layer");
            section.dataset.layer = group.key;
            section.appendChild(element("h4", group.title));
            var list = element("ol");
            group.items.forEach(function (item) {
              var row = element("li");
              var link = element("a", item.code && item.name !== item.code ? item.name + " (" + item.code + ")" : item.name);
              link.href = item.url;
              row.append(link, document.createTextNode(" · " + formatDistance(item.distance)));
              list.appendChild(row);
              found += 1;
            });
            if (!group.items.length) list.appendChild(element("li", t("Nothing near you on this layer.")));
            section.appendChild(list);
            nearbyList.appendChild(section);
          });
          nearby.hidden = false;
          status.textContent = format(
            window.ngettext
              ? window.ngettext("%s place found near you.", "%s places found near you.", found)
              : "%s places found near you.",
            [found]
          );
        });
      if (hereMarker) hereMarker.remove();
      hereMarker = L.circleMarker([latitude, longitude], {
        radius: 8, color: "#ffffff", weight: 3, fillColor: "#0a4b9c", fillOpacity: 1,
      }).bindTooltip(t("You are here")).addTo(map);
      showView("map");
      map.setView([latitude, longitude], Math.max(map.getZoom(), 16));
    }

    nearButton.addEventListener("click", function () {
      if (!navigator.geolocation) {
        status.textContent = t("This browser cannot tell where you are.");
        return;
      }
      status.textContent = t("Finding where you are…");
      navigator.geolocation.getCurrentPosition(
        function (position) { showNearest(position.coords.latitude, position.coords.longitude); },
        function () { status.textContent = t("Your location is not available."); },
        { enableHighAccuracy: true, timeout: 15000 }
      );
    });

    window.villaguardLayers = { reload: loadAll, layers: layers };
    loadAll();
  };
})();
