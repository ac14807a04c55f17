from __future__ import annotations

from sqlmodel import Session, select

from core.db import has_uncommitted_writes
from core.models import Company


def test_a_connection_holds_uncommitted_writes_from_a_write_until_commit_or_rollback(session: Session) -> None:
    session.exec(select(Company)).all()
    assert not has_uncommitted_writes(session.connection())

    session.add(Company(name="Northwind Builders", number="NWB", is_own=True))
    session.flush()
    assert has_uncommitted_writes(session.connection())
    session.commit()
    assert not has_uncommitted_writes(session.connection())

    session.add(Company(name="Southwind Builders", number="SWB", is_own=False))
    session.flush()
    session.rollback()
    assert not has_uncommitted_writes(session.connection())
