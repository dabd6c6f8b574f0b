from django.contrib import admin

from gonghui.core.admin import ScopedAdmin
from gonghui.members.models import (
    Drive,
    DriveTarget,
    ImpersonationAppeal,
    JoinApplication,
    JoinCode,
    JoinPolicy,
    MemberStarAward,
    Membership,
    ProspectList,
    Segment,
    Transfer,
    VisitLog,
)


class ScopedReadOnlyAdmin(ScopedAdmin):
    """Member records change only through the services; the admin shows what the user may read of them."""

    scope_action = "members.view"


@admin.register(Membership)
class MembershipAdmin(ScopedReadOnlyAdmin):
    list_display = ("member_number", "person", "union", "status", "joined_on")
    list_filter = ("status",)
    search_fields = ("member_number",)


@admin.register(JoinApplication)
class JoinApplicationAdmin(ScopedReadOnlyAdmin):
    list_display = ("id", "person", "union", "in_holding_pool", "status", "due_at", "overdue_flagged_at")
    list_filter = ("status", "in_holding_pool")


@admin.register(Transfer)
class TransferAdmin(ScopedReadOnlyAdmin):
    list_display = ("id", "membership", "from_union", "to_union", "status")


@admin.register(ImpersonationAppeal)
class AppealAdmin(ScopedReadOnlyAdmin):
    list_display = ("id", "membership", "status", "decided_at")


@admin.register(JoinCode)
class JoinCodeAdmin(ScopedReadOnlyAdmin):
    list_display = ("org", "token", "scan_count")


@admin.register(JoinPolicy)
class JoinPolicyAdmin(ScopedReadOnlyAdmin):
    list_display = ("org", "auto_approve")


@admin.register(Segment)
class SegmentAdmin(ScopedReadOnlyAdmin):
    list_display = ("name", "org", "created_by", "created_at")


@admin.register(ProspectList)
class ProspectListAdmin(ScopedReadOnlyAdmin):
    list_display = ("source", "org", "total", "already_members", "purge_on", "purged_at")


@admin.register(Drive)
class DriveAdmin(ScopedReadOnlyAdmin):
    list_display = ("name", "org", "metric", "target", "starts_on", "ends_on")


@admin.register(DriveTarget)
class DriveTargetAdmin(ScopedReadOnlyAdmin):
    list_display = ("drive", "org", "target")


@admin.register(VisitLog)
class VisitLogAdmin(ScopedReadOnlyAdmin):
    list_display = ("visited_on", "org", "place", "people_met", "joined_on_spot")


@admin.register(MemberStarAward)
class MemberStarAwardAdmin(ScopedReadOnlyAdmin):
    list_display = ("year", "stars", "membership", "awarded_by", "created_at")
    list_filter = ("year", "stars")
    search_fields = ("membership__member_number",)
    list_select_related = ("membership", "awarded_by")
