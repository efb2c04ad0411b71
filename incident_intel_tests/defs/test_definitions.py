import dagster as dg

from incident_intel.definitions import defs

LAYERS = {"bronze", "silver", "gold", "ml", "reports"}


def test_definitions_load():
    repository = defs.get_repository_def()
    assert repository.get_all_jobs()


def test_every_asset_has_a_description_and_its_layer_as_group():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description, f"{key.to_user_string()} has no description"
        assert key.path[0] in LAYERS, f"{key.to_user_string()} is not under a layer prefix"
        assert node.group_name == key.path[0], f"{key.to_user_string()} is not in its layer group"


def test_check_names_start_with_their_asset():
    for check_key in defs.resolve_asset_graph().asset_check_keys:
        assert check_key.name.startswith(check_key.asset_key.path[-1] + "_"), check_key.name


def test_partitioned_writers_allow_single_run_backfills():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.partitions_def is not None:
            assert node.backfill_policy == dg.BackfillPolicy.single_run(), key


def test_a_daily_schedule_targets_the_newest_partition():
    schedule = defs.resolve_schedule_def("daily_ingest_schedule")
    assert schedule.cron_schedule == "30 0 * * *"
