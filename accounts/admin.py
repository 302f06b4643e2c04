from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from realtime.service import ServiceError

from . import services
from .models import Device, PairingToken


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
