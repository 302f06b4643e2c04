from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def video_grace_seconds() -> int:
    """How long a lost connection is held (VIDEO_GRACE_SECONDS), for the console's countdown."""
    return settings.VIDEO_GRACE_SECONDS


@register.simple_tag(takes_context=True)
def video_offered(context) -> bool:
    """Whether the terminal offers "join remotely by video": not on a delegate's paired hall tablet
    (a tap there by mistake would ask for the camera in the hall); a remote link's device, or a
    browser signed in with a password, is offered it."""
    request = context.get("request")
    device_id = request.session.get("device_id") if request is not None else None
    if not device_id:
        return True
    from accounts.models import Device

    return not Device.objects.filter(pk=device_id, kind=Device.Kind.TERMINAL).exists()
