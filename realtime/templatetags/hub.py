"""`{% hub_scripts %}`: hub.js and every module's script that registers its event reducers in it
(realtime.registry.register_script), in that order. Every page that follows a sitting uses it
instead of naming hub.js, so a new module's events are understood on every page without an edit."""

from django import template
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from realtime import registry

register = template.Library()


@register.simple_tag
def hub_scripts():
    paths = ["realtime/hub.js", *registry.scripts()]
    return format_html_join("\n", '<script src="{}"></script>', ((static(p),) for p in paths)) or format_html("")


@register.simple_tag(takes_context=True)
def hub_panels(context, face: str):
    """Every module's panel of this face (realtime.registry.register_panel), in order, each rendered
    with the page's context. The face's own script draws the rest; each panel's script draws it."""
    request = context.get("request")
    values = context.flatten()
    return mark_safe("\n".join(render_to_string(p.template, values, request=request)  # noqa: S308 (templates, escaped)
                                for p in registry.panels(face)))


@register.simple_tag
def hub_panel_scripts(face: str):
    """The panels' scripts of this face, after the face's own script (Hub.registerPanel)."""
    paths = [p.script for p in registry.panels(face) if p.script]
    return format_html_join("\n", '<script src="{}"></script>', ((static(p),) for p in paths)) or mark_safe("")
