/* The meeting module's events in hub.js (meeting/hub.py registers them and this script). */
(function () {
  "use strict";

  /* Seat order, as meeting.state.row_order: seated rows by (row, number), then the rest by name. */
  function rowOrder(a, b) {
    const ka = [a.seat_row === null ? 1 : 0, a.seat_row || 0, a.seat_number || 0];
    const kb = [b.seat_row === null ? 1 : 0, b.seat_row || 0, b.seat_number || 0];
    for (let i = 0; i < 3; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    if (a.name !== b.name) return a.name < b.name ? -1 : 1;
    return a.member_id - b.member_id;
  }

  Hub.registerEvent("sitting.status", (state, data) => {
    Object.assign(state.sitting, data);
  });
  Hub.registerEvent("sitting.announcement", (state, data) => {
    state.announcement = data.announcement;
  });
  Hub.registerEvent("attendance.updated", (state, data) => {
    const rows = state.attendance.filter((r) => r.member_id !== data.row.member_id);
    rows.push(data.row);
    rows.sort(rowOrder);
    state.attendance = rows;
    state.quorum = data.quorum;
  });
  Hub.registerEvent("roll_call.changed", (state, data) => {
    state.roll_call = data;
  });
})();
