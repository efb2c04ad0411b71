from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from incident_intel.scoring.incident_in import (
    IncidentIn,
    SourceRecordError,
    from_source_record,
)
from incident_intel.silver.mapping import load_schema_mapping

TABLE_API = load_schema_mapping().source("servicenow_table_api")
CSV_EXPORT = load_schema_mapping().source("servicenow_csv_export")


def test_a_table_api_record_reads_through_the_mapping():
    incident = from_source_record(
        {
            "priority": "2",
            "caller_id": {"value": "u-1", "display_value": "Ann Lee"},
            "assignment_group": {"value": "g-9", "display_value": "Network"},
            "short_description": "VPN down",
            "opened_by": {"value": "u-2", "display_value": "Bob"},
        },
        TABLE_API,
    )
    assert incident.priority == 2
    assert incident.assignment_group == "Network"
    assert incident.caller == "u-1"
    assert incident.extra["opened_by"] == "Bob"


def test_an_export_row_reads_its_labels_and_local_times():
    incident = from_source_record(
        {"number": "INC1", "priority": "2 - High", "opened_at": "01/03/2016 10:00"}, CSV_EXPORT
    )
    assert incident.priority == 2
    assert incident.opened_at == datetime(2016, 3, 1, 10, tzinfo=UTC)


def test_a_bad_source_record_names_every_bad_field():
    with pytest.raises(SourceRecordError) as error:
        from_source_record({"priority": "9", "opened_at": "yesterday"}, TABLE_API)
    assert "priority: '9'" in str(error.value) and "opened_at: 'yesterday'" in str(error.value)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"priority": 7}, "priority"),
        ({"urgency": "high"}, "urgency"),
        ({"opened_at": "soon"}, "opened_at"),
        ({"prioritty": 2}, "prioritty"),
        ({"short_description": "x" * 20_001}, "short_description"),
    ],
)
def test_canonical_input_errors_name_the_field(body, field):
    with pytest.raises(ValidationError) as error:
        IncidentIn.model_validate(body)
    assert error.value.errors()[0]["loc"][0] == field


def test_defaults_give_an_id_and_the_time_received():
    received = datetime(2026, 1, 5, 9, tzinfo=UTC)
    incident = IncidentIn(short_description="x").with_defaults(received)
    assert incident.opened_at == received and len(incident.sys_id) == 32
    kept = IncidentIn(sys_id="mine").with_defaults(received)
    assert kept.sys_id == "mine"
