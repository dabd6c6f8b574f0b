from django.urls import path

from gonghui.orgs import views_cultivation as views

app_name = "cultivation"

urlpatterns = [
    path("cultivation/", views.plan_index, name="plans"),
    path("cultivation/new/", views.plan_create, name="create"),
    path("cultivation/<int:plan_id>/", views.plan_detail, name="detail"),
    path("cultivation/<int:plan_id>/edit/", views.plan_edit, name="edit"),
    path("cultivation/<int:plan_id>/candidates/", views.candidates_add, name="candidates_add"),
    path("cultivation/<int:plan_id>/candidates/<int:candidate_id>/", views.candidate_act, name="candidate"),
]
