"""The one call every page starts with: database ready, who is signing in, permission checked.

A script in `pages/` can be opened by a deep link without `app.py` running
first, so nothing may depend on the entry point having run: the guard gets
every resource itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import access
from core.access import Identity, Perm
from core.bootstrap import open_database
from core.config import Settings, get_settings
from core.db import session_scope
from core.errors import ProcoreConnectError
from core.ui.chrome import reconnect_banner, sidebar_identity


@dataclass(frozen=True)
class PageContext:
    """What a page needs: settings, the database and the person using it."""

    settings: Settings
    engine: Engine
    identity: Identity

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for one action (committed on success)."""
        with session_scope(self.engine) as session:
            yield session

    def can(self, permission: Perm) -> bool:
        return self.identity.can(permission)


@st.cache_resource(show_spinner="Preparing the database…")
def _database(database_url: str, _settings: Settings) -> Engine:
    return open_database(_settings, start_worker=_settings.start_worker)


def database(settings: Settings) -> Engine:
    """The app's engine for `settings`, migrated and seeded once per process; on the embedded queue a
    publish worker is started when none runs (unless `settings.start_worker` is off)."""
    return _database(settings.database_url, settings)


def page_guard(permission: Perm | None = None) -> PageContext:
    """Make the page safe to render, or stop it with a clear message.

    Args:
        permission: the permission the page needs to be opened at all; pages
            that only need it for some actions check `ctx.can(...)` themselves.
    """
    _leave_legacy_multipage_mode()
    settings = get_settings()
    engine = database(settings)
    identity = _identity(settings, engine)
    sidebar_identity(identity)
    reconnect_banner(engine, identity)
    if permission is not None and not identity.can(permission):
        st.error(
            f"You need the '{access.PERMISSION_NAMES[permission]}' permission to open this page. "
            f"Your role is {identity.role}; an admin can change role permissions under Administration."
        )
        st.stop()
    return PageContext(settings=settings, engine=engine, identity=identity)


def _leave_legacy_multipage_mode() -> None:
    """Undo Streamlit's old `pages/` mode, which a first visit by deep link switches on.

    With a `pages/` folder, Streamlit decides once per process, at its first session, whether the
    app is an old-style multipage app. When that first visit is a deep link (a bookmark, or
    Procore's OAuth redirect) the page runs without `app.py`, so the sidebar lists raw script
    names. `st.navigation` clears the flag; we clear it too and rerun, so `app.py` runs and routes
    to the same page (the URL and its query parameters are kept).
    """
    from streamlit.runtime.pages_manager import PagesManager  # noqa: PLC0415 - Streamlit internals, one place

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def _identity(settings: Settings, engine: Engine) -> Identity:
    with session_scope(engine) as session:
        if not settings.auth_configured:
            return access.local_admin(session)
        if not st.user.is_logged_in:
            st.info("Sign in to use Procore Connect.")
            st.button("Sign in", on_click=st.login, type="primary")
            st.stop()
        identity = access.identity_for(session, email=str(st.user.get("email") or ""))
    if identity is None:
        st.error("Your account has no access to Procore Connect yet. Ask an admin to add your e-mail address.")
        st.button("Sign out", on_click=st.logout)
        st.stop()
    return identity


def show_error(error: ProcoreConnectError) -> None:
    """Render one of our errors as a person should see it."""
    st.error(str(error))
