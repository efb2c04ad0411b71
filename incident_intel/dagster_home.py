"""The local Dagster instance folder: $DAGSTER_HOME, by default under the data root."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from incident_intel.settings import PROJECT_ROOT, data_dir


def ensure_dagster_home() -> Path:
    """Create $DAGSTER_HOME with the project's dagster.yaml, and export it for child processes."""
    home = Path(os.environ.get("DAGSTER_HOME") or data_dir() / "dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    instance_yaml = home / "dagster.yaml"
    template = PROJECT_ROOT / "dagster.yaml"
    if not instance_yaml.exists() or instance_yaml.read_bytes() != template.read_bytes():
        shutil.copyfile(template, instance_yaml)
    os.environ["DAGSTER_HOME"] = str(home)
    return home
