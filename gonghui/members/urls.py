from django.urls import path

from gonghui.members import views_cadre, views_worker

worker_patterns = ([
    path("join/<str:token>/", views_worker.join_code_landing, name="code"),
    path("member/join/", views_worker.join, name="join"),
    path("member/join/done/<int:application_id>/", views_worker.submitted, name="submitted"),
    path("member/places/", views_worker.places, name="places"),
    path("member/employers/", views_worker.employer_options, name="employers"),
    path("member/", views_worker.home, name="home"),
    path("member/card/", views_worker.card, name="card"),
    path("member/card/qr.svg", views_worker.card_qr_svg, name="card_qr"),
    path("member/card/sw.js", views_worker.card_service_worker, name="card_sw"),
    path("member/transfer/", views_worker.transfer, name="transfer"),
    path("member/leave/", views_worker.leave, name="leave"),
    path("member/appeal/", views_worker.appeal, name="appeal"),
], "members_h5")

cadre_patterns = ([
    path("members/", views_cadre.member_list, name="list"),
    path("members/<int:membership_id>/", views_cadre.member_detail, name="detail"),
    path("members/stars/", views_cadre.star_awards, name="star_awards"),
    path("members/import/", views_cadre.member_import, name="import"),
    path("members/import/template.xlsx", views_cadre.member_import_template, name="import_template"),
    path("members/applications/", views_cadre.application_queue, name="applications"),
    path("members/applications/<int:application_id>/decide/", views_cadre.application_decide, name="application_decide"),
    path("members/policy/", views_cadre.join_policy, name="join_policy"),
    path("members/transfers/", views_cadre.transfer_queue, name="transfers"),
    path("members/transfers/<int:transfer_id>/decide/", views_cadre.transfer_decide, name="transfer_decide"),
    path("members/appeals/", views_cadre.appeal_queue, name="appeals"),
    path("members/appeals/<int:appeal_id>/decide/", views_cadre.appeal_decide, name="appeal_decide"),
    path("members/appeals/<int:appeal_id>/evidence/", views_cadre.appeal_evidence, name="appeal_evidence"),
    path("members/join-codes/", views_cadre.join_codes, name="join_codes"),
    path("members/join-codes/<int:org_id>.<str:fmt>", views_cadre.join_code_download, name="join_code_download"),
    path("members/verify-card/", views_cadre.verify_card, name="verify_card"),
    path("members/segments/", views_cadre.segment_builder, name="segments"),
    path("members/drives/", views_cadre.drive_index, name="drives"),
    path("members/drives/<int:drive_id>/", views_cadre.drive_detail, name="drive_detail"),
    path("members/drives/<int:drive_id>/monthly/", views_cadre.drive_monthly, name="drive_monthly"),
    path("members/drives/<int:drive_id>/targets/", views_cadre.drive_targets, name="drive_targets"),
    path("members/ledger/", views_cadre.union_ledger, name="ledger"),
    path("members/prospects/", views_cadre.prospect_index, name="prospects"),
    path("members/prospects/<int:list_id>/", views_cadre.prospect_detail, name="prospect_detail"),
], "members")
