"""Every output for a set of incidents: risk and alerts, resolution time, triage, factors and
similar past incidents, from the promoted models.

Input rows are shaped like gold/incident_features (labels are not read), with their text
embeddings as a (sys_id, embedding) frame. The result is one flat row per incident, so that
the open-incident view stores it as Parquet and the API returns it as JSON.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from incident_intel.ml.explanations import explained_breach, explained_ttr
from incident_intel.ml.tabular_data import embedding_matrix
from incident_intel.ml.triage.shared import SharedParts, share_equal_parts
from incident_intel.ml.triage.training import (
    STRUCTURED_FIELDS,
    field_strings,
    incident_texts,
    triage_texts,
)
from incident_intel.scoring.promoted import PromotedModels
from incident_intel.scoring.similar import SIMILAR_TYPE, SimilarIndex
from incident_intel.scoring.tabular_inputs import tabular_columns

TOP_FACTORS = 3
TOP_LABELS = 3
SUGGESTION_TYPE = pl.List(pl.Struct({"label": pl.String, "confidence": pl.Float64}))


class IncidentScorer:
    """The promoted models and the similar-incident index, ready to score."""

    def __init__(
        self,
        models: PromotedModels,
        similar: SimilarIndex | None = None,
        interval_coverage: float = 0.8,
    ) -> None:
        self.models = models
        self.similar = similar
        self.interval_coverage = interval_coverage
        if models.triage is not None:
            share_equal_parts([models.triage.estimator[t] for t in self.triage_targets()])

    @property
    def versions(self) -> dict[str, str | None]:
        return self.models.versions

    def alert_rules(self) -> list[str]:
        breach = self.models.breach
        return [] if breach is None else sorted(breach.thresholds)

    def triage_targets(self) -> list[str]:
        triage = self.models.triage
        return [] if triage is None else sorted(triage.estimator)

    def score(
        self,
        rows: pl.DataFrame,
        embeddings: pl.DataFrame | None,
        similar_k: int = 5,
        explain: bool = True,
    ) -> pl.DataFrame:
        """One row per incident of `rows`, in order; a model with no promoted version leaves
        its columns null."""
        columns: dict[str, pl.Series] = {
            "sys_id": rows["sys_id"],
            "number": rows["number"] if "number" in rows.columns else pl.repeat(None, rows.height),
        }
        # Every model reads the same embedding matrix: built once, not per model.
        matrix = (
            None if embeddings is None or rows.is_empty() else embedding_matrix(rows, embeddings)
        )
        columns |= self._breach(rows, matrix, explain)
        columns |= self._resolution_time(rows, matrix, explain)
        columns |= self._triage(rows, matrix)
        similar = (
            self.similar.query(rows, matrix, similar_k)
            if self.similar is not None
            else [[] for _ in range(rows.height)]
        )
        columns["similar"] = pl.Series("similar", similar, dtype=SIMILAR_TYPE)
        versions_type = pl.Struct(dict.fromkeys(self.versions, pl.String))
        columns["model_versions"] = pl.Series([self.versions] * rows.height, dtype=versions_type)
        return pl.DataFrame(columns)

    def _breach(self, rows, matrix, explain: bool) -> dict[str, pl.Series]:
        n, stored = rows.height, self.models.breach
        out = {"breach_probability": _nulls(n, pl.Float64)}
        out |= {f"breach_alert_{rule}": _nulls(n, pl.Boolean) for rule in self.alert_rules()}
        out["breach_factors"] = _nulls(n, pl.List(pl.String))
        if stored is None or n == 0:
            return out
        model = stored.estimator["estimator"]
        X = tabular_columns(stored.estimator, rows, matrix)
        if explain:
            risk, factors = explained_breach(model, X, TOP_FACTORS)
            texts = [[f.text for f in row] for row in factors]
            out["breach_factors"] = pl.Series(texts, dtype=pl.List(pl.String))
        else:
            risk = model.predict_proba(X)[:, 1]
        out["breach_probability"] = pl.Series(risk, dtype=pl.Float64)
        for rule, choice in stored.thresholds.items():
            out[f"breach_alert_{rule}"] = pl.Series(risk >= choice["threshold"])
        return out

    def _resolution_time(self, rows, matrix, explain: bool) -> dict[str, pl.Series]:
        n, stored = rows.height, self.models.resolution_time
        names = ("ttr_hours", "ttr_low_hours", "ttr_high_hours")
        out = {name: _nulls(n, pl.Float64) for name in names}
        out["ttr_factors"] = _nulls(n, pl.List(pl.String))
        if stored is None or n == 0:
            return out
        model = stored.estimator["estimator"]
        X = tabular_columns(stored.estimator, rows, matrix)
        if explain:
            centre, factors = explained_ttr(model, X, TOP_FACTORS)
            texts = [[f.text for f in row] for row in factors]
            out["ttr_factors"] = pl.Series(texts, dtype=pl.List(pl.String))
        else:
            centre = model.predict_log(X)
        low, high = model.interval_around(centre, self.interval_coverage)
        for name, values in zip(names, (model.hours(centre), low, high), strict=True):
            out[name] = pl.Series(values, dtype=pl.Float64)
        return out

    def _triage(self, rows, matrix) -> dict[str, pl.Series]:
        n, stored = rows.height, self.models.triage
        out: dict[str, pl.Series] = {}
        rows = _with_triage_fields(rows)
        # Each target's model takes its own fields from these, by name.
        fields = field_strings(rows) if n else None
        texts = incident_texts(rows) if n else None
        shared = SharedParts()
        for target in self.triage_targets():
            out[f"{target}_suggestions"] = _nulls(n, SUGGESTION_TYPE)
            out[f"{target}_action"] = _nulls(n, pl.String)
            if n == 0:
                continue
            model = stored.estimator[target]
            embeddings = matrix if model.uses_embeddings_ else None
            labels, confidences = model.predict_top_k(
                triage_texts(rows, target, texts), embeddings, fields, TOP_LABELS, shared
            )
            actions = model.actions(labels[:, 0], confidences[:, 0])
            suggestions = [
                [
                    {"label": str(label), "confidence": float(confidence)}
                    for label, confidence in zip(row_labels, row_confidences, strict=True)
                    if label is not None
                ]
                for row_labels, row_confidences in zip(labels, confidences, strict=True)
            ]
            out[f"{target}_suggestions"] = pl.Series(suggestions, dtype=SUGGESTION_TYPE)
            out[f"{target}_action"] = pl.Series(actions.astype(str).tolist(), dtype=pl.String)
        return out


def _nulls(n: int, dtype: pl.DataType) -> pl.Series:
    return pl.Series([None] * n, dtype=dtype)


def _with_triage_fields(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows with every column triage reads, missing ones null (a request may omit fields)."""
    needed = [*STRUCTURED_FIELDS, "short_description", "description", "sys_id"]
    absent = [pl.lit(None).alias(c) for c in needed if c not in rows.columns]
    return rows.with_columns(absent) if absent else rows


def as_records(scored: pl.DataFrame) -> list[dict[str, Any]]:
    """Scored rows as JSON-ready dicts: NaN-free floats, lists and nested dicts."""
    return [
        {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
        for row in scored.to_dicts()
    ]
