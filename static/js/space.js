/* A space's page: its boundary on a small map, from the GeoJSON embedded with json_script. */
(function () {
  "use strict";

  window.villaguardSpaceMap = function (map) {
    var container = map.getContainer();
    var source = document.getElementById("space-feature");
    if (typeof window.gettext === "function") {
      if (map.zoomControl) map.zoomControl.remove();
      map.zoomControl = L.control
        .zoom({ zoomInTitle: window.gettext("Zoom in"), zoomOutTitle: window.gettext("Zoom out") })
        .addTo(map);
    }
    if (!source) return;
    var feature = JSON.parse(source.textContent);
    var layer = L.geoJSON(feature, {
      style: { color: "#0b5d1e", weight: 3, fillColor: "#2e7d32", fillOpacity: 0.35 },
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { maxZoom: 18, padding: [24, 24], animate: false });
    container.dataset.featureCount = String(layer.getLayers().length);
    addPoints(map, container);
  };

  /* The place's open complaints (a colonia's page), at their public precision, each a link to
     its page. The same complaints are listed as text beside the map. */
  function addPoints(map, container) {
    var points = document.getElementById("place-points");
    if (!points) return;
    var collection = JSON.parse(points.textContent);
    var markers = L.geoJSON(collection, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, {
          radius: 8, color: "#1b1b1b", weight: 2,
          fillColor: feature.properties.color || "#c62828", fillOpacity: 0.9,
        });
      },
      onEachFeature: function (feature, marker) {
        var link = document.createElement("a");
        link.href = feature.properties.url;
        link.textContent = feature.properties.code + " · " + feature.properties.service +
          " · " + feature.properties.status_label;
        marker.bindPopup(link);
      },
    }).addTo(map);
    container.dataset.pointCount = String(markers.getLayers().length);
  }
})();
