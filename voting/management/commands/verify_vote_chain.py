"""Verify the voting chain (voting/chain.py): each sitting's links in order, each hash recomputed.
Exits 0 and says so when every chain holds; else prints the first broken link of each chain
that has one and exits 1."""

from django.core.management.base import BaseCommand, CommandError

from voting.chain import verify
from voting.extra_models import VoteLink


class Command(BaseCommand):
    help = "Verify the hash-chained record of every poll event and ballot; report the first tampered link."

    def handle(self, *args, **options):
        breaks = verify()
        for b in breaks:
            self.stderr.write(f"TAMPERED {b}")
        if breaks:
            raise CommandError(f"{len(breaks)} voting chain(s) broken")
        chains = VoteLink.objects.values("sitting_id").distinct().count()
        self.stdout.write(f"voting chain ok: {VoteLink.objects.count()} links in {chains} sitting(s)")
