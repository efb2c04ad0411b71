import math

import pytest

from incident_intel.bench.backtest_summary import headline_table, summarise


def _figures(cutoff: str, roc_auc: float, mae: float, coverage: float, advantage: float) -> dict:
    return {
        "cutoff": cutoff,
        "incidents": 1000,
        "split": {"train": 700, "valid": 100, "test": 150, "after_test": 50},
        "sla_breach": {"roc_auc": roc_auc, "base_rate": 0.25, "n": 150, "promoted": True},
        "resolution_time": {"mae_hours": mae, "interval_coverage": coverage},
        "triage_assignment_group": {"top1_accuracy": roc_auc - 0.2, "classes": 39},
        "baselines": {"sla_breach": {"priority_rate": {"roc_auc": 0.5}}},
        "gates": {"pr_auc": {"baseline": "logistic", "advantage": advantage, "beyond_noise": True}},
        "gates_passed": {"sla_breach_model": advantage > 0, "resolution_time_model": True},
    }


CUTOFFS = [
    _figures("2016-03-15", roc_auc=0.70, mae=150.0, coverage=0.85, advantage=0.02),
    _figures("2016-03-25", roc_auc=0.60, mae=170.0, coverage=0.70, advantage=-0.01),
    {"cutoff": "2016-04-01", "split": {"excluded": 9}, "training": "blocked by a check"},
]


def test_the_mean_and_the_worst_of_each_figure_follow_its_direction():
    summary = summarise(CUTOFFS, nominal_coverage=0.8)
    assert summary["sla_breach"]["roc_auc"] == {"mean": 0.65, "worst": 0.6}
    assert summary["resolution_time"]["mae_hours"] == {"mean": 160.0, "worst": 170.0}
    # 0.70 is further from the nominal 0.8 than 0.85, on the other side.
    assert summary["resolution_time"]["interval_coverage"] == {"mean": 0.775, "worst": 0.7}
    assert summary["triage_assignment_group"]["top1_accuracy"] == {"mean": 0.45, "worst": 0.4}
    assert summary["gates"]["pr_auc"]["advantage"] == {"mean": 0.005, "worst": -0.01}


def test_counts_and_rates_get_a_mean_but_no_worst():
    summary = summarise(CUTOFFS, nominal_coverage=0.8)
    assert summary["sla_breach"]["n"] == {"mean": 150.0}
    assert summary["sla_breach"]["base_rate"] == {"mean": 0.25}
    assert summary["triage_assignment_group"]["classes"] == {"mean": 39.0}


def test_flags_baselines_and_the_history_are_not_model_figures():
    summary = summarise(CUTOFFS, nominal_coverage=0.8)
    assert "promoted" not in summary["sla_breach"]
    assert "beyond_noise" not in summary["gates"]["pr_auc"]
    assert not {"baselines", "split", "incidents"} & set(summary)


def test_a_blocked_cutoff_counts_as_a_cutoff_but_not_towards_the_figures():
    summary = summarise(CUTOFFS, nominal_coverage=0.8)
    assert (summary["cutoffs"], summary["cutoffs_trained"]) == (3, 2)
    assert summary["gates_passed"] == {"sla_breach_model": 1, "resolution_time_model": 2}


@pytest.mark.parametrize("missing", [None, math.nan])
def test_a_missing_figure_is_left_out_of_the_mean(missing):
    cutoffs = [
        _figures(cutoff, roc_auc=0.70, mae=150.0, coverage=0.8, advantage=0.02)
        for cutoff in ("2016-03-15", "2016-03-25")
    ]
    cutoffs[1]["sla_breach"]["roc_auc"] = missing
    assert summarise(cutoffs, 0.8)["sla_breach"]["roc_auc"] == {"mean": 0.7, "worst": 0.7}


def test_the_table_has_a_row_per_cutoff_then_the_mean_and_the_worst():
    backtest = {"cutoffs": CUTOFFS, "summary": summarise(CUTOFFS, nominal_coverage=0.8)}
    lines = headline_table(backtest).splitlines()
    assert len(lines) == 1 + len(CUTOFFS) + 2
    assert "breach ROC AUC" in lines[0] and "assignment_group top-1" in lines[0]
    assert lines[1].split()[:3] == ["2016-03-15", "150", "0.700"]
    assert lines[1].endswith("2/2") and lines[2].endswith("1/2")
    assert "blocked by a check" in lines[3]
    assert lines[4].split()[:3] == ["mean", "-", "0.650"]
    assert lines[5].split()[:3] == ["worst", "-", "0.600"]
