from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.operations import ServiceError

from . import permissions, services
from .models import Device, PairingToken

# ---- accounts and groups: no role gives itself more rights (accounts.permissions) ----------
#
# Django's own UserAdmin and GroupAdmin (registered when django.contrib.auth.admin is imported,
# above) let anyone holding auth.change_user tick is_superuser on their own account; they are
# replaced by these, which ask the rules of accounts/permissions.py on top of the model permissions.

PRIVILEGED_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


class UserAdmin(DjangoUserAdmin):
    """Only a superuser changes is_superuser, is_staff, groups and permissions; anyone else changes,
    sets the password of, or deletes only an account whose rights do not exceed their own."""

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if permissions.may_grant_rights(request.user):
            return fields
        return fields + tuple(f for f in PRIVILEGED_FIELDS if f not in fields)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or permissions.may_change_account(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or permissions.may_change_account(request.user, obj))


class GroupAdmin(DjangoGroupAdmin):
    """A group gets only permissions its editor holds; a group holding more is not theirs to change."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if db_field.name == "permissions" and field is not None:
            field.queryset = permissions.grantable_permissions(request.user, field.queryset)
        return field

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or permissions.may_change_group(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or permissions.may_change_group(request.user, obj))


for _model, _admin in ((get_user_model(), UserAdmin), (Group, GroupAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    """Devices are created by pairing (a QR code) and ended by revoking, never edited by hand."""

    list_display = ("label", "kind", "user", "display", "paired_at", "revoked")
    list_filter = ("kind", "revoked")
    search_fields = ("label", "user__username", "user__first_name", "display__name")
    readonly_fields = ("kind", "label", "user", "display", "paired_at", "revoked")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Thu hồi các thiết bị đã chọn (đăng xuất ngay)"), permissions=["view"])
    def revoke(self, request, queryset):
        try:
            n = services.revoke_devices(request.user, queryset.values_list("pk", flat=True))
        except ServiceError as e:
            self.message_user(request, e.message, messages.ERROR)
            return
        self.message_user(request, _("Đã thu hồi %(n)d thiết bị.") % {"n": n}, messages.SUCCESS)


@admin.register(PairingToken)
class PairingTokenAdmin(admin.ModelAdmin):
    """Read-only: codes are issued from the device page and used by scanning them."""

    list_display = ("purpose", "user", "display", "created_by", "created_at", "expires_at", "used_at", "device")
    list_filter = ("purpose",)
    search_fields = ("user__username", "user__first_name", "display__name")
    exclude = ("jti",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
