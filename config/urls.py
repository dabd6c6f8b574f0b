"""The project's own routes; every app adds its pages and API routers by declaring them in its AppConfig (decision 0012)."""
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import path

from gonghui.accounts.api_auth import api_key_auth
from gonghui.core import registry
from gonghui.core.api import build_api
from gonghui.core.health import healthz

api = build_api(routers=registry.api_router_list(), key_auth=api_key_auth())

# The admin signs in through the same door as the 工作台 (password, lockout, TOTP), never its own form.
admin.site.login = lambda request, extra_context=None: redirect_to_login(request.GET.get("next", "/admin/"))
admin.site.site_header = "gonghui 工会服务平台管理后台"
admin.site.site_title = "gonghui 管理后台"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", lambda request: redirect("h5_home")),
    *registry.url_patterns(),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("healthz", healthz, name="healthz"),
]
