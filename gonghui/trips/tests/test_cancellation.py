"""A union cancels a whole batch or one member's place before departure: the places go back on sale, the 配套 is
reversed on the union's ledger so the budget has it again, the member's own share is recorded as to be refunded, and
the worker is told (as they are told of their union's decision on their own request)."""
import datetime as dt

import pytest
from django.utils import timezone

from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.notify.models import Notification
from gonghui.trips import selectors, services
from gonghui.trips.models import Batch, BatchStatus, Departure, LedgerEntry, LedgerKind, PlaceStatus
from gonghui.trips.tests.factories import member, pdf

pytestmark = pytest.mark.django_db


def book(world, memberships):
    return services.batch_book(actor=world.th, org=world.tianhe, departure_id=world.departure.pk, membership_ids=[m.pk for m in memberships])


def taken(world) -> int:
    return Departure.objects.get(pk=world.departure.pk).taken


def spent(world) -> int:
    return next(r for r in selectors.ledger(actor=world.th, year=world.year) if r.org_id == world.tianhe.pk).match_fen


def messages_to(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user, template_code__startswith="trips.").order_by("pk").values_list("template_code", flat=True))


def departs(world, on: dt.date) -> None:
    Departure.objects.filter(pk=world.departure.pk).update(starts_on=on)


def test_one_place_cancelled_goes_back_on_sale_and_its_match_is_reversed(world):
    people = [member() for _ in range(3)]
    batch = book(world, people)
    assert (taken(world), spent(world)) == (3, 3 * 30000)
    place = batch.participants.get(person=people[0].person)

    cancelled = services.place_cancel(actor=world.th, participant_id=place.pk, reason="本人临时有事")

    assert cancelled.status == PlaceStatus.CANCELLED and cancelled.refund_fen == 68000 and cancelled.cancel_reason == "本人临时有事"
    assert (taken(world), spent(world)) == (2, 2 * 30000)
    assert list(LedgerEntry.objects.filter(participant=place).order_by("pk").values_list("kind", "amount_fen")) == [
        (LedgerKind.MATCH, 30000), (LedgerKind.MATCH_REVERSAL, -30000)]
    assert selectors.totals(batch.participants.all()).people == 2
    assert messages_to(people[0].person.user) == ["trips.place_cancelled", "trips.place_cancelled"]  # inbox and SMS
    with pytest.raises(ApplicationError, match="只有已确认的名额可以取消"):
        services.place_cancel(actor=world.th, participant_id=place.pk, reason="再取消一次")
    again = book(world, [people[0]])  # the member may be booked again; the batch is the same
    assert again.pk == batch.pk and taken(world) == 3


def test_a_whole_batch_cancelled_frees_every_place_and_the_budget_and_can_be_booked_again(world):
    people = [member() for _ in range(4)]
    batch = book(world, people)
    services.batch_cancel(actor=world.th, batch_id=batch.pk, reason="单位生产任务调整")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CANCELLED and batch.cancel_reason == "单位生产任务调整"
    assert (taken(world), spent(world)) == (0, 0)
    assert set(batch.participants.values_list("status", flat=True)) == {PlaceStatus.CANCELLED}
    assert sum(batch.participants.values_list("refund_fen", flat=True)) == 4 * 68000
    with pytest.raises(ApplicationError, match="该批次已取消"):
        services.batch_cancel(actor=world.th, batch_id=batch.pk, reason="再次取消")

    reopened = book(world, people[:2])
    assert reopened.pk == batch.pk and Batch.objects.get(pk=batch.pk).status == BatchStatus.BOOKED and taken(world) == 2


def test_cancelling_is_refused_after_departure_and_for_another_district_and_without_a_reason(world):
    batch = book(world, [member()])
    place = batch.participants.get()
    with pytest.raises(ApplicationError, match="请填写取消原因"):
        services.batch_cancel(actor=world.th, batch_id=batch.pk, reason=" ")
    with pytest.raises(NotFound):
        services.batch_cancel(actor=world.yx, batch_id=batch.pk, reason="越权取消")
    with pytest.raises(NotFound):
        services.place_cancel(actor=world.yx, participant_id=place.pk, reason="越权取消")

    departs(world, timezone.localdate())
    with pytest.raises(ApplicationError, match="已于 .* 出发，不能再取消"):
        services.batch_cancel(actor=world.th, batch_id=batch.pk, reason="出发当天取消")
    assert (taken(world), spent(world)) == (1, 30000)


def test_a_batch_whose_trip_took_place_and_was_claimed_cannot_be_cancelled(world):
    batch = book(world, [member()])
    departs(world, timezone.localdate() - dt.timedelta(days=5))
    services.claim_submit(actor=world.th, batch_id=batch.pk, roster=pdf(), invoice=pdf("发票.pdf"))
    with pytest.raises(ApplicationError, match="已于 .* 出发"):
        services.batch_cancel(actor=world.th, batch_id=batch.pk, reason="补办取消")
    assert (taken(world), spent(world)) == (1, 30000)


