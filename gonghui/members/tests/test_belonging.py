"""After joining: the member card, 会籍转接, leaving, and 冒用 appeals."""
import time

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory, employer_account
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.members import services
from gonghui.members.models import AppealStatus, MembershipStatus, TransferStatus
from gonghui.members.tests.factories import join, new_id_number, worker
from gonghui.notify.models import Notification
from gonghui.orgs.tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(org):
    application = join(town_code="440106006", name="张三丰")
    return services.application_approve(actor=None, application_id=application.pk)


@pytest.fixture
def verifier(org):
    return PostFactory(org=org("440104"), role=Role.objects.get(code="reviewer")).user  # 越秀区: cards are not scoped by org


def test_a_fresh_card_token_verifies_and_shows_the_union(member, verifier):
    verified = services.card_verify(actor=verifier, token=services.card_token(membership=member))
    assert verified == member and verified.union.name == "石牌街道总工会"


def test_an_expired_card_token_is_refused(member, verifier, monkeypatch):
    token = services.card_token(membership=member)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + services.CARD_TOKEN_SECONDS + 5)
    with pytest.raises(ApplicationError, match="已过期"):
        services.card_verify(actor=verifier, token=token)


@pytest.mark.parametrize("tamper", ["swap_payload", "garbage", "other_salt"])
def test_a_forged_card_token_is_refused(member, verifier, tamper):
    token = services.card_token(membership=member)
    forged = {
        "swap_payload": signing.dumps({"m": member.pk + 1}, salt=services.CARD_SALT).split(":")[0] + ":" + token.split(":", 1)[1],
        "garbage": "not-a-token",
        "other_salt": signing.dumps({"m": member.pk}, salt="something-else"),
    }[tamper]
    with pytest.raises(ApplicationError, match="无效的会员卡二维码"):
        services.card_verify(actor=verifier, token=forged)


@pytest.mark.parametrize("who", ["employer_account", "handler", "worker"])
def test_only_roles_that_verify_cards_may_verify_one(member, org, who):
    """An employer's external account once read any member's union and status by card; now it is refused like a handler."""
    actor = {
        "employer_account": lambda: employer_account(employer=EmployerFactory(town=org("440106006"))),
        "handler": lambda: PostFactory(org=org("440106"), role=Role.objects.get(code="handler")).user,
        "worker": lambda: member.person.user,
    }[who]()
    with pytest.raises(PermissionDenied, match="验证会员卡"):
        services.card_verify(actor=actor, token=services.card_token(membership=member))


class TestTransfer:
    def test_accepted_transfer_moves_the_membership_and_tells_both_sides(self, org, member):
        sender = PostFactory(org=org("440106006"), role=Role.objects.get(code="reviewer")).user
        receiver = PostFactory(org=org("440104001"), role=Role.objects.get(code="reviewer")).user
        user = member.person.user
        transfer = services.transfer_request(user=user, to_union=org("440104001"), new_employer_name="越秀新单位")
        member.refresh_from_db()
        assert member.status == MembershipStatus.TRANSFERRING
        assert Notification.objects.filter(recipient=receiver, template_code="member.transfer_incoming").exists()
        with pytest.raises(NotFound):
            services.transfer_decide(actor=sender, transfer_id=transfer.pk, accept=True)  # only the receiving side decides
        services.transfer_decide(actor=receiver, transfer_id=transfer.pk, accept=True)
        member.refresh_from_db()
        assert (member.status, member.union) == (MembershipStatus.ACTIVE, org("440104001"))
        assert [e.kind for e in member.events.all()] == ["joined", "transfer_requested", "transferred"]
        assert Notification.objects.filter(recipient=sender, template_code="member.transfer_accepted").exists()
        assert Notification.objects.filter(recipient=user, template_code="member.transfer_accepted").exists()

    def test_rejected_transfer_keeps_the_old_union(self, org, member):
        receiver = PostFactory(org=org("440104001"), role=Role.objects.get(code="reviewer")).user
        transfer = services.transfer_request(user=member.person.user, to_union=org("440104001"))
        with pytest.raises(ApplicationError, match="拒绝原因"):
            services.transfer_decide(actor=receiver, transfer_id=transfer.pk, accept=False, reason="")
        services.transfer_decide(actor=receiver, transfer_id=transfer.pk, accept=False, reason="未查到新单位")
        member.refresh_from_db()
        transfer.refresh_from_db()
        assert (member.status, member.union, transfer.status) == (MembershipStatus.ACTIVE, org("440106006"), TransferStatus.REJECTED)

    def test_one_transfer_at_a_time_and_not_to_the_same_union(self, org, member):
        with pytest.raises(ApplicationError, match="另一个"):
            services.transfer_request(user=member.person.user, to_union=org("440106006"))
        services.transfer_request(user=member.person.user, to_union=org("440104001"))
        with pytest.raises(ApplicationError, match="转出中"):
            services.transfer_request(user=member.person.user, to_union=org("440106001"))


