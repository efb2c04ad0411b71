"""Extra fields: declared per source, validated, typed into silver and rebuilt from the trail."""

import json
from datetime import UTC, date, datetime

import polars as pl
import pytest
import yaml

from incident_intel.settings import DEFAULT_MAPPING_PATH
from incident_intel.silver.checks import combine_outcomes, schema_drift
from incident_intel.silver.mapping import canonical_polars_schema, load_schema_mapping
from incident_intel.silver.merge import merge_incidents
from incident_intel.silver.parse import build_silver_partition, versions_schema
from incident_intel.silver.reconstruct import reconstruct_versions
from incident_intel.storage.atomic import write_parquet_atomic
from incident_intel.storage.warehouse import warehouse_at
from incident_intel_tests.ingest.fake_table_api import record
from incident_intel_tests.silver.test_reconstruct import audit, insert

DAY = date(2026, 1, 5)
WINDOW = (datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 6, tzinfo=UTC))
EXTRAS = {
    "u_symptom": {"kind": "categorical"},
    "opened_by": {"kind": "categorical", "reference": True},
    "effort": {"kind": "numeric", "field": "u_effort_hours"},
    "u_notes": {"kind": "text"},
    "sys_created_by": {"kind": "categorical", "immutable": True},
}


def _mapping(tmp_path, extras, source="servicenow_table_api"):
    raw = yaml.safe_load(DEFAULT_MAPPING_PATH.read_text())
    for spec in raw["sources"].values():
        spec.pop("extra_fields", None)
    raw["sources"][source]["extra_fields"] = extras
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return load_schema_mapping(str(path))


@pytest.fixture
def api(tmp_path):
    return _mapping(tmp_path, EXTRAS).source("servicenow_table_api")


@pytest.mark.parametrize(
    ("extras", "message"),
    [
        ({"u_symptom": {}}, "kind must be one of categorical, numeric, text, not None"),
        ({"u_symptom": {"kind": "label"}}, "kind must be one of .* not 'label'"),
        ({"priority": {"kind": "categorical"}}, "'priority' is a canonical field"),
        ({"caller_id": {"kind": "categorical"}}, "reads 'caller_id', which already fills 'caller'"),
        (
            {"a": {"kind": "numeric", "field": "u_x"}, "b": {"kind": "text", "field": "u_x"}},
            "reads 'u_x', which already fills 'x_a'",
        ),
        ({"U Symptom": {"kind": "categorical"}}, "lower-case letters, digits and _"),
        (
            {"u_x": {"kind": "categorical", "reference": True}, "u_x_display": {"kind": "text"}},
            r"the column\(s\) \['x_u_x_display'\] twice",
        ),
        ({"effort": {"kind": "numeric", "reference": True}}, "only a categorical field can be"),
        ({"u_symptom": {"kind": "categorical", "audited": False}}, r"unknown keys \['audited'\]"),
        ({"u_symptom": "categorical"}, "expected a mapping such as"),
    ],
)
def test_a_bad_extra_field_is_a_clear_error(tmp_path, extras, message):
    with pytest.raises(ValueError, match=message):
        _mapping(tmp_path, extras)


def test_sources_must_agree_on_an_extra_field(tmp_path):
    raw = yaml.safe_load(DEFAULT_MAPPING_PATH.read_text())
    raw["sources"]["servicenow_table_api"]["extra_fields"] = {"u_x": {"kind": "numeric"}}
    raw["sources"]["servicenow_csv_export"]["extra_fields"] = {"u_x": {"kind": "categorical"}}
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ValueError, match="'u_x' differs between sources"):
        load_schema_mapping(str(path))


def test_extra_fields_are_silver_columns_after_the_canonical_ones(api):
    schema = versions_schema(api.fields)
    canonical = list(canonical_polars_schema(api.canonical))
    assert list(schema)[: len(canonical)] == canonical
    assert {c: schema[c] for c in schema if c.startswith("x_")} == {
        "x_u_symptom": pl.String,
        "x_opened_by": pl.String,
        "x_opened_by_display": pl.String,
        "x_effort": pl.Float64,
        "x_u_notes": pl.String,
        "x_sys_created_by": pl.String,
    }


def test_a_mapping_without_extras_types_the_canonical_schema_alone(tmp_path):
    bare = _mapping(tmp_path, {}).source("servicenow_table_api")
    assert bare.fields == bare.canonical
    assert list(versions_schema(bare.fields)) == list(versions_schema(bare.canonical))


def _partition(source, *records):
    body = json.dumps({"result": list(records)}).encode()
    return build_silver_partition([(1, body)], source, DAY, WINDOW)


def test_a_pulled_record_types_its_extra_fields_and_a_missing_one_is_null(api):
    full = record("a", "2026-01-05 09:00:00", u_symptom="Symptom 7", u_effort_hours="2.5")
    full["opened_by"] = {"value": "u1", "display_value": "Ada Lovelace"}
    bare = record("b", "2026-01-05 10:00:00")
    part = _partition(api, full, bare)
    rows = {r["sys_id"]: r for r in part.versions.to_dicts()}
    assert rows["a"]["x_u_symptom"] == "Symptom 7" and rows["a"]["x_effort"] == 2.5
    assert (rows["a"]["x_opened_by"], rows["a"]["x_opened_by_display"]) == ("u1", "Ada Lovelace")
    assert rows["b"]["x_u_symptom"] is None and rows["b"]["x_effort"] is None
    assert "u_symptom" not in part.unknown_fields and "u_notes" in part.missing_fields


