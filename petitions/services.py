"""Every change to the register goes through here (CONTRACT — being implemented).

Each call checks the permission (accounts.permissions), validates before
writing, writes rows + a public Milestone where the citizen should see a step
+ an audit record (audit.services.record) in one transaction, and computes
deadlines with petitions.deadlines. Refusals raise PetitionError(code, message)
with a stable code and a clear Vietnamese message.
"""

from realtime.service import ServiceError


class PetitionError(ServiceError):
    """A refused request; `code` is stable (docs/petitions.md)."""


# ---- intake ------------------------------------------------------------------
# submit(actor_user_or_None, *, kind, source, subject, content, identity: dict, field=None,
#        district="", commune="", anonymous=False, remote_area=False, files=(), client=None,
#        forwarded_by_member=None) -> Case
#   Public web form (user None, source "web", client = hashed address for throttling),
#   reception desk / post / email (petition staff), delegate forwarding. Saves Case +
#   Identity (+ CaseFile list, checked) + Milestone("received") + Deadline for the first
#   step (complaint.accept / denunciation.accept / petition.answer...), assigns an
#   unguessable tracking code (petitions.codes.new_code). Returns the case; the receipt is
#   shown only after this returns (the row is committed).
# likely_duplicates(case_or_fields, limit=5) -> list[(Case, score, why)]
#   same person (Identity.person_key) and/or similar subject/content (folded text).
# record_voter_meeting(user, *, held_on, place, district, commune, delegate_group, session, when,
#        voters, delegates, petitions: list[dict]) -> VoterMeeting
#   each petition dict: subject, content, field, level, answered_on_spot, answer_text.
#
# ---- office decisions -----------------------------------------------------------
# classify(user, case, *, kind, field, complexity, remote_area, instance, district) -> Case
# decide(user, case, *, decision, reason="", note="", agency=None) -> Case
#   accept | forward (creates a Transfer, strips identity for denunciations) | guide |
#   not_eligible (reason from Case.Reason required). Never deletes.
# mark_duplicate(user, case, original, note="") -> Case
# extend_deadline(user, case, note) -> Deadline (denunciations: at most the rule's extensions)
# withdraw(user, case, note) -> Case
# review_answer(user, answer, *, approve: bool, note="") -> Answer
# publish_answer(user, case) -> Case   (public Milestone; no personal data ever)
# mark_unsatisfactory(user, case, *, questioning_candidate: bool) -> Case
# reveal_identity(user, case, *, purpose, where) -> Identity   (logs IdentityRead; refuses without the right)
#
# ---- agency desk ----------------------------------------------------------------
# acknowledge(user, transfer) -> Transfer
# ask_clarification(user, transfer, text) -> Transfer
# answer(user, transfer, text, files=()) -> Answer
#
# ---- citizens ---------------------------------------------------------------------
# subscribe(case, email) -> Subscription (sends a confirmation link)
# confirm_subscription(token) -> Subscription
