"""`sys_audit` and `sys_audit_delete` rows: the history a ServiceNow instance keeps of incidents.

An incident's first version is its insert: one audit row per field holding a value, with an
empty oldvalue. Every later version adds one row per field whose value differs from the version
before, so replaying an incident's rows in order rebuilds each version. Values are what the
Table API shows with sysparm_display_value=false (`ApiField.value`), as ServiceNow stores them.
"""

from __future__ import annotations

import hashlib
from functools import cache

import polars as pl

from incident_intel.simulator.render import ApiField, api_fields

AuditRow = dict[str, str]

TABLENAME = "incident"
# The simulator does not model who changes an incident; ServiceNow records "system" for
# changes made by its own jobs.
AUDIT_USER = "system"
# ServiceNow audits none of its system fields (sys_id, sys_updated_on, sys_created_by, ...):
# it sets them itself.
SYSTEM_PREFIX = "sys_"
AUDIT_COLUMNS = (
    "sys_id",
    "tablename",
    "documentkey",
    "fieldname",
    "oldvalue",
    "newvalue",
    "user",
    "record_checkpoint",
    "sys_created_on",
    "sys_created_by",
)
DELETE_COLUMNS = (
    "sys_id",
    "tablename",
    "documentkey",
    "display_value",
    "sys_created_on",
    "sys_created_by",
)


@cache
def audited_fields() -> tuple[ApiField, ...]:
    return tuple(f for f in api_fields().values() if not f.name.startswith(SYSTEM_PREFIX))


def _ids(*parts: pl.Series) -> pl.Series:
    """Deterministic 32-hex sys_ids, each the md5 of its parts joined by "|"."""
    keys = pl.select(pl.concat_str(parts, separator="|")).to_series().to_list()
    return pl.Series([hashlib.md5(k.encode()).hexdigest() for k in keys], dtype=pl.String)


def _change(field: ApiField, insert: pl.Expr) -> pl.Expr:
    """{oldvalue, newvalue} where the version changes the field, else null."""
    new = pl.col(field.canonical).replace(field.to_api).fill_null("")
    old = pl.when(insert).then(pl.lit("")).otherwise(new.shift(1))
    changed = pl.struct(old.alias("oldvalue"), new.alias("newvalue"))
    return pl.when(new != old).then(changed).alias(field.name)


def audit_frame(versions: pl.DataFrame) -> pl.DataFrame:
    """The sys_audit rows of every incident in `versions` (canonical strings), in no set order.

    `versions` must hold each of its incidents' versions from the first, the insert.
    """
    index = ("documentkey", "sys_created_on", "record_checkpoint")
    sys_id = pl.col("sys_id")
    insert = (sys_id != sys_id.shift(1)).fill_null(True)
    changes = (
        versions.sort("sys_id", "sys_updated_on")
        .select(
            sys_id.alias("documentkey"),
            pl.col("sys_updated_on").alias("sys_created_on"),
            pl.col("sys_mod_count").fill_null("").alias("record_checkpoint"),
            *(_change(f, insert) for f in audited_fields()),
        )
        .unpivot(index=index, variable_name="fieldname", value_name="change")
        .drop_nulls("change")
        .unnest("change")
    )
    # The version's time joins the id: an export can repeat a sys_mod_count.
    parts = ("documentkey", "fieldname", "record_checkpoint", "sys_created_on")
    return changes.with_columns(
        sys_id=_ids(*(changes[c] for c in parts)),
        tablename=pl.lit(TABLENAME),
        user=pl.lit(AUDIT_USER),
        sys_created_by=pl.lit(AUDIT_USER),
    ).select(AUDIT_COLUMNS)


def deletion_frame(deleted: pl.DataFrame) -> pl.DataFrame:
    """sys_audit_delete rows of incidents given as (sys_id, number, deleted_on) strings."""
    return deleted.select(
        sys_id=_ids(deleted["sys_id"], deleted["deleted_on"]),
        tablename=pl.lit(TABLENAME),
        documentkey=pl.col("sys_id"),
        display_value=pl.col("number"),
        sys_created_on=pl.col("deleted_on"),
        sys_created_by=pl.lit(AUDIT_USER),
    )
