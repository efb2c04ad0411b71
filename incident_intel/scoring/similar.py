"""Similar past incidents: the nearest resolved incidents by text, or by fields where no text.

Text neighbours are cosine over the cached sentence embeddings. An incident with no text (an
event-log export has none) is compared on the fields known at open instead, one-hot encoded:
the cosine of two such vectors is the share of fields they have in common.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.preprocessing import OneHotEncoder, normalize

from incident_intel.gold.embedding_cache import incident_text
from incident_intel.ml.tabular_data import embedding_matrix
from incident_intel.ml.triage.neighbours import nearest

MATCH_FIELDS = (
    "category",
    "subcategory",
    "assignment_group",
    "priority",
    "contact_type",
    "location",
    "cmdb_ci",
)
# What each neighbour shows: enough to act on without opening the ticket.
SHOWN = ("number", "ttr_hours", "close_code", "close_notes", "short_description")
SIMILAR_TYPE = pl.List(
    pl.Struct(
        {
            "number": pl.String,
            "similarity": pl.Float64,
            "ttr_hours": pl.Float64,
            "close_code": pl.String,
            "close_notes": pl.String,
            "short_description": pl.String,
        }
    )
)


def has_text(rows: pl.DataFrame) -> np.ndarray:
    text = incident_text(pl.col("short_description"), pl.col("description"))
    return rows.select(text != "")[:, 0].to_numpy()


def _field_strings(rows: pl.DataFrame) -> np.ndarray:
    absent = [pl.lit(None).alias(f) for f in MATCH_FIELDS if f not in rows.columns]
    frame = rows.with_columns(absent).select(pl.col(MATCH_FIELDS).cast(pl.String).fill_null(""))
    return frame.to_numpy().astype(object)


@dataclass(frozen=True)
class SimilarIndex:
    """Resolved incidents (with the SHOWN columns), searchable by text and by fields."""

    incidents: pl.DataFrame
    text_rows: np.ndarray  # positions in `incidents` of those with text
    text_vectors: np.ndarray  # their unit embeddings, in text_rows order
    encoder: OneHotEncoder
    field_vectors: sparse.csr_matrix  # every incident's unit one-hot fields

    @classmethod
    def build(cls, resolved: pl.DataFrame, embeddings: pl.DataFrame | None) -> SimilarIndex:
        """Index `resolved` (sys_id, SHOWN columns, texts and MATCH_FIELDS)."""
        text_rows = np.flatnonzero(has_text(resolved)) if embeddings is not None else np.array([])
        text_rows = text_rows.astype(np.int64)
        text_vectors = (
            embedding_matrix(resolved[text_rows], embeddings)
            if len(text_rows)
            else np.zeros((0, 1), dtype=np.float32)
        )
        encoder = OneHotEncoder(handle_unknown="ignore", dtype=np.float32)
        fields = _field_strings(resolved)
        field_vectors = normalize(encoder.fit_transform(fields)) if len(fields) else None
        return cls(resolved, text_rows, text_vectors, encoder, field_vectors)

    def __len__(self) -> int:
        return self.incidents.height

    def query(self, rows: pl.DataFrame, vectors: np.ndarray | None, k: int = 5) -> list[list[dict]]:
        """Per row of `rows`, its k nearest resolved incidents, most similar first; `vectors`
        are the rows' text embeddings in row order (`ml.tabular_data.embedding_matrix`)."""
        out: list[list[dict]] = [[] for _ in range(rows.height)]
        if not len(self) or k <= 0 or rows.is_empty():
            return out
        by_text = has_text(rows) & (vectors is not None) & (len(self.text_rows) > 0)
        text_queries = np.flatnonzero(by_text)
        if len(text_queries):
            indices, sims = nearest(vectors[text_queries], self.text_vectors, k)
            for query, found, sim in zip(text_queries, indices, sims, strict=True):
                out[query] = self._shown(self.text_rows[found], sim)
        field_queries = np.flatnonzero(~by_text)
        if len(field_queries):
            fields = normalize(self.encoder.transform(_field_strings(rows[field_queries])))
            for query, found, sim in zip(
                field_queries, *self._nearest_fields(fields, k), strict=True
            ):
                out[query] = self._shown(found, sim)
        return out

    def _nearest_fields(
        self, vectors: sparse.csr_matrix, k: int, chunk_rows: int = 256
    ) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, len(self))
        indices, sims = [], []
        for start in range(0, vectors.shape[0], chunk_rows):
            dense = (vectors[start : start + chunk_rows] @ self.field_vectors.T).toarray()
            top = np.argsort(-dense, axis=1, kind="stable")[:, :k]
            indices.append(top)
            sims.append(np.take_along_axis(dense, top, axis=1))
        return np.vstack(indices), np.vstack(sims)

    def _shown(self, positions: np.ndarray, similarities: np.ndarray) -> list[dict]:
        shown = self.incidents[positions.tolist()].select(SHOWN).to_dicts()
        return [
            {**row, "similarity": round(float(s), 4)}
            for row, s in zip(shown, similarities, strict=True)
        ]
