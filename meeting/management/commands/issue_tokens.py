"""Issue many pairing tokens at once, as JSON: what the benchmark pairs with.

    manage.py issue_tokens --sitting 1 --terminals 500 --displays 20 --console

Terminals go to the sitting's delegates (members of its body, by code),
leaving out its chair and secretary; `--displays D` creates the displays the
sitting lacks so that it has at least D; `--console` adds the chair's console
token. Every token goes through accounts.pairing.issue, so each is exactly the
single-use, purpose-bound token a QR code would carry.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import pairing
from displays.models import Display
from meeting.models import Member, Sitting


class Command(BaseCommand):
    help = "Issue pairing tokens for a sitting's terminals, displays and console; print them as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--sitting", type=int, help="sitting id (default: the demo's opening sitting)")
        parser.add_argument("--terminals", type=int, default=0, help="terminal tokens, one per delegate")
        parser.add_argument("--displays", type=int, default=0, help="display tokens; missing displays are created")
        parser.add_argument("--console", action="store_true", help="also a console token for the sitting's chair")
        parser.add_argument("--ttl", type=int, default=3600, help="token lifetime in seconds")

    def handle(self, *args, sitting, terminals, displays, console, ttl, **options):
        if terminals < 0 or displays < 0 or ttl < 1:
            raise CommandError("--terminals and --displays must be >= 0 and --ttl >= 1")
        s = _sitting(sitting)
        try:
            out = self._issue(s, terminals, displays, console, ttl)
        except pairing.PairingError as e:  # e.g. a chair who is a superuser: never paired (may_issue_pairing)
            raise CommandError(f"{e.code}: {e.message}") from None
        self.stdout.write(json.dumps(out, ensure_ascii=False))

    def _issue(self, s, terminals, displays, console, ttl) -> dict:
        with transaction.atomic():
            out = {"sitting": s.pk, "console": None, "terminals": [], "displays": []}
            if console:
                if s.chair is None:
                    raise CommandError(f"sitting {s.pk} has no chair")
                out["console"] = pairing.issue("console", user=s.chair, ttl=ttl)
            if terminals:
                members = list(
                    Member.objects.filter(kind=Member.Kind.DELEGATE, user__isnull=False, user__is_active=True,
                                          memberships__body_id=s.body_id, memberships__active=True)
                    .exclude(user_id__in=[u for u in (s.chair_id, s.secretary_id) if u])
                    .select_related("user").order_by("code")[:terminals]
                )
                if len(members) < terminals:
                    raise CommandError(f"sitting {s.pk} has {len(members)} delegates besides its chair and "
                                       f"secretary; {terminals} terminals asked (load_demo --delegates {terminals + 1})")
                out["terminals"] = [{"user": m.user.get_username(), "token": pairing.issue("terminal", user=m.user, ttl=ttl)}
                                    for m in members]
            if displays:
                screens = list(Display.objects.filter(sitting=s).order_by("pk"))
                n = 0
                while len(screens) < displays:
                    n += 1
                    name = f"Màn hình {n} — phiên {s.pk}"
                    if not Display.objects.filter(name=name).exists():
                        screens.append(Display.objects.create(name=name, sitting=s))
                out["displays"] = [{"display": d.pk, "token": pairing.issue("display", display=d, ttl=ttl)}
                                   for d in screens[:displays]]
        return out


def _sitting(pk: int | None) -> Sitting:
    qs = Sitting.objects.select_related("chair")
    s = qs.filter(pk=pk).first() if pk is not None else qs.filter(title__startswith="Phiên khai mạc").first()
    if s is None:
        raise CommandError(f"no sitting {pk}" if pk is not None else "no demo sitting: run manage.py load_demo first")
    return s
