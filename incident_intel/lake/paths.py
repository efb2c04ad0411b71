"""Where each layer lives under the data root; every partition path derives from its key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class LakePaths:
    root: Path

    def bronze_partition(self, table: str, day: date) -> Path:
        return self.root / "bronze" / table / f"date={day.isoformat()}"

    def silver_partition_file(self, table: str, day: date) -> Path:
        return self.root / "silver" / table / f"date={day.isoformat()}" / "part-0.parquet"

    def silver_glob(self, table: str) -> Path:
        return self.root / "silver" / table / "date=*" / "*.parquet"

    def table_file(self, layer: str, table: str, name: str = "part-0.parquet") -> Path:
        """An unpartitioned table's file, such as gold/incident_features/part-0.parquet."""
        return self.root / layer / table / name

    @property
    def models(self) -> Path:
        return self.root / "model"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"
