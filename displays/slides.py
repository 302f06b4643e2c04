"""The registry of hall-display slides.

A slide is a key, a title for the chair console, and the static script that
draws it from the sitting's state on the display page. The script calls
`HallSlides.register(key, {render(root, state, hub), tick(root, state, hub)})`
(tick is optional, once a second, for clocks and timers) and may use the
shared building blocks in `Hall` (displays/static/displays/display.js: header
band, clock, item timer, quorum gauge, text fitting). Each app registers its
own slides in its AppConfig.ready(); the display page loads every registered
script and stays generic. Later modules (speakers, voting, video) add theirs
the same way.
"""

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Slide:
    key: str
    title: str | Promise
    script: str | None  # static path, e.g. "displays/slides/overview.js"; None: drawn by the page itself ("auto")
    order: int = 100


_REGISTRY: dict[str, Slide] = {}


def register(key: str, title, script: str, order: int = 100) -> None:
    if key in _REGISTRY and _REGISTRY[key] != Slide(key, title, script, order):
        raise ValueError(f"slide {key!r} is registered twice")
    _REGISTRY[key] = Slide(key, title, script, order)


def all_slides() -> list[Slide]:
    return sorted(_REGISTRY.values(), key=lambda s: (s.order, s.key))


def exists(key: str) -> bool:
    return key in _REGISTRY


def slides_state() -> list[dict]:
    return [{"key": s.key, "title": str(s.title)} for s in all_slides()]
