"""The data lake resource: where the layers live, and the serialised warehouse connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from incident_intel.lake.paths import LakePaths
from incident_intel.lake.warehouse import connect_warehouse


class LakeResource(dg.ConfigurableResource):
    """The data root holding bronze, silver, gold, models, reports and warehouse.duckdb."""

    data_dir: str

    @property
    def paths(self) -> LakePaths:
        return LakePaths(Path(self.data_dir).resolve())

    @contextmanager
    def warehouse(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect_warehouse(self.paths.warehouse, read_only=read_only) as connection:
            yield connection
