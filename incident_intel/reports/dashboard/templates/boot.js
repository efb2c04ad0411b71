(function () {
  "use strict";
  // Runs before plotly.js, which takes seconds to start on a slow machine: the requested view
  // and its text (figures, tables, the risk list) show at once, and its charts follow. Each
  // switch of view is announced to charts.js with a "dashboard:view" event.
  // Views are found by data-view, not id: a hash naming an element's id would scroll past the
  // header and its tabs.
  function show(name) {
    var views = Array.prototype.slice.call(document.querySelectorAll("section.view"));
    var target = views.filter(function (view) {
      return view.getAttribute("data-view") === name;
    })[0] || views[0];
    var shown = target.getAttribute("data-view");
    views.forEach(function (view) {
      view.hidden = view !== target;
    });
    document.querySelectorAll("nav a").forEach(function (link) {
      link.classList.toggle("current", link.getAttribute("href") === "#" + shown);
    });
    document.documentElement.removeAttribute("data-drawn");
    document.dispatchEvent(new CustomEvent("dashboard:view", { detail: target }));
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
  performance.mark("dashboard:view-shown");
})();
