"""The data lake resource: the data root holding bronze, silver, gold, models and reports."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from incident_intel.storage.paths import LakePaths


class LakeResource(dg.ConfigurableResource):
    """Where every layer lives; each path derives from a table and, if partitioned, a day."""

    data_dir: str

    @property
    def paths(self) -> LakePaths:
        return LakePaths(Path(self.data_dir).resolve())
