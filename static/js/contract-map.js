/* The spaces and service areas a contract covers, on a Leaflet map.
 * Loaded after Leaflet (django-leaflet's {% leaflet_js %}); {% leaflet_map %} calls
 * window.contractMapInit(map) once the page has loaded. The same places are listed in the page,
 * so the map only adds the picture: without JavaScript nothing is lost but the map. */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };

  function setStatus(text) {
    var status = document.getElementById("contract-map-status");
    if (status) { status.textContent = text; }
  }

  function popupContent(feature) {
    var properties = feature.properties || {};
    var container = document.createElement("div");
    var label = [properties.code, properties.name].filter(Boolean).join(" ");
    if (properties.url) {
      var link = document.createElement("a");
      link.href = properties.url;
      link.textContent = label;
      container.appendChild(link);
    } else {
      container.textContent = label;
    }
    return container;
  }

  window.contractMapInit = function (map) {
    var element = map.getContainer();
    var lat = parseFloat(element.dataset.centerLat);
    var lon = parseFloat(element.dataset.centerLon);
    if (!isNaN(lat) && !isNaN(lon)) {
      map.setView([lat, lon], parseInt(element.dataset.zoom, 10) || 12);
    }
    var url = element.dataset.geojsonUrl;
    if (!url || !window.fetch) { return; }
    fetch(url, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          style: function (feature) {
            var colour = (feature.properties && feature.properties.color) || "#0b5d1e";
            return { color: colour, weight: 2, fillOpacity: 0.35 };
          },
          onEachFeature: function (feature, featureLayer) {
            featureLayer.bindPopup(popupContent(feature));
          }
        }).addTo(map);
        var bounds = layer.getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 }); }
        element.dataset.loaded = "true";
      })
      .catch(function () {
        setStatus(gettext("The map could not load the spaces; they are listed on this page."));
      });
  };
})();
