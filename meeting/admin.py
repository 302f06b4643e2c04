"""The council's reference data in the Django admin.

Live state of a sitting (status, sequence, announcement, attendance) is read
only here; opening and closing a sitting are admin actions that call
meeting.services, exactly like the chair console."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import actor_for, may_bind_account
from agenda.admin import AgendaItemInline
from audit.operations import ServiceError

from . import services
from .models import Attendance, Body, Member, Membership, Seat, Session, Sitting, Term


def _no_self_binding(form_class, editor, fields, account=lambda value: value):
    """The admin form, refusing a change of `fields` (accounts) that ties the editor's own account to
    a role (accounts.permissions.may_bind_account): only a superuser may. Handing a role of one's own
    to someone else gives oneself nothing, and stays allowed."""

    class Form(form_class):
        def clean(self):
            data = super().clean()
            for name in fields:
                if name not in self.changed_data:
                    continue
                if data.get(name) is not None and not may_bind_account(editor, account(data[name])):
                    self.add_error(name, _("Bạn không thể tự gán vai trò này cho tài khoản của chính mình; "
                                           "hãy đề nghị quản trị hệ thống."))
            return data

    return Form


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("name", "start", "end")
    search_fields = ("name",)


def _own_membership_refused(form_class, editor):
    """A membership gives its member's account that member's role in the body's sittings: nobody but a
    superuser adds or changes one of their own (a clerk who is also a guest member of the council
    would otherwise make themself a voting delegate; accounts.permissions.may_bind_account)."""

    class Form(form_class):
        def clean(self):
            data = super().clean()
            member = data.get("member") or getattr(self.instance, "member", None)
            if (self.has_changed() and isinstance(member, Member)
                    and not may_bind_account(editor, member.user)):
                raise ValidationError(_("Bạn không thể tự gán vai trò này cho tài khoản của chính mình; "
                                        "hãy đề nghị quản trị hệ thống."))
            return data

    return Form


class _OwnMembershipRefused:
    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _own_membership_refused(formset.form, request.user)
        return formset


class MembershipInline(_OwnMembershipRefused, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("member",)


class MemberMembershipInline(_OwnMembershipRefused, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("body",)
    verbose_name_plural = gettext_lazy("cơ quan tham gia")


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "term", "quorum_numerator", "quorum_denominator")
    list_filter = ("kind", "term")
    search_fields = ("name", "short_name")
    inlines = [MembershipInline]


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ("label", "row", "number", "member")
    search_fields = ("label", "member__full_name")
    list_select_related = ("member",)


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    change_list_template = "admin/meeting/member/change_list.html"
    list_display = ("code", "full_name", "kind", "position", "delegate_group", "seat", "user")
    list_filter = ("kind", "delegate_group")
    search_fields = ("full_name", "code", "position", "seat__label")
    list_select_related = ("delegate_group", "seat", "user")
    autocomplete_fields = ("delegate_group", "seat")
    raw_id_fields = ("user",)
    inlines = [MemberMembershipInline]

    def get_form(self, request, obj=None, **kwargs):
        # A member's account gets the member's role in every sitting of their bodies.
        return _no_self_binding(super().get_form(request, obj, **kwargs), request.user, ("user",))


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("member", "body", "role", "active")
    list_filter = ("body", "role", "active")
    search_fields = ("member__full_name", "member__code", "body__name")
    autocomplete_fields = ("member", "body")

    def get_form(self, request, obj=None, **kwargs):
        return _own_membership_refused(super().get_form(request, obj, **kwargs), request.user)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("title", "number", "body", "kind", "is_public", "start_date", "end_date")
    list_filter = ("kind", "is_public", "body")
    search_fields = ("title",)
    date_hierarchy = "start_date"


def _run(modeladmin, request, queryset, service, done_message):
    ok = 0
    for sitting in queryset:
        try:
            service(actor_for(sitting, user=request.user), sitting.pk)
            ok += 1
        except ServiceError as e:
            modeladmin.message_user(request, f"{sitting}: {e.message}", messages.ERROR)
    if ok:
        modeladmin.message_user(request, done_message % {"n": ok}, messages.SUCCESS)


@admin.register(Sitting)
class SittingAdmin(admin.ModelAdmin):
    list_display = ("title", "body", "session", "starts_at", "status", "is_public", "chair", "secretary")
    list_filter = ("status", "body", "is_public")
    search_fields = ("title", "place")
    date_hierarchy = "starts_at"
    raw_id_fields = ("chair", "secretary")
    readonly_fields = ("status", "seq", "opened_at", "closed_at", "announcement", "announcement_at", "seat_codes")
    inlines = [AgendaItemInline]
    actions = ["open_sittings", "close_sittings"]

    def get_form(self, request, obj=None, **kwargs):
        return _no_self_binding(super().get_form(request, obj, **kwargs), request.user, ("chair", "secretary"))

    @admin.display(description=gettext_lazy("mã QR điểm danh tại ghế"))
    def seat_codes(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        return format_html('<a href="{}">{}</a>', reverse("meeting:seat_codes", args=[obj.pk]), _("In mã QR các ghế"))

    def has_delete_permission(self, request, obj=None):
        # A sitting that has been held is a record; only a planned one can be deleted.
        if obj is not None and obj.status != Sitting.Status.SCHEDULED:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=gettext_lazy("Khai mạc các phiên họp đã chọn"), permissions=["change"])
    def open_sittings(self, request, queryset):
        _run(self, request, queryset, services.open_sitting, _("Đã khai mạc %(n)d phiên họp."))

    @admin.action(description=gettext_lazy("Bế mạc các phiên họp đã chọn"), permissions=["change"])
    def close_sittings(self, request, queryset):
        _run(self, request, queryset, services.close_sitting, _("Đã bế mạc %(n)d phiên họp."))


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    """Read-only: attendance is recorded in the sitting (terminal, seat QR code, secretary)."""

    list_display = ("sitting", "member", "status", "method", "reason", "at")
    list_filter = ("status", "method", "sitting")
    search_fields = ("member__full_name", "member__code")
    list_select_related = ("sitting", "member")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
