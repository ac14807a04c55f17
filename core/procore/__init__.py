"""Everything that talks to Procore: one client, its OAuth connection, errors, models and pacing.

Start at `core.procore.connection` (connect, `open_client`, disconnect) and `core.procore.client`
(`ProcoreClient`). Nothing here builds a client, an engine or settings at import.
"""
