from django.urls import path

from gonghui.notify import views

app_name = "notify"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.mark_read, name="read_all"),
    path("inbox/<int:notification_id>/read/", views.mark_read, name="read"),
    path("inbox/settings/", views.preferences, name="preferences"),
]
