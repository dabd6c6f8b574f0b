"""Open311 GeoReport v2 paths, mounted at /open311/v2/ (the spec's `.json` suffixes; JSON only)."""
from django.urls import path

from gonghui.tickets import views_open311

open311_patterns = ([
    path("discovery.json", views_open311.discovery, name="discovery"),
    path("services.json", views_open311.services, name="services"),
    path("services/<str:code>.json", views_open311.service_definition, name="service"),
    path("requests.json", views_open311.requests, name="requests"),
    path("requests/<str:number>.json", views_open311.request_detail, name="request"),
    path("tokens/<str:token>.json", views_open311.token, name="token"),
], "open311")
