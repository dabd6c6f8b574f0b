from django.urls import path

from gonghui.tickets import views, views_duty, views_h5

worker_patterns = ([
    path("tickets/new/", views_h5.new, name="new"),
    path("tickets/", views_h5.mine, name="mine"),
    path("tickets/<int:ticket_id>/", views_h5.detail, name="detail"),
    path("tickets/<int:ticket_id>/act/", views_h5.act, name="act"),
    path("tickets/query/", views_h5.query, name="query"),
], "tickets_h5")

cadre_patterns = ([
    path("tickets/", views.ticket_list, name="list"),
    path("tickets/export/", views.ticket_export, name="export"),
    path("tickets/bulk/", views.ticket_bulk, name="bulk"),
    path("tickets/hotline/", views.hotline, name="hotline"),
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="detail"),
    path("tickets/<int:ticket_id>/act/", views.ticket_act, name="act"),
    path("tickets/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("tickets/duty/", views_duty.duty, name="duty"),
    path("tickets/duty/<int:shift_id>/remove/", views_duty.duty_remove, name="duty_remove"),
], "tickets")
