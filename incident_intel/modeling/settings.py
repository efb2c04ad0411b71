"""Model settings from config/config.yaml: seeds and hyperparameters live in one place."""

from __future__ import annotations

from typing import Any

from incident_intel.settings import load_config


def model_settings(config: dict[str, Any] | None = None) -> dict[str, Any]:
    config = config or load_config()
    settings = dict(config.get("models", {}))
    settings["seed"] = int(config.get("seeds", {}).get("global", 42))
    return settings
