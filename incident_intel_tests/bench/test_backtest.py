"""The rolling-origin loop, with the two graph runs replaced by small fakes that write real
feature tables and model cards into the data root, as the real runs do."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

from incident_intel.bench.backtest import rolling_origin
from incident_intel.bench.graph_results import KNOWN_CHECK, MODELS
from incident_intel.gold.features import assign_time_split
from incident_intel.settings import FeatureSettings, SplitSettings
from incident_intel.storage.atomic import write_parquet_atomic
from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import (
    INCIDENT_CLUSTERS,
    INCIDENT_FEATURES,
    RESOLUTION_TIME_MODEL,
    SLA_BREACH_MODEL,
    TRIAGE_MODEL,
)

FIRST = datetime(2016, 3, 1, 9, tzinfo=UTC)
CUTOFFS = [date(2016, 3, 15), date(2016, 3, 25), date(2016, 4, 1)]
# What the fake trains at each cutoff: its ROC AUC, or None when the features check blocks.
ROC_AUC = {date(2016, 3, 15): 0.70, date(2016, 3, 25): 0.60, date(2016, 4, 1): None}
BLEND = {"catboost": 0.5, "linear": 0.0, "duration": 0.5}


def _gate(metric: str, advantage: float) -> dict:
    return {
        "metric": metric,
        "baseline": "strongest",
        "advantage": advantage,
        "advantage_low": advantage - 0.01,
        "advantage_high": advantage + 0.01,
        "beyond_noise": advantage > 0.01,
        "passed": advantage > 0,
    }


def _metrics(roc_auc: float) -> dict[str, tuple[dict, list[dict]]]:
    """Each model's card metrics and gates, as the model assets write them."""
    breach = {"roc_auc": roc_auc, "pr_auc": roc_auc - 0.3, "brier": 0.2, "base_rate": 0.25}
    hours = {"mae_hours": 300 * (1 - roc_auc), "interval_coverage": roc_auc + 0.1}
    top = {"top1_accuracy": roc_auc - 0.2, "top3_accuracy": roc_auc + 0.1}
    return {
        SLA_BREACH_MODEL.name: (
            {
                "model": breach,
                "baselines": {"rate": breach},
                "thresholds": {"max_f1": {"f1": 0.4}},
                "blend": BLEND,
            },
            [_gate("pr_auc", roc_auc - 0.65)],
        ),
        RESOLUTION_TIME_MODEL.name: (
            {"model": hours, "baselines": {"median": hours}},
            [_gate("mae_hours", 10.0)],
        ),
        TRIAGE_MODEL.name: (
            {"assignment_group": {"model": top, "classes": 3, "baselines": {"tfidf": top}}},
            [_gate("assignment_group_top1_accuracy", 0.01)],
        ),
        INCIDENT_CLUSTERS.name: ({"k": 4, "silhouette": roc_auc / 2}, []),
    }


class FakeGraph:
    """The daily layers and, per cutoff, features and models, written as the assets would."""

    def __init__(self, data: Path) -> None:
        self.paths = LakePaths(data)
        self.store = ModelStore(self.paths.models)
        self.daily_runs = 0
        self.store_empty_at_start: list[bool] = []

    def run_daily(self) -> float:
        self.daily_runs += 1
        return 360.04

    def run_cutoff(self, cutoff: date, test_end: date) -> tuple[float, bool]:
        self.store_empty_at_start.append(not self.store.root.exists())
        split = SplitSettings(test_start=cutoff.isoformat(), test_end=test_end.isoformat())
        incidents = pl.DataFrame(
            {
                "sys_id": [f"{i:02d}" for i in range(45)],
                "opened_at": [FIRST + timedelta(days=i) for i in range(45)],
                "known_at_prediction": [i != 3 for i in range(45)],
                "as_of_lag_hours": [5.0 if i == 3 else 0.0 for i in range(45)],
            }
        )
        features = assign_time_split(incidents, FeatureSettings(split=split))
        write_parquet_atomic(features, self.paths.table_file(INCIDENT_FEATURES))
        roc_auc = ROC_AUC[cutoff]
        if roc_auc is None:
            return 12.0, False
        passed = True
        for name, (metrics, gates) in _metrics(roc_auc).items():
            promoted = all(g["passed"] for g in gates)
            version = f"{name}-{cutoff}"
            card = {"model": name, "version": version, "promoted": promoted}
            self.store.save(name, version, None, {**card, "metrics": metrics, "gates": gates})
            if promoted:
                self.store.promote(name, version)
            passed &= promoted
        return 95.0, passed


