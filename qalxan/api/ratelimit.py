"""A per-client rate limit for public routes (sliding one-minute window, in process).

At scale behind a load balancer the same dependency sits behind the proxy's own limits; here
it keeps one client from starving the others.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from fastapi import HTTPException, Request

__all__ = ["RateLimiter", "rate_limited"]


class RateLimiter:
    """At most ``per_minute`` hits per key in any 60 s window."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> float | None:
        """Record a hit; return ``None`` when allowed, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            q = self._hits.setdefault(key, deque())
            while q and now - q[0] >= 60.0:
                q.popleft()
            if len(q) >= self.per_minute:
                return 60.0 - (now - q[0])
            q.append(now)
            if len(self._hits) > 100_000:
                self._hits = {k: v for k, v in self._hits.items() if v}
            return None


def rate_limited(request: Request) -> None:
    """Dependency for public routes: 429 with ``Retry-After`` past the limit."""
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    if limiter is None:
        limiter = RateLimiter(request.app.state.settings.rate_limit_per_minute)
        request.app.state.rate_limiter = limiter
    client = request.client.host if request.client else "unknown"
    wait = limiter.hit(client)
    if wait is not None:
        raise HTTPException(429, "too many requests", headers={"Retry-After": str(int(wait) + 1)})
