import math

import numpy as np
import pandas as pd
import pytest

from incident_intel.ml.gates import (
    beats_baseline,
    breach_gate,
    leakage_sentinel,
    single_feature_auc,
    triage_gate,
    ttr_gate,
)


@pytest.mark.parametrize(
    ("gate", "better", "worse"),
    [(breach_gate, 0.40, 0.30), (triage_gate, 0.86, 0.84), (ttr_gate, 10.0, 12.0)],
)
def test_gates_pass_better_and_fail_worse(gate, better: float, worse: float) -> None:
    assert gate(better, worse).passed
    failed = gate(worse, better)
    assert not failed.passed
    assert (failed.model_value, failed.baseline_value) == (worse, better)
    assert not gate(better, better).passed  # a tie does not beat the baseline


def test_gate_metadata_and_margin() -> None:
    result = ttr_gate(10.0, 10.5, min_margin=1.0)
    assert not result.passed
    assert result.as_dict() == {
        "passed": False,
        "metric": "mae_hours",
        "model_value": 10.0,
        "baseline_value": 10.5,
        "higher_is_better": False,
    }
    assert not beats_baseline("pr_auc", math.nan, 0.2, True).passed


def test_leakage_sentinel_flags_only_the_leak() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(600) < 0.3).astype(int)
    X = pd.DataFrame(
        {
            "made_sla": np.where(rng.random(600) < 0.99, 1 - y, y),  # the outcome itself
            "close_code": np.where(y == 1, "breached", "solved"),
            "priority": rng.choice(["1", "2", "3"], size=600),
            "sys_id": [f"id{i}" for i in range(600)],  # unique: must not look predictive
            "noise": rng.normal(size=600),
        }
    )
    flagged = leakage_sentinel(X, y, threshold=0.95)
    assert set(flagged) == {"made_sla", "close_code"}
    aucs = single_feature_auc(X, y)
    assert aucs["sys_id"] < 0.6
    assert all(0.5 <= auc <= 1.0 for auc in aucs.values())
