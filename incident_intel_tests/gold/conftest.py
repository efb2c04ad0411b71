import pytest

from incident_intel.gold.embeddings import TextEmbedder


@pytest.fixture(scope="session")
def embedder() -> TextEmbedder:
    """One embedder for the whole session; the model loads on first use only."""
    return TextEmbedder()
