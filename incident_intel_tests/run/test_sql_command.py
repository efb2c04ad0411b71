"""`incident-intel sql`: a person's query over the lake, answered beside the pipeline."""

from datetime import UTC, date, datetime

import polars as pl
import pytest

from incident_intel.cli import main
from incident_intel.storage.atomic import write_parquet_atomic
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import INCIDENT_VERSIONS

DAY = date(2026, 1, 5)


@pytest.fixture
def lake(tmp_path, monkeypatch):
    versions = pl.DataFrame(
        {
            "sys_id": ["a", "a", "b"],
            "state": ["New", "Resolved", "New"],
            "sys_updated_on": [
                datetime(2026, 1, 5, 9, tzinfo=UTC),
                datetime(2026, 1, 5, 17, tzinfo=UTC),
                datetime(2026, 1, 5, 10, tzinfo=UTC),
            ],
            "sys_mod_count": [0, 1, 0],
            "partition_date": [DAY] * 3,
        }
    )
    write_parquet_atomic(versions, LakePaths(tmp_path).partition_file(INCIDENT_VERSIONS, DAY))
    monkeypatch.setenv("INCIDENT_INTEL_DATA_DIR", str(tmp_path))
    return tmp_path


def test_the_current_state_answers_a_query(lake, capsys):
    main(["sql", "select sys_id, state from silver.incidents order by sys_id"])
    printed = capsys.readouterr().out
    assert "Resolved" in printed and "│ a " in printed and "│ b " in printed
    assert printed.count("New") == 1


def test_a_bad_query_says_what_went_wrong(lake):
    with pytest.raises(SystemExit, match=r"query failed: .*nope"):
        main(["sql", "select nope from silver.incidents"])
