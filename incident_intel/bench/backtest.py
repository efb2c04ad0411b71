"""A rolling-origin backtest: the daily layers once, then features, models and reports per cutoff.

Bronze and silver do not depend on the split, so they are built once; each cutoff then rebuilds
only what does. Each cutoff starts from an empty model store: its candidates are the versions
trained for it, never compared with, nor promoted over, another cutoff's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from incident_intel.bench.backtest_summary import summarise
from incident_intel.bench.graph_results import read_results
from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.paths import LakePaths

# The daily layers, once: the seconds they took.
RunDaily = Callable[[], float]
# Features, models and reports trained before a cutoff and tested up to test_end:
# the seconds they took, and whether every step (every gate) passed.
RunCutoff = Callable[[date, date], tuple[float, bool]]


def rolling_origin(
    data: Path,
    cutoffs: Sequence[date],
    test_days: int,
    run_daily: RunDaily,
    run_cutoff: RunCutoff,
    nominal_coverage: float,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Each cutoff's figures from the graph in `data`, and their mean and worst across cutoffs."""
    daily_seconds = run_daily()
    store = ModelStore(LakePaths(data).models)
    results = []
    for number, cutoff in enumerate(cutoffs, start=1):
        test_end = cutoff + timedelta(days=test_days)
        say(
            f"[cutoff {number}/{len(cutoffs)}] Features, models and reports: train before "
            f"{cutoff}, test {cutoff} … {test_end - timedelta(days=1)}"
        )
        store.clear()
        seconds, succeeded = run_cutoff(cutoff, test_end)
        results.append(
            {
                "cutoff": cutoff.isoformat(),
                "test_end": test_end.isoformat(),
                "features_models_reports_seconds": round(seconds, 1),
                "models_run_succeeded": succeeded,
                **read_results(data),
            }
        )
    return {
        "test_days": test_days,
        "daily_layers_seconds": round(daily_seconds, 1),
        "cutoffs": results,
        "summary": summarise(results, nominal_coverage),
    }
