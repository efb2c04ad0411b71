import json
from datetime import date

import numpy as np
import polars as pl
import pytest

from incident_intel.monitoring.drift import Severity, grade, measure_drift
from incident_intel.monitoring.figures import drift_from_figures, figures_frame
from incident_intel.monitoring.reference import DriftReference, usual_psi

GROUPS = ["Network", "Service Desk", "Database", "Hardware", "Email"]
SHARES = [0.4, 0.25, 0.15, 0.12, 0.08]


def incidents(n: int, seed: int, **shift) -> tuple[pl.DataFrame, np.ndarray]:
    """Incident-like inputs and a predicted risk, drawn as in training unless `shift` says."""
    rng = np.random.default_rng(seed)
    backlog = rng.normal(40 + shift.get("backlog", 0.0), 10, n)
    groups = rng.choice(GROUPS, size=n, p=shift.get("group_shares", SHARES)).astype(object)
    new_group = shift.get("new_group_share", 0.0)
    groups[rng.random(n) < new_group] = "Payroll"
    reassignments = rng.poisson(0.3, n).astype(float)
    reassignments[rng.random(n) < shift.get("missing_share", 0.0)] = np.nan
    risk = rng.beta(2 + shift.get("risk", 0.0), 5, n)
    frame = pl.DataFrame(
        {"group_backlog": backlog, "assignment_group": groups, "reassignment_count": reassignments}
    )
    return frame, risk


@pytest.fixture(scope="module")
def reference() -> DriftReference:
    frame, risk = incidents(5000, seed=1)
    return DriftReference.build(frame, ["assignment_group"], risk)


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_a_window_drawn_as_in_training_stays_quiet(reference, seed):
    frame, risk = incidents(800, seed=seed)
    drift = measure_drift(reference, frame, risk)
    assert drift.max_feature_psi < 0.1 and drift.risk < 0.1
    assert grade(drift.max_feature_psi, 0.1, 0.25) is Severity.OK


@pytest.mark.parametrize(
    ("shift", "drifted", "severity"),
    [
        ({"backlog": 5.0}, "group_backlog", Severity.WARN),  # half a standard deviation
        ({"backlog": 15.0}, "group_backlog", Severity.ERROR),
        ({"group_shares": [0.1, 0.1, 0.1, 0.1, 0.6]}, "assignment_group", Severity.ERROR),
        ({"new_group_share": 0.3}, "assignment_group", Severity.ERROR),
        ({"missing_share": 0.4}, "reassignment_count", Severity.ERROR),
    ],
    ids=["numeric-mean-a-little", "numeric-mean", "category-mix", "new-category", "left-empty"],
)
def test_a_shifted_window_fires_on_the_column_that_moved(reference, shift, drifted, severity):
    frame, risk = incidents(800, seed=2, **shift)
    drift = measure_drift(reference, frame, risk)
    [(top, value)] = drift.top_features(1)
    assert top == drifted
    assert grade(value, 0.1, 0.25) is severity
    assert drift.risk < 0.1


def test_a_shifted_risk_fires_the_risk_drift(reference):
    frame, risk = incidents(800, seed=2, risk=3.0)
    drift = measure_drift(reference, frame, risk)
    assert grade(drift.risk, 0.1, 0.25) is Severity.ERROR
    assert drift.max_feature_psi < 0.1


def test_a_column_the_new_frame_lacks_counts_as_missing(reference):
    frame, risk = incidents(500, seed=2)
    drift = measure_drift(reference, frame.drop("reassignment_count"), risk)
    assert drift.top_features(1)[0][0] == "reassignment_count"
    assert drift.features["reassignment_count"] > 5


@pytest.mark.parametrize(
    ("value", "severity"),
    [
        (0.0, Severity.OK),
        (0.1, Severity.OK),
        (0.1001, Severity.WARN),
        (0.25, Severity.WARN),
        (0.2501, Severity.ERROR),
        (4.0, Severity.ERROR),
    ],
)
def test_severity_is_strictly_above_each_threshold(value, severity):
    assert grade(value, warn_above=0.1, error_above=0.25) is severity


