"""Sentence embeddings cached by text hash: a text is embedded once, ever."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import polars as pl

EMBEDDING_CACHE_FILE = "cache.parquet"
# Which model and backend made the embeddings: a model trained on them is versioned by it.
EMBEDDER_FILE = "embedder.json"


class Embedder(Protocol):
    model_id: str

    def text_hash(self, text: str | None) -> str: ...

    def embed(self, texts: list[str]) -> np.ndarray: ...


def empty_cache(dimension: int) -> pl.DataFrame:
    return pl.DataFrame(
        schema={"text_hash": pl.String, "embedding": pl.Array(pl.Float32, dimension)}
    )


@dataclass(frozen=True)
class EmbeddingRun:
    embeddings: pl.DataFrame  # sys_id, text_hash, embedding
    cache: pl.DataFrame  # text_hash, embedding: the previous cache plus the new texts
    cache_hits: int  # rows whose text was embedded by an earlier run
    newly_embedded: int


def incident_text(short_description: pl.Expr, description: pl.Expr) -> pl.Expr:
    """The text embedded for an incident: its (scrubbed) title and body."""
    return pl.concat_str(
        [short_description.fill_null(""), description.fill_null("")], separator="\n"
    ).str.strip_chars()


def embed_with_cache(
    texts: pl.DataFrame, embedder: Embedder, cache: pl.DataFrame, dimension: int
) -> EmbeddingRun:
    """Embed each row's `text` (keyed by `sys_id`), computing only texts missing from `cache`."""
    hashed = texts.with_columns(
        pl.Series(
            "text_hash", [embedder.text_hash(t) for t in texts["text"].to_list()], dtype=pl.String
        )
    )
    cached = hashed["text_hash"].is_in(cache["text_hash"].implode())
    missing = hashed.filter(~cached).unique("text_hash", keep="first", maintain_order=True)
    if missing.height:
        vectors = embedder.embed(missing["text"].to_list()).astype(np.float32)
        fresh = pl.DataFrame(
            {
                "text_hash": missing["text_hash"],
                "embedding": pl.Series(vectors, dtype=pl.Array(pl.Float32, dimension)),
            }
        )
        cache = pl.concat([cache, fresh], how="vertical")
    embeddings = hashed.select("sys_id", "text_hash").join(
        cache, on="text_hash", how="left", maintain_order="left"
    )
    return EmbeddingRun(
        embeddings=embeddings,
        cache=cache,
        cache_hits=hashed.height
        - hashed.filter(pl.col("text_hash").is_in(missing["text_hash"].implode())).height,
        newly_embedded=missing.height,
    )
