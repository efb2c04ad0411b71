"""A multiclass CatBoost on the structured fields, the part of triage that learns interactions.

A linear model over one-hot fields adds up one weight per value; routing often hangs on a
combination (this category at that location goes to that team), which trees learn and a linear
model cannot. Fields of up to `one_hot_max_size` values are one-hot encoded rather than
target-encoded, for speed: multiclass target statistics cost classes x fields columns rescored
every iteration (see `baselines.DefaultCatBoostBaseline`). A `learning_rate` of None lets
CatBoost set it from the data size and iterations.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier

from incident_intel.ml.tabular import Columns, catboost_pool, prediction_pool, row_count

# CatBoost's own settings where none are given: for a label of more than two classes, a
# CatBoostClassifier built without these fits MultiClass with them.
LIBRARY_DEFAULTS = {"iterations": 1000, "learning_rate": None, "depth": 6}


class FieldsClassifier:
    def __init__(
        self,
        fields: Sequence[str],
        iterations: int = 1000,
        learning_rate: float | None = None,
        depth: int = 6,
        one_hot_max_size: int = 255,
        seed: int = 42,
    ) -> None:
        self.fields = list(fields)
        self.iterations = iterations
        self.learning_rate = learning_rate
        self.depth = depth
        self.one_hot_max_size = one_hot_max_size
        self.seed = seed

    def fit(self, cats: pd.DataFrame, labels: np.ndarray) -> FieldsClassifier:
        self.model_ = CatBoostClassifier(
            iterations=self.iterations,
            learning_rate=self.learning_rate,
            depth=self.depth,
            loss_function="MultiClass",
            one_hot_max_size=self.one_hot_max_size,
            random_seed=self.seed,
            allow_writing_files=False,
            verbose=False,
        )
        self.model_.fit(catboost_pool(cats[self.fields], self.fields, self.fields, labels))
        return self

    def is_default_catboost(self, one_hot_max_size: int, seed: int) -> bool:
        """Whether its CatBoost is the library's default one, with this one-hot size and seed."""
        settings = {
            "iterations": self.iterations,
            "learning_rate": self.learning_rate,
            "depth": self.depth,
        }
        return (
            settings == LIBRARY_DEFAULTS
            and self.one_hot_max_size == one_hot_max_size
            and self.seed == seed
            and len(self.model_.classes_) > 2
        )

    def predict_proba(self, cats: Columns, classes: np.ndarray) -> np.ndarray:
        """Probabilities with columns in `classes` order; a class it never saw gets zero."""
        proba = self.model_.predict_proba(prediction_pool(cats, self.fields, self.fields))
        own = {str(c): i for i, c in enumerate(self.model_.classes_)}
        out = np.zeros((row_count(cats), len(classes)))
        for j, label in enumerate(classes):
            if label in own:
                out[:, j] = proba[:, own[label]]
        return out
