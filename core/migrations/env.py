"""Alembic environment: migrates the engine handed over by core.db, or the configured DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import core.models  # noqa: F401 - registers every table on SQLModel.metadata
from core.config import get_settings
from core.db import create_db_engine

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    config = context.config
    engine = config.attributes.get("engine") or create_db_engine(get_settings().database_url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
