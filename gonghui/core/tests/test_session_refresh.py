"""Sessions are saved again at most every SESSION_REFRESH_SECONDS (not on every request), which still renews their idle
expiry while someone keeps using the site."""
import pytest
from django.contrib.sessions.backends.cache import SessionStore

from gonghui.accounts.models import User
from gonghui.core.middleware import SessionRefreshMiddleware

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached_sessions(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    settings.SESSION_CACHE_ALIAS = "sessions"


def test_a_session_is_saved_again_only_once_the_refresh_interval_has_passed(client, cached_sessions, monkeypatch):
    client.force_login(User.objects.create(username="refresh_worker", kind="worker"))
    client.get("/h5/bookings/ping/")
    key = client.cookies["sessionid"].value
    stamp = SessionStore(key)[SessionRefreshMiddleware.KEY]

    saves = []
    original = SessionStore.save
    monkeypatch.setattr(SessionStore, "save", lambda self, *a, **k: (saves.append(self.session_key), original(self, *a, **k))[1])
    assert client.get("/h5/bookings/ping/").status_code == 204
    assert saves == [] and "sessionid" not in client.get("/h5/bookings/ping/").cookies

    monkeypatch.setattr("gonghui.core.middleware.time.time", lambda: stamp + 301)
    response = client.get("/h5/bookings/ping/")
    assert saves == [key] and response.cookies["sessionid"].value == key
    assert SessionStore(key)[SessionRefreshMiddleware.KEY] == stamp + 301


def test_the_first_request_after_signing_in_writes_no_session(client, cached_sessions, monkeypatch):
    """Signing in has just written the session with a fresh expiry; the first page after it must not write it again."""
    client.force_login(User.objects.create(username="fresh_worker", kind="worker"))
    saves = []
    original = SessionStore.save
    monkeypatch.setattr(SessionStore, "save", lambda self, *a, **k: (saves.append(self.session_key), original(self, *a, **k))[1])
    assert client.get("/h5/bookings/ping/").status_code == 204
    assert saves == []
