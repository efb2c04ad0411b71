"""Silver's output for a fixed simulated partition, byte for byte, as the code before the fast
path (issue 12) wrote it: a faster parse must not change one value, nor must asking the API for
only the fields the mapping reads (rejects then keep the narrower record as it was received).
The Parquet files silver writes for two days, the second built on the first's versions, are
compared by hash too: "the same silver bytes for the same partition"."""

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
from incident_intel.silver.write import write_silver_day
from incident_intel.simulator.server import SimulatorServer
from incident_intel.simulator.settings import FaultSettings, SimulatorSettings
from incident_intel.simulator.synthetic import SyntheticIncidentStore
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import (
    INCIDENT_AUDIT,
    INCIDENT_AUDIT_PAGES,
    INCIDENT_PAGES,
    INCIDENT_REJECTS,
    INCIDENT_VERSIONS,
)

DAY = date(2026, 1, 5)
NEXT_DAY = DAY + timedelta(days=1)
# SHA-256 of each output written as CSV, measured on the code before the fast path.
EXPECTED = {
    "versions": (506, "2c627177358dbd3e375c065cafb0502a7254b66f4f7ffef143554271c7d6a0f9"),
    "audit": (3987, "cc6f86415be2002545827aac52addd2890d33ea3aefe0edbe0c93f0616b9a73e"),
    "rejects": (18, "a22fae8f3b7d161a2e78e2abeefd6029c4b49f1faf88c1ee3c4010bb90be5890"),
}
TYPED_REJECTS = (18, "e79a8ce5c0b74c76cdf3fc4a2471822b4485682b69eb8739fec6d1a47cec1aeb")
# SHA-256 of each Parquet file silver writes, measured on the code before issue 12's second pass.
PARQUET = {
    "every field": {
        "versions, day 1": "5ce49ca6fb31cc7f394905318c3b72dc18d18b8d2c06468d3de51d7b8fa5faf0",
        "rejects, day 1": "c372d7c8e517ec0afc8080df507dc8cbd315e1453ddd2ac3fceeecc9c0a3f38d",
        "audit, day 1": "c5e98328849a964e80df7ce6c2086c696f5100286ffe21b36c36b955ccd6b090",
        "versions, day 2": "b43f9e5b35beaed7aa70dfc771c219c9e2668572c5b6eb834a088f799bc330d5",
        "rejects, day 2": "2c52149c5c45bc3af9d3537f99801b8a97127c1dfad520372e3b17a90eb57d74",
        "audit, day 2": "190d883981e482008f066e3e56cc8b940456915f29673626c67a81c9e2d0abf2",
    },
    "mapped fields": {
        "versions, day 1": "5ce49ca6fb31cc7f394905318c3b72dc18d18b8d2c06468d3de51d7b8fa5faf0",
        "rejects, day 1": "82c95f2d2e5a9e30b2cff3457b75516caa26f7771780365b16e4739c83cbcb54",
        "audit, day 1": "c5e98328849a964e80df7ce6c2086c696f5100286ffe21b36c36b955ccd6b090",
        "versions, day 2": "b43f9e5b35beaed7aa70dfc771c219c9e2668572c5b6eb834a088f799bc330d5",
        "rejects, day 2": "5ed421ea2002111f427c51a15d980896362c81fde36c6b14052fb1567d6d403b",
        "audit, day 2": "190d883981e482008f066e3e56cc8b940456915f29673626c67a81c9e2d0abf2",
    },
}


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
    with SimulatorServer(store, SimulatorSettings(faults=faults)) as server:

        def client_for(table: str, **query) -> ServiceNowTableClient:
            if not mapped_only:
                query.pop("fields", None)
            return ServiceNowTableClient(server.url, table=table, page_size=100, **query)

        incident_fields = requested_fields("servicenow_table_api") if mapped_only else ()
        for day in (DAY, NEXT_DAY):
            start, end = day_window(day)
            for table, pages in (
                (
                    INCIDENT_PAGES,
                    client_for("incident", fields=incident_fields).pull_window(start, end),
                ),
                (INCIDENT_AUDIT_PAGES, pull_audit_pages(client_for, "incident", start, end)),
            ):
                write_bronze_partition(
                    paths.partition_dir(table, day),
                    pages,
                    source_url=server.url,
                    window_start=start,
                    window_end=end,
                )
    mapping = load_schema_mapping().source("servicenow_table_api")
    return mapped_only, build_silver_day(paths, mapping, DAY, day_window(DAY)), paths, mapping


def test_silver_types_the_same_versions_audit_events_and_rejects(silver_day):
    _, day, _, _ = silver_day
    assert _digest(day.versions) == EXPECTED["versions"]
    assert _digest(day.audit.events) == EXPECTED["audit"]
    assert _digest(day.rejects.drop("raw_record")) == TYPED_REJECTS


# A narrower request keeps narrower raw records, as received: only a pull of every field
# rejects the very records the code before the fast path kept.
@pytest.mark.parametrize("silver_day", ["every field"], indirect=True)
def test_a_pull_of_every_field_rejects_the_same_raw_records(silver_day):
    mapped_only, day, _, _ = silver_day
    assert not mapped_only
    assert _digest(day.rejects) == EXPECTED["rejects"]


def test_silver_writes_the_same_parquet_bytes_for_two_days(silver_day):
    mapped_only, _, paths, mapping = silver_day
    digests = {}
    for number, day in enumerate((DAY, NEXT_DAY), start=1):
        # Written as the asset writes them; the second day continues from the first's versions.
        write_silver_day(paths, mapping, day, day_window(day))
        for name, table in (
            ("versions", INCIDENT_VERSIONS),
            ("rejects", INCIDENT_REJECTS),
            ("audit", INCIDENT_AUDIT),
        ):
            path = paths.partition_file(table, day)
            digests[f"{name}, day {number}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    fields = "mapped fields" if mapped_only else "every field"
    assert digests == PARQUET[fields]
