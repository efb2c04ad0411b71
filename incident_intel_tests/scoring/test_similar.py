import numpy as np
import polars as pl

from incident_intel.ml.tabular_data import embedding_matrix
from incident_intel.scoring.similar import SimilarIndex


def _unit(vectors) -> list[list[float]]:
    array = np.asarray(vectors, dtype=np.float32)
    return (array / np.linalg.norm(array, axis=1, keepdims=True)).tolist()


def _resolved(texts: list[str], groups: list[str]) -> pl.DataFrame:
    n = len(texts)
    return pl.DataFrame(
        {
            "sys_id": [f"s{i}" for i in range(n)],
            "number": [f"INC{i}" for i in range(n)],
            "ttr_hours": [float(i) for i in range(n)],
            "close_code": ["Solved"] * n,
            "close_notes": [f"note {i}" for i in range(n)],
            "short_description": texts,
            "description": [None] * n,
            "category": ["network"] * n,
            "assignment_group": groups,
        }
    )


def _embeddings(ids: list[str], vectors) -> pl.DataFrame:
    return pl.DataFrame(
        {"sys_id": ids, "embedding": _unit(vectors)},
        schema={"sys_id": pl.String, "embedding": pl.Array(pl.Float32, 3)},
    )


def test_a_text_finds_its_exact_duplicate_first_with_what_to_show():
    resolved = _resolved(["vpn down", "printer jam", "disk full"], ["Net", "Desk", "Storage"])
    vectors = [[1, 0, 0], [0, 1, 0], [0.6, 0.8, 0]]
    index = SimilarIndex.build(resolved, _embeddings(["s0", "s1", "s2"], vectors))
    query = resolved[1].with_columns(pl.lit("q").alias("sys_id"))
    [found] = index.query(query, embedding_matrix(query, _embeddings(["q"], [[0, 1, 0]])), k=2)
    assert [f["number"] for f in found] == ["INC1", "INC2"]
    assert found[0]["similarity"] == 1.0 and found[1]["similarity"] == 0.8
    assert found[0]["close_notes"] == "note 1" and found[0]["ttr_hours"] == 1.0


def test_incidents_without_text_are_compared_on_their_fields():
    resolved = _resolved(["", "", ""], ["Net", "Desk", "Storage"])
    index = SimilarIndex.build(resolved, None)
    query = pl.DataFrame(
        {"sys_id": ["q"], "short_description": [""], "description": [None]}
    ).with_columns(pl.lit("network").alias("category"), pl.lit("Desk").alias("assignment_group"))
    [found] = index.query(query, None, k=5)
    assert found[0]["number"] == "INC1"
    assert len(found) == 3


def test_an_empty_index_finds_nothing():
    index = SimilarIndex.build(_resolved([], []), None)
    assert index.query(_resolved(["x"], ["Net"]), None, k=5) == [[]]
