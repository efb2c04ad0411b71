"""silver/feedback: the feedback store, read into the lake for the next training."""

import dagster as dg

from incident_intel.feedback.request import LABEL_COLUMNS
from incident_intel.feedback.store import FeedbackStore
from incident_intel.feedback.table import FEEDBACK_SCHEMA, latest_feedback
from incident_intel.metadata import column_schema
from incident_intel.storage.atomic import write_parquet_atomic
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.tables import FEEDBACK


@dg.asset(key=FEEDBACK.key, group_name=FEEDBACK.layer, kinds={"sqlite", "parquet", "polars"})
def feedback(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    """What people said an incident's true group, category or outcome was: the newest word on
    each label of each incident, which overrides gold's label in the next training."""
    received = FeedbackStore(lake.paths.feedback).frame()
    latest = latest_feedback(received)
    write_parquet_atomic(latest, lake.paths.table_file(FEEDBACK))
    counts = dict(latest.group_by("field").len().iter_rows())
    context.log.info(
        f"{received.height:,} feedback received, {latest.height:,} the newest on their label"
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": latest.height,
            "dagster/column_schema": column_schema(FEEDBACK_SCHEMA),
            "received": received.height,
            "superseded": received.height - latest.height,
            **{f"{field}_labels": counts.get(field, 0) for field in LABEL_COLUMNS},
            "store": str(lake.paths.feedback),
        }
    )
