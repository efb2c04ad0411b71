"""A promotion while the API is under load: the new models swap in, and no request fails."""

import shutil
import threading
import time

import httpx
import pytest
import uvicorn

from incident_intel.settings import ServeSettings
from incident_intel.storage.model_store import ModelStore
from incident_intel_tests.api.conftest import AUTH, lake_app

pytestmark = pytest.mark.slow

BREACH = "sla_breach_model"


class LiveServer(uvicorn.Server):
    """uvicorn on a free loopback port, in a thread."""

    def __enter__(self) -> str:
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        while not self.started:
            time.sleep(0.05)
        [server] = self.servers
        host, port = server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def __exit__(self, *exc) -> None:
        self.should_exit = True
        self.thread.join(timeout=30)


def _promote_a_new_breach_version(root) -> str:
    store = ModelStore(root / "model")
    current = store.latest_version(BREACH)
    shutil.copytree(root / "model" / BREACH / current, root / "model" / BREACH / "swapped00001")
    store.promote(BREACH, "swapped00001")
    return current


def test_a_promotion_under_load_swaps_models_without_a_failed_request(trained_lake, tmp_path):
    root, _ = trained_lake
    lake = tmp_path / "lake"
    shutil.copytree(root, lake, ignore=shutil.ignore_patterns("dagster_home", "bronze"))
    app = lake_app(lake, ServeSettings(reload_seconds=0.2))
    statuses, versions, stop = [], set(), threading.Event()

    def client_loop(url: str) -> None:
        with httpx.Client(base_url=url, headers=AUTH, timeout=60) as client:
            while not stop.is_set():
                response = client.post("/predict", json={"short_description": "VPN down"})
                statuses.append(response.status_code)
                if response.status_code == 200:
                    versions.add(response.json()["model_versions"][BREACH])

    with LiveServer(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")) as url:
        clients = [threading.Thread(target=client_loop, args=(url,)) for _ in range(4)]
        for thread in clients:
            thread.start()
        time.sleep(2)
        before = _promote_a_new_breach_version(lake)
        deadline = time.monotonic() + 60
        while "swapped00001" not in versions and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        stop.set()
        for thread in clients:
            thread.join()
        health = httpx.get(f"{url}/health").json()
    assert statuses and set(statuses) == {200}
    assert versions == {before, "swapped00001"}
    assert health["model_swaps"] == 1 and health["model_versions"][BREACH] == "swapped00001"
