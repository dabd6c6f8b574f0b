"""Bookings are read here, scoped like every page; changes go through the services on the 工作台 (the seat counters must
never be edited by hand)."""
from django.contrib import admin

from gonghui.bookings.models import VIEW, Amendment, Booking, Lottery, Offering, Registration, Session, Term, WaitlistEntry
from gonghui.core.admin import ScopedAdmin


class ScopedReadOnlyAdmin(ScopedAdmin):
    scope_action = VIEW


@admin.register(Offering)
class OfferingAdmin(ScopedReadOnlyAdmin):
    list_display = ("title", "kind", "org", "status", "opens_at")
    list_filter = ("kind", "status")
    search_fields = ("title", "place")
    list_select_related = ("org",)


@admin.register(Session)
class SessionAdmin(ScopedReadOnlyAdmin):
    list_display = ("offering", "starts_at", "capacity", "taken", "reserved")
    list_select_related = ("offering",)


@admin.register(Booking)
class BookingAdmin(ScopedReadOnlyAdmin):
    list_display = ("code", "session", "status", "checked_in_at", "no_show")
    list_filter = ("status", "no_show")
    search_fields = ("code",)
    exclude = ("topic", "person", "user")  # counselling topics and identities stay out of every list but the counsellor's
    list_select_related = ("session__offering",)


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ScopedReadOnlyAdmin):
    list_display = ("session", "status", "confirm_by", "created_at")
    list_filter = ("status",)
    exclude = ("topic", "user")


@admin.register(Term)
class TermAdmin(ScopedReadOnlyAdmin):
    list_display = ("name", "org", "starts_on", "ends_on", "max_per_person")


@admin.register(Lottery)
class LotteryAdmin(ScopedReadOnlyAdmin):
    list_display = ("session", "status", "closes_at", "draw_issue", "drawn_at")
    list_filter = ("status",)
    list_select_related = ("session__offering",)


@admin.register(Registration)
class RegistrationAdmin(ScopedReadOnlyAdmin):
    list_display = ("code", "lottery", "status", "outcome", "position")
    list_filter = ("status", "outcome")
    search_fields = ("code",)
    exclude = ("user", "person")  # the public knows a receipt code only; the roster page shows masked names to cadres


@admin.register(Amendment)
class AmendmentAdmin(ScopedReadOnlyAdmin):
    list_display = ("lottery", "kind", "code", "reason", "created_at")
