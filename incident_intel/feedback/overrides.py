"""Feedback as label overrides: the labels people corrected replace gold's before a model trains.

Feedback names its incident by sys_id or by number; both are resolved to the sys_id here, so
that of two corrections of one label, one by each name, the newer wins. Feedback on an incident
the features do not hold (not pulled yet, or left out of gold) overrides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from incident_intel.feedback.request import LABEL_COLUMNS
from incident_intel.feedback.table import TYPED_VALUE


@dataclass(frozen=True)
class LabelOverrides:
    """The labels feedback set: one row per (sys_id, field), with the value as text."""

    applied: pl.DataFrame

    def card(self) -> dict[str, Any]:
        """What a model card says of them: how many labels feedback set, per field."""
        counts = dict(self.applied.group_by("field").len().iter_rows())
        return {
            "overrides": self.applied.height,
            "by_field": {field: counts.get(field, 0) for field in LABEL_COLUMNS},
        }


def apply_label_overrides(
    features: pl.DataFrame, feedback: pl.DataFrame
) -> tuple[pl.DataFrame, LabelOverrides]:
    """`features` with the newest feedback on each label in place of gold's, and what was set.

    `feedback` is typed as silver/feedback (FEEDBACK_SCHEMA); rows keep their order.
    """
    matched = _newest_per_label(_resolved(feedback, features))
    for field in matched["field"].unique().sort():
        column = LABEL_COLUMNS[field]
        corrected = matched.filter(pl.col("field") == field).select(
            "sys_id", pl.col(TYPED_VALUE[field]).cast(features.schema[column]).alias("_override")
        )
        features = (
            features.join(corrected, on="sys_id", how="left", maintain_order="left")
            .with_columns(pl.coalesce("_override", column).alias(column))
            .drop("_override")
        )
    applied = matched.select("sys_id", "field", "value").sort("sys_id", "field")
    return features, LabelOverrides(applied)


def _resolved(feedback: pl.DataFrame, features: pl.DataFrame) -> pl.DataFrame:
    """The feedback on incidents in `features`, each with its incident's sys_id."""
    # A number two incidents share names neither of them.
    numbers = (
        features.select("number", pl.col("sys_id").alias("_numbered"))
        .drop_nulls("number")
        .unique("number", keep="none")
    )
    return (
        feedback.join(numbers, on="number", how="left")
        .with_columns(pl.coalesce("sys_id", "_numbered").alias("sys_id"))
        .drop("_numbered")
        .join(features.select("sys_id"), on="sys_id", how="semi")
    )


def _newest_per_label(feedback: pl.DataFrame) -> pl.DataFrame:
    return feedback.sort("received_at").unique(
        ["sys_id", "field"], keep="last", maintain_order=True
    )
