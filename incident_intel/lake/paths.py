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

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"
