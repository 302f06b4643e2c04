"""The office's navigation of the resolutions pages, built from a list: each entry names its page
by URL name (the first of its candidates that reverses) and who may open it (accounts.permissions,
the same predicate its view asks), so no link answers 403. A page whose URL name does not reverse
(a part built apart and not merged yet) is left out, not an error."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts import permissions

# (candidate url names, label, who may open it)
LINKS = [
    (("resolutions:programme",), _("Chương trình nghị quyết"), permissions.may_manage_resolutions),
    (("resolutions:tasks",), _("Nhiệm vụ thực hiện"), permissions.may_manage_resolutions),
    (("resolutions:dashboard",), _("Nhiệm vụ theo cơ quan"), permissions.may_manage_resolutions),
    # Committee and standing committee members read their own body's supervisions too.
    (("resolutions:supervisions",), _("Giám sát"), permissions.may_read_supervisions),
    (("resolutions:report",), _("Báo cáo 6 tháng"), permissions.may_manage_resolutions),
    (("resolutions:commitments",), _("Cam kết chất vấn"), permissions.may_manage_resolutions),
    (("resolutions:voter_petitions",), _("Kiến nghị cử tri"), permissions.may_manage_resolutions),
]


def _first_reversing(names) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def links_for(user) -> list[tuple[str, str]]:
    """(href, label) of every resolutions page this user may open (pages not built yet left out)."""
    if user is None or not user.is_authenticated:
        return []
    out = []
    for names, label, allowed in LINKS:
        if not allowed(user):
            continue
        href = _first_reversing(names)
        if href is not None:
            out.append((href, label))
    return out
