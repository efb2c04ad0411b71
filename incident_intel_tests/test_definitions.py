import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from incident_intel.bench.faults_lake import same_versions, synthetic_store
from incident_intel.definitions import build_definitions, defs
from incident_intel.gold.embedding_cache import EMBEDDER_FILE, EMBEDDING_CACHE_FILE
from incident_intel.ingest.source import ServiceNowIncidentSource
from incident_intel.settings import ProjectSettings, SourceSettings
from incident_intel.simulator.server import SimulatorServer
from incident_intel.simulator.settings import FaultSettings, SimulatorSettings
from incident_intel.simulator.synthetic import SyntheticIncidentStore
from incident_intel.storage.paths import PARQUET_FILE, LakePaths
from incident_intel.storage.tables import (
    FEEDBACK,
    INCIDENT_AUDIT,
    INCIDENT_AUDIT_PAGES,
    INCIDENT_CLUSTERS,
    INCIDENT_FEATURES,
    INCIDENT_PAGES,
    INCIDENT_REJECTS,
    INCIDENT_TEXT_EMBEDDINGS,
    INCIDENT_VERSIONS,
    INCIDENTS,
    OPS_DAILY_STATS,
    RESOLUTION_TIME_MODEL,
    SLA_BREACH_MODEL,
    TRIAGE_MODEL,
    Table,
)
from incident_intel.storage.warehouse import warehouse_at
from incident_intel_tests.integration.harness import expected_versions, silver_versions

LAYERS = {"bronze", "silver", "gold", "ml", "reports"}
DAY = date(2026, 1, 6)
TOKEN = "t0ken"
BRONZE = (INCIDENT_PAGES, INCIDENT_AUDIT_PAGES)


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    return defs()


def test_definitions_load(definitions):
    repository = definitions.get_repository_def()
    assert repository.get_all_jobs()


def test_the_code_location_is_built_again_only_when_its_inputs_change(monkeypatch, tmp_path):
    """Dagster asks for the definitions several times a run; each build costs 0.1 to 0.2 s."""
    first = defs()
    assert defs() is first
    monkeypatch.setenv("INCIDENT_INTEL_DATA_DIR", str(tmp_path))
    elsewhere = defs()
    assert elsewhere is not first
    assert elsewhere.resources["lake"].data_dir == str(tmp_path)


def test_every_asset_has_a_description_and_its_layer_as_group(definitions):
    graph = definitions.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description, f"{key.to_user_string()} has no description"
        assert key.path[0] in LAYERS, f"{key.to_user_string()} is not under a layer prefix"
        assert node.group_name == key.path[0], f"{key.to_user_string()} is not in its layer group"


def test_check_names_start_with_their_asset(definitions):
    for check_key in definitions.resolve_asset_graph().asset_check_keys:
        assert check_key.name.startswith(check_key.asset_key.path[-1] + "_"), check_key.name


def test_partitioned_writers_allow_single_run_backfills(definitions):
    graph = definitions.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.partitions_def is not None:
            assert node.backfill_policy == dg.BackfillPolicy.single_run(), key


def test_a_daily_schedule_targets_the_newest_partition(definitions):
    schedule = definitions.resolve_schedule_def("daily_ingest_schedule")
    assert schedule.cron_schedule == "30 0 * * *"


def test_the_partitions_start_on_the_configured_date(tmp_path):
    settings = ProjectSettings.load().model_copy(
        update={"partitions_start_date": date.fromisoformat("2026-01-03")}
    )
    graph = build_definitions(settings, tmp_path).resolve_asset_graph()
    for key in (INCIDENT_PAGES.key, INCIDENT_VERSIONS.key, INCIDENTS.key):
        assert graph.get(key).partitions_def.get_first_partition_key() == "2026-01-03"


def test_every_warehouse_user_is_in_the_warehouse_pool(definitions):
    """DuckDB takes one writer per file: the instance's pool limit holds only if each step in
    the pool is one that opens the warehouse, and each one that does is in it."""
    nodes = [*definitions.assets, *definitions.asset_checks]
    assert any("warehouse" in node.required_resource_keys for node in nodes)
    for node in nodes:
        uses_warehouse = "warehouse" in node.required_resource_keys
        assert (node.node_def.pool == "warehouse") == uses_warehouse, node.node_def.name


def test_every_asset_is_selectable_alone(definitions):
    """Each asset runs in a job of its own: a multi-asset must subset, not drag its siblings."""
    graph = definitions.resolve_asset_graph()
    for key in graph.materializable_asset_keys:
        job = definitions.resolve_implicit_job_def_def_for_assets([key])
        subset = job.get_subset(asset_selection={key})
        assert subset.asset_layer.selected_asset_keys == {key}, key.to_user_string()


def test_every_model_trains_on_the_feedback(definitions):
    graph = definitions.resolve_asset_graph()
    for model in (SLA_BREACH_MODEL, RESOLUTION_TIME_MODEL, TRIAGE_MODEL, INCIDENT_CLUSTERS):
        assert FEEDBACK.key in graph.get(model.key).parent_keys, model.name


# --- materialising one asset at a time, against a live simulator --------------------------------


@pytest.fixture(scope="module")
def store() -> SyntheticIncidentStore:
    return synthetic_store(incidents_per_day=30)


@pytest.fixture(scope="module")
def simulator(store):
    # Duplicated rows give silver/incident_rejects something to hold.
    settings = SimulatorSettings(token=TOKEN, faults=FaultSettings(seed=3, duplicate_row_rate=0.5))
    with SimulatorServer(store, settings) as server:
        yield server


