from django.urls import path

from gonghui.worktime import views

app_name = "worktime"

urlpatterns = [path("calendar/", views.calendar_page, name="calendar")]
