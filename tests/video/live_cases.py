"""The one table of the rule of who is heard (video/live.py and video/static/video/live.js)."""

SPEAKER = {"id": 88, "member_id": 31}

# (what the state holds, the members heard)
CASES = [
    ({}, []),
    ({"floor": {"speaker": None, "priority": False}}, []),
    ({"floor": {"speaker": SPEAKER, "priority": False}}, [31]),
    ({"floor": {"speaker": SPEAKER, "priority": True}}, []),  # the chair stopped all
    # The chair unmutes someone else for this turn: both heard.
    ({"floor": {"speaker": SPEAKER, "priority": False},
      "video": {"overrides": [{"member_id": 40, "live": True, "speech_id": 88}]}}, [31, 40]),
    # The chair mutes the speaker for this turn.
    ({"floor": {"speaker": SPEAKER, "priority": False},
      "video": {"overrides": [{"member_id": 31, "live": False, "speech_id": 88}]}}, []),
    # An override made for an earlier turn is no longer in force.
    ({"floor": {"speaker": SPEAKER, "priority": False},
      "video": {"overrides": [{"member_id": 40, "live": True, "speech_id": 87},
                              {"member_id": 31, "live": False, "speech_id": 87}]}}, [31]),
    # Nobody has the floor: an override made while nobody had it holds until a turn begins.
    ({"floor": {"speaker": None, "priority": False},
      "video": {"overrides": [{"member_id": 40, "live": True, "speech_id": None}]}}, [40]),
    ({"floor": {"speaker": SPEAKER, "priority": False},
      "video": {"overrides": [{"member_id": 40, "live": True, "speech_id": None}]}}, [31]),
    # Stop all, and the chair opens one microphone for that moment.
    ({"floor": {"speaker": None, "priority": True},
      "video": {"overrides": [{"member_id": 40, "live": True, "speech_id": None}]}}, [40]),
]
