"""Pairing QR codes: short-lived, single-use, purpose-bound signed tokens.

The QR code carries `<jti>:<signature>` only. The signature (salted with the
purpose) proves we issued it; the PairingToken row holds its target, expiry
and whether it was used. Redeeming locks that row, so a token pairs one
device at most, even when two devices scan it at the same moment.
"""

import re
import secrets
from datetime import timedelta
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Device, PairingToken
from .permissions import may_issue_pairing
from .providers import ask

SALT = "hdnd.pairing."
# The code names someone with more rights than whoever issued it (permissions.may_issue_pairing).
RIGHTS_EXCEED_ISSUER = "rights_exceed_issuer"


class PairingError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _rights_error() -> PairingError:
    return PairingError(RIGHTS_EXCEED_ISSUER, _("Không được cấp mã ghép nối cho tài khoản này: tài khoản quản trị, "
                                                "hoặc có quyền vượt quá quyền của người cấp mã."))


def issue(purpose: str, *, user=None, display=None, created_by=None, ttl: int | None = None) -> str:
    """Create a pairing token and return the string to put in the QR code.

    A token that signs in as a person is issued only when permissions.may_issue_pairing
    allows it (`created_by` None: manage.py on the server); otherwise the refusal is
    audited and PairingError("rights_exceed_issuer") raised."""
    if purpose not in PairingToken.Purpose.values:
        raise ValueError(purpose)
    if (purpose == PairingToken.Purpose.DISPLAY) != (display is not None) or (purpose != PairingToken.Purpose.DISPLAY and user is None):
        raise ValueError("a display token names a display; terminal and console tokens name a user")
    if user is not None and not may_issue_pairing(created_by, user):
        from audit.models import AuditRecord

        AuditRecord.objects.create(user=created_by, role=purpose, action="device.issue", outcome=RIGHTS_EXCEED_ISSUER,
                                   detail={"purpose": purpose, "target": user.pk})
        raise _rights_error()
    if ttl is None:
        # A purpose's module may give its codes a life of their own (a remote link sent the day before).
        ttl = ask(f"pairing.ttl.{purpose}", default=None) or settings.PAIRING_TOKEN_TTL
    jti = secrets.token_hex(12)
    PairingToken.objects.create(jti=jti, purpose=purpose, user=user, display=display, created_by=created_by,
                                expires_at=timezone.now() + timedelta(seconds=ttl))
    return signing.Signer(salt=SALT + purpose).sign(jti).replace(":", ".")


def _unsign(token: str) -> tuple[str, str]:
    """Return (purpose, jti) for a token we signed, trying each purpose's salt."""
    if not isinstance(token, str) or len(token) > 200:
        raise PairingError("forged", _("Mã ghép nối không hợp lệ."))
    raw = token.replace(".", ":")
    for purpose in PairingToken.Purpose.values:
        try:
            return purpose, signing.Signer(salt=SALT + purpose).unsign(raw)
        except signing.BadSignature:
            continue
    raise PairingError("forged", _("Mã ghép nối không hợp lệ hoặc đã bị sửa đổi."))


def redeem(token: str, *, expected_purpose: str | None = None) -> tuple[PairingToken, Device]:
    """Use the token once: mark it used and create the Device it pairs."""
    purpose, jti = _unsign(token)
    if expected_purpose and purpose != expected_purpose:
        raise PairingError("wrong_purpose", _("Mã này không dùng để ghép loại thiết bị này."))
    from audit.models import AuditRecord

    with transaction.atomic():
        # of=("self",): lock the token row only; PostgreSQL refuses FOR UPDATE on
        # the nullable side of the outer joins that select_related makes.
        row = (PairingToken.objects.select_for_update(of=("self",)).select_related("user", "display", "created_by")
               .filter(jti=jti, purpose=purpose).first())
        if row is None:
            raise PairingError("forged", _("Mã ghép nối không hợp lệ."))
        try:
            _check_usable(row)
        except PairingError as e:
            refused = e
        else:
            refused = None
            label = str(row.display) if row.display else (row.user.get_full_name() or row.user.get_username())
            device = Device.objects.create(kind=purpose, label=label, user=row.user, display=row.display)
            row.used_at = timezone.now()
            row.device = device
            row.save(update_fields=["used_at", "device"])
            AuditRecord.objects.create(user=row.user, device=device, role=purpose, action="device.pair",
                                       detail={"jti": jti, "issued_by": row.created_by_id})
    if refused is not None:
        if refused.code == RIGHTS_EXCEED_ISSUER:
            # A code issued before the rule, or whose issuer has lost rights since: refused,
            # the token left as it was, and the attempt written down.
            AuditRecord.objects.create(user=None, role=purpose, action="device.pair", outcome=refused.code,
                                       detail={"jti": jti, "issued_by": row.created_by_id, "target": row.user_id})
        raise refused
    return row, device


def qr_png(data: str, box_size: int = 8) -> bytes:
    img = qrcode.make(data, box_size=box_size, border=2)
    buf = BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def qr_svg(data: str) -> bytes:
    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    buf = BytesIO()
    img.save(buf)
    return buf.getvalue()


def lookup(token: str) -> PairingToken:
    """The row of a token we signed, whatever its state (used, expired). Raises PairingError("forged")."""
    purpose, jti = _unsign(token)
    row = PairingToken.objects.select_related("user", "display", "device", "created_by").filter(jti=jti, purpose=purpose).first()
    if row is None:
        raise PairingError("forged", _("Mã ghép nối không hợp lệ."))
    return row


def inspect(token: str) -> PairingToken:
    """The token's row, checked as `redeem` would but without using it.

    For showing a confirmation page before pairing and for drawing a QR code
    the staff member just issued. Raises PairingError like `redeem`.
    """
    row = lookup(token)
    _check_usable(row)
    return row


def _check_usable(row: PairingToken) -> None:
    """Refuse a token that was used, has expired, or names a locked account."""
    if row.used_at is not None:
        raise PairingError("used", _("Mã ghép nối này đã được sử dụng. Hãy xin mã mới."))
    if row.expires_at <= timezone.now():
        raise PairingError("expired", _("Mã ghép nối đã hết hạn. Hãy xin mã mới."))
    if row.user is not None and not row.user.is_active:
        raise PairingError("forged", _("Tài khoản của mã này đã bị khóa."))
    if row.user is not None and not may_issue_pairing(row.created_by, row.user):
        raise _rights_error()


def qr_svg_inline(data: str) -> str:
    """The QR code as an <svg> element to put inside an HTML page (no XML
    declaration, no fixed size: CSS sizes it)."""
    svg = qr_svg(data).decode("utf-8")
    svg = svg[svg.index("<svg"):]
    return re.sub(r'^<svg width="[^"]*" height="[^"]*"', '<svg class="qr" role="img"', svg, count=1)
