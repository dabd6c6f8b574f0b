"""Alerts and rollups are read here, scoped like the pages; the 预警规则 are set here by holders of analytics.rules, for
orgs in their subtree, each save through `rule_save` (checked and audited)."""
from django.contrib import admin

from gonghui.analytics import services
from gonghui.analytics.models import ALERTS, RULES, VIEW, Alert, AlertNote, AlertRoute, AlertRule, TicketDaily
from gonghui.core.admin import OneNotFound, ScopedAdmin


@admin.register(TicketDaily)
class TicketDailyAdmin(ScopedAdmin):
    scope_action = VIEW
    list_display = ("day", "org", "category", "tier", "channel", "employer", "received", "open", "closed")
    list_filter = ("category", "tier", "channel")
    list_select_related = ("org", "employer")


@admin.register(Alert)
class AlertAdmin(ScopedAdmin):
    scope_action = ALERTS
    list_display = ("subject", "level", "state", "rule", "district", "count", "due_at", "created_at")
    list_filter = ("level", "state")
    exclude = ("tickets",)
    list_select_related = ("rule", "district")


@admin.register(AlertRoute)
class AlertRouteAdmin(ScopedAdmin):
    scope_action = ALERTS
    list_display = ("alert", "org", "line")
    list_select_related = ("alert", "org")


@admin.register(AlertNote)
class AlertNoteAdmin(ScopedAdmin):
    scope_action = ALERTS
    list_display = ("alert", "at", "kind", "actor_name")
    list_select_related = ("alert",)


@admin.register(AlertRule)
class AlertRuleAdmin(OneNotFound, admin.ModelAdmin):
    list_display = ("name", "org", "kind", "topic", "window_days", "yellow", "orange", "red", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("org",)
    raw_id_fields = ("org",)

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, RULES)

    def has_module_permission(self, request):
        return services.rules_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return services.rules_admin(request.user)

    def has_add_permission(self, request):
        return services.rules_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return services.rules_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # a rule with alerts stays; switch it off instead

    def save_model(self, request, obj, form, change):
        services.rule_save(actor=request.user, rule=obj)
