"""The terminal's reminders panel (library/hub.py registers it): what the office asked this person to read."""

from django import template

from .. import services

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_read_reminders(context) -> list[dict]:
    request = context.get("request")
    return services.pending_reminders(getattr(request, "user", None))
