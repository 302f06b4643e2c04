"""Seat check-in codes: the QR code stuck on a seat for one sitting.

It encodes /sitting/<sitting_id>/checkin/<token>/ where the token is a
signature over (sitting_id, seat_id) with its own salt, so it cannot be
forged, cannot be moved to another sitting, and is not a pairing token (it
signs nobody in). It stays valid while its sitting is not closed, and may be
scanned any number of times: checking in twice changes nothing.
"""

from django.core import signing
from django.utils.translation import gettext as _

from audit.operations import ServiceError

from .models import Seat, Sitting

SALT = "hdnd.seat-checkin"
_signer = signing.Signer(salt=SALT, sep=".")


def seat_token(sitting_id: int, seat_id: int) -> str:
    return _signer.sign(f"{sitting_id}-{seat_id}")


def read_seat_token(sitting_id: int, token: str) -> Seat:
    """The seat a code stands for; ServiceError("forged") when we did not sign it for this sitting,
    ServiceError("expired") when the sitting is closed."""
    try:
        value = _signer.unsign(token) if isinstance(token, str) and len(token) <= 200 else None
    except signing.BadSignature:
        value = None
    signed_sitting, _sep, seat = (value or "").partition("-")
    if value is None or signed_sitting != str(sitting_id) or not seat.isdigit():
        raise ServiceError("forged", _("Mã QR của ghế không hợp lệ hoặc không dùng cho phiên họp này."))
    status = Sitting.objects.filter(pk=sitting_id).values_list("status", flat=True).first()
    if status is None:
        raise ServiceError("not_found", _("Không tìm thấy phiên họp."))
    if status == Sitting.Status.CLOSED:
        raise ServiceError("expired", _("Phiên họp đã kết thúc; mã QR của ghế không còn hiệu lực."))
    try:
        return Seat.objects.select_related("member").get(pk=int(seat))
    except Seat.DoesNotExist:
        raise ServiceError("not_found", _("Ghế này không còn trong sơ đồ hội trường.")) from None
