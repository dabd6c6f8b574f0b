from django.urls import path

from gonghui.portal import views

urlpatterns = [
    path("", views.h5_home, name="h5_home"),
    path("services/", views.h5_services, name="h5_services"),
    path("me/", views.h5_me, name="h5_me"),
    path("find-union/", views.h5_find_union, name="h5_find_union"),
    path("unions/<int:org_id>/", views.h5_union, name="h5_union"),  # public by design: see views.h5_union
    path("employer-check/", views.h5_employer_check, name="h5_employer_check"),
]

workbench_patterns = ([
    path("", views.workbench_home, name="home"),
], "workbench")
