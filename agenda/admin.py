"""Agenda planning in the admin: items can be edited while their sitting is
scheduled. Once it is live, the agenda changes only through agenda.services
(the chair console), so every client sees the change."""

from django.contrib import admin

from meeting.models import Sitting

from .models import AgendaItem


def _planning(sitting) -> bool:
    return sitting is None or sitting.status == Sitting.Status.SCHEDULED


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fk_name = "sitting"
    fields = ("position", "title", "kind", "presenter", "planned_minutes", "parent", "status")
    readonly_fields = ("status",)
    extra = 0
    ordering = ("parent_id", "position", "id")

    def get_formset(self, request, obj=None, **kwargs):
        self._sitting = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            sitting = getattr(self, "_sitting", None)
            kwargs["queryset"] = AgendaItem.objects.filter(sitting=sitting) if sitting else AgendaItem.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        return _planning(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _planning(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _planning(obj) and super().has_delete_permission(request, obj)


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ("title", "sitting", "parent", "position", "kind", "planned_minutes", "status")
    list_filter = ("kind", "status", "sitting")
    search_fields = ("title", "presenter")
    readonly_fields = ("status",)
    list_select_related = ("sitting", "parent")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "sitting":
            kwargs["queryset"] = Sitting.objects.filter(status=Sitting.Status.SCHEDULED)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return (obj is None or _planning(obj.sitting)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or _planning(obj.sitting)) and super().has_delete_permission(request, obj)
