"""The sentence-embedding model, loaded once per process and shared by the assets that embed."""

import os
from functools import lru_cache
from typing import Any

import dagster as dg
from pydantic import Field, PrivateAttr

from incident_intel.gold.embeddings import DEFAULT_MAX_SEQ_LENGTH, EMBEDDING_DIM, TextEmbedder


@lru_cache(maxsize=4)
def shared_embedder(
    backend: str, max_seq_length: int, batch_size: int, workers: int = 1
) -> TextEmbedder:
    """One embedder per process and settings, so the model loads once however many runs use it."""
    return TextEmbedder(
        backend=backend, max_seq_length=max_seq_length, batch_size=batch_size, workers=workers
    )


class EmbeddingModelResource(dg.ConfigurableResource):
    """all-MiniLM-L6-v2 from the bundled package, offline; `auto` picks bf16 where it is native."""

    backend: str = "auto"
    max_seq_length: int = DEFAULT_MAX_SEQ_LENGTH
    batch_size: int = 64
    workers: int | None = Field(
        None,
        description="Batches embedded side by side, each on one torch thread; none: one per core.",
    )

    _embedder: Any = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        workers = self.workers or os.cpu_count() or 1
        self._embedder = shared_embedder(
            self.backend, self.max_seq_length, self.batch_size, workers
        )

    @property
    def embedder(self) -> TextEmbedder:
        if self._embedder is None:
            raise RuntimeError("the embedding resource was not set up by Dagster")
        return self._embedder

    @property
    def dimension(self) -> int:
        return EMBEDDING_DIM
