"""Incident archetypes: k-means over text embeddings and key categoricals, with profiles."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import davies_bouldin_score, silhouette_score
from sklearn.preprocessing import OneHotEncoder

from incident_intel.ml.tabular import MISSING

_PLACEHOLDER_RE = re.compile(r"\[(?:EMAIL|PHONE|IP|USER_ID)\]")


def class_tfidf_top_terms(
    texts: Sequence[str], labels: np.ndarray, n_terms: int = 8, min_count: int = 2
) -> dict[int, list[str]]:
    """Top terms per cluster by class-based TF-IDF (c-TF-IDF, as in BERTopic).

    Each cluster's texts form one document; a term weighs its frequency in the cluster times
    log(1 + mean words per cluster / its frequency over all clusters), which favours terms that
    are common in one cluster and rare elsewhere. Terms used fewer than `min_count` times in
    all are ignored as noise.
    """
    clusters = np.unique(labels)
    documents = [
        " ".join(_PLACEHOLDER_RE.sub(" ", texts[i]) for i in np.flatnonzero(labels == c))
        for c in clusters
    ]
    vectorizer = CountVectorizer(stop_words="english")
    try:
        counts = vectorizer.fit_transform(documents).toarray().astype(float)
    except ValueError:  # no term survives (e.g. all texts empty)
        return {int(c): [] for c in clusters}
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    idf = np.log1p(counts.sum(axis=1).mean() / np.maximum(counts.sum(axis=0), 1.0))
    scores = tf * idf * (counts.sum(axis=0) >= min_count)
    terms = vectorizer.get_feature_names_out()
    top = {}
    for row, c in enumerate(clusters):
        best = np.argsort(-scores[row], kind="stable")[:n_terms]
        top[int(c)] = [str(terms[j]) for j in best if scores[row, j] > 0]
    return top


def _dominant(values: pd.Series) -> tuple[str | None, float]:
    counts = values.astype("string").fillna(MISSING).value_counts()
    if counts.empty:
        return None, float("nan")
    return str(counts.index[0]), float(counts.iloc[0] / counts.sum())


class IncidentArchetypes:
    """K-means archetypes of incidents, k picked by silhouette, seeded and stable.

    Features are the unit-norm text embedding beside a one-hot block of `cat_features` scaled to
    norm `cat_weight`, so `cat_weight` sets how much the fields count against the text.
    Clusters are numbered by size, largest first; `predict` assigns new incidents to the fitted
    centres without refitting.
    """

    def __init__(
        self,
        k_range: tuple[int, int] = (4, 16),
        cat_features: Sequence[str] = ("category", "assignment_group", "priority"),
        cat_weight: float = 0.5,
        silhouette_sample: int = 3000,
        n_init: int = 4,
        n_terms: int = 8,
        n_exemplars: int = 3,
        text_column: str = "text",
        category_column: str = "category",
        group_column: str = "assignment_group",
        priority_column: str = "priority",
        breach_column: str = "sla_breached",
        ttr_column: str = "ttr_hours",
        seed: int = 42,
    ) -> None:
        self.k_range = k_range
        self.cat_features = list(cat_features)
        self.cat_weight = cat_weight
        self.silhouette_sample = silhouette_sample
        self.n_init = n_init
        self.n_terms = n_terms
        self.n_exemplars = n_exemplars
        self.text_column = text_column
        self.category_column = category_column
        self.group_column = group_column
        self.priority_column = priority_column
        self.breach_column = breach_column
        self.ttr_column = ttr_column
        self.seed = seed

    def _features(self, embeddings: np.ndarray, frame: pd.DataFrame, fit: bool) -> np.ndarray:
        dense = np.asarray(embeddings, dtype=np.float64)
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        blocks = [dense / np.maximum(norms, 1e-12)]
        if self.cat_features:
            cats = frame[self.cat_features].astype("string").fillna(MISSING).astype(object)
            if fit:
                self.encoder_ = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
                self.encoder_.fit(cats)
            scale = self.cat_weight / np.sqrt(len(self.cat_features))
            blocks.append(self.encoder_.transform(cats) * scale)
        return np.hstack(blocks)

    def fit(self, embeddings: np.ndarray, frame: pd.DataFrame) -> IncidentArchetypes:
        """Cluster, choose k and profile; `frame` has one row per embedding (text, fields)."""
        frame = frame.reset_index(drop=True)
        X = self._features(embeddings, frame, fit=True)
        low, high = self.k_range
        high = min(high, len(X) - 1)
        if low < 2 or high < low:
            raise ValueError(f"k_range {self.k_range} does not fit {len(X)} incidents")
        sample = min(self.silhouette_sample, len(X))

        def silhouette(labels: np.ndarray) -> float:
            return float(silhouette_score(X, labels, sample_size=sample, random_state=self.seed))

        # Each k is scanned from one start, and only the chosen k is refitted from `n_init`
        # starts (its score is then the refit's): the scan costs a third of the CPU time of
        # `n_init` starts per k, and on the default lake it picks the same k.
        self.silhouette_by_k_ = {
            k: silhouette(KMeans(n_clusters=k, n_init=1, random_state=self.seed).fit(X).labels_)
            for k in range(low, high + 1)
        }
        self.k_ = max(self.silhouette_by_k_, key=self.silhouette_by_k_.get)
        self.kmeans_ = KMeans(n_clusters=self.k_, n_init=self.n_init, random_state=self.seed)
        self.kmeans_.fit(X)
        self.silhouette_by_k_[self.k_] = silhouette(self.kmeans_.labels_)
        # Renumber by size, largest first (ties by original id) so ids read the same each fit.
        sizes = np.bincount(self.kmeans_.labels_, minlength=self.k_)
        order = np.lexsort((np.arange(self.k_), -sizes))
        self.relabel_ = np.empty(self.k_, dtype=int)
        self.relabel_[order] = np.arange(self.k_)
        self.labels_ = self.relabel_[self.kmeans_.labels_]
        self.silhouette_ = self.silhouette_by_k_[self.k_]
        self.davies_bouldin_ = float(davies_bouldin_score(X, self.labels_))
        self.profiles_ = self._profiles(X, frame)
        return self

    def predict(self, embeddings: np.ndarray, frame: pd.DataFrame) -> np.ndarray:
        """Nearest fitted centre for each new incident (deterministic; nothing is refitted)."""
        X = self._features(embeddings, frame.reset_index(drop=True), fit=False)
        return self.relabel_[self.kmeans_.predict(X)]

    def _profiles(self, X: np.ndarray, frame: pd.DataFrame) -> pd.DataFrame:
        texts = (
            frame[self.text_column].fillna("").astype(str).tolist()
            if self.text_column in frame
            else [""] * len(frame)
        )
        terms = class_tfidf_top_terms(texts, self.labels_, self.n_terms)
        centres = np.empty((self.k_, X.shape[1]))
        centres[self.relabel_] = self.kmeans_.cluster_centers_
        rows = []
        for c in range(self.k_):
            members = np.flatnonzero(self.labels_ == c)
            part = frame.iloc[members]
            distance = np.linalg.norm(X[members] - centres[c], axis=1)
            nearest = members[np.argsort(distance, kind="stable")[: self.n_exemplars]]
            row = {
                "cluster": c,
                "size": len(members),
                "label": " / ".join(terms[c][:3]),
                "top_terms": terms[c],
                "exemplars": [texts[i] for i in nearest],
            }
            for name, column in (
                ("category", self.category_column),
                ("group", self.group_column),
                ("priority", self.priority_column),
            ):
                dominant, purity = _dominant(part[column]) if column in part else (None, np.nan)
                row[f"dominant_{name}"] = dominant
                row[f"{name}_purity"] = purity
            row["breach_rate"] = (
                float(part[self.breach_column].astype(float).mean())
                if self.breach_column in part
                else float("nan")
            )
            row["median_ttr_hours"] = (
                float(part[self.ttr_column].astype(float).median())
                if self.ttr_column in part
                else float("nan")
            )
            rows.append(row)
        return pd.DataFrame(rows)

    def summary(self) -> dict[str, float]:
        """Overall quality: k, silhouette, Davies-Bouldin, and size-weighted purities."""
        profiles = self.profiles_
        weights = profiles["size"] / profiles["size"].sum()
        return {
            "k": int(self.k_),
            "silhouette": self.silhouette_,
            "davies_bouldin": self.davies_bouldin_,
            **{
                f"{name}_purity": float((profiles[f"{name}_purity"] * weights).sum(min_count=1))
                for name in ("category", "group", "priority")
            },
        }
