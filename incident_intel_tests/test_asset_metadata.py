"""The Dagster UI as a user meets it: every asset says what it is, where it belongs, what it is
made with and who owns it; every table reports its rows and columns when materialised, and
every model and report its headline figures and a markdown preview."""

from datetime import date

import dagster as dg
import pytest

from incident_intel.bench.faults_lake import synthetic_store
from incident_intel.definitions import build_definitions, defs
from incident_intel.ingest.source import ServiceNowIncidentSource
from incident_intel.metadata import OWNER
from incident_intel.settings import ProjectSettings, SourceSettings
from incident_intel.simulator.server import SimulatorServer
from incident_intel.simulator.settings import SimulatorSettings
from incident_intel.storage.tables import FEEDBACK

TABLE_LAYERS = {"bronze", "silver", "gold"}  # rows and columns; ml and reports: figures
DAY = date(2026, 1, 31)  # late enough that the day's pull holds current records


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    return defs()


def test_every_asset_has_a_description_group_kinds_and_the_owner(definitions):
    graph = definitions.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node, name = graph.get(key), key.to_user_string()
        assert node.description, f"{name} has no description"
        assert node.group_name == key.path[0], f"{name} is not in its layer's group"
        assert node.kinds, f"{name} has no kinds"
        assert node.owners == [OWNER], f"{name} is owned by {node.owners}"


def test_every_check_says_what_it_checks(definitions):
    specs = [
        s for node in [*definitions.assets, *definitions.asset_checks] for s in node.check_specs
    ]
    assert len(specs) == len(definitions.resolve_asset_graph().asset_check_keys)
    assert all(spec.description for spec in specs), [s.name for s in specs if not s.description]


def _daily_layers_and_feedback(root) -> dg.ExecuteInProcessResult:
    """Bronze, silver and the feedback table for one day of a small simulated source."""
    settings = ProjectSettings.load().model_copy(
        update={"partitions_start_date": date.fromisoformat("2026-01-01")}
    )
    definitions = build_definitions(settings, root)
    graph = definitions.resolve_asset_graph()
    daily = [k for k in graph.materializable_asset_keys if k.path[0] in {"bronze", "silver"}]
    with SimulatorServer(
        synthetic_store(incidents_per_day=30), SimulatorSettings(token="t")
    ) as sim:
        source = ServiceNowIncidentSource(
            instance_url=sim.url, token="t", pull=SourceSettings(page_size=50)
        )
        result = dg.materialize(
            [*definitions.assets, *definitions.asset_checks],
            selection=[*daily, FEEDBACK.key],
            partition_key=DAY.isoformat(),
            resources={**definitions.resources, "source": source},
        )
    assert result.success
    return result


@pytest.mark.slow
def test_every_materialisation_shows_what_the_ui_plots(
    definitions, trained_lake, scored_lake, tmp_path
):
    results = [_daily_layers_and_feedback(tmp_path), trained_lake[1], scored_lake[1]]
    metadata = {
        e.asset_key: e.materialization.metadata
        for result in results
        for e in result.get_asset_materialization_events()
    }
    assert set(metadata) == set(definitions.resolve_asset_graph().get_all_asset_keys())
    for key, values in metadata.items():
        name = key.to_user_string()
        if key.path[0] in TABLE_LAYERS:
            assert isinstance(values.get("dagster/row_count"), dg.IntMetadataValue), name
            schema = values.get("dagster/column_schema")
            assert isinstance(schema, dg.TableSchemaMetadataValue), name
            assert schema.schema.columns, name
        else:
            kinds = {type(v) for v in values.values()}
            assert dg.FloatMetadataValue in kinds, f"{name} shows no figure to plot"
            assert dg.MarkdownMetadataValue in kinds, f"{name} shows no markdown preview"
