"""Numbers that shape how we talk to Procore: timeouts, retries, pacing, pages and batches."""

from __future__ import annotations

import httpx

# Timeouts. Connect fails fast; reads allow Procore's slow list endpoints.
TIMEOUT = httpx.Timeout(60.0, connect=10.0)

# Retries (one layer, in core.procore.retries).
MAX_ATTEMPTS = 5  # first try included
INITIAL_BACKOFF = 0.5  # seconds, doubled per attempt
MAX_BACKOFF = 8.0  # cap of one exponential back-off step
MAX_RETRY_WAIT = 90.0  # never sleep longer than this for one retry; give up instead
JITTER = 0.25  # back-off is shortened by up to this fraction at random
RATE_LIMIT_SLACK = 0.5  # seconds added after X-Rate-Limit-Reset (its value is rounded)

# Pacing (core.procore.pacing): keep this many requests of a window in reserve.
PACING_RESERVE = 1
PACING_RESET_SLACK = 0.25  # seconds after a window's Reset before its end is taken as past
PACING_RESET_ROUNDING = 1.0  # seconds: Reset is a whole second, so a window may end up to this much before it
SPIKE_WINDOW = 10.0  # seconds: Procore's spike window (the hourly one is 3,600 s)
PACING_WINDOW_SLACK = 0.05  # seconds after a spike window's surest end (timer and clock granularity)

# Pagination.
DEFAULT_PER_PAGE = 100
MAX_PAGES = 100_000  # a hard stop far beyond any real list

# Bulk work.
DEFAULT_WORKERS = 8  # requests in flight at once; the shared pacing keeps them inside the rate limits
BULK_CREATE_LIMIT = 25  # v1.1 project_timecard_entries/bulk_create accepts at most 25 entries

# OAuth.
ACCESS_TOKEN_LEEWAY = 60  # renew this many seconds before expiry when the token's lifetime is unknown
REFRESH_MARGIN_SHARE = 0.1  # else renew this share of the lifetime before expiry (6 s of a 60-s token) ...
MAX_REFRESH_MARGIN = 300.0  # ... but never more than 5 minutes before (of Procore's 90-minute tokens)
REFRESH_LEASE_SECONDS = 30.0  # how long one worker may hold the refresh claim
REFRESH_POLL_INTERVAL = 0.05  # how often a waiting worker looks for the winner's token
OAUTH_STATE_TTL_SECONDS = 600  # a browser sign-in must come back within 10 minutes

# Errors and logs.
MAX_BODY_EXCERPT = 500  # characters of a response body kept in an error

USER_AGENT = "procore-connect"
