/* The complaint form: place a pin (tap or "use my location"), fill the coordinates, and show
   open complaints of the same service within 100 m before sending, each with a small form to
   follow it instead. Without JavaScript the form still works: coordinates or address by hand,
   and the server asks to confirm (offering the same follow forms). */
(function () {
  "use strict";
  var t = window.gettext || function (s) { return s; };
  var form = document.getElementById("complaint-form");
  if (!form) return;
  var lat = form.querySelector("[name=lat]");
  var lon = form.querySelector("[name=lon]");
  var service = form.querySelector("[name=service_type]");
  var confirmed = form.querySelector("[name=confirmed]");
  var nearbyBox = document.getElementById("nearby");
  var status = document.getElementById("pin-status");
  var nearMe = document.getElementById("near-me");
  var followForms = document.getElementById("follow-forms");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]");
  var reporterEmail = form.querySelector("[name=reporter_email]");
  var map = null;
  var marker = null;

  function setPin(latitude, longitude, pan) {
    lat.value = latitude.toFixed(6);
    lon.value = longitude.toFixed(6);
    if (map) {
      var ll = [latitude, longitude];
      if (marker) marker.setLatLng(ll); else marker = L.marker(ll, {draggable: true}).addTo(map);
      marker.off("dragend").on("dragend", function (e) {
        var p = e.target.getLatLng();
        setPin(p.lat, p.lng, false);
      });
      if (pan) map.setView(ll, Math.max(map.getZoom(), 17));
    }
    status.textContent = t("Pin placed.");
    checkNearby();
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function escapeAttr(text) {
    return String(text).replace(/&/g, "&amp;").replace(/"/g, "&quot;")
      .replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  /* A follow form cannot sit inside the complaint form: an empty <form> goes outside it, and
     the fields shown in the suggestion name it with the form attribute. */
  function followForm(c) {
    var id = "follow-" + c.code;
    var target = document.createElement("form");
    target.id = id;
    target.method = "post";
    target.action = c.follow_url;
    target.setAttribute("novalidate", "");
    var token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = csrf ? csrf.value : "";
    target.appendChild(token);
    followForms.appendChild(target);
    var f = escapeAttr(id);
    return "<div class=\"follow-form\">" +
      "<div class=\"field\"><label for=\"" + f + "-email\">" + escapeHtml(t("Your e-mail")) +
      "</label><input type=\"email\" name=\"email\" id=\"" + f + "-email\" form=\"" + f +
      "\" autocomplete=\"email\" required value=\"" + escapeAttr(reporterEmail ? reporterEmail.value : "") +
      "\"></div><p><a href=\"" + escapeAttr(form.dataset.privacyUrl) +
      "\" target=\"_blank\" rel=\"noopener\">" +
      escapeHtml(t("Read the privacy notice (aviso de privacidad)")) + "</a></p>" +
      "<div class=\"field checkbox inline\">" +
      "<input type=\"checkbox\" name=\"accept_privacy_notice\" id=\"" + f + "-accept\" form=\"" + f +
      "\" required><label for=\"" + f + "-accept\">" +
      escapeHtml(t("I have read and accept the privacy notice")) + "</label></div>" +
      "<p><button type=\"submit\" class=\"button secondary\" form=\"" + f + "\">" +
      escapeHtml(interpolate(t("Follow %s instead"), [c.code])) + "</button></p></div>";
  }

  function interpolate(text, values) {
    if (window.interpolate) return window.interpolate(text, values);
    return text.replace("%s", values[0]);
  }

  function checkNearby() {
    if (!lat.value || !lon.value || !service.value) { nearbyBox.hidden = true; return; }
    var url = form.dataset.nearbyUrl + "?service=" + encodeURIComponent(service.value) +
      "&lat=" + encodeURIComponent(lat.value) + "&lon=" + encodeURIComponent(lon.value);
    fetch(url, {headers: {"Accept": "application/json"}}).then(function (r) {
      return r.ok ? r.json() : {complaints: []};
    }).then(function (data) {
      followForms.innerHTML = "";
      if (!data.complaints.length) { nearbyBox.hidden = true; nearbyBox.innerHTML = ""; return; }
      var items = data.complaints.map(function (c) {
        return "<li><a href=\"" + escapeAttr(encodeURI(c.url)) + "\">" + escapeHtml(c.code) + "</a> · " +
          escapeHtml(c.status) + " · " + escapeHtml(String(c.distance_m)) + " m<br>" +
          escapeHtml(c.description) + followForm(c) + "</li>";
      }).join("");
      nearbyBox.innerHTML = "<p><strong>" + escapeHtml(t("Already reported nearby?")) + "</strong> " +
        escapeHtml(t("These open complaints of the same service are less than 100 m away. If yours is one of them, follow it instead: we will e-mail you each change.")) +
        "</p><ul>" + items + "</ul>";
      nearbyBox.hidden = false;
      // The citizen has seen the offer: the server need not ask again.
      confirmed.value = "True";
    }).catch(function () { nearbyBox.hidden = true; });
  }

  window.complaintMapInit = function (leafletMap) {
    map = leafletMap;
    map.on("click", function (e) { setPin(e.latlng.lat, e.latlng.lng, false); });
    if (lat.value && lon.value) setPin(parseFloat(lat.value), parseFloat(lon.value), true);
  };

  if (navigator.geolocation && nearMe) {
    nearMe.hidden = false;
    nearMe.addEventListener("click", function () {
      status.textContent = t("Looking for your location…");
      navigator.geolocation.getCurrentPosition(function (pos) {
        setPin(pos.coords.latitude, pos.coords.longitude, true);
      }, function () {
        status.textContent = t("Your location is not available: tap the map or write the address.");
      }, {enableHighAccuracy: true, timeout: 10000});
    });
  }
  service.addEventListener("change", checkNearby);
  [lat, lon].forEach(function (input) {
    input.addEventListener("change", function () {
      var la = parseFloat(lat.value), lo = parseFloat(lon.value);
      if (!isNaN(la) && !isNaN(lo)) setPin(la, lo, true);
    });
  });
})();
