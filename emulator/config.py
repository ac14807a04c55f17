"""Emulator settings changed through ``/_emulator/config``, stored in the state file."""

from __future__ import annotations

import copy
from typing import Any

from emulator.store import Tx

# Faults drawn for each ``/rest/`` request, then for each ``POST /oauth/token``, in this order.
REST_FAULTS = ("500", "503", "429", "lost_response", "502_after_commit", "late_commit")
TOKEN_FAULTS = ("token_lost_response", "token_500")
FAULT_KINDS = REST_FAULTS + TOKEN_FAULTS

DEFAULTS: dict[str, Any] = {
    "rate_limit_hourly": 3600,
    "rate_limit_spike": 100,
    "rate_limit_hourly_window": 3600,
    "rate_limit_spike_window": 10,
    "max_per_page": 1000,
    "latency_ms": 0,
    "access_token_ttl": 5400,
    "retry_after": 5,
    "late_commit_ms": 2000,
    "faults": {kind: 0.0 for kind in FAULT_KINDS},
    "fault_seed": 0,
    "fault_epoch": 0,
    "today": None,
}

_INTS = (
    "rate_limit_hourly",
    "rate_limit_spike",
    "rate_limit_hourly_window",
    "rate_limit_spike_window",
    "max_per_page",
    "latency_ms",
    "access_token_ttl",
    "retry_after",
    "late_commit_ms",
    "fault_seed",
)


def load(tx: Tx) -> dict[str, Any]:
    stored = tx.kv_get("config", {})
    merged = copy.deepcopy(DEFAULTS)
    merged.update({k: v for k, v in stored.items() if k != "faults"})
    merged["faults"].update(stored.get("faults", {}))
    return merged


def merge(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Apply a partial update; raises ValueError naming the first bad key."""
    result = copy.deepcopy(current)
    for key, value in changes.items():
        if key in _INTS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{key} must be a non-negative integer")
            result[key] = value
        elif key == "faults":
            if not isinstance(value, dict):
                raise ValueError("faults must be an object")
            for kind, rate in value.items():
                if kind not in FAULT_KINDS:
                    raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")
                if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
                    raise ValueError(f"fault rate {kind} must be between 0 and 1")
                result["faults"][kind] = float(rate)
        elif key == "today":
            if value is not None and not isinstance(value, str):
                raise ValueError("today must be YYYY-MM-DD or null")
            result[key] = value
        else:
            raise ValueError(f"unknown config key {key!r}")
    if "faults" in changes or "fault_seed" in changes:
        result["fault_epoch"] = current["fault_epoch"] + 1  # restarts the fault sequence
    if result["max_per_page"] < 1:
        raise ValueError("max_per_page must be at least 1")
    return result


def save(tx: Tx, config: dict[str, Any]) -> None:
    tx.kv_set("config", config)
