"""Why a model scored an incident as it did, from its SHAP values.

Embedding columns are summed into one "incident text" factor: a single embedding component
means nothing to an operator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from incident_intel.ml.breach.estimator import SlaBreachClassifier
from incident_intel.ml.resolution_time.estimator import ResolutionTimeRegressor
from incident_intel.ml.tabular import Columns, row_count

TEXT_FACTOR = "incident text"


@dataclass(frozen=True)
class Factor:
    feature: str
    value: str
    effect: float  # breach: probability delta; resolution time: hours delta
    text: str


def _grouped_shap(
    model: SlaBreachClassifier | ResolutionTimeRegressor, X: Columns
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Feature names, SHAP values (n, features) with embeddings summed, and expected values."""
    phi, expected = model.shap_values(X)
    names = list(model.feature_names_)
    embedding = [i for i, name in enumerate(names) if name in set(model.embedding_columns)]
    if embedding:
        keep = [i for i in range(len(names)) if i not in set(embedding)]
        phi = np.column_stack([phi[:, keep], phi[:, embedding].sum(axis=1)])
        names = [names[i] for i in keep] + [TEXT_FACTOR]
    return names, phi, expected


def global_importance(
    model: SlaBreachClassifier | ResolutionTimeRegressor, X: pd.DataFrame
) -> pd.DataFrame:
    """Mean |SHAP| per feature over `X`, largest first.

    Units are the model's raw scale: the blended breach score, or log1p(hours) for resolution
    time.
    """
    names, phi, _ = _grouped_shap(model, X)
    frame = pd.DataFrame({"feature": names, "mean_abs_shap": np.abs(phi).mean(axis=0)})
    return frame.sort_values("mean_abs_shap", ascending=False, ignore_index=True)


def _value_text(values: np.ndarray | None, row: int) -> str:
    if values is None:
        return ""
    value = values[row]
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "missing"
    return f"{value:g}" if isinstance(value, int | float | np.number) else str(value)


def _factors(
    X: Columns, names: list[str], effects: np.ndarray, k: int, unit: str
) -> list[list[Factor]]:
    # Each input column as an array once, not once per factor shown.
    columns = {name: None if name == TEXT_FACTOR else np.asarray(X[name]) for name in names}
    out = []
    for row in range(row_count(X)):
        top = np.argsort(-np.abs(effects[row]), kind="stable")[:k]
        factors = []
        for j in top:
            value = _value_text(columns[names[j]], row)
            subject = names[j] if not value else f"{names[j]} = {value}"
            effect = float(effects[row, j])
            factors.append(Factor(names[j], value, effect, f"{subject} ({effect:+.2f} {unit})"))
        out.append(factors)
    return out


def breach_factors(model: SlaBreachClassifier, X: Columns, k: int = 3) -> list[list[Factor]]:
    """Per incident, the k factors that move its calibrated breach risk most.

    SHAP values are additive in the blended score, not in probability. A factor's effect is
    reported as the approximate probability delta P(raw) - P(raw - phi): how much lower the
    calibrated risk would be without that factor's contribution, all others kept. These deltas
    do not add up exactly to the risk minus the base rate, because the calibration is not
    linear.
    """
    return explained_breach(model, X, k)[1]


def explained_breach(
    model: SlaBreachClassifier, X: Columns, k: int = 3
) -> tuple[np.ndarray, list[list[Factor]]]:
    """The calibrated breach risk of each incident and its k factors (see `breach_factors`),
    from one pass: the SHAP values add up to the score the risk is calibrated from."""
    names, phi, expected = _grouped_shap(model, X)
    raw = expected + phi.sum(axis=1)
    risk = model.proba_from_raw(raw)
    without = model.proba_from_raw((raw[:, None] - phi).ravel()).reshape(phi.shape)
    return risk, _factors(X, names, risk[:, None] - without, k, "risk")


def ttr_factors(model: ResolutionTimeRegressor, X: Columns, k: int = 3) -> list[list[Factor]]:
    """Per incident, the k factors that move its predicted resolution time most, in hours.

    SHAP values are additive in log1p(hours); a factor's effect is expm1(pred) -
    expm1(pred - phi), the hours it adds to (or removes from) the prediction on its own.
    """
    return explained_ttr(model, X, k)[1]


def explained_ttr(
    model: ResolutionTimeRegressor, X: Columns, k: int = 3
) -> tuple[np.ndarray, list[list[Factor]]]:
    """Each incident's predicted log1p(hours) and its k factors (see `ttr_factors`), from one
    pass: the SHAP values add up to the prediction."""
    names, phi, expected = _grouped_shap(model, X)
    pred_log = expected + phi.sum(axis=1)
    effects = np.expm1(pred_log)[:, None] - np.expm1(pred_log[:, None] - phi)
    return pred_log, _factors(X, names, effects, k, "h")
