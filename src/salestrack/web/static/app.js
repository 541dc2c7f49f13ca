// salestrack pages: charts, the pipeline board's drag and keyboard moves, check-in, the map.
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

  function initMap() {
    var el = document.getElementById("map");
    if (!el || typeof L === "undefined") return;
    var map = L.map(el, { attributionControl: !!el.dataset.tiles });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "" }).addTo(map);
    }
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

  document.addEventListener("DOMContentLoaded", function () {
    embedCharts(document);
    initBoard(document);
    initCheckin();
    initMap();
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    embedCharts(e.target);
    initBoard(e.target.closest("#board") ? document : e.target);
  });
})();
