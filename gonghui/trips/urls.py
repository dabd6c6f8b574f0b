from django.urls import path

from gonghui.trips import views, views_h5

worker_patterns = ([
    path("trips/", views_h5.route_list, name="routes"),
    path("trips/<int:route_id>/", views_h5.route_detail, name="route"),
    path("trips/departures/<int:departure_id>/request/", views_h5.place_request, name="request"),
    path("trips/mine/", views_h5.mine, name="mine"),
], "trips_h5")

cadre_patterns = ([
    path("trips/", views.route_list, name="routes"),
    path("trips/new/", views.route_new, name="route_new"),
    path("trips/<int:route_id>/", views.route_detail, name="route"),
    path("trips/departures/<int:departure_id>/book/", views.batch_new, name="batch_new"),
    path("trips/batches/", views.batch_list, name="batches"),
    path("trips/batches/<int:batch_id>/", views.batch_detail, name="batch"),
    path("trips/batches/<int:batch_id>/cancel/", views.batch_cancel, name="batch_cancel"),
    path("trips/batches/<int:batch_id>/places/<int:participant_id>/cancel/", views.place_cancel, name="place_cancel"),
    path("trips/requests/", views.request_list, name="requests"),
    path("trips/requests/<int:participant_id>/", views.request_decide, name="decide"),
    path("trips/bases/", views.base_list, name="bases"),
    path("trips/bases/new/", views.base_new, name="base_new"),
    path("trips/bases/<int:base_id>/", views.base_detail, name="base"),
    path("trips/claims/", views.claim_list, name="claims"),
    path("trips/claims/<int:claim_id>/", views.claim_detail, name="claim"),
    path("trips/claims/<int:claim_id>/<str:kind>/", views.claim_file, name="claim_file"),
    path("trips/ledger/", views.ledger, name="ledger"),
    path("trips/model-workers/", views.model_workers, name="model_workers"),
], "trips")
