"""A clear page for a refused request: what happened and what to do next."""

from django.shortcuts import render
from django.utils.translation import gettext as _

# Stable error codes (pairing, seat check-in, services) -> HTTP status.
STATUS = {
    "forged": 400,
    "wrong_purpose": 400,
    "invalid_args": 400,
    "used": 410,
    "expired": 410,
    "forbidden": 403,
    "rights_exceed_issuer": 403,
    "not_found": 404,
    "sitting_not_live": 409,
    "seat_mismatch": 409,
}


def problem(request, code: str, message: str, *, title: str | None = None, advice: str = "", status: int | None = None,
            links: list[tuple[str, str]] | None = None):
    return render(request, "accounts/problem.html", {
        "code": code,
        "title": title or _("Không thực hiện được"),
        "message": message,
        "advice": advice,
        "links": links or [],
    }, status=status or STATUS.get(code, 400))