def test_leaving_needs_a_reason_and_is_recorded(member):
    with pytest.raises(ApplicationError, match="退会原因"):
        services.membership_leave(user=member.person.user, reason="")
    services.membership_leave(user=member.person.user, reason="离开广东")
    member.refresh_from_db()
    assert member.status == MembershipStatus.LEFT and member.events.last().note == "离开广东"


class TestImpersonationAppeal:
    def test_filing_freezes_and_a_founded_appeal_revokes_and_rebinds(self, org, member):
        cadre = PostFactory(org=org("440106006"), role=Role.objects.get(code="reviewer")).user
        impostor, real_owner = member.person.user, worker()
        appeal = services.appeal_file(user=real_owner, name="张三丰", id_number=member.person.id_number,
                                      statement="我从未申请入会，今天在平台上发现了这条会籍。")
        member.refresh_from_db()
        assert member.status == MembershipStatus.FROZEN
        assert Notification.objects.filter(recipient=impostor, template_code="member.frozen").exists()
        assert Notification.objects.filter(recipient=cadre, template_code="member.appeal_filed").exists()
        with pytest.raises(ApplicationError, match="已有申诉"):
            services.appeal_file(user=worker(), name="张三丰", id_number=member.person.id_number, statement="我也要申诉这条会籍的问题。")
        services.appeal_decide(actor=cadre, appeal_id=appeal.pk, upheld=True, note="经电话核实，确系冒用")
        member.refresh_from_db()
        appeal.refresh_from_db()
        assert member.status == MembershipStatus.LEFT and appeal.status == AppealStatus.UPHELD
        assert member.person.user == real_owner
        for user in (impostor, real_owner):
            assert Notification.objects.filter(recipient=user, template_code="member.appeal_decided").exists()

    def test_an_unfounded_appeal_releases_the_freeze(self, org, member):
        cadre = PostFactory(org=org("440106"), role=Role.objects.get(code="reviewer")).user
        appeal = services.appeal_file(user=worker(), name="张三丰", id_number=member.person.id_number,
                                      statement="怀疑有人用了我的身份证号入会，请核查。")
        services.appeal_decide(actor=cadre, appeal_id=appeal.pk, upheld=False, note="本人到场核验，会籍属实")
        member.refresh_from_db()
        assert member.status == MembershipStatus.ACTIVE and [e.kind for e in member.events.all()][-2:] == ["frozen", "unfrozen"]

    def test_appeals_need_a_real_membership_and_a_statement(self, org, member):
        with pytest.raises(ApplicationError, match="没有查到"):
            services.appeal_file(user=worker(), name="路人甲", id_number=new_id_number(), statement="我觉得有人冒用了我的身份。")
        with pytest.raises(ApplicationError, match="至少10个字"):
            services.appeal_file(user=worker(), name="张三丰", id_number=member.person.id_number, statement="冒用")
        with pytest.raises(ApplicationError, match="无需申诉"):
            services.appeal_file(user=member.person.user, name="张三丰", id_number=member.person.id_number, statement="测试一下自己的会籍状态")

    def test_a_sibling_district_cannot_decide(self, org, member, cadre):
        appeal = services.appeal_file(user=worker(), name="张三丰", id_number=member.person.id_number, statement="这不是我本人办理的入会。")
        with pytest.raises(NotFound):
            services.appeal_decide(actor=cadre("440104"), appeal_id=appeal.pk, upheld=True, note="越权")


