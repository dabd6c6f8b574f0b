import socket
import uuid

import pytest
from django.test import RequestFactory
from django_ratelimit.core import get_usage

from gonghui.core.ratelimit import rate_limited


def _redis_up() -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.fixture
def redis_limits(settings):
    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {**settings.CACHES, "limits": {"BACKEND": "gonghui.core.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/14"}}
    settings.RATELIMIT_USE_CACHE = "limits"
    return f"g-{uuid.uuid4().hex}"  # a group of this run's own: nothing to clear (the keys expire within a minute)


def test_one_round_trip_counts_as_django_ratelimit_does(redis_limits):
    g = redis_limits
    post = RequestFactory().post("/")
    assert [rate_limited(post, group=g, value="7", rate="3/m", method="POST") for _ in range(5)] == [False, False, False, True, True]
    # the same key and count django-ratelimit reads (5 attempts), and the same expiry margin
    assert get_usage(post, group=g, key=lambda *_: "7", rate="3/m", method="POST")["count"] == 5
    assert rate_limited(post, group=g, value="8", rate="3/m", method="POST") is False  # another person counts apart
    assert rate_limited(RequestFactory().get("/"), group=g, value="7", rate="3/m", method="POST") is False  # other methods pass


def test_other_caches_go_through_django_ratelimit(settings):
    settings.CACHES = {**settings.CACHES, "limits": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.RATELIMIT_USE_CACHE = "limits"
    post = RequestFactory().post("/")
    assert [rate_limited(post, group="g", value="7", rate="2/m", method="POST") for _ in range(3)] == [False, False, True]
