"""The floor's panels on the chair console and the delegate terminal (realtime.registry.register_panel).

Console: the list of speakers by kind, the current speaker with the server's clock, one-tap
"next", the chair's controls, the secretary's "add a raised hand" and the questioning view by
issue group. Terminal: the delegate's own requests and place in the queue, one tap to request or
withdraw, the current speaker, and registering a question. Both are drawn from the state (and,
on the terminal, `hub.you.floor`) by floor/static/floor/console.js and terminal.js; the hall's
slides are registered in floor/hub.py (floor/static/floor/slides/).
"""

from realtime import registry


def register():
    registry.register_panel("console", "floor", "floor/console_panel.html", script="floor/console.js", order=40)
    registry.register_panel("terminal", "floor", "floor/terminal_panel.html", script="floor/terminal.js", order=40)