def test_the_worker_hears_their_unions_decision_on_their_request(world):
    worker = member()
    user = worker.person.user
    services.budget_set(actor=world.th, org=worker.union, year=world.year, amount_fen=10_000_00)  # the street union pays its members' 配套
    refused = services.place_decide(actor=world.th, participant_id=services.place_request(actor=user, departure_id=world.departure.pk).pk,
                                    approve=False, reason="名额已由单位统一安排")
    approved = services.place_decide(actor=world.th, participant_id=services.place_request(actor=user, departure_id=world.departure.pk).pk,
                                     approve=True)
    assert messages_to(user) == ["trips.place_refused"] * 2 + ["trips.place_approved"] * 2
    texts = list(Notification.objects.filter(recipient=user).values_list("body", flat=True))
    assert any("名额已由单位统一安排" in t for t in texts) and any("个人承担 680.00 元" in t for t in texts)
    assert refused.status == PlaceStatus.REFUSED and approved.status == PlaceStatus.APPROVED


def test_the_batch_page_cancels_a_place_and_the_batch_and_the_worker_sees_why(world, client):
    people = [member(), member()]
    batch = book(world, people)
    place = batch.participants.get(person=people[0].person)
    client.force_login(world.th)
    page = client.get(f"/workbench/trips/batches/{batch.pk}/").content.decode()
    assert "取消整个批次" in page and f"/places/{place.pk}/cancel/" in page

    refused = client.post(f"/workbench/trips/batches/{batch.pk}/places/{place.pk}/cancel/", {"reason": ""}, follow=True)
    assert "请填写取消原因" in refused.content.decode() and taken(world) == 2
    done = client.post(f"/workbench/trips/batches/{batch.pk}/places/{place.pk}/cancel/", {"reason": "身体原因"}, follow=True)
    assert "已取消该名额" in done.content.decode() and "已取消的名额" in done.content.decode() and taken(world) == 1
    assert client.post(f"/workbench/trips/batches/{batch.pk}/cancel/", {"reason": "活动调整"}, follow=True).status_code == 200
    assert taken(world) == 0

    client.force_login(world.yx)
    assert client.post(f"/workbench/trips/batches/{batch.pk}/cancel/", {"reason": "越权"}).status_code == 404
    client.force_login(people[0].person.user)
    mine = client.get("/h5/trips/mine/").content.decode()
    assert "已取消" in mine and "身体原因" in mine and "680.00 元由天河区总工会退还" in mine


def test_a_trips_officer_without_members_view_books_the_unions_own_members_and_no_one_elses(world, org, client):
    from gonghui.trips.tests.factories import cadre_at

    officer = cadre_at(world.tianhe, "trips_officer")
    ours, theirs = member(), member("440104001")  # 越秀区 is not 天河区's to pick
    client.force_login(officer)
    form = client.get(f"/workbench/trips/departures/{world.departure.pk}/book/").content.decode()
    assert ours.member_number in form and theirs.member_number not in form
    assert ours.person.name not in form  # names masked
    assert ours.member_number not in client.get("/workbench/members/").content.decode()  # the member register stays closed to them
    with pytest.raises(ApplicationError, match="不属于本工会"):
        services.batch_book(actor=officer, org=world.tianhe, departure_id=world.departure.pk, membership_ids=[theirs.pk])
    batch = services.batch_book(actor=officer, org=world.tianhe, departure_id=world.departure.pk, membership_ids=[ours.pk])
    assert batch.participants.get().member_number == ours.member_number


def test_the_api_cancels_a_batch_with_a_key_and_refuses_without_a_reason(world, client):
    from gonghui.accounts.api_keys import api_key_issue

    batch = book(world, [member(), member()])
    _, secret = api_key_issue(actor=world.th, client_name="工会疗休养小程序", org=world.tianhe, actions=["trips.view", "trips.book"])
    key = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    refused = client.post(f"/api/trip-batches/{batch.pk}/cancel", {"reason": ""}, content_type="application/json", **key)
    assert refused.status_code == 400 and refused.json()["code"] == "trips.reason" and taken(world) == 2
    answer = client.post(f"/api/trip-batches/{batch.pk}/cancel", {"reason": "活动改期"}, content_type="application/json", **key)
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled" and answer.json()["people"] == 0
    assert taken(world) == 0
    _, other = api_key_issue(actor=world.yx, client_name="越秀区小程序", org=world.yuexiu, actions=["trips.view", "trips.book"])
    assert client.post(f"/api/trip-batches/{batch.pk}/cancel", {"reason": "越权"}, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404


@pytest.mark.parametrize("roster, invoice, message", [
    ("bomb", "pdf", "名单“名单.xlsx”"),  # a shared-strings bomb as the roster: refused before it is unzipped
    ("pdf", "program", "不是 PDF"),  # a program renamed 发票.pdf
])
def test_a_claim_with_a_hostile_file_is_refused_and_stores_nothing(world, roster, invoice, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gonghui.core.tests.hostile import shared_strings_bomb
    from gonghui.trips.models import SubsidyClaim

    files = {"bomb": lambda: SimpleUploadedFile("名单.xlsx", shared_strings_bomb()), "pdf": pdf,
             "program": lambda: SimpleUploadedFile("发票.pdf", b"MZ\x90\x00" + b"\x00" * 512)}
    batch = book(world, [member()])
    departs(world, timezone.localdate() - dt.timedelta(days=5))
    with pytest.raises(ApplicationError, match=message):
        services.claim_submit(actor=world.th, batch_id=batch.pk, roster=files[roster](), invoice=files[invoice]())
    assert not SubsidyClaim.objects.exists()
