"""The officer's navigation of the petitions pages: each link shown only to a user the page lets in, by
the same predicates its view checks (accounts.permissions), so no link there answers 403.
tests/petitions/test_navigation.py crawls it for every role."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import permissions


def _enters_voter_meetings(user) -> bool:
    # petitions.views_meetings._groups_for: petition staff, or a delegate who belongs to a delegate group.
    if permissions.is_petition_staff(user):
        return True
    member = getattr(user, "member", None) if user and user.is_authenticated and user.is_active else None
    return member is not None and member.delegate_group_id is not None


# (url name, label, who may open it)
LINKS = [
    ("petitions:register", _("Sổ đơn thư"), permissions.is_petition_staff),
    ("petitions:reception", _("Tiếp nhận đơn"), permissions.is_petition_staff),
    ("petitions:dashboard", _("Theo dõi thời hạn"), permissions.is_petition_staff),
    ("petitions:statistics", _("Thống kê đơn thư"), permissions.is_petition_staff),
    ("petitions:reports", _("Báo cáo kiến nghị cử tri"), permissions.is_petition_staff),
    ("petitions:meetings", _("Tiếp xúc cử tri"), _enters_voter_meetings),
    ("petitions:voter_sessions", _("Kiến nghị cử tri theo kỳ họp"), permissions.is_petition_staff),
    ("petitions:delegate_forward", _("Chuyển đơn của công dân"),
     lambda user: permissions.may_forward_letter(user) and not permissions.is_petition_staff(user)),
    ("petitions:agency_desk", _("Đơn được chuyển đến"),
     lambda user: bool(user and user.is_authenticated and permissions.agencies_of(user).exists())),
    ("petitions:identity_log", _("Nhật ký xem thông tin người tố cáo"), permissions.may_review_identity_reads),
]


def links_for(user) -> list[tuple[str, str]]:
    """(href, label) of every petitions page this user may open."""
    if user is None or not user.is_authenticated:
        return []
    return [(reverse(name), label) for name, label, allowed in LINKS if allowed(user)]
