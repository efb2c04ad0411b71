(function () {
  "use strict";
  // Charts are drawn when their view is first shown: Plotly sizes a chart from its container,
  // and a hidden one has no size. <html data-drawn="<view>"> tells tests and the benchmark
  // that a view's charts are all on screen.
  performance.mark("dashboard:plotly-ready");
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
    Promise.all(pending).then(function () {
      if (!view.hidden) {
        performance.mark("dashboard:drawn");
        document.documentElement.setAttribute("data-drawn", view.getAttribute("data-view"));
      }
    });
  }

  document.addEventListener("dashboard:view", function (event) {
    draw(event.detail);
  });
  draw(document.querySelector("section.view:not([hidden])"));
})();
