"""Reference data of the register, edited in the admin: deadline rules, the holiday
calendar, fields and agencies. Cases themselves change only through petitions.services."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions

from .deadlines import calendar_warning
from .models import (FORMER_DISTRICT, Agency, AgencyMember, CalendarYear, DeadlineRule, Field, Holiday, Level,
                     WorkingWeekend)


class CalendarWarningMixin:
    """The calendar's lists warn the office while the next 12 months reach into a year whose days off
    are not confirmed (petitions.deadlines.calendar_warning), as the deadlines dashboard does."""

    def changelist_view(self, request, extra_context=None):
        warning = calendar_warning(timezone.localdate())
        if warning:
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(CalendarWarningMixin, admin.ModelAdmin):
    # A new law adds rows with a later valid_from (and closes the old ones with valid_to);
    # editing an old row changes only deadlines opened after the edit. A case follows the row valid
    # on the day it was received. `verified` False: the row's source was not confirmed ("chưa kiểm chứng").
    list_display = ("step", "unit", "days", "days_complex", "days_remote", "days_remote_complex", "days_multi_site",
                    "extension_days", "max_extensions", "valid_from", "valid_to", "verified", "law")
    list_filter = ("verified", "unit", "valid_from")
    search_fields = ("step", "law")
    ordering = ("step", "-valid_from")


@admin.register(Holiday)
class HolidayAdmin(CalendarWarningMixin, admin.ModelAdmin):
    list_display = ("date", "name", "status", "source")
    list_filter = ("status",)
    date_hierarchy = "date"
    search_fields = ("name", "source")


@admin.register(WorkingWeekend)
class WorkingWeekendAdmin(CalendarWarningMixin, admin.ModelAdmin):
    list_display = ("date", "name", "status", "source")
    list_filter = ("status",)
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarWarningMixin, admin.ModelAdmin):
    list_display = ("year", "confirmed", "source")
    list_filter = ("confirmed",)


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "code")
    search_fields = ("name", "name_en", "code")
    prepopulated_fields = {"code": ("name",)}


class AgencyMemberInline(admin.TabularInline):
    """An agency's desk users. Nobody but a superuser adds, changes or removes a desk of their own
    account (accounts.permissions.may_assign_desk): a desk reads and answers the agency's transfers."""

    model = AgencyMember
    extra = 0
    autocomplete_fields = ("user",)

    def get_formset(self, request, obj=None, **kwargs):
        base = super().get_formset(request, obj, **kwargs)

        class DeskFormSet(base):
            def clean(self):
                super().clean()
                accounts = set()
                for form in self.forms:
                    if not form.has_changed() and not self._should_delete_form(form):
                        continue
                    # The account the row had (initial) and the one it gets: both are given or lose a desk.
                    accounts.add(form.initial.get("user"))
                    after = form.cleaned_data.get("user")
                    accounts.add(after.pk if after is not None else None)
                accounts.discard(None)
                for account in get_user_model().objects.filter(pk__in=accounts):
                    if not permissions.may_assign_desk(request.user, account):
                        raise ValidationError(
                            _("Bạn không thể tự giao hoặc bỏ bàn làm việc của cơ quan cho chính tài khoản của mình; "
                              "hãy đề nghị quản trị hệ thống."), code="own_desk")

        return DeskFormSet


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

    def get_readonly_fields(self, request, obj=None):
        # A district body of before 1/7/2025 keeps its level as recorded, read-only.
        if obj is not None and obj.level == FORMER_DISTRICT:
            return (*super().get_readonly_fields(request, obj), "level")
        return super().get_readonly_fields(request, obj)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "level":
            kwargs["choices"] = Level.choices  # two levels since 1/7/2025: no district for new data
        return super().formfield_for_choice_field(db_field, request, **kwargs)
