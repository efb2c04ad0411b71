"""Silver's output for a fixed simulated partition, byte for byte, as the code before the fast
path (issue 12) wrote it: a faster parse must not change one value, nor must asking the API for
only the fields the mapping reads (rejects then keep the narrower record as it was received)."""

import hashlib
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from incident_intel.ingest.bronze import write_bronze_partition
from incident_intel.ingest.servicenow_client import ServiceNowTableClient
from incident_intel.ingest.source import pull_audit_pages, requested_fields
from incident_intel.partitions import day_window
from incident_intel.silver.day import build_silver_day
from incident_intel.silver.mapping import load_schema_mapping
from incident_intel.simulator.server import SimulatorServer
from incident_intel.simulator.settings import FaultSettings, SimulatorSettings
from incident_intel.simulator.synthetic import SyntheticIncidentStore
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import INCIDENT_AUDIT_PAGES, INCIDENT_PAGES

DAY = date(2026, 1, 5)
# SHA-256 of each output written as CSV, measured on the code before the fast path.
EXPECTED = {
    "versions": (506, "2c627177358dbd3e375c065cafb0502a7254b66f4f7ffef143554271c7d6a0f9"),
    "audit": (3987, "cc6f86415be2002545827aac52addd2890d33ea3aefe0edbe0c93f0616b9a73e"),
    "rejects": (18, "a22fae8f3b7d161a2e78e2abeefd6029c4b49f1faf88c1ee3c4010bb90be5890"),
}
TYPED_REJECTS = (18, "e79a8ce5c0b74c76cdf3fc4a2471822b4485682b69eb8739fec6d1a47cec1aeb")


def _digest(frame: pl.DataFrame) -> tuple[int, str]:
    return frame.height, hashlib.sha256(frame.write_csv().encode()).hexdigest()


@pytest.fixture(scope="module", params=["every field", "mapped fields"])
def silver_day(request, tmp_path_factory):
    mapped_only = request.param == "mapped fields"
    paths = LakePaths(tmp_path_factory.mktemp("lake"))
    store = SyntheticIncidentStore(
        seed=11,
        incidents_per_day=120,
        start_date=DAY - timedelta(days=10),
        clock=lambda: datetime(2026, 1, 20, tzinfo=UTC),
    )
    # Repeated rows give rejects of every table, so their raw records are compared too.
    faults = FaultSettings(seed=3, duplicate_row_rate=0.5)
    start, end = day_window(DAY)
    with SimulatorServer(store, SimulatorSettings(faults=faults)) as server:

        def client_for(table: str, **query) -> ServiceNowTableClient:
            if not mapped_only:
                query.pop("fields", None)
            return ServiceNowTableClient(server.url, table=table, page_size=100, **query)

        incident_fields = requested_fields("servicenow_table_api") if mapped_only else ()
        for table, pages in (
            (
                INCIDENT_PAGES,
                client_for("incident", fields=incident_fields).pull_window(start, end),
            ),
            (INCIDENT_AUDIT_PAGES, pull_audit_pages(client_for, "incident", start, end)),
        ):
            write_bronze_partition(
                paths.partition_dir(table, DAY),
                pages,
                source_url=server.url,
                window_start=start,
                window_end=end,
            )
    mapping = load_schema_mapping().source("servicenow_table_api")
    return mapped_only, build_silver_day(paths, mapping, DAY, (start, end))


def test_silver_types_the_same_versions_audit_events_and_rejects(silver_day):
    _, day = silver_day
    assert _digest(day.versions) == EXPECTED["versions"]
    assert _digest(day.audit.events) == EXPECTED["audit"]
    assert _digest(day.rejects.drop("raw_record")) == TYPED_REJECTS


# A narrower request keeps narrower raw records, as received: only a pull of every field
# rejects the very records the code before the fast path kept.
@pytest.mark.parametrize("silver_day", ["every field"], indirect=True)
def test_a_pull_of_every_field_rejects_the_same_raw_records(silver_day):
    mapped_only, day = silver_day
    assert not mapped_only
    assert _digest(day.rejects) == EXPECTED["rejects"]
