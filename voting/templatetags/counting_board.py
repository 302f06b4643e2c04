"""`{% board_min %}`: the smallest ballot-counting board (setting VOTING_BOARD_MIN), for the
console's form that elects it (voting/templates/voting/console_panel.html)."""

from django import template

from voting.board import board_min as _board_min

register = template.Library()


@register.simple_tag
def board_min() -> int:
    return _board_min()
