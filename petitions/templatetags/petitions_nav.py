"""{% petitions_nav %}: the officer's navigation of the petitions pages (petitions.navigation)."""

from django import template

from accounts.permissions import may_manage_reference_data

from ..navigation import links_for

register = template.Library()


@register.inclusion_tag("petitions/_nav.html", takes_context=True)
def petitions_nav(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"links": links_for(user), "path": getattr(request, "path", ""),
            # The council office's own pages (accounts/includes/office_nav.html) only for its staff.
            "office": bool(user is not None and may_manage_reference_data(user)), "user": user}


@register.inclusion_tag("petitions/_nav_buttons.html", takes_context=True)
def petitions_buttons(context):
    """The same links as buttons: the home page's "Đơn thư, kiến nghị" card (nothing when there are none)."""
    request = context.get("request")
    return {"links": links_for(getattr(request, "user", None))}