class TestReviewFindings:
    """States that must not combine: a transfer decided after an appeal, rejoining after leaving, hostile input."""

    def test_an_appeal_cancels_a_pending_transfer_which_can_then_not_be_accepted(self, org, member):
        receiver = PostFactory(org=org("440104001"), role=Role.objects.get(code="reviewer")).user
        transfer = services.transfer_request(user=member.person.user, to_union=org("440104001"))
        services.appeal_file(user=worker(), name="张三丰", id_number=member.person.id_number, statement="这不是我本人办理的入会。")
        transfer.refresh_from_db()
        assert transfer.status == TransferStatus.REJECTED and "冒用申诉" in transfer.reject_reason
        with pytest.raises(ApplicationError, match="已处理"):
            services.transfer_decide(actor=receiver, transfer_id=transfer.pk, accept=True)

    def test_someone_who_left_can_join_again(self, org, member):
        services.membership_leave(user=member.person.user, reason="暂时离开")
        application = services.join_submit(applicant=member.person.user,
                                           data=services.JoinInput(name="张三丰", id_number=member.person.id_number, town_code="440104001"))
        again = services.application_approve(actor=None, application_id=application.pk)
        assert again.pk == member.pk and again.status == MembershipStatus.ACTIVE and again.union == org("440104001")
        assert [e.kind for e in again.events.all()][-1] == "rejoined"

    def test_evidence_must_be_a_photo_or_pdf(self, org, member):
        bad = SimpleUploadedFile("证明.jpg", b"MZ\x90\x00 not a picture")
        with pytest.raises(ApplicationError, match="JPG、PNG"):
            services.appeal_file(user=worker(), name="张三丰", id_number=member.person.id_number,
                                 statement="有人冒用我的身份证号入会。", evidence=bad)
        member.refresh_from_db()
        assert member.status == MembershipStatus.ACTIVE  # nothing changed

    def test_evidence_is_named_by_its_content_and_downloaded_only_by_the_deciding_cadres_audited(self, org, member, cadre, logged_in):
        from gonghui.audit.models import AuditEvent
        from gonghui.core.tests.files import PNG

        appeal = services.appeal_file(user=worker(), name="张三丰", id_number=member.person.id_number,
                                      statement="有人冒用我的身份证号入会。", evidence=SimpleUploadedFile("身份证.jpg", PNG))
        assert appeal.evidence.name.endswith(f"appeal-{appeal.pk}.png")  # a PNG, whatever the name said
        url = reverse("members:appeal_evidence", args=[appeal.pk])
        response = logged_in(cadre("440106")).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/png" and b"".join(response.streaming_content) == PNG
        assert AuditEvent.objects.filter(action="members.appeal.evidence_viewed", object_id=str(appeal.pk)).count() == 1
        assert logged_in(cadre("440104")).get(url).status_code == 404

    def test_the_nearest_cadres_are_told_when_the_union_has_none(self, org, member):
        district = PostFactory(org=org("440106"), role=Role.objects.get(code="reviewer")).user
        services.appeal_file(user=worker(), name="张三丰", id_number=member.person.id_number, statement="有人冒用我的身份证号入会。")
        assert Notification.objects.filter(recipient=district, template_code="member.appeal_filed").exists()


def test_star_members_one_award_per_year_within_scope(org, member, cadre, client):
    district = PostFactory(org=org("440106"), role=Role.objects.get(code="reviewer")).user
    services.member_star_award(actor=district, membership=member, year=2026, stars=3, reason="带动工友入会")
    services.member_star_award(actor=district, membership=member, year=2026, stars=4, reason="年度评选调整")
    assert [(a.year, a.stars) for a in member.star_awards.all()] == [(2026, 4)]
    with pytest.raises(ApplicationError, match="1到5星"):
        services.member_star_award(actor=district, membership=member, year=2026, stars=6, reason="超出范围")
    with pytest.raises(NotFound):
        services.member_star_award(actor=cadre("440104"), membership=member, year=2026, stars=5, reason="越权评定")
    client.force_login(district)
    client.post(reverse("members:detail", args=[member.pk]), {"stars": "5", "reason": "页面评定五星"})
    assert "5★：页面评定五星" in client.get(reverse("members:detail", args=[member.pk])).content.decode()

