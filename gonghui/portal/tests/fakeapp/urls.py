from django.shortcuts import render
from django.urls import path


def page(request, **kwargs):
    return render(request, "workbench.html")


cadre_patterns = ([path("fake/", page, name="list"), path("fake/<int:ticket_id>/", page, name="detail")], "fake")
worker_patterns = ([path("fake/new/", page, name="new")], "fake_h5")
