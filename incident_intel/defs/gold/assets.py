"""Gold: model-ready features, cached text embeddings and operational statistics."""

import time
from datetime import date

import dagster as dg
import polars as pl

from incident_intel.defs.metadata import column_schema, markdown_table
from incident_intel.defs.silver.checks import INCIDENTS_KEY, VERSIONS_KEY
from incident_intel.gold.embedding_cache import embed_with_cache, empty_cache, incident_text
from incident_intel.gold.features import FeatureSettings, features_in
from incident_intel.gold.ops_stats import OPS_STATS_SQL
from incident_intel.lake.atomic import write_parquet_atomic
from incident_intel.lake.warehouse import INCIDENTS_TABLE, refresh_parquet_view
from incident_intel.resources.embedding_model import EmbeddingModelResource
from incident_intel.resources.lake import LakeResource
from incident_intel.settings import load_config

FEATURES_KEY = dg.AssetKey(["gold", "incident_features"])
EMBEDDINGS_KEY = dg.AssetKey(["gold", "incident_text_embeddings"])
OPS_STATS_KEY = dg.AssetKey(["gold", "ops_daily_stats"])


def feature_settings() -> FeatureSettings:
    section = load_config().get("features", {})
    split = section.get("split", {})
    test_start = split.get("test_start")
    return FeatureSettings(
        horizon_minutes=int(section.get("horizon_minutes", 0)),
        valid_fraction=float(split.get("valid_fraction", 0.15)),
        test_fraction=float(split.get("test_fraction", 0.15)),
        test_start=date.fromisoformat(str(test_start)) if test_start else None,
    )


def _publish(lake: LakeResource, frame: pl.DataFrame, table: str) -> None:
    """Write a gold table's Parquet atomically and point its warehouse view at it."""
    path = lake.paths.table_file("gold", table)
    write_parquet_atomic(frame, path)
    with lake.warehouse() as connection:
        refresh_parquet_view(connection, f"gold.{table}", path)


@dg.asset(
    key=FEATURES_KEY,
    deps=[VERSIONS_KEY, INCIDENTS_KEY],
    group_name="gold",
    pool="warehouse",
    kinds={"duckdb", "parquet"},
)
def incident_features(
    context: dg.AssetExecutionContext, lake: LakeResource
) -> dg.MaterializeResult:
    """One row per incident: what was known at prediction time, its outcome labels and split."""
    settings = feature_settings()
    with lake.warehouse(read_only=True) as connection:
        connection.execute(
            f"CREATE TEMP VIEW versions AS SELECT * FROM read_parquet("
            f"'{lake.paths.silver_glob('incident_versions').as_posix()}', "
            "union_by_name = true, hive_partitioning = false)"
        )
        connection.execute(f"CREATE TEMP VIEW incidents AS SELECT * FROM {INCIDENTS_TABLE}")
        features = features_in(connection, settings)
    _publish(lake, features, "incident_features")
    splits = features.group_by("split").agg(
        pl.len().alias("incidents"),
        pl.col("sla_breached").mean().alias("breach_rate"),
        pl.col("ttr_hours").median().alias("median_ttr_hours"),
        pl.col("opened_at").min().alias("first_opened"),
        pl.col("opened_at").max().alias("last_opened"),
    )
    order = {"train": 0, "valid": 1, "test": 2}
    splits = splits.sort(pl.col("split").replace_strict(order))
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": features.height,
            "dagster/column_schema": column_schema(features.schema),
            "labelled_incidents": int(features["sla_breached"].is_not_null().sum()),
            "breach_rate": float(features["sla_breached"].mean() or 0.0),
            "horizon_minutes": settings.horizon_minutes,
            "splits": markdown_table(splits),
        }
    )


@dg.asset(
    key=EMBEDDINGS_KEY,
    deps=[FEATURES_KEY],
    group_name="gold",
    pool="warehouse",
    kinds={"pytorch", "parquet"},
)
def incident_text_embeddings(
    context: dg.AssetExecutionContext, lake: LakeResource, embedding_model: EmbeddingModelResource
) -> dg.MaterializeResult:
    """Sentence embeddings of each incident's scrubbed text at open, cached by text hash."""
    features = pl.read_parquet(lake.paths.table_file("gold", "incident_features"))
    texts = features.select(
        "sys_id", incident_text(pl.col("short_description"), pl.col("description")).alias("text")
    )
    cache_path = lake.paths.table_file("gold", "incident_text_embeddings", "cache.parquet")
    dimension = embedding_model.dimension
    cache = pl.read_parquet(cache_path) if cache_path.exists() else empty_cache(dimension)
    started = time.perf_counter()
    run = embed_with_cache(texts, embedding_model.embedder, cache, dimension)
    seconds = time.perf_counter() - started
    if run.newly_embedded:
        write_parquet_atomic(run.cache, cache_path)
    _publish(lake, run.embeddings, "incident_text_embeddings")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": run.embeddings.height,
            "newly_embedded": run.newly_embedded,
            "cache_hits": run.cache_hits,
            "cache_size": run.cache.height,
            "texts_per_second": run.newly_embedded / seconds if run.newly_embedded else 0.0,
            "model": embedding_model.embedder.model_id,
            "backend": embedding_model.embedder.backend,
        }
    )


@dg.asset(
    key=OPS_STATS_KEY,
    deps=[INCIDENTS_KEY],
    group_name="gold",
    pool="warehouse",
    kinds={"duckdb", "parquet"},
)
def ops_daily_stats(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    """Volumes, backlog, MTTR and SLA attainment per day, assignment group and priority."""
    with lake.warehouse(read_only=True) as connection:
        connection.execute(f"CREATE TEMP VIEW incidents AS SELECT * FROM {INCIDENTS_TABLE}")
        stats = connection.sql(OPS_STATS_SQL).pl()
    _publish(lake, stats, "ops_daily_stats")
    recent = (
        stats.group_by("day")
        .agg(pl.col("opened").sum(), pl.col("resolved").sum(), pl.col("backlog").sum())
        .sort("day")
        .tail(7)
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": stats.height,
            "dagster/column_schema": column_schema(stats.schema),
            "last_7_days": markdown_table(recent),
        }
    )
