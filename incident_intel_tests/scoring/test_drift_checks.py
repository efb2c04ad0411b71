"""Drift of the open incidents from the breach model's reference, on copies of the trained lake.

The simulated history starts empty, so each group's backlog grows through the lake's fifteen
days: `group_backlog` moves on every day scored, as it moved between the days of the model's
reference, and a day is judged on how far it goes beyond that usual movement.
"""

import shutil
from datetime import date

import dagster as dg
import polars as pl
import pytest

from incident_intel.bench.faults_lake import lake_resources
from incident_intel.monitoring.drift import Severity, grade
from incident_intel.monitoring.figures import FEATURE, RISK, RISK_NAME
from incident_intel.partitions import daily_partitions
from incident_intel.scoring.assets import build_open_incident_scores
from incident_intel.scoring.drift_checks import FEATURE_DRIFT, RISK_DRIFT
from incident_intel.settings import DriftSettings
from incident_intel.storage.model_store import DRIFT_REFERENCE, LATEST, ModelStore
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import INCIDENT_FEATURES, OPEN_INCIDENT_DRIFT, SLA_BREACH_MODEL
from incident_intel_tests.trained_lake import FIRST_DAY, LAST_DAY

pytestmark = pytest.mark.slow

DAY_BEFORE = "2026-01-19"
SETTINGS = DriftSettings()
TRENDING = "group_backlog"


def copy_of(trained_lake, tmp_path):
    root, _ = trained_lake
    copy = tmp_path / "lake"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("*.staging-*", "open_incident_*"))
    return copy


def score(root, first: str, last: str) -> dict[str, dg.AssetCheckEvaluation]:
    asset = build_open_incident_scores(daily_partitions(date.fromisoformat(FIRST_DAY)))
    result = dg.materialize(
        [asset],
        resources=lake_resources(root),
        tags={
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last,
        },
    )
    assert result.success
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def figures(root, day: str) -> pl.DataFrame:
    return pl.read_parquet(
        LakePaths(root).partition_file(OPEN_INCIDENT_DRIFT, date.fromisoformat(day))
    )


def test_each_day_stores_its_figures_and_the_checks_judge_the_worst(trained_lake, tmp_path):
    root = copy_of(trained_lake, tmp_path)
    checks = score(root, DAY_BEFORE, LAST_DAY)

    reference = ModelStore(LakePaths(root).models).load(SLA_BREACH_MODEL.name).drift_reference
    days = {day: figures(root, day) for day in (DAY_BEFORE, LAST_DAY)}
    for day, stored in days.items():
        assert set(stored.filter(pl.col("measure") == FEATURE)["name"]) == set(
            reference["features"]
        )
        assert stored.filter(pl.col("measure") == RISK)["name"].to_list() == [RISK_NAME]
        assert (stored["partition_date"] == date.fromisoformat(day)).all()
        assert stored["incidents"][0] >= SETTINGS.min_incidents

    def judged(stored: pl.DataFrame) -> pl.DataFrame:
        """Each input's excess over its usual PSI, largest first, as the check ranks them."""
        return (
            stored.filter(pl.col("measure") == FEATURE)
            .with_columns((pl.col("psi") - pl.col("usual_psi")).clip(0).alias("excess"))
            .sort(["excess", "psi", "name"], descending=[True, True, False])
        )

    def rank(day: str) -> tuple[Severity, float, str]:
        excess = judged(days[day])["excess"][0]
        return grade(excess, SETTINGS.warn_above, SETTINGS.error_above), excess, day

    worst_day = max(days, key=rank)
    severity, excess, _ = rank(worst_day)
    top = judged(days[worst_day]).row(0, named=True)
    feature = checks[FEATURE_DRIFT]
    assert feature.metadata["max_excess"].value == pytest.approx(excess)
    assert feature.metadata["max_psi"].value == pytest.approx(
        days[worst_day].filter(pl.col("measure") == FEATURE)["psi"].max()
    )
    assert (feature.metadata["day"].value, feature.metadata["top_feature"].value) == (
        worst_day,
        top["name"],
    )
    assert feature.passed == (severity is Severity.OK)
    assert "psi_by_feature" in feature.metadata and "days" in feature.metadata


def test_an_unshifted_day_stays_quiet_though_its_backlog_moved(trained_lake, tmp_path):
    root = copy_of(trained_lake, tmp_path)
    checks = score(root, LAST_DAY, LAST_DAY)
    stored = figures(root, LAST_DAY).filter(pl.col("measure") == FEATURE)
    backlog = stored.filter(pl.col("name") == TRENDING).row(0, named=True)
    # Judged on its raw PSI, the growing backlog alone would fail the check.
    assert backlog["psi"] > SETTINGS.warn_above
    assert backlog["psi"] <= backlog["usual_psi"] + SETTINGS.warn_above
    assert checks[FEATURE_DRIFT].passed, checks[FEATURE_DRIFT].description
    assert checks[RISK_DRIFT].passed, checks[RISK_DRIFT].description


def test_a_deliberately_shifted_day_fires(trained_lake, tmp_path):
    root = copy_of(trained_lake, tmp_path)
    path = LakePaths(root).table_file(INCIDENT_FEATURES)
    # Every incident now carries a priority the model never saw in training.
    pl.read_parquet(path).with_columns(pl.lit("0 - Unheard of").alias("priority")).write_parquet(
        path
    )
    checks = score(root, LAST_DAY, LAST_DAY)
    feature = checks[FEATURE_DRIFT]
    assert not feature.passed
    assert feature.severity == dg.AssetCheckSeverity.ERROR
    assert feature.metadata["top_feature"].value == "priority"
    assert feature.metadata["psi_priority"].value > SETTINGS.error_above
    assert "priority" in feature.description


def test_an_old_model_without_a_reference_warns_to_retrain(trained_lake, tmp_path):
    root = copy_of(trained_lake, tmp_path)
    store = ModelStore(LakePaths(root).models)
    version = store.latest_version(SLA_BREACH_MODEL.name)
    (LakePaths(root).models / SLA_BREACH_MODEL.name / version / DRIFT_REFERENCE).unlink()
    checks = score(root, LAST_DAY, LAST_DAY)
    for name in (FEATURE_DRIFT, RISK_DRIFT):
        assert not checks[name].passed
        assert checks[name].severity == dg.AssetCheckSeverity.WARN
        assert "retrain" in checks[name].description
    assert figures(root, LAST_DAY).is_empty()


def test_a_lake_without_a_promoted_breach_model_passes_and_says_why(trained_lake, tmp_path):
    root = copy_of(trained_lake, tmp_path)
    (LakePaths(root).models / SLA_BREACH_MODEL.name / LATEST).unlink()
    checks = score(root, LAST_DAY, LAST_DAY)
    for name in (FEATURE_DRIFT, RISK_DRIFT):
        assert checks[name].passed
        assert "no promoted sla_breach_model" in checks[name].description
        assert checks[name].metadata["days_measured"].value == 0
