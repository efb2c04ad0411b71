"""Silver data checks: pure functions over frames, wrapped as Dagster checks.

The per-partition checks run inside the silver multi-asset on the exact frames it writes
(a single-run backfill covers many partitions, so the check must see each one); the table-wide
checks on silver/incidents are plain `@dg.asset_check`s.
"""

from dataclasses import dataclass, field, replace
from datetime import date

import dagster as dg
import polars as pl

from incident_intel.silver.mapping import SourceMapping
from incident_intel.silver.parse import EXACT_REPEAT
from incident_intel.silver.reconstruct import Reconstruction
from incident_intel.storage.tables import INCIDENTS
from incident_intel.storage.warehouse import WarehouseResource

INCIDENTS_TABLE = INCIDENTS.sql_name
KEY_FIELDS = ("sys_id", "number", "state", "opened_at", "sys_updated_on", "priority")


@dataclass(frozen=True)
class CheckOutcome:
    passed: bool
    metadata: dict[str, float | int | str] = field(default_factory=dict)
    description: str | None = None

    def to_result(
        self, asset_key: dg.AssetKey, name: str, severity=dg.AssetCheckSeverity.ERROR
    ) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(
            asset_key=asset_key,
            check_name=name,
            passed=self.passed,
            severity=severity,
            metadata=self.metadata,
            description=self.description,
        )


def key_fields_not_null(frame: pl.DataFrame) -> CheckOutcome:
    nulls = {f: frame.get_column(f).null_count() for f in KEY_FIELDS}
    return CheckOutcome(sum(nulls.values()) == 0, {f"null_{k}": v for k, v in nulls.items()})


def values_in_allowed_sets(frame: pl.DataFrame, source: SourceMapping) -> CheckOutcome:
    bad: dict[str, float | int | str] = {}
    for f in source.canonical:
        if f.allowed is None or f.name not in frame.columns:
            continue
        column = frame.get_column(f.name).drop_nulls()
        allowed = pl.Series(list(f.allowed)).cast(column.dtype)
        bad[f"outside_{f.name}"] = int((~column.is_in(allowed.implode())).sum())
    return CheckOutcome(all(v == 0 for v in bad.values()), bad)


def resolved_after_opened(frame: pl.DataFrame) -> CheckOutcome:
    violations = frame.filter(pl.col("resolved_at") < pl.col("opened_at")).height
    return CheckOutcome(violations == 0, {"violations": violations})


def bronze_reconciles(bronze_records: int, versions: int, rejects: int) -> CheckOutcome:
    return CheckOutcome(
        bronze_records == versions + rejects,
        {"bronze_records": bronze_records, "versions": versions, "rejects": rejects},
    )


def audit_reconciles(bronze_rows: int, events: int, rejects: int) -> CheckOutcome:
    return CheckOutcome(
        bronze_rows == events + rejects,
        {"bronze_audit_rows": bronze_rows, "audit_events": events, "audit_rejects": rejects},
    )


def schema_drift(
    unknown: set[str], missing: set[str], unaudited: set[str] | None = None
) -> CheckOutcome:
    """Fields the records carry that the mapping neither maps nor declares as extra, or that it
    reads and the records lack. Audited fields it does not read are listed beside them, as more
    a mapping could add, without failing the check."""
    addable = sorted(unknown | (unaudited or set()))
    description = None
    if addable:
        description = (
            f"The source sends {len(addable)} field(s) the mapping neither maps nor declares as "
            f"extra: {', '.join(addable)}. Declare one under the source's `extra_fields` in "
            "config/schema_mapping.yaml (e.g. `name: {kind: categorical}`) to carry it to gold "
            "and the models."
        )
    return CheckOutcome(
        not unknown and not missing,
        {
            "unknown_fields": ", ".join(sorted(unknown)) or "none",
            "missing_fields": ", ".join(sorted(missing)) or "none",
            "unmapped_audited_fields": ", ".join(sorted(unaudited or ())) or "none",
            "unknown_count": len(unknown),
            "missing_count": len(missing),
        },
        description,
    )


def with_incomplete_share(history: CheckOutcome) -> CheckOutcome:
    """A history outcome over many days with its share recomputed: shares do not add up."""
    incidents = int(history.metadata.get("incidents", 0))
    fallback = int(history.metadata.get("without_history", 0)) + int(
        history.metadata.get("disagreeing_with_record", 0)
    )
    share = fallback / incidents if incidents else 0.0
    return replace(history, metadata={**history.metadata, "incomplete_share": share})


