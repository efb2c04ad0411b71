from dataclasses import fields
from datetime import UTC, datetime

import polars as pl

from incident_intel.shadow.log import SHADOW_SCHEMA, ShadowLog, ShadowRow

WHEN = datetime(2026, 1, 6, 9, 30, tzinfo=UTC)


def test_a_row_holds_every_column_of_the_log():
    assert [f.name for f in fields(ShadowRow)] == SHADOW_SCHEMA.names()


def test_no_log_reads_as_an_empty_frame(tmp_path):
    log = ShadowLog(tmp_path / "serving" / "shadow.sqlite3")
    assert log.frame().schema == SHADOW_SCHEMA and log.frame().is_empty()
    assert not log.path.exists()


def test_appended_rows_read_back_typed_and_oldest_first(tmp_path):
    log = ShadowLog(tmp_path / "shadow.sqlite3")
    later = ShadowRow(
        WHEN.replace(minute=31).isoformat(timespec="microseconds"), "b", "m", None, "c2"
    )
    log.append([later])
    log.append(
        [
            ShadowRow(
                WHEN.isoformat(timespec="microseconds"),
                "a",
                "sla_breach_model",
                "p1",
                "c1",
                promoted_breach_probability=0.25,
                candidate_breach_probability=0.5,
            )
        ]
    )
    frame = log.frame()
    assert frame.schema == SHADOW_SCHEMA
    assert frame["sys_id"].to_list() == ["a", "b"]
    assert frame["scored_at"][0] == WHEN
    assert frame.row(0, named=True)["candidate_breach_probability"] == 0.5
    assert frame.filter(pl.col("sys_id") == "b")["promoted_version"].to_list() == [None]
