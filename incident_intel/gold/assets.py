"""Gold: model-ready features, cached text embeddings and operational statistics."""

import json
import time

import dagster as dg
import polars as pl

from incident_intel import priorities
from incident_intel.gold.embedding_cache import (
    EMBEDDER_FILE,
    EMBEDDING_CACHE_FILE,
    embed_with_cache,
    empty_cache,
    incident_text,
)
from incident_intel.gold.embedding_model import EmbeddingModelResource
from incident_intel.gold.features import (
    AFTER_TEST,
    EXCLUDED,
    extra_feature_columns,
    features_in,
)
from incident_intel.gold.ops_stats import OPS_STATS_SQL
from incident_intel.metadata import column_schema, markdown_table
from incident_intel.settings import SettingsResource
from incident_intel.silver.mapping import load_schema_mapping
from incident_intel.storage.atomic import write_bytes_atomic, write_parquet_atomic
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.tables import (
    INCIDENT_FEATURES,
    INCIDENT_TEXT_EMBEDDINGS,
    INCIDENT_VERSIONS,
    INCIDENTS,
    OPS_DAILY_STATS,
    Table,
)
from incident_intel.storage.warehouse import WarehouseResource, refresh_parquet_view

# Deleted incidents stay in silver, flagged; gold leaves them out.
LIVE_INCIDENTS = f"SELECT * FROM {INCIDENTS.sql_name} WHERE NOT coalesce(deleted, false)"


def _publish(
    lake: LakeResource, warehouse: WarehouseResource, frame: pl.DataFrame, table: Table
) -> None:
    """Write a gold table's Parquet atomically and point its warehouse view at it."""
    path = lake.paths.table_file(table)
    write_parquet_atomic(frame, path)
    with warehouse.get_connection() as connection:
        refresh_parquet_view(connection, table.sql_name, path)


@dg.asset(
    key=INCIDENT_FEATURES.key,
    deps=[INCIDENT_VERSIONS.key, INCIDENTS.key],
    op_tags=priorities.CRITICAL_PATH,
    group_name=INCIDENT_FEATURES.layer,
    pool="warehouse",
    kinds={"duckdb", "parquet"},
)
def incident_features(
    context: dg.AssetExecutionContext,
    lake: LakeResource,
    warehouse: WarehouseResource,
    settings: SettingsResource,
) -> dg.MaterializeResult:
    """One row per incident: what was known at prediction time, its outcome labels and split."""
    with warehouse.get_connection() as connection:
        connection.execute(
            f"CREATE TEMP VIEW versions AS SELECT * FROM read_parquet("
            f"'{lake.paths.partition_glob(INCIDENT_VERSIONS).as_posix()}', "
            "union_by_name = true, hive_partitioning = false)"
        )
        connection.execute(f"CREATE TEMP VIEW incidents AS {LIVE_INCIDENTS}")
        # Extra fields are declared in the mapping: it says which kind each x_ column is.
        features = features_in(connection, settings.features, load_schema_mapping().extras.values())
    _publish(lake, warehouse, features, INCIDENT_FEATURES)
    splits = features.group_by("split").agg(
        pl.len().alias("incidents"),
        pl.col("sla_breached").mean().alias("breach_rate"),
        pl.col("ttr_hours").median().alias("median_ttr_hours"),
        pl.col("opened_at").min().alias("first_opened"),
        pl.col("opened_at").max().alias("last_opened"),
    )
    order = {"train": 0, "valid": 1, "test": 2, AFTER_TEST: 3, EXCLUDED: 4}
    splits = splits.sort(pl.col("split").replace_strict(order))
    sizes = ", ".join(f"{split} {n:,}" for split, n in splits.select("split", "incidents").rows())
    # A mapped field the source never fills (the simulator's, for one) is no news to a reader.
    extras = [
        c
        for columns in extra_feature_columns(features)
        for c in columns
        if features[c].null_count() < features.height
    ]
    context.log.info(
        f"{features.height:,} incidents as of their prediction time: {sizes}; "
        f"extra fields with values: {', '.join(extras) or 'none'}"
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": features.height,
            "dagster/column_schema": column_schema(features.schema),
            "labelled_incidents": int(features["sla_breached"].is_not_null().sum()),
            "breach_rate": float(features["sla_breached"].mean() or 0.0),
            "horizon_minutes": settings.features.horizon_minutes,
            "extra_fields": ", ".join(extras) or "none",
            "unknown_at_prediction": int((~features["known_at_prediction"]).sum()),
            "median_as_of_lag_hours": float(
                features.filter(~pl.col("known_at_prediction"))["as_of_lag_hours"].median() or 0.0
            ),
            "splits": markdown_table(splits),
        }
    )


