from __future__ import annotations

import argparse
from datetime import date

import pytest
import yaml

from incident_intel.settings import DEFAULT_CONFIG_PATH
from incident_intel.simulator.cli import add_simulator_parser, build_store, settings_from_args
from incident_intel.simulator.replay import ReplayIncidentStore
from incident_intel.simulator.settings import FaultSettings, SimulatorSettings
from incident_intel.simulator.synthetic import SyntheticIncidentStore
from incident_intel_tests.simulator.support import REPLAY_CSV


@pytest.fixture(scope="module")
def config() -> dict:
    return yaml.safe_load(DEFAULT_CONFIG_PATH.read_text())


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="incident-intel")
    add_simulator_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["simulator", "serve", *argv])


def test_settings_come_from_the_config_file(config):
    settings = SimulatorSettings.from_config(config)
    section = config["simulator"]
    assert settings.port == section["port"]
    assert settings.username == section["username"]
    assert settings.start_date == date.fromisoformat(section["start_date"])
    assert settings.faults == FaultSettings()
    assert settings.rate_limit_per_second is None


def test_flags_override_the_config(config):
    args = parse(
        "--port", "9000", "--seed", "5", "--incidents-per-day", "50",
        "--start-date", "2026-02-01", "--token", "abc", "--rate-limit", "20",
        "--error-rate", "0.1", "--latency-ms", "5", "--fault-seed", "9",
        "--update-during-paging-rate", "0.2", "--duplicate-row-rate", "0.3",
        "--short-page-rate", "0.4", "--truncated-body-rate", "0.05",
    )  # fmt: skip
    settings = settings_from_args(args, config)
    assert (settings.port, settings.seed, settings.incidents_per_day) == (9000, 5, 50)
    assert settings.start_date == date(2026, 2, 1)
    assert settings.token == "abc"
    assert settings.username == config["simulator"]["username"]
    assert settings.rate_limit_per_second == 20
    assert settings.faults == FaultSettings(
        seed=9,
        error_rate=0.1,
        latency_ms=5,
        truncated_body_rate=0.05,
        update_during_paging_rate=0.2,
        duplicate_row_rate=0.3,
        short_page_rate=0.4,
    )
    assert callable(args.handler)


def test_builds_the_store_for_the_mode(config):
    synthetic = build_store(parse("--seed", "3"), settings_from_args(parse("--seed", "3"), config))
    assert isinstance(synthetic, SyntheticIncidentStore)
    assert synthetic.seed == 3
    with pytest.raises(SystemExit):
        build_store(parse("--mode", "replay"), SimulatorSettings())
    if REPLAY_CSV.exists():
        replay = parse("--mode", "replay", "--csv", str(REPLAY_CSV))
        assert isinstance(build_store(replay, SimulatorSettings()), ReplayIncidentStore)


@pytest.mark.parametrize(
    "section",
    [
        {"faults": {"error_rate": 1.5}},
        {"faults": {"latency_ms": -1}},
        {"nonsense": 1},
        {"username": "admin"},
        {"rate_limit_per_second": 0},
    ],
)
def test_invalid_settings_are_refused(section):
    with pytest.raises((ValueError, TypeError)):
        SimulatorSettings.from_config({"simulator": section})
