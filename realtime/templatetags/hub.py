"""`{% hub_scripts %}`: hub.js and every module's script that registers its event reducers in it
(realtime.registry.register_script), in that order. Every page that follows a sitting uses it
instead of naming hub.js, so a new module's events are understood on every page without an edit."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join

from realtime import registry

register = template.Library()


@register.simple_tag
def hub_scripts():
    paths = ["realtime/hub.js", *registry.scripts()]
    return format_html_join("\n", '<script src="{}"></script>', ((static(p),) for p in paths)) or format_html("")
