from django.urls import path

from gonghui.bookings import views, views_h5, views_lottery

worker_patterns = ([
    path("bookings/", views_h5.offering_list, name="list"),
    path("bookings/<int:offering_id>/", views_h5.offering_detail, name="detail"),
    path("bookings/sessions/<int:session_id>/book/", views_h5.book, name="book"),
    path("bookings/sessions/<int:session_id>/wait/", views_h5.wait, name="wait"),
    path("bookings/mine/", views_h5.mine, name="mine"),
    path("bookings/mine/<int:booking_id>/", views_h5.booking_detail, name="booking"),
    path("bookings/mine/<int:booking_id>/cancel/", views_h5.booking_cancel, name="cancel"),
    path("bookings/mine/<int:booking_id>/finish/", views_h5.booking_finish, name="finish"),
    path("bookings/waitlist/<int:entry_id>/", views_h5.waitlist_offer, name="offer"),
    path("bookings/verify/", views_h5.verify, name="verify"),
    path("bookings/ping/", views_h5.ping, name="ping"),
    path("bookings/lottery/mine/", views_lottery.mine, name="lottery_mine"),
    path("bookings/lottery/<int:lottery_id>/", views_lottery.result, name="lottery"),
    path("bookings/lottery/<int:lottery_id>/result.json", views_lottery.result_json, name="lottery_json"),
    path("bookings/lottery/<int:lottery_id>/verify/", views_lottery.verify, name="lottery_verify"),
    path("bookings/lottery/<int:lottery_id>/register/", views_lottery.register, name="lottery_register"),
    path("bookings/lottery/<int:lottery_id>/withdraw/", views_lottery.withdraw, name="lottery_withdraw"),
], "bookings_h5")

cadre_patterns = ([
    path("bookings/", views.offering_list, name="list"),
    path("bookings/new/", views.offering_new, name="new"),
    path("bookings/checkin/", views.checkin, name="checkin"),
    path("bookings/counselling/", views.counsellor_slots, name="counsellor"),
    path("bookings/<int:offering_id>/", views.offering_detail, name="detail"),
    path("bookings/<int:offering_id>/edit/", views.offering_edit, name="edit"),
    path("bookings/<int:offering_id>/status/", views.offering_status, name="status"),
    path("bookings/<int:offering_id>/sessions/new/", views.session_new, name="session_new"),
    path("bookings/sessions/<int:session_id>/", views.roster, name="roster"),
    path("bookings/sessions/<int:session_id>/edit/", views.session_edit, name="session_edit"),
    path("bookings/sessions/<int:session_id>/export/", views.roster_export, name="export"),
    path("bookings/sessions/<int:session_id>/message/", views.session_message, name="message"),
    path("bookings/sessions/<int:session_id>/lottery/", views_lottery.lottery_new, name="lottery_new"),
    path("bookings/lottery/", views_lottery.lottery_list, name="lotteries"),
    path("bookings/lottery/<int:lottery_id>/", views_lottery.lottery_detail, name="lottery"),
    path("bookings/lottery/<int:lottery_id>/edit/", views_lottery.lottery_edit, name="lottery_edit"),
    path("bookings/lottery/<int:lottery_id>/publish/", views_lottery.lottery_publish, name="lottery_publish"),
    path("bookings/lottery/<int:lottery_id>/close/", views_lottery.lottery_close, name="lottery_close"),
    path("bookings/lottery/<int:lottery_id>/numbers/", views_lottery.lottery_numbers, name="lottery_numbers"),
    path("bookings/lottery/<int:lottery_id>/confirm/", views_lottery.lottery_confirm, name="lottery_confirm"),
    path("bookings/lottery/<int:lottery_id>/amend/", views_lottery.lottery_amend, name="lottery_amend"),
], "bookings")
