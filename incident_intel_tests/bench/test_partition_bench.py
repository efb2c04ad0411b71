"""`incident-intel bench partition`, end to end: a real partition through the Dagster CLI."""

import json
import os

import pytest

from incident_intel.cli import main

pytestmark = pytest.mark.slow


def test_the_partition_bench_prints_one_line_of_figures(capsys, monkeypatch):
    monkeypatch.delenv("SERVICENOW_INSTANCE_URL", raising=False)
    main(["bench", "partition", "--day", "2026-01-05"])
    (line,) = capsys.readouterr().out.splitlines()
    figures = json.loads(line)
    assert figures["partition"] == "2026-01-05"
    assert figures["partition_incident_records"] > 0
    assert figures["partition_versions"] >= figures["partition_incident_records"]
    assert 0 < figures["code_location_import_seconds"] < figures["partition_cli_seconds"]
    assert figures["cpu_count"] == os.cpu_count()
    assert figures["load_average_before"] >= 0