def test_a_numeric_extra_that_is_not_a_number_is_rejected_with_its_reason(api):
    part = _partition(api, record("a", "2026-01-05 09:00:00", u_effort_hours="lots"))
    assert part.versions.is_empty()
    assert part.rejects["reason"][0] == "x_effort: 'lots' is not a float"


def _versions(source, *rows):
    schema = versions_schema(source.fields)
    return pl.DataFrame(
        [{c: row.get(c) for c in schema} for row in rows], schema=schema, orient="row"
    )


def test_an_extra_field_changed_in_the_trail_is_rebuilt_and_is_no_longer_unmapped(api):
    changes = audit(
        *insert("a", "2026-01-05 10:00:00", u_symptom="Symptom 1", opened_by="u1"),
        ("a", "2026-01-05 11:00:00", "u_symptom", "Symptom 1", "Symptom 2", 1),
        ("a", "2026-01-05 11:00:00", "u_effort_hours", "", "3", 1),
        ("a", "2026-01-05 11:00:00", "u_other", "", "x", 1),
    )
    pulled = _versions(
        api,
        {
            "sys_id": "other",
            "number": "INC-other",
            "state": "New",
            "priority": 3,
            "opened_at": datetime(2026, 1, 5, 9, tzinfo=UTC),
            "sys_updated_on": datetime(2026, 1, 5, 9, tzinfo=UTC),
            "x_opened_by": "u1",
            "x_opened_by_display": "Ada Lovelace",
        },
    )
    result = reconstruct_versions(changes, _versions(api), pulled, api)
    a = result.versions.filter(pl.col("sys_id") == "a").sort("sys_updated_on")
    assert a["x_u_symptom"].to_list() == ["Symptom 1", "Symptom 2"]
    assert a["x_effort"].to_list() == [None, 3.0]
    # The trail holds the reference's sys_id; its name comes from a record that showed it.
    assert a["x_opened_by_display"].to_list() == ["Ada Lovelace"] * 2
    assert set(a["version_source"]) == {"audit"}
    assert result.unmapped_fields == {"u_other"}


def test_an_immutable_extra_comes_from_the_record_pulled_not_the_trail(api):
    changes = audit(
        *insert("a", "2026-01-05 10:00:00"), ("a", "2026-01-05 11:00:00", "state", "1", "2", 1)
    )
    pulled = _versions(
        api,
        {
            "sys_id": "a",
            "number": "INC-a",
            "state": "In Progress",
            "priority": 3,
            "opened_at": datetime(2026, 1, 5, 10, tzinfo=UTC),
            "sys_updated_on": datetime(2026, 1, 5, 11, tzinfo=UTC),
            "sys_mod_count": 1,
            "x_sys_created_by": "ada.lovelace",
        },
    )
    result = reconstruct_versions(changes, _versions(api), pulled, api)
    assert result.mismatched == 0
    assert result.versions["version_source"].to_list() == ["audit", "audit"]
    assert result.versions["x_sys_created_by"].to_list() == ["ada.lovelace"] * 2


def test_schema_drift_lists_what_the_mapping_could_declare_as_extra(api):
    part = _partition(api, record("a", "2026-01-05 09:00:00", u_symptom="S", u_impact_area="x"))
    outcome = schema_drift(set(part.unknown_fields), set(), {"u_audited_only"})
    assert not outcome.passed
    assert outcome.metadata["unknown_fields"] == "u_impact_area"
    assert "neither maps nor declares as extra: u_audited_only, u_impact_area" in (
        outcome.description
    )
    # Every day drifting alike says it once.
    assert combine_outcomes([outcome, outcome]).description == outcome.description


def test_the_merge_adds_a_column_for_an_extra_declared_later(api, tmp_path):
    canonical_only = _versions(
        api,
        {"sys_id": "a", "sys_updated_on": datetime(2026, 1, 5, 9, tzinfo=UTC), "state": "New"},
    )
    with_extra = _versions(
        api,
        {
            "sys_id": "a",
            "sys_updated_on": datetime(2026, 1, 5, 10, tzinfo=UTC),
            "state": "New",
            "x_u_symptom": "Symptom 7",
            "x_effort": 1.5,
        },
    )
    old, new = tmp_path / "old.parquet", tmp_path / "new.parquet"
    write_parquet_atomic(canonical_only.select(list(versions_schema(api.canonical))), old)
    write_parquet_atomic(with_extra, new)
    with warehouse_at(tmp_path / "w.duckdb").get_connection() as connection:
        merge_incidents(connection, old, versions_schema(api.canonical))
        merge_incidents(connection, new, versions_schema(api.fields))
        row = connection.execute("SELECT x_u_symptom, x_effort FROM silver.incidents").fetchall()
    assert row == [("Symptom 7", 1.5)]
