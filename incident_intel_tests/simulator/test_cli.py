from __future__ import annotations

import argparse
from datetime import date

import pytest
import yaml

from incident_intel.settings import (
    DEFAULT_CONFIG_PATH,
    ProjectSettings,
    SettingsError,
    SimulatorSection,
)
from incident_intel.simulator.cli import add_simulator_parser, build_store, settings_from_args
from incident_intel.simulator.replay import ReplayIncidentStore
from incident_intel.simulator.settings import FaultSettings, SimulatorSettings
from incident_intel.simulator.synthetic import SyntheticIncidentStore


@pytest.fixture(scope="module")
def section() -> SimulatorSection:
    """The `simulator:` section of config/config.yaml."""
    return ProjectSettings.load().simulator


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="incident-intel")
    add_simulator_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["simulator", "serve", *argv])


def _project(simulator: dict) -> ProjectSettings:
    shipped = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text())
    return ProjectSettings.from_mapping({**shipped, "simulator": simulator})


def test_settings_come_from_the_config_file(section):
    settings = SimulatorSettings.from_section(section)
    assert settings.port == section.port
    assert settings.username == section.username
    assert settings.password == section.password
    assert settings.seed == section.seed
    assert settings.start_date == date.fromisoformat(section.start_date)
    assert settings.faults == FaultSettings()
    assert settings.rate_limit_per_second is None
    assert section.audit_access
    assert settings.audit_forbidden_users == ()


@pytest.mark.parametrize(
    ("simulator", "forbidden"),
    [
        ({"audit_access": False}, ("admin",)),
        ({"audit_access": False, "username": None, "password": None}, ("",)),
        ({"audit_access": True}, ()),
    ],
)
def test_audit_access_false_forbids_the_audit_tables_to_the_configured_user(simulator, forbidden):
    section = _project(simulator).simulator
    assert SimulatorSettings.from_section(section).audit_forbidden_users == forbidden


def test_forbid_audit_to_adds_users_to_the_config_s(section):
    args = parse("--forbid-audit-to", "bob", "--forbid-audit-to", "carol")
    assert settings_from_args(args, section).audit_forbidden_users == ("bob", "carol")
    restricted = _project({"audit_access": False}).simulator
    assert settings_from_args(args, restricted).audit_forbidden_users == ("admin", "bob", "carol")
    assert settings_from_args(parse(), restricted).audit_forbidden_users == ("admin",)


def test_flags_override_the_config(section):
    args = parse(
        "--port", "9000", "--seed", "5", "--incidents-per-day", "50",
        "--start-date", "2026-02-01", "--token", "abc", "--rate-limit", "20",
        "--error-rate", "0.1", "--latency-ms", "5", "--fault-seed", "9",
        "--update-during-paging-rate", "0.2", "--duplicate-row-rate", "0.3",
        "--short-page-rate", "0.4", "--truncated-body-rate", "0.05",
        "--base-url", "https://sim.example.com",
    )  # fmt: skip
    settings = settings_from_args(args, section)
    assert (settings.port, settings.seed, settings.incidents_per_day) == (9000, 5, 50)
    assert settings.start_date == date(2026, 2, 1)
    assert settings.token == "abc"
    assert settings.username == section.username
    assert settings.rate_limit_per_second == 20
    assert settings.link_base(9000) == "https://sim.example.com"
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


@pytest.mark.parametrize(
    ("host", "base_url", "expected"),
    [
        ("127.0.0.1", None, "http://127.0.0.1:8123"),
        ("::1", None, "http://[::1]:8123"),
        ("0.0.0.0", "https://sim.example.com/sn/", "https://sim.example.com/sn"),
    ],
)
def test_links_start_with_the_base_url_or_the_bound_address(host, base_url, expected):
    assert SimulatorSettings(host=host, base_url=base_url).link_base(8123) == expected


def test_builds_the_store_for_the_mode(section, servicenow_event_log):
    synthetic = build_store(parse("--seed", "3"), settings_from_args(parse("--seed", "3"), section))
    assert isinstance(synthetic, SyntheticIncidentStore)
    assert synthetic.seed == 3
    with pytest.raises(SystemExit):
        build_store(parse("--mode", "replay"), SimulatorSettings())
    replay = parse("--mode", "replay", "--csv", str(servicenow_event_log))
    assert isinstance(build_store(replay, SimulatorSettings()), ReplayIncidentStore)


@pytest.mark.parametrize(
    "flags",
    [
        ("--error-rate", "1.5"),
        ("--latency-ms", "-1"),
        ("--rate-limit", "0"),
        ("--base-url", "sim.example.com"),
        ("--base-url", "https://sim.example.com/?q=1"),
    ],
)
def test_invalid_flags_are_refused(section, flags):
    with pytest.raises(ValueError):
        settings_from_args(parse(*flags), section)


@pytest.mark.parametrize(
    ("simulator", "named"),
    [
        # Faults and rate limits come from flags only: the configuration does not take them.
        ({"faults": {"error_rate": 1.5}}, "simulator.faults: unknown key"),
        ({"rate_limit_per_second": 0}, "simulator.rate_limit_per_second: unknown key"),
        ({"nonsense": 1}, "simulator.nonsense: unknown key"),
        ({"port": 70000}, "simulator.port: 70000 is not allowed"),
        ({"mode": "replay"}, "mode replay needs replay_csv"),
    ],
)
def test_invalid_config_sections_are_refused(simulator, named):
    with pytest.raises(SettingsError, match="simulator") as refused:
        _project(simulator)
    assert named in str(refused.value)


def test_a_username_without_a_password_is_refused_when_the_settings_load():
    with pytest.raises(SettingsError, match="username and password"):
        _project({"username": "admin", "password": None})
