"""Replays a ServiceNow CSV export of the incident audit: each row is one version.

The export goes through the `servicenow_csv_export` mapping like any source, then parseable
timestamps are rewritten in the Table API's format. Unparseable values and bad data (an unknown
state, a version updated before it was opened) are served as they are, for silver to reject.
`incident` serves each incident's latest version; `sys_audit` the differences between its
consecutive versions, its first version in the export being its insert. Nothing is deleted.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime
from functools import cached_property
from pathlib import Path

import polars as pl

from incident_intel.silver.extract import extract_strings
from incident_intel.silver.mapping import SourceMapping, load_schema_mapping
from incident_intel.simulator.audit import AuditRow, audit_frame
from incident_intel.simulator.canonical import (
    TIMESTAMP_FORMAT,
    Version,
    ceil_timestamp,
    columns,
    conform,
    format_timestamp,
    parse_timestamp,
)
from incident_intel.simulator.store import NEVER, Clock, IncidentStore

CSV_SOURCE = "servicenow_csv_export"
_ROW = "__row"
_ATTRIBUTED = "__attributed"


def _timestamps(frame: pl.DataFrame, source: SourceMapping) -> pl.DataFrame:
    names = [f.name for f in source.canonical if f.type == "datetime"]
    return frame.with_columns(
        pl.coalesce(
            source.parse_timestamps(pl.col(n)).dt.strftime(TIMESTAMP_FORMAT),
            pl.col(n),
        ).alias(n)
        for n in names
    )


def _updated_on() -> pl.Expr:
    return pl.col("sys_updated_on").str.strptime(pl.Datetime("us"), TIMESTAMP_FORMAT, strict=False)


def _spread_within_minutes(frame: pl.DataFrame) -> pl.DataFrame:
    """Give versions of one incident updated in the same minute distinct seconds.

    The export has minute resolution, and thousands of incidents have several versions in one
    minute; the Table API key (sys_updated_on, sys_id) must be unique, and no row may be lost.
    Such versions are spread over seconds :00, :01, ... in sys_mod_count order, then file
    order. An export never holds 60 versions of an incident in one minute, so minutes stay apart.
    """
    parsed = _updated_on()
    rank = pl.int_range(pl.len()).over(["sys_id", "sys_updated_on"])
    return (
        frame.sort(pl.col("sys_mod_count").cast(pl.Int64, strict=False), _ROW, nulls_last=True)
        .with_columns(
            pl.when(parsed.is_not_null())
            .then((parsed + pl.duration(seconds=rank)).dt.strftime(TIMESTAMP_FORMAT))
            .otherwise(pl.col("sys_updated_on"))
            .alias("sys_updated_on")
        )
        .sort(_ROW)
    )


def read_export(csv_path: str | Path, source: SourceMapping) -> pl.DataFrame:
    """The export's rows as strings, or an error naming the file and what is wrong with it."""
    try:
        raw = pl.read_csv(csv_path, infer_schema=False)
    except FileNotFoundError:
        raise ValueError(f"{csv_path}: no such ServiceNow CSV export") from None
    except pl.exceptions.NoDataError:
        raise ValueError(f"{csv_path}: the CSV export is empty") from None
    except pl.exceptions.ComputeError as error:
        if "utf-8" in str(error).lower():
            raise ValueError(
                f"{csv_path}: the CSV export is not UTF-8; re-export it as UTF-8"
            ) from None
        raise ValueError(f"{csv_path}: not a readable CSV export ({error})") from None
    missing = [
        f"{rule.source_field} (for {rule.canonical})"
        for rule in source.rules
        if rule.derive is None
        and any(f.name == rule.canonical and f.required for f in source.canonical)
        and rule.source_field not in raw.columns
    ]
    if missing:
        raise ValueError(
            f"{csv_path}: the export lacks the column(s) {', '.join(missing)}, which the "
            f"{source.name} mapping requires; it has: {', '.join(raw.columns) or 'no columns'}"
        )
    return raw


