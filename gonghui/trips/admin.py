"""疗休养 rows are read here, scoped like every page; changes go through the services on the 工作台 (places, the ledger and
budgets must never be edited by hand)."""
from django.contrib import admin

from gonghui.core.admin import ScopedAdmin
from gonghui.trips.models import VIEW, Base, Batch, Budget, Departure, FundingPolicy, LedgerEntry, ModelWorker, Participant, Route, SubsidyClaim


class ReadOnly(ScopedAdmin):
    scope_action = VIEW


@admin.register(Base)
class BaseAdmin(ReadOnly):
    list_display = ("name", "province", "org", "accredited_from", "accredited_to", "status")
    list_filter = ("status", "province")
    search_fields = ("name", "address")
    list_select_related = ("org",)


@admin.register(Route)
class RouteAdmin(ReadOnly):
    list_display = ("title", "base", "org", "days", "price_fen", "eligibility", "status")
    list_filter = ("status", "eligibility")
    search_fields = ("title",)
    list_select_related = ("base", "org")


@admin.register(Departure)
class DepartureAdmin(ReadOnly):
    list_display = ("route", "starts_on", "capacity", "taken")
    list_select_related = ("route",)


@admin.register(Batch)
class BatchAdmin(ReadOnly):
    list_display = ("org", "departure", "status", "created_at")
    list_select_related = ("org", "departure__route")


@admin.register(Participant)
class ParticipantAdmin(ReadOnly):
    list_display = ("member_number", "departure", "status", "price_fen", "subsidy_fen", "match_fen", "own_fen")
    list_filter = ("status",)
    exclude = ("person", "requested_by")
    list_select_related = ("departure__route",)


@admin.register(SubsidyClaim)
class SubsidyClaimAdmin(ReadOnly):
    list_display = ("org", "federation", "people", "amount_fen", "status", "created_at")
    list_filter = ("status",)
    list_select_related = ("org", "federation")


@admin.register(Budget)
class BudgetAdmin(ReadOnly):
    list_display = ("org", "year", "amount_fen")


@admin.register(FundingPolicy)
class FundingPolicyAdmin(ReadOnly):
    list_display = ("org", "year", "subsidy_fen", "match_ratio")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnly):
    list_display = ("org", "year", "kind", "amount_fen", "at")
    list_filter = ("kind", "year")


@admin.register(ModelWorker)
class ModelWorkerAdmin(ReadOnly):
    list_display = ("__str__", "org", "created_at")
    exclude = ("name", "id_number", "id_index", "name_index")
