"""A member's attendance across sittings (read-only).

The law proposes recalling a delegate absent for a whole year without reason,
so every sitting the member was expected at shows up: with its attendance
record, or — once the sitting is closed — as absent without a record.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from .models import Attendance, Member, Sitting


@dataclass
class HistoryRow:
    sitting: Sitting
    record: Attendance | None
    expected: bool  # the member belongs to the sitting's body

    @property
    def status(self) -> str | None:
        """present / absent / excused; absent for a closed sitting with no record; None while still open."""
        if self.record is not None:
            return self.record.status
        if self.sitting.status == Sitting.Status.CLOSED and self.expected:
            return Attendance.Status.ABSENT
        return None


@dataclass
class History:
    member: Member
    rows: list[HistoryRow] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def present(self) -> int:
        return self.count(Attendance.Status.PRESENT)

    @property
    def absent(self) -> int:
        return self.count(Attendance.Status.ABSENT)

    @property
    def excused(self) -> int:
        return self.count(Attendance.Status.EXCUSED)

    @property
    def counted(self) -> int:
        return self.present + self.absent + self.excused

    def percent(self, status: str) -> float:
        return round(100 * self.count(status) / self.counted, 1) if self.counted else 0.0


def attendance_history(member: Member) -> History:
    """Every sitting held (live or closed) by a body the member belongs or belonged to,
    plus any other sitting they were recorded at; newest first."""
    bodies = set(member.memberships.values_list("body_id", flat=True))
    records = {a.sitting_id: a for a in Attendance.objects.filter(member=member)}
    sittings = (Sitting.objects.filter(Q(body_id__in=bodies) | Q(pk__in=records))
                .filter(Q(status__in=[Sitting.Status.LIVE, Sitting.Status.CLOSED]) | Q(pk__in=records))
                .select_related("body", "session").order_by("-starts_at", "-pk"))
    return History(member=member, rows=[HistoryRow(s, records.get(s.pk), s.body_id in bodies) for s in sittings])
