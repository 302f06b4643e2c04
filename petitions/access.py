"""The facts of the petitions module that accounts.permissions asks (its rules stay there):
registered from PetitionsConfig.ready(), so the core imports nothing of petitions."""

from django.db.models import Q

from accounts import permissions, providers

from .identity import IDENTITY_FIELDS, person_keys
from .models import Agency, AgencyMember, Case, Identity


def other_cases_of_sender(case):
    """The other cases of the sender of `case` (same folded name with the same phone or email)."""
    row = Identity.objects.filter(case_id=case.pk).values(*IDENTITY_FIELDS).first()
    keys = person_keys(row) if row else []
    if not keys:
        return Case.objects.none()
    same = Q(identity__person_key__in=keys) | Q(identity__person_key_alt__in=keys)
    return Case.objects.filter(same).exclude(pk=case.pk)


def cases_of_denouncers():
    """The cases whose sender (same folded name with the same phone or email) filed a case that is or
    was a denunciation: other_cases_of_sender for every denouncer at once, as a query."""
    protected = Identity.objects.filter(Q(case__kind=Case.Kind.DENUNCIATION) | Q(case__identity_protected=True))
    keys = protected.exclude(person_key="").values("person_key")
    alt_keys = protected.exclude(person_key_alt="").values("person_key_alt")
    return Case.objects.filter(Q(identity__person_key__in=keys) | Q(identity__person_key__in=alt_keys)
                               | Q(identity__person_key_alt__in=keys) | Q(identity__person_key_alt__in=alt_keys))


def agencies_of(user):
    """The agencies whose desk this user works (None: nobody signed in)."""
    if user is None:
        return Agency.objects.none()
    return Agency.objects.filter(members__user=user, active=True)


def desks_within_issuer(issuer, target) -> bool:
    """A pairing code only for someone who works no agency desk the issuer does not work."""
    desks = AgencyMember.objects.values_list("agency_id", flat=True)
    return set(desks.filter(user=target)) <= set(desks.filter(user=issuer))


def exclude_other_desks(queryset, issuer):
    """desks_within_issuer as a filter over users."""
    other_desks = AgencyMember.objects.exclude(agency_id__in=AgencyMember.objects.filter(user=issuer).values("agency_id"))
    return queryset.exclude(agency_memberships__in=other_desks)


def register():
    providers.provide("petitions.other_cases_of_sender", other_cases_of_sender)
    providers.provide("petitions.agencies_of", agencies_of)
    providers.provide("petitions.cases_of_denouncers", cases_of_denouncers)
    permissions.register_pairing_limit(desks_within_issuer, exclude_other_desks)
