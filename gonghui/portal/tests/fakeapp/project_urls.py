"""The project's pages as config/urls.py builds them, rebuilt while the fake app is installed."""
from gonghui.core import registry

urlpatterns = registry.url_patterns()
