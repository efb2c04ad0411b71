"""`bench faults` on its two cheapest scenarios: figures from a real pull, in one JSON-able dict."""

import json

from incident_intel.bench.faults_bench import run_faults_bench


def test_faults_bench_counts_nothing_lost_or_duplicated():
    figures = run_faults_bench(["server_errors_5xx", "bad_export"])
    json.dumps(figures)
    scenarios = {s["name"]: s for s in figures["scenarios"]}
    assert set(scenarios) == {"server_errors_5xx", "bad_export"}

    errors = scenarios["server_errors_5xx"]
    assert errors["equal_to_truth"] and errors["run_succeeded"]
    assert errors["lost"] == errors["duplicated"] == 0
    assert errors["silver_versions"] == errors["truth_versions"] > 0

    export = scenarios["bad_export"]
    assert export["equal_to_truth"] and export["lost"] == export["duplicated"] == 0
    assert export["silver_versions"] + export["silver_rejects"] == export["csv_rows"] == 4
    assert export["partition_failed_loudly"] and not export["run_succeeded"]
