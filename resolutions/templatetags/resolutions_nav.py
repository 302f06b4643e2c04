"""{% resolutions_nav %}: the office's navigation of the resolutions pages (resolutions.navigation);
{% resolutions_buttons %}: the same links as the home page's card; {% resolutions_public_link %}:
the public list's link on the portal's public home."""

from django import template

from accounts.permissions import may_manage_reference_data

from ..navigation import links_for

register = template.Library()


@register.inclusion_tag("resolutions/_nav.html", takes_context=True)
def resolutions_nav(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"links": links_for(user), "path": getattr(request, "path", ""),
            "office": bool(user is not None and may_manage_reference_data(user)), "user": user}


@register.inclusion_tag("resolutions/_nav_buttons.html", takes_context=True)
def resolutions_buttons(context):
    request = context.get("request")
    return {"links": links_for(getattr(request, "user", None))}


@register.inclusion_tag("resolutions/_public_link.html")
def resolutions_public_link():
    return {}
