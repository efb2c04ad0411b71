"""`incident-intel bench drift`: its command line, and the figures it reads back per day."""

import json
from datetime import date

import polars as pl
import pytest

from incident_intel.bench import drift_bench
from incident_intel.bench.cli import DEFAULT_TEST_DAYS
from incident_intel.bench.drift_bench import day_figures, drift_table, run_drift_bench
from incident_intel.cli import main
from incident_intel.monitoring.drift import Drift
from incident_intel.monitoring.figures import figures_frame
from incident_intel.settings import DriftSettings
from incident_intel.storage.atomic import write_parquet_atomic
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import OPEN_INCIDENT_DRIFT

BENCH = ["bench", "drift", "--events", "log.csv.gz", "--train-until", "2016-04-01"]


def test_the_command_line_hands_the_bench_its_window(monkeypatch, capsys):
    seen = []

    def bench(events, train_until, test_days, days):
        seen.append((str(events), train_until, test_days, days))
        return {"days": []}

    monkeypatch.setattr(drift_bench, "run_drift_bench", bench)
    main([*BENCH, "--days", "28"])
    main([*BENCH, "--days", "7", "--test-days", "10"])
    assert seen == [
        ("log.csv.gz", date(2016, 4, 1), DEFAULT_TEST_DAYS, 28),
        ("log.csv.gz", date(2016, 4, 1), 10, 7),
    ]
    assert json.loads(capsys.readouterr().out.splitlines()[0]) == {"days": []}


def test_days_past_the_export_are_refused_before_anything_runs(tmp_path):
    events = tmp_path / "log.csv"
    events.write_text("number,sys_updated_at\nINC1,29/2/2016 01:23\nINC1,5/4/2016 10:00\n")
    with pytest.raises(SystemExit, match="runs past the export's last day 2016-04-05"):
        run_drift_bench(events, date(2016, 4, 1), test_days=14, days=6)


@pytest.mark.parametrize(
    ("incidents", "severities"),
    [(500, ("ERROR", "WARN")), (150, ("not judged", "not judged"))],
    ids=["judged", "too-few"],
)
def test_a_days_figures_are_read_back_and_graded(tmp_path, incidents, severities):
    paths, day = LakePaths(tmp_path), date(2016, 4, 2)
    # The location moved most, but no more than it usually does in a day: judged on priority.
    drift = Drift(
        {"priority": 0.3, "location": 0.5, "caller": 0.02},
        0.14,
        incidents,
        usual={"priority": 0.02, "location": 0.45, "caller": 0.0},
        risk_usual=0.01,
    )
    write_parquet_atomic(
        figures_frame(day, "v1", drift), paths.partition_file(OPEN_INCIDENT_DRIFT, day)
    )
    figures = day_figures(paths, day, DriftSettings())
    assert figures["top_features"] == [
        ["priority", 0.3, 0.02],
        ["location", 0.5, 0.45],
        ["caller", 0.02, 0.0],
    ]
    assert (figures["max_feature_psi"], figures["max_feature_excess"]) == (0.5, 0.28)
    assert (figures["feature_severity"], figures["risk_severity"]) == severities
    unmeasured = day_figures(paths, date(2016, 4, 3), DriftSettings())
    assert unmeasured == {"day": "2016-04-03", "measured": False}
    table = drift_table([figures, unmeasured]).splitlines()
    assert "priority" in table[1] and table[2].split()[0] == "2016-04-03"


def test_an_unmeasured_day_stored_empty_reads_as_unmeasured(tmp_path):
    paths, day = LakePaths(tmp_path), date(2016, 4, 2)
    write_parquet_atomic(
        figures_frame(day, None, None), paths.partition_file(OPEN_INCIDENT_DRIFT, day)
    )
    assert day_figures(paths, day, DriftSettings()) == {"day": "2016-04-02", "measured": False}
    assert pl.read_parquet(paths.partition_file(OPEN_INCIDENT_DRIFT, day)).is_empty()
