"""Clients share one TLS context per process (a worker opens one per job); it still verifies certificates."""

from __future__ import annotations

import ssl

from core.procore.auth import ProcoreOAuth2Client, new_oauth_client


def _context(client: ProcoreOAuth2Client) -> ssl.SSLContext:
    context = client._transport._pool._ssl_context  # httpx's default transport keeps it on its pool
    assert isinstance(context, ssl.SSLContext)
    return context


def test_clients_share_one_tls_context_that_verifies_certificates() -> None:
    first = new_oauth_client(login_url="https://login.procore.com", client_id="app", client_secret="s3cret-value-1")
    second = new_oauth_client(login_url="https://login.procore.com", client_id="app", client_secret="s3cret-value-1")
    try:
        assert _context(first) is _context(second)
        assert _context(first).verify_mode == ssl.CERT_REQUIRED
        assert _context(first).check_hostname
    finally:
        first.close()
        second.close()
