/* Small page scripts, kept out of the HTML so the Content-Security-Policy allows no inline
   script but django-leaflet's map loader (which carries the request's nonce). Each part
   runs only on the page that has its element; data comes from data-* attributes. */
(function () {
  "use strict";

  var TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

  function baseMap(el) {
    var map = L.map(el).setView(
      [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)],
      parseInt(el.dataset.zoom, 10) || 12
    );
    L.tileLayer(TILES, { attribution: "&copy; OpenStreetMap", maxZoom: 19 }).addTo(map);
    return map;
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      return r.json();
    });
  }

  /* committees: the needs listed on the page, on a map */
  function needsMap(el) {
    var map = baseMap(el);
    getJSON(el.dataset.url).then(function (data) {
      var layer = L.geoJSON(data, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 7, color: "#0a4b9c" });
        },
        onEachFeature: function (f, l) {
          var a = document.createElement("a");
          a.href = f.properties.url;
          a.textContent = f.properties.community + " · " + f.properties.category + " · " + f.properties.status;
          l.bindPopup(a);
        },
      }).addTo(map);
      if (data.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 14 }); }
    });
  }

  /* committees: what each community received, sized by value, red when flagged */
  function equityMap(el) {
    var map = baseMap(el);
    getJSON(el.dataset.url).then(function (data) {
      var layer = L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          var p = feature.properties;
          return L.circleMarker(latlng, {
            radius: 6 + Math.min(12, Math.sqrt(p.received) / 60),
            color: p.flags.length ? "#9b1c1c" : "#0b5d1e",
            weight: 2,
            fillOpacity: 0.5,
          });
        },
        onEachFeature: function (feature, l) {
          var p = feature.properties, div = document.createElement("div");
          div.textContent = p.name + ": $" + p.received.toLocaleString() +
            (p.per_inhabitant === null ? "" : " (" + p.per_inhabitant.toLocaleString() + " / hab.)");
          l.bindPopup(div);
        },
      }).addTo(map);
      if (data.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 13 }); }
    });
  }

  /* complaints: the pin of one complaint (django-leaflet callback) */
  window.complaintDetailInit = function (map) {
    var el = document.getElementById("detail-map");
    var ll = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
    map.setView(ll, 17);
    L.marker(ll).addTo(map);
  };

  /* complaints: the pre-visit brief's colonia and complaints (django-leaflet callback) */
  window.briefMapInit = function (map) {
    var el = document.getElementById("brief-map");
    var raw = JSON.parse(document.getElementById("colonia-geometry").textContent || '""');
    if (raw) {
      var area = L.geoJSON(JSON.parse(raw), { style: { color: "#0b5d1e", fill: false } }).addTo(map);
      map.fitBounds(area.getBounds());
    }
    getJSON(el.dataset.geojson).then(function (data) {
      L.geoJSON(data, {
        pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 6, color: f.properties.color }); },
        onEachFeature: function (f, layer) {
          var div = document.createElement("div");
          div.textContent = f.properties.code + " · " + f.properties.service + " · " + f.properties.status_label;
          layer.bindPopup(div);
        },
      }).addTo(map);
    });
  };

  document.addEventListener("DOMContentLoaded", function () {
    if (window.L) {
      var needs = document.getElementById("needs-map");
      if (needs) { needsMap(needs); }
      var equity = document.getElementById("equity-map");
      if (equity) { equityMap(equity); }
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
