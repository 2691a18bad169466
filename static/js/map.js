/* Watch your city (/map/): the spaces layer, loaded by viewport from /api/spaces.geojson
 * (the other layers, "near me" and the phone's views are map-layers.js's).
 *
 * Below the polygon zoom the API sends centroids, drawn as circle markers on one canvas; from
 * it on, simplified polygons drawn as SVG paths. The filter form is a normal GET form: here it
 * also reloads the layer and the text list without leaving the page. Strings come from
 * Django's JavaScript catalogue (gettext). The container's data-feature-count and data-mode
 * say what is drawn (the browser tests read them).
 */
(function () {
  "use strict";

  var PALETTE = [
    "#1f5fa8", "#b8420f", "#2e7d32", "#6a3d9a", "#8c564b", "#c2185b",
    "#00796b", "#7a6a00", "#455a64", "#d84315", "#283593", "#558b2f",
  ];
  var NO_CONTRACT_COLOR = "#6b6b6b";
  var LOAD_DELAY_MS = 150;
  // Features drawn per task: a few hundred markers at once were one long task (blocking taps
  // on a slow phone); in slices of this size each task stays short.
  var DRAW_CHUNK = 50;

  function t(text) {
    return typeof window.gettext === "function" ? window.gettext(text) : text;
  }

  function format(text, values) {
    return typeof window.interpolate === "function"
      ? window.interpolate(text, values)
      : text.replace(/%s/g, function () { return values.shift(); });
  }

  function plural(singular, pluralText, count) {
    return typeof window.ngettext === "function"
      ? window.ngettext(singular, pluralText, count)
      : count === 1 ? singular : pluralText;
  }

  function companyColor(name) {
    var hash = 0;
    for (var i = 0; i < name.length; i++) {
      hash = (hash * 31 + name.charCodeAt(i)) | 0;
    }
    return PALETTE[Math.abs(hash) % PALETTE.length];
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

  function accessibleZoomControl(map) {
    // Leaflet's buttons carry English titles: replace them with translated ones.
    if (map.zoomControl) map.zoomControl.remove();
    map.zoomControl = L.control
      .zoom({ zoomInTitle: t("Zoom in"), zoomOutTitle: t("Zoom out") })
      .addTo(map);
  }

  window.villaguardAccessibleZoomControl = accessibleZoomControl;

  window.villaguardSpacesMap = function (map) {
    var container = map.getContainer();
    // The tiles' credit is already in the page (.map-attribution): Leaflet's would repeat it.
    if (map.attributionControl) map.attributionControl.remove();
    var form = document.getElementById("map-filters");
    var status = document.getElementById("map-status");
    var legend = document.getElementById("map-legend");
    var polygonMinZoom = parseInt(container.dataset.polygonMinZoom, 10) || 15;
    // One canvas for every layer's points (map-layers.js draws on it too), with Leaflet's
    // default margin: two large canvases were repainted on every move.
    var canvas = L.canvas();
    map.villaguardCanvas = canvas;
    var colorBy = "service";
    var lastData = null;
    var controller = null;
    var timer = null;
    var drawing = 0;

    // Reachable for the browser tests and the console: window.villaguardMaps["spaces-map"].
    window.villaguardMaps = window.villaguardMaps || {};
    window.villaguardMaps[container.id] = map;
    accessibleZoomControl(map);
    document.querySelectorAll("[data-needs-js]").forEach(function (node) {
      node.hidden = false;
    });

    function colorFor(properties) {
      if (colorBy === "company") {
        return properties.company ? companyColor(properties.company) : NO_CONTRACT_COLOR;
      }
      return properties.service ? properties.service.color : NO_CONTRACT_COLOR;
    }

    function styleFor(feature) {
      var color = colorFor(feature.properties);
      return { color: "#1b1b1b", weight: 1, fillColor: color, fillOpacity: 0.75 };
    }

    function popupFor(feature) {
      var p = feature.properties;
      var root = element("div", null, "space-popup");
      root.appendChild(element("strong", p.name));
      var facts = element("dl");
      [
        [t("Code"), p.code],
        [t("Kind"), p.kind_label],
        [t("Service"), p.service ? p.service.name : null],
        [t("Company"), p.company || t("Kept by the municipality")],
        [t("Contract"), p.contract],
        [t("Colonia"), p.colonia],
      ].forEach(function (pair) {
        if (!pair[1]) return;
        facts.appendChild(element("dt", pair[0]));
        facts.appendChild(element("dd", pair[1]));
      });
      root.appendChild(facts);
      var link = element("a", t("Open the space's page"), "popup-link");
      link.href = p.url;
      root.appendChild(link);
      return root;
    }

    var layer = L.geoJSON(null, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { renderer: canvas, radius: 6 });
      },
      style: styleFor,
      onEachFeature: function (feature, featureLayer) {
        featureLayer.bindPopup(function () { return popupFor(feature); });
      },
    }).addTo(map);

    // Adds the features a slice per task; a newer load (or switching the layer off) stops it.
    function drawInSlices(features, done) {
      var run = ++drawing;
      var index = 0;
      (function step() {
        if (run !== drawing) return;
        var end = Math.min(index + DRAW_CHUNK, features.length);
        layer.addData({ type: "FeatureCollection", features: features.slice(index, end) });
        index = end;
        if (index < features.length) window.setTimeout(step, 0);
        else done();
      })();
    }

    function renderLegend() {
      var list = legend.querySelector("ul");
      list.replaceChildren();
      if (!lastData) return;
      var entries = {};
      var withoutContract = false;
      lastData.features.forEach(function (feature) {
        var p = feature.properties;
        var name = colorBy === "company" ? p.company : p.service && p.service.name;
        if (name) entries[name] = colorFor(p);
        else withoutContract = true;
      });
      var names = Object.keys(entries).sort();
      names.forEach(function (name) {
        var item = element("li");
        var swatch = element("span", null, "swatch");
        swatch.style.backgroundColor = entries[name];
        swatch.setAttribute("aria-hidden", "true");
        item.append(swatch, document.createTextNode(name));
        list.appendChild(item);
      });
      if (withoutContract) {
        var item = element("li");
        var swatch = element("span", null, "swatch");
        swatch.style.backgroundColor = NO_CONTRACT_COLOR;
        swatch.setAttribute("aria-hidden", "true");
        item.append(swatch, document.createTextNode(t("No contract in force")));
        list.appendChild(item);
      }
    }

    function filterParams() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (value !== "") params.append(name, value);
      });
      return params;
    }

    function viewportParams() {
      var params = filterParams();
      var bounds = map.getBounds();
      // Rounded outwards so that small pans ask for the same URL (and get a 304).
      var west = Math.max(-180, Math.floor(bounds.getWest() * 1000) / 1000);
      var south = Math.max(-90, Math.floor(bounds.getSouth() * 1000) / 1000);
      var east = Math.min(180, Math.ceil(bounds.getEast() * 1000) / 1000);
      var north = Math.min(90, Math.ceil(bounds.getNorth() * 1000) / 1000);
      params.set("bbox", [west, south, east, north].join(","));
      params.set("zoom", String(map.getZoom()));
      return params;
    }

    function spacesEnabled() {
      var box = form.querySelector("input[name=layer][value=spaces]");
      return !box || box.checked;
    }

    function load() {
      if (controller) controller.abort();
      drawing += 1;
      if (!spacesEnabled()) {
        // The spaces' layer is switched off: nothing drawn, no legend, no request.
        controller = null;
        lastData = null;
        layer.clearLayers();
        container.dataset.featureCount = "0";
        container.removeAttribute("aria-busy");
        status.textContent = "";
        legend.hidden = true;
        return;
      }
      legend.hidden = false;
      controller = new AbortController();
      var zoom = map.getZoom();
      container.setAttribute("aria-busy", "true");
      fetch(container.dataset.geojsonUrl + "?" + viewportParams().toString(), {
        signal: controller.signal,
        headers: { Accept: "application/geo+json" },
      })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw new Error(body.error || t("The map could not load the spaces."));
            return body;
          });
        })
        .then(function (data) {
          lastData = data;
          layer.clearLayers();
          drawInSlices(data.features, function () {
            var count = data.features.length;
            container.dataset.featureCount = String(count);
            container.dataset.mode = zoom >= polygonMinZoom ? "polygons" : "points";
            status.textContent = format(
              plural("%s space on this part of the map.", "%s spaces on this part of the map.", count),
              [count]
            );
            renderLegend();
            container.removeAttribute("aria-busy");
          });
        })
        .catch(function (error) {
          if (error.name === "AbortError") return;
          container.removeAttribute("aria-busy");
          status.textContent = error.message || t("The map could not load the spaces.");
        });
    }

    function scheduleLoad() {
      window.clearTimeout(timer);
      timer = window.setTimeout(load, LOAD_DELAY_MS);
    }

    function refreshList(url) {
      // The server renders the text list; fetch the page and take its list.
      fetch(url, { headers: { Accept: "text/html" } })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var fresh = page.getElementById("map-list");
          var current = document.getElementById("map-list");
          if (fresh && current) current.replaceChildren.apply(current, Array.from(fresh.childNodes));
        });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var query = filterParams().toString();
      var url = form.action + (query ? "?" + query : "");
      window.history.pushState(null, "", url);
      load();
      refreshList(url);
      // map-layers.js reloads the other layers.
      document.dispatchEvent(new CustomEvent("villaguard:filters"));
    });
    window.addEventListener("popstate", function () { window.location.reload(); });

    document.querySelectorAll("input[name=color_by]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        colorBy = radio.value;
        container.dataset.colorBy = colorBy;
        layer.setStyle(styleFor);
        renderLegend();
      });
    });
    container.dataset.colorBy = colorBy;

    map.on("moveend", scheduleLoad);
    load();
    // The other layers, the layers' control, "near me" and the phone's views: map-layers.js.
    if (typeof window.villaguardMapLayers === "function") window.villaguardMapLayers(map, form);
  };
})();
