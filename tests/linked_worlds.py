"""Linked worlds, built once per run: the demo time clock set up two-way with some modules, connected to the
emulator's main company and imported, kept together with the emulator's state and the token key.

Linking costs an import through the emulator, one to four seconds a test. A test that asks for the
`linked_modules` fixture instead gets a copy of the world for those modules: the database from a template
(see tests/databases.py), and the emulator's state file and the token key copied into its own DATA_DIR, so
the copied tokens are the ones the copied emulator issued and the copied key can read them.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import access
from core.config import Settings
from core.models.publishing import PublishModule
from core.procore.encryption import KEY_FILE_NAME
from core.procore.endpoints import resolve_endpoints
from tests.core.publishing.engine_world import link_world
from tests.databases import World, plain_url

EMULATOR_STATE = "emulator.sqlite3"  # the settings fixture's name for a test's emulator state file


class LinkedWorlds:
    """The linked worlds of one run (one pytest-xdist worker), each in a directory of its own under `root`."""

    def __init__(self, root: Path, demo: Callable[[Engine], None],
                 connect: Callable[[Settings, Engine], int], stop_emulators: Callable[[Path], None]) -> None:
        self._root = root
        self._demo = demo
        self._connect = connect
        self._stop_emulators = stop_emulators

    def world(self, modules: frozenset[PublishModule]) -> World:
        """The template world for `modules`; building it also leaves its files in `directory(modules)`."""
        directory = self.directory(modules)

        def build(engine: Engine) -> None:
            self._demo(engine)
            directory.mkdir(parents=True, exist_ok=True)
            settings = Settings(database_url=plain_url(engine), data_dir=directory,
                                emulator_state=directory / EMULATOR_STATE, demo_data=False)
            try:
                company = self._connect(settings, engine)
                with Session(engine) as session:
                    admin = access.local_admin(session)
                link_world(settings, engine, admin, resolve_endpoints(settings).api_url, company, modules)
            finally:
                self._stop_emulators(directory)  # its state file must be closed before it is copied

        return World(directory.name, build)

    def directory(self, modules: frozenset[PublishModule]) -> Path:
        return self._root / ("linked-" + "-".join(sorted(module.value for module in modules)))

    def copy_files(self, modules: frozenset[PublishModule], data_dir: Path) -> None:
        """Put the world's emulator state and token key into a test's DATA_DIR."""
        source = self.directory(modules)
        data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / KEY_FILE_NAME, data_dir / KEY_FILE_NAME)
        with closing(sqlite3.connect(source / EMULATOR_STATE)) as state, \
                closing(sqlite3.connect(data_dir / EMULATOR_STATE)) as copy:
            state.backup(copy)
