from django.db import models


class SittingEvent(models.Model):
    """The ordered log of a sitting's events, for replay to clients that missed some."""

    sitting = models.ForeignKey("meeting.Sitting", on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=60)
    data = models.JSONField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sitting", "seq"]
        constraints = [models.UniqueConstraint(fields=["sitting", "seq"], name="event_seq_unique")]
