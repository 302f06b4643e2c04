from django.contrib import admin

from .models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "outcome", "role", "user", "device", "sitting")
    list_filter = ("outcome", "action", "role")
    date_hierarchy = "at"

    # The audit log is append-only, also from the admin.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
