"""Fixed-window counters in the cache, for limits keyed on an account, an email or an address."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def _key(scope: str, ident: str, window: int) -> tuple[str, int]:
    """Name the counter of `ident` in the current window; return it with the seconds left."""
    now = int(time.time())
    # Hashed: emails and addresses never appear in the cache's keys.
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return f"{scope}:{digest}:{now // window}", window - now % window


def window_count(*, scope: str, ident: str, window: int) -> tuple[int, int]:
    """Return the count so far in this window and the seconds until it ends."""
    key, left = _key(scope, ident, window)
    return cache.get(key, 0), left


def window_hit(*, scope: str, ident: str, window: int) -> int:
    """Count one more event in this window; return the new count."""
    key, left = _key(scope, ident, window)
    # add + incr is atomic across processes (Redis INCR keeps the key's expiry).
    cache.add(key, 0, timeout=left + 1)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between the two calls
        cache.add(key, 1, timeout=window)
        return 1


def window_clear(*, scope: str, ident: str, window: int) -> None:
    cache.delete(_key(scope, ident, window)[0])
