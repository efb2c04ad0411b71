"""Settings of the four models: seeds and hyperparameters."""

from __future__ import annotations

from pydantic import Field, field_validator

from incident_intel.settings_sections.base import StrictConfig, one_of

TRIAGE_TARGETS = ("category", "assignment_group", "priority")


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
        return [one_of(t, TRIAGE_TARGETS) for t in targets]


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
