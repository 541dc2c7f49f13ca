// salestrack pages: charts, the pipeline board's drag and keyboard moves, check-in, the maps.
(function () {
  "use strict";

  function embedCharts(root) {
    if (typeof vegaEmbed === "undefined") return;
    root.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      if (el.dataset.done) return;
      el.dataset.done = "1";
      vegaEmbed(el, JSON.parse(el.dataset.chart), { actions: false, renderer: "svg" })
        .catch(function (err) { el.textContent = String(err); });
    });
  }

  function moveDeal(card, stage) {
    htmx.ajax("POST", "/board/" + card.dataset.deal + "/move", {
      source: card, target: "#board", swap: "innerHTML",
      values: { stage: stage, owner: card.dataset.owner || "" },
    });
  }

  function columnOf(el) { return el.closest(".column"); }

  function initBoard(root) {
    var board = root.querySelector(".board");
    if (!board) return;
    board.querySelectorAll(".deal").forEach(function (card) {
      card.addEventListener("dragstart", function (e) {
        e.dataTransfer.setData("text/plain", card.dataset.deal);
        e.dataTransfer.effectAllowed = "move";
      });
      card.addEventListener("keydown", function (e) {
        var col = columnOf(card);
        var next = e.key === "ArrowRight" ? col.nextElementSibling
                 : e.key === "ArrowLeft" ? col.previousElementSibling : null;
        if (e.key === "Enter") { card.querySelector("a").click(); return; }
        if (!next) return;
        e.preventDefault();
        moveDeal(card, next.dataset.stage);
      });
    });
    board.querySelectorAll(".column").forEach(function (col) {
      col.addEventListener("dragover", function (e) { e.preventDefault(); col.classList.add("over"); });
      col.addEventListener("dragleave", function () { col.classList.remove("over"); });
      col.addEventListener("drop", function (e) {
        e.preventDefault();
        col.classList.remove("over");
        var card = board.querySelector('.deal[data-deal="' + e.dataTransfer.getData("text/plain") + '"]');
        if (card && columnOf(card) !== col) moveDeal(card, col.dataset.stage);
      });
    });
    var moved = board.dataset.moved;
    if (moved) {
      var card = board.querySelector('.deal[data-deal="' + moved + '"]');
      if (card) card.focus();
    }
  }

  function initCheckin() {
    var form = document.getElementById("checkin-form");
    if (!form || !navigator.geolocation) return;
    var status = document.getElementById("geo-status");
    form.addEventListener("submit", function (e) {
      if (form.dataset.located) return;
      e.preventDefault();
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.latitude.value = pos.coords.latitude;
        form.longitude.value = pos.coords.longitude;
        form.accuracy_m.value = pos.coords.accuracy;
        form.dataset.located = "1";
        form.submit();
      }, function () {
        status.textContent = status.dataset.failed || "Position unavailable; checking in without it.";
        form.dataset.located = "1";
        form.submit();
      }, { enableHighAccuracy: true, timeout: 8000 });
    });
  }

  // A Leaflet map with the configured tiles; without a tile URL nothing is fetched.
  function baseMap(el) {
    var map = L.map(el, { attributionControl: !!el.dataset.tiles });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "" }).addTo(map);
    }
    return map;
  }

  function initMap() {
    var el = document.getElementById("map");
    if (!el || typeof L === "undefined") return;
    var map = baseMap(el);
    fetch(el.dataset.points, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (points) {
        var bounds = [];
        points.forEach(function (p) {
          var ll = [p.lat, p.lon];
          bounds.push(ll);
          var a = document.createElement("a");
          a.href = "/accounts/" + p.id;
          a.textContent = p.name + " (" + p.status + ")";
          L.circleMarker(ll, { radius: 6, color: "#1f5fa8", weight: 2,
                               fillOpacity: p.customer ? 0.9 : 0.1 }).bindPopup(a).addTo(map);
        });
        if (bounds.length) map.fitBounds(bounds, { padding: [20, 20] });
        else map.setView([0, 0], 2);
      });
  }

  function latLng(text) {  // "lat,lon" -> [lat, lon]
    return text ? text.split(",").map(Number) : null;
  }

  // A field route: numbered markers made from the stop list beside the map (so map and list
  // cannot disagree on the order), and one line from the start through every stop and back.
  function initRoute() {
    var el = document.getElementById("route-map");
    if (!el || typeof L === "undefined") return;
    var map = baseMap(el);
    var start = latLng(el.dataset.start), end = latLng(el.dataset.end);
    var line = start ? [start] : [];
    document.querySelectorAll("#route-stops li[data-number]").forEach(function (li) {
      var ll = [Number(li.dataset.lat), Number(li.dataset.lon)];
      line.push(ll);
      var icon = L.divIcon({ className: "stop-marker", html: li.dataset.number,
                             iconSize: [28, 28] });
      L.marker(ll, { icon: icon, title: li.dataset.number + ". " + li.dataset.name })
        .bindPopup(li.querySelector(".stop").cloneNode(true)).addTo(map);
    });
    if (end) line.push(end);
    [start, end].forEach(function (ll, i) {
      if (ll && (i === 0 || String(end) !== String(start))) {
        L.circleMarker(ll, { radius: 8, weight: 3, color: "#1b1b1b", fillColor: "#fff",
                             fillOpacity: 1, className: "route-home" })
          .bindTooltip(el.dataset.startLabel).addTo(map);
      }
    });
    // Every vertex is a stop: no simplification or clipping may drop one.
    if (line.length > 1) {
      L.polyline(line, { className: "route-line", color: "#1f5fa8", weight: 4, opacity: 0.8,
                         smoothFactor: 0, noClip: true }).addTo(map);
    }
    var home = initStartPicker(map, !start);
    if (line.length) map.fitBounds(line, { padding: [30, 30], maxZoom: 14 });
    else if (home) map.setView(home, 11);
    else map.setView([0, 0], 2);
  }

  // The plan form's start: a click on the map or the browser's position. With no route drawn,
  // the start the form already holds (the rep's last one) is shown; returns it, if any.
  function initStartPicker(map, showStart) {
    var form = document.getElementById("plan-form");
    if (!form) return null;
    var status = document.getElementById("start-status");
    var picked = null;
    function pick(lat, lon) {
      form.start_latitude.value = lat.toFixed(6);
      form.start_longitude.value = lon.toFixed(6);
      if (picked) picked.setLatLng([lat, lon]);
      else picked = L.circleMarker([lat, lon], { radius: 8, dashArray: "3" }).addTo(map);
    }
    map.on("click", function (e) { pick(e.latlng.lat, e.latlng.lng); });
    var button = document.getElementById("use-position");
    if (navigator.geolocation) {
      button.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (pos) {
          pick(pos.coords.latitude, pos.coords.longitude);
        }, function () {
          status.textContent = status.dataset.failed;
        }, { enableHighAccuracy: true, timeout: 8000 });
      });
    } else {
      button.hidden = true;
    }
    var lat = parseFloat(form.start_latitude.value), lon = parseFloat(form.start_longitude.value);
    if (isNaN(lat) || isNaN(lon)) return null;
    if (showStart) pick(lat, lon);
    return [lat, lon];
  }

  document.addEventListener("DOMContentLoaded", function () {
    embedCharts(document);
    initBoard(document);
    initCheckin();
    initMap();
    initRoute();
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    embedCharts(e.target);
    initBoard(e.target.closest("#board") ? document : e.target);
  });
})();
