"""Resolutions in the admin, for reference: what changes does so through resolutions.services (the
office's pages do the same), audited. A resolution's own fields save through create_resolution /
update_resolution, only those its status allows; the status, number and dates only through a step of
the lifecycle on the office's page. Tasks, reports and supervisions are read-only here (their pages
and services write them). Nothing is deleted from the admin: the audit trail points at it."""

from django.contrib import admin, messages

from audit.operations import ServiceError

from . import services
from .models import (Indicator, IndicatorValue, Milestone, ProgressReport, Recommendation, Resolution,
                     ResolutionDocument, ResolutionLink, Supervision, Task, Transition)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TransitionInline(ReadOnlyInline):
    model = Transition
    fields = ("at", "from_status", "to_status", "by", "note")
    readonly_fields = fields


class DocumentInline(ReadOnlyInline):
    model = ResolutionDocument
    fields = ("document", "role", "added_at")
    readonly_fields = fields


class LinkInline(ReadOnlyInline):
    model = ResolutionLink
    fk_name = "source"
    fields = ("kind", "target")
    readonly_fields = fields


ALL_FIELDS = ("title", "area", "term", "planned_year", "planned_session", "lead_agency", "reviewing_committee",
              "public", "agenda_item", "poll", "number", "decided_on", "signed_document", "effective_on")


@admin.register(Resolution)
class ResolutionAdmin(admin.ModelAdmin):
    list_display = ("title", "number", "planned_year", "area", "status", "lead_agency")
    list_filter = ("status", "area", "planned_year", "term")
    search_fields = ("title", "number")
    fields = (*ALL_FIELDS, "status", "status_changed_at", "created_by")
    inlines = [TransitionInline, DocumentInline, LinkInline]

    def get_readonly_fields(self, request, obj=None):
        editable = services.EDITABLE[obj.status] if obj else services.PLAN_FIELDS
        return tuple(f for f in self.fields if f not in editable)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        try:
            if change:
                if values:
                    services.update_resolution(request.user, Resolution.objects.get(pk=obj.pk), **values)
                obj.refresh_from_db()
            else:
                made = services.create_resolution(request.user, **{name: form.cleaned_data[name]
                                                                   for name in services.PLAN_FIELDS
                                                                   if name in form.cleaned_data})
                obj.pk = made.pk
                obj.refresh_from_db()
        except ServiceError as e:
            self.message_user(request, e.message, messages.ERROR)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IndicatorInline(ReadOnlyInline):
    model = Indicator
    fields = ("name", "unit", "baseline", "target", "weight")
    readonly_fields = fields


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ("title", "due_on", "weight", "done_on")
    readonly_fields = fields


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("title", "lead_agency", "due_on", "status", "resolution")
    list_filter = ("status", "lead_agency")
    search_fields = ("title",)
    inlines = [IndicatorInline, MilestoneInline]


class ValueInline(ReadOnlyInline):
    model = IndicatorValue
    fields = ("indicator", "value")
    readonly_fields = fields


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ("task", "agency", "reported_at", "claims_done")
    list_filter = ("agency",)
    inlines = [ValueInline]


class RecommendationInline(ReadOnlyInline):
    model = Recommendation
    fields = ("agency", "text", "due_on")
    readonly_fields = fields


@admin.register(Supervision)
class SupervisionAdmin(ReadOnlyAdmin):
    list_display = ("title", "body", "status", "starts_on", "ends_on")
    list_filter = ("status", "body")
    search_fields = ("title",)
    inlines = [RecommendationInline]
