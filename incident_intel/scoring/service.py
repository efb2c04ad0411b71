"""Scoring new incidents on demand: what the API holds in memory and swaps when models change.

It loads once: the promoted models, the similar-incident index over everything resolved, and
the lake's current load. Text is embedded per request with the same model gold uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import polars as pl

from incident_intel.gold.embedding_cache import Embedder, incident_text
from incident_intel.gold.embeddings import EMBEDDING_DIM
from incident_intel.ml.tabular_data import embedding_matrix
from incident_intel.scoring.as_of_day import load_at, resolved_by
from incident_intel.scoring.incident_in import IncidentIn
from incident_intel.scoring.new_incident_features import LakeLoad, feature_rows
from incident_intel.scoring.promoted import PromotedModels
from incident_intel.scoring.scorer import IncidentScorer, as_records
from incident_intel.scoring.similar import MATCH_FIELDS, SimilarIndex
from incident_intel.settings import ProjectSettings
from incident_intel.silver.mapping import ExtraField, load_schema_mapping
from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.reader import lake_reader
from incident_intel.storage.tables import (
    INCIDENT_FEATURES,
    INCIDENT_TEXT_EMBEDDINGS,
    INCIDENT_VERSIONS,
)


def embeddings_of(rows: pl.DataFrame, embedder: Embedder | None) -> pl.DataFrame | None:
    """The (sys_id, embedding) frame of rows that have text; None without an embedder.

    Rows without text have no embedding, as in gold: the models read zeros for them.
    """
    if embedder is None:
        return None
    text = incident_text(pl.col("short_description"), pl.col("description")).alias("text")
    texts = rows.select("sys_id", text).filter(pl.col("text") != "").unique("sys_id", keep="first")
    vectors = embedder.embed(texts["text"].to_list()).astype(np.float32)
    return pl.DataFrame(
        {"sys_id": texts["sys_id"], "embedding": vectors},
        schema={"sys_id": pl.String, "embedding": pl.Array(pl.Float32, EMBEDDING_DIM)},
    )


def _data_as_of(paths: LakePaths) -> datetime | None:
    if not paths.has_partitions(INCIDENT_VERSIONS):
        return None
    with lake_reader(paths) as connection:
        [(latest,)] = connection.sql(
            "SELECT max(sys_updated_on) FROM silver.incident_versions"
        ).fetchall()
    return latest


@dataclass(frozen=True)
class ScoringInputs:
    rows: pl.DataFrame  # shaped like gold/incident_features
    embeddings: pl.DataFrame | None  # (sys_id, embedding) of the rows with text


@dataclass(frozen=True)
class ScoringService:
    scorer: IncidentScorer
    load: LakeLoad
    settings: ProjectSettings
    extras: tuple[ExtraField, ...]
    embedder: Embedder | None
    data_as_of: datetime | None  # the newest update the lake held when this loaded

    @classmethod
    def load_from(
        cls, paths: LakePaths, settings: ProjectSettings, embedder: Embedder | None
    ) -> ScoringService:
        """Load the promoted models, and index every incident resolved so far."""
        models = PromotedModels.load(ModelStore(paths.models))
        as_of = _data_as_of(paths)
        similar, load = None, LakeLoad()
        if as_of is not None and paths.table_file(INCIDENT_FEATURES).exists():
            moment = as_of + timedelta(microseconds=1)
            with lake_reader(paths) as connection:
                resolved = resolved_by(connection, moment)
                load = load_at(connection, moment)
            features = pl.read_parquet(
                paths.table_file(INCIDENT_FEATURES),
                columns=["sys_id", "short_description", "description", *MATCH_FIELDS],
            )
            embeddings = pl.read_parquet(paths.table_file(INCIDENT_TEXT_EMBEDDINGS))
            pool = resolved.join(features, on="sys_id", how="inner")
            similar = SimilarIndex.build(pool, embeddings)
        coverage = settings.models.resolution_time.interval_coverage
        extras = tuple(load_schema_mapping().extras.values())
        scorer = IncidentScorer(models, similar, coverage)
        return cls(scorer, load, settings, extras, embedder, as_of)

    @property
    def versions(self) -> dict[str, str | None]:
        return self.scorer.versions

    def inputs(self, incidents: list[IncidentIn]) -> ScoringInputs:
        """The feature rows and text embeddings of incidents that each have an id and an
        opening time: what any scorer reads, so a second one need not rebuild them."""
        rows = feature_rows(incidents, self.settings.features, self.load, self.extras)
        return ScoringInputs(rows, embeddings_of(rows, self.embedder))

    def score_inputs(self, inputs: ScoringInputs, similar_k: int = 5) -> list[dict[str, Any]]:
        """Every output for each incident, in order."""
        return as_records(self.scorer.score(inputs.rows, inputs.embeddings, similar_k=similar_k))

    def inputs_and_scores(
        self, incidents: list[IncidentIn], similar_k: int = 5
    ) -> tuple[ScoringInputs, list[dict[str, Any]]]:
        """The inputs of `inputs` and the outputs of `score_inputs`, in one call."""
        inputs = self.inputs(incidents)
        return inputs, self.score_inputs(inputs, similar_k)

    def score(self, incidents: list[IncidentIn], similar_k: int = 5) -> list[dict[str, Any]]:
        """Every output for each incident, in order; each has an id and an opening time."""
        return self.inputs_and_scores(incidents, similar_k)[1]

    def similar(self, text: str, k: int) -> list[dict[str, Any]]:
        """The k resolved incidents most like `text`."""
        if self.scorer.similar is None:
            return []
        rows = pl.DataFrame(
            {"sys_id": ["query"], "short_description": [text], "description": [None]},
            schema={"sys_id": pl.String, "short_description": pl.String, "description": pl.String},
        )
        embeddings = embeddings_of(rows, self.embedder)
        vectors = None if embeddings is None else embedding_matrix(rows, embeddings)
        return self.scorer.similar.query(rows, vectors, k)[0]
