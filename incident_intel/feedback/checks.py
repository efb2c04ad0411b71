"""silver/feedback's check: the incidents feedback names are ones silver holds."""

import dagster as dg
import polars as pl

from incident_intel.feedback.table import read_feedback
from incident_intel.silver.checks import CheckOutcome
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.reader import lake_reader
from incident_intel.storage.tables import FEEDBACK, INCIDENT_VERSIONS, INCIDENTS

SHOWN = 5


def incidents_known(feedback: pl.DataFrame, incidents: pl.DataFrame) -> CheckOutcome:
    """Fails (as a warning) when feedback names an incident silver does not hold: it overrides
    no label until that incident is pulled, and may name one that never existed."""
    # Each feedback names its incident by one of the two, the other null, and a null key
    # matches nothing: what neither anti-join removes is unknown by the name it used.
    unknown = feedback.join(incidents.select("sys_id"), on="sys_id", how="anti").join(
        incidents.select("number"), on="number", how="anti"
    )
    names = unknown.select(pl.coalesce("number", "sys_id")).to_series().unique(maintain_order=True)
    description = None
    if not unknown.is_empty():
        shown = ", ".join(names.head(SHOWN).to_list()) + (", …" if names.len() > SHOWN else "")
        description = (
            f"{unknown.height} of {feedback.height} feedback name {names.len()} incident(s) "
            f"silver does not hold ({shown}): they override no label until those incidents "
            "are pulled. Check the sys_id or number the client sent."
        )
    return CheckOutcome(
        unknown.is_empty(),
        {
            "feedback": feedback.height,
            "naming_unknown_incidents": unknown.height,
            "unknown_incidents": names.len(),
        },
        description,
    )


def silver_incidents(paths: LakePaths) -> pl.DataFrame:
    """Every incident's sys_id and number, read beside the pipeline (no warehouse lock)."""
    if not paths.has_partitions(INCIDENT_VERSIONS):
        return pl.DataFrame(schema={"sys_id": pl.String, "number": pl.String})
    with lake_reader(paths) as reader:
        return reader.sql(f"SELECT sys_id, number FROM {INCIDENTS.sql_name}").pl()


@dg.asset_check(asset=FEEDBACK.key)
def feedback_incidents_known(lake: LakeResource) -> dg.AssetCheckResult:
    """Feedback names incidents that silver holds."""
    feedback = read_feedback(lake.paths.table_file(FEEDBACK))
    return incidents_known(feedback, silver_incidents(lake.paths)).to_result(
        FEEDBACK.key, "feedback_incidents_known", dg.AssetCheckSeverity.WARN
    )
