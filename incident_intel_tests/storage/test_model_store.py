import os
import shutil

import polars as pl
import pytest

from incident_intel.storage.model_store import (
    SAVED_AT,
    ModelStore,
    frame_fingerprint,
    version_id,
)


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


def test_a_drift_reference_is_kept_beside_the_model_and_old_models_have_none(tmp_path):
    store = ModelStore(tmp_path)
    reference = {"format": 1, "features": {}}
    store.save("breach", "v1", {"weights": [1]}, {"metrics": {}}, drift_reference=reference)
    store.save("breach", "v0", {"weights": [0]}, {"metrics": {}})
    assert store.load("breach", "v1").drift_reference == reference
    assert "format" not in store.card("breach", "v1")
    assert store.load("breach", "v0").drift_reference is None


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


def test_the_newest_version_is_the_last_saved_whatever_its_id_or_file_times(tmp_path):
    store = ModelStore(tmp_path)
    assert store.newest_version("breach") is None
    store.save("breach", "b-later", {}, {})
    store.save("breach", "a-newest", {}, {})
    assert store.newest_version("breach") == "a-newest"
    # A copy keeps the file times of what it copied; the recorded save time is what counts.
    shutil.copytree(tmp_path / "breach" / "b-later", tmp_path / "breach" / "copied")
    assert store.newest_version("breach") == "a-newest"
    store.save("breach", "b-later", {}, {})
    assert store.newest_version("breach") == "b-later"


def test_a_version_saved_before_save_times_were_recorded_is_never_the_newest(tmp_path):
    store = ModelStore(tmp_path)
    store.save("breach", "old", {}, {})
    (tmp_path / "breach" / "old" / SAVED_AT).unlink()
    assert store.saved_at("breach", "old") is None
    assert store.newest_version("breach") is None
    store.save("breach", "new", {}, {})
    assert store.newest_version("breach") == "new"


def test_a_save_in_progress_is_no_version(tmp_path):
    store = ModelStore(tmp_path)
    store.save("breach", "v1", {}, {})
    shutil.copytree(tmp_path / "breach" / "v1", tmp_path / "breach" / ".v2.staging-live")
    shutil.copytree(tmp_path / "breach" / "v1", tmp_path / "breach" / ".v1.previous")
    assert store.candidates("breach") == ["v1"]


def test_saved_cards_list_the_training_runs_in_the_order_saved(tmp_path):
    store = ModelStore(tmp_path)
    for second, version in enumerate(["zz", "aa", "mm"]):
        path = store.save("breach", version, {}, {"version": version})
        os.utime(path / "model_card.json", ns=(second * 10**9, second * 10**9))
    assert [card["version"] for card in store.saved_cards("breach")] == ["zz", "aa", "mm"]
    assert store.saved_cards("never_trained") == []
