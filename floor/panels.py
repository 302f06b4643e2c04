"""The floor's panels on the chair console and the delegate terminal (realtime.registry.register_panel)."""


def register():
    pass
