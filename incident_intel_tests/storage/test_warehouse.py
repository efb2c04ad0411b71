import duckdb
import pytest

from incident_intel.storage.warehouse import transaction, utc_connection


@pytest.fixture
def connection() -> duckdb.DuckDBPyConnection:
    connection = utc_connection()
    connection.execute("CREATE TABLE t (x INTEGER)")
    return connection


def rows(connection: duckdb.DuckDBPyConnection) -> list[int]:
    return [x for (x,) in connection.execute("SELECT x FROM t ORDER BY x").fetchall()]


def test_a_transaction_commits_its_statements_together(connection):
    with transaction(connection):
        connection.execute("INSERT INTO t VALUES (1)")
        connection.execute("INSERT INTO t VALUES (2)")
    assert rows(connection) == [1, 2]


def test_an_error_rolls_back_every_statement_and_is_raised(connection):
    with pytest.raises(duckdb.CatalogException), transaction(connection):
        connection.execute("INSERT INTO t VALUES (1)")
        connection.execute("INSERT INTO missing VALUES (2)")
    assert rows(connection) == []
    connection.execute("INSERT INTO t VALUES (3)")
    assert rows(connection) == [3]
