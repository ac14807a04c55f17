"""Injected faults: the seeded draw, the answers a failing network gives, and writes that land late.

Each switch stands for something real Procore (or the network in front of it) does; README.md's
emulator section lists them. The draw restarts from ``fault_seed`` whenever faults are configured,
so the same configuration followed by the same requests gives the same faults.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from emulator import errors
from emulator.timeutil import unix

logger = logging.getLogger(__name__)

# What a load balancer in front of an application answers when the application's answer is lost.
BAD_GATEWAY = ("<html><head><title>502 Bad Gateway</title></head><body>"
               "<center><h1>502 Bad Gateway</h1></center></body></html>")
SERVER_ERROR_PAGE = ("<!DOCTYPE html><html><head><title>We're sorry, but something went wrong (500)"
                     "</title></head><body><h1>We're sorry, but something went wrong.</h1></body></html>")


class LostResponse(ConnectionResetError):
    """Raised after the response has started so the server drops the connection (a lost answer)."""


class DroppedResponse(Response):
    """Starts the answer, then aborts: the client never sees a complete answer.

    The start is needed: an ASGI server answers 500 for an application that fails before it.
    The client only ever sees a connection closed in the middle of an answer.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})
        raise LostResponse("emulated lost response")


def dropped(response: Response) -> DroppedResponse:
    """``response`` (already worked out, its write committed) lost on the way back."""
    return DroppedResponse(response.body, response.status_code, dict(response.headers))


def no_answer() -> DroppedResponse:
    """A connection dropped before anything was worked out."""
    return DroppedResponse(b" ", 200)


class QuietLostResponses(logging.Filter):
    """Keeps uvicorn's error log free of the tracebacks of deliberately dropped responses."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], LostResponse))


def refusal(kind: str, cfg: dict[str, Any]) -> Response:
    """The answer of a fault that refuses the request before any work ("500", "503", "429")."""
    if kind == "503":
        return PlainTextResponse("Service Unavailable", 503,
                                 headers={"Retry-After": str(cfg["retry_after"])})
    if kind == "429":
        reset = int(unix()) + cfg["rate_limit_spike_window"]
        return PlainTextResponse(errors.RATE_LIMITED, 429, headers={
            "X-Rate-Limit-Limit": str(cfg["rate_limit_spike"]), "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(reset)})
    return JSONResponse({"errors": "500 Internal Server Error"}, 500)


def bad_gateway() -> Response:
    return HTMLResponse(BAD_GATEWAY, 502)


def token_server_error() -> Response:
    return HTMLResponse(SERVER_ERROR_PAGE, 500)


@dataclass
class FaultDraw:
    """The seeded generators behind the faults, how often each fired, and the writes still to land late.

    REST requests and token requests draw from generators of their own, so how often a client
    renews its token does not shift which REST requests fail.
    """

    rngs: dict[tuple[str, ...], random.Random] = field(default_factory=dict)
    rng_key: Any = None
    late: set[asyncio.Task[None]] = field(default_factory=set)
    fired: Counter[str] = field(default_factory=Counter)
    _wake: dict[asyncio.Task[None], tuple[asyncio.AbstractEventLoop, asyncio.Event]] = field(default_factory=dict)

    def draw(self, cfg: dict[str, Any], kinds: tuple[str, ...]) -> str | None:
        """One fault among ``kinds`` by their configured rates, or None; draws only if one is on."""
        rates = cfg["faults"]
        key = (cfg["fault_seed"], cfg["fault_epoch"])
        if key != self.rng_key:
            self.rngs, self.rng_key = {}, key
        if not any(rates[kind] for kind in kinds):
            return None
        rng = self.rngs.setdefault(kinds, random.Random(cfg["fault_seed"]))
        draw, total = rng.random(), 0.0
        for kind in kinds:
            total += rates[kind]
            if draw < total:
                self.fired[kind] += 1
                return kind
        return None

    def commit_later(self, delay: float, work: Callable[[], Response]) -> None:
        """Run ``work`` (the request's handler) in a worker thread ``delay`` seconds from now, or when
        `land_now` says so, whichever comes first."""
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()
        task = loop.create_task(self._later(delay, wake, work))
        self.late.add(task)
        self._wake[task] = (loop, wake)
        task.add_done_callback(self.late.discard)
        task.add_done_callback(lambda done: self._wake.pop(done, None))

    def land_now(self) -> int:
        """Let every pending late write land at once (callable from any thread); how many were pending."""
        pending = list(self._wake.values())
        for loop, wake in pending:
            loop.call_soon_threadsafe(wake.set)
        return len(pending)

    @staticmethod
    async def _later(delay: float, wake: asyncio.Event, work: Callable[[], Response]) -> None:
        with anyio.move_on_after(delay):
            await wake.wait()
        try:
            await anyio.to_thread.run_sync(work)
        except Exception:  # the emulator may have been reset or closed meanwhile
            logger.debug("a late write could not land", exc_info=True)
