from django.contrib import admin

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
    inlines = [VersionInline]

    def has_add_permission(self, request):
        return False  # a document is created with its file, by library.services.upload
