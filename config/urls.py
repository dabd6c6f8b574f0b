from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import include, path

from gonghui.accounts.api_auth import api_key_auth
from gonghui.accounts.urls import workbench_urlpatterns as accounts_workbench_patterns
from gonghui.core.api import build_api
from gonghui.members.urls import cadre_patterns as members_cadre_patterns
from gonghui.members.urls import worker_patterns as members_worker_patterns
from gonghui.core.health import healthz
from gonghui.jobs.api import router as jobs_router
from gonghui.members.api import router as members_router
from gonghui.members.api_recruitment import router as recruitment_router
from gonghui.orgs.api import router as orgs_router
from gonghui.orgs.api_assessment import router as assessment_router
from gonghui.portal.views import workbench_home

api = build_api(routers=[("/", orgs_router), ("/", assessment_router), ("/", members_router), ("/", recruitment_router),
                         ("/", jobs_router)], key_auth=api_key_auth())

# The admin signs in through the same door as the 工作台 (password, lockout, TOTP), never its own form.
admin.site.login = lambda request, extra_context=None: redirect_to_login(request.GET.get("next", "/admin/"))
admin.site.site_header = "gonghui 工会服务平台管理后台"
admin.site.site_title = "gonghui 管理后台"
admin.site.index_title = "数据管理"

workbench_patterns = [
    path("", workbench_home, name="home"),
]

urlpatterns = [
    path("", lambda request: redirect("h5_home")),
    path("h5/", include("gonghui.portal.urls")),
    path("h5/", include(members_worker_patterns)),
    path("workbench/", include(members_cadre_patterns)),
    path("workbench/", include((workbench_patterns, "workbench"))),
    path("workbench/", include("gonghui.orgs.urls")),
    path("workbench/", include("gonghui.orgs.urls_assessment")),
    path("workbench/", include("gonghui.orgs.urls_cultivation")),
    path("workbench/", include("gonghui.audit.urls")),
    path("workbench/", include("gonghui.worktime.urls")),
    path("workbench/", include("gonghui.jobs.urls")),
    path("workbench/", include("gonghui.notify.urls", namespace="notify")),
    path("h5/", include("gonghui.notify.urls", namespace="h5_notify")),
    path("workbench/", include((accounts_workbench_patterns, "staff"))),
    path("accounts/", include("gonghui.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("healthz", healthz, name="healthz"),
]
