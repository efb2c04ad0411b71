(function () {
  "use strict";
  // Charts are drawn when their view is first shown: Plotly sizes a chart from its container,
  // and a hidden one has no size. <html data-drawn="<view>"> tells tests and the benchmark
  // that a view's charts are all on screen.
  var charts = JSON.parse(document.getElementById("dashboard-charts").textContent);
  var drawn = {};
  var config = { responsive: true, displaylogo: false };

  function draw(view) {
    var pending = [];
    view.querySelectorAll("[data-chart]").forEach(function (element) {
      var id = element.getAttribute("data-chart");
      if (!drawn[id]) {
        drawn[id] = true;
        pending.push(Plotly.newPlot(element, charts[id].data, charts[id].layout, config));
      }
    });
    return Promise.all(pending);
  }

  function show(name) {
    var views = document.querySelectorAll("section.view");
    var target = document.getElementById(name);
    if (!target || !target.classList.contains("view")) {
      target = views[0];
    }
    views.forEach(function (view) {
      view.hidden = view !== target;
    });
    document.querySelectorAll("nav a").forEach(function (link) {
      link.classList.toggle("current", link.getAttribute("href") === "#" + target.id);
    });
    document.documentElement.removeAttribute("data-drawn");
    draw(target).then(function () {
      document.documentElement.setAttribute("data-drawn", target.id);
    });
  }

  function filterRisks() {
    var wanted = {};
    document.querySelectorAll("select[data-filter]").forEach(function (select) {
      if (select.value) {
        wanted[select.getAttribute("data-filter")] = select.value;
      }
    });
    var shown = 0;
    document.querySelectorAll("tbody.incident").forEach(function (incident) {
      var keep = Object.keys(wanted).every(function (key) {
        return incident.getAttribute("data-" + key) === wanted[key];
      });
      incident.hidden = !keep;
      shown += keep ? 1 : 0;
    });
    document.getElementById("risk-shown").textContent = String(shown);
  }

  document.querySelectorAll("select[data-filter]").forEach(function (select) {
    select.addEventListener("change", filterRisks);
  });
  window.addEventListener("hashchange", function () {
    show(location.hash.slice(1));
  });
  show(location.hash.slice(1));
})();
