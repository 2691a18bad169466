/* The surveillance card form on a phone: the questions of the chosen service, the nearest
 * spaces first, and an outbox in IndexedDB so that a card finished without signal is sent when
 * the connection returns. The server is idempotent on the card's client id, so a retry never
 * files a card twice. Strings come from Django's JavaScript catalog (gettext). */
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  if (!form) return;
  var t = window.gettext || function (s) { return s; };
  var DB_NAME = "villaguard-guardians";
  var STORE = "outbox";
  var outboxList = document.getElementById("outbox");
  var outboxSection = document.getElementById("outbox-section");
  var connection = document.getElementById("connection-status");
  var flushing = false;

  // --- Service worker: keeps this page available offline. ---
  if ("serviceWorker" in navigator && form.dataset.swUrl) {
    navigator.serviceWorker.register(form.dataset.swUrl, { scope: form.dataset.swScope })
      .catch(function () { /* The form still works online without it. */ });
  }

  // --- The questions of the chosen service only. ---
  var serviceSelect = form.querySelector("[name=service_type]");
  function showService() {
    var chosen = serviceSelect ? serviceSelect.value : "";
    form.querySelectorAll(".card-section").forEach(function (section) {
      var active = section.dataset.service === chosen;
      section.hidden = !active;
      section.disabled = !active;
    });
  }
  if (serviceSelect) {
    serviceSelect.addEventListener("change", showService);
    showService();
  }

  // --- Choosing the space: search, or the nearest to the phone (computed here, offline too). ---
  var spaceSelect = form.querySelector("#id_space");
  var search = document.getElementById("space-search");
  var nearestButton = document.getElementById("nearest-button");
  var nearestStatus = document.getElementById("nearest-status");
  if (search) {
    search.addEventListener("input", function () {
      var needle = search.value.trim().toLowerCase();
      var firstMatch = null;
      Array.prototype.forEach.call(spaceSelect.options, function (option) {
        if (!option.value) return;
        var match = !needle || option.textContent.toLowerCase().indexOf(needle) !== -1;
        option.hidden = !match;
        if (match && !firstMatch) firstMatch = option;
      });
      if (needle && firstMatch) spaceSelect.value = firstMatch.value;
    });
  }
  function metres(lat1, lng1, lat2, lng2) {
    var rad = Math.PI / 180;
    var dLat = (lat2 - lat1) * rad;
    var dLng = (lng2 - lng1) * rad;
    var a = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
    return 6371000 * 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
  }
  if (nearestButton) {
    nearestButton.addEventListener("click", function () {
      if (!navigator.geolocation) {
        nearestStatus.textContent = t("This phone cannot share its location.");
        return;
      }
      nearestStatus.textContent = t("Finding your location…");
      navigator.geolocation.getCurrentPosition(function (position) {
        var lat = position.coords.latitude;
        var lng = position.coords.longitude;
        var options = Array.prototype.filter.call(spaceSelect.options, function (o) { return o.value; });
        options.forEach(function (o) {
          o.dataset.distance = metres(lat, lng, parseFloat(o.dataset.lat), parseFloat(o.dataset.lng));
        });
        options.sort(function (a, b) { return a.dataset.distance - b.dataset.distance; });
        options.forEach(function (o) { spaceSelect.appendChild(o); });
        if (options.length) {
          spaceSelect.value = options[0].value;
          nearestStatus.textContent = interpolate(
            t("Nearest first: %(name)s, %(metres)s m away."),
            { name: options[0].textContent, metres: Math.round(options[0].dataset.distance) }, true
          );
        }
      }, function () {
        nearestStatus.textContent = t("Your location is not available: search the space instead.");
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }
  function interpolate(text, values) {
    if (window.interpolate) return window.interpolate(text, values, true);
    return text.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  // --- The outbox (IndexedDB). ---
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "clientId" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function withStore(mode, action) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = action(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function queueCard(entry) { return withStore("readwrite", function (s) { return s.put(entry); }); }
  function removeCard(clientId) { return withStore("readwrite", function (s) { return s.delete(clientId); }); }
  function queuedCards() { return withStore("readonly", function (s) { return s.getAll(); }); }

  function outboxItem(entry) {
    var item = document.getElementById("outbox-" + entry.clientId);
    if (!item) {
      item = document.createElement("li");
      item.id = "outbox-" + entry.clientId;
      outboxList.appendChild(item);
    }
    outboxSection.hidden = false;
    return item;
  }
  function showState(entry, state, detail) {
    var item = outboxItem(entry);
    var labels = { pending: t("Pending"), sending: t("Sending…"), sent: t("Sent"), rejected: t("Not accepted") };
    item.className = state;
    item.dataset.state = state;
    item.textContent = entry.label + ": " + labels[state] + (detail ? " — " + detail : "");
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = form.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(fields) {
    var data = new FormData();
    fields.forEach(function (pair) {
      if (pair[0] === "csrfmiddlewaretoken") return;
      if (pair[1] instanceof Blob) data.append(pair[0], pair[1], pair[1].name || "photo");
      else data.append(pair[0], pair[1]);
    });
    var token = csrfToken();
    data.append("csrfmiddlewaretoken", token);
    return fetch(form.action || window.location.pathname, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token },
    });
  }

  function errorText(errors) {
    var parts = [];
    Object.keys(errors || {}).forEach(function (key) {
      (errors[key] || []).forEach(function (e) { parts.push(e.message || e); });
    });
    return parts.join(" ");
  }

  function sendQueued(entry) {
    showState(entry, "sending");
    return post(entry.fields).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        return removeCard(entry.clientId).then(function () { showState(entry, "sent"); });
      }
      if (response.status === 400) {
        return response.json().then(function (body) {
          return removeCard(entry.clientId).then(function () {
            showState(entry, "rejected", errorText(body.errors));
          });
        });
      }
      // Logged out or a server error: keep it for later.
      showState(entry, "pending");
      throw new Error("HTTP " + response.status);
    });
  }

  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    return queuedCards().then(function (entries) {
      return entries.reduce(function (chain, entry) {
        return chain.then(function () { return sendQueued(entry); });
      }, Promise.resolve());
    }).catch(function () {
      // Still no connection: the cards stay pending.
      return queuedCards().then(function (entries) {
        entries.forEach(function (entry) { showState(entry, "pending"); });
      });
    }).then(function () { flushing = false; }, function () { flushing = false; });
  }

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function clearErrors() {
    form.querySelectorAll(".field-errors, .form-errors").forEach(function (box) { box.textContent = ""; });
  }
  function showErrors(errors) {
    var first = null;
    Object.keys(errors).forEach(function (name) {
      var box = document.getElementById("err-" + name) || document.getElementById("err-__all__");
      (errors[name] || []).forEach(function (error) {
        var p = document.createElement("p");
        p.textContent = error.message || error;
        box.appendChild(p);
      });
      if (!first) first = box;
    });
    if (first) first.scrollIntoView({ block: "center" });
  }

  function updateConnection() {
    connection.textContent = navigator.onLine
      ? ""
      : t("No connection: finished cards are kept on this phone and sent when the connection returns.");
  }

  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.getAttribute("formmethod") === "get") return;
    event.preventDefault();
    clearErrors();
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (value instanceof File && !value.size) return;
      fields.push([name, value]);
    });
    var clientId = form.querySelector("[name=client_id]").value;
    var space = spaceSelect.options[spaceSelect.selectedIndex];
    var entry = {
      clientId: clientId,
      label: (space && space.value ? space.textContent : t("Card")) + ", " +
        form.querySelector("[name=observed_on]").value,
      fields: fields,
      queuedAt: new Date().toISOString(),
    };
    var button = document.getElementById("card-submit");
    button.disabled = true;
    function keepOffline() {
      return queueCard(entry).then(function () {
        showState(entry, "pending");
        form.reset();
        showService();
        form.querySelector("[name=client_id]").value = newClientId();
      });
    }
    var attempt = navigator.onLine ? post(fields).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        return response.json().then(function (body) { window.location.assign(body.list_url); });
      }
      if (response.status === 400 || response.status === 403) {
        return response.json().then(function (body) { showErrors(body.errors || {}); });
      }
      return keepOffline();
    }, keepOffline) : keepOffline();
    attempt.then(function () { button.disabled = false; }, function () { button.disabled = false; });
  });

  window.addEventListener("online", function () { updateConnection(); flush(); });
  window.addEventListener("offline", updateConnection);
  updateConnection();
  queuedCards().then(function (entries) {
    entries.forEach(function (entry) { showState(entry, "pending"); });
    flush();
  }).catch(function () {});
  setInterval(flush, 30000);
})();
