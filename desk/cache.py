"""Django's Redis cache, with one client per connection pool instead of one per operation.

Django's RedisCacheClient makes a new `redis.Redis` for every get, add or incr; building one
fills a table of some 300 response callbacks (0.2 ms each time, six times a submission, in
bench/intake.py's profile). A client is safe to share between threads: it takes a connection
from its pool for each command, which is what Django's does too.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        django: Any = self  # Django's own attributes, which its stubs do not declare
        index = django._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in django._pools:
                server = django._servers[index]
                django._pools[index] = django._pool_class.from_url(server, **django._pool_options)
            client = self._clients[index] = django._client(connection_pool=django._pools[index])
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
