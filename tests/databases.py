"""Where a test's database lives: a SQLite file of its own, or with DATABASE_URL=postgresql+psycopg://...
a fresh PostgreSQL database of its own, cloned from a template migrated once per run.

The one place that turns DATABASE_URL into per-test database URLs; fixtures and the
subprocesses that tests start (the app, the CLI) only ever see the URL handed out here.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import NullPool

from core.db import create_db_engine, migrate


def postgres_server() -> URL | None:
    """The PostgreSQL server named by DATABASE_URL, or None when the suite runs on SQLite."""
    value = os.environ.get("DATABASE_URL", "")
    if not value.startswith("postgresql"):
        return None
    return make_url(value)


def plain_url(engine: Engine) -> str:
    """The engine's URL with its password, for settings and subprocesses (`str(url)` masks it)."""
    return engine.url.render_as_string(hide_password=False)


class TestDatabases:
    """Hands out one database per test: a SQLite file, or a PostgreSQL database dropped afterwards."""

    __test__ = False  # not a test class, despite its name

    def __init__(self, server: URL | None) -> None:
        self.server = server
        self._run = uuid.uuid4().hex[:8]
        self._template: str | None = None
        self._admin: Engine | None = None
        if server is not None:
            # CREATE and DROP DATABASE cannot run in a transaction; NullPool leaves no idle
            # connection behind that would block dropping a test database.
            self._admin = create_engine(
                server.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
            )

    @contextmanager
    def database(self, sqlite_file: Path, *, migrated: bool = True) -> Iterator[str]:
        """A URL for a new database; `migrated=False` gives an empty one (PostgreSQL only: a new file is empty)."""
        if self.server is None:
            yield f"sqlite:///{sqlite_file}"
            return
        name = f"t_{self._run}_{uuid.uuid4().hex[:12]}"
        template = self._migrated_template() if migrated else "template0"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        # Waiting for each commit to reach the disk buys nothing for a database dropped after the test,
        # and costs milliseconds per commit; what a transaction sees is unchanged.
        self._execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        try:
            yield self.server.set(database=name).render_as_string(hide_password=False)
        finally:
            self._drop(name)

    @contextmanager
    def engine(self, sqlite_file: Path) -> Iterator[Engine]:
        """The engine of a new database at the newest schema, disposed afterwards."""
        with self.database(sqlite_file) as url:
            engine = create_db_engine(url)
            migrate(engine)  # on PostgreSQL the clone is at head already, and this only checks
            try:
                yield engine
            finally:
                engine.dispose()

    def close(self) -> None:
        if self._template is not None:
            self._drop(self._template)
        if self._admin is not None:
            self._admin.dispose()

    def _migrated_template(self) -> str:
        if self._template is None:
            assert self.server is not None
            name = f"tmpl_{self._run}"
            self._execute(f'CREATE DATABASE "{name}" TEMPLATE "template0"')
            engine = create_db_engine(self.server.set(database=name).render_as_string(hide_password=False))
            migrate(engine)
            engine.dispose()  # a template must have no open connection while it is copied
            self._template = name
        return self._template

    def _drop(self, name: str) -> None:
        # Not DROP ... WITH (FORCE): it must also end autovacuum workers, which only a superuser may,
        # so it fails now and then for a role with just CREATEDB. Ending our own connections and then
        # a plain DROP works for that role too: DROP stops autovacuum itself.
        self._execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = :name AND usename = current_user AND pid <> pg_backend_pid()",
            name=name,
        )
        self._execute(f'DROP DATABASE IF EXISTS "{name}"')

    def _execute(self, statement: str, **parameters: str) -> None:
        assert self._admin is not None
        with self._admin.connect() as connection:
            connection.execute(text(statement), parameters)
