"""A day's drift as a small table, one row per distribution measured: stored, and plotted over
time."""

from __future__ import annotations

from datetime import date

import polars as pl

from incident_intel.monitoring.drift import Drift

FEATURE = "feature"
RISK = "risk"
# The risk row is named after the scores' column, so that a reader finds it by that name.
RISK_NAME = "breach_probability"
SCHEMA = pl.Schema(
    {
        "partition_date": pl.Date,
        "model_version": pl.String,
        "measure": pl.String,  # FEATURE or RISK
        "name": pl.String,
        "psi": pl.Float64,
        # The PSI one day of the model's reference showed against its other days; a day is
        # judged on how far `psi` goes beyond it.
        "usual_psi": pl.Float64,
        "incidents": pl.Int64,
    }
)


def figures_frame(day: date, model_version: str | None, drift: Drift | None) -> pl.DataFrame:
    """The day's figures; no rows when drift was not measured (no model, or no reference)."""
    if drift is None:
        return pl.DataFrame(schema=SCHEMA)
    measured = [
        (FEATURE, name, value, drift.usual.get(name, 0.0)) for name, value in drift.features.items()
    ]
    measured.append((RISK, RISK_NAME, drift.risk, drift.risk_usual))
    return pl.DataFrame(
        {
            "partition_date": [day] * len(measured),
            "model_version": [model_version] * len(measured),
            "measure": [m for m, _, _, _ in measured],
            "name": [n for _, n, _, _ in measured],
            "psi": [v for _, _, v, _ in measured],
            "usual_psi": [u for _, _, _, u in measured],
            "incidents": [drift.incidents] * len(measured),
        },
        schema=SCHEMA,
    )


def drift_from_figures(figures: pl.DataFrame) -> Drift | None:
    """One day's stored figures back as a `Drift`; None for a day that was not measured.

    Days stored before the usual PSI was kept read as having none.
    """
    if figures.is_empty():
        return None
    figures = with_usual_psi(figures)
    features = figures.filter(pl.col("measure") == FEATURE)
    risk = figures.filter(pl.col("measure") == RISK)
    return Drift(
        features=dict(zip(features["name"], features["psi"], strict=True)),
        risk=risk["psi"].item(),
        incidents=figures["incidents"][0],
        usual=dict(zip(features["name"], features["usual_psi"], strict=True)),
        risk_usual=risk["usual_psi"].item(),
    )


def with_usual_psi(figures: pl.DataFrame) -> pl.DataFrame:
    """Stored figures with `usual_psi`, zero for days written before it was kept."""
    if "usual_psi" in figures.columns:
        return figures.with_columns(pl.col("usual_psi").fill_null(0.0))
    return figures.with_columns(pl.lit(0.0).alias("usual_psi"))
