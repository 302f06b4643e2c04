/* Who is heard: the same rule as video/live.py (tests/video/test_live.py holds both to one table).
 * A member's microphone is live while they have the floor (the chair's "stop all" silences
 * everyone), or while the chair's override for the current turn says so. */
(function (global) {
  "use strict";

  function liveMembers(state) {
    const floor = (state && state.floor) || {};
    const speaker = floor.speaker || null;
    const current = speaker ? speaker.id : null;
    const live = new Set();
    if (speaker && !floor.priority) live.add(speaker.member_id);
    const overrides = (state && state.video && state.video.overrides) || [];
    for (const o of overrides) {
      if (o.speech_id === current) {
        if (o.live) live.add(o.member_id);
        else live.delete(o.member_id);
      }
    }
    return live;
  }

  global.VideoLive = { liveMembers };
})(window);
