from django.urls import path

from gonghui.orgs import views_assessment as views
from gonghui.orgs import views_assessment_schemes as editor

app_name = "assessments"

urlpatterns = [
    path("assessments/", views.scheme_index, name="schemes"),
    path("assessments/schemes/new/", editor.scheme_create, name="scheme_create"),
    path("assessments/schemes/<int:scheme_id>/", views.scheme_detail, name="scheme"),
    path("assessments/schemes/<int:scheme_id>/edit/", editor.scheme_edit, name="scheme_edit"),
    path("assessments/schemes/<int:scheme_id>/publication/", editor.scheme_publication, name="scheme_publication"),
    path("assessments/schemes/<int:scheme_id>/delete/", editor.scheme_delete, name="scheme_delete"),
    path("assessments/schemes/<int:scheme_id>/dimensions/", editor.dimension_add, name="dimension_add"),
    path("assessments/dimensions/<int:dimension_id>/", editor.dimension_change, name="dimension"),
    path("assessments/dimensions/<int:dimension_id>/indicators/", editor.indicator_add, name="indicator_add"),
    path("assessments/indicators/<int:indicator_id>/", editor.indicator_change, name="indicator"),
    path("assessments/unions/<int:union_id>/", views.union_history, name="union_history"),
    path("assessments/improvements/", views.improvement_index, name="improvements"),
    path("assessments/improvements/<int:task_id>/act/", views.improvement_act, name="improvement_act"),
    path("assessments/improvements/<int:task_id>/evidence/", views.improvement_evidence, name="improvement_evidence"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="detail"),
    path("assessments/<int:assessment_id>/act/", views.assessment_act, name="act"),
    path("assessments/<int:assessment_id>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("assessments/<int:assessment_id>/evidence/<int:evidence_id>/delete/", views.evidence_delete, name="evidence_delete"),
    path("assessments/evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
]
