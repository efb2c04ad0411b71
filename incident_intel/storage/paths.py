"""Where each table lives under the data root; every partition path derives from its key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from incident_intel.storage.tables import Table

PARQUET_FILE = "part-0.parquet"
DASHBOARD_INDEX = "index.html"  # reports/dashboard's page: the asset writes it, the API serves it


@dataclass(frozen=True)
class LakePaths:
    root: Path

    def table_dir(self, table: Table) -> Path:
        return self.root / table.layer / table.name

    def partition_dir(self, table: Table, day: date) -> Path:
        return self.table_dir(table) / f"date={day.isoformat()}"

    def partition_file(self, table: Table, day: date) -> Path:
        return self.partition_dir(table, day) / PARQUET_FILE

    def partition_glob(self, table: Table) -> Path:
        return self.table_dir(table) / "date=*" / "*.parquet"

    def has_partitions(self, table: Table) -> bool:
        return any(self.table_dir(table).glob("date=*/*.parquet"))

    def table_file(self, table: Table, name: str = PARQUET_FILE) -> Path:
        """An unpartitioned table's file, such as gold/incident_features/part-0.parquet."""
        return self.table_dir(table) / name

    @property
    def models(self) -> Path:
        return self.root / "model"

    @property
    def feedback(self) -> Path:
        """The feedback store, a SQLite file apart from the warehouse (see feedback/store.py)."""
        return self.root / "feedback" / "feedback.sqlite3"

    @property
    def shadow_log(self) -> Path:
        """The API's shadow log, a SQLite file apart from the warehouse (see shadow/log.py)."""
        return self.root / "serving" / "shadow.sqlite3"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"
