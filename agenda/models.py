from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgendaItem(models.Model):
    """One item of a sitting's agenda; items form an ordered tree (parent, position)."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Báo cáo")
        SUBMISSION = "submission", _("Tờ trình")
        DRAFT_RESOLUTION = "draft_resolution", _("Dự thảo nghị quyết")
        QUESTIONING = "questioning", _("Chất vấn")
        ELECTION = "election", _("Bầu cử")
        OTHER = "other", _("Khác")

    class Status(models.TextChoices):
        PENDING = "pending", _("Chưa thực hiện")
        CURRENT = "current", _("Đang thực hiện")
        DONE = "done", _("Đã xong")
        POSTPONED = "postponed", _("Hoãn")

    sitting = models.ForeignKey("meeting.Sitting", on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("phiên họp"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children", verbose_name=_("mục cha"))
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    title = models.CharField(_("nội dung"), max_length=500)
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    presenter = models.CharField(_("người trình bày"), max_length=300, blank=True)
    planned_minutes = models.PositiveIntegerField(_("thời lượng dự kiến (phút)"), default=0)
    # Live state, changed only by agenda.services.
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.PENDING, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)  # start of the current run, while current
    # Seconds spent in earlier runs, to the millisecond: four runs of 0.7 s are 2.8 s, not 0.
    elapsed_before_s = models.FloatField(default=0, editable=False)

    class Meta:
        ordering = ["sitting", "parent_id", "position", "id"]
        verbose_name = _("mục chương trình")
        verbose_name_plural = pgettext_lazy("plural", "mục chương trình")

    def __str__(self):
        return self.title
