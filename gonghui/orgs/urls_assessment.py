from django.urls import path

from gonghui.orgs import views_assessment as views

app_name = "assessments"

urlpatterns = [
    path("assessments/", views.scheme_index, name="schemes"),
    path("assessments/schemes/<int:scheme_id>/", views.scheme_detail, name="scheme"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="detail"),
    path("assessments/<int:assessment_id>/act/", views.assessment_act, name="act"),
]
