"""Voting on screen: the chair console's panel, the delegate terminal's ballot and the hall slides
(realtime.registry.register_panel, displays.slides.register; docs/modules.md "Panels").

Console (voting/static/voting/console.js): prepare a poll (kind, secret, rule preset or a custom
base and threshold, changing a vote allowed, seats and candidates), open, hold, resume, close,
publish, void with a reason and re-vote; the live count of the present, who has not voted yet in an
open poll; after the close the result (counts, percentages of the base, what was needed, the
outcome), a bar chart, the counts per delegate group and the seat map of an open poll.
Terminal (voting/static/voting/terminal.js): the ballot while a round is open (big buttons; an
election's candidates up to the seats, a rating's three levels per official, then confirm), "Bạn đã
biểu quyết" from hub.you.vote, the secret ballot's receipt from the never-stored per-member event
vote.receipt (a toast, kept nowhere), the countdown of a timed round, the published result.
Hall slides (voting/static/voting/slides/): "vote" (the subject, the countdown, how many of the
present have voted), "vote_result" (bar chart, numbers, outcome), "vote_seats" (the seat map of an
open poll's published result).
Everything is drawn from the state the hub sends; nothing here decides.
"""

from django.utils.translation import gettext_lazy as _

from displays import slides
from realtime import registry


def register():
    registry.register_panel("console", "voting", "voting/console_panel.html", script="voting/console.js", order=45)
    registry.register_panel("terminal", "voting", "voting/terminal_panel.html", script="voting/terminal.js", order=45)
    slides.register("vote", _("Biểu quyết đang diễn ra"), "voting/slides/vote.js", order=50)
    slides.register("vote_result", _("Kết quả biểu quyết"), "voting/slides/vote_result.js", order=51)
    slides.register("vote_seats", _("Sơ đồ biểu quyết theo chỗ ngồi"), "voting/slides/vote_seats.js", order=52)
