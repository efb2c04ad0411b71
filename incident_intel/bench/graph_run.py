"""Run the whole graph in a throwaway data root with a derived config, and read it back."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import yaml

from incident_intel.settings import ProjectSettings
from incident_intel.storage.atomic import write_bytes_atomic

Result = TypeVar("Result")


def derived_config(**changes: Any) -> dict[str, Any]:
    """The project config with `section={key: value}` changes applied, validated, as a copy."""
    config = ProjectSettings.load().model_dump(mode="json")
    for section, values in changes.items():
        if isinstance(values, dict):
            for key, value in values.items():
                target = config.setdefault(section, {})
                if isinstance(value, dict):
                    target.setdefault(key, {}).update(value)
                else:
                    target[key] = value
        else:
            config[section] = values
    ProjectSettings.from_mapping(config, source="the derived configuration")
    return config


def write_config(path: Path, config: dict[str, Any]) -> None:
    """Replace the config file whole: a run starting meanwhile reads the old one or the new."""
    write_bytes_atomic(path, yaml.safe_dump(config).encode())


@contextmanager
def temporary_graph_root(config: dict[str, Any]) -> Iterator[Path]:
    """Point config, data root and Dagster home at a temporary directory for this process."""
    keys = ("INCIDENT_INTEL_CONFIG", "INCIDENT_INTEL_DATA_DIR", "DAGSTER_HOME")
    previous = {k: os.environ.get(k) for k in keys}
    with tempfile.TemporaryDirectory(prefix="incident-intel-bench-") as tmp:
        root = Path(tmp)
        write_config(root / "config.yaml", config)
        os.environ.update(
            INCIDENT_INTEL_CONFIG=str(root / "config.yaml"),
            INCIDENT_INTEL_DATA_DIR=str(root / "data"),
            DAGSTER_HOME=str(root / "data" / "dagster_home"),
        )
        try:
            yield root / "data"
        finally:
            for key, value in previous.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def run_graph(
    config: dict[str, Any], first: str, last: str, read: Callable[[Path], Result]
) -> tuple[dict[str, Any], Result]:
    """Materialise every asset for first...last under `config`; `read` inspects the data root."""
    from incident_intel.run.instance import ensure_dagster_home
    from incident_intel.run.layers import materialize_layers

    with temporary_graph_root(config) as data:
        ensure_dagster_home()
        settings = ProjectSettings.from_mapping(config)
        timings, succeeded = materialize_layers(settings, first, last)
        return {**timings, "models_run_succeeded": succeeded}, read(data)


def timings_figures(timings: dict[str, Any]) -> dict[str, Any]:
    return {
        f"{k}_seconds" if isinstance(v, float) else k: round(v, 1) if isinstance(v, float) else v
        for k, v in timings.items()
    }
