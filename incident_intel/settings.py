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
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dagster as dg
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from incident_intel.settings_errors import describe

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = PROJECT_ROOT / "config" / "config.yaml"
DEFAULT_MAPPING_PATH = PROJECT_ROOT / "config" / "schema_mapping.yaml"
TRIAGE_TARGETS = ("category", "assignment_group", "priority")
SIMULATOR_MODES = ("synthetic", "replay")
DRIFT_SEVERITIES = ("WARN", "ERROR")
SettingsT = TypeVar("SettingsT", bound=BaseModel)


class SettingsError(ValueError):
    """A configuration file that cannot be used, with every problem named."""


class Strict(BaseModel):
    """A settings section that rejects keys it does not know."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class StrictConfig(dg.Config):
    """A settings section that Dagster shows in the launchpad, and that rejects unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _one_of(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"expected one of {', '.join(allowed)}")
    return value


def _iana_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("expected an IANA time zone name such as UTC or Europe/Lisbon") from None
    return name


def _iso_date(value: str | None) -> str | None:
    if value is not None:
        date.fromisoformat(str(value))
    return None if value is None else str(value)


class SourceSettings(StrictConfig):
    """How incidents are pulled: the mapping, the table, paging and retries."""

    mapping: str = "servicenow_table_api"
    table: str = "incident"
    page_size: int = Field(1000, gt=0)
    timeout_seconds: float = Field(30.0, gt=0)
    max_attempts: int = Field(6, ge=1)
    backoff_initial_seconds: float = Field(0.5, ge=0)
    backoff_max_seconds: float = Field(30.0, ge=0)
    # Ask only for the fields the mapping reads (sysparm_fields). Off, every field is pulled,
    # and the schema drift check can name fields the mapping could declare.
    request_mapped_fields_only: bool = True


class SimulatorSection(StrictConfig):
    """The embedded simulator: what it serves, where it listens and who may call it.

    `synthetic` generates seeded incidents opened from start_date on; `replay` serves the
    ServiceNow CSV export at replay_csv.
    """

    mode: str = "synthetic"
    replay_csv: str | None = None
    seed: int = 42
    incidents_per_day: float = Field(300, gt=0)
    start_date: str = "2025-12-01"
    host: str = "127.0.0.1"
    port: int = Field(8765, ge=0, le=65535)
    username: str | None = "admin"
    password: str | None = "simulator"
    audit_access: bool = True

    _valid_start_date = field_validator("start_date")(_iso_date)

    @field_validator("mode")
    @classmethod
    def _known_mode(cls, mode: str) -> str:
        return _one_of(mode, SIMULATOR_MODES)

    @model_validator(mode="after")
    def _consistent(self) -> SimulatorSection:
        if self.mode == "replay" and not self.replay_csv:
            raise ValueError("mode replay needs replay_csv, the path of a ServiceNow CSV export")
        if (self.username is None) != (self.password is None):
            raise ValueError("set both username and password, or neither")
        return self


class SilverSettings(StrictConfig):
    """How much a day's pull may lose to rejects before its partition fails."""

    max_reject_rate: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Rejects per bronze record above which a partition fails; exact repeats "
        "of a version (page overlaps) do not count, since nothing is lost.",
    )


class SplitSettings(StrictConfig):
    """The time split: the newest fractions test and validate, or a date starts the test.

    `test_end` closes the test window, so that one cutoff of a rolling-origin backtest tests
    only the days after it; what opened later is used by no model.
    """

    valid_fraction: float = Field(0.15, gt=0, lt=1)
    test_fraction: float = Field(0.15, gt=0, lt=1)
    test_start: str | None = Field(
        None, description="YYYY-MM-DD: incidents opened on or after it are the test split."
    )
    test_end: str | None = Field(
        None,
        description="YYYY-MM-DD after test_start: incidents opened on or after it are in no "
        "split a model uses.",
    )

    _valid_dates = field_validator("test_start", "test_end")(_iso_date)

    @model_validator(mode="after")
    def _test_window(self) -> SplitSettings:
        if self.test_end is None:
            return self
        if self.test_start is None:
            raise ValueError("test_end needs test_start, the first day of the test window")
        if date.fromisoformat(self.test_end) <= date.fromisoformat(self.test_start):
            raise ValueError(f"test_end {self.test_end} must be after test_start {self.test_start}")
        return self


class FeatureSettings(StrictConfig):
    """Features are as known at opened_at + horizon_minutes."""

    horizon_minutes: int = Field(0, ge=0)
    business_hours_start: int = Field(8, ge=0, le=23, description="Hour of day, local time.")
    business_hours_end: int = Field(18, ge=1, le=24, description="Hour of day, local time.")
    business_hours_timezone: str = Field(
        "UTC",
        description="IANA time zone of the team's working day, e.g. Europe/Lisbon; also the "
        "clock of the opened_hour and opened_weekday features.",
    )
    split: SplitSettings = SplitSettings()
    max_unknown_share: float = Field(
        0.05,
        ge=0,
        le=1,
        description="The most incidents that may have no version at or before their "
        "prediction time before the features check blocks training.",
    )

    _valid_timezone = field_validator("business_hours_timezone")(_iana_timezone)

    @property
    def test_start_date(self) -> date | None:
        return date.fromisoformat(self.split.test_start) if self.split.test_start else None

    @property
    def test_end_date(self) -> date | None:
        return date.fromisoformat(self.split.test_end) if self.split.test_end else None


