"""The triage baselines a user would write: TF-IDF and a linear model, and a default CatBoost."""

from __future__ import annotations

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier, Pool

from incident_intel.ml.tabular import catboost_pool, default_catboost
from incident_intel.ml.triage.estimator import TriageClassifier
from incident_intel.ml.triage.labels import fold_rare, fold_unknown, top_k


class TfidfLinearBaseline(TriageClassifier):
    """The triage baseline: TF-IDF word unigrams and bigrams into a logistic regression.

    No character n-grams, embeddings or categoricals; it shares the folding, calibration and
    decision rules of TriageClassifier so that both are judged alike.
    """

    def __init__(
        self,
        min_class_count: int = 5,
        target_precision: float = 0.9,
        review_precision: float = 0.6,
        C: float = 10.0,
        seed: int = 42,
    ) -> None:
        super().__init__(
            min_class_count=min_class_count,
            target_precision=target_precision,
            review_precision=review_precision,
            char_ngrams=None,
            use_embeddings=False,
            C=C,
            seed=seed,
        )


class DefaultCatBoostBaseline:
    """A multiclass CatBoostClassifier with the library's defaults on structured fields, no text.

    Every column of X is a categorical field. Rare classes fold into "other" as in
    TriageClassifier, so that both are scored on the same labels.

    Besides the seed, one default is changed: fields of up to `one_hot_max_size` values are
    one-hot encoded rather than target-encoded. For a multiclass label CatBoost's default
    target statistics make about classes x fields x 3 columns and rescore them every
    iteration. On 2 cores that took 446 s for 13 groups on 1.6k incidents (6 s one-hot, top-1
    within two test incidents of the default's), and 98 s for just 20 of the 1000 iterations
    with 44 groups on 10k incidents of the real event log (126 s for all 1000 one-hot).
    """

    def __init__(
        self, min_class_count: int = 5, one_hot_max_size: int = 255, seed: int = 42
    ) -> None:
        self.min_class_count = min_class_count
        self.one_hot_max_size = one_hot_max_size
        self.seed = seed

    def _pool(self, X: pd.DataFrame, labels=None) -> Pool:
        return catboost_pool(X, self.fields_, self.fields_, labels)

    def fit(
        self, X: pd.DataFrame, y, fitted_by: TriageClassifier | None = None
    ) -> DefaultCatBoostBaseline:
        """`fitted_by`: a TriageClassifier fitted on the same rows and labels. Its fields part is
        this baseline's very model wherever it is a default CatBoost on all of X's fields: it is
        taken as fitted then, rather than fitted again to the same trees (10 to 30 s a target
        on the default lake)."""
        folded, self.folded_classes_ = fold_rare(y, self.min_class_count)
        self.fields_ = list(X.columns)
        if fitted_by is not None and self._fitted_within(fitted_by, folded):
            self.model_ = fitted_by.fields_model_.model_
        else:
            self.model_ = default_catboost(
                CatBoostClassifier, self.seed, one_hot_max_size=self.one_hot_max_size
            )
            self.model_.fit(self._pool(X, folded))
        self.classes_ = np.asarray(self.model_.classes_, dtype=object)
        return self

    def _fitted_within(self, model: TriageClassifier, folded: np.ndarray) -> bool:
        part = model.fields_model_
        return (
            part is not None
            and part.fields == self.fields_
            and part.is_default_catboost(self.one_hot_max_size, self.seed)
            and model.min_class_count == self.min_class_count
            and list(model.folded_classes_) == self.folded_classes_
            and list(part.model_.classes_) == list(np.unique(folded))
        )

    def fold_labels(self, y) -> np.ndarray:
        """Map labels the model cannot predict (rare in training, or unseen) to "other"."""
        return fold_unknown(y, self.classes_)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities, shape (n, n_classes), columns in `classes_` order."""
        return self.model_.predict_proba(self._pool(X))

    def predict_top_k(self, X: pd.DataFrame, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
        """The k most likely labels and their confidences, as `top_k` gives them."""
        return top_k(self.predict_proba(X), self.classes_, k)
