"""Documents in the admin. What terminals and the hall show of a document changes only through
library.services (the office pages do the same), so every open client is told: the metadata saves
through `update_metadata`, the status through publish and withdraw on the office pages, and a
document is never deleted (withdrawn instead)."""

from django.contrib import admin, messages

from audit.operations import ServiceError

from . import services
from .models import Document, DocumentVersion


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    can_delete = False
    fields = ("number", "original_name", "file_kind", "size", "state", "page_count", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # files arrive through the library's checked upload, never the admin


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("summary", "number", "kind", "access", "status", "session", "issued_on")
    list_filter = ("kind", "access", "status", "session")
    search_fields = ("summary", "number", "issuer")
    readonly_fields = ("status", "published_at", "published_by", "published_late", "created_by")
    fields = (*services.METADATA_FIELDS, *readonly_fields)
    inlines = [VersionInline]

    def has_add_permission(self, request):
        return False  # a document is created with its file, by library.services.upload

    def has_delete_permission(self, request, obj=None):
        return False  # withdrawn, never deleted: read receipts and the audit trail point at it

    def save_model(self, request, obj, form, change):
        meta = {name: form.cleaned_data[name] for name in form.changed_data if name in services.METADATA_FIELDS}
        if not meta:
            return
        try:
            services.update_metadata(request.user, Document.objects.get(pk=obj.pk), **meta)
        except ServiceError as e:
            self.message_user(request, e.message, messages.ERROR)
        obj.refresh_from_db()