@dg.asset(
    key=INCIDENT_TEXT_EMBEDDINGS.key,
    deps=[INCIDENT_FEATURES.key],
    op_tags=priorities.CRITICAL_PATH,
    group_name=INCIDENT_TEXT_EMBEDDINGS.layer,
    pool="warehouse",
    kinds={"pytorch", "parquet"},
)
def incident_text_embeddings(
    context: dg.AssetExecutionContext,
    lake: LakeResource,
    warehouse: WarehouseResource,
    embedding_model: EmbeddingModelResource,
) -> dg.MaterializeResult:
    """Sentence embeddings of each incident's scrubbed text at open, cached by text hash."""
    features = pl.read_parquet(lake.paths.table_file(INCIDENT_FEATURES))
    texts = features.select(
        "sys_id", incident_text(pl.col("short_description"), pl.col("description")).alias("text")
    )
    cache_path = lake.paths.table_file(INCIDENT_TEXT_EMBEDDINGS, EMBEDDING_CACHE_FILE)
    dimension = embedding_model.dimension
    cache = pl.read_parquet(cache_path) if cache_path.exists() else empty_cache(dimension)
    started = time.perf_counter()
    run = embed_with_cache(texts, embedding_model.embedder, cache, dimension)
    seconds = time.perf_counter() - started
    context.log.info(
        f"{run.embeddings.height:,} incidents: {run.newly_embedded:,} texts embedded in "
        f"{seconds:.1f} s, {run.cache_hits:,} from the cache"
    )
    if run.newly_embedded:
        write_parquet_atomic(run.cache, cache_path)
    embedder = {
        "model_id": embedding_model.embedder.model_id,
        "backend": embedding_model.embedder.backend,
    }
    write_bytes_atomic(
        lake.paths.table_file(INCIDENT_TEXT_EMBEDDINGS, EMBEDDER_FILE),
        json.dumps(embedder, sort_keys=True).encode(),
    )
    _publish(lake, warehouse, run.embeddings, INCIDENT_TEXT_EMBEDDINGS)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": run.embeddings.height,
            "dagster/column_schema": column_schema(run.embeddings.schema),
            "newly_embedded": run.newly_embedded,
            "cache_hits": run.cache_hits,
            "cache_size": run.cache.height,
            "texts_per_second": run.newly_embedded / seconds if run.newly_embedded else 0.0,
            "model": embedder["model_id"],
            "backend": embedder["backend"],
        }
    )


@dg.asset(
    key=OPS_DAILY_STATS.key,
    deps=[INCIDENTS.key],
    group_name=OPS_DAILY_STATS.layer,
    pool="warehouse",
    kinds={"duckdb", "parquet"},
)
def ops_daily_stats(
    context: dg.AssetExecutionContext, lake: LakeResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Volumes, backlog, MTTR and SLA attainment per day, assignment group and priority."""
    with warehouse.get_connection() as connection:
        connection.execute(f"CREATE TEMP VIEW incidents AS {LIVE_INCIDENTS}")
        stats = connection.sql(OPS_STATS_SQL).pl()
    _publish(lake, warehouse, stats, OPS_DAILY_STATS)
    context.log.info(f"{stats.height:,} rows of day x group x priority")
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
