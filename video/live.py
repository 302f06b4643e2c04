"""Who is heard: the one rule, from the sitting's state alone (docs/decisions/0014 §2).

A member's microphone is live while they have the floor (the chair's "stop all" silences everyone),
or while the chair's override for the current turn says so. The media process applies this set
(`set_live`) to the sound it forwards; the pages show "Micro đang mở" from the same rule, in
video/static/video/live.js, which tests/video/test_live.py holds to the same table.
"""


def live_members(state: dict) -> frozenset[int]:
    """The member ids whose voice is forwarded, from a state holding `floor` (and `video`)."""
    floor = state.get("floor") or {}
    speaker = floor.get("speaker")
    current = speaker["id"] if speaker else None
    live = set()
    if speaker is not None and not floor.get("priority"):
        live.add(speaker["member_id"])
    for override in (state.get("video") or {}).get("overrides") or ():
        if override["speech_id"] == current:
            (live.add if override["live"] else live.discard)(override["member_id"])
    return frozenset(live)


def live_peers(state: dict) -> list[str]:
    """The same set as the media process names its peers (`m:<member id>`), sorted."""
    return sorted(f"m:{m}" for m in live_members(state))
