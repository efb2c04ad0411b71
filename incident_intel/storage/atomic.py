"""Atomic writes: readers see the old content or the new, never a half-written file."""

from __future__ import annotations

import os
import shutil
import tempfile
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


def new_staging_directory(final: Path) -> Path:
    """A fresh directory beside `final`, on the same filesystem so that a rename is atomic."""
    final.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.staging-"))


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
