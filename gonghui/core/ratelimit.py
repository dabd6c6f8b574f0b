"""A per-key rate limit counted in one Redis round trip. django-ratelimit counts with `cache.add` and then `cache.incr`:
two round trips for every attempt after the first in a window, on the hottest button of the site (decision 0030). On the
Redis cache this sends both commands (SET NX with the expiry, INCR) in one pipeline; the key, the window and the
verdict are django-ratelimit's own, so the two count the same attempts. Other caches go through django-ratelimit."""
from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django_ratelimit import core as ratelimit

from gonghui.core.cache import RedisCache


def rate_limited(request, *, group: str, value: str, rate: str, method: str) -> bool:
    """Count this attempt of `value` in `group`; True once it is over `rate` ("20/m")."""
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    if not isinstance(cache, RedisCache) or not getattr(settings, "RATELIMIT_ENABLE", True):
        return ratelimit.is_ratelimited(request, group=group, key=lambda _group, _request: value, rate=rate, method=method, increment=True)
    if request.method != method:
        return False
    limit, period = ratelimit._split_rate(rate)
    key = cache.make_and_validate_key(ratelimit._make_cache_key(group, ratelimit._get_window(value, period), rate, value, method))
    pipe = cache._cache.get_client(key, write=True).pipeline(transaction=False)
    pipe.set(key, 0, ex=period + ratelimit.EXPIRATION_FUDGE, nx=True)
    pipe.incr(key)
    return pipe.execute()[1] > limit
