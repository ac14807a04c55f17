"""Linked worlds, built once per run: the demo time clock set up two-way with some modules, connected to the
emulator's main company and imported, kept together with the emulator's state and the token key.

Linking costs an import through the emulator, one to four seconds a test. A test that asks for the
`linked_modules` fixture instead gets a copy of the world for those modules: the database from a template
(see tests/databases.py), and the emulator's state file and the token key copied into its own DATA_DIR, so
the copied tokens are the ones the copied emulator issued and the copied key can read them.

A `Step` run on the linked world while it is built (publish runs a page shows, say) is copied with it too:
the world with a step is a template of its own.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import access
from core.config import Settings
from core.models.publishing import PublishModule
from core.procore.encryption import KEY_FILE_NAME
from core.procore.endpoints import resolve_endpoints
from tests.core.publishing.engine_world import Linked, link_world
from tests.databases import World, plain_url

EMULATOR_STATE = "emulator.sqlite3"  # the settings fixture's name for a test's emulator state file


@dataclass(frozen=True)
class Step:
    """Work done once on a linked world after its import, kept in its template; `name` tells templates apart."""

    name: str
    run: Callable[[Linked], None]


class LinkedWorlds:
    """The linked worlds of one run (one pytest-xdist worker), each in a directory of its own under `root`."""

    def __init__(self, root: Path, demo: Callable[[Engine], None],
                 connect: Callable[[Settings, Engine], int], stop_emulators: Callable[[Path], None]) -> None:
        self._root = root
        self._demo = demo
        self._connect = connect
        self._stop_emulators = stop_emulators

    def world(self, modules: frozenset[PublishModule], step: Step | None = None) -> World:
        """The template world for `modules` (then `step`); building it also leaves its files in `directory`."""
        directory = self.directory(modules, step)

        def build(engine: Engine) -> None:
            self._demo(engine)
            directory.mkdir(parents=True, exist_ok=True)
            settings = Settings(database_url=plain_url(engine), data_dir=directory,
                                emulator_state=directory / EMULATOR_STATE, demo_data=False)
            try:
                company = self._connect(settings, engine)
                with Session(engine) as session:
                    admin = access.local_admin(session)
                linked = link_world(settings, engine, admin, resolve_endpoints(settings).api_url, company, modules)
                if step is not None:
                    step.run(linked)
            finally:
                self._stop_emulators(directory)  # its state file must be closed before it is copied

        return World(directory.name, build)

    def directory(self, modules: frozenset[PublishModule], step: Step | None = None) -> Path:
        name = "linked-" + "-".join(sorted(module.value for module in modules))
        return self._root / (name if step is None else f"{name}-{step.name}")

    def copy_files(self, modules: frozenset[PublishModule], data_dir: Path, step: Step | None = None) -> None:
        """Put the world's emulator state and token key into a test's DATA_DIR."""
        source = self.directory(modules, step)
        data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / KEY_FILE_NAME, data_dir / KEY_FILE_NAME)
        with closing(sqlite3.connect(source / EMULATOR_STATE)) as state, \
                closing(sqlite3.connect(data_dir / EMULATOR_STATE)) as copy:
            state.backup(copy)
