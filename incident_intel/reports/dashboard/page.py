"""The dashboard as one self-contained HTML file: Jinja2 with autoescape for every piece of
text, the charts as escaped JSON data, and plotly.js inlined from a partial bundle shipped in
this package (vendor/, rebuilt by `make plotly-bundle`).

A Content-Security-Policy in the page admits only its own scripts, by hash: nothing loads
from the network, and a script smuggled into incident text would not run even if it ever
escaped the escaping.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from incident_intel.reports.dashboard.views import VIEWS, Views

TEMPLATES = resources.files("incident_intel.reports.dashboard") / "templates"
PLOTLY_BUNDLE = resources.files("incident_intel.reports.dashboard") / "vendor"
# The trace types vendor/plotly-dashboard.entry.js registers. The full plotly.js (4.6 MiB)
# took 2.5 s to start in headless Chromium here; this bundle (1.2 MiB) takes 0.5 s.
BUNDLED_TRACES = frozenset({"scatter", "bar", "heatmap", "treemap"})


@cache
def plotly_js() -> str:
    """The partial plotly.js bundle, of the same release as the plotly Python package that
    builds the figures: no CDN, no download."""
    script = (PLOTLY_BUNDLE / "plotly-dashboard.min.js").read_text("utf-8")
    if "</script" in script.lower():
        raise ValueError("the plotly.js bundle holds '</script': it cannot be inlined")
    return script


def unbundled_traces(charts: dict[str, dict[str, Any]]) -> set[str]:
    """Trace types among `charts` that the bundle cannot draw."""
    used = {trace.get("type", "scatter") for c in charts.values() for trace in c["data"]}
    return used - BUNDLED_TRACES


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["percent"] = lambda v, digits=0: "" if v is None else f"{v:.{digits}%}"
    environment.filters["number"] = lambda v, digits=1: "" if v is None else f"{v:,.{digits}f}"
    return environment


def _csp(scripts: list[str]) -> str:
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in scripts
    )
    # Plotly adds its own <style> elements and draws some markers from data: URLs.
    return (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
        "img-src data: blob:; font-src data:"
    )


def render_page(built: Views, header: dict[str, Any]) -> str:
    missing = unbundled_traces(built.charts)
    if missing:
        raise ValueError(
            f"charts of type {sorted(missing)} are not in the dashboard's plotly.js bundle: "
            "register them in vendor/plotly-dashboard.entry.js and run `make plotly-bundle`"
        )
    scripts = {
        "boot": (TEMPLATES / "boot.js").read_text("utf-8"),
        "plotly": plotly_js(),
        "charts": (TEMPLATES / "charts.js").read_text("utf-8"),
    }
    template = _environment().get_template("index.html.j2")
    return template.render(
        header=header,
        views=VIEWS,
        view=built.views,
        charts=built.charts,
        css=Markup((TEMPLATES / "dashboard.css").read_text("utf-8")),
        scripts={name: Markup(script) for name, script in scripts.items()},
        csp=_csp(list(scripts.values())),
    )
