"""Orders are read here, scoped like every page (changes go through the services on the 工作台); the 时限标准 are edited here
by province-level administrators, each change through `sla_policy_set` (audited)."""
from django.contrib import admin

from gonghui.core.admin import ScopedAdmin
from gonghui.tickets import services
from gonghui.tickets.models import (
    VIEW,
    Attachment,
    DutyShift,
    Extension,
    FollowUp,
    Review,
    SlaPolicy,
    Supervision,
    Ticket,
    TicketEvent,
    TicketHolding,
    TicketParty,
)


class ScopedReadOnlyAdmin(ScopedAdmin):
    scope_action = VIEW


@admin.register(Ticket)
class TicketAdmin(ScopedReadOnlyAdmin):
    list_display = ("number", "title", "category", "urgency", "state", "holder", "due_at", "created_at")
    list_filter = ("state", "category", "urgency", "tier", "channel")
    search_fields = ("number", "employer_name")
    exclude = ("caller_name", "caller_phone", "callback_phone", "caller_name_index", "caller_phone_index", "query_code_index", "form_token")
    list_select_related = ("holder",)


@admin.register(TicketEvent)
class TicketEventAdmin(ScopedReadOnlyAdmin):
    list_display = ("ticket", "at", "kind", "actor_name", "org", "visible_to_worker")
    list_filter = ("kind",)
    list_select_related = ("ticket", "org")


@admin.register(TicketHolding)
class TicketHoldingAdmin(ScopedReadOnlyAdmin):
    list_display = ("ticket", "org", "how", "since", "until")
    list_select_related = ("ticket", "org")


@admin.register(TicketParty)
class TicketPartyAdmin(ScopedReadOnlyAdmin):
    list_display = ("ticket", "kind", "org", "employer", "person", "note", "created_at")
    list_select_related = ("ticket", "org", "employer", "person")


@admin.register(Attachment)
class AttachmentAdmin(ScopedReadOnlyAdmin):
    list_display = ("ticket", "name", "size", "from_worker", "created_at")
    exclude = ("file",)  # opened only through the audited view


@admin.register(Extension)
class ExtensionAdmin(ScopedReadOnlyAdmin):
    list_display = ("ticket", "org", "amount", "unit", "status", "old_due_at", "new_due_at")


@admin.register(Supervision)
class SupervisionAdmin(ScopedReadOnlyAdmin):
    list_display = ("ticket", "kind", "org", "holder", "created_at")


@admin.register(FollowUp)
class FollowUpAdmin(ScopedReadOnlyAdmin):
    list_display = ("ticket", "result", "by_worker", "holder", "created_at")


@admin.register(Review)
class ReviewAdmin(ScopedReadOnlyAdmin):
    list_display = ("ticket", "stage", "org", "due_at", "decided_at", "outcome")
    list_filter = ("stage", "outcome")
    list_select_related = ("ticket", "org")


@admin.register(DutyShift)
class DutyShiftAdmin(ScopedReadOnlyAdmin):
    list_display = ("org", "user", "starts_at", "ends_at")


LIMITS = ("ack", "accept", "resolve", "bounce", "follow_up")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "accept_amount", "accept_unit", "resolve_amount", "resolve_unit", "extension_max")
    list_filter = ("category", "urgency", "tier")
    readonly_fields = ("category", "urgency", "tier")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return services.sla_admin(request.user)

    def save_model(self, request, obj, form, change):
        limits = {name: (form.cleaned_data[f"{name}_amount"], form.cleaned_data[f"{name}_unit"]) for name in LIMITS}
        services.sla_policy_set(actor=request.user, policy_id=obj.pk, limits={**limits, "extension_max": form.cleaned_data["extension_max"]})
