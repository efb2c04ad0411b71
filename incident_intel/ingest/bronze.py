"""Bronze: API pages exactly as received, gzipped, with a manifest, one directory per day."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from incident_intel.ingest.servicenow_client import PulledPage
from incident_intel.storage.atomic import staged_directory

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BronzeManifest:
    source_url: str
    window_start: str
    window_end: str
    page_count: int
    record_count: int
    pages: list[dict[str, Any]]
    # Tables the source refused to serve (HTTP 403): their absence is known, not a gap.
    forbidden: list[str] = field(default_factory=list)

    def records_of(self, table: str) -> int:
        return sum(e["records"] for e in self.pages if e.get("table", "incident") == table)

    @classmethod
    def read(cls, directory: Path) -> BronzeManifest:
        path = directory / MANIFEST
        if not path.exists():
            raise FileNotFoundError(f"bronze partition {directory} has no {MANIFEST}")
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def page_file_name(number: int) -> str:
    return f"page-{number:05d}.json.gz"


def write_bronze_partition(
    directory: Path,
    pages: Iterable[PulledPage],
    *,
    source_url: str,
    window_start: datetime,
    window_end: datetime,
    forbidden: list[str] | None = None,
) -> BronzeManifest:
    """Write every page to a staging directory, then swap it in whole.

    A pull that fails halfway, even one killed outright, leaves the previous bronze of the day
    untouched, and two pulls never mix. `forbidden` names tables the source refused to serve.
    """
    entries: list[dict[str, Any]] = []
    with staged_directory(directory) as staging:
        for page in pages:
            name = page_file_name(page.number)
            (staging / name).write_bytes(gzip.compress(page.body, compresslevel=5, mtime=0))
            entries.append(
                {
                    "file": name,
                    "table": page.table,
                    "query": page.query,
                    "status": page.status,
                    "records": len(page.records),
                    "sha256": hashlib.sha256(page.body).hexdigest(),
                }
            )
        manifest = BronzeManifest(
            source_url=source_url,
            window_start=window_start.isoformat(),
            window_end=window_end.isoformat(),
            page_count=len(entries),
            record_count=sum(e["records"] for e in entries),
            pages=entries,
            forbidden=list(forbidden or []),
        )
        (staging / MANIFEST).write_text(json.dumps(manifest.__dict__, indent=2), encoding="utf-8")
    return manifest


def _verified_body(directory: Path, entry: dict[str, Any]) -> bytes:
    body = gzip.decompress((directory / entry["file"]).read_bytes())
    if hashlib.sha256(body).hexdigest() != entry["sha256"]:
        raise ValueError(f"{directory / entry['file']} does not match its manifest checksum")
    return body


def read_bronze_pages(directory: Path, table: str = "incident") -> Iterator[tuple[int, bytes]]:
    """(page number, body as received) for each page of `table` in the manifest, verified by
    checksum."""
    manifest = BronzeManifest.read(directory)
    wanted = [
        (number, entry)
        for number, entry in enumerate(manifest.pages, start=1)
        if entry.get("table", "incident") == table
    ]
    # zlib and hashlib let go of the GIL on large buffers, so pages unpack side by side.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        bodies = pool.map(lambda numbered: _verified_body(directory, numbered[1]), wanted)
        for (number, _), body in zip(wanted, bodies, strict=True):
            yield number, body
