"""Project configuration: `config/config.yaml`, with deployment values from the environment."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = PROJECT_ROOT / "config" / "config.yaml"
DEFAULT_MAPPING_PATH = PROJECT_ROOT / "config" / "schema_mapping.yaml"


def config_path() -> Path:
    return Path(os.environ.get("INCIDENT_INTEL_CONFIG", DEFAULT_CONFIG_PATH))


@lru_cache(maxsize=4)
def _load_yaml(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} must hold a YAML mapping at its top level")
    return loaded


def load_config() -> dict[str, Any]:
    path = config_path()
    if not path.exists():
        raise FileNotFoundError(
            f"Configuration file {path} not found; set INCIDENT_INTEL_CONFIG to a valid path"
        )
    return _load_yaml(str(path))


def data_dir() -> Path:
    return Path(os.environ.get("INCIDENT_INTEL_DATA_DIR", PROJECT_ROOT / "data")).resolve()
