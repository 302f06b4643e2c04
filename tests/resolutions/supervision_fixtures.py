"""Bodies, members and links for the supervision, report and links tests, beside
tests/resolutions/fixtures.py's personas: `economy` is the committee Ban Kinh tế - Ngân sách whose
member `member_user` (Trần Văn Ban) reads its supervisions; `culture` is another committee, whose
member `outsider` may not read them; `standing` is the standing committee. Import with
`from tests.resolutions.supervision_fixtures import *  # noqa: F401,F403`."""

import datetime as dt

import pytest
from django.utils import timezone

from meeting.models import Body, Member, Membership, Sitting
from petitions import codes
from petitions.models import Case
from resolutions import services
from tests.resolutions.fixtures import *  # noqa: F401,F403
from tests.resolutions.fixtures import make_user

__all__ = ["economy", "culture", "standing", "committee_people", "supervision", "ongoing", "make_commitment",
           "make_case", "finance", "health", "people", "term", "adopted", "make_user", "adopt"]


def _member(code, name, body, user=None, role="member"):
    member = Member.objects.create(code=code, full_name=name, kind="delegate", user=user)
    Membership.objects.create(body=body, member=member, role=role)
    return member


@pytest.fixture
def economy(term):
    return Body.objects.create(name="Ban Kinh tế - Ngân sách", kind=Body.Kind.COMMITTEE, term=term)


@pytest.fixture
def culture(term):
    return Body.objects.create(name="Ban Văn hóa - Xã hội", kind=Body.Kind.COMMITTEE, term=term)


@pytest.fixture
def standing(term):
    return Body.objects.create(name="Thường trực HĐND", kind=Body.Kind.STANDING, term=term)


@pytest.fixture
def committee_people(people, economy, culture):
    """`member_user`: a member of Ban Kinh tế - Ngân sách; `outsider`: of Ban Văn hóa - Xã hội."""
    member_user = make_user("member_user")
    outsider = make_user("outsider")
    return {
        "member_user": member_user, "outsider": outsider,
        "head": _member("BKT01", "Trần Văn Ban", economy, member_user, role="chair"),
        "member": _member("BKT02", "Lê Thị Thu", economy),
        "other": _member("BVH01", "Nguyễn Văn Xã", culture, outsider),
    }


@pytest.fixture
def supervision(people, economy, committee_people, adopted):
    return services.create_supervision(people["manager"], body=economy, title="Giám sát hỗ trợ học phí năm 2026",
                                       plan="Làm việc với Sở Tài chính và 3 xã.", starts_on=dt.date(2026, 9, 1),
                                       resolutions=[adopted], team=[committee_people["head"], committee_people["member"]])


@pytest.fixture
def ongoing(people, supervision):
    return services.start_supervision(people["manager"], supervision)


def make_commitment(text="Sở Tài chính hoàn thành chi trả học phí trước 31/12/2026", due=dt.date(2026, 12, 31),
                    item=None, question_text="Vì sao chậm chi trả hỗ trợ học phí?"):
    from floor.models import Commitment, Request

    plenary = Body.objects.filter(kind=Body.Kind.PLENARY).first()
    if plenary is None:
        from meeting.models import Term
        term = Term.objects.first() or Term.objects.create(name="2026–2031", start=dt.date(2026, 3, 15),
                                                           end=dt.date(2031, 3, 14))
        plenary = Body.objects.create(name="HĐND tỉnh", kind=Body.Kind.PLENARY, term=term)
    sitting = Sitting.objects.filter(body=plenary).first() or Sitting.objects.create(
        body=plenary, title="Phiên chất vấn", starts_at=timezone.make_aware(dt.datetime(2026, 7, 9, 8)))
    n = Request.objects.count() + 1
    asker = Member.objects.create(code=f"DBQ{n}", full_name=f"Đại biểu hỏi {n}", kind="delegate")
    official = Member.objects.create(code=f"GD{n}", full_name="Giám đốc Sở Tài chính", kind="official",
                                     position="Giám đốc Sở Tài chính")
    question = Request.objects.create(sitting=sitting, item=item, member=asker, kind="question", number=n,
                                      requested_at=timezone.now(), text=question_text, official=official)
    return Commitment.objects.create(question=question, official=official, text=text, due=due, recorded_at=timezone.now())


def make_case(kind="voter_petition", subject="Cử tri đề nghị tăng mức hỗ trợ học phí", agency=None, **kw):
    return Case.objects.create(tracking_code=codes.new_code(), kind=kind, source=Case.Source.VOTER_MEETING,
                               subject=subject, content=subject, received_at=timezone.now(), agency=agency, **kw)
