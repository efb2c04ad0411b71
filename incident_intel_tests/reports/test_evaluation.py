from incident_intel.ml.gates import breach_gate, ttr_gate
from incident_intel.reports.evaluation import gates_table


def test_the_gate_table_shows_the_strongest_baseline_and_the_interval() -> None:
    hours = [1.0, 2.0, 4.0, 8.0]
    won = ttr_gate(hours, [h + 1 for h in hours], {"median_by_priority": [9.0] * 4}, seed=0)
    lost = breach_gate([0, 1, 0, 1], [0.9, 0.1, 0.2, 0.3], {"catboost_default": [0, 1, 0, 1]}, 0)
    summary = {"version": "v1", "promoted": False, "gates": [won.as_dict(), lost.as_dict()]}
    table = gates_table(summary)
    assert "NOT promoted" in table and "paired bootstrap 90% interval" in table
    assert "| strongest baseline |" in table and "| win beyond noise |" in table
    rows = [line for line in table.splitlines() if line.startswith(("| mae_hours", "| pr_auc"))]
    assert "median_by_priority" in rows[0] and "| yes | passed |" in rows[0]
    assert "catboost_default" in rows[1] and "| no | FAILED |" in rows[1]
    assert f"{won.advantage:+.3f} [{won.advantage_low:+.3f}, {won.advantage_high:+.3f}]" in rows[0]
