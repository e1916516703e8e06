"""How often the public may do something: fixed-window counters in Django's cache.

A limit is a `Rate` ("10/hour"). Each attempt increments the counter of the current window, and
the window's number is part of the key, so a counter rolls over by itself when its window ends:
no read-modify-write, no reset. `cache.add(key, 0, timeout)` is one `SET NX EX` on Redis and
`cache.incr(key)` one `INCRBY`, each atomic in Redis, so N parallel attempts get N distinct counts
and exactly `limit` of them pass (research/reliability-security.md §3.5, test L3). DRF's throttles
read, compare and write back, which lets a burst through (DRF#8127); they are not used here.

Production runs on Redis (desk/settings.py requires it); the laptop profile counts in local
memory, per process, which is atomic under the process's lock but not shared between processes.

A fixed window lets up to twice the limit through around a window boundary (the end of one, the
start of the next). That is the price of one key and two commands per attempt, and it is fine for
what these limits are for: keeping a flood of requests and emails out, not metering.

Identities (an address, an email, a ticket) are kept only as keyed hashes in the cache: a dump of
Redis shows no address or email (research §5, G1).
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from redis.exceptions import RedisError

from desk.cache import SharedClientRedisCache

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "second": 1, "m": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_RATE = re.compile(r"^(?P<limit>[0-9]+)/(?P<multiple>[0-9]*)(?P<period>[a-z]+)$")
# An IPv6 customer usually holds a whole /64: counting single addresses would let one person
# rotate through 2**64 of them.
_IPV6_PREFIX = 64


class RateLimited(Exception):
    """Over the limit: nothing was done; try again in `retry_after` seconds."""

    def __init__(self, scope: str, retry_after: int) -> None:
        super().__init__(f"rate limit {scope}: retry after {retry_after} s")
        self.scope = scope
        self.retry_after = retry_after

    @property
    def retry_after_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


@dataclass(frozen=True)
class Rate:
    """At most `limit` attempts per window of `seconds`."""

    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """`10/hour`, `3/h`, `5/10minute`, `100/day`; anything else is a ValueError."""
        match = _RATE.match(text.strip().lower())
        if match is None or match["period"] not in _PERIODS:
            raise ValueError(f"{text!r} is not <count>/<period>, e.g. 10/hour, 5/10minute or 100/day")
        multiple = int(match["multiple"] or 1)
        limit = int(match["limit"])
        if limit < 1 or multiple < 1:
            raise ValueError(f"{text!r}: the count and the period must be at least 1")
        return cls(limit=limit, seconds=multiple * _PERIODS[match["period"]])

    def __str__(self) -> str:
        return f"{self.limit}/{self.seconds}s"


def hit(scope: str, identity: str, rate: Rate, *, now: float | None = None) -> int:
    """Count one attempt of `identity` at `scope`; return the count in this window, or raise
    RateLimited (without doing anything else) once the count passes the limit."""
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    window_end = (window + 1) * rate.seconds
    key = f"rl:{scope}:{_hashed(identity)}:{rate.seconds}:{window}"
    try:
        count = _count(key, timeout=max(int(window_end - now), 1) + 60)
    except RedisError:
        # Fail open: a Redis outage must not turn away a statutory request (the outbox keeps
        # the acknowledgement until the broker is back). The limits are a flood guard; an
        # attacker would first have to take Redis down, and the outage is logged loudly.
        logger.exception("rate limit %s not counted: the cache is unavailable", scope)
        return 0
    if count > rate.limit:
        raise RateLimited(scope, max(math.ceil(window_end - now), 1))
    return count


def _count(key: str, *, timeout: int) -> int:
    cache = caches[settings.DESK_RATE_LIMIT_CACHE]
    if isinstance(cache, SharedClientRedisCache):
        # On Redis, the same two steps in one round trip: SET NX EX and INCR in one MULTI.
        client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
        stored = cache.make_and_validate_key(key)
        pipeline = client.pipeline(transaction=True)
        pipeline.set(stored, 0, ex=timeout, nx=True)
        pipeline.incr(stored)
        return int(pipeline.execute()[1])
    # The key outlives its window by a margin, so an increment inside the window always finds
    # it (Django's incr raises on a missing key rather than create one without an expiry).
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:
        # Evicted between add and incr (only a cache under memory pressure does that): start again.
        cache.add(key, 0, timeout)
        return cache.incr(key)


def _hashed(identity: str) -> str:
    return salted_hmac("desk.ratelimit", identity).hexdigest()[:32]


def client_address(request: HttpRequest) -> str:
    """The address to count a request against.

    REMOTE_ADDR, unless the operator said how many proxies of their own stand in front
    (DESK_TRUSTED_PROXY_HOPS). Each proxy appends the address it received the request from to
    X-Forwarded-For, so with N proxies the client is the N-th entry from the right; anything
    further left was written by the client and is never trusted (ASVS 4.1.3)."""
    return _network_of(_claimed_address(request))


def client_ip(request: HttpRequest) -> str | None:
    """The same client's exact address, or None when it is not an address: what the sign-in
    lockout (django-axes) records, so both agree on who the client is."""
    address = _claimed_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _claimed_address(request: HttpRequest) -> str:
    address: str = request.META.get("REMOTE_ADDR", "")
    hops: int = settings.DESK_TRUSTED_PROXY_HOPS
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            address = forwarded[-min(hops, len(forwarded))]
    return address


def _network_of(address: str) -> str:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"  # every malformed address shares one counter: no way around the limit
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/{_IPV6_PREFIX}", strict=False))
    return str(parsed)
