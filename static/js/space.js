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
  };
})();
