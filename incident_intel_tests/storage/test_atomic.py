import gzip
import json
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incident_intel.ingest.bronze import read_bronze_pages, write_bronze_partition
from incident_intel.ingest.servicenow_client import PulledPage
from incident_intel.storage.atomic import (
    recover_directory,
    replace_directory,
    staged_directory,
    write_bytes_atomic,
)

START = datetime(2026, 1, 5, tzinfo=UTC)


def _ids(directory) -> list[str]:
    return [
        r["sys_id"] for _, body in read_bronze_pages(directory) for r in json.loads(body)["result"]
    ]


END = datetime(2026, 1, 6, tzinfo=UTC)


def _page(number: int, ids: list[str]) -> PulledPage:
    records = [{"sys_id": i} for i in ids]
    body = json.dumps({"result": records}).encode()
    return PulledPage(number=number, query="q", status=200, body=body, records=records)


def test_bronze_partition_is_replaced_whole(tmp_path):
    target = tmp_path / "date=2026-01-05"
    write_bronze_partition(
        target,
        [_page(1, ["a"]), _page(2, ["b"])],
        source_url="u",
        window_start=START,
        window_end=END,
    )
    manifest = write_bronze_partition(
        target, [_page(1, ["c"])], source_url="u", window_start=START, window_end=END
    )
    assert manifest.record_count == 1
    assert sorted(p.name for p in target.iterdir()) == ["manifest.json", "page-00001.json.gz"]
    assert _ids(target) == ["c"]


def test_a_failed_pull_leaves_the_previous_bronze(tmp_path):
    target = tmp_path / "date=2026-01-05"
    write_bronze_partition(
        target, [_page(1, ["a"])], source_url="u", window_start=START, window_end=END
    )

    def failing_pages():
        yield _page(1, ["new"])
        raise RuntimeError("source went away")

    with pytest.raises(RuntimeError):
        write_bronze_partition(
            target, failing_pages(), source_url="u", window_start=START, window_end=END
        )
    assert _ids(target) == ["a"]
    assert [p.name for p in tmp_path.iterdir()] == ["date=2026-01-05"]


def test_pages_are_stored_exactly_as_received(tmp_path):
    target = tmp_path / "date=2026-01-05"
    page = _page(1, ["a"])
    write_bronze_partition(target, [page], source_url="u", window_start=START, window_end=END)
    assert gzip.decompress((target / "page-00001.json.gz").read_bytes()) == page.body


def test_a_corrupted_page_is_detected(tmp_path):
    target = tmp_path / "date=2026-01-05"
    write_bronze_partition(
        target, [_page(1, ["a"])], source_url="u", window_start=START, window_end=END
    )
    (target / "page-00001.json.gz").write_bytes(gzip.compress(b'{"result": []}'))
    with pytest.raises(ValueError, match="checksum"):
        list(read_bronze_pages(target))


def test_interrupted_swap_is_recovered(tmp_path):
    final = tmp_path / "part"
    previous = tmp_path / ".part.previous"
    previous.mkdir()
    (previous / "f").write_text("old")
    recover_directory(final)
    assert (final / "f").read_text() == "old"
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "f").write_text("new")
    replace_directory(staging, final)
    assert (final / "f").read_text() == "new" and not previous.exists()


def test_write_bytes_atomic_leaves_no_temp_files(tmp_path):
    write_bytes_atomic(tmp_path / "x.bin", b"1")
    write_bytes_atomic(tmp_path / "x.bin", b"2")
    assert [p.name for p in tmp_path.iterdir()] == ["x.bin"]
    assert (tmp_path / "x.bin").read_bytes() == b"2"


# Stands in for a pull killed outright: it takes a staging directory, says where, then waits.
KILLED_WRITER = """
import sys, time
from pathlib import Path
from incident_intel.storage.atomic import staged_directory
with staged_directory(Path(sys.argv[1])) as staging:
    (staging / "page-00001.json.gz").write_bytes(b"half a pull")
    print(staging, flush=True)
    time.sleep(120)
"""


def _killed_writer_leftover(final: Path) -> Path:
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(final)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None
        staging = Path(writer.stdout.readline().strip())
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    return staging


def test_a_killed_pull_leaves_staging_that_the_next_pull_sweeps(tmp_path):
    target = tmp_path / "date=2026-01-05"
    leftover = _killed_writer_leftover(target)
    assert leftover.parent == tmp_path and leftover.name.startswith(".date=2026-01-05.staging-")
    assert (leftover / "page-00001.json.gz").exists()
    other_day = tmp_path / ".date=2026-01-06.staging-abc"
    other_day.mkdir()

    write_bronze_partition(
        target, [_page(1, ["a"])], source_url="u", window_start=START, window_end=END
    )
    assert _ids(target) == ["a"]
    # Only the leftover of this day's target goes; another day's belongs to its own next write.
    assert sorted(p.name for p in tmp_path.iterdir()) == [other_day.name, target.name]


def test_a_concurrent_writer_s_staging_is_not_swept(tmp_path):
    final = tmp_path / "part"
    with staged_directory(final) as first:
        (first / "f").write_text("first")
        with staged_directory(final) as second:
            (second / "f").write_text("second")
            assert first.is_dir(), "a live writer's staging directory was swept"
        assert (final / "f").read_text() == "second"
    assert (final / "f").read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["part"]
