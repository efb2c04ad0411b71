import os

import polars as pl
import pytest

from incident_intel.storage.model_store import ModelStore, frame_fingerprint, version_id


def test_same_data_and_settings_give_the_same_version():
    frame = pl.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    same = pl.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    assert version_id(frame_fingerprint(frame), {"seed": 1}) == version_id(
        frame_fingerprint(same), {"seed": 1}
    )
    assert version_id(frame_fingerprint(frame), {"seed": 2}) != version_id(
        frame_fingerprint(frame), {"seed": 1}
    )
    assert frame_fingerprint(frame) != frame_fingerprint(frame.reverse())


def test_saved_versions_load_only_once_promoted(tmp_path):
    store = ModelStore(tmp_path)
    store.save("breach", "v1", {"weights": [1, 2]}, {"metrics": {"auc": 0.8}}, {"max_f1": 0.4})
    with pytest.raises(FileNotFoundError, match="materialise"):
        store.load("breach")
    store.promote("breach", "v1")
    loaded = store.load("breach")
    assert loaded.estimator == {"weights": [1, 2]}
    assert loaded.card["metrics"]["auc"] == 0.8 and loaded.thresholds == {"max_f1": 0.4}


def test_promoting_an_unsaved_version_fails(tmp_path):
    with pytest.raises(FileNotFoundError):
        ModelStore(tmp_path).promote("breach", "nope")


class FailsToPickle:
    def __reduce__(self):
        raise RuntimeError("the estimator could not be written")


def test_a_failed_save_leaves_the_saved_version_and_no_staging(tmp_path):
    store = ModelStore(tmp_path)
    store.save("breach", "v1", {"weights": [1]}, {"metrics": {}})
    with pytest.raises(RuntimeError, match="could not be written"):
        store.save("breach", "v1", FailsToPickle(), {"metrics": {}})
    assert store.load("breach", "v1").estimator == {"weights": [1]}
    assert [p.name for p in (tmp_path / "breach").iterdir()] == ["v1"]


def test_saving_sweeps_what_a_killed_save_of_the_same_version_left(tmp_path):
    store = ModelStore(tmp_path)
    leftover = tmp_path / "breach" / ".v1.staging-dead"
    leftover.mkdir(parents=True)
    (leftover / "model.pkl").write_bytes(b"half written")
    other_version = tmp_path / "breach" / ".v10.staging-dead"
    other_version.mkdir()

    store.save("breach", "v1", {"weights": [1]}, {"metrics": {}})
    assert sorted(p.name for p in (tmp_path / "breach").iterdir()) == [other_version.name, "v1"]


def test_saved_cards_list_the_training_runs_in_the_order_saved(tmp_path):
    store = ModelStore(tmp_path)
    for second, version in enumerate(["zz", "aa", "mm"]):
        path = store.save("breach", version, {}, {"version": version})
        os.utime(path / "model_card.json", ns=(second * 10**9, second * 10**9))
    assert [card["version"] for card in store.saved_cards("breach")] == ["zz", "aa", "mm"]
    assert store.saved_cards("never_trained") == []
