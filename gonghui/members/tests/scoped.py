"""Scoped members models, one row each inside a place (see core/tests/places.py)."""
import datetime as dt

from django.utils import timezone

from gonghui.members import drives, prospects, segments, services
from gonghui.members.models import (
    Drive,
    DriveMetric,
    DriveTarget,
    ImpersonationAppeal,
    JoinApplication,
    JoinCode,
    JoinPolicy,
    MemberStarAward,
    MemberTag,
    Membership,
    ProspectList,
    Segment,
    Transfer,
    VisitLog,
)
from gonghui.members.tests.factories import join, new_id_number, worker
from gonghui.orgs.tests.factories import OrgFactory


def application(place, **fields):
    """Routed to the place's union through its employer."""
    return join(employer_id=place.employer.pk, **fields)


def member(place):
    """A member of the place's union (approved by its district), with the ID number they joined with."""
    def make():
        id_number = new_id_number()
        joined = application(place, name="王小红", id_number=id_number)
        membership = services.application_approve(actor=place.cadre, application_id=joined.pk)
        membership.id_number = id_number
        return membership
    return place.once("member", make)


def transfer(place):
    membership = member(place)
    other = OrgFactory(parent=place.town, name="越秀转入单位工会委员会")
    return services.transfer_request(user=membership.person.user, to_union=other)


def appeal(place):
    membership = member(place)
    return services.appeal_file(user=worker(), name="王小红", id_number=membership.id_number, statement="有人冒用我的身份证入会，我从未申请")


def drive(place):
    today = timezone.localdate()
    return place.once("drive", lambda: drives.drive_create(actor=place.cadre, org=place.district, name="百日攻坚", metric=DriveMetric.NEW_MEMBERS,
                                                          target=100, starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=30)))


def drive_target(place):
    drives.drive_targets_set(actor=place.cadre, drive=drive(place), targets={place.town.pk: 10})
    return DriveTarget.objects.get(drive=drive(place), org=place.town)


def prospect_list(place):
    data = f"姓名,身份证号\n张三,{new_id_number(region='440104')}\n".encode()
    made, _ = prospects.prospect_list_upload(actor=place.cadre, org=place.district, source="某外卖平台", data=data)
    return made


def star_award(place):
    return services.member_star_award(actor=place.cadre, membership=member(place), year=2026, stars=3, reason="热心会员服务工作")


def tag(place):
    services.member_tag_set(actor=place.cadre, membership=member(place), add=["夜访入会"])
    return MemberTag.objects.get(membership=member(place), name="夜访入会")


FACTORIES = {
    Membership: member,
    JoinApplication: application,
    JoinCode: lambda place: services.join_code_for(org=place.district),
    JoinPolicy: lambda place: services.join_policy_set(actor=place.cadre, org=place.union, auto_approve=False),
    Transfer: transfer,
    ImpersonationAppeal: appeal,
    Segment: lambda place: segments.segment_save(actor=place.cadre, name="越秀分群", org=place.district, filters=segments.SegmentFilters()),
    ProspectList: prospect_list,
    Drive: drive,
    DriveTarget: drive_target,
    VisitLog: lambda place: drives.visit_log_create(actor=place.cadre, org=place.district, visited_on=timezone.localdate(), place="越秀某园区",
                                                    people_met=5, drive=drive(place)),
    MemberStarAward: star_award,
    MemberTag: tag,
}
