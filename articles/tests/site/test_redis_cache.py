"""The Redis cache backend keeps one client per connection pool (Django's makes
one per call), and stores and reads pages as Django's does."""

from __future__ import annotations

from django.http import HttpResponse

from quicktakes.redis_cache import ReusedClientRedisCache

# The machine's Redis (CI starts it), a database no other test uses.
SERVER = "redis://127.0.0.1:6379/11"


def test_every_call_uses_the_same_client_and_the_values_go_round_trip():
    cache = ReusedClientRedisCache(SERVER, {"KEY_PREFIX": "redis-cache-test"})
    page = HttpResponse("<p>A cached page</p>")

    cache.set("page", ("token", "/address", page), 60)
    token, address, stored = cache.get("page")

    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    assert (token, address, stored.content) == ("token", "/address", page.content)
    cache.delete("page")
    assert cache.get("page") is None
