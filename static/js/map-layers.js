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
  // from its top to the bottom of the window (CSS gives an estimate before this runs).
  function fitToScreen(map) {
    var container = map.getContainer();
    var phone = window.matchMedia("(max-width: 59.99rem)");
    function fit() {
      if (!phone.matches) {
        container.style.height = "";
      } else {
        var top = container.getBoundingClientRect().top + window.scrollY;
        container.style.height = Math.max(320, window.innerHeight - top) + "px";
      }
      map.invalidateSize();
    }
    window.addEventListener("resize", fit);
    fit();
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
    var canvas = L.canvas({ padding: 0.5 });
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
      marker.on("click", function () {
        map.setView(latlng, Math.min(map.getZoom() + 2, map.getMaxZoom()));
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
          entry.layer.addData(data);
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
