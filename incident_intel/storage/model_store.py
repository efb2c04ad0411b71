"""Versioned model artefacts: data/model/<model>/<version>/ and a `latest` pointer.

A version's id derives from its training data and configuration, so the same data and config
give the same version, and re-running a training overwrites that version rather than adding one.
Only a model that passed its gates is promoted to `latest`.

A model whose use is watched for drift keeps its reference (`monitoring.reference`) in its own
JSON file beside the card, rather than in it: the card is copied whole into the evaluation
report, and the reference lists each field's most frequent values (callers among them), which
a report has no need to show.

Each version also records when it was saved, beside its card rather than in it: the card
describes the model, which the same data and config reproduce, and the save time does not.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from incident_intel.storage.atomic import staged_directory, write_bytes_atomic

ARTEFACT = "model.pkl"
CARD = "model_card.json"
THRESHOLDS = "thresholds.json"
DRIFT_REFERENCE = "drift_reference.json"
SAVED_AT = "saved_at"
LATEST = "latest"


def frame_fingerprint(frame: pl.DataFrame) -> str:
    """A content hash of a frame, independent of where it came from."""
    digest = hashlib.sha256()
    digest.update(json.dumps(frame.schema, default=str).encode())
    digest.update(frame.hash_rows(seed=0).to_numpy().tobytes())
    return digest.hexdigest()


def version_id(data_fingerprint: str, settings: dict[str, Any]) -> str:
    payload = json.dumps({"data": data_fingerprint, "settings": settings}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class StoredModel:
    name: str
    version: str
    path: Path
    estimator: Any
    card: dict[str, Any]
    thresholds: dict[str, Any]
    drift_reference: dict[str, Any] | None  # None for a model saved without one


class ModelStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _model_dir(self, name: str) -> Path:
        return self.root / name

    def save(
        self,
        name: str,
        version: str,
        estimator: Any,
        card: dict[str, Any],
        thresholds: dict[str, Any] | None = None,
        drift_reference: dict[str, Any] | None = None,
    ) -> Path:
        final = self._model_dir(name) / version
        with staged_directory(final) as staging:
            (staging / ARTEFACT).write_bytes(pickle.dumps(estimator, protocol=5))
            (staging / CARD).write_text(json.dumps(card, indent=2, sort_keys=True, default=str))
            (staging / THRESHOLDS).write_text(
                json.dumps(thresholds or {}, indent=2, sort_keys=True, default=str)
            )
            if drift_reference is not None:
                (staging / DRIFT_REFERENCE).write_text(json.dumps(drift_reference))
            (staging / SAVED_AT).write_text(datetime.now(UTC).isoformat())
        return final

    def promote(self, name: str, version: str) -> None:
        if not (self._model_dir(name) / version / ARTEFACT).exists():
            raise FileNotFoundError(f"cannot promote {name} {version}: it was never saved")
        write_bytes_atomic(self._model_dir(name) / LATEST, version.encode())

    def clear(self) -> None:
        """Forget every version of every model, so the next training starts from none."""
        if self.root.exists():
            shutil.rmtree(self.root)

    def candidates(self, name: str) -> list[str]:
        """Every saved version of a model, promoted or not."""
        directory = self._model_dir(name)
        if not directory.exists():
            return []
        # A save in progress, or the version it replaces, lies beside as a hidden directory.
        return sorted(
            p.name
            for p in directory.iterdir()
            if not p.name.startswith(".") and (p / CARD).exists()
        )

    def saved_at(self, name: str, version: str) -> datetime | None:
        """When a version was last saved; None for one saved before the store recorded it."""
        path = self._model_dir(name) / version / SAVED_AT
        return datetime.fromisoformat(path.read_text()) if path.exists() else None

    def newest_version(self, name: str) -> str | None:
        """The version saved most recently, by its recorded save time, not by file times, which
        copies and restores change. Versions with no recorded time are never the newest."""
        saved = {v: self.saved_at(name, v) for v in self.candidates(name)}
        timed = [(at, version) for version, at in saved.items() if at is not None]
        return max(timed)[1] if timed else None

    def thresholds(self, name: str, version: str) -> dict[str, Any]:
        return json.loads((self._model_dir(name) / version / THRESHOLDS).read_text())

    def card(self, name: str, version: str) -> dict[str, Any]:
        return json.loads((self._model_dir(name) / version / CARD).read_text())

    def saved_cards(self, name: str) -> list[dict[str, Any]]:
        """Every saved version's card, oldest save first: the model's training runs in order.

        Version ids are content hashes, so only the cards' write times order them; retraining
        the same data rewrites that version, which moves it to the end.
        """
        cards = [self._model_dir(name) / version / CARD for version in self.candidates(name)]
        return [json.loads(path.read_text()) for path in sorted(cards, key=_written_at)]

    def latest_version(self, name: str) -> str | None:
        pointer = self._model_dir(name) / LATEST
        return pointer.read_text().strip() if pointer.exists() else None

    def load(self, name: str, version: str | None = None) -> StoredModel:
        version = version or self.latest_version(name)
        if version is None:
            raise FileNotFoundError(
                f"no promoted version of {name} under {self._model_dir(name)}: "
                "materialise its model asset first"
            )
        path = self._model_dir(name) / version
        reference = path / DRIFT_REFERENCE
        return StoredModel(
            name=name,
            version=version,
            path=path,
            estimator=pickle.loads((path / ARTEFACT).read_bytes()),
            card=json.loads((path / CARD).read_text()),
            thresholds=json.loads((path / THRESHOLDS).read_text()),
            drift_reference=json.loads(reference.read_text()) if reference.exists() else None,
        )


def _written_at(path: Path) -> tuple[int, str]:
    return path.stat().st_mtime_ns, path.parent.name
