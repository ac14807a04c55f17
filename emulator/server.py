"""Running the emulator with uvicorn in a background thread on a free loopback port.

``start_background`` is idempotent per state file within a process and safe to call from several
threads (for example several Streamlit sessions): the second caller gets the running server.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field

import uvicorn

from emulator.app import DEFAULT_SEED, create_app
from emulator.faults import QuietLostResponses

_registry: dict[str, RunningEmulator] = {}
_registry_lock = threading.Lock()


@dataclass
class RunningEmulator:
    """A live background emulator: ``base_url`` to call it, ``stop()`` to end it."""

    base_url: str
    state: str
    server: uvicorn.Server
    thread: threading.Thread
    key: str | None = None
    _stopped: bool = field(default=False, repr=False)

    def stop(self, timeout: float = 5.0) -> None:
        with _registry_lock:
            if self.key and _registry.get(self.key) is self:
                del _registry[self.key]
        if not self._stopped:
            self._stopped = True
            self.server.should_exit = True
            self.thread.join(timeout)


def _key(state: str) -> str | None:
    return None if state == ":memory:" else os.path.realpath(state)


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket; created with IPPROTO_TCP so asyncio turns Nagle off on each connection
    (without it every answer waits ~40 ms for a delayed ACK)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


def quiet_logs() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, QuietLostResponses) for f in logger.filters):
        logger.addFilter(QuietLostResponses())


def start_background(state: str = ":memory:", *, seed: int = DEFAULT_SEED, host: str = "127.0.0.1",
                     port: int = 0, timeout: float = 10.0) -> RunningEmulator:
    """Serve ``create_app(state, seed)`` on ``host:port`` (0 = a free port) in a daemon thread.

    Returns the running emulator already serving the same state file in this process, if any.
    """
    key = _key(state)
    with _registry_lock:
        running = _registry.get(key) if key else None
        if running and running.thread.is_alive():
            return running
        app = create_app(state, seed)
        sock = listening_socket(host, port)
        quiet_logs()
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off",
                                               timeout_keep_alive=30))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                                  name=f"procore-emulator-{sock.getsockname()[1]}", daemon=True)
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Procore emulator did not start")
            time.sleep(0.01)
        running = RunningEmulator(f"http://{host}:{sock.getsockname()[1]}", state, server, thread, key)
        if key:
            _registry[key] = running
        return running
