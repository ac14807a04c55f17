"""PostgreSQL connections plan with cheap random reads unless the server chose a cost (`core.postgres_costs`)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from core.db import create_db_engine
from tests.databases import plain_url

# The query PostgreSQL runs to check one foreign key of one inserted row (ri_triggers.c), on a parent of 300 rows.
_KEY_CHECK = "EXPLAIN SELECT 1 FROM ONLY probe_parent x WHERE id = 150 FOR KEY SHARE OF x"


@pytest.fixture
def postgres(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    return engine


def test_a_key_check_on_a_small_parent_descends_its_primary_key(postgres: Engine) -> None:
    with postgres.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE probe_parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        connection.exec_driver_sql("INSERT INTO probe_parent SELECT n, 'Job site ' || n FROM generate_series(1, 300) n")
        connection.exec_driver_sql("ANALYZE probe_parent")
    with postgres.connect() as connection:
        plan = "\n".join(str(line) for line in connection.exec_driver_sql(_KEY_CHECK).scalars())
        cost = connection.exec_driver_sql("SHOW random_page_cost").scalar_one()
    assert "Index Scan using probe_parent_pkey" in plan, plan
    assert cost == "1.1"


def test_a_cost_the_database_sets_is_kept(postgres: Engine) -> None:
    with postgres.begin() as connection:
        name = connection.exec_driver_sql("SELECT current_database()").scalar_one()
        connection.exec_driver_sql(f'ALTER DATABASE "{name}" SET random_page_cost = 3')
    other = create_db_engine(plain_url(postgres))
    try:
        with other.connect() as connection:
            cost = connection.exec_driver_sql("SHOW random_page_cost").scalar_one()
    finally:
        other.dispose()
    assert cost == "3"
