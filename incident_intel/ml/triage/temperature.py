"""A softmax temperature fitted on held-out data, so that confidences are probabilities."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax


def fitted_temperature(log_proba: np.ndarray, target: np.ndarray) -> float:
    """The temperature T minimising the negative log-likelihood of softmax(log_proba / T) on
    the rows whose `target` (a class index) is known; -1 marks a row no class stands for."""
    scorable = target >= 0

    def nll(log_t: float) -> float:
        scaled = log_softmax(log_proba[scorable] / np.exp(log_t), axis=1)
        return float(-scaled[np.arange(scorable.sum()), target[scorable]].mean())

    return float(np.exp(minimize_scalar(nll, bounds=(-3, 3), method="bounded").x))
