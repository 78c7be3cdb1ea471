"""Django's Redis cache, with one Redis client per connection pool.

Django's `RedisCacheClient.get_client` makes a new `redis.Redis` for every
cache call, and redis-py sets up some 170 response callbacks in each one: on
a page served from the cache that is a tenth of the request's time. A client
is thread-safe and holds no connection of its own (the pool does, and
redis-py's pool starts afresh in a forked process), so one is kept per pool.
"""

from __future__ import annotations

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
