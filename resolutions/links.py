"""What links a resolution to the rest of the council's work, read-only (the changes are
resolutions.services: link_petition, track_petition, track_commitment).

- Voters' petitions the resolution answers (PetitionAnswer): voter petitions only, never a case
  whose sender is a protected denouncer (accounts.permissions.unprotected_cases), whatever was
  linked.
- Commitments made while answering questions (floor.Commitment) about it: those on the agenda item
  where the resolution was put to the vote (the question's item or its issue group's item), and
  those whose text or question names the resolution's number and symbol; with their task if followed.
- Its supervisions.

`for_resolution` gives a page everything at once; the partial
templates/resolutions/supervision/_resolution_links.html shows it (context name `related`: the resolution page already has `links`, the amends/replaces links)."""

from __future__ import annotations

from django.db.models import Q

from accounts.permissions import unprotected_cases

from . import progress
from .models import PetitionAnswer, Task


def voter_petitions(queryset):
    """The cases of `queryset` that this module may show or follow: voter petitions, unprotected."""
    return unprotected_cases(queryset.filter(kind="voter_petition"))


def commitments_about(resolution):
    from floor.models import Commitment

    condition = Q(pk__in=[])
    if resolution.agenda_item_id:
        condition |= Q(question__item_id=resolution.agenda_item_id) | Q(question__issue__item_id=resolution.agenda_item_id)
    if resolution.number:
        condition |= Q(text__icontains=resolution.number) | Q(question__text__icontains=resolution.number)
    return (Commitment.objects.filter(condition)
            .select_related("official", "question__sitting").order_by("recorded_at", "id"))


def _tasks_with_progress(tasks):
    tasks = list(tasks.select_related("lead_agency").prefetch_related("indicators", "milestones"))
    share = progress.tasks_progress(tasks)
    return {t.pk: (t, progress.percent(share[t.pk])) for t in tasks}


def for_resolution(resolution) -> dict:
    """{"petitions": [{"case", "note", "linked_at", "task", "progress"}], "commitments": [{"commitment",
    "task", "progress"}], "supervisions": [Supervision]} for `resolution`'s page."""
    from petitions.models import Case

    cases = voter_petitions(Case.objects.filter(answering_resolutions__resolution=resolution))
    answers = (PetitionAnswer.objects.filter(resolution=resolution, case__in=cases)
               .select_related("case", "case__agency").order_by("linked_at", "id"))
    answers = list(answers)
    petition_tasks = _tasks_with_progress(Task.objects.filter(petition__in=[a.case_id for a in answers]))
    by_case = {t.petition_id: (t, p) for t, p in petition_tasks.values()}
    petitions = [{"case": a.case, "note": a.note, "linked_at": a.linked_at,
                  "task": by_case.get(a.case_id, (None, None))[0], "progress": by_case.get(a.case_id, (None, None))[1]}
                 for a in answers]
    commitments = list(commitments_about(resolution))
    commitment_tasks = _tasks_with_progress(Task.objects.filter(commitment__in=commitments))
    by_commitment = {t.commitment_id: (t, p) for t, p in commitment_tasks.values()}
    return {
        "petitions": petitions,
        "commitments": [{"commitment": c, "task": by_commitment.get(c.pk, (None, None))[0],
                         "progress": by_commitment.get(c.pk, (None, None))[1]} for c in commitments],
        "supervisions": list(resolution.supervisions.select_related("body").order_by("-created_at", "id")),
    }