class CatBoostSettings(StrictConfig):
    iterations: int = Field(600, ge=1)
    learning_rate: float = Field(0.06, gt=0)
    depth: int = Field(6, ge=1, le=16)


class BreachSettings(CatBoostSettings):
    recall_target: float = Field(0.8, gt=0, le=1)
    alert_fraction: float = Field(0.01, gt=0, lt=1)


class ResolutionTimeSettings(CatBoostSettings):
    interval_coverage: float = Field(0.8, gt=0, lt=1)


class TriageSettings(StrictConfig):
    targets: list[str] = Field(
        default_factory=lambda: list(TRIAGE_TARGETS),
        description="What triage suggests. A source without free text can triage only the group.",
    )
    min_class_count: int = Field(20, ge=1)
    target_precision: float = Field(0.9, gt=0, le=1)
    review_precision: float = Field(0.6, gt=0, le=1)
    C: float = Field(10.0, gt=0)

    @field_validator("targets")
    @classmethod
    def _known_targets(cls, targets: list[str]) -> list[str]:
        if not targets:
            raise ValueError(f"name at least one of {', '.join(TRIAGE_TARGETS)}")
        return [_one_of(t, TRIAGE_TARGETS) for t in targets]


class ClusterSettings(StrictConfig):
    k_min: int = Field(4, ge=2)
    k_max: int = Field(14, ge=2)
    silhouette_sample: int = Field(4000, ge=10)
    categorical_weight: float = Field(0.5, ge=0)


class ModelSettings(StrictConfig):
    """Seeds and hyperparameters of the four models, in one place."""

    seed: int = 42
    use_text_embeddings: bool = Field(
        True, description="Text embeddings enter the tabular models as PCA components."
    )
    embedding_components: int = Field(16, ge=1)
    sla_breach: BreachSettings = BreachSettings()
    resolution_time: ResolutionTimeSettings = ResolutionTimeSettings()
    triage: TriageSettings = TriageSettings()
    clusters: ClusterSettings = ClusterSettings()


class FeedbackSettings(StrictConfig):
    """When the feedback the API received is enough to train again."""

    retrain_after: int = Field(
        50,
        ge=1,
        description="Feedback received since the models last trained that should trigger "
        "their retraining.",
    )


class ServeSettings(StrictConfig):
    """The scoring API: where it listens, what it accepts, and how often it looks for models."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    max_body_bytes: int = Field(8 * 1024 * 1024, gt=0, description="Larger request bodies get 413.")
    max_batch: int = Field(1000, ge=1, description="Incidents one /predict/batch may hold.")
    reload_seconds: float = Field(
        30.0, gt=0, description="How often the API checks the model store for a promotion."
    )
    stale_after_hours: float = Field(
        48.0, gt=0, description="Older data than this makes /health say degraded."
    )
    shadow: bool = Field(
        True, description="Score each request with the newest unpromoted version too, and log it."
    )


class BusinessImpactSettings(StrictConfig):
    """What an alert costs and a prevented breach saves: the business impact assumptions."""

    intervention_effect: float = Field(
        0.3,
        ge=0,
        le=1,
        description="The share of alerted true breaches that the team's intervention prevents.",
    )
    review_minutes: float = Field(
        15, ge=0, description="Minutes of an engineer's time to review one alert, true or false."
    )
    engineer_hour_cost: float = Field(60, ge=0, description="An engineer's hour, in currency.")
    breach_cost: float = Field(500, ge=0, description="One SLA breach, in currency.")
    currency: str = Field("EUR", min_length=1, description="The unit the costs are written in.")
    period_days: int = Field(
        30, gt=0, description="The report scales the test window's figures to this many days."
    )


class DriftSettings(StrictConfig):
    """When the open incidents have drifted from what the breach model learnt, and when that,
    or enough feedback, launches a retraining."""

    warn_above: float = Field(
        0.1, gt=0, description="PSI above which a drift check fails with severity WARN."
    )
    error_above: float = Field(
        0.25, gt=0, description="PSI above which a drift check fails with severity ERROR."
    )
    min_incidents: int = Field(
        200,
        ge=1,
        description="A day with fewer open incidents scored is measured but not judged: "
        "PSI over n incidents in b bins is about (b - 1) / n by chance alone.",
    )
    retrain_at: str = Field(
        "ERROR", description="The drift check severity (WARN or ERROR) that launches retraining."
    )

    @field_validator("retrain_at")
    @classmethod
    def _known_severity(cls, value: str) -> str:
        return _one_of(value, DRIFT_SEVERITIES)

    @model_validator(mode="after")
    def _ordered(self) -> DriftSettings:
        if self.error_above <= self.warn_above:
            raise ValueError(
                f"error_above {self.error_above} must be above warn_above {self.warn_above}"
            )
        return self


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
