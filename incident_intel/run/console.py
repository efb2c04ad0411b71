"""What `incident-intel run` shows of a Dagster run: a line per thing done, not the event stream.

Dagster's console logger prints every engine event at DEBUG (step started, output handled, ...).
The run keeps all of it in a log file and in the event log, where the UI shows it; the terminal
gets what assets log at INFO and above, shortened, with any error's traceback.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

# 2026-11-22 11:32:58 +0000 - dagster - INFO - __ASSET_JOB - <run id> - <step> - <message>
RECORD = re.compile(
    r"^(?P<date>\d{4}-\d\d-\d\d) (?P<time>\d\d:\d\d:\d\d) [+-]\d{4} - dagster - "
    r"(?P<level>[A-Z]+) - (?P<rest>.*)$"
)
RUN_ID = re.compile(r"^[^ ]+ - [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} - ")
SHOWN_LEVELS = {"INFO", "WARNING", "ERROR", "CRITICAL"}


def progress_lines(lines: Iterable[str]) -> Iterator[str]:
    """The lines worth a person's attention, shortened to `HH:MM:SS LEVEL step - message`.

    A line that is not a log record (a traceback, a warning's source line) follows the fate of
    the record it continues; text before any record is shown as it is.
    """
    showing = True
    for raw in lines:
        line = raw.rstrip("\n")
        record = RECORD.match(line)
        if record is None:
            if showing and line.strip():
                yield line
            continue
        showing = record["level"] in SHOWN_LEVELS
        if showing:
            rest = RUN_ID.sub("", record["rest"])
            level = "" if record["level"] == "INFO" else f"{record['level']} "
            yield f"{record['time']} {level}{rest}"


def run_with_progress(command: list[str], log_file: Path, **popen_args) -> int:
    """Run `command`, writing its whole output to `log_file` and its progress to the terminal."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "a", encoding="utf-8") as log:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            **popen_args,
        )
        assert process.stdout is not None
        _relay(_teed(process.stdout, log), sys.stderr)
        return process.wait()


def _teed(stream: TextIO, log: TextIO) -> Iterator[str]:
    for line in stream:
        log.write(line)
        yield line


def _relay(lines: Iterable[str], out: TextIO) -> None:
    for line in progress_lines(lines):
        print(line, file=out, flush=True)
