"""The triage baseline a user would write: TF-IDF and a linear model."""

from __future__ import annotations

from incident_intel.ml.triage.estimator import TriageClassifier


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
