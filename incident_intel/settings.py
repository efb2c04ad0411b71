"""The project's settings: one typed object, read once from config/config.yaml, validated whole.

`ProjectSettings.load()` is called where the definitions are assembled and by the command line,
never at import time. The settings assets read (silver, features, models, business impact) reach
them through `SettingsResource`, so they show in the Dagster launchpad and can be overridden per
run. Deployment values (the data root, the config path, credentials) come from environment
variables.
"""

from __future__ import annotations

import copy
import os
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import dagster as dg
import yaml
from pydantic import BaseModel, Field, ValidationError, create_model

from incident_intel.settings_errors import describe
from incident_intel.settings_sections.base import Strict, StrictConfig
from incident_intel.settings_sections.models import (
    TRIAGE_TARGETS,
    BreachSettings,
    CatBoostSettings,
    ClusterSettings,
    ModelSettings,
    ResolutionTimeSettings,
    TriageSettings,
)
from incident_intel.settings_sections.operations import (
    DRIFT_SEVERITIES,
    BusinessImpactSettings,
    DriftSettings,
    FeedbackSettings,
    ServeSettings,
)
from incident_intel.settings_sections.pipeline import (
    SIMULATOR_MODES,
    FeatureSettings,
    SilverSettings,
    SimulatorSection,
    SourceSettings,
    SplitSettings,
)

# The sections live in settings_sections/, one module per concern; code imports them from here.
__all__ = [
    "DRIFT_SEVERITIES",
    "SIMULATOR_MODES",
    "TRIAGE_TARGETS",
    "BreachSettings",
    "BusinessImpactSettings",
    "CatBoostSettings",
    "ClusterSettings",
    "DriftSettings",
    "FeatureSettings",
    "FeedbackSettings",
    "ModelSettings",
    "ProjectSettings",
    "ResolutionTimeSettings",
    "ServeSettings",
    "SettingsError",
    "SettingsResource",
    "SilverSettings",
    "SimulatorSection",
    "SourceSettings",
    "SplitSettings",
    "Strict",
    "StrictConfig",
    "TriageSettings",
    "config_path",
    "data_dir",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = PROJECT_ROOT / "config" / "config.yaml"
DEFAULT_MAPPING_PATH = PROJECT_ROOT / "config" / "schema_mapping.yaml"
SettingsT = TypeVar("SettingsT", bound=BaseModel)


class SettingsError(ValueError):
    """A configuration file that cannot be used, with every problem named."""


class SettingsResource(dg.ConfigurableResource):
    """The settings assets read, from the file; the launchpad overrides them per run."""

    silver: SilverSettings = SilverSettings()
    features: FeatureSettings = FeatureSettings()
    models: ModelSettings = ModelSettings()
    feedback: FeedbackSettings = FeedbackSettings()
    business_impact: BusinessImpactSettings = BusinessImpactSettings()
    drift: DriftSettings = DriftSettings()


class ProjectSettings(Strict):
    """Everything in config/config.yaml."""

    # Every section is required: a section deleted by mistake must not pass as the defaults.
    partitions_start_date: date = Field(description="The first daily partition of sys_updated_on.")
    source: SourceSettings
    simulator: SimulatorSection
    silver: SilverSettings
    features: FeatureSettings
    models: ModelSettings
    feedback: FeedbackSettings
    serve: ServeSettings
    business_impact: BusinessImpactSettings
    drift: DriftSettings

    @classmethod
    def load(cls, path: Path | None = None) -> ProjectSettings:
        path = path or config_path()
        if not path.exists():
            raise SettingsError(
                f"configuration file {path} not found: set INCIDENT_INTEL_CONFIG to a valid path"
            )
        with open(path, encoding="utf-8") as handle:
            loaded = yaml.safe_load(handle)
        if not isinstance(loaded, dict):
            raise SettingsError(f"{path} must hold a YAML mapping at its top level")
        return cls.from_mapping(loaded, source=str(path))

    @classmethod
    def from_mapping(cls, values: dict[str, Any], source: str = "settings") -> ProjectSettings:
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problems = "\n".join(f"  - {describe(e, cls)}" for e in error.errors())
            raise SettingsError(f"{source} is not valid:\n{problems}") from None

    def resource(self) -> SettingsResource:
        """The assets' settings as a resource whose launchpad defaults are this file's.

        Dagster fills the keys a run's config leaves out from the config classes' defaults, not
        from the configured values; so a run that overrode one key would silently reset the
        others to the code's defaults. The resource's classes carry this file's values instead.
        """
        return _with_own_defaults(
            SettingsResource(
                silver=self.silver,
                features=self.features,
                models=self.models,
                feedback=self.feedback,
                business_impact=self.business_impact,
                drift=self.drift,
            )
        )


def _with_own_defaults(value: SettingsT) -> SettingsT:
    """A copy of `value` whose class (and nested sections' classes) default to its values."""
    cls = type(value)
    fields: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for name, info in cls.model_fields.items():
        current = getattr(value, name)
        if isinstance(current, StrictConfig):
            current = _with_own_defaults(current)
        annotation = type(current) if isinstance(current, StrictConfig) else info.annotation
        if info.metadata:
            annotation = Annotated[annotation, *info.metadata]
        default = Field(
            default_factory=lambda v=current: copy.deepcopy(v), description=info.description
        )
        fields[name] = (annotation, default)
        values[name] = current
    derived = create_model(
        cls.__name__, __base__=cls, __doc__=cls.__doc__, __module__=cls.__module__, **fields
    )
    return derived(**values)


def config_path() -> Path:
    return Path(os.environ.get("INCIDENT_INTEL_CONFIG", DEFAULT_CONFIG_PATH))


def data_dir() -> Path:
    return Path(os.environ.get("INCIDENT_INTEL_DATA_DIR", PROJECT_ROOT / "data")).resolve()
