"""Atomic writes: readers see the old content or the new, never a half-written file."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet_atomic(frame: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        frame.write_parquet(tmp, compression="zstd", statistics=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def staged_directory(final: Path) -> Iterator[Path]:
    """A fresh directory to fill, swapped in as `final` when the block ends without error.

    It lies beside `final`, on the same filesystem, so that the swap is a rename. A block that
    raises leaves `final` as it was and its staging directory removed. A writer killed outright
    (kill -9, the OOM killer) removes nothing, so every write first sweeps the staging
    directories earlier writes to the same `final` left behind. Each writer holds a lock on its
    own until it ends and the kernel drops the lock of a dead one, so a concurrent writer's
    directory, still locked, is never taken for a leftover.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    _sweep_staging_leftovers(final)
    staging, lock = _new_locked_staging(final)
    try:
        yield staging
        replace_directory(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        os.close(lock)


def _sweep_staging_leftovers(final: Path) -> None:
    """Remove every unlocked `.<name>.staging-*` sibling of `final`: its writer is gone."""
    prefix = _staging_prefix(final)
    for leftover in [p for p in final.parent.iterdir() if p.name.startswith(prefix)]:
        try:
            lock = os.open(leftover, os.O_RDONLY)
        except FileNotFoundError:  # another writer swept it first
            continue
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # a live writer's
            continue
        else:
            shutil.rmtree(leftover, ignore_errors=True)
        finally:
            os.close(lock)


def _new_locked_staging(final: Path) -> tuple[Path, int]:
    # Between mkdtemp and flock the new directory is unlocked, so a concurrent sweep may remove
    # it; waiting for the lock then finds it gone, and a fresh one is made.
    while True:
        staging = Path(tempfile.mkdtemp(dir=final.parent, prefix=_staging_prefix(final)))
        try:
            lock = os.open(staging, os.O_RDONLY)
        except FileNotFoundError:
            continue
        fcntl.flock(lock, fcntl.LOCK_EX)
        if staging.is_dir():
            return staging, lock
        os.close(lock)


def _staging_prefix(final: Path) -> str:
    return f".{final.name}.staging-"


def replace_directory(staging: Path, final: Path) -> None:
    """Swap `staging` in as `final`.

    The old directory is first renamed aside, so a crash between the two renames leaves it
    intact under `.<name>.previous`, from where `recover_directory` puts it back.
    """
    previous = final.parent / f".{final.name}.previous"
    recover_directory(final)
    if final.exists():
        os.replace(final, previous)
    os.replace(staging, final)
    shutil.rmtree(previous, ignore_errors=True)


def recover_directory(final: Path) -> None:
    previous = final.parent / f".{final.name}.previous"
    if previous.exists():
        if final.exists():
            shutil.rmtree(previous)
        else:
            os.replace(previous, final)
