"""The Redis cache, degraded rather than broken while Redis is unreachable (docs/operations.md).

Everything Concord caches can be recomputed (the label schema, live job progress, debounce
marks), so with Redis down a read misses, a write is dropped and the request goes on: saving
an annotation never depends on Redis."""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
_last_warning = [0.0]


def _warn(exc: BaseException) -> None:
    if time.monotonic() - _last_warning[0] > 60:  # once a minute, not once a request
        _last_warning[0] = time.monotonic()
        logger.warning("cache unavailable, going on without it: %s", exc)


def _safe(method: Callable[..., Any], fallback: Callable[..., Any]) -> Callable[..., Any]:
    def call(self: RedisCacheClient, *args: Any) -> Any:
        try:
            return method(self, *args)
        except DOWN as exc:
            _warn(exc)
            return fallback(*args)

    return call


class ResilientClient(RedisCacheClient):
    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        """One redis.Redis per connection pool. Django builds a new one on every call,
        which cost more CPU than the round trip; a client is thread-safe (its pool holds
        the connections, and starts afresh after a fork)."""
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    add = _safe(RedisCacheClient.add, lambda *a: False)
    get = _safe(RedisCacheClient.get, lambda key, default: default)
    set = _safe(RedisCacheClient.set, lambda *a: None)
    touch = _safe(RedisCacheClient.touch, lambda *a: False)
    delete = _safe(RedisCacheClient.delete, lambda *a: False)
    get_many = _safe(RedisCacheClient.get_many, lambda *a: {})
    has_key = _safe(RedisCacheClient.has_key, lambda *a: False)
    incr = _safe(RedisCacheClient.incr, lambda key, delta: delta)
    set_many = _safe(RedisCacheClient.set_many, lambda *a: [])
    delete_many = _safe(RedisCacheClient.delete_many, lambda *a: None)
    clear = _safe(RedisCacheClient.clear, lambda *a: False)


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ResilientClient
