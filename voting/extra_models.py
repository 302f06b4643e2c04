"""Voting's records kept beside the polls (imported by voting.models, so Django finds them):

- `BoardMember`, `CountApproval`: the ballot-counting board elected for a session, and its
  approval of a secret round's count (voting/board.py);
- `VoteLink`: the append-only, hash-chained record of every poll event and ballot, one chain per
  sitting (voting/chain.py). A secret ballot's link says only that a ballot was cast in the round:
  no voter, no choice; the round's close carries the digest of its urn.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BoardMember(models.Model):
    """A member of the ballot-counting board (Ban kiểm phiếu) elected for a session (kỳ họp)."""

    session = models.ForeignKey("meeting.Session", on_delete=models.CASCADE, related_name="counting_board",
                                verbose_name=_("kỳ họp"))
    member = models.ForeignKey("meeting.Member", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("đại biểu"))
    head = models.BooleanField(_("trưởng ban"), default=False)

    class Meta:
        app_label = "voting"
        ordering = ["-head", "member__full_name"]
        verbose_name = _("thành viên Ban kiểm phiếu")
        verbose_name_plural = _("Ban kiểm phiếu")
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="board_member_unique")]


class CountApproval(models.Model):
    """The board's approval of a secret round's count: once, with the board as it was then."""

    round = models.OneToOneField("voting.Round", on_delete=models.PROTECT, primary_key=True, related_name="approval")
    approved_at = models.DateTimeField(_("phê chuẩn lúc"))
    board = models.JSONField(_("Ban kiểm phiếu"))  # [{"member_id", "name", "head"}]

    class Meta:
        app_label = "voting"
        verbose_name = _("phê chuẩn kết quả kiểm phiếu")
        verbose_name_plural = _("phê chuẩn kết quả kiểm phiếu")


class VoteLink(models.Model):
    """One link of a sitting's voting chain: hash = sha256(prev_hash + the link's canonical JSON).
    Written in the transaction of the change it records; never updated, never deleted."""

    sitting_id = models.BigIntegerField(db_index=True)  # not a foreign key: nothing cascades into the chain
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=30)
    at = models.DateTimeField()
    data = models.JSONField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        app_label = "voting"
        ordering = ["sitting_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["sitting_id", "seq"], name="vote_link_seq_unique")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("the voting chain is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("the voting chain is append-only")
