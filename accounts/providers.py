"""What the core of accounts asks of the domain modules, without importing them.

A module provides a named function from its AppConfig.ready() (`provide`); accounts asks for it
by name (`ask`). Used for the facts the permission rules need (accounts.permissions: who chairs
which sitting, who works which agency desk), the pairing form's choices (accounts.forms) and
where a freshly paired device goes (accounts.landing). Each name is provided once: providing it
twice raises. A name nobody provides answers its default (the module is not installed).
"""

from collections.abc import Callable

_PROVIDED: dict[str, Callable] = {}
_MISSING = object()


def provide(name: str, fn: Callable) -> None:
    if name in _PROVIDED:
        raise ValueError(f"{name!r} is provided twice")
    _PROVIDED[name] = fn


def ask(name: str, *args, default=_MISSING):
    fn = _PROVIDED.get(name)
    if fn is None:
        if default is _MISSING:
            raise LookupError(f"no installed module provides {name!r}")
        return default
    return fn(*args)


def provided(name: str) -> bool:
    return name in _PROVIDED
