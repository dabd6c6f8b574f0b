from django.urls import path

from gonghui.analytics import views

app_name = "analytics"
urlpatterns = [
    path("analytics/metrics/", views.metrics_page, name="metrics"),
    path("analytics/map/", views.map_page, name="map"),
    path("analytics/map/data/", views.map_data, name="map_data"),
    path("analytics/alerts/", views.alert_list, name="alerts"),
    path("analytics/alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path("analytics/alerts/<int:alert_id>/act/", views.alert_act, name="act"),
    path("analytics/rules/", views.rule_list, name="rules"),
    path("analytics/rules/new/", views.rule_new, name="rule_new"),
    path("analytics/rules/<int:rule_id>/", views.rule_edit, name="rule_edit"),
    path("analytics/rules/<int:rule_id>/active/", views.rule_active, name="rule_active"),
]
