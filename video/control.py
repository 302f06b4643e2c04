"""The hub's end of the control link to the media process (video/media/link.py, docs/decisions/0014 §1).

One link per event loop (each Daphne process has one), opened lazily from that loop; the secret is
VIDEO_CONTROL_SECRET, or derived from SECRET_KEY so the embedded default needs no setting.
"""

import asyncio
import hashlib
import hmac
import weakref

from django.conf import settings


def secret() -> bytes:
    if settings.VIDEO_CONTROL_SECRET:
        return settings.VIDEO_CONTROL_SECRET.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"hdnd.video.control", hashlib.sha256).digest()


def address() -> tuple[str, int]:
    host, _, port = settings.VIDEO_CONTROL.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, object]" = weakref.WeakKeyDictionary()


def client():
    """This event loop's link to the media process."""
    from .media.link import LinkClient

    loop = asyncio.get_running_loop()
    link = _clients.get(loop)
    if link is None:
        host, port = address()
        link = _clients[loop] = LinkClient(host, port, secret())
    return link


async def call(op: str, *, timeout: float = 2.0, **args) -> dict:
    """One request to the media process; its refusals and its absence raise ServiceError."""
    from audit.operations import ServiceError

    from .media.link import MediaError

    try:
        return await client().call(op, timeout=timeout, **args)
    except MediaError as e:
        # The hub validated the arguments: the media process's own bad_request, unknown_op or
        # internal is the server's failure, not the client's.
        code = "internal" if e.code in ("bad_request", "unknown_op", "internal") else e.code
        raise ServiceError(code, _message(code)) from None


def _message(code: str) -> str:
    from django.utils.translation import gettext as _

    if code == "media_unavailable":
        return _("Máy chủ video không hoạt động; phiên họp vẫn tiếp tục. Hãy thử lại sau ít phút.")
    if code == "internal":
        return _("Lỗi máy chủ video; thao tác không được thực hiện.")
    if code in ("stale", "gen_reused", "no_renegotiation"):
        return _("Kết nối video đã được thiết lập lại; yêu cầu cũ bị bỏ qua.")
    return _("Máy chủ video từ chối yêu cầu (%(code)s).") % {"code": code}
