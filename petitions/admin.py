"""Reference data of the register, edited in the admin: deadline rules, the holiday
calendar, fields and agencies. Cases themselves change only through petitions.services."""

from django.contrib import admin
from django.db import models

from .models import Agency, AgencyMember, DeadlineRule, Field, Holiday, WorkingWeekend


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    # A new law adds rows with a later valid_from (and closes the old ones with valid_to);
    # editing an old row changes only deadlines opened after the edit.
    list_display = ("step", "unit", "days", "days_complex", "days_remote", "days_remote_complex",
                    "extension_days", "max_extensions", "valid_from", "valid_to")
    list_filter = ("unit",)
    search_fields = ("step", "law")
    ordering = ("step", "-valid_from")


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name")
    date_hierarchy = "date"
    search_fields = ("name",)


@admin.register(WorkingWeekend)
class WorkingWeekendAdmin(admin.ModelAdmin):
    list_display = ("date", "name")
    date_hierarchy = "date"


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


class AgencyMemberInline(admin.TabularInline):
    model = AgencyMember
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "level", "channel", "email", "head", "active")
    list_filter = ("kind", "level", "channel", "active")
    search_fields = ("name", "short_name", "email")
    filter_horizontal = ("fields",)
    autocomplete_fields = ("head",)
    inlines = [AgencyMemberInline]
    # A webhook address typed without a scheme is https (Django 6's default; 5.2 warns without it).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