def history_complete(day: date, history_path: str, rebuilt: Reconstruction) -> CheckOutcome:
    """Fails (as a warning) when any incident's day could not be rebuilt from the audit trail."""
    fallback = rebuilt.incomplete + rebuilt.mismatched
    description = None
    if fallback:
        description = (
            f"{day}: {fallback} of {rebuilt.touched} incidents ({rebuilt.incomplete_share:.1%}) "
            f"fell back to snapshots (history: {history_path}; {rebuilt.incomplete} with no "
            f"insert, earlier version or record of the day to start from, {rebuilt.mismatched} "
            "disagreeing with the record pulled). Their versions before the pull are unknown, "
            "and features as of their prediction time may be missing."
        )
    return CheckOutcome(
        fallback == 0,
        {
            "incidents": rebuilt.touched,
            "rebuilt_from_audit": rebuilt.from_audit,
            "without_history": rebuilt.incomplete,
            "disagreeing_with_record": rebuilt.mismatched,
        },
        description,
    )


def sys_id_unique(total: int, distinct: int) -> CheckOutcome:
    return CheckOutcome(total == distinct, {"rows": total, "distinct_sys_id": distinct})


@dg.asset_check(asset=INCIDENTS.key, blocking=True, pool="warehouse")
def incidents_sys_id_unique(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Every incident appears once in the current-state table."""
    with warehouse.get_connection() as connection:
        total, distinct = connection.execute(
            f"SELECT count(*), count(DISTINCT sys_id) FROM {INCIDENTS_TABLE}"
        ).fetchall()[0]
    return sys_id_unique(total, distinct).to_result(INCIDENTS.key, "incidents_sys_id_unique")


@dg.asset_check(asset=INCIDENTS.key, blocking=True, pool="warehouse")
def incidents_key_fields_not_null(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """The fields every downstream model keys on are present on every incident."""
    columns = ", ".join(f"count(*) FILTER (WHERE {f} IS NULL) AS {f}" for f in KEY_FIELDS)
    with warehouse.get_connection() as connection:
        counts = connection.execute(f"SELECT {columns} FROM {INCIDENTS_TABLE}").fetchall()[0]
    nulls = dict(zip(KEY_FIELDS, counts, strict=True))
    return CheckOutcome(
        sum(nulls.values()) == 0, {f"null_{k}": v for k, v in nulls.items()}
    ).to_result(INCIDENTS.key, "incidents_key_fields_not_null")


@dg.asset_check(asset=INCIDENTS.key, blocking=True, pool="warehouse")
def incidents_resolved_after_opened(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """No incident is resolved before it was opened."""
    with warehouse.get_connection() as connection:
        violations = connection.execute(
            f"SELECT count(*) FROM {INCIDENTS_TABLE} WHERE resolved_at < opened_at"
        ).fetchall()[0][0]
    return CheckOutcome(violations == 0, {"violations": violations}).to_result(
        INCIDENTS.key, "incidents_resolved_after_opened"
    )


def reject_rate(day: date, rejects: pl.DataFrame, accepted: int, limit: float) -> CheckOutcome:
    """Fails when the rejects that lose data pass `limit` of the day's records (`accepted`
    versions plus those rejects).

    An exact repeat of a version (a page overlap) loses nothing and does not count.
    """
    lossy = rejects.filter(~pl.col("reason").str.starts_with(EXACT_REPEAT))
    records = accepted + lossy.height
    rate = lossy.height / records if records else 0.0
    passed = rate <= limit
    reasons = (
        lossy.group_by("reason").len().sort(["len", "reason"], descending=[True, False]).head(3)
    )
    commonest = "; ".join(f"{reason} ({n})" for reason, n in reasons.iter_rows()) or "none"
    description = None
    if not passed:
        description = (
            f"{day}: {lossy.height} of {records} records rejected ({rate:.1%}, limit "
            f"{limit:.1%}); commonest reasons: {commonest}"
        )
    return CheckOutcome(
        passed,
        {
            "lossy_rejects": lossy.height,
            "records": records,
            "partitions_over_limit": int(not passed),
        },
        description,
    )


def combine_outcomes(outcomes: list[CheckOutcome]) -> CheckOutcome:
    """One outcome for a run over many partitions: failed if any failed, numbers summed."""
    metadata: dict[str, float | int | str] = {}
    for outcome in outcomes:
        for key, value in outcome.metadata.items():
            if isinstance(value, int | float) and isinstance(metadata.get(key, 0), int | float):
                metadata[key] = metadata.get(key, 0) + value
            else:
                previous = metadata.get(key)
                metadata[key] = (
                    value if previous in (None, "none", value) else f"{previous}, {value}"
                )
    metadata["partitions"] = len(outcomes)
    # Days that fail alike (the same fields drifting every day) are said once.
    failures = list(
        dict.fromkeys(o.description for o in outcomes if not o.passed and o.description)
    )
    return CheckOutcome(
        all(o.passed for o in outcomes), metadata, "\n".join(failures) if failures else None
    )
