/* The hub client: one WebSocket per page and sitting (docs/protocol.md).
 *
 *   const hub = new Hub(sittingId, {onState, onStatus});
 *   hub.command("agenda.next").then(data => ...).catch(err => err.code);
 *
 * It keeps `hub.state` equal to the server's state: applies events in seq
 * order (a batch frame's events one by one, as if each came alone), asks for
 * the missed ones on a gap, gets a fresh snapshot on every
 * (re)connect, and reconnects by itself with backoff. The page is told once per
 * frame: `onState(state, type, data, hub)` for one change, and for a batch frame's
 * several `type` "batch" with `data.events` [{type, data}, …] (Hub.changes,
 * Hub.touched). `hub.now()` is the
 * server's clock (ms), for timers the server owns.
 *
 * Exactly once (docs/protocol.md): a command's id is its idempotency key, so ids
 * are unique per page load (a random prefix), and a command left unanswered when
 * the link dropped is sent again, with the same id, once the new snapshot is in:
 * the server answers it from the stored outcome and never runs it twice.
 * `hub.degraded` is true while the server says it cannot publish live updates.
 *
 * Never behind unnoticed: the server's heartbeat (every few seconds) and the
 * ping reply carry the sitting's current seq. A client whose seq is lower
 * missed events (Redis down, a worker dead after commit): its status becomes
 * "catching_up" and, if the events do not arrive by themselves within a
 * moment, it asks for them with `sync`; back on the current seq it is "live".
 *
 * What this member alone is told (per-member events, docs/protocol.md): `hub.you` is the
 * snapshot's `you`, kept by the per-member events in `you.pseq` order; a gap, or a ping reply
 * whose `pseq` is above `you.pseq`, makes it `sync` with `since_pseq` too. Modules register
 * their reducers with `Hub.registerMemberEvent(type, (you, data) => ...)`.
 */
