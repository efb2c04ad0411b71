import numpy as np
import pandas as pd
import pytest

from incident_intel.ml.archetypes.estimator import IncidentArchetypes, class_tfidf_top_terms

THEMES = {
    "vpn": ("Network", "vpn tunnel drops remote access gateway"),
    "mail": ("Email", "outlook mailbox full cannot send mail"),
    "printer": ("Hardware", "printer jam toner queue stuck"),
    "payroll": ("Application", "payroll portal timeout salary report"),
}


def make_themed(n: int, seed: int):
    rng = np.random.default_rng(seed)
    names = list(THEMES)
    theme = rng.choice(names, size=n)
    centres = np.random.default_rng(7).normal(size=(len(names), 24))
    embeddings = np.stack([centres[names.index(t)] + rng.normal(scale=0.3, size=24) for t in theme])
    frame = pd.DataFrame(
        {
            "text": [f"{THEMES[t][1]} ticket {i}" for i, t in enumerate(theme)],
            "category": [THEMES[t][0] for t in theme],
            "assignment_group": [f"{THEMES[t][0]} team" for t in theme],
            "priority": rng.choice(["2 - High", "3 - Moderate"], size=n),
            "sla_breached": (theme == "vpn").astype(int),
            "ttr_hours": np.where(theme == "payroll", 48.0, 4.0),
        }
    )
    return embeddings, frame


@pytest.fixture(scope="module")
def themed():
    return make_themed(240, 0)


@pytest.fixture(scope="module")
def fitted(themed) -> IncidentArchetypes:
    return IncidentArchetypes(k_range=(2, 6), seed=3).fit(*themed)


def test_finds_the_themes(fitted) -> None:
    assert fitted.k_ == 4
    assert set(fitted.silhouette_by_k_) == {2, 3, 4, 5, 6}
    summary = fitted.summary()
    assert summary["category_purity"] == pytest.approx(1.0)
    assert summary["silhouette"] > 0.3
    assert summary["davies_bouldin"] > 0


def test_profiles(fitted) -> None:
    profiles = fitted.profiles_
    assert profiles["size"].sum() == 240
    assert list(profiles["size"]) == sorted(profiles["size"], reverse=True)
    assert profiles["exemplars"].map(len).eq(3).all()
    vpn = profiles[profiles["dominant_category"] == "Network"].iloc[0]
    assert vpn["breach_rate"] == 1.0
    theme_words = set(THEMES["vpn"][1].split())
    assert set(vpn["top_terms"][:6]) == theme_words
    assert set(vpn["label"].split(" / ")) <= theme_words
    payroll = profiles[profiles["dominant_category"] == "Application"].iloc[0]
    assert payroll["median_ttr_hours"] == 48.0
    assert "ticket" not in payroll["top_terms"][:3]


def test_assignment_is_stable(fitted, themed) -> None:
    embeddings, frame = themed
    assert np.array_equal(fitted.predict(embeddings, frame), fitted.labels_)
    assert np.array_equal(fitted.predict(embeddings, frame), fitted.predict(embeddings, frame))
    refit = IncidentArchetypes(k_range=(2, 6), seed=3).fit(embeddings, frame)
    assert np.array_equal(refit.labels_, fitted.labels_)


def test_new_incidents_join_their_theme(fitted, themed) -> None:
    new_embeddings, new_frame = make_themed(40, 1)
    assigned = fitted.predict(new_embeddings, new_frame)
    by_cluster = fitted.profiles_.set_index("cluster")["dominant_category"]
    assert (by_cluster.loc[assigned].to_numpy() == new_frame["category"].to_numpy()).all()


def test_k_range_must_fit() -> None:
    embeddings, frame = make_themed(5, 0)
    with pytest.raises(ValueError, match="k_range"):
        IncidentArchetypes(k_range=(8, 10)).fit(embeddings, frame)


def test_class_tfidf_prefers_distinctive_terms() -> None:
    texts = ["disk full disk server", "disk vpn vpn", "server disk printer", "printer jam"]
    top = class_tfidf_top_terms(texts, np.array([0, 1, 0, 1]), n_terms=2, min_count=1)
    assert top[1][0] == "vpn"
