"""Triage: predict one routing label (category or assignment group) from text and fields.

Features are TF-IDF word (and optionally character) n-grams of the scrubbed text, precomputed
sentence embeddings and one-hot categoricals known at open, concatenated into one sparse matrix
for a multinomial logistic regression. Its probabilities are blended with a vote of the nearest
training tickets by embedding (`knn_weight`): recurring tickets have near-duplicates that a
linear model underweights. On the Endava tickets (4-fold CV inside the training split) the blend
added 0.5 to 0.8 points of top-1, and character n-grams added nothing, so they are off by
default. With structured fields, a multiclass CatBoost on the fields alone (`FieldsClassifier`)
learns the combinations a linear model cannot; its share of the blend is chosen on held-out
data among `fields_shares`, by top-1 accuracy. `calibrate` fits that share, a softmax
temperature and per-class confidence thresholds on held-out data (`calibration`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OneHotEncoder

from incident_intel.ml.tabular import Columns
from incident_intel.ml.threads import one_blas_thread
from incident_intel.ml.triage.actions import chosen_actions
from incident_intel.ml.triage.calibration import calibration, tempered_proba
from incident_intel.ml.triage.categoricals import categorical_columns, one_hot
from incident_intel.ml.triage.fields_model import FieldsClassifier
from incident_intel.ml.triage.labels import fold_rare, fold_unknown, top_k
from incident_intel.ml.triage.logistic import logistic_proba
from incident_intel.ml.triage.neighbours import label_votes
from incident_intel.ml.triage.shared import SharedParts


class TriageClassifier:
    """Multinomial logistic regression over text, embeddings and categoricals, with decisions.

    Classes with fewer than `min_class_count` training examples fold into "other", as do labels
    never seen in training; "other" is never auto-routed, since it names no destination.
    """

    def __init__(
        self,
        min_class_count: int = 5,
        target_precision: float = 0.9,
        review_precision: float = 0.6,
        min_threshold_support: int = 5,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] | None = None,
        min_df: int = 2,
        max_word_features: int = 100_000,
        max_char_features: int = 200_000,
        use_embeddings: bool = True,
        embedding_weight: float = 0.5,
        knn_weight: float = 0.3,
        knn_k: int = 10,
        knn_temperature: float = 0.05,
        cat_features: Sequence[str] = (),
        cat_weight: float = 1.0,
        C: float = 10.0,
        class_weight: str | None = None,
        fields_shares: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
        fields_iterations: int = 1000,
        max_iter: int = 1000,
        seed: int = 42,
    ) -> None:
        if not 0 < review_precision <= target_precision <= 1:
            raise ValueError("need 0 < review_precision <= target_precision <= 1")
        self.min_class_count = min_class_count
        self.target_precision = target_precision
        self.review_precision = review_precision
        self.min_threshold_support = min_threshold_support
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.use_embeddings = use_embeddings
        self.embedding_weight = embedding_weight
        self.knn_weight = knn_weight
        self.knn_k = knn_k
        self.knn_temperature = knn_temperature
        self.cat_features = list(cat_features)
        self.cat_weight = cat_weight
        self.C = C
        self.class_weight = class_weight
        self.fields_shares = list(fields_shares)
        self.fields_iterations = fields_iterations
        self.max_iter = max_iter
        self.seed = seed

    # -- labels -------------------------------------------------------------------------------

    def fold_labels(self, y) -> np.ndarray:
        """Map labels the model cannot predict (rare in training, or unseen) to "other"."""
        return fold_unknown(y, self.classes_)

    # -- features -----------------------------------------------------------------------------

    def _features(
        self,
        texts: Sequence[str],
        embeddings,
        frame: Columns | None,
        fit: bool,
        shared: SharedParts | None = None,
    ) -> sparse.csr_matrix:
        """The design matrix; `frame` is the categoricals as `_cat_columns` gives them."""
        texts = ["" if t is None else str(t) for t in texts]
        shared = shared or SharedParts()
        if fit:
            self.word_vectorizer_ = self._tfidf(
                "word", self.word_ngrams, self.max_word_features
            ).fit(texts)
            self.char_vectorizer_ = (
                self._tfidf("char_wb", self.char_ngrams, self.max_char_features).fit(texts)
                if self.char_ngrams
                else None
            )
            self.uses_embeddings_ = self.use_embeddings and embeddings is not None
            if self.cat_features:
                self.encoder_ = OneHotEncoder(handle_unknown="ignore", dtype=np.float32)
                self.encoder_.fit(pd.DataFrame(frame, dtype=object))
        blocks = [shared.tfidf(self.word_vectorizer_, texts)]
        if self.char_vectorizer_ is not None:
            blocks.append(self.char_vectorizer_.transform(texts))
        if self.uses_embeddings_:
            if embeddings is None:
                raise ValueError("this model was fitted with embeddings; pass them")
            dense = np.asarray(embeddings, dtype=np.float32)
            if dense.shape[0] != len(texts):
                raise ValueError("embeddings and texts differ in length")
            blocks.append(sparse.csr_matrix(dense * self.embedding_weight))
        if self.cat_features:
            # Scaled so the one-hot block has norm cat_weight, like each text block's norm 1.
            scale = self.cat_weight / np.sqrt(len(self.cat_features))
            blocks.append(one_hot(self.encoder_, frame) * scale)
        return sparse.hstack(blocks, format="csr")

    def _tfidf(self, analyzer: str, ngrams: tuple[int, int], max_features: int):
        return TfidfVectorizer(
            analyzer=analyzer,
            ngram_range=tuple(ngrams),
            min_df=self.min_df,
            max_features=max_features,
            sublinear_tf=True,
            dtype=np.float32,
        )

    def _cat_columns(self, cats: Columns | None) -> dict[str, np.ndarray] | None:
        """The categoricals as strings, MISSING for nulls; None for a model without them.

        `cats` may hold more fields than the model reads: it takes its own by name.
        """
        if not self.cat_features:
            return None
        if cats is None:
            raise ValueError(f"categorical features {self.cat_features} are required")
        return categorical_columns(cats, self.cat_features)

    # -- fitting ------------------------------------------------------------------------------

    def fit(
        self, texts: Sequence[str], y, embeddings=None, cats: Columns | None = None
    ) -> TriageClassifier:
        folded, self.folded_classes_ = fold_rare(y, self.min_class_count)
        frame = self._cat_columns(cats)
        design = self._features(texts, embeddings, frame, fit=True)
        self.model_ = LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=self.max_iter, random_state=self.seed
        )
        with one_blas_thread():
            self.model_.fit(design, folded)
        self.classes_ = self.model_.classes_.astype(object)
        if self.uses_embeddings_ and self.knn_weight > 0:
            self.neighbour_embeddings_ = np.asarray(embeddings, dtype=np.float32)
            self.neighbour_label_index_ = np.searchsorted(self.classes_, folded)
        self.fields_model_ = None
        if self.cat_features and any(self.fields_shares):
            # A field with one value in training tells no class apart; CatBoost refuses to fit
            # on nothing else.
            varying = [f for f in self.cat_features if len(set(frame[f])) > 1]
            if varying:
                self.fields_model_ = FieldsClassifier(
                    varying, self.fields_iterations, seed=self.seed
                ).fit(pd.DataFrame(frame, dtype=object), folded)
        self.fields_share_ = 0.0
        self.temperature_ = 1.0
        return self

    def _log_proba(
        self, texts: Sequence[str], embeddings, cats, shared: SharedParts | None = None
    ) -> np.ndarray:
        """Uncalibrated log-probabilities: the blend at the chosen share of the fields model."""
        return self._blended_log_proba(texts, embeddings, cats, [self.fields_share_], shared)[0]

    def _blended_log_proba(
        self,
        texts: Sequence[str],
        embeddings,
        cats,
        shares: Sequence[float],
        shared: SharedParts | None = None,
    ) -> list[np.ndarray]:
        """Log-probabilities of the text-and-neighbour model blended with the fields model, once
        per share of the latter (computing each part once)."""
        frame = self._cat_columns(cats)
        proba = self._text_proba(texts, embeddings, frame, shared or SharedParts())
        if self.fields_model_ is None:
            return [np.log(np.clip(proba, 1e-12, None)) for _ in shares]
        fields = self.fields_model_.predict_proba(frame, self.classes_)
        return [np.log(np.clip((1 - a) * proba + a * fields, 1e-12, None)) for a in shares]

    def _text_proba(
        self, texts: Sequence[str], embeddings, frame, shared: SharedParts
    ) -> np.ndarray:
        """The linear model's probabilities, blended with the neighbour vote."""
        linear = logistic_proba(
            self.model_, self._features(texts, embeddings, frame, False, shared)
        )
        if not hasattr(self, "neighbour_embeddings_"):
            return linear
        query = np.asarray(embeddings, dtype=np.float32)
        votes = label_votes(
            *shared.nearest(query, self.neighbour_embeddings_, self.knn_k),
            self.neighbour_label_index_,
            len(self.classes_),
            self.knn_temperature,
        )
        return (1 - self.knn_weight) * linear + self.knn_weight * votes

    def calibrate(
        self, texts: Sequence[str], y, embeddings=None, cats: Columns | None = None
    ) -> TriageClassifier:
        """Fit the fields share, the temperature and the per-class thresholds on held-out data."""
        labels = self.fold_labels(y)
        index = {c: i for i, c in enumerate(self.classes_)}
        target = np.array([index.get(c, -1) for c in labels])
        shares = self.fields_shares if self.fields_model_ is not None else [0.0]
        fitted = calibration(
            self._blended_log_proba(texts, embeddings, cats, shares),
            shares,
            target,
            self.classes_,
            (self.target_precision, self.review_precision),
            self.min_threshold_support,
        )
        self.fields_share_ = fitted.fields_share
        self.valid_top1_by_fields_share_ = fitted.top1_by_fields_share
        self.temperature_ = fitted.temperature
        self.auto_thresholds_ = fitted.auto_thresholds
        self.review_thresholds_ = fitted.review_thresholds
        return self

    # -- prediction ---------------------------------------------------------------------------

    def _softmax(self, log_proba: np.ndarray) -> np.ndarray:
        return tempered_proba(log_proba, self.temperature_)

    def predict_proba(
        self,
        texts: Sequence[str],
        embeddings=None,
        cats: Columns | None = None,
        shared: SharedParts | None = None,
    ) -> np.ndarray:
        """Calibrated probabilities, shape (n, n_classes), columns in `classes_` order;
        `shared` lends the parts other models computed for the same inputs."""
        return self._softmax(self._log_proba(texts, embeddings, cats, shared))

    def predict(self, texts: Sequence[str], embeddings=None, cats=None) -> np.ndarray:
        return self.classes_[self.predict_proba(texts, embeddings, cats).argmax(axis=1)]

    def predict_top_k(
        self,
        texts: Sequence[str],
        embeddings=None,
        cats=None,
        k: int = 3,
        shared: SharedParts | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The k most likely labels and their confidences, as `top_k` gives them."""
        return top_k(self.predict_proba(texts, embeddings, cats, shared), self.classes_, k)

    def actions(self, top_labels, top_confidences) -> np.ndarray:
        """AUTO_ROUTE, HUMAN_REVIEW or ESCALATE for top-1 labels and confidences.

        AUTO_ROUTE: confidence reaches the class's threshold for `target_precision`.
        HUMAN_REVIEW: it reaches the lower threshold for `review_precision`; a person confirms
        the suggestion (or picks from the top 3).
        ESCALATE: below both; the service desk triages it from scratch.
        """
        if not hasattr(self, "auto_thresholds_"):
            raise RuntimeError("call calibrate() on held-out data before deciding")
        return chosen_actions(
            top_labels, top_confidences, self.auto_thresholds_, self.review_thresholds_
        )

    def decide(
        self, texts: Sequence[str], embeddings=None, cats: Columns | None = None
    ) -> pd.DataFrame:
        """Per incident: top-3 labels and confidences, and the action for the top-1."""
        labels, confidences = self.predict_top_k(texts, embeddings, cats, k=3)
        frame = pd.DataFrame(
            {f"label_{i + 1}": labels[:, i] for i in range(3)}
            | {f"confidence_{i + 1}": confidences[:, i] for i in range(3)}
        )
        frame["action"] = self.actions(labels[:, 0], confidences[:, 0])
        return frame
