"""The local Dagster instance: $DAGSTER_HOME under the data root, and the UI started on it."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from incident_intel.run.recovery import sweep_dead_runs
from incident_intel.settings import PROJECT_ROOT, data_dir
from incident_intel.storage.paths import LakePaths

# `dagster asset materialize` says once per call that `dg launch` supersedes it, and a
# `group:` selection that its parser uses a beta parameter. The command still works and is what
# CI and the README use, so runs started from here hide those two notices.
QUIET_WARNINGS = ",".join(
    [
        "ignore:Function `asset_materialize_command` is superseded:FutureWarning",
        "ignore:Parameter `include_sources` of function `AssetSelection.groups`:Warning",
    ]
)


def ensure_dagster_home() -> Path:
    """Create $DAGSTER_HOME with the project's dagster.yaml, and export it for child processes."""
    home = Path(os.environ.get("DAGSTER_HOME") or LakePaths(data_dir()).dagster_home).resolve()
    home.mkdir(parents=True, exist_ok=True)
    instance_yaml = home / "dagster.yaml"
    template = PROJECT_ROOT / "dagster.yaml"
    if not instance_yaml.exists() or instance_yaml.read_bytes() != template.read_bytes():
        shutil.copyfile(template, instance_yaml)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def dagster_executable() -> str:
    sibling = Path(sys.executable).with_name("dagster")
    return str(sibling) if sibling.exists() else (shutil.which("dagster") or "dagster")


def quiet_environment() -> dict[str, str]:
    """The environment for Dagster's command line, without its two notices."""
    existing = os.environ.get("PYTHONWARNINGS")
    warnings = f"{existing},{QUIET_WARNINGS}" if existing else QUIET_WARNINGS
    return {**os.environ, "PYTHONWARNINGS": warnings}


def serve_ui(host: str = "127.0.0.1", port: int = 3000) -> None:
    ensure_dagster_home()
    # The daemon fails only the runs it launched, or any after its max runtime: a run that
    # `incident-intel run` started and that was killed would hold its pool slots until then.
    sweep_dead_runs()
    os.chdir(PROJECT_ROOT)
    dagster = dagster_executable()
    arguments = [dagster, "dev", "-w", "workspace.yaml", "-h", host, "-p", str(port)]
    os.execve(dagster, arguments, quiet_environment())