def test_the_reference_survives_json(reference):
    stored = json.loads(json.dumps(reference.as_dict()))
    assert DriftReference.from_dict(stored) == reference


def test_a_reference_stored_before_the_usual_psi_reads_as_none(reference):
    stored = {**reference.as_dict(), "format": 1}
    del stored["usual"], stored["risk_usual"]
    read = DriftReference.from_dict(stored)
    assert (read.usual, read.risk_usual) == ({}, 0.0)


# Each day's backlog sits at its own level, as the incidents open at one day-end share that
# day's load: two weeks of levels within a standard deviation of the mean, either way.
REFERENCE_LEVELS = np.linspace(-10.0, 10.0, 14)


def days_of_backlog(levels, rows_per_day: int, seed: int, **shift):
    """Incidents drawn day by day, each day's `group_backlog` moved by that day's level."""
    frames, risks = [], []
    for day, level in enumerate(levels):
        frame, risk = incidents(rows_per_day, seed * 100 + day, **shift)
        frames.append(frame.with_columns(pl.col("group_backlog") + level))
        risks.append(risk)
    return pl.concat(frames), np.concatenate(risks), np.repeat(np.arange(len(levels)), rows_per_day)


@pytest.fixture(scope="module")
def daily_reference() -> DriftReference:
    frame, risk, days = days_of_backlog(REFERENCE_LEVELS, 400, seed=1)
    return DriftReference.build(
        frame, ["assignment_group"], risk, feature_days=days, risk_days=days, min_day_rows=200
    )


def test_the_usual_psi_is_how_far_one_day_moves_from_the_others(daily_reference):
    usual = daily_reference.usual
    # The backlog's level changes from day to day; the group mix and the risk do not.
    assert usual["group_backlog"] > 0.25
    assert usual["assignment_group"] < 0.1 and daily_reference.risk_usual < 0.1


@pytest.mark.parametrize("level", [-9.0, 6.0, 9.5])
def test_a_new_day_within_the_reference_days_levels_is_judged_quiet(daily_reference, level):
    frame, risk, _ = days_of_backlog([level], 400, seed=2)
    drift = measure_drift(daily_reference, frame, risk)
    assert drift.features["group_backlog"] > 0.1  # raw PSI alone would warn
    assert drift.max_feature_excess <= 0.1 and drift.risk_excess <= 0.1


def test_a_day_that_moves_beyond_the_usual_still_fires(daily_reference):
    frame, risk, _ = days_of_backlog([0.0], 400, seed=2, backlog=30.0, new_group_share=0.3)
    drift = measure_drift(daily_reference, frame, risk)
    assert grade(drift.excess("group_backlog"), 0.1, 0.25) is Severity.ERROR
    assert grade(drift.excess("assignment_group"), 0.1, 0.25) is Severity.ERROR


def test_days_too_small_to_judge_do_not_set_the_usual_psi():
    frame, risk, days = days_of_backlog(REFERENCE_LEVELS, 400, seed=1)
    # One more day of 20 incidents: its PSI would be mostly its own sampling noise.
    small, small_risk, _ = days_of_backlog([30.0], 20, seed=9)
    reference = DriftReference.build(
        pl.concat([frame, small]),
        ["assignment_group"],
        np.concatenate([risk, small_risk]),
        feature_days=np.concatenate([days, np.full(20, 14)]),
        min_day_rows=200,
    )
    usual = usual_psi(frame["group_backlog"], days, categorical=False, min_day_rows=200)
    assert reference.usual["group_backlog"] == pytest.approx(usual, abs=0.05)
    assert reference.risk_usual == 0.0


def test_a_reference_of_another_format_is_refused(reference):
    with pytest.raises(ValueError, match="retrain"):
        DriftReference.from_dict({**reference.as_dict(), "format": 0})


def test_a_days_figures_survive_storage(reference):
    frame, risk = incidents(300, seed=5, backlog=10.0)
    drift = measure_drift(reference, frame, risk)
    stored = figures_frame(date(2016, 4, 2), "abc123", drift)
    assert stored.height == 4 and set(stored["measure"]) == {"feature", "risk"}
    assert drift_from_figures(stored) == drift
    assert drift_from_figures(figures_frame(date(2016, 4, 2), None, None)) is None
