"""The Dagster UI as a user meets it: `dagster-webserver` on loopback over the trained lake,
read through its GraphQL API and screenshotted in headless Chromium."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import httpx
import pytest

from incident_intel.metadata import OWNER
from incident_intel.settings import PROJECT_ROOT
from incident_intel.storage.tables import SLA_BREACH_MODEL

pytestmark = pytest.mark.slow

INSTANCE = "telemetry:\n  enabled: false\nnux:\n  enabled: false\n"
ASSETS = """{ assetNodes { assetKey { path } groupName description kinds
  owners { ... on TeamAssetOwner { team } }
  assetChecksOrError { ... on AssetChecks { checks { name description } } } } }"""
MATERIALIZATION = """query ($path: [String!]!) { assetNodeOrError(assetKey: {path: $path}) {
  ... on AssetNode { assetMaterializations(limit: 1) {
    metadataEntries { label __typename ... on FloatMetadataEntry { floatValue } } } } } }"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _record_materialization(home: Path, result: dg.ExecuteInProcessResult, key: dg.AssetKey):
    """The instance the UI reads learns the model's last materialisation, metadata and all."""
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == key]
    with dg.DagsterInstance.from_config(str(home)) as instance:
        instance.report_runless_asset_event(
            dg.AssetMaterialization(asset_key=key, metadata=event.materialization.metadata)
        )


@pytest.fixture(scope="module")
def webserver(trained_lake, tmp_path_factory):
    root, result = trained_lake
    home = tmp_path_factory.mktemp("dagster_home")
    # Storage in the folder by default; no welcome dialog over the asset graph.
    (home / "dagster.yaml").write_text(INSTANCE)
    _record_materialization(home, result, SLA_BREACH_MODEL.key)
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "INCIDENT_INTEL_DATA_DIR": str(root)}
    command = [
        str(Path(sys.executable).with_name("dagster-webserver")),
        *("-m", "incident_intel.definitions", "-h", "127.0.0.1", "-p", str(port)),
    ]
    log = (home / "webserver.log").open("wb")
    server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while not _answers(url):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dagster-webserver did not start:\n{_tail(home / 'webserver.log')}")
            time.sleep(1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/server_info", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:]


def _graphql(url: str, query: str, **variables) -> dict:
    response = httpx.post(
        f"{url}/graphql", json={"query": query, "variables": variables}, timeout=120
    )
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def test_every_asset_and_check_is_listed_with_its_group_and_owner(webserver):
    from incident_intel.definitions import defs

    graph = defs().resolve_asset_graph()
    nodes = {tuple(n["assetKey"]["path"]): n for n in _graphql(webserver, ASSETS)["assetNodes"]}
    assert set(nodes) == {tuple(k.path) for k in graph.get_all_asset_keys()}
    for path, node in nodes.items():
        assert node["groupName"] == path[0], path
        assert node["description"] and node["kinds"], path
        assert node["owners"] == [{"team": OWNER.removeprefix("team:")}], path
    listed = {
        (path, check["name"])
        for path, node in nodes.items()
        for check in node["assetChecksOrError"]["checks"]
    }
    assert listed == {(tuple(c.asset_key.path), c.name) for c in graph.asset_check_keys}


def test_a_model_asset_shows_its_figures_as_floats(webserver):
    data = _graphql(webserver, MATERIALIZATION, path=SLA_BREACH_MODEL.key.path)
    [materialization] = data["assetNodeOrError"]["assetMaterializations"]
    floats = {
        e["label"]: e["floatValue"]
        for e in materialization["metadataEntries"]
        if e["__typename"] == "FloatMetadataEntry"
    }
    assert {"roc_auc", "pr_auc", "brier"} <= set(floats)
    assert 0.5 < floats["roc_auc"] <= 1


def test_the_asset_graph_draws(webserver, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(f"{webserver}/asset-groups", wait_until="networkidle", timeout=120_000)
    for layer in ("bronze", "silver", "gold", "ml", "reports"):
        page.get_by_text(layer, exact=True).first.wait_for(timeout=120_000)
    page.screenshot(path=tmp_path / "asset_graph.png")
    assert (tmp_path / "asset_graph.png").stat().st_size > 10_000
    page.close()