def _materialize_alone(root: Path, server: SimulatorServer, table: Table):
    """Materialise `table` by itself from the code location's definitions, into `root`."""
    settings = ProjectSettings.load().model_copy(
        update={"partitions_start_date": date.fromisoformat("2026-01-01")}
    )
    definitions = build_definitions(settings, root)
    source = ServiceNowIncidentSource(
        instance_url=server.url, token=TOKEN, pull=SourceSettings(page_size=50)
    )
    graph = definitions.resolve_asset_graph()
    result = dg.materialize(
        [*definitions.assets, *definitions.asset_checks],
        selection=[table.key],
        partition_key=DAY.isoformat() if graph.get(table.key).partitions_def else None,
        resources={**definitions.resources, "source": source},
    )
    assert result.success
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == {table.key}
    evaluations = result.get_asset_check_evaluations()
    assert {e.asset_key for e in evaluations} <= {table.key}
    assert all(e.passed for e in evaluations), [e.check_name for e in evaluations]
    return result


def _parquet_files(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*.parquet"))


def _row_count(result: dg.ExecuteInProcessResult, table: Table) -> int:
    [event] = result.get_asset_materialization_events()
    assert event.asset_key == table.key
    return event.materialization.metadata["dagster/row_count"].value


@pytest.mark.parametrize(
    "table", [INCIDENT_VERSIONS, INCIDENT_REJECTS, INCIDENT_AUDIT], ids=lambda t: t.name
)
def test_a_silver_table_materialises_alone(tmp_path, store, simulator, table):
    paths = LakePaths(tmp_path)
    for bronze in BRONZE:
        _materialize_alone(tmp_path, simulator, bronze)
    assert _parquet_files(tmp_path) == []

    result = _materialize_alone(tmp_path, simulator, table)
    assert _parquet_files(tmp_path) == [paths.partition_file(table, DAY).relative_to(tmp_path)]
    written = pl.read_parquet(paths.partition_file(table, DAY))
    assert written.height == _row_count(result, table)
    checks = {e.check_name for e in result.get_asset_check_evaluations()}
    if table == INCIDENT_VERSIONS:
        assert same_versions(silver_versions(tmp_path, DAY), expected_versions(store, DAY))
        assert "incident_versions_reconcile_with_bronze" in checks
    elif table == INCIDENT_REJECTS:
        assert written.height > 0
        assert all(r.startswith("duplicate") for r in written["reason"])
        assert checks == set()
    else:
        assert set(written["event"]) == {"change"} and written["audit_id"].is_unique().all()
        assert checks == set()
    assert not paths.warehouse.exists()


@pytest.mark.slow  # loads the embedding model
def test_the_current_state_and_gold_tables_materialise_alone(tmp_path, store, simulator):
    paths = LakePaths(tmp_path)
    for table in (*BRONZE, INCIDENT_VERSIONS, INCIDENT_REJECTS, INCIDENT_AUDIT):
        _materialize_alone(tmp_path, simulator, table)
    silver = _parquet_files(tmp_path)

    result = _materialize_alone(tmp_path, simulator, INCIDENTS)
    assert _parquet_files(tmp_path) == silver
    incidents = silver_versions(tmp_path, DAY)["sys_id"].n_unique()
    assert _row_count(result, INCIDENTS) == incidents
    assert {e.check_name for e in result.get_asset_check_evaluations()} == {
        "incidents_sys_id_unique",
        "incidents_key_fields_not_null",
        "incidents_resolved_after_opened",
    }

    for table, files in (
        (INCIDENT_FEATURES, [PARQUET_FILE]),
        (INCIDENT_TEXT_EMBEDDINGS, [PARQUET_FILE, EMBEDDING_CACHE_FILE]),
        (OPS_DAILY_STATS, [PARQUET_FILE]),
    ):
        before = set(_parquet_files(tmp_path))
        result = _materialize_alone(tmp_path, simulator, table)
        added = set(_parquet_files(tmp_path)) - before
        assert added == {paths.table_file(table, f).relative_to(tmp_path) for f in files}
        assert pl.read_parquet(paths.table_file(table)).height == _row_count(result, table)
    assert paths.table_file(INCIDENT_TEXT_EMBEDDINGS, EMBEDDER_FILE).is_file()
    with warehouse_at(paths.warehouse, read_only=True).get_connection() as connection:
        [(features,)] = connection.sql(
            f"SELECT count(*) FROM {INCIDENT_FEATURES.sql_name}"
        ).fetchall()
    assert features == incidents


def test_feedback_materialises_alone_before_any_feedback_or_pull(tmp_path, simulator):
    result = _materialize_alone(tmp_path, simulator, FEEDBACK)
    assert _parquet_files(tmp_path) == [
        LakePaths(tmp_path).table_file(FEEDBACK).relative_to(tmp_path)
    ]
    assert _row_count(result, FEEDBACK) == 0
    assert {e.check_name for e in result.get_asset_check_evaluations()} == {
        "feedback_incidents_known"
    }
    assert not LakePaths(tmp_path).warehouse.exists()


def test_incidents_need_only_the_versions_they_depend_on(tmp_path, simulator):
    for table in (INCIDENT_PAGES, INCIDENT_VERSIONS):
        _materialize_alone(tmp_path, simulator, table)
    result = _materialize_alone(tmp_path, simulator, INCIDENTS)
    assert _row_count(result, INCIDENTS) == silver_versions(tmp_path, DAY)["sys_id"].n_unique()


def test_loading_the_code_location_imports_no_ml_library():
    """Every run step loads the code location: bronze and silver steps must not pay for ML."""
    heavy = (
        "sklearn",
        "catboost",
        "scipy",
        "torch",
        "transformers",
        "sentence_transformers",
        "huggingface_hub",
        "plotly",
        "matplotlib",
        "pandas",
        "umap",
        "hdbscan",
        "fastapi",
        "uvicorn",
    )
    probe = (
        "import sys, incident_intel.definitions; "
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
