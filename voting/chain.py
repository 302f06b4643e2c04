"""The voting chain (issue 14, item 6): an append-only, hash-chained record of every poll event and
ballot, one chain per sitting (voting.extra_models.VoteLink), and its verification.

Each link is written in the transaction of the change it records, under the sitting's lock (the
write path holds it; a save from elsewhere, e.g. the admin, takes it here), so the chain has no
gap and no fork, and a change rolled back leaves no link. The hook is Django's post_save on the
voting models, so a save of any of them, whoever makes it, is chained. A new ballot on the
write path is not saved but inserted (`insert_ballot`: its row and its link, a statement each,
the vote burst's cost), and writes the same link itself:

- `poll`: the poll as saved (title, kind, secret, rule, cancelled reason);
- `round`: the round as saved (status, times, counts, result, manual reason, voided reason), with
  the poll's options when it opens; the close of a secret round adds `urn_sha256`, the digest of
  its urn (its ballots sorted: the urn keeps no order);
- `ballot`: an open poll's ballot (`member_id`, `choice`; `changed` when a vote is changed);
  a secret poll's says only `{"round_id"}` — a ballot was cast in this round: no voter, no
  choice, or the chain's order would join it to the named records of the audit log;
- `board`, `approval`: the ballot-counting board elected (voting.board appends it), its approval
  of a count.

hash = sha256(prev_hash + canonical JSON of {seq, kind, at, data}); the first link's prev_hash is
64 zeros. `verify()` walks each chain and reports the first link that breaks it (its own hash, the
previous hash, a missing seq), and a secret round whose urn no longer matches its digest at close.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from realtime.rows import insert_rows

from .extra_models import CountApproval, VoteLink
from .models import OpenBallot, Participation, Poll, Round, Urn

GENESIS = "0" * 64


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def link_hash(prev_hash: str, seq: int, kind: str, at, data) -> str:
    body = canonical({"seq": seq, "kind": kind, "at": at.astimezone(dt.UTC).isoformat(), "data": data})
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def urn_digest(ballots: list) -> str:
    return hashlib.sha256(canonical(sorted(canonical(b) for b in ballots)).encode()).hexdigest()


def append(sitting_id: int, kind: str, data: dict, head: tuple[int, str] | None = None) -> None:
    """Append a link to the sitting's chain, in the transaction of the change it records. `head`:
    the chain's last (seq, hash) as the caller read it under the sitting's lock on the write path
    (a ballot reads it with its round: voting.services._ballot_round); else it is read here, with
    the lock taken. A head gone stale would give a seq already taken: the unique index refuses it.
    The link is one INSERT (realtime.rows: no ORM save to build, a ballot's cost); nothing reads
    its id."""
    from meeting.models import Sitting

    data = json.loads(canonical(data))  # as the JSON field will give it back
    with transaction.atomic(savepoint=False):
        if head is None:
            Sitting.objects.select_for_update().filter(pk=sitting_id).exists()  # held already on the write path
            last = VoteLink.objects.filter(sitting_id=sitting_id).order_by("-seq").values("seq", "hash").first()
            head = (last["seq"], last["hash"]) if last else (0, GENESIS)
        seq, prev = head[0] + 1, head[1]
        at = timezone.now()
        insert_rows(VoteLink, [VoteLink(sitting_id=sitting_id, seq=seq, kind=kind, at=at, data=data, prev_hash=prev,
                                        hash=link_hash(prev, seq, kind, at, data))])


def after(row, seq: int, hash_: str):
    """`row` (a ballot about to be saved) is linked after the chain's head (seq, hash_), read by
    the caller under the sitting's lock: its link costs no read. Returns the row."""
    row._chain_head = (seq, hash_)
    return row


def _head_of(row) -> tuple[int, str] | None:
    return row.__dict__.pop("_chain_head", None)  # once: a row saved again reads the head


# ---- what is chained ------------------------------------------------------------------------

def _poll(sender, instance: Poll, created, raw=False, **kwargs):
    if raw:
        return
    append(instance.sitting_id, "poll", {
        "poll_id": instance.pk, "created": created, "title": instance.title, "kind": instance.kind,
        "secret": instance.secret, "base": instance.base, "num": instance.threshold_num,
        "den": instance.threshold_den, "inclusive": instance.inclusive, "allow_change": instance.allow_change,
        "seats": instance.seats, "duration_s": instance.duration_s, "cancelled_reason": instance.cancelled_reason})


def _round(sender, instance: Round, created, raw=False, **kwargs):
    if raw:
        return
    r = instance
    poll = Poll.objects.only("sitting_id", "secret").get(pk=r.poll_id)
    data = {"round_id": r.pk, "poll_id": r.poll_id, "number": r.number, "status": r.status, "manual": r.manual,
            "manual_reason": r.manual_reason, "opened_at": r.opened_at, "closes_at": r.closes_at,
            "held_at": r.held_at, "closed_at": r.closed_at, "published_at": r.published_at,
            "voided_reason": r.voided_reason, "total": r.total, "present": r.present, "voted": r.voted,
            "result": r.result}
    if created:
        data["options"] = list(poll.options.values_list("key", "label", "member_id"))
    if poll.secret and r.status == Round.Status.CLOSED and not r.manual:
        urn = Urn.objects.filter(round_id=r.pk).values_list("ballots", flat=True).first()
        data["urn_sha256"] = urn_digest(urn or [])
    append(poll.sitting_id, "round", data)


def _sitting_of_round(row) -> int:
    """The sitting of a row of a round: from its round when the row holds it (with its poll)."""
    if type(row).round.is_cached(row) and type(row.round).poll.is_cached(row.round):
        return row.round.poll.sitting_id
    return Round.objects.filter(pk=row.round_id).values_list("poll__sitting_id", flat=True).get()


def _ballot_data(row, created: bool) -> dict:
    if isinstance(row, Participation):
        return {"round_id": row.round_id}  # no voter, no choice
    return {"round_id": row.round_id, "member_id": row.member_id, "choice": row.choice, "changed": not created}


def _open_ballot(sender, instance: OpenBallot, created, raw=False, **kwargs):
    if raw:
        return
    append(_sitting_of_round(instance), "ballot", _ballot_data(instance, created), head=_head_of(instance))


def _participation(sender, instance: Participation, created, raw=False, **kwargs):
    if raw or not created:
        return
    append(_sitting_of_round(instance), "ballot", _ballot_data(instance, True), head=_head_of(instance))


def insert_ballot(row, sitting_id: int, head: tuple[int, str]) -> None:
    """A new ballot (an OpenBallot, or a secret round's Participation) and its link after `head`, as
    `after(row, *head).save(force_insert=True)` writes them, at a statement each: no ORM save to
    build and no signal to send (what a vote burst's ballot cost most: docs/performance.md)."""
    insert_rows(type(row), [row])
    append(sitting_id, "ballot", _ballot_data(row, True), head=head)


def _approval(sender, instance: CountApproval, created, raw=False, **kwargs):
    if raw:
        return
    append(_sitting_of_round(instance), "approval", {
        "round_id": instance.round_id, "approved_at": instance.approved_at, "board": instance.board})


def register():
    """Called from voting.hub.register() (VotingConfig.ready)."""
    for model, handler in ((Poll, _poll), (Round, _round), (OpenBallot, _open_ballot),
                           (Participation, _participation), (CountApproval, _approval)):
        post_save.connect(handler, sender=model, dispatch_uid=f"voting.chain.{model.__name__}")


# ---- verification -----------------------------------------------------------------------------

@dataclass
class Break:
    sitting_id: int
    seq: int | None
    link_id: int | None
    reason: str

    def __str__(self):
        where = f"sitting {self.sitting_id}" + (f", link seq {self.seq} (id {self.link_id})" if self.seq else "")
        return f"{where}: {self.reason}"


def verify_sitting(sitting_id: int) -> Break | None:
    """The first link of the sitting's chain that breaks it, or None."""
    prev, expected = GENESIS, 1
    closes: dict[int, str] = {}
    for link in VoteLink.objects.filter(sitting_id=sitting_id).order_by("seq").iterator():
        if link.seq != expected:
            return Break(sitting_id, link.seq, link.pk, f"link seq {expected} is missing")
        if link.prev_hash != prev:
            return Break(sitting_id, link.seq, link.pk, "its prev_hash is not the previous link's hash")
        if link.hash != link_hash(link.prev_hash, link.seq, link.kind, link.at, link.data):
            return Break(sitting_id, link.seq, link.pk, "its content does not match its hash (changed)")
        if link.kind == "round" and "urn_sha256" in link.data:
            closes[link.data["round_id"]] = link.data["urn_sha256"]
        prev, expected = link.hash, expected + 1
    for round_id, digest in sorted(closes.items()):
        urn = Urn.objects.filter(round_id=round_id).values_list("ballots", flat=True).first()
        if urn is not None and urn_digest(urn) != digest:
            return Break(sitting_id, None, None, f"the urn of round {round_id} no longer matches its digest at close")
    return None


def verify() -> list[Break]:
    """Every sitting's chain: the first break of each chain that has one."""
    sittings = VoteLink.objects.order_by("sitting_id").values_list("sitting_id", flat=True).distinct()
    return [b for b in (verify_sitting(s) for s in sittings) if b is not None]
