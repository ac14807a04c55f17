"""Procore emulator: a local, faithful stand-in for Procore's REST API and OAuth server.

Same paths, payloads, pagination, rate limits and OAuth flow as the real API (see
``shared/procore-api.md``), plus a ``/_emulator/`` control API and fault switches.

Run it::

    python -m emulator --port 8765 [--host 127.0.0.1] [--state PATH|:memory:] [--seed N]

Use it in-process::

    from emulator import create_app, start_background
    app = create_app(state=":memory:", seed=7)          # ASGI app (httpx.ASGITransport for async)
    running = start_background("data/emulator.sqlite3")  # uvicorn thread on a free loopback port
    running.base_url                                     # "http://127.0.0.1:54321"
    running.stop()

Sync httpx clients use the background server (``httpx.ASGITransport`` is async only).

Demo OAuth client: client id ``procore-connect-demo``, secret ``demo-secret``; any redirect URI on
``localhost`` or ``127.0.0.1`` (any port and path) is accepted, and ``urn:ietf:wg:oauth:2.0:oob``.
Authorization codes are single-use and live 10 minutes; access tokens live 5,400 s
(``access_token_ttl``); refresh tokens are single-use and rotate. The authorization-code user is
Jordan Avery (jordan.avery@northwind.example), who sees two companies; client credentials act as a
service account that sees only the main company and needs ``Procore-Company-Id`` everywhere.

Control API (loopback only, no token; not part of Procore): ``POST /_emulator/reset``
(``{"seed", "job_sites", "employees"}``), ``GET``/``PUT /_emulator/config`` (rate limits, page size,
latency, token lifetime, ``today``, fault rates: see ``emulator.faults`` and README.md),
``GET``/``DELETE /_emulator/stats`` (requests, faults fired, late writes still pending),
``POST /_emulator/late_writes`` (the pending late writes land now),
``POST /_emulator/act`` (update/delete/approve/lock a record as a Procore user),
``GET /_emulator/world`` (seed ids), ``GET /_emulator/view?project_id=&date=`` and ``GET /_emulator/``.

State: every record, token, code, setting, counter and rate-limit window lives in the SQLite state,
opened per transaction, so processes sharing a state file see one Procore, and requests are served
side by side. The seeded fault generator and the late writes it schedules are per process.
"""

from __future__ import annotations

from emulator.app import create_app
from emulator.oauth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from emulator.server import RunningEmulator, start_background

__all__ = ["DEMO_CLIENT_ID", "DEMO_CLIENT_SECRET", "RunningEmulator", "create_app", "start_background"]
