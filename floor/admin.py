"""The floor in the admin: each body's rules and the issue groups for questioning are edited here
(every edit reaches the sitting's clients: they are registered sources); requests and speeches
are the record of what happened, read only (they change through the console, floor.services)."""

from django.contrib import admin

from .models import Commitment, FloorRules, IssueGroup, Request, Speech


@admin.register(FloorRules)
class FloorRulesAdmin(admin.ModelAdmin):
    list_display = ("body", "priority_first", "only_present", "speech_seconds", "reply_seconds", "order_seconds",
                    "question_seconds", "answer_seconds")
    list_select_related = ("body",)


@admin.register(IssueGroup)
class IssueGroupAdmin(admin.ModelAdmin):
    list_display = ("title", "sitting", "item", "position")
    list_filter = ("sitting",)
    filter_horizontal = ("officials",)
    list_select_related = ("sitting", "item")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Request)
class RequestAdmin(ReadOnly):
    list_display = ("number", "member", "kind", "status", "sitting", "item", "requested_at", "added_by")
    list_filter = ("kind", "status", "sitting")
    search_fields = ("member__full_name", "text")
    list_select_related = ("member", "sitting", "item", "added_by")


@admin.register(Speech)
class SpeechAdmin(ReadOnly):
    list_display = ("member", "kind", "sitting", "item", "started_at", "ended_at", "limit_s", "extra_s", "paused_s",
                    "ending")
    list_filter = ("kind", "ending", "sitting")
    search_fields = ("member__full_name",)
    list_select_related = ("member", "sitting", "item")


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ("text", "official", "question", "due", "recorded_at")
    list_select_related = ("official", "question")
    readonly_fields = ("question", "official", "recorded_at", "recorded_by")

    def has_add_permission(self, request):
        return False  # recorded from the console, against the question answered
