"""The promoted version of each model that scores incidents, loaded once from the model store."""

from __future__ import annotations

from dataclasses import dataclass

from incident_intel.storage.model_store import ModelStore, StoredModel
from incident_intel.storage.tables import RESOLUTION_TIME_MODEL, SLA_BREACH_MODEL, TRIAGE_MODEL

SCORING_MODELS = (SLA_BREACH_MODEL.name, RESOLUTION_TIME_MODEL.name, TRIAGE_MODEL.name)


@dataclass(frozen=True)
class PromotedModels:
    """Each scoring model's promoted version; None where no version passed its gates yet."""

    breach: StoredModel | None
    resolution_time: StoredModel | None
    triage: StoredModel | None

    @classmethod
    def load(cls, store: ModelStore, versions: dict[str, str] | None = None) -> PromotedModels:
        """The `latest` of each model, or the given versions (a model name to a version id)."""
        return cls.exactly(store, latest_versions(store) | (versions or {}))

    @classmethod
    def exactly(cls, store: ModelStore, versions: dict[str, str | None]) -> PromotedModels:
        """The given versions only: a model with no version given is left out."""
        loaded = {
            name: None if versions.get(name) is None else store.load(name, versions[name])
            for name in SCORING_MODELS
        }
        return cls(
            breach=loaded[SLA_BREACH_MODEL.name],
            resolution_time=loaded[RESOLUTION_TIME_MODEL.name],
            triage=loaded[TRIAGE_MODEL.name],
        )

    @property
    def versions(self) -> dict[str, str | None]:
        """Model name to the version that scores, None where there is none."""
        models = (self.breach, self.resolution_time, self.triage)
        return {
            name: None if model is None else model.version
            for name, model in zip(SCORING_MODELS, models, strict=True)
        }

    @property
    def missing(self) -> list[str]:
        return [name for name, version in self.versions.items() if version is None]


def latest_versions(store: ModelStore) -> dict[str, str | None]:
    """What `latest` points at for each scoring model: cheap, for noticing a promotion."""
    return {name: store.latest_version(name) for name in SCORING_MODELS}
