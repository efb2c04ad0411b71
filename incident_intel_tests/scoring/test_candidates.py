import pytest

from incident_intel.scoring.candidates import candidate_versions
from incident_intel.scoring.promoted import PromotedModels
from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.tables import RESOLUTION_TIME_MODEL, SLA_BREACH_MODEL, TRIAGE_MODEL

BREACH, TTR, TRIAGE = SLA_BREACH_MODEL.name, RESOLUTION_TIME_MODEL.name, TRIAGE_MODEL.name


@pytest.fixture
def store(tmp_path) -> ModelStore:
    return ModelStore(tmp_path)


def test_a_version_saved_after_the_promoted_one_is_the_candidate(store):
    store.save(BREACH, "promoted", {}, {})
    store.promote(BREACH, "promoted")
    store.save(BREACH, "failed_gates", {}, {})
    assert candidate_versions(store) == {BREACH: "failed_gates"}


def test_a_version_saved_before_the_promoted_one_is_no_candidate(store):
    store.save(BREACH, "retired", {}, {})
    store.save(BREACH, "promoted", {}, {})
    store.promote(BREACH, "promoted")
    assert candidate_versions(store) == {}


def test_with_nothing_promoted_the_newest_version_is_the_candidate(store):
    store.save(TTR, "first", {}, {})
    store.save(TRIAGE, "only", {}, {})
    store.save(TTR, "second", {}, {})
    assert candidate_versions(store) == {TTR: "second", TRIAGE: "only"}


def test_exactly_the_given_versions_load_and_the_others_are_left_out(store):
    store.save(BREACH, "promoted", {"kind": "promoted"}, {})
    store.promote(BREACH, "promoted")
    store.save(BREACH, "candidate", {"kind": "candidate"}, {})
    models = PromotedModels.exactly(store, {BREACH: "candidate"})
    assert models.breach.estimator == {"kind": "candidate"}
    assert models.versions == {BREACH: "candidate", TTR: None, TRIAGE: None}
    assert PromotedModels.load(store).versions[BREACH] == "promoted"
