"""The open-incident view of one day: every incident open when the day ended, scored.

Features are each incident's as of its prediction time (what the models learnt from), from
gold; the population and the similar incidents are the day's own: open, and resolved, as the
versions updated before the day ended say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from incident_intel.partitions import day_window
from incident_intel.scoring.as_of_day import open_at, resolved_by
from incident_intel.scoring.promoted import PromotedModels
from incident_intel.scoring.scorer import IncidentScorer
from incident_intel.scoring.similar import MATCH_FIELDS, SimilarIndex
from incident_intel.storage.model_store import ModelStore, StoredModel
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.reader import lake_reader
from incident_intel.storage.tables import INCIDENT_FEATURES, INCIDENT_TEXT_EMBEDDINGS

# Shown beside the scores, so that a reader of the view knows which incident it is.
CONTEXT = ("opened_at", "priority", "category", "assignment_group", "short_description")


@dataclass(frozen=True)
class ScoredDay:
    day: date
    scores: pl.DataFrame
    open_incidents: int
    # Open, but with no features known by the day's end: opened before the lake's first day,
    # or predicted later than the day (a horizon past its end).
    not_scored: int
    similar_pool: int
    trained_through: dict[str, str | None]  # per model, the last incident it learnt from
    inputs: pl.DataFrame  # the scored incidents' gold features, as the models read them
    breach_model: StoredModel | None  # the promoted breach model that scored the risk


def _trained_through(models: PromotedModels) -> dict[str, str | None]:
    stored = {"sla_breach_model": models.breach, "resolution_time_model": models.resolution_time}
    stored["triage_model"] = models.triage
    return {
        name: None if model is None else model.card["training_window"]["last_opened"]
        for name, model in stored.items()
    }


def score_day(paths: LakePaths, day: date, interval_coverage: float, k: int = 5) -> ScoredDay:
    """Score the incidents open at the end of `day` with the promoted models."""
    _, day_end = day_window(day)
    with lake_reader(paths) as connection:
        open_now = open_at(connection, day_end)
        resolved = resolved_by(connection, day_end)
    features = pl.read_parquet(paths.table_file(INCIDENT_FEATURES))
    embeddings = pl.read_parquet(paths.table_file(INCIDENT_TEXT_EMBEDDINGS))
    candidates = features.join(open_now, on="sys_id", how="inner")
    rows = candidates.filter(pl.col("known_at_prediction") & (pl.col("predict_at") < day_end))
    texts = features.select("sys_id", "short_description", "description", *MATCH_FIELDS)
    pool = resolved.join(texts, on="sys_id", how="inner")
    models = PromotedModels.load(ModelStore(paths.models))
    scorer = IncidentScorer(models, SimilarIndex.build(pool, embeddings), interval_coverage)
    scored = scorer.score(rows, embeddings, similar_k=k)
    context = rows.select("state", *CONTEXT)
    scores = pl.concat([scored, context], how="horizontal").with_columns(
        pl.lit(day, dtype=pl.Date).alias("partition_date")
    )
    return ScoredDay(
        day=day,
        scores=scores.sort("breach_probability", descending=True, nulls_last=True),
        open_incidents=open_now.height,
        not_scored=open_now.height - rows.height,
        similar_pool=pool.height,
        trained_through=_trained_through(models),
        inputs=rows,
        breach_model=models.breach,
    )
