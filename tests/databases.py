"""Where a test's database lives: a SQLite file of its own, or with DATABASE_URL=postgresql+psycopg://...
a fresh PostgreSQL database of its own.

Either way a test's database is a copy of a template built once per run (per pytest-xdist worker):
the migrated schema, or a `World` such as the demo time clock built on top of it. SQLite copies a
template file, PostgreSQL clones a template database.

The one place that turns DATABASE_URL into per-test database URLs; fixtures and the
subprocesses that tests start (the app, the CLI) only ever see the URL handed out here.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
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


@dataclass(frozen=True)
class World:
    """What a template database holds beyond the schema: `build` writes it into a migrated database."""

    name: str
    build: Callable[[Engine], None]


MIGRATED = World("migrated", lambda engine: None)


class TestDatabases:
    """Hands out one database per test: a SQLite file, or a PostgreSQL database dropped afterwards."""

    __test__ = False  # not a test class, despite its name

    def __init__(self, server: URL | None, template_dir: Path) -> None:
        self.server = server
        self._template_dir = template_dir
        self._run = uuid.uuid4().hex[:8]
        self._templates: dict[str, str] = {}  # world name -> SQLite file or PostgreSQL database
        self._admin: Engine | None = None
        if server is not None:
            # CREATE and DROP DATABASE cannot run in a transaction; NullPool leaves no idle
            # connection behind that would block dropping a test database.
            self._admin = create_engine(
                server.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
            )
            if not event.contains(Engine, "engine_connect", _remember_engine):
                event.listen(Engine, "engine_connect", _remember_engine)

    @contextmanager
    def database(self, sqlite_file: Path, *, world: World | None = MIGRATED) -> Iterator[str]:
        """A URL for a new database holding a copy of `world`; `world=None` gives an empty database."""
        if self.server is None:
            if world is not None:
                _copy_sqlite(Path(self._template(world)), sqlite_file)
            yield f"sqlite:///{sqlite_file}"
            return
        name = f"t_{self._run}_{uuid.uuid4().hex[:12]}"
        template = self._template(world) if world is not None else "template0"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        # Waiting for each commit to reach the disk buys nothing for a database dropped after the test,
        # and costs milliseconds per commit; what a transaction sees is unchanged.
        self._execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        try:
            yield self.server.set(database=name).render_as_string(hide_password=False)
        finally:
            self._drop(name)

    @contextmanager
    def engine(self, sqlite_file: Path, *, world: World = MIGRATED) -> Iterator[Engine]:
        """The engine of a new database holding a copy of `world`, disposed afterwards."""
        with self.database(sqlite_file, world=world) as url:
            engine = create_db_engine(url)
            migrate(engine)  # the copy is at head already, and this only checks
            try:
                yield engine
            finally:
                engine.dispose()

    def close(self) -> None:
        if self.server is not None:
            for name in reversed(list(self._templates.values())):
                self._drop(name)
        if self._admin is not None:
            self._admin.dispose()

    def _template(self, world: World) -> str:
        """The template holding `world`, built on first use: a SQLite file, or a PostgreSQL database."""
        if world.name not in self._templates:
            if self.server is None:
                location = str(self._template_dir / f"{world.name}.sqlite3")
                url = f"sqlite:///{location}"
            else:
                location = f"tmpl_{self._run}_{world.name}"
                self._execute(f'CREATE DATABASE "{location}" TEMPLATE "template0"')
                url = self.server.set(database=location).render_as_string(hide_password=False)
            engine = create_db_engine(url)
            try:
                migrate(engine)
                world.build(engine)
            finally:
                engine.dispose()  # a template must have no open connection while it is copied
                if self.server is not None:
                    _dispose_engines_on(location)  # nor one of the engines the world's build opened itself
            self._templates[world.name] = location
        return self._templates[world.name]

    def _drop(self, name: str) -> None:
        _dispose_engines_on(name)
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


# Every engine that has connected, so that a test database's engines can be disposed before it is dropped.
# Code under test opens engines of its own (the CLI's command context, the pages' cached resource), and
# nothing disposes them. Left alone, their pooled connections are ended by the drop and rolled back later
# by the garbage collector, at whatever moment it runs, inside another test.
_connected_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def _remember_engine(connection: Connection) -> None:
    _connected_engines.add(connection.engine)


def _dispose_engines_on(database: str) -> None:
    # A session nobody closed keeps its connection checked out until the garbage collector finds it; collected
    # now, it goes back to its pool while the database still exists, and dispose() closes it. Found later, its
    # rollback fails on an ended connection, inside whatever test is running then (and CPython 3.11.7 turns a
    # finalizer's failure during ast.parse into "SystemError: AST constructor recursion depth mismatch").
    # Freezing what survives keeps each later collection to what was made since: a few milliseconds.
    gc.collect()
    gc.freeze()
    for engine in list(_connected_engines):
        if engine.url.database == database:
            engine.dispose()


def _copy_sqlite(template: Path, target: Path) -> None:
    """Copy a SQLite database through SQLite's backup API (whole pages, whatever the journal mode)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
