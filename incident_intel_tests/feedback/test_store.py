import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime

import pytest

from incident_intel.feedback.request import FeedbackIn
from incident_intel.feedback.store import FeedbackConflict, FeedbackStore
from incident_intel.feedback.table import FEEDBACK_SCHEMA
from incident_intel.storage.paths import LakePaths


def _feedback(feedback_id: str = "f-1", **changes) -> FeedbackIn:
    fields = {"feedback_id": feedback_id, "sys_id": "abc", "field": "category", "value": "network"}
    return FeedbackIn(**{**fields, **changes})


@pytest.fixture
def store(tmp_path) -> FeedbackStore:
    return FeedbackStore(LakePaths(tmp_path).feedback)


def test_an_absent_store_is_empty_and_reading_it_creates_nothing(store):
    assert store.count() == 0
    frame = store.frame()
    assert frame.is_empty() and frame.schema == FEEDBACK_SCHEMA
    assert not store.path.exists()


def test_an_add_is_stored_with_the_time_it_was_received(store):
    before = datetime.now(UTC)
    receipt = store.add(_feedback(author="ana", comment="wrong queue"))
    assert receipt.created and receipt.feedback_id == "f-1"
    assert before <= receipt.received_at <= datetime.now(UTC)
    [row] = store.frame().to_dicts()
    assert row["received_at"] == receipt.received_at
    assert (row["sys_id"], row["field"], row["value"], row["author"]) == (
        "abc",
        "category",
        "network",
        "ana",
    )


def test_the_same_feedback_sent_again_returns_the_first_receipt_and_stores_nothing(store):
    first = store.add(_feedback())
    again = store.add(_feedback())
    assert not again.created
    assert again.received_at == first.received_at
    assert store.count() == 1


def test_an_equal_value_written_differently_is_the_same_feedback(store):
    store.add(_feedback(field="ttr_hours", value=4))
    assert not store.add(_feedback(field="ttr_hours", value=4.0)).created


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"value": "database"}, "value 'network' then, 'database' now"),
        ({"sys_id": None, "number": "INC0001"}, "sys_id 'abc' then, None now"),
        ({"comment": "on second thoughts"}, "comment None then, 'on second thoughts' now"),
    ],
)
def test_the_same_id_with_other_content_is_a_conflict_and_the_first_stands(store, changes, named):
    store.add(_feedback())
    with pytest.raises(FeedbackConflict, match="'f-1' was already received") as refused:
        store.add(_feedback(**changes))
    assert named in str(refused.value)
    assert store.frame()["value"].to_list() == ["network"] and store.count() == 1


def test_feedback_survives_a_restart(store):
    """A new store on the same file, as a restarted API would open, holds what was added."""
    first = store.add(_feedback("f-1"))
    store.add(_feedback("f-2", field="sla_breached", value=True))
    restarted = FeedbackStore(store.path)
    assert restarted.count() == 2
    assert not restarted.add(_feedback("f-1")).created
    assert restarted.add(_feedback("f-1")).received_at == first.received_at
    assert restarted.frame()["feedback_id"].to_list() == ["f-1", "f-2"]


def test_values_are_kept_as_text_and_typed(store):
    store.add(_feedback("f-1", field="sla_breached", value=False))
    store.add(_feedback("f-2", field="ttr_hours", value=2.5))
    store.add(_feedback("f-3", field="assignment_group", value="Network"))
    frame = store.frame()
    assert frame.select("value", "value_bool", "value_hours").rows() == [
        ("false", False, None),
        ("2.5", None, 2.5),
        ("Network", None, None),
    ]


def test_concurrent_adds_from_threads_lose_and_duplicate_nothing(store):
    """Eight threads on a store not yet created: each adds its own feedback and the same
    shared feedback; every add succeeds, and each shared one is stored once."""
    per_thread, receipts = 20, []

    def add_all(thread: int) -> None:
        for i in range(per_thread):
            receipts.append(store.add(_feedback(f"t{thread}-{i}", sys_id=f"inc-{i}")))
            receipts.append(store.add(_feedback(f"shared-{i}", sys_id=f"inc-{i}")))

    threads = [threading.Thread(target=add_all, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(receipts) == 8 * per_thread * 2
    shared = [r for r in receipts if r.feedback_id.startswith("shared-")]
    assert sum(r.created for r in shared) == per_thread
    assert store.count() == 8 * per_thread + per_thread
    frame = store.frame()
    assert frame["feedback_id"].is_unique().all()
    # Latest-wins needs a total order: no two adds share a time.
    assert frame["received_at"].is_unique().all() and frame["received_at"].is_sorted()


def test_the_store_lies_under_the_data_root_in_wal_mode(tmp_path, store):
    assert store.path == tmp_path / "feedback" / "feedback.sqlite3"
    store.add(_feedback())
    with closing(sqlite3.connect(store.path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
