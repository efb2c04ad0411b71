"""`incident-intel run`'s three runs: what each selects."""

from incident_intel.run.layers import asset_selections
from incident_intel.settings import ProjectSettings
from incident_intel.storage.tables import (
    DASHBOARD,
    INCIDENT_PAGES,
    MODEL_EVALUATION,
    OPEN_INCIDENT_SCORES,
)


def test_the_dashboard_is_rebuilt_in_the_scoring_run():
    selections = asset_selections(ProjectSettings.load())
    runs = {name: set(selection.split(",")) for name, selection in selections._asdict().items()}
    assert runs["scoring"] == {
        OPEN_INCIDENT_SCORES.key.to_user_string(),
        DASHBOARD.key.to_user_string(),
    }
    assert MODEL_EVALUATION.key.to_user_string() in runs["unpartitioned"]
    assert INCIDENT_PAGES.key.to_user_string() in runs["daily"]
    every = runs["daily"] | runs["unpartitioned"] | runs["scoring"]
    assert sum(len(r) for r in runs.values()) == len(every)