def replay_versions(raw: pl.DataFrame) -> pl.DataFrame:
    """A CSV export (all columns as strings) -> version strings in the stored columns, canonical
    and extra, in file order."""
    source = load_schema_mapping().source(CSV_SOURCE)
    frame = extract_strings(raw, source).with_row_index(_ROW)
    spread = _spread_within_minutes(_timestamps(frame, source)).drop(_ROW)
    return conform(spread, dict.fromkeys(columns(), pl.String))


class ReplayIncidentStore(IncidentStore):
    """Serves a ServiceNow CSV export. A version whose sys_updated_on cannot be parsed fits no
    window: it is handed over, verbatim, by `unservable_between` on the day it was opened."""

    def __init__(self, csv_path: str | Path, clock: Clock | None = None) -> None:
        super().__init__(clock)
        source = load_schema_mapping().source(CSV_SOURCE)
        versions = replay_versions(read_export(csv_path, source))
        unparsed = versions.filter(_updated_on().is_null())
        # Kept as a frame and turned into dicts per window: dicts of the whole log are heavy.
        self._frame = versions.filter(_updated_on().is_not_null()).sort("sys_updated_on", "sys_id")
        self._keys = list(
            zip(
                self._frame["sys_updated_on"].to_list(),
                self._frame["sys_id"].to_list(),
                strict=True,
            )
        )
        # A version stops being current when its successor is updated; the last never does.
        successor = pl.col("sys_updated_on").shift(-1).over("sys_id")
        self._retired = self._frame.select(successor.fill_null(NEVER)).to_series().to_list()
        rows = self._frame.with_row_index("row").group_by("sys_id").agg("row")
        self._rows_by_sys_id: dict[str, list[int]] = dict(
            zip(rows["sys_id"].to_list(), rows["row"].to_list(), strict=True)
        )
        opened = pl.col("opened_at").str.strptime(pl.Datetime("us"), TIMESTAMP_FORMAT, strict=False)
        first_day = self._keys[0][0] if self._keys else format_timestamp(self.clock())
        # Attributed to the day it was opened, or to the export's first day when that does not
        # parse either, so that each such row reaches exactly one partition.
        self._unparsed = unparsed.with_columns(
            pl.when(opened.is_not_null())
            .then(pl.col("opened_at"))
            .otherwise(pl.lit(first_day))
            .alias(_ATTRIBUTED)
        )

    def unservable_between(self, start: datetime, end: datetime) -> list[Version]:
        low, high = ceil_timestamp(start), self._visible_end(end, self._now())
        within = (pl.col(_ATTRIBUTED) >= low) & (pl.col(_ATTRIBUTED) < high)
        return self._unparsed.filter(within).drop(_ATTRIBUTED).to_dicts()

    def earliest(self) -> datetime:
        return parse_timestamp(self._keys[0][0]) if self._keys else self.clock()

    def _stored_between(self, start: str, end: str) -> list[Version]:
        first, last = bisect_left(self._keys, (start,)), bisect_left(self._keys, (end,))
        return self._frame.slice(first, last - first).to_dicts()

    def _stored_current_between(self, start: str, end: str, now: str) -> list[Version]:
        first, last = bisect_left(self._keys, (start,)), bisect_left(self._keys, (end,))
        current = [i for i in range(first, last) if self._retired[i] > now]
        return self._frame.select(pl.all().gather(current)).to_dicts()

    @cached_property
    def _audit(self) -> pl.DataFrame:
        """sys_audit, derived on first use so that replaying `incident` alone never pays for it.

        Only versions a window can serve take part: an unparseable update time has no place in
        the order of its incident's versions.
        """
        return audit_frame(self._frame).sort("sys_created_on", "sys_id")

    def _stored_audit_between(self, start: str, end: str) -> list[AuditRow]:
        times = self._audit["sys_created_on"]
        first, last = times.search_sorted(start, "left"), times.search_sorted(end, "left")
        return self._audit.slice(first, last - first).to_dicts()

    def _stored_history(self, version: Version) -> list[Version]:
        rows = self._rows_by_sys_id.get(version["sys_id"] or "", [])
        return self._frame[rows].to_dicts()
