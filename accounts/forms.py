from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import permissions
from .models import PairingToken
from .providers import ask


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, u):
        name = u.get_full_name() or u.get_username()
        return f"{name} ({u.get_username()})"


def console_candidates(issuer):
    """People offered for a console: office staff and the chairs and secretaries
    of sittings not closed yet (meeting/access.py), whom `issuer` may pair (permissions.pairable_users:
    never a superuser or an admin-site account). The form still asks
    permissions.may_use_console, and accounts.pairing.issue may_issue_pairing."""
    runners = ask("pairing.console_people", default=Q(pk__in=[]))
    people = (get_user_model().objects
              .filter(Q(user_permissions__codename="operate_sitting") | Q(groups__permissions__codename="operate_sitting")
                      | runners))
    return get_user_model().objects.filter(pk__in=permissions.pairable_users(people, issuer).values("pk")) \
        .order_by("first_name", "username")


class IssueForm(forms.Form):
    """Which device to pair: a delegate's terminal, a hall display, or a console.

    The choices of a member (meeting) and of a display (displays) are the fields those modules
    provide ("pairing.member_field", "pairing.display_field"; accounts.providers)."""

    purpose = forms.ChoiceField(label=gettext_lazy("loại thiết bị"), choices=PairingToken.Purpose.choices)

    def __init__(self, *args, issuer, **kwargs):
        """`issuer`: who will issue the code; only people they may pair are offered."""
        super().__init__(*args, **kwargs)
        pairable = permissions.pairable_users(get_user_model().objects.all(), issuer).values("pk")
        for name, provider, arguments in (("member", "pairing.member_field", (pairable,)),
                                          ("display", "pairing.display_field", ())):
            field = ask(provider, *arguments, default=None)
            if field is not None:
                self.fields[name] = field
        self.fields["person"] = PersonChoice(label=gettext_lazy("người điều hành"), required=False,
                                             queryset=console_candidates(issuer))

    def clean(self):
        data = super().clean()
        purpose = data.get("purpose")
        if purpose in (PairingToken.Purpose.TERMINAL, PairingToken.Purpose.REMOTE) and not data.get("member"):
            self.add_error("member" if "member" in self.fields else None, _("Hãy chọn đại biểu."))
        if purpose == PairingToken.Purpose.DISPLAY and not data.get("display"):
            self.add_error("display" if "display" in self.fields else None, _("Hãy chọn màn hình."))
        if purpose == PairingToken.Purpose.CONSOLE:
            person = data.get("person")
            if not person:
                self.add_error("person", _("Hãy chọn chủ tọa hoặc thư ký."))
            elif not permissions.may_use_console(person):
                self.add_error("person", _("Người này không chủ tọa hay làm thư ký phiên họp nào sắp tới."))
        return data

    def target(self) -> dict:
        """Keyword arguments for accounts.pairing.issue."""
        purpose = self.cleaned_data["purpose"]
        if purpose in (PairingToken.Purpose.TERMINAL, PairingToken.Purpose.REMOTE):
            return {"user": self.cleaned_data["member"].user}
        if purpose == PairingToken.Purpose.DISPLAY:
            return {"display": self.cleaned_data["display"]}
        return {"user": self.cleaned_data["person"]}