def _backtest(tmp_path: Path) -> tuple[dict, FakeGraph, list[str]]:
    graph, said = FakeGraph(tmp_path), []
    figures = rolling_origin(
        tmp_path, CUTOFFS, 14, graph.run_daily, graph.run_cutoff, 0.8, said.append
    )
    return figures, graph, said


def test_the_daily_layers_run_once_and_each_cutoff_starts_from_no_model(tmp_path):
    figures, graph, said = _backtest(tmp_path)
    assert graph.daily_runs == 1 and figures["daily_layers_seconds"] == 360.0
    assert graph.store_empty_at_start == [True, True, True]
    assert figures["test_days"] == 14 and len(said) == len(CUTOFFS)
    assert said[0].endswith("train before 2016-03-15, test 2016-03-15 … 2016-03-28")


def test_each_cutoff_reports_its_own_window_and_its_own_models(tmp_path):
    figures, _, _ = _backtest(tmp_path)
    first, second, third = figures["cutoffs"]
    assert [c["cutoff"] for c in figures["cutoffs"]] == [c.isoformat() for c in CUTOFFS]
    assert (first["test_end"], first["features_models_reports_seconds"]) == ("2016-03-29", 95.0)
    # One incident opened a day from 2016-03-01: fourteen test days, then the rest after them.
    assert first["split"]["test"] == 14 and first["split"]["after_test"] == 45 - 14 - 14
    assert second["split"]["test"] == 14 and third["split"]["test"] == 45 - 31
    assert first["unknown_at_prediction"] == 1 and first["split"]["excluded"] == 1
    assert (first["sla_breach"]["roc_auc"], second["sla_breach"]["roc_auc"]) == (0.70, 0.60)
    assert first["sla_breach_blend"] == BLEND


def test_a_cutoff_whose_gate_fails_still_reports_its_figures(tmp_path):
    figures, _, _ = _backtest(tmp_path)
    first, second, _ = figures["cutoffs"]
    assert first["models_run_succeeded"] and first["gates_passed"][SLA_BREACH_MODEL.name]
    assert not second["models_run_succeeded"]
    assert not second["gates_passed"][SLA_BREACH_MODEL.name]
    assert second["sla_breach"]["promoted"] is False
    assert second["gates"]["pr_auc"]["advantage"] < 0


def test_a_cutoff_blocked_by_the_features_check_says_so(tmp_path):
    figures, _, _ = _backtest(tmp_path)
    blocked = figures["cutoffs"][2]
    assert blocked["training"] == f"blocked by {KNOWN_CHECK}"
    assert not blocked["models_run_succeeded"] and "sla_breach" not in blocked
    assert blocked["test_end"] == "2016-04-15"


def test_the_summary_covers_the_cutoffs_that_trained(tmp_path):
    summary = _backtest(tmp_path)[0]["summary"]
    assert (summary["cutoffs"], summary["cutoffs_trained"]) == (3, 2)
    assert summary["sla_breach"]["roc_auc"] == {"mean": 0.65, "worst": 0.6}
    assert "sla_breach_blend" not in summary
    assert summary["gates_passed"] == {
        name: 1 if name == SLA_BREACH_MODEL.name else 2 for name in MODELS
    }
