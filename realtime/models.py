from django.conf import settings
from django.db import models


class SittingEvent(models.Model):
    """The ordered log of a sitting's events, for replay to clients that missed some."""

    sitting = models.ForeignKey(settings.HUB_SITTING_MODEL, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=60)
    data = models.JSONField()
    at = models.DateTimeField(auto_now_add=True)
    # Set once the event has been handed to the channel layer for every audience; null
    # while it is in flight, and for good when publishing failed (Redis down or frozen,
    # the worker died after commit): the hub's recovery republishes it from here.
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sitting", "seq"]
        constraints = [models.UniqueConstraint(fields=["sitting", "seq"], name="event_seq_unique")]
        # The recovery's question "what is still unpublished?" reads a small partial index.
        indexes = [models.Index(fields=["sitting", "seq"], condition=models.Q(published_at__isnull=True),
                                name="event_unpublished")]


class CommandOutcome(models.Model):
    """The one outcome of a hub command, by its sender and id (docs/decisions/0005).

    Written in the same transaction as the change the command made, so a change that
    committed always has its outcome and a rolled-back one has none. The same id sent
    again, on any connection or worker, is answered from here and runs nothing.
    Kept HUB_COMMAND_OUTCOME_DAYS days (`manage.py prune_hub_log`)."""

    # "device:12" for a paired device, else "user:7"; anonymous observers store nothing.
    who = models.CharField(max_length=40)
    # The client's id as sent, typed: "s:<string>" or "i:<integer>" (so 5 and "5" differ).
    command_id = models.CharField(max_length=70)
    # A plain number, not a foreign key: inserted before the sitting row is locked,
    # a key would take a share lock on that row that deadlocks two racing commands.
    sitting_id = models.PositiveBigIntegerField()
    cmd = models.CharField(max_length=60)
    # sha256 of the command and its arguments: the same id with other arguments is refused.
    fingerprint = models.CharField(max_length=64)
    ok = models.BooleanField()
    result = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        # Per sitting too: a client that numbers its commands per connection (1, 2, …) cannot
        # collide with its own commands of another sitting.
        constraints = [models.UniqueConstraint(fields=["who", "sitting_id", "command_id"], name="command_outcome_unique")]

    def __str__(self):
        return f"{self.who} {self.command_id} {self.cmd} {'ok' if self.ok else 'refused'}"


class MemberEvent(models.Model):
    """The stored per-member events of a sitting: what one member alone was told, for their catch-up
    (docs/decisions/0008). Numbered per member and sitting by `pseq` (MemberCounter), apart from
    the sitting's seq. An event registered never stored (`store=False`) has no row here."""

    sitting = models.ForeignKey(settings.HUB_SITTING_MODEL, on_delete=models.CASCADE, related_name="member_events")
    # A plain number, not a key: the core knows no member model (the registry's modules do).
    member_id = models.PositiveBigIntegerField()
    pseq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=60)
    data = models.JSONField()
    at = models.DateTimeField(auto_now_add=True)
    # As SittingEvent.published_at: null while in flight, and for good when publishing failed;
    # the hub's recovery republishes it from here.
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sitting", "member_id", "pseq"]
        constraints = [models.UniqueConstraint(fields=["sitting", "member_id", "pseq"], name="member_event_pseq_unique")]
        indexes = [models.Index(fields=["sitting", "member_id", "pseq"], condition=models.Q(published_at__isnull=True),
                                name="member_event_unpublished")]


class MemberCounter(models.Model):
    """A member's per-member event counter in a sitting: the `pseq` of their last stored event.
    Kept apart from the events, so that pruning the events never numbers new ones again from 1."""

    sitting = models.ForeignKey(settings.HUB_SITTING_MODEL, on_delete=models.CASCADE, related_name="member_counters")
    member_id = models.PositiveBigIntegerField()
    pseq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sitting", "member_id"], name="member_counter_unique")]
