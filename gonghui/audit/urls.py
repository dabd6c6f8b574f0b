from django.urls import path

from gonghui.audit import views

app_name = "audit"

urlpatterns = [path("audit/", views.audit_search, name="search")]
