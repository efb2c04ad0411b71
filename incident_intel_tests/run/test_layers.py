"""`incident-intel run`'s three runs: what each selects, and how each executes."""

import importlib
import json
from contextlib import nullcontext
from pathlib import Path

import dagster as dg
import pytest

from incident_intel.cli import main
from incident_intel.definitions import build_definitions
from incident_intel.run import layers
from incident_intel.run.layers import IN_PROCESS_RUN_CONFIG, MODELS_RUN_CONFIG, asset_selections
from incident_intel.settings import ProjectSettings
from incident_intel.storage.tables import (
    DASHBOARD,
    INCIDENT_PAGES,
    MODEL_EVALUATION,
    OPEN_INCIDENT_SCORES,
)


def test_the_dashboard_is_rebuilt_in_the_scoring_run():
    selections = asset_selections(ProjectSettings.load())
    runs = {name: set(selection.split(",")) for name, selection in selections._asdict().items()}
    assert runs["scoring"] == {
        OPEN_INCIDENT_SCORES.key.to_user_string(),
        DASHBOARD.key.to_user_string(),
    }
    assert MODEL_EVALUATION.key.to_user_string() in runs["unpartitioned"]
    assert INCIDENT_PAGES.key.to_user_string() in runs["daily"]
    every = runs["daily"] | runs["unpartitioned"] | runs["scoring"]
    assert sum(len(r) for r in runs.values()) == len(every)


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[list[str]]:
    """The command lines the runs would start, each run succeeding at once."""
    commands: list[list[str]] = []

    def record(command: list[str], *_, **__) -> int:
        commands.append(command)
        return 0

    monkeypatch.setenv("INCIDENT_INTEL_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(layers, "run_with_progress", record)
    monkeypatch.setattr(layers, "sweeping_dead_runs", nullcontext)
    return commands


def _arguments_after_selection(command: list[str]) -> list[str]:
    return command[command.index("--select") + 2 :]


def test_daily_and_scoring_runs_execute_in_process_and_the_models_run_forks_steps(launched):
    in_process = ["--config-json", '{"execution": {"config": {"in_process": {}}}}']
    layers.materialize_daily("daily", "2026-01-05", "2026-01-07")
    layers.materialize_unpartitioned("models")
    layers.materialize_scoring("scoring", "2026-01-07")
    assert [_arguments_after_selection(command) for command in launched] == [
        ["--partition-range", "2026-01-05...2026-01-07", *in_process],
        ["--config-json", json.dumps(MODELS_RUN_CONFIG)],
        ["--partition", "2026-01-07", *in_process],
    ]


def test_one_day_of_the_daily_layers_is_a_plain_partition_run(launched):
    layers.materialize_daily("daily", "2026-01-05", "2026-01-05")
    (command,) = launched
    assert _arguments_after_selection(command)[:2] == ["--partition", "2026-01-05"]


def test_the_in_process_run_config_fits_the_code_location_executor(tmp_path):
    """An executor set on the Definitions would reject this config, and every daily run with it."""
    job = build_definitions(
        ProjectSettings.load(), tmp_path
    ).resolve_implicit_global_asset_job_def()
    resolved = dg.validate_run_config(job, IN_PROCESS_RUN_CONFIG)
    assert "in_process" in resolved["execution"]["multi_or_in_process_executor"]


def test_the_models_run_config_forks_steps_from_a_server_that_imported_their_code(tmp_path):
    job = build_definitions(
        ProjectSettings.load(), tmp_path
    ).resolve_implicit_global_asset_job_def()
    resolved = dg.validate_run_config(job, MODELS_RUN_CONFIG)
    executor = resolved["execution"]["multi_or_in_process_executor"]["multiprocess"]
    preloaded = executor["start_method"]["forkserver"]["preload_modules"]
    assert preloaded[0] == "incident_intel.definitions"
    # A module that fails to import is skipped by the server without a word: each must import.
    for module in preloaded:
        importlib.import_module(module)


def test_materialize_runs_in_process_only_when_asked(launched, monkeypatch, tmp_path):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    main(["materialize", "--select", "group:silver", "--partition", "2026-01-05"])
    main(["materialize", "--select", "group:silver", "--partition", "2026-01-05", "--in-process"])
    assert ["--config-json" in command for command in launched] == [False, True]
