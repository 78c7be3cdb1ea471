"""Django's Redis cache, with one Redis client per connection pool.

Django's `RedisCacheClient.get_client` makes a new `redis.Redis` for every
cache call, and redis-py sets up some 170 response callbacks in each one: on
a page served from the cache that is a tenth of the request's time. A client
is thread-safe and holds no connection of its own (the pool does, and
redis-py's pool starts afresh in a forked process), so one is kept per pool.

It adds `get_or_mark`, which the page cache uses to read a page and mark it
as seen in one round trip.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _OneClientPerPool(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients.setdefault(index, self._client(connection_pool=pool))
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _OneClientPerPool

    def get_or_mark(
        self, key: str, mark: int, timeout=DEFAULT_TIMEOUT, version=None
    ) -> Any:
        """The value at `key`, or None if it holds none, and then `mark` is
        left there for `timeout`: one round trip (SET NX GET, Redis 6.2 or
        newer), where a get and a set would take two. A timeout of 0 keeps
        nothing, as for `set`."""
        timeout = self.get_backend_timeout(timeout)
        if timeout == 0:
            return self.get(key, version=version)
        key = self.make_and_validate_key(key, version=version)
        serializer = self._cache._serializer
        client = self._cache.get_client(key, write=True)
        old = client.set(key, serializer.dumps(mark), nx=True, get=True, ex=timeout)
        return None if old is None else serializer.loads(old)
