from incident_intel.ingest.source import requested_fields
from incident_intel.silver.mapping import load_schema_mapping


def test_the_mapping_names_every_field_silver_reads_extra_fields_included():
    fields = requested_fields("servicenow_table_api")
    assert set(fields) == load_schema_mapping().source("servicenow_table_api").source_fields
    assert {"caller_id", "sys_updated_on", "opened_by", "u_symptom"} <= set(fields)
    assert "caller" not in fields
