from django.urls import path

from gonghui.jobs import views

app_name = "jobs"

urlpatterns = [
    path("jobs/", views.job_index, name="list"),
    path("jobs/<int:job_id>/", views.job_detail, name="detail"),
    path("jobs/<int:job_id>/result/", views.job_result, name="result"),
]
