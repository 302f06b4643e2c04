from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def video_grace_seconds() -> int:
    """How long a lost connection is held (VIDEO_GRACE_SECONDS), for the console's countdown."""
    return settings.VIDEO_GRACE_SECONDS