(function (global) {
  "use strict";

  /* The reducers: event type -> function (state, data) that applies it in place (docs/protocol.md
   * "Applying events"). Each module registers its own from its script, loaded right after this
   * one on every page that follows a sitting (realtime.registry.register_script, {% hub_scripts %}):
   *
   *   Hub.registerEvent("agenda.items", (state, data) => { state.agenda = data; });
   */
  const reducers = new Map([
    ["skip", () => {}],
    // The office changed the state beside the commands (the admin, an import): the whole state again.
    ["state.replaced", (state, data) => {
      for (const key of Object.keys(state)) delete state[key];
      Object.assign(state, data);
    }],
  ]);

  /* The draw functions of the modules' panels on this page (Hub.registerPanel). */
  const panels = [];

  /* The hubs of this page: a panel that registers late is drawn from their state (Hub.registerPanel). */
  const hubs = [];

  /* Per-member event type -> function (you, data) applying it to `hub.you` in place. */
  const memberReducers = new Map();

  function registerMemberEvent(type, reducer) {
    if (memberReducers.has(type) || reducers.has(type)) throw new Error(`hub event ${type} is registered twice`);
    memberReducers.set(type, reducer);
  }

  function registerEvent(type, reducer) {
    if (type === "batch") throw new Error("hub event batch is a frame's type (docs/protocol.md \"Batches\")");
    if (reducers.has(type) || memberReducers.has(type)) throw new Error(`hub event ${type} is registered twice`);
    reducers.set(type, reducer);
  }

  /* Apply one event to the state. False for an event type this client does not know: its
   * state may now be wrong, so the caller asks for a fresh snapshot. */
  function apply(state, type, data) {
    const reducer = reducers.get(type);
    if (!reducer) return false;
    reducer(state, data);
    return true;
  }

  /* Apply one per-member event to `you`; false for a type this client does not know. */
  function applyMember(you, type, data) {
    const reducer = memberReducers.get(type);
    if (!reducer) return false;
    reducer(you, data);
    return true;
  }

  /* A prefix for this page's command ids: ids stay unique for the sender (device or person)
   * across reloads and tabs, as the server's idempotency keys must. */
  function randomPrefix() {
    const bytes = new Uint8Array(6);
    if (global.crypto && global.crypto.getRandomValues) global.crypto.getRandomValues(bytes);
    else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  class HubError extends Error {
    constructor(code, message, fields, current) {
      super(message || code);
      this.code = code;
      this.fields = fields || [];
      this.current = current || null; // `stale`: the state the command met, {item_id, seq}
    }
  }

  class Hub {
    constructor(sittingId, options) {
      this.sittingId = sittingId;
      this.options = options || {};
      this.state = null;
      this.seq = 0;
      this.you = null;
      this.status = "connecting";
      this.offsetMs = 0; // server clock - local clock
      this._pending = new Map();
      this._nextId = 1;
      this._idPrefix = randomPrefix();
      this.degraded = false; // the server's hub.status: live updates may be late
      this._retry = 0;
      this._syncing = false;
      this._serverSeq = 0; // the highest seq the server said it had (heartbeat, ping)
      this._serverPseq = 0; // the highest pseq of this member the server said it had (ping)
      this._behindTimer = null;
      this._closedByServer = null;
      this._changes = null; // while a frame's several changes are applied: told once, at its end
      hubs.push(this);
      this.connect();
      global.addEventListener("online", () => this._reconnectSoon(0));
      // The device lost its network: check the link at once instead of at the next ping.
      global.addEventListener("offline", () => this._probe(3000));
    }

    url() {
      const scheme = global.location.protocol === "https:" ? "wss" : "ws";
      return `${scheme}://${global.location.host}/ws/sitting/${this.sittingId}/`;
    }

    now() {
      return Date.now() + this.offsetMs;
    }

    connect() {
      this._setStatus(this.state ? "reconnecting" : "connecting");
      const ws = new WebSocket(this.url());
      this.ws = ws;
      ws.onmessage = (ev) => this._onMessage(ev.data, ws);
      ws.onclose = (ev) => this._onClose(ev);
      ws.onerror = () => {};
      if (this._ping) clearInterval(this._ping);
      // A ping every 20 s notices a dead link that the browser did not report.
      this._ping = setInterval(() => this._probe(10000), 20000);
    }

    /* Ping; if no reply comes in time the link is dead: drop it and reconnect. */
    _probe(timeoutMs) {
      const ws = this.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      this.command("ping", {}, timeoutMs).then(
        (data) => {
          if (this.ws === ws && data) this._noticeSeq(data.seq, data.pseq);
        },
        () => {
          if (this.ws === ws) this._drop(ws);
        });
    }

    /* Give up on a socket without waiting for its close handshake, which
     * never completes on a dead link (onclose could take minutes). */
    _drop(ws) {
      ws.onmessage = null;
      ws.onclose = null;
      try {
        ws.close();
      } catch (e) {
        // already closed
      }
      this.ws = null;
      this._onClose({ code: 1006 });
    }

    _setStatus(status) {
      this.status = status;
      if (this.options.onStatus) this.options.onStatus(status, this);
    }

    _onClose(ev) {
      const final = ev.code === 4403 || ev.code === 4404;
      // A command may have been done even though its reply was lost: keep it, and send it
      // again with the same id after reconnecting (_onSnapshot). Ping and sync are not kept.
      for (const [id, p] of this._pending) {
        if (final || !p.resend) {
          clearTimeout(p.timer);
          p.reject(new HubError("disconnected", "connection lost"));
          this._pending.delete(id);
        }
      }
      this.degraded = false;
      if (final) {
        this._closedByServer = ev.code;
        this._setStatus(ev.code === 4403 ? "forbidden" : "not_found");
        return;
      }
      this._setStatus("offline");
      // 4503 "try again later" (1013 from a server that may send it): the process has a full queue
      // of connects, or asks some clients to move to the other workers; come back after a random
      // 1-5 s (behind the proxy, likely to another worker), not at once with the hall.
      const later = ev.code === 4503 || ev.code === 1013;
      this._reconnectSoon(later ? 1000 + Math.random() * 4000 : undefined);
    }

    _reconnectSoon(delay) {
      if (this._closedByServer) return;
      const ws = this.ws;
      if (ws && (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)) return;
      clearTimeout(this._timer);
      const backoff = Math.min(10000, 500 * 2 ** this._retry) * (0.5 + Math.random() / 2);
      this._retry = Math.min(this._retry + 1, 5);
      this._timer = setTimeout(() => this.connect(), delay !== undefined ? delay : backoff);
    }

    _onMessage(text, ws) {
      let msg;
      try {
        msg = JSON.parse(text);
      } catch (e) {
        return;
      }
      if (msg.type === "batch") return this._onBatch(msg, ws);
      this._onFrame(msg);
    }

    /* Several events in one frame (docs/protocol.md "Batches"): each applied as if it had arrived
     * alone, in order (a gap: sync; a per-member event to `you`; a reply settles its command), and
     * the page told once, after the last (`_together`): one render per frame, not one per event.
     * Once one closes the socket (a type this client does not know: fresh snapshot), the rest are
     * dropped, as frames arriving after close() are. */
    _onBatch(msg, ws) {
      this._together(() => {
        for (const event of msg.events || []) {
          if (ws && ws.readyState !== WebSocket.OPEN) return;
          if (event && event.type !== "batch") this._onFrame(event);
        }
      });
    }

    /* Run fn, which may apply several changes, and tell the page of them all once, at its end. */
    _together(fn) {
      if (this._changes) return fn();
      const changes = [];
      this._changes = changes;
      try {
        fn();
      } finally {
        this._changes = null;
        this._tell(changes);
      }
    }

    _onFrame(msg) {
      if (msg.type === "snapshot") return this._onSnapshot(msg);
      if (msg.type === "heartbeat") return this._onHeartbeat(msg);
      if (msg.type === "hub.status") {
        this.degraded = !!msg.degraded;
        return this._setStatus(this.status);
      }
      if (msg.in_response !== undefined) return this._onReply(msg);
      if (msg.pseq !== undefined) return this._onMemberEvent(msg);
      if (msg.seq !== undefined) return this._onEvent(msg);
    }

    _onSnapshot(msg) {
      this.state = msg.data;
      this.seq = msg.seq;
      this._serverSeq = msg.seq;
      this.you = msg.you;
      this._serverPseq = msg.you.pseq || 0;
      this.offsetMs = Date.parse(msg.server_time) - Date.now();
      this._retry = 0;
      this._syncing = false;
      if (msg.in_response !== undefined) this._settle(msg.in_response, true, {});
      this._setStatus("live");
      this._changed("snapshot");
      if (msg.in_response === undefined) this._resendPending();
    }

    /* After a reconnect: the commands whose reply the old socket lost, again with their ids. */
    _resendPending() {
      for (const [, p] of this._pending) {
        if (p.resend && this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(p.frame);
      }
    }

    _onEvent(msg) {
      if (!this.state || msg.seq <= this.seq) return; // already in our state
      if (msg.seq > this.seq + 1) {
        this._behind(msg.seq);
        return this._catchUp();
      }
      if (!apply(this.state, msg.type, msg.data)) return this._resnapshot();
      this.seq = msg.seq;
      this._changed(msg.type, msg.data);
      this._caughtUp();
    }

    /* A per-member event (docs/protocol.md): to `you`, in pseq order; a never-stored one (pseq
     * null) as it comes. A gap: sync with since_pseq. */
    _onMemberEvent(msg) {
      if (!this.you) return;
      const pseq = msg.pseq;
      if (pseq !== null) {
        if (typeof this.you.pseq !== "number" || pseq <= this.you.pseq) return; // already in `you`
        if (pseq > this.you.pseq + 1) {
          this._behind(this.seq, pseq);
          return this._catchUp();
        }
      }
      if (!applyMember(this.you, msg.type, msg.data)) return this._resnapshot();
      if (pseq !== null) this.you.pseq = pseq;
      this._changed(msg.type, msg.data);
      this._caughtUp();
    }

    /* The heartbeat: not an event; its seq says where the server is. */
    _onHeartbeat(msg) {
      if (msg.server_time) this.offsetMs = Date.parse(msg.server_time) - Date.now();
      this._noticeSeq(msg.seq);
    }

    /* The server says it is at `seq` (and this member at `pseq`, from a ping reply): if this
     * state is behind, say so and catch up. */
    _noticeSeq(seq, pseq) {
      if (!this.state) return;
      const behindSeq = typeof seq === "number" && seq > this.seq;
      const behindPseq = typeof pseq === "number" && this._pseqBehind(pseq);
      if (!behindSeq && !behindPseq) return;
      this._behind(behindSeq ? seq : this.seq, behindPseq ? pseq : 0);
      if (this._behindTimer) return;
      // The events may be on their way: give them a moment, then ask. The wait is
      // spread so that a hall of clients behind together does not ask at once.
      this._behindTimer = setTimeout(() => {
        this._behindTimer = null;
        if (!this._isCaughtUp()) this._catchUp();
        else this._caughtUp();
      }, 250 + Math.random() * 750);
    }

    _pseqBehind(pseq) {
      return !!this.you && typeof this.you.pseq === "number" && pseq > this.you.pseq;
    }

    _behind(seq, pseq) {
      this._serverSeq = Math.max(this._serverSeq, seq);
      this._serverPseq = Math.max(this._serverPseq, pseq || 0);
      if (this.status === "live") this._setStatus("catching_up");
    }

    _isCaughtUp() {
      return this.seq >= this._serverSeq && !this._pseqBehind(this._serverPseq);
    }

    _caughtUp() {
      if (this.status === "catching_up" && this._isCaughtUp()) this._setStatus("live");
    }

    _catchUp() {
      if (this._syncing) return;
      this._syncing = true;
      const args = { since_seq: this.seq };
      // A member also asks for what it alone was told after its pseq.
      if (this.you && typeof this.you.pseq === "number") args.since_pseq = this.you.pseq;
      this.command("sync", args)
        .then((data) => this._together(() => {  // the missed events: one render for them all
          if (data && data.events) {
            for (const ev of data.events) {
              if (ev.seq !== this.seq + 1) continue;
              if (!apply(this.state, ev.type, ev.data)) return this._resnapshot();
              this.seq = ev.seq;
              this._changed(ev.type, ev.data);
            }
          }
          if (data && data.member_events && this.you) {
            for (const ev of data.member_events) {
              if (ev.pseq !== this.you.pseq + 1) continue;
              if (!applyMember(this.you, ev.type, ev.data)) return this._resnapshot();
              this.you.pseq = ev.pseq;
              this._changed(ev.type, ev.data);
            }
          }
        }))
        .catch(() => {})
        .finally(() => {
          this._syncing = false;
          // Still behind (the sync failed): the next heartbeat asks again.
          this._caughtUp();
        });
    }

    _resnapshot() {
      // sync from 0 is always answered with a snapshot when events were pruned,
      // otherwise a full replay; either way the state becomes exact.
      if (this.ws) this.ws.close();
    }

    _onReply(msg) {
      if (msg.data && msg.data.server_time) this.offsetMs = Date.parse(msg.data.server_time) - Date.now();
      if (msg.in_response === null && !msg.ok && this.options.onError) this.options.onError(msg.error);
      this._settle(msg.in_response, msg.ok, msg.ok ? msg.data : msg.error);
    }

    _settle(id, ok, payload) {
      const p = this._pending.get(id);
      if (!p) return;
      if (!ok && payload.code === "unavailable" && p.resend && (p.tries || 0) < 4) {
        // The server could not reach its database: nothing was done. The same id again a little
        // later (docs/protocol.md), until the command's own time runs out.
        p.tries = (p.tries || 0) + 1;
        setTimeout(() => {
          if (this._pending.get(id) === p && this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(p.frame);
        }, 500 * 2 ** p.tries * (0.5 + Math.random() / 2));
        return;
      }
      this._pending.delete(id);
      clearTimeout(p.timer);
      if (ok) p.resolve(payload);
      else {
        // A `stale` refusal says the sitting is further on than this state: catch up at once.
        if (payload.current && payload.current.seq > this.seq) this._catchUp();
        p.reject(new HubError(payload.code, payload.message, payload.fields, payload.current));
      }
    }

    _changed(type, data) {
      // A state replaced whole is, for a page, a fresh snapshot: everything is drawn again.
      if (type === "state.replaced") type = "snapshot";
      if (this._changes) this._changes.push({ type, data });  // told with the rest of its frame
      else this._tell([{ type, data }]);
    }

    /* Tell the page (its onState, then each panel) of the changes of one frame, once: a single
     * change as (state, type, data, hub); several as (state, "batch", {events: [{type, data}, …]},
     * hub), in the order they were applied (Hub.changes, Hub.touched). */
    _tell(changes) {
      if (!changes.length) return;
      const one = changes.length === 1;
      const type = one ? changes[0].type : "batch";
      const data = one ? changes[0].data : { events: changes };
      if (this.options.onState) {
        try {
          this.options.onState(this.state, type, data, this);
        } catch (e) {
          // The page's own drawing failed: its panels (the floor, the ballot, video) still draw.
          if (global.console) global.console.error("hub page", e);
        }
      }
      for (const draw of panels) this._draw(draw, type, data);
    }

    _draw(draw, type, data) {
      try {
        draw(this.state, type, data, this);
      } catch (e) {
        if (global.console) global.console.error("hub panel", e); // one panel's bug must not stop the page
      }
    }

    /* Send a command; resolves with the reply's data, rejects with HubError(code). */
    command(cmd, args, timeoutMs) {
      return new Promise((resolve, reject) => {
        if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
          reject(new HubError("disconnected", "not connected"));
          return;
        }
        const id = `${this._idPrefix}-${this._nextId++}`;
        const timer = setTimeout(() => {
          if (this._pending.delete(id)) reject(new HubError("timeout", "no reply"));
        }, timeoutMs || 15000);
        const frame = JSON.stringify({ id, cmd, args: args || {} });
        const resend = cmd !== "ping" && cmd !== "sync";
        this._pending.set(id, { resolve, reject, timer, frame, resend });
        this.ws.send(frame);
      });
    }
  }

  /* Seconds spent on an agenda item, by the server's clock. */
  function elapsedSeconds(item, nowMs) {
    let s = item.elapsed_before_s || 0;  // to the millisecond
    if (item.started_at) s += Math.max(0, (nowMs - Date.parse(item.started_at)) / 1000);
    return Math.floor(s);
  }

  function formatDuration(seconds) {
    const neg = seconds < 0;
    seconds = Math.abs(Math.floor(seconds));
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    const two = (n) => String(n).padStart(2, "0");
    return (neg ? "−" : "") + (h ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`);
  }

  /* What one call of a page's onState (or a panel's draw) stands for: each change's {type, data},
   * in order (a batch frame's several, as `type` "batch"; else the one). */
  function changes(type, data) {
    return type === "batch" && data && Array.isArray(data.events) ? data.events : [{ type, data }];
  }

  /* Whether any of those changes passes test(type): what a page asks before drawing a part again.
   * A snapshot (a fresh or replaced state) passes every test. */
  function touched(type, data, test) {
    return changes(type, data).some((c) => c.type === "snapshot" || test(c.type));
  }

  Hub.registerEvent = registerEvent;
  Hub.changes = changes;
  Hub.touched = touched;
  /* A module's panel on a page (realtime.registry.register_panel): `draw(state, type, data, hub)`
   * after every snapshot, event and per-member event, as the page's own onState: once per frame
   * (a batch frame's changes together: `type` "batch", Hub.changes).
   * A panel's script comes after the page's, which opens the hub; while the browser waits for it
   * (a slow network), the snapshot may already be in and told. Such a panel is drawn at once, as
   * after a snapshot: else it stayed undrawn until the sitting next changed. */
  Hub.registerPanel = (draw) => {
    panels.push(draw);
    for (const hub of hubs) if (hub.state) hub._draw(draw, "snapshot");
  };
  Hub.registerMemberEvent = registerMemberEvent;
  global.Hub = Hub;
  global.HubError = HubError;
  global.HubApply = apply;
  global.HubTime = { elapsedSeconds, formatDuration };
})(window);
